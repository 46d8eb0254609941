"""Workshop rounds: many people score at once; the board shows where they disagree.

With ``?round=CODE`` the page is a participant's; without it, the facilitator's (an
editor's: see board/access.py). See board/rounds.py and docs/rounds.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st

from board import access, open_page, source
from board import rounds as live
from board.charts import readable
from board.show import NO_RERUN, keep_message, message_once, plain, sentence, show_problems, store_or_stop
from board.sidebar import PAGES
from cxprio import CatalogueError, charts
from cxprio.errors import StaleVersion, StoreError, UsageError
from cxprio.model import Level
from cxprio.rounds import (
    CRITERIA,
    JUDGEMENT,
    Round,
    RoundError,
    Score,
    aggregate,
    by_experience,
    close_round,
    facilitator_view,
    get_round,
    join,
    kind_of,
    list_rounds,
    normal_code,
    open_round,
    proposals,
    rejoin,
    reveal,
    scores,
    scores_csv,
    select_experiences,
)
from cxprio.snapshots import parse_quarter, take_snapshot

board = open_page("Workshop rounds")
store = store_or_stop(board, "are no workshop rounds")
catalogue = board.catalogue
names = {e.id: e.name for e in catalogue.experiences}
asked = st.query_params.get(live.ROUND_KEY)


def results(found: Round, rows: list[Score] | None = None, *, by_name: bool = False) -> None:
    """What has been revealed of a round: per experience and criterion, widest
    disagreement first; with ``by_name``, each person's scores too (never on a projector).
    ``rows``: the round's scores, when the caller has read them."""
    rows = scores(store, found) if rows is None else rows
    summaries = [a for a in aggregate(found, rows, catalogue) if found.is_revealed(a.experience)]
    if not summaries:
        st.caption("Nothing revealed yet: scores stay hidden until the facilitator reveals them.")
        return
    live.results_table(st, summaries, names, f"round_results_{found.code}_{by_name}")
    if by_name:
        shown = [r for r in rows if r.experience and found.is_revealed(r.experience)]
        if shown:
            table: dict[str, dict[str, str]] = {}
            for r in shown:
                table.setdefault(r.participant, {})[
                    f"{names.get(r.experience, r.experience)} · {r.criterion}"
                ] = r.shown
            st.dataframe(
                [{"Participant": who, **values} for who, values in table.items()],
                hide_index=True,
                key=f"round_by_name_{found.code}",
            )


# --- a participant -----------------------------------------------------------------------

if asked:
    try:
        found = get_round(store, asked)
    except (RoundError, StoreError) as problem:
        st.title("Workshop round")
        st.error(sentence(str(problem)), icon=":material/error:")
        st.stop()
    st.title(plain(found.title))
    st.caption(f"Round {found.code} · {len(found.experiences)} experiences · {found.state()}")
    person = rejoin(store, found.code, st.query_params.get(live.ME_KEY, ""))
    if person is None and found.closed:
        st.info("This round is closed: its results are below.", icon=":material/lock:")
        results(found)
        st.stop()
    if person is None:
        signed_in = access.mode() == "sign-in" and st.user.is_logged_in
        if signed_in:
            email = str(st.user.get("email") or "")
            who = str(st.user.get("name") or email)
            try:
                person = join(store, found.code, who, user=email)
            except RoundError as problem:
                st.error(sentence(str(problem)), icon=":material/error:")
                st.stop()
        else:
            with st.form("round_join", border=True):
                name = st.text_input(
                    "Your name",
                    key="round_name",
                    max_chars=80,
                    help="The facilitator sees who has scored; others do not see your scores",
                )
                joining = st.form_submit_button(
                    "Join the round", type="primary", icon=":material/login:", key="round_join_button"
                )
            if not joining:
                st.stop()
            try:
                person = join(store, found.code, name)
            except (RoundError, StoreError) as problem:
                st.error(sentence(str(problem)), icon=":material/error:")
                st.stop()
        st.query_params[live.ME_KEY] = person.token
        st.rerun()  # drawn again as a participant, without the join form
    mine_rows = [r for r in scores(store, found) if r.participant == person.name]
    mine = {(r.experience, r.criterion): r for r in mine_rows}
    done = len(mine)
    st.progress(
        min(1.0, done / max(1, found.expected())),
        text=f"{plain(person.name)}: {done} of {found.expected()} scored",
    )
    st.caption(
        "Each score is saved the moment you enter it; you can change it until the round closes. "
        "This page's address is your personal link: keep it to come back to your scores."
    )
    message = message_once(live.REFUSED)
    if message:
        st.error(sentence(message), icon=":material/error:")
    if not found.scoring_open():
        st.info(f"This round is {found.state()}: scores can no longer change.", icon=":material/lock:")
        results(found)
        st.stop()
    layout = st.segmented_control(
        "Score", ["One at a time", "All in a table"], default="One at a time", key="round_layout"
    )
    if layout == "All in a table":
        live.score_table(store, found, person, names, mine)
    else:
        at = st.session_state.setdefault("round_at", 0) % len(found.experiences)
        experience = found.experiences[at]
        with st.container(border=True):
            st.subheader(f"{at + 1} of {len(found.experiences)}: {plain(names.get(experience, experience))}")
            known = catalogue.experience(experience) if experience in names else None
            if known is not None:
                st.caption(
                    f"{known.level.value.capitalize()}"
                    + (f" · {plain(known.outcome)}" if known.outcome else "")
                )
            live.score_inputs(store, found, person, experience, mine)
        back, forward = st.columns(2)
        if back.button("Previous", icon=":material/arrow_back:", disabled=at == 0, width="stretch"):
            st.session_state["round_at"] = at - 1
            st.rerun()
        if forward.button(
            "Next",
            icon=":material/arrow_forward:",
            type="primary",
            disabled=at == len(found.experiences) - 1,
            width="stretch",
        ):
            st.session_state["round_at"] = at + 1
            st.rerun()
    if found.weights_vote:
        live.weights_form(store, found, person, mine, catalogue.scoring.weights.as_dict())

    @st.fragment(run_every=live.REVEAL_SECONDS)
    def revealed() -> None:
        st.subheader("Revealed so far")
        results(get_round(store, found.code))

    revealed()
    st.stop()


# --- the facilitator ---------------------------------------------------------------------

st.title("Workshop rounds")
st.caption(
    "Everyone scores the same experiences on their own laptop; scores stay hidden until you "
    "reveal them, so nobody anchors on the first opinion. Then the board puts the widest "
    "disagreement first: that is what the room should talk about."
)
with st.form("round_code", border=False):
    field, go = st.columns([3, 1], vertical_alignment="bottom")
    typed = field.text_input(
        "Taking part? Join a round with its code", max_chars=12, placeholder="ABC234", key="round_code_typed"
    )
    if go.form_submit_button("Join", icon=":material/login:", width="stretch") and normal_code(typed):
        st.query_params[live.ROUND_KEY] = normal_code(typed)
        st.rerun()

facilitating = access.editor()
if facilitating is None:
    st.stop()
editor: access.Editor = facilitating
if access.mode() == "single user":
    st.caption(
        "Anyone who can open this board can facilitate here: set an editor passcode (see "
        "secrets.toml.example) when participants connect to it."
    )
message = message_once(live.REFUSED)
if message:
    st.error(sentence(message), icon=":material/error:")
closed_note = message_once(live.DONE)
if closed_note:
    st.success(closed_note, icon=":material/check_circle:")


def open_form(expanded: bool) -> None:
    """The form that opens a round: which experiences, criteria, weights vote, closing time."""
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
            default=list(CRITERIA),
            format_func=lambda c: live.CRITERION_LABELS[c],
            key="round_criteria",
        )
        weights = st.checkbox("Participants also vote on the weights", key="round_weights_vote")
        closes = st.checkbox("Stop taking scores at a set time")
        left, right = st.columns(2)
        day = left.date_input("Closing day (UTC)", value=datetime.now(UTC).date())
        hour = right.time_input("Closing time (UTC)", value=time(hour=(datetime.now(UTC).hour + 2) % 24))
        if st.form_submit_button(
            "Open the round", type="primary", icon=":material/play_arrow:", key="round_open_button"
        ):
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
                )
            except (RoundError, StoreError) as problem:
                st.error(sentence(str(problem)), icon=":material/error:")
            else:
                st.session_state["round_new"] = made.code  # chosen before the picker is drawn
                keep_message(live.DONE, f"Round {made.code} is open: participants join with its code.")
                st.rerun()


every = list_rounds(store)
if not every:
    open_form(expanded=True)
    st.stop()
codes = [r.code for r in every]
if st.session_state.get("round_new") in codes:
    st.session_state["round_chosen"] = st.session_state.pop("round_new")
if st.session_state.get("round_chosen") not in codes:
    st.session_state["round_chosen"] = codes[0]
chosen_code = st.selectbox(
    "Round",
    codes,
    key="round_chosen",
    format_func=lambda c: next(f"{r.code} · {r.title} · {r.state()}" for r in every if r.code == c),
)
found = get_round(store, chosen_code)
st.markdown(f"## Join code **{found.code}**")
st.caption(
    f"Participants open this board's Workshop rounds page and type the code, or follow the link `/rounds?round={found.code}`."
)

projector, names_tab, closing = st.tabs(
    ["Live (projector)", "By name (your screen only)", "Review and close"]
)

with projector:
    if not found.closed:
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        pick = left.selectbox(
            "Reveal one experience",
            [e for e in found.experiences if not found.is_revealed(e)],
            format_func=lambda i: names.get(i, i),
            key=f"round_reveal_pick_{found.code}",
            index=None,
            placeholder="Choose an experience",
        )
        if right.button("Reveal it", disabled=pick is None, width="stretch"):
            reveal(store, found.code, pick)
            st.rerun()
        if st.button(
            "Reveal the whole round",
            type="primary",
            icon=":material/visibility:",
            disabled=found.revealed_all,
        ):
            reveal(store, found.code)
            st.rerun()

    @st.fragment(run_every=live.LIVE_SECONDS)
    def live_view() -> None:
        view = facilitator_view(store, chosen_code, catalogue, board.weights, norm=board.norm)
        people, rows, table, summaries = view.people, view.rows, view.progress, view.revealed
        figures = st.columns(3)
        figures[0].metric("Joined", len(people))
        figures[1].metric("Scores", len(rows))
        figures[2].metric("Everyone's progress", f"{(table['share'].mean() if len(table) else 0):.0%}")
        left, right = st.columns([1, 2], gap="large")
        if len(table):
            left.dataframe(
                table[["name", "scored", "of", "share"]],
                hide_index=True,
                width="stretch",
                height=min(400, 38 + 35 * len(table)),
                column_config={
                    "name": "Joined",
                    "share": st.column_config.ProgressColumn(
                        "Progress", min_value=0.0, max_value=1.0, format="percent"
                    ),
                },
                key="round_progress",
            )
        judged = [a for a in summaries if a.kind == JUDGEMENT][: live.CHART_ROWS]
        if judged:
            right.altair_chart(
                readable(charts.judgement_spread(live.chart_rows(judged, names))), width="stretch"
            )
        st.subheader("Where people disagree")
        if not summaries:
            st.caption("Nothing revealed yet: scores stay hidden until you reveal them.")
        else:
            live.results_table(st, summaries, names, "round_live_results")
            moved = view.moved
            st.subheader("If the medians were accepted")
            if len(moved):
                st.dataframe(
                    moved[
                        ["name", "rank_now", "rank_accepted", "moves", "priority_now", "priority_accepted"]
                    ].head(15),
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
            else:
                st.caption("The ranking would not change.")
        vote = view.vote
        if vote is not None:
            st.subheader(f"Weights vote ({vote.voters} voters)")
            st.dataframe(
                [{live.CRITERION_LABELS[m]: f"{w:.0%}" for m, w in vote.median.items()}],
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

    live_view()


def review_and_close(found: Round, rows: list[Score]) -> None:
    """The raw scores (``rows``), then what each experience's results would change:
    accept some or all, and close the round into the catalogue (and a snapshot, when
    asked)."""
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
        st.success(
            f"Closed {found.closed_at:%Y-%m-%d %H:%M} UTC by {plain(found.closed_by or '')}: "
            + (
                f"{len(found.accepted)} value(s) accepted into version {found.result_version_id}."
                if found.result_version_id
                else "no value changed in the catalogue."
            ),
            icon=":material/lock:",
        )
        st.page_link(PAGES["history"].script, label="The change history", icon=":material/history:")
        return
    summaries = aggregate(found, rows, catalogue)
    offered = proposals(found, summaries, catalogue)
    if not offered:
        st.caption("No scores yet.")
    order = by_experience(summaries)
    review = [
        {
            "accept": True,
            "id": e,
            "Experience": names.get(e, e),
            "Would change": "; ".join(
                f"{p.criterion} {p.current if p.current is not None else '–'} → {p.proposed if p.proposed is not None else '–'}"
                + (f" ({p.note})" if p.note else "")
                for p in offered
                if p.experience == e and (p.changes or p.note)
            )
            or "nothing",
            "Disagreement": max(p.disagreement for p in offered if p.experience == e),
        }
        for e in order
    ]
    bulk = st.segmented_control("Accept", ["All", "None"], default="All", key=f"round_bulk_{found.code}")
    for row in review:
        row["accept"] = bulk == "All"
    decided = st.data_editor(
        review,
        hide_index=True,
        width="stretch",
        disabled=["id", "Experience", "Would change", "Disagreement"],
        column_config={
            "id": None,
            "accept": st.column_config.CheckboxColumn("Accept"),
            "Disagreement": live.DISAGREEMENT,
        },
        key=f"round_review_{found.code}_{bulk}",
    )
    accepted = [str(row["id"]) for row in decided if row["accept"]]
    quarter = st.text_input(
        "Then take a snapshot of quarter (optional)", placeholder="2026-Q4", key=f"round_quarter_{found.code}"
    )
    if st.button(
        "Close the round and save",
        type="primary",
        icon=":material/task_alt:",
        key=f"round_close_{found.code}",
    ):
        try:
            label = parse_quarter(quarter) if quarter.strip() else None
            if source.using_upload():
                raise RoundError(
                    "an uploaded catalogue is this session's only: go back to the file to close a round"
                )
            closed = close_round(
                store,
                found.code,
                accept=accepted,
                author=editor.name,
                file=source.configured_path(),
                file_sha256=board.record.file_sha256,
            )
            if label is not None:
                take_snapshot(store, label, author=editor.name)
        except StaleVersion as problem:
            st.error(sentence(str(problem)), icon=":material/sync_problem:")
        except CatalogueError as problem:
            show_problems(problem.problems)
        except (UsageError, StoreError) as problem:
            st.error(sentence(str(problem)), icon=":material/error:")
        else:
            changed = len(closed.saved.edited.changes) if closed.saved else 0
            keep_message(
                live.DONE,
                f"Round {found.code} closed: {changed} value(s) saved"
                + (f" as version {closed.saved.version.id}" if closed.saved else "")
                + (f"; snapshot of {label} taken." if label else "."),
            )
            st.rerun()


rows = scores(store, found)  # once for both tabs (the live view reads its own at each refresh)
with names_tab:
    results(found, rows, by_name=True)
with closing:
    review_and_close(found, rows)

open_form(expanded=False)
