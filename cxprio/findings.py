"""Findings: what the board tells people to look at, each with a code and a severity."""

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
class Finding:
    """One thing the board found. ``experience`` is ``None`` for portfolio-wide findings."""

    code: str
    severity: Severity
    message: str
    experience: str | None = None
    teams: tuple[str, ...] = field(default_factory=tuple)
    risk: float = 0.0
    decision: str | None = None  # the decision's name, for decision-rights findings

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
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
