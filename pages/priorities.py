"""Priorities: the ranked table, filters, the value map, rank ranges and a drill-down."""

from __future__ import annotations

import altair as alt
import streamlit as st

from cxprio.model import Level, Tier
from cxprio.scoring import DEFAULT_TOP_N
from cxprio.tables import filter_ranking
from pages.common import csv_download, current_board, level_colour, plain, tree_under

SCATTER_LIMIT = 1000  # points: more is unreadable on a projector, and slow to redraw
TABLE_LIMIT = 1000  # rows drawn; the download always has every matching row

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
    spread = spread.set_index("id")
    table = table.assign(
        **{column: table["id"].map(spread[column]) for column in ("rank_p5", "rank_p95", "stable_top_n")}
    )
    table["rank_range"] = table["rank_p5"].astype(str) + "–" + table["rank_p95"].astype(str)
    options[2].caption(
        f"**Rank range**: the 5th to 95th percentile rank when the weights wobble around the "
        f"chosen ones (500 seeded draws). **Stable top {top_n}** means the experience stays in the "
        f"top {top_n} in at least 90 % of them: a ranking the room can rely on."
    )

leaders = " · ".join(
    f"{rank}. {plain(str(name))}"
    for rank, name in zip(board.table["rank"].head(3), board.table["name"].head(3), strict=True)
)
st.markdown(f"**Top 3 now:** {leaders}", help="Changes as the weights in the sidebar move")

shown = filter_ranking(table, catalogue, levels=levels, team=team, tiers=tiers, search=search)
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
    shown[columns].head(TABLE_LIMIT),
    hide_index=True,
    width="stretch",
    height=min(600, 38 + 35 * max(1, min(len(shown), TABLE_LIMIT))),
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
if len(shown) > TABLE_LIMIT:
    st.caption(
        f"The first {TABLE_LIMIT:,} of {len(shown):,} matching experiences ({len(table):,} in all): "
        "narrow them with the filters, or download them all."
    )
else:
    st.caption(f"{len(shown)} of {len(table)} experiences")
csv_download(
    "Download this table (CSV)", shown.drop(columns=["owner_name"]), "priorities.csv", "download_priorities"
)

st.subheader("Customer value against business value")
chart_data = shown.head(2 * SCATTER_LIMIT).dropna(subset=["customer_value", "business_value"])
if len(shown) > SCATTER_LIMIT:
    st.caption(f"The {SCATTER_LIMIT:,} highest priorities of {len(shown):,} (the table has them all).")
    chart_data = chart_data.head(SCATTER_LIMIT)
SCATTER_COLUMNS = ["name", "level", "rank", "priority", "customer_value", "business_value", "reach"]


@st.cache_resource
def scatter_spec() -> dict[str, object]:
    """The value map's Vega-Lite spec, built and validated by Altair once; only the data
    changes from run to run."""
    chart = (
        alt.Chart(board.table.head(0)[SCATTER_COLUMNS])
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
    spec: dict[str, object] = chart.to_dict()
    for key in ("data", "datasets", "$schema"):
        spec.pop(key, None)
    return spec


st.vega_lite_chart(chart_data[SCATTER_COLUMNS], scatter_spec(), width="stretch")

st.subheader("Drill down")
triggers = board.table[board.table["level"] == Level.TRIGGER.value]  # highest priority first
trigger_names: dict[str, str] = dict(zip(triggers["id"], triggers["name"], strict=True))
if trigger_names:
    chosen: str = st.selectbox(
        "Trigger",
        list(trigger_names),
        format_func=trigger_names.__getitem__,
        key="drill_trigger",
    )
    tree = tree_under(board.sha256, chosen, catalogue)
    looked_up = board.table[board.table["id"].isin(tree["id"])].set_index("id").reindex(tree["id"])
    tree = tree.assign(
        experience=[
            "\u2003" * int(depth) + str(name) for depth, name in zip(tree["depth"], tree["name"], strict=True)
        ],
        **{column: looked_up[column].to_numpy() for column in ("rank", "priority", "ambition")},
    )
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
