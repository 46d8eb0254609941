"""The Priorities page's what-if: the room chooses an experience and sees, per measure, the
weight nearest to today's that moves it into the top N or out of it
(:func:`cxprio.method.whatif.what_if`), each with a button that sets it on the sliders."""

from __future__ import annotations

import streamlit as st

from cxprio.method.whatif import WhatIf, move_words, standing_words, what_if

from .show import pick_experience, plain
from .sidebar import apply_weight
from .state import Board

CHOSEN_KEY = "whatif_experience"
"""The chooser's session key: the experience's id."""


def default_experience(board: Board, top_n: int) -> str:
    """The experience ranked just outside the top ``top_n`` (the last one when every
    experience is inside): the one a room most often asks about."""
    order = board.ranked.order
    return board.norm.ids[int(order[min(top_n, len(order) - 1)])]


def answer(board: Board, experience_id: str, top_n: int) -> WhatIf:
    """The what-if for ``experience_id`` under the board's weights, kept per weighting and
    top N for the catalogue version: a rerun that changes neither computes nothing."""
    return board.prepared.keep(
        ("whatif", board.weight_key, experience_id, top_n),
        lambda: what_if(board.norm, board.weights, experience_id, top_n=top_n),
    )


def what_would_move_it(board: Board, top_n: int) -> None:
    """The chooser (by rank), where the chosen experience stands, and one line per
    measure in words, with *Apply* beside each weight that moves it."""
    ids = board.norm.ids
    by_rank = [ids[row] for row in board.ranked.order.tolist()]
    if st.session_state.get(CHOSEN_KEY) not in board.prepared.rows_by_id:
        st.session_state[CHOSEN_KEY] = default_experience(board, top_n)
    chosen = pick_experience(st, "Experience", by_rank, board.prepared.label_of, CHOSEN_KEY)
    if chosen is None:
        return
    result = answer(board, chosen, top_n)
    st.markdown(f"**{standing_words(result, plain(board.prepared.name_of[chosen]))}**")
    st.caption(
        "For each measure, the weight nearest to today's that moves it "
        f"{'out of' if result.inside else 'into'} the top {top_n}, every other weight as it is. "
        "*Apply* sets it on the sliders."
    )
    for move in result.moves:
        line = st.columns([6, 1], vertical_alignment="center")
        line[0].markdown(move_words(result, move))
        if move.needed is not None:
            line[1].button(
                "Apply",
                key=f"whatif_apply_{move.measure}",
                on_click=apply_weight,
                args=(move.measure, move.needed),
                icon=":material/tune:",
            )
