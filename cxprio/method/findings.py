"""Findings: what the board tells people to look at, each with a code and a severity.

The code is for machines (JSON, CSV, tests); people read a finding's plain
:attr:`Finding.title` and its one-line :attr:`Finding.action` ("what to do"), both from
:data:`KINDS`, and its message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How urgently a finding needs a decision: high first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def order(self) -> int:
        """0 for high, 1 for medium, 2 for low: sorts the most severe first."""
        return _SEVERITY_ORDER[self]


_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass(frozen=True, slots=True)
class Kind:
    """What people read for one finding code: a plain title and what to do about it."""

    title: str
    action: str


KINDS: dict[str, Kind] = {
    # ambition (cxprio.method.ambition)
    "TIER_OVER_LIMIT": Kind("Too many in one tier", "Move the weakest cases down a tier."),
    "NO_UNCOMPETITIVE": Kind(
        "Nothing chosen as Uncompetitive", "Choose where it is fine to be less good than competitors."
    ),
    "UNCOMPETITIVE_HIGH_PRIORITY": Kind(
        "High priority, chosen Uncompetitive", "Confirm the choice or raise the ambition."
    ),
    "UNIQUE_LOW_PRIORITY": Kind("Low priority, aiming to be Unique", "Check this is where only you can win."),
    "AMBITION_MISSING": Kind("No ambition chosen", "Choose Unique, Distinct, Competitive or Uncompetitive."),
    "UNDER_DELIVERING": Kind("Below its ambition", "Make the case to invest, or lower the ambition."),
    "OVER_DELIVERING": Kind("Above its ambition", "Look for savings: spending here buys little."),
    # evidence (cxprio.method.evidence)
    "GUESSED_TOP": Kind("Top priority on guesses", "Measure the guessed values before the room commits."),
    # seams and ownership (cxprio.method.ownership)
    "SEAM_UNOWNED": Kind("Handoff nobody owns", "Name a team to own the handoff."),
    "SEAM_OWNER_OUTSIDE": Kind(
        "Handoff owned from outside", "Give the handoff to one of its two teams or the experience's owner."
    ),
    "E2E_OWNER_MISSING": Kind("No end-to-end owner", "Name the team accountable for the whole experience."),
    "STEP_UNASSIGNED": Kind("Step without a team", "Name the team that carries the step."),
    "PING_PONG": Kind("Customer handed back", "Let one team carry this part of the experience."),
    "ORPHAN_TEAM": Kind("Team with no role", "Give the team a role or take it out of the catalogue."),
    "ACCOUNTABILITY_OVERLOAD": Kind("Team decides too much", "Delegate some of its decisions."),
    # the maturity arc, automation and moments that matter (cxprio.method.maturity,
    # cxprio.method.automation, cxprio.method.moments)
    "PERSONALISED_TOO_SOON": Kind(
        "Personalised before the handoffs work", "Own every handoff first; then personalise."
    ),
    "AUTOMATION_NO_FALLBACK": Kind(
        "Automated step with no way back", "Name the team a customer reaches when it fails them."
    ),
    "MOMENT_NO_OWNER": Kind("Moment that matters, owned by nobody", "Name the team accountable end to end."),
    "MOMENT_NOT_PERCEIVED": Kind(
        "Moment that matters, feeling unmeasured", "Add a perceive measure: how it feels to customers."
    ),
    "MOMENT_UNCOMPETITIVE": Kind(
        "Moment that matters, set Uncompetitive", "Raise the ambition, or say why it does not matter."
    ),
    # decision rights (cxprio.method.ownership.decisions)
    "NO_ACCOUNTABLE": Kind("Nobody decides", "Name exactly one Accountable team."),
    "MANY_ACCOUNTABLE": Kind("More than one team decides", "Keep one Accountable team."),
    "NO_RESPONSIBLE": Kind("Nobody does the work", "Name a Responsible team."),
    "TOO_MANY_CONSULTED": Kind("Too many consulted", "Consult only those whose input changes the decision."),
    "ROLE_CONFLICT": Kind("Two roles for one team", "Give each team one role in the decision."),
    "SILENT_CROSS_TEAM": Kind("Teams not kept informed", "Consult or inform the teams the decision touches."),
    "OWNER_WITHOUT_AUTHORITY": Kind(
        "Owner without decision rights", "Make the owner Accountable for the decisions that shape it."
    ),
    # quarter on quarter (cxprio.method.compare)
    "PERFORMANCE_WORSENED": Kind("Got worse while aiming high", "Find out why before the next quarter."),
}
"""Every finding code's plain title and "what to do"; a test keeps it complete."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the board found. ``experience`` is ``None`` for portfolio-wide findings."""

    code: str
    severity: Severity
    message: str
    experience: str | None = None
    teams: tuple[str, ...] = field(default_factory=tuple)
    risk: float = 0.0
    decision: str | None = None  # the decision's name, for decision-rights findings

    @property
    def title(self) -> str:
        """The plain title people read (the code itself only for a code :data:`KINDS`
        does not know, which a test forbids)."""
        kind = KINDS.get(self.code)
        return kind.title if kind else self.code

    @property
    def action(self) -> str:
        """What to do about it, in one line."""
        kind = KINDS.get(self.code)
        return kind.action if kind else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "title": self.title,
            "severity": self.severity.value,
            "experience": self.experience,
            "teams": list(self.teams),
            "risk": round(self.risk, 3),
            "decision": self.decision,
            "message": self.message,
        }


_SEVERITY_WEIGHT = {Severity.HIGH: 1.0, Severity.MEDIUM: 0.5, Severity.LOW: 0.25}


def severity_risk(priority: float, severity: Severity) -> float:
    """The risk of a finding about an experience of ``priority`` (0..100): the priority
    times 1.0 (high), 0.5 (medium) or 0.25 (low severity)."""
    return priority * _SEVERITY_WEIGHT[severity]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most costly first: by risk, then severity, code, experience and teams."""
    return sorted(findings, key=lambda f: (-f.risk, f.severity.order, f.code, f.experience or "", f.teams))
