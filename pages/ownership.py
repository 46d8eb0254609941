"""Ownership & seams: coverage, the team graph, the seams most likely to lose customers."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from board import open_page
from board.charts import readable
from board.show import csv_download, pick_experience, plain, rows_drawn_note, show_findings
from cxprio.method.ownership import filter_seams, seams_table, swimlane_dot, team_pair_risk
from cxprio.outputs import charts
from cxprio.outputs.tables import graph_layout

GRAPH_LIMIT = 40  # teams; above this the heatmap carries the picture
SEAMS_LISTED = 100  # seams in the wrapping table; the download has them all


def seam_priority(priority: float, parent: object, own: object) -> str:
    """A seam's priority in words, and whose it is when a parent's is higher."""
    if not isinstance(parent, str):
        return f"{priority:.0f}"
    mine = f"its own {own:.0f}" if isinstance(own, float) and own == own else "none of its own"  # NaN: none
    return f"{priority:.0f}, from {plain(parent)} ({mine})"


board = open_page("Ownership & seams")
catalogue = board.catalogue
with st.spinner("Finding seams and measuring the team graph…"):
    report = board.ownership()
names = catalogue.team_names()

st.title("Ownership & seams")
st.caption(
    "A seam is a handoff between two teams inside one experience. Unowned seams are where "
    "customers repeat themselves and fall through the gaps: someone has to own them."
)

unowned = [s for s in report.seams if not s.owned]
metrics = st.columns(4)
metrics[0].metric(
    "Seam coverage",
    "–" if report.coverage is None else f"{report.coverage:.0%}",
    help="Share of seams that have a handoff owner, weighted by the priority of their experience",
)
metrics[1].metric("Seams", f"{len(report.seams):,}")
metrics[2].metric("Unowned seams", f"{len(unowned):,}")
metrics[3].metric(
    "Single points of failure",
    len(report.metrics.articulation_points),
    help="Teams whose loss would split the graph of handoffs in two (articulation points)",
)

# The answer first: the handoffs nobody owns that cost most, with their teams.
COSTLIEST = 5
st.subheader("The costliest unowned seams")
if unowned:
    worst = sorted(unowned, key=lambda s: -s.risk)[:COSTLIEST]
    st.table(
        pd.DataFrame(
            {
                "Experience": [plain(s.experience_name) for s in worst],
                "From team": [plain(names.get(s.from_team, s.from_team)) for s in worst],
                "To team": [plain(names.get(s.to_team, s.to_team)) for s in worst],
                "Into step": [plain(s.to_step) for s in worst],
                "Risk": [f"{s.risk:.0f}" for s in worst],
            }
        ),
        hide_index=True,
    )
    if len(unowned) > COSTLIEST:
        st.caption(f"{COSTLIEST} of {len(unowned):,}: every seam is under *All seams*.")
else:
    st.success("Every handoff between teams has an owner.")

seams_tab, graph_tab, heat_tab, bottleneck_tab, findings_tab, lanes_tab = st.tabs(
    ["All seams", "Team graph", "Risk between teams", "Bottleneck teams", "Findings", "Swimlanes"]
)
pairs = team_pair_risk(report.seams)
with graph_tab:
    st.subheader("Who hands customers to whom")
    teams_in_graph = report.graph.number_of_nodes()
    if 0 < teams_in_graph <= GRAPH_LIMIT:
        nodes, edges = graph_layout(report.graph)
        nodes = nodes.merge(
            report.metrics.teams[["team", "betweenness", "unowned_seams", "articulation_point"]], on="team"
        )
        edges = edges.assign(state=edges["unowned"].map(lambda n: "has unowned seams" if n else "all owned"))
        lines = (
            alt.Chart(edges)
            .mark_rule(opacity=0.7)
            .encode(
                x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-2.2, 2.2])),
                y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.15])),
                x2="x2:Q",
                y2="y2:Q",
                strokeWidth=alt.StrokeWidth("risk:Q", scale=alt.Scale(range=[1, 8]), legend=None),
                color=alt.Color(
                    "state:N",
                    title="Handoffs",
                    scale=alt.Scale(domain=["all owned", "has unowned seams"], range=["#94a3b8", "#dc2626"]),
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("from_team:N", title="From"),
                    alt.Tooltip("to_team:N", title="To"),
                    alt.Tooltip("seams:Q", title="Seams"),
                    alt.Tooltip("unowned:Q", title="Unowned"),
                    alt.Tooltip("risk:Q", title="Risk", format=".0f"),
                ],
            )
        )
        dots = (
            alt.Chart(nodes)
            .mark_circle(stroke="#1f2937", strokeWidth=1)
            .encode(
                x="x:Q",
                y="y:Q",
                size=alt.Size("betweenness:Q", scale=alt.Scale(range=[150, 1400]), legend=None),
                color=alt.condition("datum.articulation_point", alt.value("#f59e0b"), alt.value("#1f4e79")),
                tooltip=[
                    alt.Tooltip("name:N", title="Team"),
                    alt.Tooltip("betweenness:Q", title="Betweenness", format=".2f"),
                    alt.Tooltip("unowned_seams:Q", title="Unowned seams"),
                    alt.Tooltip("articulation_point:N", title="Single point of failure"),
                ],
            )
        )
        labels = alt.layer(
            *[
                alt.Chart(nodes[nodes["align"] == side])
                .mark_text(
                    align=side,
                    dx={"left": 14, "right": -14, "center": 0}[side],
                    dy=0 if side != "center" else -16,
                    fontSize=15,
                )
                .encode(x="x:Q", y="y:Q", text="name:N")
                for side in ("left", "right", "center")
            ]
        )
        st.altair_chart(
            readable(
                (lines + dots + labels).properties(
                    title="Dot size: bottleneck score; orange: single point of failure", height=600
                )
            ).configure_view(stroke=None),
            width="stretch",
        )
    elif teams_in_graph:
        st.info(f"{teams_in_graph} teams are too many to draw legibly; the heatmap shows the same seams.")

with heat_tab:
    # Every team named; above 30 teams the chart keeps the riskiest, and its title says so.
    heat = pairs.assign(from_name=pairs["from_team"].map(names), to_name=pairs["to_team"].map(names))
    heatmap = charts.seam_heatmap(heat)
    st.altair_chart(readable(heatmap), width="stretch")
    csv_download(
        "Download team-pair risk (CSV)", pairs, "team-pair-risk.csv", "download_pairs", board.weights
    )

with seams_tab:
    filters = st.columns([2, 3, 2])
    team_labels = board.prepared.team_labels
    team = filters[0].selectbox(
        "Team", list(team_labels), format_func=team_labels.__getitem__, key="seam_team"
    )
    # Experiences with seams, riskiest first; then those with steps of one team only.
    with_seams = list(dict.fromkeys(s.experience for s in report.seams))
    with_steps = list(
        dict.fromkeys([*with_seams, *(e.id for e in catalogue.experiences if len(e.steps) > 1)])
    )
    experience = pick_experience(
        filters[1],
        "Experience",
        with_seams,
        board.prepared.label_of,
        "seam_experience",
        everything="All experiences",
    )
    unowned_only = filters[2].toggle("Unowned only", key="seam_unowned_only")
    seams = filter_seams(report.seams, team=team, experience=experience, unowned_only=unowned_only)
    table = seams_table(seams, names)
    listed = table.head(SEAMS_LISTED)  # worded for these only: a large catalogue has thousands
    # A table that wraps: every name whole on a projector; the download has every seam.
    st.table(
        pd.DataFrame(
            {
                "Experience": listed["experience_name"].map(plain),
                "From team": listed["from_team_name"].map(plain),
                "To team": listed["to_team_name"].map(plain),
                "Into step": listed["to_step"].map(plain),
                "Handoff owner": [
                    plain(names.get(owner, owner)) if isinstance(owner, str) else "Nobody"
                    for owner in listed["handoff_owner"]
                ],
                # A seam takes its parent's priority when that is higher: say whose.
                "Seam priority": [
                    seam_priority(priority, parent, own)
                    for priority, parent, own in zip(
                        listed["priority"], listed["priority_from"], listed["own_priority"], strict=True
                    )
                ],
                "Risk": [f"{r:.0f}" for r in listed["risk"]],
            }
        ),
        hide_index=True,
    )
    rows_drawn_note(SEAMS_LISTED, len(table), "matching seams, riskiest first")
    csv_download("Download these seams (CSV)", table, "seams.csv", "download_seams", board.weights)

with bottleneck_tab:
    st.caption(
        "Betweenness: how many routes between other teams run through this team "
        "(unweighted). " + " ".join(report.metrics.notes)
    )
    bottlenecks = report.metrics.teams.head(15)
    st.table(
        pd.DataFrame(
            {
                "Team": bottlenecks["name"].map(plain),
                "Betweenness": [f"{v:.2f}" for v in bottlenecks["betweenness"]],
                "Partner teams": bottlenecks["partners"].map("{:,}".format),
                "Seams in": bottlenecks["seams_in"].map("{:,}".format),
                "Seams out": bottlenecks["seams_out"].map("{:,}".format),
                "Unowned": bottlenecks["unowned_seams"].map("{:,}".format),
                "Single point of failure": ["Yes" if v else "No" for v in bottlenecks["articulation_point"]],
            }
        ),
        hide_index=True,
    )

with findings_tab:
    show_findings(
        board, report.findings, ["severity", "title", "experience", "teams", "risk", "message"], "ownership"
    )

with lanes_tab:
    if with_steps:
        chosen = pick_experience(st, "Experience", with_steps, board.prepared.label_of, "swimlane_experience")
        if chosen is not None:
            st.caption(
                "One lane per team; every arrow that crosses lanes is a seam, red and dashed where nobody owns it."
            )
            st.graphviz_chart(swimlane_dot(catalogue.experience(chosen), names), width="stretch")
    else:
        st.info("No experience has more than one step.")

st.caption(f"Catalogue: {plain(Path(board.loaded.source).name)}")
