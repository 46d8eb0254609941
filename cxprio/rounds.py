"""Workshop rounds: many people score the same experiences at once, each on their own.

A facilitator opens a :class:`Round` on the store's latest version (:func:`open_round`):
which experiences, which criteria (the facts, reach, frequency, cost and failure demand,
each as a number in its own unit; depth as a 1-5 judgement; and an ambition vote),
whether participants also vote on the weights, and an optional closing time. The round
has a short join code. A fact is never asked for as a 1-5 judgement: a judgement cannot
be turned into a measurement (:data:`cxprio.units.FACTS`).

Participants join with the code and a name (:func:`join`), or as the signed-in user, and
every score they enter is written to the store at once (:func:`record`): one score per
participant, experience and criterion, a new value replacing the old. Nothing is kept
only in a browser or a server's memory, so a closed tab or a restarted server loses
nothing. Scores are hidden until the facilitator reveals an experience or the whole
round (:func:`reveal`); the library enforces nothing about who looks (the board does),
it records what is revealed.

:func:`aggregate` gives, per experience and criterion, the number of scores, median,
quartiles (linear interpolation, as ``numpy.percentile``), minimum and maximum, the
ambition votes per tier, and the ``disagreement`` the results are ranked by, on one 0..1
scale for every criterion: the standard deviation as a share of the largest it can be
(half the criterion's range), which one voice far from the rest moves, where the
interquartile range does not see it; widest first. :func:`proposals` turns the results
into catalogue values where they differ from today's (a number's median, a depth
judgement's median, the ambition with the most votes, none on a tie), flagging a fact
moved more than :data:`IMPLAUSIBLE_RATIO` times either way, or a reach above the
organisation's customers, as implausible: it needs its own confirmation.
:func:`preview` shows how the ranking would move if they were accepted, and
:func:`close_round` saves the accepted ones through the audited save
(:func:`cxprio.store.saving.save_edits`), each value noting where it came from, marking the
round closed in the same transaction. A closed round is read-only and keeps its raw
scores.

Concurrency: a score is written in one small transaction that first reads the round's
row (``FOR SHARE`` on PostgreSQL); closing takes that row for update, so no score lands
after a round has closed, and the unique (round, participant, experience, criterion)
makes each score exist once however many write at once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import secrets
import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from cxprio.catalogue.edit import Edit
from cxprio.catalogue.limits import PERSON_NAME_LENGTH, TITLE_LENGTH
from cxprio.catalogue.model import DEFAULT_SCALES, MEASURES, Catalogue, Level, Scale, Tier, Transform
from cxprio.errors import StoreError, UsageError
from cxprio.method.scoring import Normalised, normalise, ranking
from cxprio.outputs.exports import csv_text, read_back
from cxprio.store.saving import Saved, save_edits
from cxprio.store.versions import (
    TRANSACTION_CACHE,
    Store,
    Version,
    aware,
    round_participants,
    round_scores,
    rounds,
)
from cxprio.store.versions import changes as change_rows
from cxprio.texts import plain, problem_in, quoted
from cxprio.units import LABELS, UNITS, field_label, is_fact, number, percent, relative_change, with_unit

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
"""The columns of a scores file (:func:`import_scores`) and of the raw scores download."""

_NUMBER_LIMITS: dict[str, tuple[float, float | None]] = {
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


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The scores of one experience on one criterion, summarised.

    For an ambition vote, ``median`` to ``max`` are the tiers' strengths (3 Unique to 0
    Uncompetitive) and ``votes`` counts each tier. ``spread`` is the interquartile range
    as a share of the criterion's range. ``disagreement``, which results are ranked by,
    is the standard deviation as a share of the largest it can be (half the criterion's
    range): 0 when everyone agrees, 1 when the room is split half and half at the two
    ends. Unlike the interquartile range it hears one voice far from the rest: four 5s
    and a 1 give 0.8, where 3, 3, 4, 4, 4 give 0.24. Numbers are placed on the measure's
    scale first (:func:`position`), so a reach of 1,000 against 1,000,000 is as far
    apart as a 1 against a 5 would be, whatever the unit. ``counts``: how many chose
    each value (in value order), for the anonymous dots on the projector.
    """

    experience: str
    criterion: str
    kind: str
    n: int
    median: float
    q1: float
    q3: float
    min: float
    max: float
    spread: float
    disagreement: float
    votes: Mapping[str, int] = field(default_factory=dict)
    counts: tuple[tuple[float, int], ...] = ()

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def majority(self) -> str | None:
        """The tier with the most votes; ``None`` on a tie or without votes."""
        if not self.votes:
            return None
        ranked = Counter(self.votes).most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "experience": self.experience,
            "criterion": self.criterion,
            "kind": self.kind,
            "n": self.n,
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.min,
            "max": self.max,
            "iqr": self.iqr,
            "spread": self.spread,
            "disagreement": self.disagreement,
            "votes": dict(self.votes) if self.kind == TIER else None,
            "majority": self.majority if self.kind == TIER else None,
        }


@dataclass(frozen=True, slots=True)
class Proposal:
    """What accepting a round's result for one experience and criterion would write.

    ``proposed`` is ``None`` when the result proposes nothing, ``note`` then says why (a
    tied vote, an experience no longer in the catalogue). ``source`` says where the
    value comes from (``median of 5 numbers``); ``implausible`` why it needs its own
    confirmation, or is empty."""

    experience: str
    criterion: str
    field: str
    current: float | str | None
    proposed: float | str | None
    n: int
    disagreement: float
    source: str = ""
    implausible: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """``experience:criterion``: how a close names this one result."""
        return f"{self.experience}:{self.criterion}"

    @property
    def changes(self) -> bool:
        return self.proposed is not None and self.proposed != self.current

    def described(self, name: str | None = None) -> str:
        """The change in words, in the measure's unit, as the catalogue writes numbers:
        ``Reach: 320,000 -> 410,000 customers a year, +28%``; ``Ambition: Competitive ->
        Distinct``. ``name``: the experience's name, to start with."""
        label = "Ambition" if self.criterion == AMBITION else LABELS.get(self.criterion, self.criterion)
        start = f"{name}: {label.lower()}" if name else label
        if self.proposed is None:
            return f"{start}: {self.note}"
        if self.criterion == AMBITION:
            before = str(self.current).capitalize() if self.current else "none"
            return f"{start}: {before} → {str(self.proposed).capitalize()}"
        old = None if self.current is None else float(self.current)
        new = float(self.proposed)
        after = with_unit(self.criterion, new)
        if old is None:
            return f"{start}: not measured → {after}"
        change = relative_change(old, new) if is_fact(self.criterion) else ""
        return f"{start}: {number(old)} → {after}" + (f", {change}" if change else "")


# --- opening, finding, joining ------------------------------------------------------


def kind_of(criterion: str) -> str:
    """How a round asks for ``criterion``: a fact as a ``number`` in its unit, depth as a
    1-5 ``judgement``, the ambition as a ``tier`` vote."""
    if criterion == AMBITION:
        return TIER
    return NUMBER if is_fact(criterion) else JUDGEMENT


def parse_criteria(text: str | Sequence[str]) -> dict[str, str]:
    """``reach:number,depth,ambition`` as ``{criterion: kind}`` (see :func:`kind_of`). A
    fact must be written with ``:number``: a bare ``reach`` (once a 1-5 judgement) is
    refused, saying so, rather than silently asked in another way."""
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [t.strip() for t in text]
    chosen: dict[str, str] = {}
    for item in filter(None, items):
        name, _, kind = item.partition(":")
        name, kind = name.strip().lower().replace("-", "_").replace(" ", "_"), kind.strip().lower()
        if name not in CRITERIA:
            raise RoundError(f"{quoted(name)} is not a criterion: use any of {_criteria_help()}")
        if name == AMBITION and kind not in ("", TIER):
            raise RoundError("ambition is voted as a tier: write just 'ambition'")
        if is_fact(name) and kind != NUMBER:
            raise RoundError(
                f"{name} is a measured fact ({UNITS[name]}): a round asks for it as a number in its "
                f"unit, never as a 1-5 judgement: write {name}:number"
            )
        if name in ("depth",) and kind not in ("", JUDGEMENT):
            raise RoundError("depth is a judgement from 1 to 5: write just 'depth'")
        chosen[name] = kind_of(name)
    _check_criteria(chosen)
    return chosen


def _criteria_help() -> str:
    return ", ".join(f"{c}:number" if is_fact(c) else c for c in CRITERIA)


def _check_criteria(criteria: Mapping[str, str]) -> None:
    """Refuse an empty choice, an unknown criterion, or a kind a criterion cannot take
    (a fact as a judgement among them)."""
    if not criteria:
        raise RoundError(
            "a round needs at least one criterion, such as reach:number,depth,ambition",
        )
    for name, kind in criteria.items():
        if name not in CRITERIA:
            raise RoundError(f"{quoted(name)} is not a criterion: use any of {_criteria_help()}")
        if kind != kind_of(name):
            raise RoundError(
                f"{quoted(name)} cannot be scored as {quoted(kind)}: the facts are numbers in their unit, "
                "depth a 1-5 judgement, ambition a tier vote"
            )


def select_experiences(
    catalogue: Catalogue,
    *,
    level: str | None = None,
    ids: Sequence[str] | None = None,
    contains: str | None = None,
) -> list[str]:
    """The experiences a round scores, in catalogue order: all of them, those of one
    level, those whose name or id holds ``contains``, or the listed ``ids`` (in their
    order); refuses an unknown level or id, and an empty choice."""
    known = {e.id: e for e in catalogue.experiences}
    if ids:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise RoundError(
                f"not in the catalogue: {', '.join(unknown[:10])}",
            )
        chosen = list(dict.fromkeys(ids))
    else:
        if level is not None and level not in {lv.value for lv in Level}:
            raise RoundError(f"{quoted(level)} is not a level: use {', '.join(lv.value for lv in Level)}")
        needle = (contains or "").strip().lower()
        chosen = [
            e.id
            for e in catalogue.experiences
            if (level is None or e.level.value == level)
            and (not needle or needle in e.name.lower() or needle in e.id)
        ]
    if not chosen:
        raise RoundError("no experience matches: choose a level, a filter or a list that has some")
    return chosen


def normal_code(text: str) -> str:
    """A join code as typed (``ab-c2 3d``) in its one form (``ABC23D``)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def open_round(
    store: Store,
    catalogue: Catalogue,
    version_id: int,
    *,
    experiences: Sequence[str],
    criteria: Mapping[str, str],
    author: str,
    title: str = "",
    weights_vote: bool = False,
    closes_at: datetime | None = None,
    max_participants: int = DEFAULT_MAX_PARTICIPANTS,
) -> Round:
    """Open a round on version ``version_id`` (whose catalogue is ``catalogue``), taking
    at most ``max_participants`` people."""
    if not author.strip():
        raise RoundError("say who opens the round: it is recorded")
    if isinstance(max_participants, bool) or not 1 <= max_participants <= MOST_PARTICIPANTS:
        raise RoundError(
            f"a round takes from 1 to {MOST_PARTICIPANTS:,} participants, not {max_participants}: "
            f"give a number in that range (the default is {DEFAULT_MAX_PARTICIPANTS})"
        )
    _typed(author, "facilitator's name", limit=PERSON_NAME_LENGTH)
    _typed(title, "round's title", limit=TITLE_LENGTH)
    select_experiences(catalogue, ids=list(experiences))  # every id known, not empty
    _check_criteria(criteria)
    now = datetime.now(UTC)
    if closes_at is not None:
        closes_at = closes_at if closes_at.tzinfo else closes_at.replace(tzinfo=UTC)
        if closes_at <= now:
            raise RoundError(f"the closing time {closes_at:%Y-%m-%d %H:%M} UTC has passed: give a later one")
    heading = title.strip() or f"Round of {now:%Y-%m-%d %H:%M} UTC"
    with store.transaction() as connection:
        taken = True
        while taken:  # 32^6 codes: a second draw is rare, a third rarer still
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            taken = (
                connection.execute(sa.select(rounds.c.id).where(rounds.c.code == code)).first() is not None
            )
        connection.execute(
            rounds.insert().values(
                code=code,
                title=heading,
                version_id=version_id,
                created_at=now,
                created_by=author.strip(),
                experiences=json.dumps(list(experiences)),
                criteria=json.dumps(dict(criteria)),
                weights_vote=weights_vote,
                closes_at=closes_at,
                revealed="[]",
                max_participants=max_participants,
            )
        )
    return get_round(store, code)


def get_round(store: Store, code: str) -> Round:
    """The round with this join code; :class:`RoundError` saying so if there is none."""
    with store.reading() as connection:
        return _read_round(connection, code)


def _read_round(connection: Connection, code: str, *, lock: str | None = None) -> Round:
    """The round with this join code, read on ``connection``; with ``lock`` (``share`` or
    ``update``), its row locked so on PostgreSQL (SQLite has one writer anyway)."""
    query = sa.select(rounds).where(rounds.c.code == normal_code(code))
    if lock is not None and connection.dialect.name == "postgresql":
        query = query.with_for_update(read=lock == "share")
    row = connection.execute(query).first()
    if row is None:
        raise RoundError(
            f"there is no round with the code {quoted(code.strip())}: check the code with the facilitator"
        )
    return _round(row)


def list_rounds(store: Store) -> list[Round]:
    """Every round, newest first."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(rounds).order_by(rounds.c.id.desc())).all()
    return [_round(row) for row in rows]


def join(store: Store, code: str, name: str, *, user: str | None = None) -> Participant:
    """Join the round as ``name``; with ``user`` (a signed-in account), as that account,
    which finds its own earlier place.

    Nobody shares a display name within a round, signed in or not: a name typed that is
    taken is refused (the one who joined first comes back with their link); a signed-in
    account whose name is taken joins under its name and e-mail address. A full round
    (:attr:`Round.max_participants`) takes nobody new."""
    shown = _shown_name(name, "give your name to join: the facilitator sees who has scored")
    _typed(user or "", "account's e-mail")
    identity = f"user:{user.strip().lower()}" if user else f"name:{shown.casefold()}"
    with store.transaction() as connection:
        found = _joining(connection, code)
        existing = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.identity == identity
            )
        ).first()
        if existing is not None and user:
            return _participant(existing)
        taken = _names_taken(connection, found)
        if user and shown.casefold() in taken:
            shown = _free_name(f"{shown} ({user.strip()})", taken)
        if existing is not None or shown.casefold() in taken:
            raise RoundError(
                f"someone has joined round {found.code} as {quoted(shown)} already: "
                "join under another name (add an initial), or, if that was you, open the "
                "personal link you were given when you joined"
            )
        _check_room(found, taken)
        try:
            participant_id = _new_participant(connection, found.id, identity, shown)
        except sa.exc.IntegrityError:  # the same name at the same moment (PostgreSQL)
            raise RoundError(f"someone has joined round {found.code} as {quoted(shown)} already") from None
        row = connection.execute(
            sa.select(round_participants).where(round_participants.c.id == participant_id)
        ).one()
    return _participant(row)


def _joining(connection: Connection, code: str) -> Round:
    """The round, open for joining, its row locked for update on PostgreSQL (SQLite has
    one writer anyway): joins to one round go one at a time, so two people cannot take
    one name, or the last place, at the same moment."""
    _read_round(connection, code, lock="update")  # before any shared lock: no deadlock
    return _open_row(connection, code, for_scores=False)


def _names_taken(connection: Connection, found: Round) -> set[str]:
    """The display names in the round, folded (as :func:`_shown_name` compares them)."""
    names = connection.execute(
        sa.select(round_participants.c.name).where(round_participants.c.round_id == found.id)
    ).scalars()
    return {str(name).casefold() for name in names}


def _free_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted 2``, ``wanted 3``...: the first not taken."""
    shown, n = wanted[:MAX_NAME], 1
    while shown.casefold() in taken:
        n += 1
        shown = f"{wanted[: MAX_NAME - len(str(n)) - 1]} {n}"
    return shown


def _check_room(found: Round, taken: set[str]) -> None:
    if len(taken) >= found.max_participants:
        raise RoundError(
            f"round {found.code} is full: it takes {found.max_participants:,} "
            f"participant{'' if found.max_participants == 1 else 's'} and "
            f"{'they have' if found.max_participants == 1 else 'all have'} joined. Ask the facilitator "
            "to open another round for the others"
        )


def _shown_name(name: str, missing: str) -> str:
    """A participant's name as the round keeps it: no control character, spaces folded,
    at most :data:`MAX_NAME` characters; :class:`RoundError` saying ``missing`` if empty."""
    shown = _typed(" ".join(name.split()), "name", limit=MAX_NAME)
    if not shown:
        raise RoundError(missing)
    return shown


def _typed(value: str, what: str, *, limit: int | None = None) -> str:
    """``value`` when :func:`cxprio.texts.plain` allows it (no control or bidirectional
    character, at most ``limit`` characters), else :class:`RoundError` saying why."""
    try:
        return plain(value, what, limit=limit)
    except UsageError as refused:
        raise RoundError(str(refused)) from None


def _new_participant(connection: Connection, round_id: int, identity: str, name: str) -> int:
    """Add a participant (with a new private token); their id."""
    return int(
        connection.execute(
            round_participants.insert()
            .values(
                round_id=round_id,
                identity=identity,
                name=name,
                token=secrets.token_urlsafe(18),
                joined_at=datetime.now(UTC),
            )
            .returning(round_participants.c.id)
        ).scalar_one()
    )


def join_or_find(store: Store, found: Round, name: str) -> Participant:
    """The participant of this name, joining them first if they are new: for scores a
    facilitator enters for others (the command line, a scores file), where a name is a
    person, not a claim to a place. Several first scores of one new name at once make
    one participant between them (the insert does nothing when the name is there)."""
    shown = _shown_name(name, "give the participant's name: the facilitator sees who has scored")
    identity = f"name:{shown.casefold()}"
    with store.transaction() as connection:
        _joining(connection, found.code)
        already = connection.execute(
            sa.select(round_participants).where(round_participants.c.round_id == found.id)
        ).all()
        same = [row for row in already if str(row.name).casefold() == shown.casefold()]
        if same:  # whoever has this name, signed in or not
            return _participant(same[0])
        _check_room(found, {str(row.name).casefold() for row in already})
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(round_participants)
            .values(
                round_id=found.id,
                identity=identity,
                name=shown,
                token=secrets.token_urlsafe(18),
                joined_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["round_id", "identity"])
        )
        row = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.identity == identity
            )
        ).one()
    return _participant(row)


def rejoin(store: Store, code: str, token: str) -> Participant | None:
    """The participant whose private link holds ``token``, in this round; else ``None``."""
    if not token:
        return None
    found = get_round(store, code)
    with store.reading() as connection:
        row = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.token == token
            )
        ).first()
    return _participant(row) if row is not None else None


def participants(store: Store, found: Round) -> list[Participant]:
    """Everyone who has joined the round, in the order they joined."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(round_participants)
            .where(round_participants.c.round_id == found.id)
            .order_by(round_participants.c.id)
        ).all()
    return [_participant(row) for row in rows]


# --- scoring --------------------------------------------------------------------------


def check(found: Round, experience: str, criterion: str, value: Any) -> tuple[float | None, str | None]:
    """A score as it is stored, ``(value, tier)``, or :class:`RoundError` saying what is
    wrong: an experience or criterion the round does not ask for, a value out of range.
    ``None`` (or an empty text) clears a score."""
    if criterion.startswith(WEIGHT):
        measure = criterion.removeprefix(WEIGHT)
        if not found.weights_vote:
            raise RoundError(f"round {found.code} has no weights vote")
        if measure not in MEASURES or experience:
            raise RoundError(
                f"{quoted(criterion)} is not a weight: use weight:{', weight:'.join(MEASURES)}, with no experience"
            )
        number = _number(value, criterion)
        if number is not None and not 0 <= number <= 1:
            raise RoundError(f"{criterion}: {number:g} is out of range: a weight is between 0 and 1")
        return number, None
    if experience not in found.experiences:
        raise RoundError(
            f"{quoted(experience)} is not scored in round {found.code}: its experiences are {', '.join(found.experiences[:8])}{'...' if len(found.experiences) > 8 else ''}"
        )
    kind = found.criteria.get(criterion)
    if kind is None:
        raise RoundError(
            f"round {found.code} does not ask for {quoted(criterion)}: it asks for {', '.join(found.criteria)}"
        )
    if kind == TIER:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, None
        tier = str(value).strip().lower()
        if tier not in {t.value for t in Tier}:
            raise RoundError(f"{quoted(value)} is not a tier: vote {', '.join(t.value for t in Tier)}")
        return None, tier
    number = _number(value, criterion)
    if number is None:
        return None, None
    low, high = JUDGEMENT_RANGE if kind == JUDGEMENT else _NUMBER_LIMITS[criterion]
    if number < low or (high is not None and number > high):
        allowed = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        what = "a judgement" if kind == JUDGEMENT else f"{criterion} as a number"
        raise RoundError(f"{criterion}: {number:g} is out of range: {what} is {allowed}")
    return number, None


def _number(value: Any, criterion: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number") from None
    if not math.isfinite(number):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number that can be stored")
    return number


def record(
    store: Store,
    code: str,
    participant: Participant,
    entries: Iterable[tuple[str, str, Any]],
) -> int:
    """Save ``(experience, criterion, value)`` scores of ``participant``, all or none,
    once committed (with the other scores being saved at that moment:
    :meth:`cxprio.store.versions.Store.batched`); returns how many. Refuses (:class:`RoundError`) a closed round,
    one past its closing time, a participant of another round, and any bad value; a
    value of ``None`` removes that score."""
    items = list(entries)

    def write(connection: Connection) -> int:
        found = _open_row(connection, code)
        if participant.round_id != found.id:
            raise RoundError(f"{participant.name} is not in round {found.code}: join it first")
        checked = [(e, c, *check(found, e, c, v)) for e, c, v in items]
        _write(connection, found.id, participant.id, checked)
        return len(items)

    return store.batched(write)


def _write(
    connection: Connection,
    round_id: int,
    participant_id: int,
    checked: Sequence[tuple[str, str, float | None, str | None]],
) -> None:
    now = datetime.now(UTC)
    cleared = [(e, c) for e, c, value, tier in checked if value is None and tier is None]
    kept = [
        {
            "round_id": round_id,
            "participant_id": participant_id,
            "experience": e,
            "criterion": c,
            "value": value,
            "tier": tier,
            "updated_at": now,
        }
        for e, c, value, tier in checked
        if value is not None or tier is not None
    ]
    for experience, criterion in cleared:
        connection.execute(
            round_scores.delete().where(
                round_scores.c.round_id == round_id,
                round_scores.c.participant_id == participant_id,
                round_scores.c.experience == experience,
                round_scores.c.criterion == criterion,
            )
        )
    if kept:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(round_scores)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["round_id", "participant_id", "experience", "criterion"],
                set_={
                    "value": statement.excluded.value,
                    "tier": statement.excluded.tier,
                    "updated_at": statement.excluded.updated_at,
                },
            ),
            kept,
        )


def _open_row(connection: Connection, code: str, *, for_scores: bool = True) -> Round:
    """The round, read in the caller's transaction with a shared lock on PostgreSQL (so
    a close waits for scores being written, and scores after it see it closed), and
    refused when it takes no more scores."""
    # Read once per transaction: a group commit (Store.batched) writes many people's
    # scores to one round in one transaction, which holds the lock from the first read.
    seen: dict[str, Round] = connection.info.setdefault(TRANSACTION_CACHE, {})
    wanted = normal_code(code)
    if wanted in seen:
        found = seen[wanted]
    else:
        found = seen[wanted] = _read_round(connection, code, lock="share")
    if found.closed:
        raise RoundError(
            f"round {found.code} was closed at {found.closed_at:%Y-%m-%d %H:%M} UTC: it takes no more "
            + ("scores" if for_scores else "participants")
            + "; its results are read-only"
        )
    if not found.scoring_open():
        raise RoundError(
            f"round {found.code} stopped taking scores at {found.closes_at:%Y-%m-%d %H:%M} UTC; "
            "the facilitator reviews and closes it"
        )
    return found


def import_scores(store: Store, code: str, text: str, *, source: str = "<scores>") -> tuple[int, int]:
    """Save the scores of a CSV file (columns ``participant,experience,criterion,value``:
    scores collected offline or in a spreadsheet), all or none, in one transaction;
    participants join by name as they first appear. A ``'`` before a cell starting with a
    formula's character, as :func:`scores_csv` writes it, is dropped
    (:func:`cxprio.outputs.exports.read_back`). Every bad row is reported with its line
    (:class:`RoundError`); returns ``(scores, new participants)``."""
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise RoundError(f"{source} is over {MAX_IMPORT_BYTES // 1_048_576} MB: split it")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != SCORE_COLUMNS:
        raise RoundError(
            f"{source}:1: the columns are {','.join(header) or 'missing'}: the first line must be "
            f"{','.join(SCORE_COLUMNS)}"
        )
    found = get_round(store, code)
    problems: list[str] = []
    rows: list[tuple[str, str, str, float | None, str | None]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(SCORE_COLUMNS):
            problems.append(
                f"{source}:{line}: {len(cells)} cells where 4 are expected ({','.join(SCORE_COLUMNS)})"
            )
            continue
        # A ' that a file of ours put before a formula's character goes (cxprio.outputs.exports).
        name, experience, criterion, value = (read_back(c.strip()) for c in cells)
        name = " ".join(name.split())
        if not name:
            problems.append(f"{source}:{line}: participant: empty: give the participant's name")
            continue
        wrong = problem_in(name, limit=MAX_NAME)
        if wrong is not None:
            problems.append(f"{source}:{line}: participant: {wrong[0]}: {wrong[1]}")
            continue
        key = (name.casefold(), experience, criterion)
        if key in seen:
            problems.append(
                f"{source}:{line}: the same participant, experience and criterion as line {seen[key]}: keep one"
            )
            continue
        seen[key] = line
        try:
            number, tier = check(found, experience, criterion, value)
        except RoundError as exc:
            problems.append(f"{source}:{line}: {exc}")
            continue
        if number is None and tier is None:
            problems.append(f"{source}:{line}: value: empty: give a value")
            continue
        rows.append((name, experience, criterion, number, tier))
    if problems:
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise RoundError(
            f"{len(problems)} bad row{'s' if len(problems) != 1 else ''} in {source}; nothing was saved:\n"
            + "\n".join(problems[:50])
            + more
        )
    if not rows:
        raise RoundError(f"{source} holds no scores: nothing was saved")
    created = 0
    with store.transaction() as connection:
        found = _open_row(connection, code)
        people = {
            row.identity: row.id
            for row in connection.execute(
                sa.select(round_participants.c.identity, round_participants.c.id).where(
                    round_participants.c.round_id == found.id
                )
            )
        }
        by_person: dict[int, list[tuple[str, str, float | None, str | None]]] = {}
        for name, experience, criterion, number, tier in rows:
            identity = f"name:{name.casefold()}"
            if identity not in people:
                people[identity] = _new_participant(connection, found.id, identity, name)
                created += 1
            by_person.setdefault(people[identity], []).append((experience, criterion, number, tier))
        for person, checked in by_person.items():
            _write(connection, found.id, person, checked)
    return len(rows), created


def scores(
    store: Store,
    found: Round,
    *,
    of: Participant | None = None,
    experiences: Sequence[str] | None = None,
) -> list[Score]:
    """Every score of the round, with its participant's name, in entry order; ``of``:
    one participant's only (their own page reads no one else's); ``experiences``: only
    those experiences' (what is revealed)."""
    query = (
        sa.select(
            round_participants.c.name,
            round_scores.c.experience,
            round_scores.c.criterion,
            round_scores.c.value,
            round_scores.c.tier,
            round_scores.c.updated_at,
            round_scores.c.participant_id,
        )
        .join(round_participants, round_participants.c.id == round_scores.c.participant_id)
        .where(round_scores.c.round_id == found.id)
        .order_by(round_scores.c.id)
    )
    if of is not None:
        query = query.where(round_scores.c.participant_id == of.id)
    if experiences is not None:
        query = query.where(round_scores.c.experience.in_(list(experiences)))
    with store.reading() as connection:
        rows = connection.execute(query).all()
    return [
        Score(n, e, c, value, tier, aware(updated), person) for n, e, c, value, tier, updated, person in rows
    ]


def end_scoring(store: Store, code: str) -> Round:
    """Stop taking scores now (the closing time becomes now), so the results hold still
    while the facilitator reviews them; the round stays open to close."""
    with store.transaction() as connection:
        found = _read_round(connection, code, lock="update")
        if found.closed:
            raise RoundError(f"round {found.code} is closed already")
        if found.scoring_open():
            connection.execute(
                rounds.update().where(rounds.c.id == found.id).values(closes_at=datetime.now(UTC))
            )
    return get_round(store, code)


def reveal(store: Store, code: str, experience: str | None = None) -> Round:
    """Reveal one experience's scores, or (``None``) the whole round's."""
    with store.transaction() as connection:
        found = _read_round(connection, code, lock="update")
        if found.closed:
            raise RoundError(f"round {found.code} is closed: everything in it is revealed and read-only")
        if experience is not None and experience not in found.experiences:
            raise RoundError(f"{quoted(experience)} is not scored in round {found.code}")
        shown = {ALL} if experience is None else set(found.revealed) | {experience}
        connection.execute(
            rounds.update().where(rounds.c.id == found.id).values(revealed=json.dumps(sorted(shown)))
        )
    return get_round(store, code)


# --- summarising ----------------------------------------------------------------------


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """``(q1, median, q3)`` by linear interpolation between the closest ranks, as
    ``numpy.percentile``'s default (computed here: a round has hundreds of small groups,
    where numpy's per-call cost is most of the work)."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(share: float) -> float:
        position = last * share
        low = math.floor(position)
        high = min(low + 1, last)
        return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))

    return at(0.25), at(0.5), at(0.75)


def aggregate(found: Round, rows: Sequence[Score], catalogue: Catalogue | None = None) -> list[Aggregate]:
    """Every experience and criterion with scores, summarised (:class:`Aggregate`); the
    widest disagreement first. ``catalogue`` gives the scales a number's disagreement is
    measured on (the defaults without it)."""
    grouped: dict[tuple[str, str], list[Score]] = {}
    for row in rows:
        if not row.criterion.startswith(WEIGHT):
            grouped.setdefault((row.experience, row.criterion), []).append(row)
    scales = catalogue.scoring.scales.as_dict() if catalogue is not None else None
    order = {e: i for i, e in enumerate(found.experiences)}
    summaries: list[Aggregate] = []
    for (experience, criterion), group in grouped.items():
        kind = found.criteria.get(criterion, NUMBER)
        votes: dict[str, int] = {}
        if kind == TIER:
            tiers = [Tier(r.tier) for r in group if r.tier]
            values = [float(t.strength) for t in tiers]
            counted = Counter(t.value for t in tiers)
            votes = {t.value: counted.get(t.value, 0) for t in Tier}
            width = 3.0
            placed = values
        else:
            values = [float(r.value) for r in group if r.value is not None]
            if kind == JUDGEMENT:
                width, placed = JUDGEMENT_RANGE[1] - JUDGEMENT_RANGE[0], values
            else:
                scale = (scales or DEFAULT_SCALES)[criterion]
                width, placed = 1.0, [position(v, scale) for v in values]
        if not values:
            continue
        q1, median, q3 = quartiles(values)
        s1, _, s3 = quartiles(placed)
        summaries.append(
            Aggregate(
                experience,
                criterion,
                kind,
                len(values),
                median,
                q1,
                q3,
                min(values),
                max(values),
                round((s3 - s1) / width, 6),
                disagreement(placed, width),
                votes,
                tuple(sorted(Counter(values).items())),
            )
        )
    summaries.sort(
        key=lambda a: (
            -a.disagreement,
            order.get(a.experience, len(order)),
            list(CRITERIA).index(a.criterion) if a.criterion in CRITERIA else 99,
        )
    )
    return summaries


def disagreement(values: Sequence[float], width: float) -> float:
    """The standard deviation of ``values`` (the population's: everyone in the room is
    counted) as a share of ``width / 2``, the largest it can be on a range ``width``
    wide; 0 for one value. See :class:`Aggregate`."""
    if len(values) < 2 or width <= 0:
        return 0.0
    return min(1.0, statistics.pstdev(values) / (width / 2))


def criterion_label(criterion: str, kind: str) -> str:
    """A criterion as a heading, with what is asked: ``Reach (customers a year)``,
    ``Depth (1-5)``, ``Ambition``; a fact once asked as a judgement says so."""
    if criterion == AMBITION:
        return "Ambition"
    label = LABELS.get(criterion, criterion)
    if kind == JUDGEMENT:
        return f"{label} (1-5)"
    return f"{label} ({UNITS[criterion]})"


def dot_tables(
    summaries: Sequence[Aggregate], found: Round, catalogue: Catalogue, names: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What :func:`cxprio.outputs.charts.score_dots` draws for ``summaries``, in their order:
    the dots (``label, panel, x, count``: how many gave each value, no names) and the
    marks (``label, panel, axis, median, today``)."""
    scales = catalogue.scoring.scales.as_dict()
    known = {e.id: e for e in catalogue.experiences}
    dots, marks = [], []
    for a in summaries:
        kind = found.criteria.get(a.criterion, a.kind)
        panel = criterion_label(a.criterion, kind)
        label = names.get(a.experience, a.experience)
        experience = known.get(a.experience)
        today: float | None = None
        if a.kind == TIER:
            axis = "tier"
            if experience is not None and experience.ambition is not None:
                today = float(experience.ambition.strength)
        else:
            axis = "judgement" if a.kind == JUDGEMENT else scales[a.criterion].transform.value
            measured = getattr(experience.measures, a.criterion) if experience is not None else None
            if measured is not None and not (a.kind == JUDGEMENT and is_fact(a.criterion)):
                today = float(measured)
        marks.append({"label": label, "panel": panel, "axis": axis, "median": a.median, "today": today})
        dots += [{"label": label, "panel": panel, "x": x, "count": n} for x, n in a.counts]
    return (
        pd.DataFrame(dots, columns=["label", "panel", "x", "count"]),
        pd.DataFrame(marks, columns=["label", "panel", "axis", "median", "today"]).astype(
            {"today": "float64"}
        ),
    )


def by_experience(summaries: Sequence[Aggregate]) -> list[str]:
    """The experiences of ``summaries`` in their order (widest disagreement first)."""
    return list(dict.fromkeys(a.experience for a in summaries))


def position(value: float, scale: Scale) -> float:
    """Where ``value`` lies on ``scale``, from 0 (its minimum) to 1 (its maximum), along
    the logarithms on a log scale; clamped at the ends."""
    if scale.transform is Transform.LOG:
        low, high = math.log(scale.min), math.log(scale.max)
        at = math.log(max(value, scale.min))
    else:
        low, high, at = scale.min, scale.max, value
    return min(1.0, max(0.0, (at - low) / (high - low)))


def proposals(found: Round, summaries: Sequence[Aggregate], catalogue: Catalogue) -> list[Proposal]:
    """What accepting each summary would write into ``catalogue``, where it differs from
    today's value: a number's or a depth judgement's median, or the ambition with the
    most votes. A fact moved more than :data:`IMPLAUSIBLE_RATIO` times either way, or a
    reach above the organisation's customers, is marked ``implausible``. A result that
    proposes nothing says why in ``note``: a tied vote, an experience no longer in the
    catalogue, a fact asked as a 1-5 judgement (by a round opened before facts were
    asked only as numbers; a judgement is never written over a measurement). In the
    summaries' order."""
    known = {e.id: e for e in catalogue.experiences}
    customers = catalogue.organisation.customers
    made: list[Proposal] = []
    for summary in summaries:
        criterion = summary.criterion
        experience = known.get(summary.experience)

        if experience is None:
            made.append(_held(summary, "no longer in the catalogue"))
            continue
        if summary.kind == TIER:
            current = experience.ambition.value if experience.ambition else None
            majority = summary.majority
            if majority is None:
                made.append(_held(summary, "tied vote: decide in the room", current))
            elif majority != current:
                made.append(
                    Proposal(
                        summary.experience,
                        AMBITION,
                        AMBITION,
                        current,
                        majority,
                        summary.n,
                        summary.disagreement,
                        f"{summary.votes[majority]} of {summary.n} votes",
                    )
                )
            continue
        measured = getattr(experience.measures, criterion)
        current_value = None if measured is None else float(measured)
        if summary.kind == JUDGEMENT and is_fact(criterion):
            made.append(
                _held(
                    summary,
                    "asked as a 1-5 judgement, which is never written over a measured fact",
                    current_value,
                )
            )
            continue
        # Six decimals: a median of 0.1 and 0.2 is 0.15, not the 0.15000000000000002 of
        # floating point, in the catalogue as on screen.
        value = round(float(summary.median), 6)
        if value == current_value:
            continue
        made.append(
            Proposal(
                summary.experience,
                criterion,
                f"measures.{criterion}",
                current_value,
                value,
                summary.n,
                summary.disagreement,
                f"median of {summary.n} {'judgement' if summary.kind == JUDGEMENT else 'number'}"
                + ("s" if summary.n != 1 else "")
                + (" (1-5)" if summary.kind == JUDGEMENT else ""),
                implausible(criterion, current_value, value, customers=customers),
            )
        )
    return made


def _held(summary: Aggregate, note: str, current: float | str | None = None) -> Proposal:
    """A result that proposes nothing, and why (``note``)."""
    return Proposal(
        summary.experience, summary.criterion, "", current, None, summary.n, summary.disagreement, note=note
    )


def implausible(criterion: str, current: float | None, proposed: float, *, customers: int | None) -> str:
    """Why a proposed value of a fact is implausible, or empty: more than
    :data:`IMPLAUSIBLE_RATIO` times today's value either way (to or from 0 included), or
    a reach above the organisation's ``customers``."""
    if not is_fact(criterion):
        return ""
    reasons = []
    if current is not None:
        if current == 0 and proposed > 0:
            reasons.append("today's value is 0")
        elif current > 0 and proposed == 0:
            reasons.append("it would fall to 0")
        elif current > 0:
            ratio = proposed / current
            if ratio > IMPLAUSIBLE_RATIO:
                reasons.append(f"{number(float(f'{ratio:.3g}'))} times today's value")
            elif ratio < 1 / IMPLAUSIBLE_RATIO:
                reasons.append(f"{percent(ratio)} of today's value, less than a third")
    if criterion == "reach" and customers is not None and proposed > customers:
        reasons.append(f"more than the organisation's {number(customers)} customers")
    return "; ".join(reasons)


def accepted_catalogue(catalogue: Catalogue, chosen: Sequence[Proposal]) -> Catalogue:
    """``catalogue`` as it would be with ``chosen`` accepted (for :func:`preview`)."""
    updates: dict[str, dict[str, Any]] = {}
    for proposal in chosen:
        if proposal.changes:
            updates.setdefault(proposal.experience, {})[proposal.criterion] = proposal.proposed
    replaced = {}
    for experience in catalogue.experiences:
        changes = updates.get(experience.id)
        if not changes:
            continue
        measures = {m: float(v) for m, v in changes.items() if m in MEASURES and v is not None}
        update: dict[str, Any] = {"measures": experience.measures.model_copy(update=measures)}
        if isinstance(changes.get(AMBITION), str):
            update["ambition"] = Tier(changes[AMBITION])
        replaced[experience.id] = experience.model_copy(update=update)
    return catalogue.replacing(replaced)


def preview(
    catalogue: Catalogue,
    chosen: Sequence[Proposal],
    weights: Mapping[str, float],
    *,
    norm: Normalised | None = None,
) -> pd.DataFrame:
    """How the ranking moves if ``chosen`` are accepted: per experience whose rank or
    priority changes, ``id, name, rank_now, rank_then_accepted, moves, priority_now,
    priority_accepted``; biggest moves first. ``norm``: ``catalogue`` normalised, when
    the caller has it."""
    now = norm or normalise(catalogue)
    after = normalise(accepted_catalogue(catalogue, chosen))
    before_rank, after_rank = ranking(now, weights), ranking(after, weights)
    names = dict(zip(catalogue.columns.id, catalogue.columns.name, strict=True))
    table = pd.DataFrame(
        {
            "id": list(now.ids),
            "name": [names[i] for i in now.ids],
            "rank_now": before_rank.rank,
            "rank_accepted": after_rank.rank,
            "priority_now": before_rank.priority.round(1),
            "priority_accepted": after_rank.priority.round(1),
        }
    )
    table["moves"] = table["rank_now"] - table["rank_accepted"]
    changed = table[(table["moves"] != 0) | (table["priority_now"] != table["priority_accepted"])]
    order = changed["moves"].abs().sort_values(ascending=False, kind="stable").index
    return changed.loc[order].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class WeightsVote:
    """A round's weights vote: the median of each weight (each participant's weights
    taken as shares of their sum), and, for the top 10 under those medians, how many
    participants' own weights keep each experience in their top 10."""

    voters: int
    median: dict[str, float]
    top: pd.DataFrame  # rank, id, name, kept (participants), of (voters)


def weights_vote(
    rows: Sequence[Score], catalogue: Catalogue, *, top: int = 10, norm: Normalised | None = None
) -> WeightsVote | None:
    """The weights vote of a round's scores, ``None`` when nobody has voted. A
    participant's missing weights count as the catalogue's own."""
    defaults = catalogue.scoring.weights.as_dict()
    voted: dict[int, dict[str, float]] = {}
    for row in rows:
        if row.criterion.startswith(WEIGHT) and row.value is not None:
            voted.setdefault(row.participant_id, dict(defaults))[row.criterion.removeprefix(WEIGHT)] = (
                row.value
            )
    shares = []
    for weights in voted.values():
        total = sum(weights.values())
        if total > 0:
            shares.append({m: weights[m] / total for m in MEASURES})
    if not shares:
        return None
    median = {m: round(statistics.median(s[m] for s in shares), 4) for m in MEASURES}
    if not any(median.values()):
        median = {m: 1.0 for m in MEASURES}
    norm = norm or normalise(catalogue)
    count = min(top, len(norm.ids))
    agreed = ranking(norm, median)
    leaders = agreed.order[:count]
    kept = np.zeros(len(norm.ids), dtype=int)
    for weights in shares:
        own = ranking(norm, weights)
        kept[own.order[:count]] += 1
    names = dict(zip(catalogue.columns.id, catalogue.columns.name, strict=True))
    table = pd.DataFrame(
        {
            "rank": np.arange(1, count + 1),
            "id": [norm.ids[i] for i in leaders],
            "name": [names[norm.ids[i]] for i in leaders],
            "kept": kept[leaders],
            "of": len(shares),
        }
    )
    return WeightsVote(len(shares), median, table)


def progress(found: Round, people: Sequence[Participant], rows: Sequence[Score]) -> pd.DataFrame:
    """Per participant, in joining order: ``name, scored, of, share, last``."""
    counted = Counter(r.participant_id for r in rows)
    last: dict[int, datetime] = {}
    for row in rows:
        last[row.participant_id] = max(last.get(row.participant_id, row.updated_at), row.updated_at)
    expected = found.expected()
    return pd.DataFrame(
        {
            "name": [p.name for p in people],
            "scored": [counted.get(p.id, 0) for p in people],
            "of": expected,
            "share": [min(1.0, counted.get(p.id, 0) / expected) if expected else 0.0 for p in people],
            "last": [last.get(p.id) for p in people],
        }
    )


def as_given(score: Score) -> str:
    """A score as people write it: ``410,000``, ``4``, ``Distinct``."""
    if score.tier is not None:
        return score.tier.capitalize()
    return "" if score.value is None else number(score.value)


def extremes(rows: Sequence[Score], summaries: Sequence[Aggregate]) -> pd.DataFrame:
    """Who gave the lowest and the highest score of each summary, for the facilitator's
    own screen (planning poker's convention: the two ends explain first). Per summary,
    in its order, where the scores differ: ``experience, criterion, lowest, low,
    highest, high`` (names joined by commas; the values as given)."""
    by_key: dict[tuple[str, str], list[Score]] = {}
    for row in rows:
        by_key.setdefault((row.experience, row.criterion), []).append(row)
    table = []
    for a in summaries:
        given = [r for r in by_key.get((a.experience, a.criterion), []) if r.value is not None or r.tier]
        if a.kind == TIER:
            strength = {t.value: float(t.strength) for t in Tier}
            placed = [(strength[r.tier], r) for r in given if r.tier]
        else:
            placed = [(float(r.value), r) for r in given if r.value is not None]
        if not placed or a.min == a.max:
            continue
        low, high = min(v for v, _ in placed), max(v for v, _ in placed)
        table.append(
            {
                "experience": a.experience,
                "criterion": a.criterion,
                "lowest": ", ".join(r.participant for v, r in placed if v == low),
                "low": next(as_given(r) for v, r in placed if v == low),
                "highest": ", ".join(r.participant for v, r in placed if v == high),
                "high": next(as_given(r) for v, r in placed if v == high),
            }
        )
    return pd.DataFrame(table, columns=["experience", "criterion", "lowest", "low", "highest", "high"])


@dataclass(frozen=True)
class FacilitatorView:
    """Everything the facilitator's live view shows, read and computed in one go: the
    round, who joined, every score, progress per participant, the revealed summaries
    (widest disagreement first), how the ranking would move if their results were
    accepted, and the weights vote once the whole round is revealed."""

    round: Round
    people: list[Participant]
    rows: list[Score]
    progress: pd.DataFrame
    revealed: list[Aggregate]
    moved: pd.DataFrame
    vote: WeightsVote | None


def facilitator_view(
    store: Store,
    code: str,
    catalogue: Catalogue,
    weights: Mapping[str, float],
    *,
    norm: Normalised | None = None,
) -> FacilitatorView:
    """The live view of round ``code`` (see :class:`FacilitatorView`); what a refresh of
    the projector costs (``bench/bench_workshop.py`` times it). ``norm``: the catalogue
    normalised, when the caller has it (the board does), else it is done here, once."""
    found = get_round(store, code)
    people = participants(store, found)
    rows = scores(store, found)
    revealed = [a for a in aggregate(found, rows, catalogue) if found.is_revealed(a.experience)]
    vote_due = found.weights_vote and found.revealed_all
    if norm is None and (revealed or vote_due):
        norm = normalise(catalogue)
    moved = (
        preview(catalogue, proposals(found, revealed, catalogue), weights, norm=norm)
        if revealed
        else pd.DataFrame()
    )
    vote = weights_vote(rows, catalogue, norm=norm) if vote_due else None
    return FacilitatorView(found, people, rows, progress(found, people, rows), revealed, moved, vote)


def scores_csv(rows: Sequence[Score]) -> str:
    """The raw scores as CSV (:data:`SCORE_COLUMNS` and when each was last changed),
    readable back by :func:`import_scores` once the last column is dropped. A name that a
    spreadsheet would run as a formula is written with a ``'`` before it
    (:func:`cxprio.outputs.exports.csv_text`), which :func:`import_scores` drops."""
    table = pd.DataFrame(
        [
            {
                "participant": r.participant,
                "experience": r.experience,
                "criterion": r.criterion,
                "value": r.shown,
                "updated_at": f"{r.updated_at:%Y-%m-%dT%H:%M:%SZ}",
            }
            for r in rows
        ],
        columns=[*SCORE_COLUMNS, "updated_at"],
    )
    return csv_text(table, index=False)


def rounds_table(listed: Sequence[Round]) -> pd.DataFrame:
    """Rounds as a table: code, title, state, opened (UTC), by, experiences, criteria."""
    return pd.DataFrame(
        [
            {
                "code": r.code,
                "title": r.title,
                "state": r.state(),
                "opened": f"{r.created_at:%Y-%m-%d %H:%M}",
                "by": r.created_by,
                "experiences": len(r.experiences),
                "criteria": ", ".join("Ambition" if c == AMBITION else LABELS.get(c, c) for c in r.criteria),
                "version": "" if r.result_version_id is None else r.result_version_id,
            }
            for r in listed
        ],
        columns=["code", "title", "state", "opened", "by", "experiences", "criteria", "version"],
    )


@dataclass(frozen=True)
class RoundRecord:
    """What a closed round leaves for the record (the workshop pack): the round, how
    many took part, its results widest disagreement first (``results``: experience,
    criterion, n, median, range, disagreement, as people read them), their dots
    (:func:`dot_tables`), and every value it changed in the catalogue (``accepted``:
    experience, what, was, now)."""

    round: Round
    participants: int
    results: pd.DataFrame
    dots: tuple[pd.DataFrame, pd.DataFrame]
    accepted: pd.DataFrame

    @property
    def heading(self) -> str:
        return f"Workshop round {self.round.code}: {self.round.title}"

    def about(self) -> str:
        """Who, when, what was asked, and what it changed, in a sentence."""
        found = self.round
        asked = ", ".join(criterion_label(c, k) for c, k in found.criteria.items())
        closed = f"{found.closed_at:%d %b %Y}" if found.closed_at else "not closed"
        count = len(self.accepted)
        return (
            f"{self.participants} participant{'' if self.participants == 1 else 's'} scored "
            f"{len(found.experiences)} experience{'' if len(found.experiences) == 1 else 's'} on {asked}; "
            f"closed {closed} by {found.closed_by or 'nobody'}: "
            + (
                f"{count} value{'s' if count != 1 else ''} accepted into version {found.result_version_id}."
                if count
                else "no value in the catalogue changed."
            )
        )


def _as_written(value: Any) -> str:
    """A stored value as people write it: ``320,000``, ``0.35``, ``Distinct``; ``none``."""
    if value is None:
        return "none"
    try:
        return number(float(value))
    except (TypeError, ValueError):
        return str(value).capitalize()


RESULT_COLUMNS = ["experience", "criterion", "n", "median", "range", "disagreement"]


def readable_results(
    summaries: Sequence[Aggregate], found: Round, names: Mapping[str, str], *, short: bool = False
) -> pd.DataFrame:
    """The results as people read them, in their order (widest disagreement first):
    the experience's name, the criterion (``short``: its name alone; else with what was
    asked, ``Reach (customers a year)``), how many scored, the median and the range
    written as the catalogue writes numbers (a tier vote: the tier with most votes, and
    the votes), and the disagreement (0 to 1)."""
    rows = []
    for a in summaries:
        if a.kind == TIER:
            median = a.majority.capitalize() if a.majority else "Tied"
            spread = ", ".join(f"{t.capitalize()} {c}" for t, c in a.votes.items() if c)
        else:
            median = number(round(a.median, 6))
            low, high = number(round(a.min, 6)), number(round(a.max, 6))
            spread = low if low == high else f"{low} to {high}"
        label = (
            ("Ambition" if a.criterion == AMBITION else LABELS.get(a.criterion, a.criterion))
            if short
            else criterion_label(a.criterion, found.criteria.get(a.criterion, a.kind))
        )
        rows.append([names.get(a.experience, a.experience), label, a.n, median, spread, a.disagreement])
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def round_record(store: Store, code: str, catalogue: Catalogue) -> RoundRecord:
    """The record of closed round ``code`` (see :class:`RoundRecord`), with names from
    ``catalogue``; a round still open is refused: the record is what the room agreed."""
    found = get_round(store, code)
    if not found.closed:
        raise RoundError(f"round {found.code} is still open: close it first, then its results go in the pack")
    rows = scores(store, found)
    summaries = aggregate(found, rows, catalogue)
    names = {e.id: e.name for e in catalogue.experiences}
    results = readable_results(summaries, found, names).assign(
        disagreement=lambda t: t["disagreement"].map(lambda d: f"{d:.2f}")
    )
    accepted = pd.DataFrame(
        [
            {
                "experience": names.get(a["experience"], a["experience"]),
                "what": field_label(a["field"]),
                "was": _as_written(a["old"]) if "old" in a else "",
                "now": _as_written(a.get("new", a.get("value"))),
            }
            for a in found.changed
        ],
        columns=["experience", "what", "was", "now"],
    )
    people = len({r.participant_id for r in rows})
    return RoundRecord(found, people, results, dot_tables(summaries[:10], found, catalogue, names), accepted)


# --- closing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Closed:
    """A round closed: the round, the version its accepted values made (``None`` when
    nothing was accepted), what was accepted, and the results that proposed nothing
    (with their ``note``)."""

    round: Round
    saved: Saved | None
    accepted: tuple[Proposal, ...]
    skipped: tuple[Proposal, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    """The experiences' names, to say what was accepted in words."""

    @property
    def count(self) -> int:
        """How many values were saved: the new version's audit rows."""
        return len(self.round.accepted)

    def summary(self) -> str:
        """What closing did, in one sentence."""
        if self.saved is None:
            return f"Round {self.round.code} closed; no value in the catalogue changed."
        return (
            f"Round {self.round.code} closed; {self.count} value{'s' if self.count != 1 else ''} "
            f"saved as version {self.saved.version.id}."
        )


class Unconfirmed(RoundError):
    """Accepted results that are implausible (:func:`implausible`) and were not
    confirmed on their own: nothing was saved."""

    def __init__(self, code: str, unconfirmed: Sequence[Proposal]) -> None:
        self.proposals = tuple(unconfirmed)
        listed = "; ".join(f"{p.described(p.experience)} ({p.implausible})" for p in unconfirmed)
        one = len(unconfirmed) == 1
        super().__init__(
            f"round {code}: {len(unconfirmed)} accepted value{'' if one else 's'} "
            f"need{'s its' if one else ' their'} own confirmation, as implausible: {listed}; "
            "nothing was saved"
        )


def chosen_proposals(
    found: Round, offered: Sequence[Proposal], accept: Collection[str] | str
) -> list[Proposal]:
    """The proposals ``accept`` names: ``"all"``, ``"none"``, or a list of experience ids
    (every result of each) and ``experience:criterion`` keys (one result). A name that is
    not in the round is refused (:class:`RoundError`)."""
    changing = [p for p in offered if p.changes]
    if isinstance(accept, str):
        if accept not in ("all", "none"):
            raise RoundError(f"accept 'all', 'none' or a list of experiences, not {quoted(accept)}")
        return changing if accept == "all" else []
    wanted = {a.strip() for a in accept if a.strip()}
    unknown = sorted(
        w
        for w in wanted
        if w.partition(":")[0] not in found.experiences
        or (":" in w and w.partition(":")[2] not in found.criteria)
    )
    if unknown:
        raise RoundError(
            f"not scored in round {found.code}: {', '.join(unknown)} (name an experience, or "
            "experience:criterion such as query-bill:reach)"
        )
    return [p for p in changing if p.experience in wanted or p.key in wanted]


def close_round(
    store: Store,
    code: str,
    *,
    accept: Collection[str] | str,
    author: str,
    confirm: Collection[str] | str = (),
    expected: Mapping[str, float | str] | None = None,
    file: Path | None = None,
    file_sha256: str | None = None,
) -> Closed:
    """Close the round and write the accepted results into the catalogue's latest
    version through the audited save; both land or neither. The version's reason names
    the round, and each changed value notes where it came from (``round ABC234: median
    of 5 numbers``).

    ``accept``: which results, as :func:`chosen_proposals` reads it. Only results that
    differ from today's value are written. An accepted result that is implausible must
    also be in ``confirm`` (its ``experience:criterion`` key, or ``"all"``), else
    :class:`Unconfirmed` and nothing is saved. ``expected``: the values the person
    reviewed, by key; when a late score has moved one since, the close is refused, so
    nothing is written that nobody saw. ``file`` and ``file_sha256``: the catalogue file
    to write back, as :func:`cxprio.store.saving.save_edits` takes them."""
    if not author.strip():
        raise RoundError("say who closes the round: it is recorded")
    _typed(author, "name of who closes the round", limit=PERSON_NAME_LENGTH)
    found = get_round(store, code)
    if found.closed:
        raise RoundError(f"round {found.code} was closed already, at {found.closed_at:%Y-%m-%d %H:%M} UTC")
    # Scoring ends first, in a transaction that waits for every score being written: the
    # results are then read from exactly the scores stored, and a later one is refused
    # rather than kept and not counted. A close refused on the way opens scoring again.
    ending = found.scoring_open()
    if ending:
        end_scoring(store, code)
    try:
        return _close(store, found, accept, author, confirm, expected, file, file_sha256)
    except BaseException:
        if ending:
            _reopen_scoring(store, found)
        raise


def _reopen_scoring(store: Store, found: Round) -> None:
    """Put back the closing time a refused close ended early, unless the round closed."""
    with contextlib.suppress(StoreError), store.transaction() as connection:
        connection.execute(
            rounds.update()
            .where(rounds.c.id == found.id, rounds.c.closed_at.is_(None))
            .values(closes_at=found.closes_at)
        )


def _close(
    store: Store,
    found: Round,
    accept: Collection[str] | str,
    author: str,
    confirm: Collection[str] | str,
    expected: Mapping[str, float | str] | None,
    file: Path | None,
    file_sha256: str | None,
) -> Closed:
    code = found.code
    found = get_round(store, code)  # with scoring ended
    latest = store.latest()
    if latest is None:
        raise StoreError("the store holds no catalogue", "import one first")
    catalogue = store.catalogue(latest.id).catalogue
    offered = proposals(found, aggregate(found, scores(store, found), catalogue), catalogue)
    taken = tuple(chosen_proposals(found, offered, accept))
    confirmed = {p.key for p in taken} if confirm == "all" else set(confirm)
    unconfirmed = [p for p in taken if p.implausible and p.key not in confirmed]
    if unconfirmed:
        raise Unconfirmed(found.code, unconfirmed)
    if expected is not None:
        now = {p.key: p for p in taken}
        moved = [key for key, value in expected.items() if key not in now or now[key].proposed != value]
        if moved:
            raise RoundError(
                f"the results changed since you reviewed them (a late score): {', '.join(sorted(moved))}; "
                "review them again: nothing was saved"
            )
    accepted_keys = {p.experience for p in taken}
    named = (
        set(accept) if not isinstance(accept, str) else set(found.experiences) if accept == "all" else set()
    )
    skipped = tuple(p for p in offered if p.proposed is None and (p.experience in named or p.key in named))
    edits = [Edit(p.experience, p.field, p.proposed, note=f"round {found.code}: {p.source}") for p in taken]

    def mark(connection: Connection, version: Version | None) -> None:
        query = sa.select(rounds.c.closed_at).where(rounds.c.id == found.id)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        if connection.execute(query).scalar() is not None:
            raise RoundError(f"round {found.code} was closed by someone else a moment ago")
        written = (
            connection.execute(
                sa.select(change_rows.c.experience, change_rows.c.field, change_rows.c.old, change_rows.c.new)
                .where(change_rows.c.version_id == version.id)
                .order_by(change_rows.c.id)
            ).all()
            if version is not None
            else []
        )
        connection.execute(
            rounds.update()
            .where(rounds.c.id == found.id)
            .values(
                closed_at=datetime.now(UTC),
                closed_by=author.strip(),
                accepted=json.dumps([row._asdict() for row in written]),
                result_version_id=version.id if version is not None else None,
                revealed=json.dumps([ALL]),
            )
        )

    saved: Saved | None = None
    if edits:
        experiences = len(accepted_keys)
        saved = save_edits(
            store,
            edits,
            started_from=latest.id,
            author=author.strip(),
            rationale=f"workshop round {found.code} ({found.title}): {len(edits)} result"
            f"{'s' if len(edits) != 1 else ''} the room agreed, for {experiences} experience"
            f"{'s' if experiences != 1 else ''}",
            teams={t.id for t in catalogue.teams},
            file=file,
            file_sha256=file_sha256,
            also=mark,
        )
    else:
        with store.transaction() as connection:
            mark(connection, None)
    names = {e.id: e.name for e in catalogue.experiences}
    return Closed(get_round(store, code), saved, taken, skipped, names)


# --- rows to objects ------------------------------------------------------------------


def _round(row: Any) -> Round:
    accepted = json.loads(row.accepted) if row.accepted else []
    return Round(
        id=row.id,
        code=row.code,
        title=row.title,
        version_id=row.version_id,
        created_at=aware(row.created_at),
        created_by=row.created_by,
        experiences=tuple(json.loads(row.experiences)),
        criteria=json.loads(row.criteria),
        weights_vote=bool(row.weights_vote),
        closes_at=aware(row.closes_at) if row.closes_at else None,
        revealed=frozenset(json.loads(row.revealed)),
        closed_at=aware(row.closed_at) if row.closed_at else None,
        closed_by=row.closed_by,
        accepted=tuple(f"{a['experience']}.{a['field']}" for a in accepted),
        result_version_id=row.result_version_id,
        changed=tuple(accepted),
        max_participants=row.max_participants or DEFAULT_MAX_PARTICIPANTS,
    )


def _participant(row: Any) -> Participant:
    return Participant(row.id, row.round_id, row.name, row.identity, row.token, aware(row.joined_at))
