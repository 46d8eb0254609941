"""Moments that matter: experiences marked ``matters: true`` because they define how
customers feel about the organisation. Such a moment needs someone accountable for it end
to end, a measure of how it feels (a ``perceive`` measure among its ``performance``), and
an ambition above Uncompetitive. Each one missing is a finding:

* ``MOMENT_NO_OWNER`` (high): no end-to-end owner. It stands in for
  ``E2E_OWNER_MISSING`` on such an experience, which would say the same less sharply;
* ``MOMENT_NOT_PERCEIVED`` (medium): no ``perceive`` measure;
* ``MOMENT_UNCOMPETITIVE`` (high): its ambition is Uncompetitive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cxprio.catalogue.model import Catalogue, Experience, Performance, Tier
from cxprio.method.findings import Finding, Severity, severity_risk
from cxprio.method.maturity import by_priority
from cxprio.units import number, percent


def moment_findings(catalogue: Catalogue, effective: Mapping[str, float]) -> list[Finding]:
    """The findings about every moment that matters; ``effective`` maps experience id to
    its effective priority (0..100), from which each finding's risk comes."""
    findings: list[Finding] = []
    for experience in catalogue.experiences:
        if not experience.matters:
            continue
        priority = effective.get(experience.id, 0.0)

        def found(
            code: str,
            severity: Severity,
            message: str,
            e: Experience = experience,
            priority: float = priority,
        ) -> Finding:
            return Finding(
                code,
                severity,
                f"{e.name} is a moment that matters, {message}",
                experience=e.id,
                risk=severity_risk(priority, severity),
            )

        if experience.owner is None:
            findings.append(
                found(
                    "MOMENT_NO_OWNER",
                    Severity.HIGH,
                    "and nobody owns it end to end: name the accountable team",
                )
            )
        if not any(measure.kind == "perceive" for measure in experience.performance):
            findings.append(
                found(
                    "MOMENT_NOT_PERCEIVED",
                    Severity.MEDIUM,
                    "and nothing measures how it feels to customers: add a perceive measure",
                )
            )
        if experience.ambition is Tier.UNCOMPETITIVE:
            findings.append(
                found(
                    "MOMENT_UNCOMPETITIVE",
                    Severity.HIGH,
                    "yet its ambition is Uncompetitive: raise it, or say why it does not matter",
                )
            )
    return findings


def _shortfall(measure: Performance) -> float:
    """How far the measure's figure is short of its target, relative to the target (below
    0 when it is beyond it); 0 without a target: not known to be short, nor to be fine."""
    if measure.target is None:
        return 0.0
    gap = measure.target - measure.value if measure.better == "higher" else measure.value - measure.target
    return gap / abs(measure.target) if measure.target else gap


def worst_perceived(experience: Experience) -> Performance | None:
    """The experience's ``perceive`` measure furthest short of its target (relative to the
    target); one without a target counts as neither short nor beyond it, so it comes
    before one that meets its target; the first listed of equals. ``None`` when it has none."""
    perceived = [m for m in experience.performance if m.kind == "perceive"]
    if not perceived:
        return None
    return max(perceived, key=_shortfall)  # max keeps the first of equals


def perceived_words(measure: Performance | None) -> str:
    """A perceive measure's figures in words: ``Customer effort 3.1 (score 1-5): worst
    tenth 4.4, target 2.5``; a share as a percentage (``Understood the bill first time 62%:
    21% bad, target 80%``); ``Not measured`` for none."""
    if measure is None:
        return "Not measured"
    share = measure.unit == "share"

    def figure(value: float) -> str:
        return percent(value) if share else number(value)

    unit = f" ({measure.unit})" if measure.unit and not share else ""
    details = (
        [f"worst tenth {figure(measure.worst_tenth)}"]
        if measure.worst_tenth is not None
        else [f"{percent(measure.bad_share or 0.0)} bad"]
    )
    if measure.target is not None:
        details.append(f"target {figure(measure.target)}")
    return f"{measure.name} {figure(measure.value)}{unit}: {', '.join(details)}"


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment that matters as the Overview lists it."""

    experience: str  # id
    name: str
    owner: str | None  # team id
    ambition: Tier | None
    perceived: Performance | None  # the worst perceive measure


def moments(catalogue: Catalogue, priorities: Mapping[str, float] | None = None) -> list[Moment]:
    """Every moment that matters, highest ``priorities`` first when given (one without a
    priority last), else in file order."""
    listed = [e for e in catalogue.experiences if e.matters]
    if priorities is not None:
        listed.sort(key=lambda e: by_priority(priorities, e.id))
    return [Moment(e.id, e.name, e.owner, e.ambition, worst_perceived(e)) for e in listed]
