"""Ownership: seams between teams, who owns them, decision rights, and the team graph.

Definitions (``docs/ownership.md`` has a worked example):

* A **seam** is a pair of consecutive steps of one experience whose teams differ. Steps of
  the same team make no seam, a one-step experience has none, and a step without a team
  makes no seam with its neighbours (it is reported as ``STEP_UNASSIGNED`` instead).
* A seam is **owned** when the later step names a ``handoff_owner``. A handoff owner that
  is neither of the two adjacent teams nor the experience's owner is "outside the seam".
* The **effective priority** of an experience is the higher of its own priority and its
  parent's effective priority (a moment under a high-priority journey matters as much as
  the journey). A missing priority counts as 0.
* The **risk** of a seam is that effective priority (0..100) times a severity: unowned
  1.0, owned from outside the seam 0.5, owned from inside 0.
* **Seam coverage** is the share of priority-weighted seams that are owned: the sum of
  effective priority over owned seams divided by the sum over all seams.

The ownership findings also hold the maturity arc's (:mod:`cxprio.method.maturity`),
automation's (:mod:`cxprio.method.automation`) and the moments that matter's
(:mod:`cxprio.method.moments`): each is about who carries an experience.

Every finding carries a risk so that lists can be sorted most costly first: seam findings
carry the seam's risk; other experience and decision findings carry the experience's
effective priority times 1.0 (high), 0.5 (medium) or 0.25 (low severity); team findings
carry none.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from cxprio.catalogue.model import Catalogue
from cxprio.method.automation import automation_findings
from cxprio.method.findings import Finding, sort_findings
from cxprio.method.maturity import maturity_findings
from cxprio.method.moments import moment_findings
from cxprio.method.ownership.decisions import (
    DEFAULT_MAX_CONSULTED,
    RACI_KEYS,
    FoundDecision,
    accountability_load,
    decision_defects,
    decision_findings,
    decision_matrix,
    find_decisions,
    raci_table,
    raci_teams,
    select_decisions,
)
from cxprio.method.ownership.dot import swimlane_dot, team_graph_dot
from cxprio.method.ownership.graph import (
    BETWEENNESS_SAMPLE,
    EXACT_BETWEENNESS_LIMIT,
    GraphMetrics,
    graph_metrics,
    riskiest_teams,
    team_findings,
    team_graph,
)
from cxprio.method.ownership.seams import (
    OUTSIDE_SEVERITY,
    UNOWNED_SEVERITY,
    Handoffs,
    Seam,
    effective_priorities,
    experience_findings,
    filter_seams,
    find_seams,
    priority_sources,
    seam_coverage,
    seams_table,
    team_pair_risk,
)

__all__ = [
    "BETWEENNESS_SAMPLE",
    "DEFAULT_MAX_CONSULTED",
    "EXACT_BETWEENNESS_LIMIT",
    "OUTSIDE_SEVERITY",
    "RACI_KEYS",
    "UNOWNED_SEVERITY",
    "FoundDecision",
    "GraphMetrics",
    "Handoffs",
    "OwnershipReport",
    "Seam",
    "accountability_load",
    "analyse_ownership",
    "decision_defects",
    "decision_findings",
    "decision_matrix",
    "effective_priorities",
    "experience_findings",
    "filter_findings",
    "filter_seams",
    "find_decisions",
    "find_seams",
    "graph_metrics",
    "priority_sources",
    "raci_table",
    "raci_teams",
    "riskiest_teams",
    "seam_coverage",
    "seams_table",
    "select_decisions",
    "sort_findings",
    "swimlane_dot",
    "team_findings",
    "team_graph",
    "team_graph_dot",
    "team_pair_risk",
]


@dataclass(frozen=True)
class OwnershipReport:
    """Seams, coverage, findings (most costly first) and the team graph with its metrics."""

    seams: list[Seam]
    coverage: float | None
    findings: list[Finding]  # experience and team findings
    decision_findings: list[Finding]
    graph: nx.MultiDiGraph
    seed: int = 0  # for the sampled betweenness of a large graph

    @functools.cached_property
    def metrics(self) -> GraphMetrics:
        """:func:`graph_metrics` of the team graph, computed when first asked for: the
        betweenness of 300 teams takes 0.3-0.6 s, which a quarter's snapshot, say, does
        not need."""
        return graph_metrics(self.graph, seed=self.seed)

    @property
    def all_findings(self) -> list[Finding]:
        return sort_findings([*self.findings, *self.decision_findings])


def analyse_ownership(
    catalogue: Catalogue,
    priorities: Mapping[str, float],
    *,
    max_consulted: int = DEFAULT_MAX_CONSULTED,
    seed: int = 0,
) -> OwnershipReport:
    """Seams, coverage, every ownership and decision-rights finding, and the team graph
    (its metrics are computed when first asked for: :attr:`OwnershipReport.metrics`).

    ``priorities`` maps experience id to priority (0..100), as in the ``priority`` column
    of :func:`cxprio.method.scoring.score`'s table.
    """
    sources = priority_sources(catalogue, priorities)  # once, for the seams and the findings
    effective = {experience: priority for experience, (priority, _) in sources.items()}
    seams = find_seams(catalogue, priorities, sources)
    graph = team_graph(catalogue, seams)
    moment = moment_findings(catalogue, effective)
    unowned_moments = {f.experience for f in moment if f.code == "MOMENT_NO_OWNER"}
    findings = [
        f
        for f in experience_findings(catalogue, seams, effective)
        if not (f.code == "E2E_OWNER_MISSING" and f.experience in unowned_moments)  # said sharper
    ]
    findings += moment + maturity_findings(catalogue, effective) + automation_findings(catalogue, effective)
    return OwnershipReport(
        seams=seams,
        coverage=seam_coverage(seams),
        findings=sort_findings(findings + team_findings(catalogue)),
        decision_findings=sort_findings(decision_findings(catalogue, effective, max_consulted=max_consulted)),
        graph=graph,
        seed=seed,
    )


def filter_findings(
    findings: Iterable[Finding], *, team: str | None = None, experience: str | None = None
) -> list[Finding]:
    """The findings about ``experience`` and involving ``team`` (``None`` keeps all)."""
    return [
        f
        for f in findings
        if (experience is None or f.experience == experience) and (team is None or team in f.teams)
    ]
