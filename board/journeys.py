"""How experiences are carried, in words: the maturity arc on Ownership & seams and the
moments that matter on the Overview. Names, not ids; "Nobody", not None."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cxprio.method.maturity import maturity, without_steps
from cxprio.method.moments import moments, perceived_words
from cxprio.outputs import charts
from cxprio.outputs.tables import rung_summary
from cxprio.units import tier_words

from .charts import readable
from .show import plain
from .state import Board

RUNG_NAMES = 12
"""Experiences named on each rung of the maturity tab; the pack's workbook names them all."""
MOMENTS_SHOWN = 10
"""Moments that matter the Overview lists, highest priority first: a table of hundreds
would bury the page (and take a projector's browser a second to draw)."""


def moments_words(board: Board) -> tuple[pd.DataFrame, int]:
    """The :data:`MOMENTS_SHOWN` highest-priority moments that matter: owner, ambition and
    the worst perceive measure, in words; and how many there are in all."""
    teams = board.catalogue.team_names()
    every = moments(board.catalogue, board.priorities)
    listed = every[:MOMENTS_SHOWN]
    return pd.DataFrame(
        {
            "Moment that matters": [plain(m.name) for m in listed],
            "Owner": [plain(teams.get(m.owner, m.owner)) if m.owner else "Nobody" for m in listed],
            "Ambition": [tier_words(m.ambition) for m in listed],
            "How it feels (worst measure)": [plain(perceived_words(m.perceived)) for m in listed],
        }
    ), len(every)


def moments_table(board: Board) -> pd.DataFrame:
    """Every moment that matters, highest priority first, for a download: ids, the
    ambition's code and the priority beside the words."""
    teams = board.catalogue.team_names()
    priorities = board.priorities
    listed = moments(board.catalogue, priorities)
    return pd.DataFrame(
        {
            "id": [m.experience for m in listed],
            "experience": [m.name for m in listed],
            "owner": [teams.get(m.owner, m.owner) if m.owner else "" for m in listed],
            "ambition": [m.ambition.value if m.ambition else "" for m in listed],
            "worst_perceived": [perceived_words(m.perceived) for m in listed],
            "priority": [round(priorities[m.experience], 2) for m in listed],
        }
    )


def show_maturity(board: Board) -> None:
    """The maturity arc: how many experiences sit on each rung, as bars, and which."""
    catalogue = board.catalogue
    rungs = maturity(catalogue, board.priorities)
    summary = rung_summary(catalogue, rungs, RUNG_NAMES)
    st.caption(
        "From siloed touchpoints to predictive personalisation: each experience with steps sits on "
        "the highest rung it fully reaches. Personalising before the handoffs are owned is a finding."
    )
    # The bars beside the counts' meaning; the names under both, the full width to wrap in.
    left, right = st.columns([3, 2], gap="large")
    left.altair_chart(readable(charts.maturity_rungs(summary)), width="stretch")
    right.table(
        pd.DataFrame(
            {
                "Rung": [
                    f"{r}: {plain(n)}" for r, n in zip(summary["rung"], summary["rung_name"], strict=True)
                ],
                "Means": [plain(m) for m in summary["meaning"]],
            }
        ),
        hide_index=True,
    )
    st.table(
        pd.DataFrame(
            {
                "Rung": [
                    f"{r}: {plain(n)}" for r, n in zip(summary["rung"], summary["rung_name"], strict=True)
                ],
                "Experiences": [f"{c:,}" for c in summary["count"]],
                "Which, highest priority first": [plain(e) for e in summary["examples"]],
            }
        ),
        hide_index=True,
    )
    unstepped = without_steps(catalogue)
    if unstepped:
        st.caption(
            f"{unstepped:,} experience{'s have' if unstepped != 1 else ' has'} no steps, and so no rung."
        )
