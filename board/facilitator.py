"""The facilitator's face of the Workshop rounds page (``/rounds``), on their own laptop.

Open a round; present it (the projector's view opens in a new tab, to drag onto the
projected screen); reveal one experience or all; watch who has scored; see the scores
by name, with who gave the lowest and the highest (they explain first); then review
what closing would change and close. Nothing is ticked for the catalogue until the
facilitator ticks what the room agreed, and an implausible value needs its own tick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from cxprio.catalogue.model import Catalogue
from cxprio.errors import StoreError
from cxprio.method.rounds.model import (
    Round,
    RoundError,
    Score,
    as_given,
    criterion_label,
    kind_of,
    normal_code,
)
from cxprio.method.rounds.summary import aggregate
from cxprio.outputs.rounds import FacilitatorView, extremes, facilitator_view
from cxprio.store.round_scores import scores
from cxprio.store.rounds import get_round, list_rounds, reveal
from cxprio.store.versions import Store

from . import access
from .round_closing import review_and_close
from .round_opening import open_form
from .rounds import (
    CRITERION_NAMES,
    DONE,
    LIVE_SECONDS,
    REFUSED,
    ROUND_KEY,
    board_address,
    dots_chart,
    join_address,
    loopback,
    projector_address,
    results_table,
)
from .show import keep_message, message_once, plain, sentence
from .sidebar import ADDRESS_KEY
from .state import Board


def facilitator(board: Board, store: Store) -> None:
    """The facilitator's page: participants who land here find the join box first; an
    editor runs rounds."""
    st.title("Workshop rounds")
    st.caption(
        "Everyone scores the same experiences on their own laptop; scores stay hidden until you "
        "reveal them, so nobody anchors on the first opinion. Then the board puts the widest "
        "disagreement first: that is what the room should talk about."
    )
    if access.current() is None:
        _join_box()
        st.markdown("**Facilitating?**")
    editor = access.editor()
    if editor is None:
        st.stop()
    if access.mode() == "single user":
        st.caption(
            "Anyone who can open this board can facilitate here: set an editor passcode (see "
            "secrets.toml.example) when participants connect to it."
        )
    refused = message_once(REFUSED)
    if refused:
        st.error(sentence(refused), icon=":material/error:")
    done = message_once(DONE)
    if done:
        st.success(done, icon=":material/check_circle:")
    every = list_rounds(store)
    if not every:
        open_form(board, store, editor, expanded=True)
        st.stop()
    found = _chosen(store, every)
    _header(found)
    if not found.closed:
        _reveal_controls(store, found, board.prepared.name_of)
    _live(board, store, found.code)
    rows = scores(store, found)  # once for the tabs below
    results, by_name, closing = st.tabs(["Results", "By name (your screen only)", "Review and close"])
    with results:
        _results(board, store, found.code)
    with by_name:
        _by_name(found, rows, board.catalogue, board.prepared.name_of)
    with closing:
        review_and_close(board, store, found, rows, editor)
    open_form(board, store, editor, expanded=False)


def _join_box() -> None:
    with st.form("round_code", border=False):
        field, go = st.columns([3, 1], vertical_alignment="bottom")
        typed = field.text_input(
            "Taking part? Join a round with its code",
            max_chars=12,
            placeholder="ABC234",
            key="round_code_typed",
        )
        if go.form_submit_button("Join", icon=":material/login:", width="stretch") and normal_code(typed):
            st.query_params[ROUND_KEY] = normal_code(typed)
            st.rerun()


def _chosen(store: Store, every: Sequence[Round]) -> Round:
    codes = [r.code for r in every]
    if st.session_state.get("round_new") in codes:
        st.session_state["round_chosen"] = st.session_state.pop("round_new")
    if st.session_state.get("round_chosen") not in codes:
        st.session_state["round_chosen"] = codes[0]
    chosen = st.selectbox(
        "Round",
        codes,
        key="round_chosen",
        format_func=lambda c: next(f"{r.code} · {r.title} · {r.state()}" for r in every if r.code == c),
    )
    return get_round(store, chosen)


def _header(found: Round) -> None:
    """The join code and address, and the way to the projector's view."""
    address = join_address(found.code)
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"## Join code **{found.code}**")
    left.markdown(f"Participants open **{plain(address)}**, or type the code on this page.")
    right.link_button(
        "Present",
        projector_address(found.code, st.query_params.get(ADDRESS_KEY)),
        icon=":material/present_to_all:",
        type="primary",
        width="stretch",
        help="Opens the projector's view in a new tab: the join address and QR code, then the results. "
        "It has nothing to click, and no names.",
    )
    if loopback(board_address()):
        st.warning(
            "This board is open at this computer's own address, which participants' laptops cannot "
            "reach: open it at this computer's network address (Streamlit prints it as the Network "
            "URL when it starts), or set public_url under [cxprio] in secrets.toml.",
            icon=":material/wifi_off:",
        )


def _reveal_controls(store: Store, found: Round, names: Mapping[str, str]) -> None:
    left, middle, right = st.columns([3, 1, 2], vertical_alignment="bottom")
    pick = left.selectbox(
        "Reveal one experience",
        [e for e in found.experiences if not found.is_revealed(e)],
        format_func=lambda i: names.get(i, i),
        key=f"round_reveal_pick_{found.code}",
        index=None,
        placeholder="Choose an experience",
    )
    if middle.button("Reveal it", disabled=pick is None, width="stretch", key=f"round_reveal_{found.code}"):
        _reveal(store, found.code, pick)
    if right.button(
        "Reveal the whole round",
        type="primary",
        icon=":material/visibility:",
        disabled=found.revealed_all,
        width="stretch",
        key=f"round_reveal_all_{found.code}",
    ):
        _reveal(store, found.code, None)


def _reveal(store: Store, code: str, experience: str | None) -> None:
    try:
        reveal(store, code, experience)
    except (RoundError, StoreError) as problem:
        keep_message(REFUSED, str(problem))
    st.rerun()


def _view(board: Board, store: Store, code: str) -> FacilitatorView | None:
    """The round's live view; ``None``, saying why, when the store cannot give it now."""
    try:
        return facilitator_view(store, code, board.catalogue, board.weights, norm=board.norm)
    except (RoundError, StoreError) as problem:
        st.warning(f"{sentence(str(problem))}. Trying again…", icon=":material/cloud_off:")
        return None


def _live(board: Board, store: Store, code: str) -> None:
    """Who has joined and how far each has got, refreshed by itself."""

    @st.fragment(run_every=LIVE_SECONDS)
    def live() -> None:
        view = _view(board, store, code)
        if view is None:
            return
        table = view.progress
        figures = st.columns(4)
        figures[0].metric("Joined", len(view.people))
        figures[1].metric("Scores", f"{len(view.rows):,}")
        figures[2].metric("Everyone's progress", f"{(table['share'].mean() if len(table) else 0):.0%}")
        shown = view.round.experiences
        figures[3].metric("Revealed", f"{sum(view.round.is_revealed(e) for e in shown)} of {len(shown)}")
        if len(table):
            with st.expander(f"Who has scored ({len(table)})", expanded=len(table) <= 8):
                st.dataframe(
                    table[["name", "scored", "of", "share"]],
                    hide_index=True,
                    width="stretch",
                    height=min(400, 38 + 35 * len(table)),
                    column_config={
                        "name": "Joined",
                        "scored": "Scored",
                        "of": "Of",
                        "share": st.column_config.ProgressColumn(
                            "Progress", min_value=0.0, max_value=1.0, format="percent"
                        ),
                    },
                    key="round_progress",
                )

    live()


def _results(board: Board, store: Store, code: str) -> None:
    """The revealed results, as the projector shows them, and how the ranking would move."""

    @st.fragment(run_every=LIVE_SECONDS)
    def shown() -> None:
        view = _view(board, store, code)
        if view is None:
            return
        if not view.revealed and view.vote is None:
            st.caption("Nothing revealed yet: scores stay hidden until you reveal them.")
            return
        names = board.prepared.name_of
        if view.revealed:
            results_table(st, view.revealed, view.round, names, "round_live_results")
            dots_chart(st, view.revealed[:10], view.round, board.catalogue, names, "round_live_dots")
            _moved(view)
        vote = view.vote
        if vote is not None:
            st.subheader(f"Weights vote ({vote.voters} voters)")
            st.dataframe(
                [{CRITERION_NAMES[m]: f"{w:.0%}" for m, w in vote.median.items()}],
                hide_index=True,
                key="round_live_weights",
            )
            st.dataframe(
                vote.top.rename(
                    columns={
                        "rank": "Rank",
                        "name": "Experience",
                        "kept": "In how many people's top 10",
                        "of": "Voters",
                    }
                )[["Rank", "Experience", "In how many people's top 10", "Voters"]],
                hide_index=True,
                width="stretch",
                key="round_live_top",
            )

    shown()


def _moved(view: FacilitatorView) -> None:
    """How the ranking would move if the revealed results were accepted."""
    st.subheader("If the results were accepted")
    if not len(view.moved):
        st.caption("The ranking would not change.")
        return
    st.dataframe(
        view.moved[["name", "rank_now", "rank_accepted", "moves", "priority_now", "priority_accepted"]].head(
            15
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Experience",
            "rank_now": "Rank now",
            "rank_accepted": "Rank then",
            "moves": st.column_config.NumberColumn("Moves", format="%+d"),
            "priority_now": "Priority now",
            "priority_accepted": "Priority then",
        },
        key="round_live_preview",
    )


def _by_name(found: Round, rows: list[Score], catalogue: Catalogue, names: Mapping[str, str]) -> None:
    """Each person's scores of what is revealed, and who gave the lowest and the highest
    of each result: the two ends explain first. Never on the projector."""
    summaries = [a for a in aggregate(found, rows, catalogue) if found.is_revealed(a.experience)]
    if not summaries:
        st.caption("Nothing revealed yet: scores stay hidden until you reveal them.")
        return
    ends = extremes(rows, summaries)
    if len(ends):
        st.markdown("**Ask the two ends to explain**, widest disagreement first:")
        st.dataframe(
            ends.assign(
                experience=ends["experience"].map(lambda e: names.get(e, e)),
                criterion=[criterion_label(c, found.criteria.get(c, kind_of(c))) for c in ends["criterion"]],
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "experience": "Experience",
                "criterion": "Criterion",
                "lowest": "Lowest",
                "low": "gave",
                "highest": "Highest",
                "high": "gave",
            },
            key=f"round_ends_{found.code}",
        )
    shown = [r for r in rows if r.experience and found.is_revealed(r.experience)]
    table: dict[str, dict[str, str]] = {}
    for r in shown:
        heading = f"{names.get(r.experience, r.experience)} · {CRITERION_NAMES.get(r.criterion, r.criterion)}"
        table.setdefault(r.participant, {})[heading] = as_given(r)
    st.markdown("**Every score**, by person:")
    st.dataframe(
        [{"Participant": who, **values} for who, values in table.items()],
        hide_index=True,
        key=f"round_by_name_{found.code}",
    )
