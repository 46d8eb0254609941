"""The Decision rights page's RACI matrix: the filters (defective or all, a team, a
search), the matching decisions a page of :data:`PAGE_ROWS` at a time with their defects
highlighted, and the downloads."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from cxprio.method.ownership import RACI_KEYS, raci_teams, select_decisions

from .show import csv_download, defect_titles, fit
from .state import Board

PAGE_ROWS = 50  # decisions drawn at once: a projector shows about 15, a laptop 30


def selected_and_teams(selected: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    return selected, raci_teams(selected)


def matrix(board: Board, shown: pd.DataFrame, defective: int, names: Mapping[str, str]) -> None:
    """The RACI matrix of ``shown`` (the board's, :meth:`Board.raci`), ``defective`` of
    them with a defect, teams named by ``names``."""
    kept = board.prepared.keep
    if len(shown):
        filters = st.columns([3, 3, 3])
        which = filters[0].segmented_control(
            "Show",
            ["With a defect", "All decisions"],
            default="With a defect" if defective else "All decisions",
            key="raci_which",
        )
        team_labels = board.prepared.team_labels
        team = filters[1].selectbox(
            "Team involved", list(team_labels), format_func=team_labels.__getitem__, key="raci_team"
        )
        search = filters[2].text_input("Search", key="raci_search", placeholder="Experience or decision")
        # Experiences by name, as people know them (the CSV keeps their ids).
        labelled = kept(
            "raci-named", lambda: shown.assign(experience=shown["experience"].map(board.prepared.name_of))
        )
        matching, involved = kept(
            ("raci-selected", which, team, search),
            lambda: selected_and_teams(
                select_decisions(labelled, defective_only=which == "With a defect", team=team, search=search)
            ),
        )
        if matching.empty:
            st.info("No decision matches these filters.")
        else:
            pages = (len(matching) - 1) // PAGE_ROWS + 1
            page = 1
            if pages > 1:
                page = int(
                    st.number_input(
                        f"Page (of {pages})", min_value=1, max_value=pages, value=1, key="raci_page"
                    )
                )
            first = (page - 1) * PAGE_ROWS
            part = matching.iloc[first : first + PAGE_ROWS]
            st.caption(
                f"Decisions {first + 1:,}–{first + len(part):,} of {len(matching):,} matching "
                f"({len(shown):,} in all), defective first; the {len(involved)} teams they involve."
            )

            def highlight(defects: object) -> str:
                # The defect's own cell only: a style per cell of a 150-team row is sent for every cell.
                return "background-color: #fde2e2" if defects else ""

            part_teams = raci_teams(part)
            st.dataframe(
                part[[*RACI_KEYS, *part_teams]]
                .assign(defects=part["defects"].map(defect_titles))
                .style.map(highlight, subset=["defects"]),
                hide_index=True,
                width="stretch",
                height="content",  # at most PAGE_ROWS rows: every one seen, none cut
                column_config={
                    "experience": st.column_config.TextColumn(
                        "Experience", width=fit(part["experience"], heading="Experience"), pinned=True
                    ),
                    "decision": st.column_config.TextColumn(
                        "Decision", width=fit(part["decision"], heading="Decision"), pinned=True
                    ),
                    "defects": st.column_config.TextColumn(
                        "Defects", width=fit(part["defects"].map(defect_titles), heading="Defects")
                    ),
                    **{
                        team: st.column_config.TextColumn(
                            names.get(team, team), width=fit([names.get(team, team)])
                        )
                        for team in part_teams
                    },
                },
                key="raci_matrix",
            )
            csv_download(
                "Download these decisions (CSV)",
                matching,
                "raci-selected.csv",
                "download_raci_selected",
                board.weights,
            )
        csv_download(
            "Download the whole RACI matrix (CSV)", shown, "raci-matrix.csv", "download_raci", board.weights
        )
    else:
        st.info("The catalogue records no decisions yet: add 'decisions' to its experiences.")
