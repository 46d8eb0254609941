"""The Priorities page's parts: its filters, the ranked table of the matching
experiences, and every matching row for the download."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from cxprio.catalogue.model import Level, Tier

from .ranges import RankRanges
from .show import ROWS_DRAWN, fit, ranked_columns
from .state import Board


def filters(board: Board) -> tuple[list[str], str | None, list[str], str]:
    """The level, team, ambition and search filters, as chosen."""
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
    return levels, team, tiers, search


def ranked_grid(
    board: Board, rows: npt.NDArray[np.intp], columns: list[str], spread: RankRanges | None, top_n: int
) -> None:
    """The matching experiences by rank, the first :data:`ROWS_DRAWN` drawn, every name whole."""
    ranked = board.ranked
    total = len(ranked.order)
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


def matching_rows(board: Board, rows: npt.NDArray[np.intp], top_n: int | None) -> pd.DataFrame:
    """Every matching row, with the ranked table's columns and, when ``top_n`` is given,
    the rank ranges for that top."""

    frame = board.table.iloc[board.ranked.rank[rows] - 1].drop(columns=["owner_name"])
    if top_n is not None:
        ranges = board.rank_ranges(top_n).result().frame  # waits, if it must, only for this click
        for position, column in enumerate(("rank_p5", "rank_p95", "stable_top_n"), start=1):
            frame.insert(position, column, ranges[column].to_numpy()[rows])
    return frame
