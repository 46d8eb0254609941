"""Ownership & seams: coverage, the team graph, the seams most likely to lose customers."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from board import open_page
from board import seams as seam_tables
from board.charts import readable
from board.journeys import show_maturity
from board.show import csv_download, pick_experience, plain, rows_drawn_note, show_findings
from cxprio.method.ownership import filter_seams, seams_table, swimlane_dot, team_pair_risk
from cxprio.outputs import charts
from cxprio.outputs.tables import graph_layout

GRAPH_LIMIT = 40  # teams; above this the heatmap carries the picture
SEAMS_LISTED = 100  # seams in the wrapping table; the download has them all


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
    st.table(seam_tables.costliest(worst, names), hide_index=True)
    if len(unowned) > COSTLIEST:
        st.caption(f"{COSTLIEST} of {len(unowned):,}: every seam is under *All seams*.")
else:
    st.success("Every handoff between teams has an owner.")

seams_tab, graph_tab, heat_tab, bottleneck_tab, maturity_tab, findings_tab, lanes_tab = st.tabs(
    [
        "All seams",
        "Team graph",
        "Risk between teams",
        "Bottleneck teams",
        "Maturity arc",
        "Findings",
        "Swimlanes",
    ]
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
        st.altair_chart(
            readable(charts.team_graph(nodes, edges)).configure_view(stroke=None), width="stretch"
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
    st.table(seam_tables.seams_words(listed, names), hide_index=True)
    rows_drawn_note(SEAMS_LISTED, len(table), "matching seams, riskiest first")
    csv_download("Download these seams (CSV)", table, "seams.csv", "download_seams", board.weights)

with bottleneck_tab:
    st.caption(
        "Betweenness: how many routes between other teams run through this team "
        "(unweighted). " + " ".join(report.metrics.notes)
    )
    bottlenecks = report.metrics.teams.head(15)
    st.table(seam_tables.bottlenecks_words(bottlenecks), hide_index=True)

with maturity_tab:
    show_maturity(board)

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
