"""Priorities: the ranked table, filters, the value map, rank ranges and a drill-down."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from board import open_page
from board import priorities as priority_parts
from board.charts import SCATTER_COLUMNS, scatter_spec
from board.ranges import wait_and_rerun
from board.show import TREE_COLUMNS, csv_download, how_sure, plain, top_table
from board.whatif import what_would_move_it
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
tab_names = ["All experiences", "Customer against business value", "Drill down", "What would move it"]
# Keyed and rerun on a switch, so the what-if is worked out only while its tab is open.
everything, value_map, drill, moves = st.tabs(tab_names, key="priorities_tab", on_change="rerun")

with everything:
    levels, team, tiers, search = priority_parts.filters(board)

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
            f"the chosen ones and each value by its evidence, a guess most (500 seeded draws). "
            f"**Stable** means the experience stays in the top {top_n} in at least 90 % of them: "
            "a ranking the room can rely on."
        )

ranked = board.ranked
names = board.prepared.names
with answer:
    shown = ranked.order[: min(top_n, len(ranked.order))]
    st.subheader(f"Top {len(shown)} now")
    st.table(top_table(board, shown, spread), hide_index=True)
    if spread is not None:
        st.markdown(how_sure(names, shown, spread, top_n, guessed=board.guessed_share))

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
    priority_parts.ranked_grid(board, rows, columns, spread, top_n)


csv_download(
    "Download this table (CSV)",
    lambda: priority_parts.matching_rows(board, rows, top_n if show_ranges else None),
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
with moves:
    if moves.open:
        what_would_move_it(board, top_n)  # the weight change nearest to today's that moves one
st.caption(f"Catalogue: {plain(Path(board.loaded.source).name)}")

if show_ranges and known is None:
    board.rank_ranges(top_n)  # the last step: everything else is on screen
