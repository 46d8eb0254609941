"""Decision rights: the RACI matrix with its defects, the findings, accountability load."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from board import open_page
from board.show import csv_download, show_findings
from cxprio.ownership import RACI_KEYS, accountability_load, raci_table

board = open_page("Decision rights")
catalogue = board.catalogue
report = board.ownership()
names = catalogue.team_names()

st.title("Decision rights")
st.caption(
    "Who is Accountable (exactly one team), Responsible (at least one), Consulted and Informed "
    "(kept small) for each decision. Rows with a defect are highlighted."
)

findings = report.decision_findings
shown = raci_table(catalogue, findings)
teams = [c for c in shown.columns if c not in RACI_KEYS]

metrics = st.columns(3)
metrics[0].metric("Decisions", len(shown))
metrics[1].metric(
    "With a defect", int((shown["defects"] != "").sum()), help="Decisions with at least one RACI finding"
)
metrics[2].metric(
    "Owners without authority",
    sum(f.code == "OWNER_WITHOUT_AUTHORITY" for f in findings),
    help="Experiences whose owner is Accountable for none of their decisions",
)

if len(shown):

    def highlight(row: pd.Series) -> list[str]:
        colour = "background-color: #fde2e2" if row["defects"] else ""
        return [colour] * len(row)

    st.dataframe(
        shown.style.apply(highlight, axis=1),
        hide_index=True,
        width="stretch",
        height=min(640, 38 + 35 * len(shown)),
        column_config={
            "experience": "Experience",
            "decision": st.column_config.TextColumn("Decision", width="medium"),
            "defects": st.column_config.TextColumn("Defects", width="medium"),
            **{
                team: st.column_config.TextColumn(team, help=names.get(team, team), width="small")
                for team in teams
            },
        },
        key="raci_matrix",
    )
    csv_download("Download the RACI matrix (CSV)", shown, "raci-matrix.csv", "download_raci")
else:
    st.info("The catalogue records no decisions yet: add 'decisions' to its experiences.")

st.subheader("Findings, most costly first")
if findings:
    show_findings(findings, ["severity", "code", "experience", "teams", "risk", "message"], "decision")
else:
    st.success("Every decision has exactly one Accountable team and well-formed roles.")

st.subheader("Accountability load per team")
load = accountability_load(catalogue)
long = load.melt(
    id_vars=["team", "name"], value_vars=["A", "R", "C", "I"], var_name="role", value_name="decisions"
)
long["role"] = long["role"].map({"A": "Accountable", "R": "Responsible", "C": "Consulted", "I": "Informed"})
chart = (
    alt.Chart(long[long["decisions"] > 0])
    .mark_bar()
    .encode(
        x=alt.X("decisions:Q", title="Decisions"),
        y=alt.Y(
            "name:N", title="Team", sort=list(load["name"]), axis=alt.Axis(labelLimit=260, labelOverlap=False)
        ),
        color=alt.Color("role:N", title="Role", sort=["Accountable", "Responsible", "Consulted", "Informed"]),
        tooltip=[
            alt.Tooltip("name:N", title="Team"),
            alt.Tooltip("role:N", title="Role"),
            alt.Tooltip("decisions:Q", title="Decisions"),
        ],
    )
    .properties(title="Decisions per team and role", height=max(200, 26 * len(load)))
)
st.altair_chart(chart, width="stretch")
st.dataframe(
    load,
    hide_index=True,
    width="stretch",
    column_config={"name": "Team", "team": None},
    key="accountability_load",
)
