"""Automation needs a way back: an automated step (``automated: true``: a bot, a
self-service flow) should name the team a customer reaches when it fails them
(``fallback``). Each automated step without one is an ``AUTOMATION_NO_FALLBACK`` finding,
the costliest first: its risk is the experience's effective priority at medium severity.
"""

from __future__ import annotations

from collections.abc import Mapping

from cxprio.catalogue.model import Catalogue
from cxprio.method.findings import Finding, Severity, severity_risk


def automation_findings(catalogue: Catalogue, effective: Mapping[str, float]) -> list[Finding]:
    """One ``AUTOMATION_NO_FALLBACK`` per automated step that names no ``fallback`` team;
    ``effective`` maps experience id to its effective priority (0..100)."""
    names = catalogue.team_names()
    findings: list[Finding] = []
    for experience in catalogue.experiences:
        for number, step in enumerate(experience.steps, start=1):
            if not step.automated or step.fallback is not None:
                continue
            carried = f" ({names.get(step.team, step.team)})" if step.team else ""
            findings.append(
                Finding(
                    "AUTOMATION_NO_FALLBACK",
                    Severity.MEDIUM,
                    f"{experience.name}: step {number}, '{step.name}'{carried}, is automated and names no "
                    "team a customer reaches when it fails them",
                    experience=experience.id,
                    teams=(step.team,) if step.team else (),
                    risk=severity_risk(effective.get(experience.id, 0.0), Severity.MEDIUM),
                )
            )
    return findings
