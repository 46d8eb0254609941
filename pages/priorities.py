"""Priorities: the ranked table, filters, the value map, rank ranges and a drill-down."""

from __future__ import annotations

import altair as alt
import streamlit as st

from cxprio.model import Level, Tier
from cxprio.scoring import DEFAULT_TOP_N
from cxprio.tables import filter_ranking
from pages.common import csv_download, current_board, level_colour, plain, tree_under

SCATTER_LIMIT = 1000  # points: more is unreadable on a projector, and slow to redraw

board = current_board()
catalogue = board.catalogue

st.title("Priorities")
st.caption(
    "Ranked by priority (0-100) under the weights in the sidebar. Customer value blends reach, "
    "frequency and depth; business value blends cost and failure demand."
)

filters = st.columns([2, 2, 2, 3])
levels = filters[0].multiselect(
    "Level", [lv.value for lv in Level], key="filter_level", placeholder="All levels"
)
team_names = catalogue.team_names()
team = filters[1].selectbox(
    "Team involved",
    [None, *team_names],
    format_func=lambda t: "All teams" if t is None else team_names[t],
    key="filter_team",
)
tiers = filters[2].multiselect(
    "Ambition",
    [t.value for t in Tier] + ["none"],
    format_func=lambda t: "No ambition" if t == "none" else t.capitalize(),
    key="filter_tier",
    placeholder="All tiers",
)
search = filters[3].text_input("Search", key="filter_search", placeholder="Name, id or outcome")

options = st.columns([2, 2, 5])
show_ranges = options[0].toggle("Rank ranges", value=len(board.table) <= 5000, key="show_ranges")
top_n = int(
    options[1].number_input("Stable top N", min_value=1, max_value=100, value=DEFAULT_TOP_N, key="top_n")
)

table = board.table
if show_ranges:
    with st.spinner("Ranking under 500 nearby weightings…"):
        spread = board.robustness(top_n)
    table = table.merge(spread, on="id", how="left")
    table["rank_range"] = table["rank_p5"].astype(str) + "–" + table["rank_p95"].astype(str)
    options[2].caption(
        f"**Rank range**: the 5th to 95th percentile rank when the weights wobble around the "
        f"chosen ones (500 seeded draws). **Stable top {top_n}** means the experience stays in the "
        f"top {top_n} in at least 90 % of them: a ranking the room can rely on."
    )

leaders = " · ".join(
    f"{row.rank}. {plain(str(row.name))}" for row in board.table.head(3).itertuples(index=False)
)
st.markdown(f"**Top 3 now:** {leaders}", help="Changes as the weights in the sidebar move")

shown = filter_ranking(table, catalogue, levels=levels, team=team, tiers=tiers, search=search)
shown = shown.assign(owner_name=shown["owner"].map(team_names).fillna("—"))
columns = [
    "rank",
    "name",
    "level",
    "priority",
    "customer_value",
    "business_value",
    "ambition",
    "owner_name",
    "complete",
]
if show_ranges:
    columns[1:1] = ["rank_range", "stable_top_n"]

st.dataframe(
    shown[columns],
    hide_index=True,
    width="stretch",
    height=min(600, 38 + 35 * max(1, len(shown))),
    column_config={
        "rank": st.column_config.NumberColumn("Rank", width="small"),
        "rank_range": st.column_config.TextColumn(
            "Range", help="5th-95th percentile rank under nearby weights"
        ),
        "stable_top_n": st.column_config.CheckboxColumn(
            f"Top {top_n}", help=f"Stays in the top {top_n} in 90 % of draws"
        ),
        "name": st.column_config.TextColumn("Experience", width="medium"),
        "level": "Level",
        "priority": st.column_config.ProgressColumn("Priority", min_value=0, max_value=100, format="%.1f"),
        "customer_value": st.column_config.NumberColumn(
            "Customer", format="%.1f", help="Customer value (0-100)"
        ),
        "business_value": st.column_config.NumberColumn(
            "Business", format="%.1f", help="Business value (0-100)"
        ),
        "ambition": "Ambition",
        "owner_name": "Owner",
        "complete": st.column_config.CheckboxColumn("Complete", help="All five measures present"),
    },
    key="ranking",
)
st.caption(f"{len(shown)} of {len(table)} experiences")
csv_download(
    "Download this table (CSV)", shown.drop(columns=["owner_name"]), "priorities.csv", "download_priorities"
)

st.subheader("Customer value against business value")
chart_data = shown.dropna(subset=["customer_value", "business_value"])
if len(chart_data) > SCATTER_LIMIT:
    st.caption(f"The {SCATTER_LIMIT:,} highest priorities of {len(chart_data):,} (the table has them all).")
    chart_data = chart_data.head(SCATTER_LIMIT)
scatter = (
    alt.Chart(chart_data[["name", "level", "rank", "priority", "customer_value", "business_value", "reach"]])
    .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
    .encode(
        x=alt.X("customer_value:Q", title="Customer value (0-100)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("business_value:Q", title="Business value (0-100)", scale=alt.Scale(domain=[0, 100])),
        size=alt.Size("reach:Q", title="Reach (customers a year)", scale=alt.Scale(range=[40, 900])),
        color=level_colour(),
        tooltip=[
            alt.Tooltip("name:N", title="Experience"),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("priority:Q", title="Priority", format=".1f"),
            alt.Tooltip("customer_value:Q", title="Customer value", format=".1f"),
            alt.Tooltip("business_value:Q", title="Business value", format=".1f"),
            alt.Tooltip("reach:Q", title="Reach", format=","),
        ],
    )
    .properties(title="Top right: valuable to customers and to the business", height=460)
)
st.altair_chart(scatter, width="stretch")

st.subheader("Drill down")
triggers = [e for e in catalogue.experiences if e.level is Level.TRIGGER]
if triggers:
    chosen = st.selectbox(
        "Trigger",
        [e.id for e in triggers],
        format_func=lambda i: catalogue.experience(i).name,
        key="drill_trigger",
    )
    tree = tree_under(board.sha256, chosen, catalogue).merge(
        board.table[["id", "rank", "priority", "ambition"]], on="id", how="left"
    )
    tree["experience"] = tree.apply(lambda r: "\u2003" * int(r["depth"]) + str(r["name"]), axis=1)
    st.dataframe(
        tree[["experience", "level", "rank", "priority", "ambition"]],
        hide_index=True,
        width="stretch",
        column_config={
            "experience": st.column_config.TextColumn("Trigger → journeys → moments", width="large"),
            "level": "Level",
            "rank": "Rank",
            "ambition": "Ambition",
            "priority": st.column_config.ProgressColumn(
                "Priority", min_value=0, max_value=100, format="%.1f"
            ),
        },
        key="drill_table",
    )
else:
    st.info("The catalogue has no triggers to drill into.")
st.caption(f"Catalogue: {plain(board.loaded.source)}")
