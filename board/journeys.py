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
"""Experiences named on each rung of the maturity tab; the download names them all."""


def _priorities(board: Board) -> dict[str, float]:
    return dict(zip(board.norm.ids, board.ranked.priority.tolist(), strict=True))


def moments_words(board: Board) -> pd.DataFrame:
    """The moments that matter, highest priority first: owner, ambition and the worst
    perceive measure, in words."""
    teams = board.catalogue.team_names()
    listed = moments(board.catalogue, _priorities(board))
    return pd.DataFrame(
        {
            "Moment that matters": [plain(m.name) for m in listed],
            "Owner": [plain(teams.get(m.owner, m.owner)) if m.owner else "Nobody" for m in listed],
            "Ambition": [tier_words(m.ambition) for m in listed],
            "How it feels (worst measure)": [plain(perceived_words(m.perceived)) for m in listed],
        }
    )


def show_maturity(board: Board) -> None:
    """The maturity arc: how many experiences sit on each rung, as bars, and which."""
    catalogue = board.catalogue
    rungs = maturity(catalogue, _priorities(board))
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
