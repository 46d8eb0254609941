"""The catalogue's data model: what a valid ``experiences.yaml`` holds, version 1.

These are frozen pydantic models with ``extra="forbid"``, so a typo in a field name is an
error, not a silently ignored value. Field-level rules live here; rules that span the
catalogue (references between ids, the level hierarchy) live in :mod:`cxprio.catalogue.loading`.
``docs/catalogue.md`` documents every field for the people who write the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from cxprio.catalogue.limits import FUNCTION_LENGTH, MAX_EXPERIENCES, NAME_LENGTH, OUTCOME_LENGTH, UNIT_LENGTH
from cxprio.texts import TEXT_PATTERN

if TYPE_CHECKING:  # numpy is imported when the columns are first asked for
    import numpy as np
    import numpy.typing as npt

MEASURES: tuple[str, ...] = ("reach", "frequency", "depth", "cost", "failure_demand")
"""The five criteria every experience is scored on, in display order."""

CUSTOMER_MEASURES: tuple[str, ...] = ("reach", "frequency", "depth")
BUSINESS_MEASURES: tuple[str, ...] = ("cost", "failure_demand")

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
SLUG = re.compile(SLUG_PATTERN)
"""Ids: lowercase letters, digits, hyphens and underscores, such as ``moving-home``."""

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Level(StrEnum):
    """Where an experience sits: a life event, a multi-stage journey, or a single moment."""

    TRIGGER = "trigger"
    JOURNEY = "journey"
    MOMENT = "moment"


class Tier(StrEnum):
    """The ambition scale, best first."""

    UNIQUE = "unique"
    DISTINCT = "distinct"
    COMPETITIVE = "competitive"
    UNCOMPETITIVE = "uncompetitive"

    @property
    def strength(self) -> int:
        """3 for Unique down to 0 for Uncompetitive, to measure gaps between tiers."""
        return _TIER_STRENGTH[self]

    @property
    def label(self) -> str:
        """The tier as people write it: ``Unique``."""
        return _TIER_LABEL[self]


_TIER_STRENGTH = {Tier.UNIQUE: 3, Tier.DISTINCT: 2, Tier.COMPETITIVE: 1, Tier.UNCOMPETITIVE: 0}
_TIER_LABEL = {tier: tier.value.capitalize() for tier in Tier}


class Transform(StrEnum):
    """How a measure's raw value is mapped onto 0..1 between its scale's min and max."""

    LOG = "log"
    LINEAR = "linear"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    """A fixed anchor for one measure: ``min`` scores 0, ``max`` scores 1."""

    min: Number
    max: Number
    transform: Transform = Transform.LINEAR

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"min ({self.min:g}) must be below max ({self.max:g})")
        if self.transform is Transform.LOG and self.min <= 0:
            raise ValueError(
                f"a log scale needs min above 0 (got {self.min:g}): use transform: linear or a positive min"
            )
        return self


DEFAULT_WEIGHTS: dict[str, float] = {
    "reach": 0.25,
    "frequency": 0.15,
    "depth": 0.25,
    "cost": 0.15,
    "failure_demand": 0.20,
}

DEFAULT_SCALES: dict[str, Scale] = {
    "reach": Scale(min=1_000, max=5_000_000, transform=Transform.LOG),
    "frequency": Scale(min=0.1, max=52, transform=Transform.LOG),
    "depth": Scale(min=1, max=5, transform=Transform.LINEAR),
    "cost": Scale(min=10_000, max=20_000_000, transform=Transform.LOG),
    "failure_demand": Scale(min=0, max=0.6, transform=Transform.LINEAR),
}

NonNegative = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]


class Weights(_Strict):
    """How much each measure counts. Relative: they need not sum to 1."""

    reach: NonNegative = DEFAULT_WEIGHTS["reach"]
    frequency: NonNegative = DEFAULT_WEIGHTS["frequency"]
    depth: NonNegative = DEFAULT_WEIGHTS["depth"]
    cost: NonNegative = DEFAULT_WEIGHTS["cost"]
    failure_demand: NonNegative = DEFAULT_WEIGHTS["failure_demand"]

    @model_validator(mode="after")
    def _not_all_zero(self) -> Weights:
        if not any(self.as_dict().values()):
            raise ValueError("at least one weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {m: float(getattr(self, m)) for m in MEASURES}


class Scales(_Strict):
    """One fixed scale per measure; any left out keeps its default."""

    reach: Scale = DEFAULT_SCALES["reach"]
    frequency: Scale = DEFAULT_SCALES["frequency"]
    depth: Scale = DEFAULT_SCALES["depth"]
    cost: Scale = DEFAULT_SCALES["cost"]
    failure_demand: Scale = DEFAULT_SCALES["failure_demand"]

    @model_validator(mode="before")
    @classmethod
    def _default_transforms(cls, data: Any) -> Any:
        # A scale that gives only min and max keeps its measure's usual transform.
        if isinstance(data, dict):
            data = {
                name: {**spec, "transform": DEFAULT_SCALES[name].transform.value}
                if isinstance(spec, dict) and "transform" not in spec and name in DEFAULT_SCALES
                else spec
                for name, spec in data.items()
            }
        return data

    def as_dict(self) -> dict[str, Scale]:
        return {m: getattr(self, m) for m in MEASURES}


class ScoringConfig(_Strict):
    weights: Weights = Weights()
    scales: Scales = Scales()


Share = Annotated[float, Field(strict=True, ge=0, le=1)]


class TierLimits(_Strict):
    """The most each tier should hold, as a share (0..1) of experiences with an ambition."""

    unique: Share | None = 0.10
    distinct: Share | None = 0.25
    competitive: Share | None = None
    uncompetitive: Share | None = None

    def for_tier(self, tier: Tier) -> float | None:
        value: float | None = getattr(self, tier.value)
        return value


class AmbitionConfig(_Strict):
    limits: TierLimits = TierLimits()


Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
# Free text: no control character (but tabs and line breaks) and no bidirectional control
# (TEXT_PATTERN, checked by pydantic's own regular expressions, in Rust), and no longer
# than its limit; a name is not empty.
Text = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, pattern=TEXT_PATTERN)]
Outcome = Annotated[str, Field(max_length=OUTCOME_LENGTH, pattern=TEXT_PATTERN)]
Function = Annotated[str, Field(max_length=FUNCTION_LENGTH, pattern=TEXT_PATTERN)]
Unit = Annotated[str, Field(max_length=UNIT_LENGTH, pattern=TEXT_PATTERN)]


class Team(_Strict):
    id: Slug
    name: Text
    function: Function | None = None


class Measures(_Strict):
    """Raw measures of one experience; any may be missing (it is then scored without it)."""

    reach: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    frequency: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    depth: Annotated[float, Field(strict=True, ge=1, le=5)] | None = None
    cost: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    failure_demand: Annotated[float, Field(strict=True, ge=0, le=1)] | None = None

    def missing(self) -> tuple[str, ...]:
        return tuple(m for m in MEASURES if getattr(self, m) is None)


Flag = Annotated[bool, Field(strict=True)]
"""``true`` or ``false``, as YAML writes them (not ``yes``, ``1`` or ``"true"``)."""


STEP_TEAMS = ("team", "handoff_owner", "fallback")
"""The fields of a step that name a team."""


class Step(_Strict):
    """One step of an experience, in the order the customer meets it.

    ``personalised``: the step adapts to the customer (rung 4 of the maturity arc,
    :mod:`cxprio.method.maturity`). ``automated``: a machine carries the step (a bot, a
    self-service flow); ``fallback`` names the team a customer reaches when it fails them.
    """

    name: Text
    team: Slug | None = None
    handoff_owner: Slug | None = None
    personalised: Flag = False
    automated: Flag = False
    fallback: Slug | None = None

    def teams(self) -> tuple[str, ...]:
        """Every team the step names (:data:`STEP_TEAMS`), in that order."""
        return tuple(team for key in STEP_TEAMS if (team := getattr(self, key)) is not None)

    @model_validator(mode="after")
    def _fallback_for_automation(self) -> Step:
        if self.fallback is not None and not self.automated:
            raise ValueError(
                "a fallback is the team a customer reaches when an automated step fails them, "
                "and this step is not automated: add automated: true, or take fallback out"
            )
        return self


def _team_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


class Decision(_Strict):
    """A decision about an experience and who holds which RACI role in it.

    ``A`` may name one team or several (several is an ownership finding, not a load
    error); ``R``, ``C`` and ``I`` are lists, a single team id is accepted as a list of one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: Text
    accountable: list[Slug] = Field(default_factory=list, alias="A")
    responsible: list[Slug] = Field(default_factory=list, alias="R")
    consulted: list[Slug] = Field(default_factory=list, alias="C")
    informed: list[Slug] = Field(default_factory=list, alias="I")

    @field_validator("accountable", "responsible", "consulted", "informed", mode="before")
    @classmethod
    def _one_team_is_a_list(cls, value: Any) -> Any:
        return _team_list(value)

    def roles(self) -> dict[str, list[str]]:
        """Role letter -> teams, as written in the catalogue."""
        return {
            "A": self.accountable,
            "R": self.responsible,
            "C": self.consulted,
            "I": self.informed,
        }


class Performance(_Strict):
    """How an experience performs, one measure (the method's step 4, perceive and receive).

    ``kind``: ``perceive`` (what customers feel: effort, satisfaction) or ``receive``
    (what they get: wait time, repeat contacts, drop-out). ``value`` is the usual figure;
    ``worst_tenth`` (the figure for the worst 10 % of experiences) or ``bad_share`` (the
    share of bad experiences, 0-1) says how bad it gets, because an average hides the
    experiences that make customers leave: give one of them. ``better`` says which way
    is good.
    """

    name: Text
    kind: Literal["perceive", "receive"]
    value: Annotated[float, Field(strict=True, allow_inf_nan=False)]
    better: Literal["higher", "lower"]
    worst_tenth: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None
    bad_share: Annotated[float, Field(strict=True, ge=0, le=1)] | None = None
    unit: Unit | None = None
    target: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _how_bad_it_gets(self) -> Performance:
        if (self.worst_tenth is None) == (self.bad_share is None):
            raise ValueError(
                "give worst_tenth (the figure for the worst 10 % of experiences) or bad_share "
                "(the share of bad experiences, 0-1), one of the two: an average alone hides them"
            )
        return self

    def worse_than(self, before: Performance) -> bool:
        """Whether this is worse than ``before`` (the same measure, an earlier quarter):
        the usual figure, or how bad it gets, moved the wrong way."""
        sign = 1.0 if self.better == "higher" else -1.0
        if sign * (self.value - before.value) < 0:
            return True
        if self.bad_share is not None and before.bad_share is not None:
            return self.bad_share > before.bad_share
        if self.worst_tenth is not None and before.worst_tenth is not None:
            return sign * (self.worst_tenth - before.worst_tenth) < 0
        return False


class EvidenceKind(StrEnum):
    """Where a measure's value comes from, most trusted first."""

    MEASURED = "measured"
    ESTIMATED = "estimated"
    GUESS = "guess"

    @property
    def label(self) -> str:
        """As people write it: ``Measured``."""
        return self.value.capitalize()


EVIDENCE_KINDS: tuple[EvidenceKind, ...] = tuple(EvidenceKind)
"""The kinds in order, most trusted first: :attr:`ExperienceColumns.evidence` holds their indexes."""


class Evidence(_Strict):
    """Where each measure's value comes from; a measure left out counts as ``estimated``
    (:data:`EvidenceKind`). How much each kind is trusted: :data:`cxprio.method.scoring.WOBBLE`."""

    reach: EvidenceKind = EvidenceKind.ESTIMATED
    frequency: EvidenceKind = EvidenceKind.ESTIMATED
    depth: EvidenceKind = EvidenceKind.ESTIMATED
    cost: EvidenceKind = EvidenceKind.ESTIMATED
    failure_demand: EvidenceKind = EvidenceKind.ESTIMATED

    def of(self, measure: str) -> EvidenceKind:
        kind: EvidenceKind = getattr(self, measure)
        return kind


class Experience(_Strict):
    """One customer experience. ``matters``: a moment that matters, one that defines how
    customers feel about the organisation (its own findings, :mod:`cxprio.method.moments`)."""

    id: Slug
    name: Text
    level: Level
    parent: Slug | None = None
    outcome: Outcome | None = None
    owner: Slug | None = None
    measures: Measures = Measures()
    evidence: Evidence = Evidence()
    matters: Flag = False
    ambition: Tier | None = None
    current: Tier | None = None
    steps: list[Step] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    performance: list[Performance] = Field(default_factory=list)

    def handoffs(self) -> Iterator[tuple[int, Step, Step]]:
        """Each seam: consecutive steps of two different teams, as ``(index of the later
        step, earlier step, later step)``. A step without a team makes no seam."""
        steps = self.steps
        for index in range(1, len(steps)):
            before, after = steps[index - 1], steps[index]
            if before.team is not None and after.team is not None and before.team != after.team:
                yield index, before, after


@dataclass(frozen=True, eq=False)
class ExperienceColumns:
    """The experiences' fields column by column, in file order, for vectorised scoring.

    Reading a field from ten thousand model objects scattered in memory costs more than
    all the arithmetic of a score; reading them once, when the catalogue is built, makes
    every later score and re-rank cheap. Enum fields hold their plain string values.
    """

    id: list[str]
    name: list[str]
    level: list[str]
    parent: list[str | None]
    owner: list[str | None]
    ambition: list[str | None]
    current: list[str | None]
    measures: npt.NDArray[np.float64]  # n x 5 in MEASURES order, NaN where missing
    evidence: npt.NDArray[np.int8]  # n x 5 in MEASURES order: EVIDENCE_KINDS.index(kind)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExperienceColumns):
            return NotImplemented
        import numpy as np

        texts = ("id", "name", "level", "parent", "owner", "ambition", "current")
        return (
            all(getattr(self, t) == getattr(other, t) for t in texts)
            and np.array_equal(self.measures, other.measures, equal_nan=True)
            and np.array_equal(self.evidence, other.evidence)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable contents: not hashable

    @classmethod
    def of(cls, experiences: list[Experience]) -> ExperienceColumns:
        import numpy as np

        rows = list(map(_ROW, experiences))
        columns: list[list[Any]] = (
            [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(9)]
        )
        measures = np.empty((len(rows), len(MEASURES)), dtype=np.float64)
        for index, name in enumerate(MEASURES):
            measures[:, index] = np.array([getattr(m, name) for m in columns[7]], dtype=np.float64)
        # One tuple of kinds per experience, then one code per kind: no attribute is read twice.
        code = _EVIDENCE_CODE.__getitem__
        kinds = [code(kind) for row in map(_KINDS, columns[8]) for kind in row]
        evidence = np.array(kinds, dtype=np.int8).reshape(len(rows), len(MEASURES))
        plain = _PLAIN.__getitem__
        return cls(
            id=columns[0],
            name=columns[1],
            level=[level.value for level in columns[2]],
            parent=columns[3],
            owner=columns[4],
            ambition=list(map(plain, columns[5])),
            current=list(map(plain, columns[6])),
            measures=measures,
            evidence=evidence,
        )


_ROW = attrgetter("id", "name", "level", "parent", "owner", "ambition", "current", "measures", "evidence")
_KINDS = attrgetter(*MEASURES)
_EVIDENCE_CODE = {kind: code for code, kind in enumerate(EVIDENCE_KINDS)}
_PLAIN: dict[Level | Tier | None, str | None] = {
    None: None,
    **{member: member.value for member in Level},
    **{member: member.value for member in Tier},
}


class Organisation(_Strict):
    """Whose catalogue this is. ``customers``, when given, is how many customers the
    organisation has: no experience can reach more, so a workshop round that proposes a
    larger reach is asked to confirm it (:mod:`cxprio.method.rounds.proposals`)."""

    name: Text
    customers: Annotated[int, Field(strict=True, gt=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _a_name_alone(cls, data: Any) -> Any:
        # ``organisation: Northwind Energy`` is the short form of ``{name: Northwind Energy}``.
        if isinstance(data, str):
            return {"name": data}
        if not isinstance(data, dict):
            raise ValueError(
                "write the organisation's name (organisation: Northwind Energy), or its name and "
                "customer count (organisation: {name: Northwind Energy, customers: 1200000})"
            )
        return data


class Catalogue(_Strict):
    """A whole catalogue: the organisation, its teams and its experiences."""

    version: Literal[1]
    organisation: Organisation
    scoring: ScoringConfig = ScoringConfig()
    ambition: AmbitionConfig = AmbitionConfig()
    teams: list[Team] = Field(default_factory=list)
    experiences: list[Experience] = Field(min_length=1, max_length=MAX_EXPERIENCES)

    _columns: ExperienceColumns | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal when every field is: the columns, made when first asked for, do not count."""
        if not isinstance(other, Catalogue):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = _Strict.__hash__

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Catalogue:
        """A copy, as pydantic's, whose columns are made again from its own experiences."""
        copied = super().model_copy(update=update, deep=deep)
        copied._columns = None
        return copied

    @property
    def columns(self) -> ExperienceColumns:
        """The experiences' fields as columns, in file order (see :class:`ExperienceColumns`),
        made when first asked for: validating a catalogue needs none of them (nor numpy).
        Two threads asking at once may each make them; either result is the same."""
        if self._columns is None:
            self._columns = ExperienceColumns.of(self.experiences)
        return self._columns

    def experience(self, experience_id: str) -> Experience:
        """The experience with this id; ``KeyError`` if there is none."""
        for experience in self.experiences:
            if experience.id == experience_id:
                return experience
        raise KeyError(experience_id)

    def replacing(self, experiences: Mapping[str, Experience]) -> Catalogue:
        """This catalogue with the experiences of these ids replaced, for a what-if (a
        workshop round's medians accepted, say). Not validated again: each replacement
        must be a valid experience, such as ``model_copy`` of one with checked values."""
        listed = [experiences.get(e.id, e) for e in self.experiences]
        return self.model_copy(update={"experiences": listed})

    def team_names(self) -> dict[str, str]:
        return {team.id: team.name for team in self.teams}


FLAGS = frozenset(
    name
    for model in (Experience, Step)
    for name, field in model.model_fields.items()
    if field.annotation is bool
)
"""The catalogue's true-or-false fields (each a :data:`Flag`)."""
