"""What a workshop round is: a :class:`Round`, its :class:`Participant` and their
:class:`Score`, the limits a round keeps, and :class:`RoundError`.

A facilitator opens a round on a version of the catalogue: which experiences, which
criteria (the facts, reach, frequency, cost and failure demand, each as a number in its
own unit; depth as a 1-5 judgement; and an ambition vote), whether participants also
vote on the weights, and an optional closing time. The round has a short join code. A
fact is never asked for as a 1-5 judgement: a judgement cannot be turned into a
measurement (:data:`cxprio.units.FACTS`).

Each participant gives one score per experience and criterion, a new value replacing
the old. Scores are hidden until the facilitator reveals an experience or the whole
round; a closed round is read-only and keeps its raw scores.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cxprio.catalogue.limits import PERSON_NAME_LENGTH
from cxprio.catalogue.model import MEASURES
from cxprio.errors import UsageError
from cxprio.units import LABELS, UNITS, is_fact, number, tier_words

AMBITION = "ambition"
CRITERIA = (*MEASURES, AMBITION)
"""What a round can ask participants to score."""
JUDGEMENT = "judgement"
NUMBER = "number"
TIER = "tier"
JUDGEMENT_RANGE = (1.0, 5.0)
WEIGHT = "weight:"
"""A weight vote's criterion is ``weight:<measure>``; its experience is empty."""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join codes avoid 0/O and 1/I, which are misread on a projector."""
CODE_LENGTH = 6
MAX_NAME = PERSON_NAME_LENGTH
DEFAULT_MAX_PARTICIPANTS = 100
"""A round's participants at most, unless the facilitator sets another number when
opening it: a leadership team, a department, a large workshop. A cap stops a script from
joining thousands of names and slowing every page of the round down."""
MOST_PARTICIPANTS = 1000
"""The largest cap a facilitator can set."""
MAX_IMPORT_BYTES = 5 * 1024 * 1024
ALL = "*"
IMPLAUSIBLE_RATIO = 3.0
"""A proposal that moves a fact more than this many times up or down needs its own
confirmation: a room's estimate rarely beats a measurement by that much."""
SCORE_COLUMNS = ("participant", "experience", "criterion", "value")
"""The columns of a scores file (:func:`cxprio.store.round_scores.import_scores`) and of
the raw scores download (:func:`cxprio.outputs.rounds.scores_csv`)."""

NUMBER_LIMITS: dict[str, tuple[float, float | None]] = {
    "reach": (0.0, None),
    "frequency": (0.0, None),
    "depth": (1.0, 5.0),
    "cost": (0.0, None),
    "failure_demand": (0.0, 1.0),
}
"""A number's limits per measure: the catalogue's own rules (:class:`cxprio.catalogue.model.Measures`)."""


class RoundError(UsageError):
    """A round cannot do what was asked: unknown, closed, a value out of range, a name
    taken. The message says what, and how to go on."""


@dataclass(frozen=True, slots=True)
class Round:
    """One round: what it asks, its state, and (once closed) what was accepted."""

    id: int
    code: str
    title: str
    version_id: int
    created_at: datetime
    created_by: str
    experiences: tuple[str, ...]
    criteria: Mapping[str, str]
    """criterion -> ``judgement`` (1-5), ``number`` (the measure's unit) or ``tier``."""
    weights_vote: bool
    closes_at: datetime | None
    revealed: frozenset[str]
    closed_at: datetime | None = None
    closed_by: str | None = None
    accepted: tuple[str, ...] = ()
    """``experience.field`` of each value closing changed."""
    result_version_id: int | None = None
    changed: tuple[Mapping[str, Any], ...] = ()
    """Each value closing changed: ``experience, field, old, new`` (``value`` for a round
    closed before the old value was kept)."""
    max_participants: int = DEFAULT_MAX_PARTICIPANTS
    """How many people can join (:data:`DEFAULT_MAX_PARTICIPANTS` unless set at opening)."""

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def scoring_open(self, now: datetime | None = None) -> bool:
        """Whether scores are taken: not closed, and not past the closing time."""
        moment = now or datetime.now(UTC)
        return not self.closed and (self.closes_at is None or moment < self.closes_at)

    def is_revealed(self, experience: str) -> bool:
        return ALL in self.revealed or experience in self.revealed

    @property
    def revealed_all(self) -> bool:
        return ALL in self.revealed or set(self.experiences) <= self.revealed

    def expected(self) -> int:
        """How many scores one participant gives when they score everything."""
        return len(self.experiences) * len(self.criteria) + (len(MEASURES) if self.weights_vote else 0)

    def state(self, now: datetime | None = None) -> str:
        if self.closed:
            return "closed"
        return "open" if self.scoring_open(now) else "scoring ended"


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in a round. ``token`` is their private key to come back (a link)."""

    id: int
    round_id: int
    name: str
    identity: str
    token: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Score:
    """One participant's score of one experience on one criterion (or one weight)."""

    participant: str
    experience: str
    criterion: str
    value: float | None
    tier: str | None
    updated_at: datetime
    participant_id: int = 0

    @property
    def shown(self) -> str:
        """The value as a person typed it, and as a scores file takes it back: ``3``,
        ``320000``, ``0.25`` or ``distinct``."""
        if self.tier is not None:
            return self.tier
        if self.value is None:
            return ""
        return str(int(self.value)) if float(self.value).is_integer() else repr(float(self.value))


def kind_of(criterion: str) -> str:
    """How a round asks for ``criterion``: a fact as a ``number`` in its unit, depth as a
    1-5 ``judgement``, the ambition as a ``tier`` vote."""
    if criterion == AMBITION:
        return TIER
    return NUMBER if is_fact(criterion) else JUDGEMENT


def criterion_label(criterion: str, kind: str) -> str:
    """A criterion as a heading, with what is asked: ``Reach (customers a year)``,
    ``Depth (1-5)``, ``Ambition``; a fact once asked as a judgement says so."""
    if criterion == AMBITION:
        return "Ambition"
    label = LABELS.get(criterion, criterion)
    if kind == JUDGEMENT:
        return f"{label} (1-5)"
    return f"{label} ({UNITS[criterion]})"


def normal_code(text: str) -> str:
    """A join code as typed (``ab-c2 3d``) in its one form (``ABC23D``)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_code() -> str:
    """A new join code, drawn at random (the store draws again when it is taken)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def identity_of(name: str, user: str | None = None) -> str:
    """Who a participant is, as the round keeps them apart: a signed-in ``user``'s account
    (``user:ana@example.org``), else the ``name`` shown, folded (``name:ana``)."""
    return f"user:{user.strip().lower()}" if user else f"name:{name.casefold()}"


def as_given(score: Score) -> str:
    """A score as people write it: ``410,000``, ``4``, ``Distinct``."""
    if score.tier is not None:
        return tier_words(score.tier)
    return "" if score.value is None else number(score.value)
