"""The team graph: teams as nodes, one edge per seam; what it says about coordination,
bottlenecks and fragility, and the findings about teams themselves."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from cxprio.catalogue.model import Catalogue
from cxprio.method.findings import Finding, Severity
from cxprio.method.ownership.seams import Seam

EXACT_BETWEENNESS_LIMIT = 1000
"""Above this many teams, betweenness is estimated from a seeded sample of source teams."""
BETWEENNESS_SAMPLE = 100
OVERLOAD_MIN_DECISIONS = 3
OVERLOAD_FACTOR = 2.0


def team_graph(catalogue: Catalogue, seams: Iterable[Seam]) -> nx.MultiDiGraph:
    """Teams as nodes; one edge per seam, from the earlier step's team to the later's."""
    graph = nx.MultiDiGraph()
    for team in catalogue.teams:
        graph.add_node(team.id, name=team.name, function=team.function or "")
    for seam in seams:
        graph.add_edge(
            seam.from_team,
            seam.to_team,
            experience=seam.experience,
            risk=seam.risk,
            owned=seam.owned,
            handoff_owner=seam.handoff_owner,
        )
    return graph


@dataclass(frozen=True)
class GraphMetrics:
    """What the team graph says about coordination, bottlenecks and fragility."""

    teams: pd.DataFrame  # one row per team: partners, seams_in, seams_out, unowned, betweenness, ...
    articulation_points: tuple[str, ...]
    bridges: tuple[tuple[str, str], ...]
    isolated: tuple[str, ...]
    approximate_betweenness: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def graph_metrics(graph: nx.MultiDiGraph, *, seed: int = 0) -> GraphMetrics:
    """Coordination load, betweenness, articulation points, bridges and isolated teams.

    Betweenness is computed on the undirected graph of team pairs, unweighted: networkx
    reads an edge weight as a distance, so passing risk would make risky links look
    *short*. Above ``EXACT_BETWEENNESS_LIMIT`` teams it is estimated from
    ``BETWEENNESS_SAMPLE`` source teams drawn with ``seed`` (deterministic).
    """
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((a, b) for a, b in graph.edges() if a != b)
    approximate = simple.number_of_nodes() > EXACT_BETWEENNESS_LIMIT
    if approximate:
        betweenness = nx.betweenness_centrality(simple, k=BETWEENNESS_SAMPLE, seed=seed, normalized=True)
    else:
        betweenness = nx.betweenness_centrality(simple, normalized=True)
    articulation = set(nx.articulation_points(simple))
    bridges = tuple(sorted(tuple(sorted(edge)) for edge in nx.bridges(simple)))

    seams_in: Counter[str] = Counter()
    seams_out: Counter[str] = Counter()
    unowned: Counter[str] = Counter()
    risk: Counter[str] = Counter()
    for a, b, data in graph.edges(data=True):
        seams_out[a] += 1
        seams_in[b] += 1
        for team in {a, b}:
            risk[team] += data["risk"]
            if not data["owned"]:
                unowned[team] += 1
    rows = [
        {
            "team": node,
            "name": graph.nodes[node].get("name", node),
            "partners": simple.degree(node),
            "seams_in": seams_in[node],
            "seams_out": seams_out[node],
            "unowned_seams": unowned[node],
            "risk": risk[node],
            "betweenness": betweenness.get(node, 0.0),
            "articulation_point": node in articulation,
            "isolated": simple.degree(node) == 0,
        }
        for node in graph.nodes
    ]
    columns = [
        "team", "name", "partners", "seams_in", "seams_out", "unowned_seams", "risk",
        "betweenness", "articulation_point", "isolated",
    ]  # fmt: skip
    teams = pd.DataFrame(rows, columns=columns)
    teams = teams.sort_values(["betweenness", "team"], ascending=[False, True]).reset_index(drop=True)
    notes = (
        (f"betweenness estimated from {BETWEENNESS_SAMPLE} sampled teams (seed {seed})",)
        if approximate
        else ()
    )
    return GraphMetrics(
        teams=teams,
        articulation_points=tuple(sorted(articulation)),
        bridges=bridges,
        isolated=tuple(sorted(n for n in simple.nodes if simple.degree(n) == 0)),
        approximate_betweenness=approximate,
        notes=notes,
    )


def riskiest_teams(metrics: GraphMetrics, limit: int) -> list[str]:
    """The ``limit`` teams with the most summed seam risk (from or to them), most first
    (ties by id), leaving out teams that take part in no seam."""
    teams = metrics.teams[(metrics.teams["seams_in"] + metrics.teams["seams_out"]) > 0]
    ranked = teams.sort_values(["risk", "team"], ascending=[False, True])
    return [str(team) for team in ranked["team"].head(limit)]


def team_findings(catalogue: Catalogue) -> list[Finding]:
    """``ORPHAN_TEAM`` and ``ACCOUNTABILITY_OVERLOAD``.

    A team is an orphan when it carries no step, owns no seam (as handoff owner), owns no
    experience, is no automated step's fallback, and is Accountable or Responsible for no
    decision. A team is overloaded
    when it is Accountable for at least 3 decisions and for more than twice the median
    count of the teams that are Accountable for any.
    """
    owning: set[str] = set()
    accountable: Counter[str] = Counter()
    for experience in catalogue.experiences:
        if experience.owner:
            owning.add(experience.owner)
        for step in experience.steps:
            owning.update(step.teams())
        for decision in experience.decisions:
            owning.update(decision.accountable)
            owning.update(decision.responsible)
            accountable.update(set(decision.accountable))
    findings = [
        Finding(
            "ORPHAN_TEAM",
            Severity.LOW,
            f"{team.name} carries no step, owns no seam, experience or decision: give it a role "
            "or remove it from the catalogue",
            teams=(team.id,),
        )
        for team in catalogue.teams
        if team.id not in owning
    ]
    if accountable:
        median = statistics.median(accountable.values())
        for team_id, count in sorted(accountable.items()):
            if count >= OVERLOAD_MIN_DECISIONS and count > OVERLOAD_FACTOR * median:
                findings.append(
                    Finding(
                        "ACCOUNTABILITY_OVERLOAD",
                        Severity.MEDIUM,
                        f"{catalogue.team_names().get(team_id, team_id)} is Accountable for {count} "
                        f"decisions, more than twice the median ({median:g}): a bottleneck for "
                        "decisions; delegate some",
                        teams=(team_id,),
                    )
                )
    return findings
