"""Tables the board shows and lets people download, built from the core's results.

Pure pandas (no streamlit), so every table a page draws is tested here and can be
produced headless.
"""

from __future__ import annotations

import functools
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from cxprio.catalogue.model import MEASURES, Catalogue
from cxprio.method.ambition import AmbitionReport
from cxprio.method.findings import Finding
from cxprio.method.maturity import RungCount
from cxprio.method.ownership import OwnershipReport, raci_table, seams_table
from cxprio.method.scoring import Normalised, Scores, format_weights
from cxprio.outputs.exports import csv_text

if TYPE_CHECKING:
    from cxprio.catalogue.audit import AuditRow
    from cxprio.store.snapshots import Snapshot
    from cxprio.store.versions import Version

FINDING_COLUMNS = ["severity", "code", "title", "experience", "teams", "risk", "message", "action"]


def distinct_names(catalogue: Catalogue) -> dict[str, str]:
    """Each experience's name, as a picker lists it: where several share a name, with
    its parent's name and its id ("Bereavement (under Energy, bereavement-7)"), so two
    that read alike are never mistaken for one another."""
    names = {e.id: e.name for e in catalogue.experiences}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    labels: dict[str, str] = {}
    for experience in catalogue.experiences:
        if counts[experience.name] == 1:
            labels[experience.id] = experience.name
            continue
        parent = names.get(experience.parent or "")
        where = f"under {parent}, " if parent else ""
        labels[experience.id] = f"{experience.name} ({where}{experience.id})"
    return labels


def findings_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as rows, in the order given (callers pass them most severe or costly first)."""
    rows = [
        {
            "severity": f.severity.value,
            "code": f.code,
            "title": f.title,
            "experience": f.experience or "",
            "teams": ", ".join(t for t in f.teams if t),
            "risk": round(f.risk, 1),
            "message": f.message,
            "action": f.action,
        }
        for f in findings
    ]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def teams_of(catalogue: Catalogue) -> dict[str, set[str]]:
    """Experience id -> every team involved: owner, step teams, handoff owners, fallback
    teams, RACI."""
    involved: dict[str, set[str]] = {}
    for experience in catalogue.experiences:
        teams = {experience.owner} if experience.owner else set()
        for step in experience.steps:
            teams.update(step.teams())
        for decision in experience.decisions:
            for members in decision.roles().values():
                teams.update(members)
        involved[experience.id] = teams
    return involved


def matching(
    norm: Normalised,
    *,
    levels: Sequence[str] = (),
    team: str | None = None,
    tiers: Sequence[str] = (),
    search: str = "",
) -> npt.NDArray[np.bool_] | None:
    """Which experiences pass the Priorities filters, as a mask over ``norm``'s rows (id
    order); ``None`` when no filter is set, so everything passes at no cost.

    The filters: some levels; one team's experiences (owner, a step's team or handoff
    owner, or any decision role: see :func:`teams_of`); some ambition tiers, ``"none"``
    meaning no ambition; and a case-insensitive search of id, name and outcome. Ranks
    stay those of the whole catalogue.
    """
    text = search.strip().lower()
    if not (levels or team or tiers or text):
        return None
    info = norm.info
    mask = np.ones(len(norm.ids), dtype=bool)
    if levels:
        mask &= info["level"].isin(list(levels)).to_numpy()
    if team:
        involved = teams_of(norm.catalogue)
        mask &= np.fromiter((team in involved[i] for i in norm.ids), dtype=bool, count=len(norm.ids))
    if tiers:
        ambition = info["ambition"]
        wanted = ambition.isin([t for t in tiers if t != "none"]).to_numpy()
        mask &= (wanted | ambition.isna().to_numpy()) if "none" in tiers else wanted
    if text:
        experiences = norm.catalogue.experiences
        mask &= np.fromiter(
            (
                text in f"{e.id} {e.name} {e.outcome or ''}".lower()
                for e in (experiences[index] for index in norm.order.tolist())
            ),
            dtype=bool,
            count=len(norm.ids),
        )
    return mask


def descendants(catalogue: Catalogue, experience_id: str) -> pd.DataFrame:
    """The experience and everything under it (journeys, then their moments), as rows of
    ``id, name, level, depth, parent`` in tree order."""
    children: dict[str | None, list[str]] = {}
    by_id = {e.id: e for e in catalogue.experiences}
    for experience in catalogue.experiences:
        children.setdefault(experience.parent, []).append(experience.id)
    rows: list[dict[str, object]] = []

    def walk(node: str, depth: int) -> None:
        experience = by_id[node]
        rows.append(
            {
                "id": node,
                "name": experience.name,
                "level": experience.level.value,
                "depth": depth,
                "parent": experience.parent,
            }
        )
        if depth < 5:
            for child in children.get(node, []):
                walk(child, depth + 1)

    if experience_id in by_id:
        walk(experience_id, 0)
    return pd.DataFrame(rows, columns=["id", "name", "level", "depth", "parent"])


def tier_table(report: AmbitionReport) -> pd.DataFrame:
    """Tier, count, share and limit, with whether the tier is over its limit."""
    return pd.DataFrame(
        [
            {
                "tier": t.tier.label,
                "count": t.count,
                "share": t.share,
                "limit": t.limit,
                "over_limit": t.over_limit,
            }
            for t in report.tiers
        ],
        columns=["tier", "count", "share", "limit", "over_limit"],
    )


def tier_shares_in_words(tiers: pd.DataFrame) -> pd.DataFrame:
    """:func:`tier_table` as a table people read: counts with thousands separators,
    shares and limits in per cent ("No limit" for none), "Yes" or "No" for over its limit."""
    return pd.DataFrame(
        {
            "Tier": tiers["tier"],
            "Experiences": [f"{c:,}" for c in tiers["count"]],
            "Share": [f"{v:.0%}" for v in tiers["share"]],
            "Limit": ["No limit" if pd.isna(v) else f"{v:.0%}" for v in tiers["limit"]],
            "Over its limit": ["Yes" if v else "No" for v in tiers["over_limit"]],
        }
    )


def graph_layout(graph: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node positions (``team, name, x, y``) and one edge row per team pair and direction
    (``from_team, to_team, x, y, x2, y2, seams, unowned, risk``) for drawing the team graph.

    Teams sit on a circle (readable from the back of a room at 10 to 40 teams), in an
    order that keeps partners near each other: breadth-first from the busiest team, so
    the picture is the same every time.
    """
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((a, b) for a, b in graph.edges() if a != b)
    order: list[str] = []
    for start in sorted(simple.nodes, key=lambda n: (-simple.degree(n), str(n))):
        if start not in order:
            order += [n for n in nx.bfs_tree(simple, start) if n not in order]
    positions = {
        node: (math.sin(2 * math.pi * i / len(order)), math.cos(2 * math.pi * i / len(order)))
        for i, node in enumerate(order)
    }
    nodes = pd.DataFrame(
        [
            {
                "team": n,
                "name": graph.nodes[n].get("name", n),
                "x": float(p[0]),
                "y": float(p[1]),
                "align": "left" if p[0] > 0.05 else "right" if p[0] < -0.05 else "center",
            }
            for n, p in positions.items()
        ],
        columns=["team", "name", "x", "y", "align"],
    )
    pairs: dict[tuple[str, str], list[float]] = {}
    for a, b, data in graph.edges(data=True):
        entry = pairs.setdefault((a, b), [0, 0, 0.0])
        entry[0] += 1
        entry[1] += not data["owned"]
        entry[2] += data["risk"]
    edges = pd.DataFrame(
        [
            {
                "from_team": a,
                "to_team": b,
                "x": float(positions[a][0]),
                "y": float(positions[a][1]),
                "x2": float(positions[b][0]),
                "y2": float(positions[b][1]),
                "seams": int(v[0]),
                "unowned": int(v[1]),
                "risk": float(v[2]),
            }
            for (a, b), v in pairs.items()
            if a != b
        ],
        columns=["from_team", "to_team", "x", "y", "x2", "y2", "seams", "unowned", "risk"],
    )
    return nodes, edges


def priority_bands(points: pd.DataFrame, width: float = 5.0) -> pd.DataFrame:
    """How many experiences sit in each ambition ``tier``, ``level`` and band of ``width``
    priority points: for a chart of more experiences than a screen can show one by one.

    ``points`` has ``tier``, ``level`` and ``priority`` (0-100) columns. Returns ``tier,
    level, low, high, middle, experiences``, one row per band that holds any, a band
    holding ``low <= priority < high`` (the last one 100 too).
    """
    if width <= 0:
        raise ValueError(f"the band width must be above 0, not {width:g}")
    bands = np.minimum(np.floor(points["priority"].to_numpy(dtype=float) / width), math.ceil(100 / width) - 1)
    counted = (
        pd.DataFrame({"tier": points["tier"].to_numpy(), "level": points["level"].to_numpy(), "band": bands})
        .groupby(["tier", "level", "band"], sort=True)
        .size()
        .reset_index(name="experiences")
    )
    low = counted["band"] * width
    return pd.DataFrame(
        {
            "tier": counted["tier"],
            "level": counted["level"],
            "low": low,
            "high": np.minimum(low + width, 100.0),
            "middle": low + np.minimum(width, 100.0 - low) / 2,
            "experiences": counted["experiences"].astype(int),
        }
    )


def weights_table(weights: Mapping[str, float]) -> pd.DataFrame:
    """The weights a ranking used: ``measure, weight``, in the usual order of the measures."""
    return pd.DataFrame(
        [{"measure": m, "weight": float(weights[m])} for m in MEASURES if m in weights],
        columns=["measure", "weight"],
    )


def with_weights(frame: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """A copy of ``frame`` with a last column, ``weights``, saying on every row which weights
    its figures come from (``reach:0.40,frequency:0.10,...``; see
    :func:`cxprio.method.scoring.format_weights`), so a table copied out of its file still says."""
    return frame.assign(weights=format_weights(weights))


def table_makers(
    catalogue: Catalogue, scores: Scores, ambition: AmbitionReport, ownership: OwnershipReport
) -> dict[str, Callable[[], pd.DataFrame]]:
    """What :func:`every_table` returns, with each table built only when its function is
    called: a page can offer every download without building a RACI matrix of millions of
    cells that nobody asked for."""
    weights = dict(scores.weights)
    parts: dict[str, Callable[[], pd.DataFrame]] = {
        "priorities.csv": lambda: scores.table,
        "ambition-tiers.csv": lambda: tier_table(ambition),
        "ambition-findings.csv": lambda: findings_table(ambition.findings),
        "seams.csv": lambda: seams_table(ownership.seams, catalogue.team_names()),
        "ownership-findings.csv": lambda: findings_table(ownership.findings),
        "decision-findings.csv": lambda: findings_table(ownership.decision_findings),
        "raci-matrix.csv": lambda: raci_table(catalogue, ownership.decision_findings),
    }
    makers: dict[str, Callable[[], pd.DataFrame]] = {"weights.csv": lambda: weights_table(weights)}
    for name, part in parts.items():
        makers[name] = functools.partial(_weighted, part, weights)
    return makers


def _weighted(part: Callable[[], pd.DataFrame], weights: Mapping[str, float]) -> pd.DataFrame:
    return with_weights(part(), weights)


def every_table(
    catalogue: Catalogue, scores: Scores, ambition: AmbitionReport, ownership: OwnershipReport
) -> dict[str, pd.DataFrame]:
    """Everything the board shows as tables, by CSV file name, for one weighting:
    the weights, the priorities, the ambition tiers and findings, the seams, the
    ownership and decision findings, and the RACI matrix with each decision's defects.
    Every table but ``weights.csv`` ends with a ``weights`` column (:func:`with_weights`)."""
    return {name: make() for name, make in table_makers(catalogue, scores, ambition, ownership).items()}


# A fixed time stamp: the same tables give the same ZIP, byte for byte.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def tables_zip(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The tables as CSV files (UTF-8, no index; :func:`cxprio.outputs.exports.csv_text`, so no
    text runs as a formula) in one ZIP, in the order given."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, frame in tables.items():
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(entry, csv_text(frame, index=False))
    return archive.getvalue()


VERSION_COLUMNS = [
    "version",
    "parent",
    "created_at",
    "author",
    "origin",
    "source",
    "rationale",
    "sha256",
    "size",
]
AUDIT_COLUMNS = [
    "version",
    "created_at",
    "author",
    "origin",
    "rationale",
    "experience",
    "field",
    "old",
    "new",
    "note",
]


def versions_table(versions: Sequence[Version]) -> pd.DataFrame:
    """The store's versions as rows, oldest first (times in UTC)."""
    rows = [
        [v.id, v.parent_id, v.created_at, v.author, v.origin, v.source, v.rationale, v.sha256, v.size]
        for v in versions
    ]
    table = pd.DataFrame(rows, columns=VERSION_COLUMNS)
    table["parent"] = table["parent"].astype("Int64")
    table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
    return table


def audit_table(rows: Sequence[AuditRow]) -> pd.DataFrame:
    """The audit trail as rows: one per value a version changed, oldest first."""
    table = pd.DataFrame(
        [
            [
                r.version_id,
                r.created_at,
                r.author,
                r.origin,
                r.rationale,
                r.experience,
                r.field,
                r.old,
                r.new,
                r.note,
            ]
            for r in rows
        ],
        columns=AUDIT_COLUMNS,
    )
    table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
    return table


def snapshots_table(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Snapshots as rows, oldest first; ``counts`` is true for the newest of each quarter."""
    newest = {s.quarter: s.id for s in snapshots}
    table = pd.DataFrame(
        [
            [s.quarter, s.generation, s.version_id, s.created_at, s.author, newest[s.quarter] == s.id]
            for s in snapshots
        ],
        columns=["quarter", "generation", "version", "created_at", "author", "counts"],
    )
    table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
    return table


def rung_summary(catalogue: Catalogue, rungs: Sequence[RungCount], named: int) -> pd.DataFrame:
    """One row per rung of the maturity arc (:func:`cxprio.method.maturity.maturity`):
    ``rung``, ``rung_name``, ``meaning``, ``count`` and ``examples``, the names of its first
    ``named`` experiences, with how many more; "No experiences" for an empty rung."""
    names = {e.id: e.name for e in catalogue.experiences}
    rows = []
    for counted in rungs:
        listed = [names[e] for e in counted.experiences[:named]]
        if counted.count > named:
            listed.append(f"and {counted.count - named:,} more")
        rows.append(
            {"rung": counted.rung, "rung_name": counted.name, "meaning": counted.meaning,
             "count": counted.count, "examples": ", ".join(listed) or "No experiences"}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["rung", "rung_name", "meaning", "count", "examples"])
