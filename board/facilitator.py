"""The facilitator's face of the Workshop rounds page (``/rounds``), on their own laptop.

Open a round; present it (the projector's view opens in a new tab, to drag onto the
projected screen); reveal one experience or all; watch who has scored; see the scores
by name, with who gave the lowest and the highest (they explain first); then review
what closing would change and close. Nothing is ticked for the catalogue until the
facilitator ticks what the room agreed, and an implausible value needs its own tick.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time

import streamlit as st

from cxprio import CatalogueError
from cxprio.catalogue.model import Catalogue, Level
from cxprio.errors import StaleVersion, StoreError, UsageError
from cxprio.method.rounds.checks import select_experiences
from cxprio.method.rounds.model import (
    CRITERIA,
    DEFAULT_MAX_PARTICIPANTS,
    MOST_PARTICIPANTS,
    Round,
    RoundError,
    Score,
    as_given,
    criterion_label,
    kind_of,
    normal_code,
)
from cxprio.method.rounds.proposals import Proposal, Unconfirmed, proposals
from cxprio.method.rounds.summary import aggregate, by_experience
from cxprio.outputs.rounds import FacilitatorView, extremes, facilitator_view, scores_csv
from cxprio.store.round_closing import close_round
from cxprio.store.round_scores import scores
from cxprio.store.rounds import end_scoring, get_round, list_rounds, open_round, reveal
from cxprio.store.snapshots import parse_quarter, take_snapshot
from cxprio.store.versions import Store

from . import access, source
from .rounds import (
    CRITERION_NAMES,
    DISAGREEMENT,
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
from .show import NO_RERUN, keep_message, message_once, plain, sentence, show_problems
from .sidebar import ADDRESS_KEY, PAGES
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
        _open_form(board, store, editor, expanded=True)
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
        _review_and_close(board, store, found, rows, editor)
    _open_form(board, store, editor, expanded=False)


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


def _review_and_close(
    board: Board, store: Store, found: Round, rows: list[Score], editor: access.Editor
) -> None:
    """The raw scores, then what each result would change: tick what the room agreed
    (nothing is ticked at first), confirm each implausible value on its own, and close
    the round into the catalogue (and a snapshot, when asked)."""
    names = board.prepared.name_of
    st.download_button(
        "Raw scores (CSV)",
        scores_csv(rows),
        file_name=f"round-{found.code}-scores.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click=NO_RERUN,
        key=f"round_csv_{found.code}",
    )
    if found.closed:
        st.info(
            f"Closed {found.closed_at:%d %b %Y %H:%M} UTC by {plain(found.closed_by or '')}"
            + (
                f": version {found.result_version_id} holds what it changed."
                if found.result_version_id
                else ", changing nothing in the catalogue."
            ),
            icon=":material/lock:",
        )
        st.page_link(PAGES["history"].script, label="The change history", icon=":material/history:")
        return
    if found.scoring_open():
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.caption(
            "Scores are still coming in, and each one can move a result: end scoring first, so the "
            "results hold still while the room agrees what to accept."
        )
        if right.button(
            "End scoring", icon=":material/timer_off:", key=f"round_end_{found.code}", width="stretch"
        ):
            try:
                end_scoring(store, found.code)
            except (RoundError, StoreError) as problem:
                keep_message(REFUSED, str(problem))
            st.rerun()
    catalogue = board.catalogue
    summaries = aggregate(found, rows, catalogue)
    offered = proposals(found, summaries, catalogue)
    changing = [p for p in offered if p.changes]
    order = {e: i for i, e in enumerate(by_experience(summaries))}
    changing.sort(key=lambda p: order.get(p.experience, len(order)))
    # The table and the close button are keyed on what the table shows: a late score
    # that moves a result draws a new table (with nothing ticked), and a click on the
    # button of the old one does nothing, so nothing is saved that nobody saw.
    fingerprint = hashlib.sha256(repr([(p.key, p.proposed) for p in changing]).encode()).hexdigest()[:12]
    seen = st.session_state.get(f"round_reviewed_{found.code}")
    st.session_state[f"round_reviewed_{found.code}"] = fingerprint
    if seen is not None and seen != fingerprint:
        st.warning(
            "The results changed since you last looked (a late score): here they are again, with "
            "nothing ticked. Tick again what the room agreed.",
            icon=":material/update:",
        )
    accepted = _ticked(found, changing, names, fingerprint)
    confirmed = _confirmations(found, [p for p in accepted if p.implausible], names)
    held = [p for p in offered if p.proposed is None]
    if held:
        st.caption(
            "Not proposed: "
            + "; ".join(plain(p.described(names.get(p.experience, p.experience))) for p in held)
            + "."
        )
    quarter = st.text_input(
        "Then take a snapshot of quarter (optional)", placeholder="2026-Q4", key=f"round_quarter_{found.code}"
    )
    label = (
        f"Close the round and save {len(accepted)} value{'s' if len(accepted) != 1 else ''}"
        if accepted
        else "Close the round, changing nothing"
    )
    if not st.button(
        label, type="primary", icon=":material/task_alt:", key=f"round_close_{found.code}_{fingerprint}"
    ):
        return
    try:
        snapshot = parse_quarter(quarter) if quarter.strip() else None
        if source.using_upload():
            raise RoundError(
                "an uploaded catalogue is this session's only: go back to the file to close a round"
            )
        closed = close_round(
            store,
            found.code,
            accept=[p.key for p in accepted],
            confirm=confirmed,
            expected={p.key: p.proposed for p in accepted if p.proposed is not None},
            author=editor.name,
            file=source.configured_path(),
            file_sha256=board.record.file_sha256,
        )
        if snapshot is not None:
            take_snapshot(store, snapshot, author=editor.name)
    except Unconfirmed as problem:
        st.error(
            f"{sentence(str(problem))}. Tick the confirmation under the table for each.",
            icon=":material/warning:",
        )
    except StaleVersion as problem:
        st.error(sentence(str(problem)), icon=":material/sync_problem:")
    except CatalogueError as problem:
        show_problems(problem.problems)
    except (UsageError, StoreError) as problem:
        st.error(sentence(str(problem)), icon=":material/error:")
    else:
        keep_message(DONE, closed.summary() + (f" Snapshot of {snapshot} taken." if snapshot else ""))
        st.rerun()


def _ticked(
    found: Round, changing: list[Proposal], names: Mapping[str, str], fingerprint: str
) -> list[Proposal]:
    """The table of what closing would change, one row per value, none ticked at first;
    the rows the facilitator ticked. ``fingerprint`` names what it shows: a late score
    that moves a value gives a new table."""
    if not changing:
        st.caption("No result differs from today's values: closing changes nothing in the catalogue.")
        return []
    rows = [
        {
            "accept": False,
            "key": p.key,
            "Change": p.described(names.get(p.experience, p.experience)),
            "From": p.source,
            "Disagreement": p.disagreement,
            "Check": f"⚠ implausible: {p.implausible}" if p.implausible else "",
        }
        for p in changing
    ]
    decided = st.data_editor(
        rows,
        hide_index=True,
        width="stretch",
        disabled=["key", "Change", "From", "Disagreement", "Check"],
        column_config={
            "key": None,
            "accept": st.column_config.CheckboxColumn("Accept", help="Tick what the room agreed"),
            "Change": st.column_config.TextColumn(width="large"),
            "Disagreement": DISAGREEMENT,
        },
        key=f"round_review_{found.code}_{fingerprint}",
    )
    chosen = {str(row["key"]) for row in decided if row["accept"]}
    return [p for p in changing if p.key in chosen]


def _confirmations(found: Round, implausible: list[Proposal], names: Mapping[str, str]) -> list[str]:
    """One tick of its own for each implausible value accepted; the keys confirmed."""
    confirmed = []
    for p in implausible:
        if st.checkbox(
            f"Yes: {plain(p.described(names.get(p.experience, p.experience)))} ({plain(p.implausible)})",
            key=f"round_confirm_{found.code}_{p.key}",
        ):
            confirmed.append(p.key)
    return confirmed


def _open_form(board: Board, store: Store, editor: access.Editor, *, expanded: bool) -> None:
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
