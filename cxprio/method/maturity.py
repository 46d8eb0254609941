"""The maturity arc: how far an experience has come from siloed touchpoints to
predictive personalisation, computed from the catalogue alone.

An experience with steps sits on one rung:

1. **Siloed touchpoints**: a step has no team, or the experience has no end-to-end owner;
2. **Mapped journey**: every step has a team and the experience has an end-to-end owner;
3. **Coordinated handoffs**: as 2, and every seam (consecutive steps of different teams)
   names a ``handoff_owner``;
4. **Predictive personalisation**: as 3, and a step is ``personalised: true``.

An experience without steps is on no rung: nothing says how it is delivered. The classic
mistake is to reach for rung 4 before rung 3: personalising while the customer still falls
between teams. Each such experience is a ``PERSONALISED_TOO_SOON`` finding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cxprio.catalogue.model import Catalogue, Experience
from cxprio.method.findings import Finding, Severity, severity_risk


def by_priority(priorities: Mapping[str, float], experience: str) -> tuple[bool, float]:
    """A sort key, highest priority first: one with no priority (missing or NaN, an
    experience with no weighted measure) after every one with a priority."""
    priority = priorities.get(experience)
    unknown = priority is None or math.isnan(priority)
    return unknown, 0.0 if unknown else -float(priority)  # type: ignore[arg-type]


RUNGS: dict[int, str] = {
    1: "Siloed touchpoints",
    2: "Mapped journey",
    3: "Coordinated handoffs",
    4: "Predictive personalisation",
}
"""Each rung's name, as people read it."""

RUNG_MEANINGS: dict[int, str] = {
    1: "a step has no team, or nobody owns the whole experience",
    2: "every step has a team and the experience has an end-to-end owner",
    3: "as a mapped journey, and every handoff between teams is owned",
    4: "handoffs owned, and a step adapts to the customer",
}
"""What each rung means, in one line."""

COORDINATED = 3
"""The rung below which personalising is reaching too far."""


def _seams_owned(experience: Experience) -> bool:
    """Whether every seam names an owner (an owner from outside the seam still owns it)."""
    return all(later.handoff_owner is not None for _, _, later in experience.handoffs())


def rung(experience: Experience) -> int | None:
    """The experience's rung of the maturity arc (1-4), or ``None`` when it has no steps."""
    steps = experience.steps
    if not steps:
        return None
    if experience.owner is None or any(step.team is None for step in steps):
        return 1
    if not _seams_owned(experience):
        return 2
    return 4 if any(step.personalised for step in steps) else 3


@dataclass(frozen=True, slots=True)
class RungCount:
    """One rung and the experiences on it, highest priority first."""

    rung: int
    name: str
    meaning: str
    experiences: tuple[str, ...]  # ids

    @property
    def count(self) -> int:
        return len(self.experiences)


def maturity(catalogue: Catalogue, priorities: Mapping[str, float] | None = None) -> list[RungCount]:
    """Every rung, 1 to 4, with the experiences on it: highest ``priorities`` first when
    given (one without a priority last), else in file order. Experiences without steps
    are left out: :func:`without_steps` counts them."""
    on: dict[int, list[Experience]] = {number: [] for number in RUNGS}
    for experience in catalogue.experiences:
        number = rung(experience)
        if number is not None:
            on[number].append(experience)
    if priorities is not None:
        for listed in on.values():
            listed.sort(key=lambda e: by_priority(priorities, e.id))
    return [
        RungCount(number, RUNGS[number], RUNG_MEANINGS[number], tuple(e.id for e in on[number]))
        for number in RUNGS
    ]


def without_steps(catalogue: Catalogue) -> int:
    """How many experiences have no steps, and so no rung."""
    return sum(1 for experience in catalogue.experiences if not experience.steps)


def maturity_findings(catalogue: Catalogue, effective: Mapping[str, float]) -> list[Finding]:
    """A ``PERSONALISED_TOO_SOON`` finding for each experience with a ``personalised``
    step below rung 3, naming the steps; high severity, as a seam nobody owns is."""
    findings: list[Finding] = []
    for experience in catalogue.experiences:
        personalised = [step.name for step in experience.steps if step.personalised]
        number = rung(experience)
        if not personalised or number is None or number >= COORDINATED:
            continue
        missing = (
            "not every step has a team and an end-to-end owner"
            if number == 1
            else "not every handoff between its teams is owned"
        )
        findings.append(
            Finding(
                "PERSONALISED_TOO_SOON",
                Severity.HIGH,
                f"{experience.name} personalises {_steps_words(personalised)} while {missing} "
                f"(rung {number}, {RUNGS[number].lower()}): own the handoffs first",
                experience=experience.id,
                risk=severity_risk(effective.get(experience.id, 0.0), Severity.HIGH),
            )
        )
    return findings


def _steps_words(names: Iterable[str]) -> str:
    listed = [f"'{name}'" for name in names]
    if len(listed) == 1:
        return f"the step {listed[0]}"
    return "the steps " + ", ".join(listed[:-1]) + " and " + listed[-1]
