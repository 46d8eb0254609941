"""Priorities: the ranked table, filters, the value map, rank ranges and a drill-down."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from board import open_page
from board.charts import SCATTER_COLUMNS, scatter_spec
from board.ranges import wait_and_rerun
from board.show import ROWS_DRAWN, TREE_COLUMNS, csv_download, fit, how_sure, plain, ranked_columns, top_table
from cxprio.catalogue.model import Level, Tier
from cxprio.method.scoring import default_top_n

SCATTER_LIMIT = 1000  # points: more is unreadable on a projector, and slow to redraw

board = open_page("Priorities")
catalogue = board.catalogue

st.title("Priorities")
st.caption(
    "Ranked by priority (0-100) under the weights in the sidebar: customer value (reach, "
    "frequency, depth) and business value (cost, failure demand)."
)
answer = st.container()  # the top N and how sure it is, above everything else
everything, value_map, drill = st.tabs(["All experiences", "Customer against business value", "Drill down"])

with everything:
    filters = st.columns([2, 2, 2, 3])
    levels = filters[0].multiselect(
        "Level",
        [lv.value for lv in Level],
        format_func=str.capitalize,
        key="filter_level",
        placeholder="All levels",
    )
    team_labels = board.prepared.team_labels  # labels as C-level lookups: one call per option per run
    team = filters[1].selectbox(
        "Team involved",
        list(team_labels),
        format_func=team_labels.__getitem__,
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
    show_ranges = options[0].toggle("Rank ranges", value=True, key="show_ranges")
    top_n = int(
        options[1].number_input(
            "Stable top N",
            min_value=1,
            max_value=100,
            value=default_top_n(len(board.norm.ids)),  # 10, or a quarter of a small catalogue
            key="top_n",
            help="The rank ranges mark the experiences that stay in this top N when the weights wobble",
        )
    )

# The table never waits for the rank ranges: the page asks for them as its last step,
# once everything else is drawn, and reruns when they are ready (at once when this
# weighting's are known).
spread = None
known = board.known_ranges(top_n) if show_ranges else None
if show_ranges:
    with answer:
        if known is None or not known.done():
            wait_and_rerun(
                board.ranges_key(top_n),
                board.ranges_work(top_n),
                "Ranking under 500 nearby weightings… the rank ranges appear here shortly.",
            )
        elif known.exception() is not None:
            st.warning("The rank ranges could not be computed for these weights.", icon=":material/warning:")
        else:
            spread = known.result()
    if spread is not None:
        options[2].caption(
            f"**Rank range**: the 5th to 95th percentile rank when the weights wobble around "
            f"the chosen ones (500 seeded draws). **Stable** means the experience stays in the "
            f"top {top_n} in at least 90 % of them: a ranking the room can rely on."
        )

ranked = board.ranked
names = board.prepared.names
with answer:
    shown = ranked.order[: min(top_n, len(ranked.order))]
    st.subheader(f"Top {len(shown)} now")
    st.table(top_table(board, shown, spread), hide_index=True)
    if spread is not None:
        st.markdown(how_sure(names, shown, spread, top_n))

rows = board.matching(levels=levels, team=team, tiers=tiers, search=search)  # by rank
columns = [
    "rank",
    "name",
    "level_label",
    "priority",
    "ambition_label",
    "owner_name",
    "customer_value",
    "business_value",
]
if spread is not None:
    columns[1:1] = ["rank_range", "stable_top_n"]
total = len(ranked.order)
with everything:
    drawn = board.view(rows[:ROWS_DRAWN], columns, spread)
    st.dataframe(
        drawn,
        hide_index=True,
        width="stretch",
        height="content" if len(rows) <= 15 else 600,  # a short table whole; a long one scrolls
        column_config=ranked_columns(top_n)
        | {  # every name whole: as wide as the longest drawn
            "name": st.column_config.TextColumn(
                "Experience", width=fit(drawn.column("name").to_pylist(), heading="Experience")
            ),
            "owner_name": st.column_config.TextColumn(
                "Owner", width=fit(drawn.column("owner_name").to_pylist(), heading="Owner")
            ),
        },
        key="ranking",
    )
    if len(rows) > ROWS_DRAWN:
        st.caption(
            f"The first {ROWS_DRAWN:,} of {len(rows):,} matching experiences ({total:,} in all): "
            "narrow them with the filters, or download them all."
        )
    else:
        st.caption(f"{len(rows):,} of {total:,} experiences")


def download() -> pd.DataFrame:
    """Every matching row, with the ranked table's columns and, when shown, the rank range."""
    frame = board.table.iloc[ranked.rank[rows] - 1].drop(columns=["owner_name"])
    if show_ranges:
        ranges = board.rank_ranges(top_n).result().frame  # waits, if it must, only for this click
        for position, column in enumerate(("rank_p5", "rank_p95", "stable_top_n"), start=1):
            frame.insert(position, column, ranges[column].to_numpy()[rows])
    return frame


csv_download(
    "Download this table (CSV)",
    download,
    "priorities.csv",
    "download_priorities",
    board.weights,
    place=everything,
)

with value_map:
    # The highest priorities with both values (an experience may lack one group's measures).
    plotted = rows[: 2 * SCATTER_LIMIT]
    plotted = plotted[~(np.isnan(ranked.customer_value[plotted]) | np.isnan(ranked.business_value[plotted]))]
    if len(rows) > SCATTER_LIMIT:
        st.caption(f"The {SCATTER_LIMIT:,} highest priorities of {len(rows):,} (the table has them all).")
        plotted = plotted[:SCATTER_LIMIT]
    st.vega_lite_chart(board.view(plotted, SCATTER_COLUMNS), scatter_spec(), width="stretch")

with drill:
    triggers = board.triggers()  # highest priority first
    if triggers:
        chosen: str = st.selectbox(
            "Trigger",
            triggers,
            format_func=board.prepared.label_of.__getitem__,
            key="drill_trigger",
        )
        st.dataframe(
            board.tree(chosen).select(["experience", "level", "rank", "priority", "ambition"]),
            hide_index=True,
            width="stretch",
            column_config=TREE_COLUMNS,
            key="drill_table",
        )
    else:
        st.info("The catalogue has no triggers to drill into.")
st.caption(f"Catalogue: {plain(Path(board.loaded.source).name)}")

if show_ranges and known is None:
    board.rank_ranges(top_n)  # the last step: everything else is on screen
