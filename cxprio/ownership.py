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

Every finding carries a risk so that lists can be sorted most costly first: seam findings
carry the seam's risk; other experience and decision findings carry the experience's
effective priority times 1.0 (high), 0.5 (medium) or 0.25 (low severity); team findings
carry none.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import networkx as nx
import pandas as pd

from .findings import Finding, Severity
from .model import Catalogue, Experience, Level

UNOWNED_SEVERITY = 1.0
OUTSIDE_SEVERITY = 0.5
DEFAULT_MAX_CONSULTED = 4
EXACT_BETWEENNESS_LIMIT = 1000
"""Above this many teams, betweenness is estimated from a seeded sample of source teams."""
BETWEENNESS_SAMPLE = 100
OVERLOAD_MIN_DECISIONS = 3
OVERLOAD_FACTOR = 2.0

_SEVERITY_WEIGHT = {Severity.HIGH: 1.0, Severity.MEDIUM: 0.5, Severity.LOW: 0.25}


@dataclass(frozen=True, slots=True)
class Seam:
    """One handoff between two consecutive steps owned by different teams."""

    experience: str
    experience_name: str
    step: int  # index of the later step
    from_step: str
    to_step: str
    from_team: str
    to_team: str
    handoff_owner: str | None
    owned: bool
    outside: bool
    priority: float
    risk: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "experience": self.experience,
            "from_step": self.from_step,
            "to_step": self.to_step,
            "from_team": self.from_team,
            "to_team": self.to_team,
            "handoff_owner": self.handoff_owner,
            "owned": self.owned,
            "outside": self.outside,
            "priority": round(self.priority, 2),
            "risk": round(self.risk, 2),
        }


def effective_priorities(catalogue: Catalogue, priorities: Mapping[str, float]) -> dict[str, float]:
    """Each experience's priority, raised to its parent's effective priority where higher."""
    by_id = {e.id: e for e in catalogue.experiences}
    result: dict[str, float] = {}

    def resolve(experience_id: str, depth: int = 0) -> float:
        if experience_id in result:
            return result[experience_id]
        value = priorities.get(experience_id, 0.0)
        own = 0.0 if value is None or math.isnan(value) else float(value)
        parent = by_id[experience_id].parent
        # Loading guarantees a tree of at most three levels; the depth guard is belt and braces.
        if parent is not None and parent in by_id and depth < 10:
            own = max(own, resolve(parent, depth + 1))
        result[experience_id] = own
        return own

    for experience_id in by_id:
        resolve(experience_id)
    return result


def find_seams(catalogue: Catalogue, priorities: Mapping[str, float]) -> list[Seam]:
    """Every seam of every experience, with its ownership and risk, most risky first."""
    effective = effective_priorities(catalogue, priorities)
    seams = []
    for experience in catalogue.experiences:
        priority = effective[experience.id]
        steps = experience.steps
        for index in range(1, len(steps)):
            before, after = steps[index - 1], steps[index]
            if before.team is None or after.team is None or before.team == after.team:
                continue
            owner = after.handoff_owner
            outside = owner is not None and owner not in (before.team, after.team, experience.owner)
            severity = UNOWNED_SEVERITY if owner is None else OUTSIDE_SEVERITY if outside else 0.0
            seams.append(
                Seam(
                    experience=experience.id,
                    experience_name=experience.name,
                    step=index,
                    from_step=before.name,
                    to_step=after.name,
                    from_team=before.team,
                    to_team=after.team,
                    handoff_owner=owner,
                    owned=owner is not None,
                    outside=outside,
                    priority=priority,
                    risk=priority * severity,
                )
            )
    seams.sort(key=lambda s: (-s.risk, s.experience, s.step))
    return seams


def seam_coverage(seams: Iterable[Seam]) -> float | None:
    """Share of priority-weighted seams that are owned (0..1); ``None`` when there are none.

    Seams of experiences with priority 0 count as one unit each, so a catalogue with no
    priorities still gets a plain share of owned seams.
    """
    seams = list(seams)
    if not seams:
        return None
    total = sum(s.priority for s in seams)
    if total <= 0:
        return sum(s.owned for s in seams) / len(seams)
    return sum(s.priority for s in seams if s.owned) / total


def seams_table(seams: Iterable[Seam], team_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The seams as a table for display and CSV, most risky first."""
    names = team_names or {}
    rows = [
        {
            "experience": s.experience,
            "experience_name": s.experience_name,
            "from_step": s.from_step,
            "to_step": s.to_step,
            "from_team": s.from_team,
            "to_team": s.to_team,
            "from_team_name": names.get(s.from_team, s.from_team),
            "to_team_name": names.get(s.to_team, s.to_team),
            "handoff_owner": s.handoff_owner,
            "owned": s.owned,
            "outside": s.outside,
            "priority": s.priority,
            "risk": s.risk,
        }
        for s in seams
    ]
    columns = [
        "experience", "experience_name", "from_step", "to_step", "from_team", "to_team",
        "from_team_name", "to_team_name", "handoff_owner", "owned", "outside", "priority", "risk",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def team_pair_risk(seams: Iterable[Seam]) -> pd.DataFrame:
    """Summed seam risk per (from team, to team) pair, with seam counts, most risky first."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0, 0])
    for seam in seams:
        entry = totals[(seam.from_team, seam.to_team)]
        entry[0] += seam.risk
        entry[1] += 1
        entry[2] += not seam.owned
    rows = [
        {"from_team": a, "to_team": b, "risk": v[0], "seams": int(v[1]), "unowned": int(v[2])}
        for (a, b), v in totals.items()
    ]
    table = pd.DataFrame(rows, columns=["from_team", "to_team", "risk", "seams", "unowned"])
    return table.sort_values(["risk", "from_team", "to_team"], ascending=[False, True, True]).reset_index(
        drop=True
    )


# --- findings ----------------------------------------------------------------------------


def _risk(priority: float, severity: Severity) -> float:
    return priority * _SEVERITY_WEIGHT[severity]


def experience_findings(
    catalogue: Catalogue, seams: Iterable[Seam], effective: Mapping[str, float]
) -> list[Finding]:
    """``E2E_OWNER_MISSING``, ``SEAM_UNOWNED``, ``SEAM_OWNER_OUTSIDE``, ``STEP_UNASSIGNED``
    and ``PING_PONG`` findings."""
    findings: list[Finding] = []
    for seam in seams:
        if not seam.owned:
            findings.append(
                Finding(
                    "SEAM_UNOWNED",
                    Severity.HIGH,
                    f"{seam.experience_name}: nobody owns the handoff from {seam.from_team} "
                    f"({seam.from_step}) to {seam.to_team} ({seam.to_step}); name a handoff_owner",
                    experience=seam.experience,
                    teams=(seam.from_team, seam.to_team),
                    risk=seam.risk,
                )
            )
        elif seam.outside:
            findings.append(
                Finding(
                    "SEAM_OWNER_OUTSIDE",
                    Severity.MEDIUM,
                    f"{seam.experience_name}: the handoff from {seam.from_team} to {seam.to_team} "
                    f"is owned by {seam.handoff_owner}, which is in neither team nor owns the "
                    "experience",
                    experience=seam.experience,
                    teams=(seam.from_team, seam.to_team, seam.handoff_owner or ""),
                    risk=seam.risk,
                )
            )
    for experience in catalogue.experiences:
        priority = effective[experience.id]
        if experience.owner is None and experience.level in (Level.TRIGGER, Level.JOURNEY):
            findings.append(
                Finding(
                    "E2E_OWNER_MISSING",
                    Severity.HIGH,
                    f"{experience.name} ({experience.level.value}) has no end-to-end owner: "
                    "name the team accountable for the whole experience",
                    experience=experience.id,
                    risk=_risk(priority, Severity.HIGH),
                )
            )
        for index, step in enumerate(experience.steps):
            if step.team is None:
                findings.append(
                    Finding(
                        "STEP_UNASSIGNED",
                        Severity.MEDIUM,
                        f"{experience.name}: step {index + 1} ({step.name}) has no team",
                        experience=experience.id,
                        risk=_risk(priority, Severity.MEDIUM),
                    )
                )
        findings += _ping_pong(experience, priority)
    return findings


def _ping_pong(experience: Experience, priority: float) -> Iterator[Finding]:
    # Collapse runs of one team, then look for A -> B -> A.
    runs: list[str] = []
    for step in experience.steps:
        if step.team is not None and (not runs or runs[-1] != step.team):
            runs.append(step.team)
    for first, middle, last in zip(runs, runs[1:], runs[2:], strict=False):
        if first == last:
            yield Finding(
                "PING_PONG",
                Severity.MEDIUM,
                f"{experience.name}: the customer is handed from {first} to {middle} and back "
                f"to {first}; can one team carry this part?",
                experience=experience.id,
                teams=(first, middle),
                risk=_risk(priority, Severity.MEDIUM),
            )


def decision_findings(
    catalogue: Catalogue,
    effective: Mapping[str, float],
    *,
    max_consulted: int = DEFAULT_MAX_CONSULTED,
) -> list[Finding]:
    """RACI findings per decision, and ``OWNER_WITHOUT_AUTHORITY`` per experience."""
    findings: list[Finding] = []
    for experience in catalogue.experiences:
        priority = effective[experience.id]

        finding = partial(_experience_finding, experience.id, priority)
        for decision in experience.decisions:
            what = f"{experience.name}: '{decision.name}'"
            about = partial(finding, decision=decision.name)
            accountable = decision.accountable
            if not accountable:
                findings.append(
                    about(
                        "NO_ACCOUNTABLE", Severity.HIGH, f"{what} has no Accountable team: name exactly one"
                    )
                )
            elif len(set(accountable)) > 1:
                findings.append(
                    about(
                        "MANY_ACCOUNTABLE",
                        Severity.HIGH,
                        f"{what} has {len(set(accountable))} Accountable teams "
                        f"({', '.join(accountable)}): exactly one team must decide",
                        accountable,
                    )
                )
            if not decision.responsible:
                findings.append(
                    about("NO_RESPONSIBLE", Severity.MEDIUM, f"{what} has no Responsible team to do the work")
                )
            if len(set(decision.consulted)) > max_consulted:
                findings.append(
                    about(
                        "TOO_MANY_CONSULTED",
                        Severity.LOW,
                        f"{what} consults {len(set(decision.consulted))} teams (more than "
                        f"{max_consulted}): keep Consulted to those whose input changes the decision",
                        decision.consulted,
                    )
                )
            conflicted = sorted(set(accountable) & (set(decision.consulted) | set(decision.informed)))
            if conflicted:
                findings.append(
                    about(
                        "ROLE_CONFLICT",
                        Severity.MEDIUM,
                        f"{what}: {', '.join(conflicted)} is both Accountable and Consulted or "
                        "Informed; one role per team",
                        conflicted,
                    )
                )
            involved = set(accountable) | set(decision.responsible)
            if len(involved) > 1 and not decision.consulted and not decision.informed:
                findings.append(
                    about(
                        "SILENT_CROSS_TEAM",
                        Severity.LOW,
                        f"{what} involves {len(involved)} teams but consults and informs nobody",
                        sorted(involved),
                    )
                )
        if (
            experience.owner is not None
            and experience.decisions
            and not any(experience.owner in d.accountable for d in experience.decisions)
        ):
            findings.append(
                finding(
                    "OWNER_WITHOUT_AUTHORITY",
                    Severity.MEDIUM,
                    f"{experience.name} is owned by {experience.owner}, which is Accountable for "
                    "none of its decisions: ownership without decision rights",
                    [experience.owner],
                )
            )
    return findings


def _experience_finding(
    experience: str,
    priority: float,
    code: str,
    severity: Severity,
    message: str,
    teams: Iterable[str] = (),
    decision: str | None = None,
) -> Finding:
    return Finding(
        code,
        severity,
        message,
        experience=experience,
        teams=tuple(teams),
        risk=_risk(priority, severity),
        decision=decision,
    )


def accountability_load(catalogue: Catalogue) -> pd.DataFrame:
    """Per team: decisions on which it is A, R, C and I, most Accountable first."""
    counts: dict[str, Counter[str]] = {team.id: Counter() for team in catalogue.teams}
    for experience in catalogue.experiences:
        for decision in experience.decisions:
            for letter, teams in decision.roles().items():
                for team in set(teams):
                    counts.setdefault(team, Counter())[letter] += 1
    names = catalogue.team_names()
    rows = [
        {"team": t, "name": names.get(t, t), "A": c["A"], "R": c["R"], "C": c["C"], "I": c["I"]}
        for t, c in counts.items()
    ]
    table = pd.DataFrame(rows, columns=["team", "name", "A", "R", "C", "I"])
    return table.sort_values(["A", "team"], ascending=[False, True]).reset_index(drop=True)


def team_findings(catalogue: Catalogue) -> list[Finding]:
    """``ORPHAN_TEAM`` and ``ACCOUNTABILITY_OVERLOAD``.

    A team is an orphan when it carries no step, owns no seam (as handoff owner), owns no
    experience, and is Accountable or Responsible for no decision. A team is overloaded
    when it is Accountable for at least 3 decisions and for more than twice the median
    count of the teams that are Accountable for any.
    """
    owning: set[str] = set()
    accountable: Counter[str] = Counter()
    for experience in catalogue.experiences:
        if experience.owner:
            owning.add(experience.owner)
        for step in experience.steps:
            owning.update(t for t in (step.team, step.handoff_owner) if t)
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


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most costly first: by risk, then severity, code and experience."""
    return sorted(findings, key=lambda f: (-f.risk, f.severity.order, f.code, f.experience or "", f.teams))


def decision_matrix(catalogue: Catalogue) -> pd.DataFrame:
    """Decision x team: the role letters each team holds (``""`` for none).

    One row per decision, indexed by ``experience`` and ``decision``; one column per team
    that holds any role, in catalogue order. A team holding several roles shows them all
    (``"AC"``), which is itself a finding.
    """
    team_order = [t.id for t in catalogue.teams]
    rows = []
    index = []
    used: set[str] = set()
    for experience in catalogue.experiences:
        for decision in experience.decisions:
            roles: dict[str, str] = defaultdict(str)
            for letter, teams in decision.roles().items():
                for team in dict.fromkeys(teams):
                    roles[team] += letter
            used.update(roles)
            rows.append(dict(roles))
            index.append((experience.id, decision.name))
    columns = [t for t in team_order if t in used] + sorted(used - set(team_order))
    frame = pd.DataFrame(rows, columns=columns).fillna("")
    frame.index = pd.MultiIndex.from_tuples(index, names=["experience", "decision"]) if index else frame.index
    return frame


# --- the team graph ----------------------------------------------------------------------


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


# --- DOT ---------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and newlines escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_ID = re.compile(r"[^A-Za-z0-9_]")


def team_graph_dot(graph: nx.MultiDiGraph, metrics: GraphMetrics | None = None) -> str:
    """The team graph as Graphviz DOT text (no graphviz needed to produce it).

    Seams between the same two teams are drawn as one edge per direction and ownership
    state, labelled with their count; width grows with summed risk; unowned edges are red
    and dashed; articulation-point teams are drawn with a double, orange border.
    """
    articulation = set(metrics.articulation_points if metrics else nx.articulation_points(nx.Graph(graph)))
    grouped: dict[tuple[str, str, bool], list[float]] = defaultdict(lambda: [0.0, 0])
    for a, b, data in graph.edges(data=True):
        entry = grouped[(a, b, bool(data["owned"]))]
        entry[0] += data["risk"]
        entry[1] += 1
    top = max((v[0] for v in grouped.values()), default=0.0) or 1.0
    lines = [
        "digraph teams {",
        '  graph [rankdir=LR, fontname="Helvetica", overlap=false, splines=true];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f7fa", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node, data in graph.nodes(data=True):
        attributes = [f"label={_quote(str(data.get('name', node)))}"]
        if node in articulation:
            attributes += ["peripheries=2", 'color="#d97706"', "penwidth=2"]
        lines.append(f"  {_quote(str(node))} [{', '.join(attributes)}];")
    for (a, b, owned), (risk, count) in sorted(grouped.items()):
        width = 1.0 + 5.0 * risk / top
        attributes = [
            f"penwidth={width:.2f}",
            f"label={_quote(f'{count} seam' + ('s' if count != 1 else ''))}",
        ]
        attributes += (
            ['color="#6b7280"'] if owned else ['color="#dc2626"', "style=dashed", 'fontcolor="#dc2626"']
        )
        lines.append(f"  {_quote(a)} -> {_quote(b)} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def swimlane_dot(experience: Experience, team_names: Mapping[str, str] | None = None) -> str:
    """One experience as swimlanes: a cluster per team, steps in order, seams marked.

    Every edge that crosses a cluster boundary is a seam: red and dashed when unowned,
    labelled with its handoff owner when owned.
    """
    names = team_names or {}
    lanes: dict[str, list[int]] = defaultdict(list)
    for index, step in enumerate(experience.steps):
        lanes[step.team or ""].append(index)
    lines = [
        f"digraph {_quote(experience.id)} {{",
        f'  graph [rankdir=LR, fontname="Helvetica", label={_quote(experience.name)}, labelloc=t];',
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for lane_number, (team, indexes) in enumerate(lanes.items()):
        label = names.get(team, team) if team else "(no team)"
        lines.append(f"  subgraph cluster_{lane_number}_{_ID.sub('_', team) or 'unassigned'} {{")
        lines.append(
            f'    label={_quote(label)}; style="rounded,filled"; fillcolor="#eef2f7"; color="#cbd5e1";'
        )
        for index in indexes:
            lines.append(f"    s{index} [label={_quote(f'{index + 1}. {experience.steps[index].name}')}];")
        lines.append("  }")
    for index in range(1, len(experience.steps)):
        before, after = experience.steps[index - 1], experience.steps[index]
        if before.team is not None and after.team is not None and before.team != after.team:
            if after.handoff_owner is None:
                attributes = (
                    'color="#dc2626", style=dashed, penwidth=2, label="unowned seam", fontcolor="#dc2626"'
                )
            else:
                owner = names.get(after.handoff_owner, after.handoff_owner)
                attributes = f'color="#2563eb", penwidth=2, label={_quote("owned by " + owner)}'
        else:
            attributes = 'color="#6b7280"'
        lines.append(f"  s{index - 1} -> s{index} [{attributes}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- everything at once ------------------------------------------------------------------


@dataclass(frozen=True)
class OwnershipReport:
    """Seams, coverage, findings (most costly first) and the team graph with its metrics."""

    seams: list[Seam]
    coverage: float | None
    findings: list[Finding]  # experience and team findings
    decision_findings: list[Finding]
    graph: nx.MultiDiGraph
    metrics: GraphMetrics

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
    """Seams, coverage, every ownership and decision-rights finding, and graph metrics.

    ``priorities`` maps experience id to priority (0..100), as in the ``priority`` column
    of :func:`cxprio.scoring.score`'s table.
    """
    effective = effective_priorities(catalogue, priorities)
    seams = find_seams(catalogue, priorities)
    graph = team_graph(catalogue, seams)
    return OwnershipReport(
        seams=seams,
        coverage=seam_coverage(seams),
        findings=sort_findings(experience_findings(catalogue, seams, effective) + team_findings(catalogue)),
        decision_findings=sort_findings(decision_findings(catalogue, effective, max_consulted=max_consulted)),
        graph=graph,
        metrics=graph_metrics(graph, seed=seed),
    )
