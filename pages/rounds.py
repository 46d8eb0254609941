"""Workshop rounds: many people score at once; the board shows where they disagree.

Three faces (see board/rounds.py and docs/rounds.md): with ``?round=CODE`` a
participant's, with ``&view=projector`` the projected screen's (no input at all), and
without a round the facilitator's (an editor's: see board/access.py).
"""

from __future__ import annotations

import streamlit as st

from board import open_page
from board.facilitator import facilitator
from board.participant import participant
from board.projector import projector
from board.rounds import PROJECTOR, ROUND_KEY, VIEW_KEY
from board.show import store_or_stop, store_trouble

code = st.query_params.get(ROUND_KEY)
presenting = bool(code) and st.query_params.get(VIEW_KEY) == PROJECTOR
board = open_page("Workshop rounds", controls=not code)
store = store_or_stop(board, "are no workshop rounds")
with store_trouble():
    if code and presenting:
        projector(board, store, code)
    elif code:
        participant(board, store, code)
    else:
        facilitator(board, store)
