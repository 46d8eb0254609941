"""The projector's face of the Workshop rounds page (``/rounds?round=CODE&view=projector``).

A screen for the room, with no input at all: nothing on it can be clicked into, typed
or changed, so a projected laptop shows nothing private and nobody's typing. It
refreshes by itself. Until something is revealed it shows how to join (the full
address, built from the address the board is served at, its QR code and the code) and
who has joined and how far each has got; once the facilitator reveals, the results
come first, widest disagreement first, with each experience's scores as anonymous
dots: the room sees one person far from the rest, and the facilitator asks them to
speak. Names and individual scores stay on the facilitator's own screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd
import streamlit as st

from cxprio.catalogue.model import Catalogue
from cxprio.errors import StoreError
from cxprio.method.rounds.model import RoundError
from cxprio.outputs.rounds import FacilitatorView, facilitator_view
from cxprio.store.rounds import get_round
from cxprio.store.versions import Store
from cxprio.units import LABELS

from .rounds import (
    LIVE_SECONDS,
    RESULT_COLUMNS,
    RESULTS_SHOWN,
    board_address,
    dots_chart,
    join_address,
    qr_png,
    result_rows,
)
from .show import plain, sentence
from .state import Board

PROJECTOR_STYLE = """<style>
/* The projector's own type: the join address large enough to read from the back. */
.cx-address { font-size: 2.1rem; font-weight: 700; line-height: 1.2; overflow-wrap: anywhere; }
.cx-code { font-size: 1.5rem; letter-spacing: 0.15em; font-weight: 700; }
</style>"""
NAMES_PER_ROW = 4
DOTS_SHOWN = 7
"""Results whose scores the projector draws as dots beside the table: what fits below
the header at 1280x720 with a panel for each kind of criterion."""
"""Participants side by side in the list of who has joined."""


def projector(board: Board, store: Store, code: str) -> None:
    """The projector's view of round ``code``, refreshed every :data:`LIVE_SECONDS`."""
    try:
        get_round(store, code)
    except (RoundError, StoreError) as problem:
        st.title("Workshop round")
        st.error(sentence(str(problem)), icon=":material/error:")
        st.stop()
    st.html(PROJECTOR_STYLE)
    catalogue, names, weights, norm = board.catalogue, board.prepared.name_of, board.weights, board.norm

    @st.fragment(run_every=LIVE_SECONDS)
    def live() -> None:
        try:
            view = facilitator_view(store, code, catalogue, weights, norm=norm)
        except (RoundError, StoreError) as problem:
            st.warning(f"{sentence(str(problem))}. Trying again…", icon=":material/cloud_off:")
            return
        if view.revealed or view.vote is not None:
            _results(view, catalogue, names, weights)
        else:
            _waiting(view)

    live()


def _share(view: FacilitatorView) -> float:
    table = view.progress
    return float(table["share"].mean()) if len(table) else 0.0


def _waiting(view: FacilitatorView) -> None:
    """Before any reveal: how to join, in large type and as a QR code, and who has."""
    found = view.round
    address = join_address(found.code)
    st.title(plain(found.title))
    left, right = st.columns([3, 2], gap="large")
    left.markdown("Join on your laptop or phone:")
    left.markdown(f'<div class="cx-address">{escape(address)}</div>', unsafe_allow_html=True)
    left.markdown(
        f"or open the board's *Workshop rounds* page and type the code "
        f'<span class="cx-code">{found.code}</span>',
        unsafe_allow_html=True,
    )
    figures = left.columns(3)
    figures[0].metric("Joined", len(view.people))
    figures[1].metric("Scores in", f"{len(view.rows):,}")
    figures[2].metric("Everyone's progress", f"{_share(view):.0%}")
    if board_address() is not None:
        right.image(qr_png(address), width=300, caption=f"Scan to join round {found.code}")
    _who(view)
    st.caption("Scores stay hidden until the facilitator reveals them.")


def _who(view: FacilitatorView) -> None:
    """Who has joined, and how far each has got (names only: no score)."""
    if not view.people:
        st.caption("Nobody has joined yet.")
        return
    table = view.progress
    lines = [
        f"{plain(name)} · {'done' if share >= 1 else f'{share:.0%}'}"
        for name, share in zip(table["name"], table["share"], strict=True)
    ]
    columns = st.columns(NAMES_PER_ROW)
    for index, line in enumerate(lines):
        columns[index % NAMES_PER_ROW].markdown(line)


def _results(
    view: FacilitatorView, catalogue: Catalogue, names: Mapping[str, str], weights: Mapping[str, float]
) -> None:
    """After a reveal: the results first, widest disagreement first, their dots beside
    them; how to join (still open to late comers) in one line above."""
    found = view.round
    address = join_address(found.code)
    top, code_box = st.columns([6, 1], vertical_alignment="center")
    top.markdown(f"### {plain(found.title)}")
    top.caption(
        f"Join at {plain(address)} (code {found.code}) · {len(view.people)} joined · "
        f"{_share(view):.0%} of scores in · {len(view.revealed)} results revealed"
    )
    if board_address() is not None:
        code_box.image(qr_png(address, scale=3), width=96)
    if view.revealed:
        shown = view.revealed[:RESULTS_SHOWN]
        table, chart = st.columns([1, 1], gap="medium")
        table.table(_for_the_room(result_rows(shown, found, names, short=True)), hide_index=True)
        if len(view.revealed) > RESULTS_SHOWN:
            table.caption(
                f"The {RESULTS_SHOWN} widest of {len(view.revealed)} results; the rest on the facilitator's screen."
            )
        # The dots of the widest few: a chart of all ten would run below the screen.
        dots_chart(
            chart, shown[:DOTS_SHOWN], found, catalogue, names, f"projector_dots_{found.code}", width=300
        )
        _moved(view.moved, weights)
    vote = view.vote
    if vote is not None:
        st.subheader(f"The weights the room voted for ({vote.voters} voters)")
        st.table(
            pd.DataFrame([{LABELS[m]: f"{w:.0%}" for m, w in vote.median.items()}]),
            hide_index=True,
        )


def _moved(moved: pd.DataFrame, weights: Mapping[str, float]) -> None:
    """How the ranking would move if the revealed results were accepted."""
    st.subheader("If the results were accepted")
    if not len(moved):
        st.caption("The ranking would not change.")
        return
    st.table(
        pd.DataFrame(
            {
                "Experience": moved["name"].map(plain),
                "Rank now": moved["rank_now"],
                "Rank then": moved["rank_accepted"],
                "Moves": moved["moves"].map(lambda m: f"{m:+d}" if m else "0"),
            }
        ).head(10),
        hide_index=True,
    )
    st.caption("Under the weights " + ", ".join(f"{LABELS[m]} {w:g}" for m, w in weights.items()) + ".")


def _for_the_room(rows: pd.DataFrame) -> pd.DataFrame:
    """The results as text for a static table: names as plain text, the disagreement as
    a bar of five and its figure."""

    def bar(value: float) -> str:
        filled = round(value * 5)
        return "▮" * filled + "▯" * (5 - filled) + f" {value:.2f}"

    return rows.assign(
        Experience=rows["Experience"].map(plain),
        Disagreement=rows["Disagreement"].map(bar),
    )[RESULT_COLUMNS]
