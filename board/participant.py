"""A workshop participant's face of the Workshop rounds page (``/rounds?round=CODE``).

Join with a name (or as the signed-in user), then score one experience at a time: one
form holds every criterion of the round, each fact with today's value and its unit
beside it, saved with one action (the button, or Enter in a number field), after which
the next experience not yet scored comes up. The keyboard does it all: Tab from field
to field, digits, arrows for the ambition, Enter. The form and its saves run as a
fragment, so a save redraws the form, not the page. What the facilitator reveals
appears below, refreshed by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from cxprio.catalogue.model import Catalogue, Tier
from cxprio.errors import StoreError
from cxprio.method.rounds.model import (
    JUDGEMENT,
    TIER,
    WEIGHT,
    Participant,
    Round,
    RoundError,
    Score,
    criterion_label,
)
from cxprio.method.rounds.summary import aggregate
from cxprio.store.round_scores import join, record, rejoin, scores
from cxprio.store.rounds import get_round
from cxprio.store.versions import Store
from cxprio.throttle import Throttle, seconds_words
from cxprio.units import LABELS, is_fact, with_unit

from . import access
from .rounds import ME_KEY, REVEAL_SECONDS, dots_chart, results_table
from .show import MEASURE_INPUTS, message_once, plain, sentence
from .state import Board

SAVED = "round_saved"
"""Session key: what the participant's last save did, shown once."""
NOT_SAVED = "round_not_saved"
"""Session key: why the participant's last save was refused, shown once."""
PER_ROW = 3
"""Criteria side by side in the form; more start a new row (so Tab goes row by row)."""
TIERS = [t.value for t in Tier]
JOIN_CODES = Throttle()
"""Unknown join codes, per session and per client address (this server's): five free,
then waits that double. A right code does not clear the count, so a guesser cannot mix
in a known code to go on at full speed."""


def widget_key(code: str, experience: str, criterion: str) -> str:
    """The key of one criterion's field in one experience's form."""
    return f"round_{code}_{experience}_{criterion}"


def _at_key(code: str) -> str:
    return f"round_at_{code}"


def participant(board: Board, store: Store, code: str) -> None:
    """The participant's face of round ``code``: join, score, see what is revealed."""
    catalogue, names = board.catalogue, board.prepared.name_of
    guessing = access.guesser()
    waiting = JOIN_CODES.wait(guessing)
    if waiting > 0:
        st.title("Workshop round")
        st.error(
            f"Too many unknown join codes from here: try again in {seconds_words(waiting)}, and check "
            "the code with the facilitator.",
            icon=":material/lock_clock:",
        )
        st.stop()
    try:
        found = get_round(store, code)
    except (RoundError, StoreError) as problem:
        if isinstance(problem, RoundError):
            JOIN_CODES.failed(guessing)
            access.LOG.warning(
                "an unknown join code from %s (%d in a row)",
                access.client_address() or "an unknown address",
                max(JOIN_CODES.failures(k) for k in guessing),
            )
        st.title("Workshop round")
        st.error(sentence(str(problem)), icon=":material/error:")
        st.stop()
    st.title(plain(found.title))
    st.caption(f"Round {found.code} · {len(found.experiences)} experiences · {found.state()}")
    person = rejoin(store, found.code, st.query_params.get(ME_KEY, ""))
    if person is None and found.closed:
        st.info("This round is closed: its results are below.", icon=":material/lock:")
        revealed_results(store, found, catalogue, names)
        st.stop()
    if person is None:
        person = _joined(store, found)
        st.query_params[ME_KEY] = person.token
        st.rerun()  # drawn again as a participant, without the join form
    if not found.scoring_open():
        st.info(f"This round is {found.state()}: scores can no longer change.", icon=":material/lock:")
        revealed_results(store, found, catalogue, names)
        st.stop()
    st.caption(
        "Each save goes straight to the facilitator; you can change a score until the round closes. "
        "This page's address is your personal link: keep it to come back to your scores."
        + (
            "  \nAmbition: *Unique*, what only we do; *Distinct*, better than others; *Competitive*, as "
            "well as others; *Uncompetitive*, less well, by choice."
            if TIER in found.criteria.values()
            else ""
        )
    )
    if _finished(found, scores(store, found, of=person)) and not st.session_state.get(
        _changing_key(found.code)
    ):
        _done(store, found, catalogue, names)
        return
    scoring(store, found, person, catalogue, names)
    if found.weights_vote:
        weights_vote(store, found, person, catalogue.scoring.weights.as_dict())


def _changing_key(code: str) -> str:
    return f"round_changing_{code}"


def _finished(found: Round, rows: Sequence[Score]) -> bool:
    """Whether a participant has scored every experience on every criterion (and voted
    on the weights, when the round asks)."""
    mine = {(r.experience, r.criterion): r for r in rows}
    voted = not found.weights_vote or any(r.criterion.startswith(WEIGHT) for r in rows)
    return voted and all(_complete(found, mine, e) for e in found.experiences)


def _done(store: Store, found: Round, catalogue: Catalogue, names: Mapping[str, str]) -> None:
    """Everything scored: thanks, a way back to the scores, and what is revealed, kept
    up to date by itself. The page looks for reveals only here, where there is no form:
    a refresh that comes as a form is saved can take the save with it."""
    st.success(
        "You have scored every experience in this round: thank you. You can change any score until "
        "the round closes.",
        icon=":material/task_alt:",
    )
    st.button(
        "Change a score",
        icon=":material/edit:",
        key=f"round_change_{found.code}",
        on_click=lambda: st.session_state.__setitem__(_changing_key(found.code), True),
    )

    @st.fragment(run_every=REVEAL_SECONDS)
    def revealed() -> None:
        st.subheader("Revealed so far")
        revealed_results(store, get_round(store, found.code), catalogue, names)

    revealed()


def _joined(store: Store, found: Round) -> Participant:
    """The participant this session joins as: the signed-in account, or a name typed in
    the join form (the page stops until one is given)."""
    if access.mode() == "sign-in" and st.user.is_logged_in:
        email = str(st.user.get("email") or "")
        try:
            return join(store, found.code, str(st.user.get("name") or email), user=email)
        except (RoundError, StoreError) as problem:
            st.error(sentence(str(problem)), icon=":material/error:")
            st.stop()
    with st.form("round_join", border=True):
        name = st.text_input(
            "Your name",
            key="round_name",
            max_chars=80,
            help="The facilitator sees who has scored; the others never see your scores with your name",
        )
        joining = st.form_submit_button(
            "Join the round", type="primary", icon=":material/login:", key="round_join_button"
        )
    if not joining:
        st.stop()
    try:
        return join(store, found.code, name)
    except (RoundError, StoreError) as problem:
        st.error(sentence(str(problem)), icon=":material/error:")
        st.stop()


def _complete(found: Round, mine: Mapping[tuple[str, str], Score], experience: str) -> bool:
    return all((experience, criterion) in mine for criterion in found.criteria)


@st.fragment
def scoring(
    store: Store, found: Round, person: Participant, catalogue: Catalogue, names: Mapping[str, str]
) -> None:
    """Progress, one experience's form, and the way to the others; a save reruns only
    this, and brings up the next experience not yet scored (:func:`_save`)."""
    try:
        mine = {(r.experience, r.criterion): r for r in scores(store, found, of=person)}
    except StoreError as problem:
        st.error(sentence(str(problem)), icon=":material/cloud_off:")
        return
    if _finished(found, list(mine.values())) and not st.session_state.get(_changing_key(found.code)):
        st.rerun()  # all scored: the page shows the thanks and what is revealed
    count = len(found.experiences)
    complete = [e for e in found.experiences if _complete(found, mine, e)]
    st.progress(
        len(complete) / count,
        text=f"{plain(person.name)}: {len(complete)} of {count} experiences scored",
    )
    saved, refused = message_once(SAVED), message_once(NOT_SAVED)
    if saved:
        st.success(saved, icon=":material/check_circle:")
    if refused:
        st.error(refused, icon=":material/error:")
    at_key = _at_key(found.code)
    if at_key not in st.session_state:
        st.session_state[at_key] = next((i for i, e in enumerate(found.experiences) if e not in complete), 0)
    at = int(st.session_state[at_key]) % count
    _form(store, found, person, found.experiences[at], at, mine, catalogue, names)
    _moves(found, at, complete, names)
    st.subheader("Revealed so far")
    revealed_results(store, get_round(store, found.code), catalogue, names)


def _save(
    store: Store,
    found: Round,
    person: Participant,
    experience: str,
    complete: frozenset[str],
    names: Mapping[str, str],
) -> None:
    """The form's save (a callback, so the form drawn next is already the next
    experience's): every criterion at once, an empty field clearing its score.
    ``complete``: the experiences fully scored when the form was drawn."""
    entries = [
        (experience, criterion, st.session_state.get(widget_key(found.code, experience, criterion)))
        for criterion in found.criteria
    ]
    name = plain(names.get(experience, experience))
    try:
        record(store, found.code, person, entries)
    except (RoundError, StoreError) as problem:
        st.session_state[NOT_SAVED] = (
            f"Your scores of {name} were not saved: {sentence(str(problem))}. What you typed is still in the form."
        )
        return
    count = len(found.experiences)
    given = [value for _, _, value in entries if value is not None]
    done = complete | {experience} if len(given) == len(entries) else complete - {experience}
    if len(done) == count:
        st.session_state.pop(_changing_key(found.code), None)  # back to the thanks
    st.session_state[SAVED] = f"Saved your scores of {name}." if given else f"Cleared your scores of {name}."
    at = found.experiences.index(experience)
    following = [(at + step) % count for step in range(1, count + 1)]
    st.session_state[_at_key(found.code)] = next(
        (i for i in following if found.experiences[i] not in done), (at + 1) % count
    )


def _form(
    store: Store,
    found: Round,
    person: Participant,
    experience: str,
    at: int,
    mine: Mapping[tuple[str, str], Score],
    catalogue: Catalogue,
    names: Mapping[str, str],
) -> None:
    """One experience's form: every criterion, each fact with today's value beside it,
    saved with one action."""
    known = next((e for e in catalogue.experiences if e.id == experience), None)
    complete = frozenset(e for e in found.experiences if _complete(found, mine, e))
    count = len(found.experiences)
    with st.form(f"round_form_{found.code}_{experience}", border=True):
        st.subheader(f"{at + 1} of {count}: {plain(names.get(experience, experience))}")
        if known is not None:
            st.caption(
                known.level.value.capitalize() + (f" · {plain(known.outcome)}" if known.outcome else "")
            )
        criteria = list(found.criteria.items())
        for start in range(0, len(criteria), PER_ROW):
            columns = st.columns(PER_ROW)
            for place, (criterion, kind) in zip(columns, criteria[start : start + PER_ROW], strict=False):
                _field(place, found.code, experience, criterion, kind, mine, known)
        last = at == count - 1
        st.form_submit_button(
            "Save" if last else "Save and next",
            type="primary",
            icon=":material/save:",
            key=f"round_save_{found.code}",
            on_click=_save,
            args=(store, found, person, experience, complete, names),
        )


def _field(
    place: Any,
    code: str,
    experience: str,
    criterion: str,
    kind: str,
    mine: Mapping[tuple[str, str], Score],
    known: Any,
) -> None:
    """One criterion's field in ``place``, with what it is today underneath."""
    key = widget_key(code, experience, criterion)
    stored = mine.get((experience, criterion))
    if kind == TIER:
        today = known.ambition.label if known is not None and known.ambition else "none chosen"
        place.radio(
            "Ambition",
            TIERS,
            index=TIERS.index(stored.tier) if stored and stored.tier in TIERS else None,
            format_func=str.capitalize,
            key=key,
        )
        place.caption(f"today: {today}")
        return
    label, low, high, step, shown = MEASURE_INPUTS[criterion]
    if kind == JUDGEMENT:
        label, low, high, step, shown = criterion_label(criterion, kind), 1.0, 5.0, 1.0, "%g"
    place.number_input(
        label,
        min_value=low,
        max_value=high,
        value=None if stored is None or stored.value is None else float(stored.value),
        step=step,
        format=shown,
        key=key,
        placeholder="1 to 5" if kind == JUDGEMENT else "your estimate",
    )
    measured = getattr(known.measures, criterion) if known is not None else None
    if kind != JUDGEMENT or not is_fact(criterion):
        place.caption(f"today: {plain(with_unit(criterion, measured))}")


def _moves(found: Round, at: int, complete: list[str], names: Mapping[str, str]) -> None:
    """Previous, next, and a list to go to any experience (each ticked once scored)."""
    count = len(found.experiences)
    if count == 1:
        return
    at_key = _at_key(found.code)

    def go(to: int) -> None:
        st.session_state[at_key] = to % count

    go_key = f"round_go_{found.code}"

    def picked() -> None:
        chosen = st.session_state.get(go_key)
        if chosen in found.experiences:
            st.session_state[at_key] = found.experiences.index(chosen)

    back, forward, jump = st.columns([1, 1, 3], vertical_alignment="bottom")
    back.button("Previous", icon=":material/arrow_back:", on_click=go, args=(at - 1,), width="stretch")
    forward.button("Next", icon=":material/arrow_forward:", on_click=go, args=(at + 1,), width="stretch")
    done = set(complete)
    st.session_state[go_key] = found.experiences[at]  # the list shows the experience on screen
    jump.selectbox(
        "Go to",
        found.experiences,
        format_func=lambda e: ("✓ " if e in done else "") + names.get(e, e),
        key=go_key,
        on_change=picked,
    )


@st.fragment
def weights_vote(store: Store, found: Round, person: Participant, defaults: dict[str, float]) -> None:
    """The participant's weights vote: five sliders, saved together."""
    mine = {r.criterion: r for r in scores(store, found, of=person) if r.criterion.startswith(WEIGHT)}
    with st.form(f"round_weights_{found.code}", border=True):
        st.markdown("**Your weights**: how much each measure should count, relative to the others")
        chosen = {}
        for measure, label in LABELS.items():
            stored = mine.get(f"{WEIGHT}{measure}")
            chosen[measure] = st.slider(
                label,
                0.0,
                1.0,
                float(stored.value) if stored and stored.value is not None else float(defaults[measure]),
                0.05,
                key=f"round_weight_{found.code}_{measure}",
            )
        saving = st.form_submit_button("Save my weights", icon=":material/save:")
    if saving:
        try:
            record(store, found.code, person, [("", f"{WEIGHT}{m}", v) for m, v in chosen.items()])
        except (RoundError, StoreError) as problem:
            st.error(f"Not saved: {sentence(str(problem))}", icon=":material/error:")
        else:
            if _finished(found, scores(store, found, of=person)):
                st.rerun()  # all scored: the page shows the thanks and what is revealed
            st.success("Your weights are saved.", icon=":material/check_circle:")


def revealed_results(store: Store, found: Round, catalogue: Catalogue, names: Mapping[str, str]) -> None:
    """What the facilitator has revealed of ``found``, with no names: the results, widest
    disagreement first, and their dots."""
    if not found.revealed:
        st.caption("Nothing revealed yet: scores stay hidden until the facilitator reveals them.")
        return
    shown = [e for e in found.experiences if found.is_revealed(e)]  # and no one's hidden scores
    summaries = [
        a
        for a in aggregate(found, scores(store, found, experiences=shown), catalogue)
        if found.is_revealed(a.experience)
    ]
    if not summaries:
        st.caption("Nothing scored yet in what has been revealed.")
        return
    results_table(st, summaries, found, names, f"round_results_{found.code}")
    dots_chart(st, summaries[:10], found, catalogue, names, f"round_dots_{found.code}")
