"""Opening a workshop round, on the facilitator's page: which experiences, which
criteria, a weights vote or not, and when scoring closes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st

from cxprio.catalogue.model import Level
from cxprio.errors import StoreError
from cxprio.method.rounds.checks import select_experiences
from cxprio.method.rounds.model import (
    CRITERIA,
    DEFAULT_MAX_PARTICIPANTS,
    MOST_PARTICIPANTS,
    RoundError,
    criterion_label,
    kind_of,
)
from cxprio.store.rounds import open_round
from cxprio.store.versions import Store

from . import access
from .rounds import (
    DONE,
)
from .show import keep_message, sentence
from .state import Board


def open_form(board: Board, store: Store, editor: access.Editor, *, expanded: bool) -> None:
    """The form that opens a round: which experiences, criteria, weights vote, closing time."""
    catalogue, names = board.catalogue, board.prepared.name_of
    with (
        st.expander("Open a new round", expanded=expanded, icon=":material/add:"),
        st.form("round_open", border=False),
    ):
        title = st.text_input(
            "Title", max_chars=200, placeholder="Q4 prioritisation workshop", key="round_title"
        )
        which = st.radio(
            "Experiences",
            ["All", "One level", "Matching a text", "A chosen list"],
            horizontal=True,
            key="round_which",
        )
        level = st.selectbox("Level", [lv.value for lv in Level], index=1, key="round_level")
        matching = st.text_input("Text in the name or id", key="round_matching")
        listed = st.multiselect(
            "Chosen experiences", list(names), format_func=lambda i: names[i], key="round_listed"
        )
        criteria = st.multiselect(
            "Criteria",
            list(CRITERIA),
            default=["depth", "ambition"],
            format_func=lambda c: criterion_label(c, kind_of(c)),
            key="round_criteria",
            help="The facts (reach, frequency, cost, failure demand) are asked as numbers in their unit, "
            "with today's value beside them; depth as a 1-5 judgement; ambition as a vote for a tier.",
        )
        weights = st.checkbox("Participants also vote on the weights", key="round_weights_vote")
        most = st.number_input(
            "Participants at most",
            min_value=1,
            max_value=MOST_PARTICIPANTS,
            value=DEFAULT_MAX_PARTICIPANTS,
            step=10,
            key="round_max_participants",
            help="Nobody joins a full round: a room cannot be flooded with names",
        )
        closes = st.checkbox("Stop taking scores at a set time")
        left, right = st.columns(2)
        day = left.date_input("Closing day (UTC)", value=datetime.now(UTC).date())
        hour = right.time_input("Closing time (UTC)", value=time(hour=(datetime.now(UTC).hour + 2) % 24))
        if not st.form_submit_button(
            "Open the round", type="primary", icon=":material/play_arrow:", key="round_open_button"
        ):
            return
    try:
        chosen = select_experiences(
            catalogue,
            level=level if which == "One level" else None,
            contains=matching if which == "Matching a text" else None,
            ids=listed if which == "A chosen list" else None,
        )
        if which == "A chosen list" and not listed:
            raise RoundError("choose at least one experience for the list")
        version = board.record.version
        if version is None:
            raise RoundError("the catalogue is being saved to the store: try again in a moment")
        made = open_round(
            store,
            catalogue,
            version.id,
            experiences=chosen,
            criteria={c: kind_of(c) for c in criteria},
            author=editor.name,
            title=title,
            weights_vote=weights,
            closes_at=datetime.combine(day, hour, tzinfo=UTC) if closes else None,
            max_participants=int(most),
        )
    except (RoundError, StoreError) as problem:
        st.error(sentence(str(problem)), icon=":material/error:")
    else:
        st.session_state["round_new"] = made.code  # chosen before the picker is drawn
        keep_message(DONE, f"Round {made.code} is open: participants join with its code.")
        st.rerun()
