"""Graphviz DOT text for the team graph and for one experience as swimlanes, written
without graphviz (the board and any DOT viewer draw it)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

import networkx as nx

from cxprio.catalogue.model import Experience
from cxprio.method.ownership.graph import GraphMetrics


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
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f7fa", fontname="Helvetica", fontsize=20];',
        '  edge [fontname="Helvetica", fontsize=16];',
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
        f'  graph [rankdir=LR, fontname="Helvetica", label={_quote(experience.name)}, labelloc=t, fontsize=22];',
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=20];',
        '  edge [fontname="Helvetica", fontsize=16];',
    ]
    for lane_number, (team, indexes) in enumerate(lanes.items()):
        label = names.get(team, team) if team else "No team"
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
