"""Workshop pack: what people take out of the room, in the formats their organisation reads."""

from __future__ import annotations

import streamlit as st

from board import open_page, packs
from board.show import plain
from cxprio.outputs.report import FORMATS
from cxprio.units import weights_words

board = open_page("Workshop pack")

st.title("Workshop pack")
st.caption(
    "The board's results as files to send after the workshop: a report that opens anywhere and "
    "prints on A4, a workbook with every table, slides to present as they are, and the charts as "
    "pictures. Each is made for the weights on the sliders."
)
quarters = packs.history_quarters(board)
st.markdown(f"**Weights:** {plain(weights_words(board.weights))}")
if quarters:
    st.markdown(f"**Quarter on quarter:** {quarters[0][0]} to {quarters[1][0]} (the two newest snapshots)")
else:
    st.caption(
        "No quarter comparison: the store holds fewer than two quarters' snapshots (take them on "
        "the Quarter on quarter page); the pack includes it once there are two."
    )

closed = packs.closed_rounds(board)
chosen_round = None
if closed:
    chosen_round = st.selectbox(
        "Include a closed workshop round",
        [None, *(r.code for r in closed)],
        format_func=lambda c: (
            "No round"
            if c is None
            else next(f"{r.code} · {r.title} · closed {r.closed_at:%d %b %Y}" for r in closed if r.code == c)
        ),
        key="pack_round",
        help="Its results (criteria, scores, median, disagreement, every score as dots) and every "
        "value it changed in the catalogue",
    )

for fmt, described in FORMATS.items():
    with st.container(border=True):
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.markdown(f"**{described.label}**")
        left.caption(
            {
                "html": "One file, no internet needed: headline figures, top priorities with rank "
                "ranges, the ambition board, the seams most worth fixing, decision-rights defects, charts.",
                "xlsx": "A sheet per table, headers frozen and filtered, the weights on the cover sheet.",
                "pptx": "Title, top 10, ambition board, value map, unowned seams, decisions to fix.",
                "charts": "Every chart as SVG and as PNG for slides, and the team graph as Graphviz DOT.",
                "zip": "The report, workbook, slides, charts and weights in one download.",
            }[fmt]
        )
        with right:
            packs.offer(board, fmt, key=f"pack_{fmt}", round_code=chosen_round)
