"""Workshop rounds on the board: a participant's scoring, the facilitator's live view.

The page (``pages/rounds.py``) has two faces. With ``?round=CODE`` in the address it is
a participant's: join with a name (or as the signed-in user), score, see your progress
and what the facilitator has revealed. Without it, it is the facilitator's: open a
round, watch it live on the projector, reveal, review and close. Everything a person
enters is saved to the store at once (:mod:`cxprio.rounds`); the address keeps the
participant's private key (``&me=...``), so a refresh, a closed tab or a restarted
server finds their place and their scores. Nothing in the address or the session makes
anyone a facilitator: each run asks :func:`board.access.editor`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cxprio.model import MEASURES, Tier
from cxprio.rounds import (
    AMBITION,
    JUDGEMENT,
    JUDGEMENT_RANGE,
    NUMBER,
    TIER,
    WEIGHT,
    Aggregate,
    Participant,
    Round,
    RoundError,
    Score,
    record,
)
from cxprio.store import Store

from .show import keep_message
from .sidebar import MEASURE_LABELS

LIVE_SECONDS = 2.0
"""How often the facilitator's live view refreshes."""
REVEAL_SECONDS = 5.0
"""How often a participant's page looks for what has been revealed: less often than the
projector, as each refresh redraws part of a page someone is clicking on."""
CHART_ROWS = 15
"""Experience and criterion pairs the projector's chart draws, widest disagreement first."""
ROUND_KEY = "round"
ME_KEY = "me"
REFUSED = "round_error"
"""Session key: the last refused score's reason, shown once (:func:`board.show.message_once`)."""
DONE = "round_done"
"""Session key: what the last open or close did, shown once after its rerun."""
DISAGREEMENT = st.column_config.ProgressColumn(
    "Disagreement",
    min_value=0.0,
    max_value=1.0,
    format="%.2f",
    help="The middle half of the scores as a share of the criterion's range",
)
"""How every table of a round shows the disagreement (a 0..1 spread)."""
TIER_LABELS = [t.label for t in Tier]
CRITERION_LABELS = {**MEASURE_LABELS, AMBITION: "Ambition"}


def criterion_label(criterion: str, kind: str) -> str:
    """``Reach (1-5)``, ``Failure demand (number)``, ``Ambition``."""
    label = CRITERION_LABELS.get(criterion, criterion)
    return f"{label} (1-5)" if kind == JUDGEMENT else f"{label} (number)" if kind == NUMBER else label


def _save(store: Store, code: str, person: Participant, entries: list[tuple[str, str, Any]]) -> None:
    try:
        record(store, code, person, entries)
    except RoundError as exc:
        keep_message(REFUSED, str(exc))


def save_widget(
    store: Store, code: str, person: Participant, key: str, experience: str, criterion: str
) -> None:
    """A widget's ``on_change``: save its value as the score, at once."""
    value = st.session_state.get(key)
    if criterion == AMBITION and isinstance(value, str):
        value = value.lower()
    _save(store, code, person, [(experience, criterion, value)])


def widget_key(code: str, experience: str, criterion: str) -> str:
    return f"round_{code}_{experience}_{criterion}"


def score_inputs(
    store: Store, found: Round, person: Participant, experience: str, mine: dict[tuple[str, str], Score]
) -> None:
    """One experience's inputs, each saved the moment it changes."""
    for criterion, kind in found.criteria.items():
        key = widget_key(found.code, experience, criterion)
        stored = mine.get((experience, criterion))
        label = criterion_label(criterion, kind)
        on_change, args = save_widget, (store, found.code, person, key, experience, criterion)
        if kind == TIER:
            if key not in st.session_state:
                st.session_state[key] = stored.tier.capitalize() if stored and stored.tier else None
            st.segmented_control(label, TIER_LABELS, key=key, on_change=on_change, args=args)
        elif kind == JUDGEMENT:
            if key not in st.session_state:
                st.session_state[key] = (
                    int(stored.value)
                    if stored and stored.value is not None and float(stored.value).is_integer()
                    else (stored.value if stored else None)
                )
            options = [1, 2, 3, 4, 5]
            if st.session_state[key] not in (None, *options):
                options = sorted({*options, st.session_state[key]})
            st.segmented_control(
                label,
                options,
                key=key,
                on_change=on_change,
                args=args,
                help="1: lowest on the catalogue's scale, 5: highest",
            )
        else:
            if key not in st.session_state:
                st.session_state[key] = stored.value if stored else None
            low = 1.0 if criterion == "depth" else 0.0
            high = 1.0 if criterion == "failure_demand" else 5.0 if criterion == "depth" else None
            st.number_input(label, min_value=low, max_value=high, key=key, on_change=on_change, args=args)


def score_table(
    store: Store, found: Round, person: Participant, names: dict[str, str], mine: dict[tuple[str, str], Score]
) -> None:
    """Every experience in one table; each edited cell is saved as the editor returns it."""
    columns: dict[str, Any] = {"experience": st.column_config.TextColumn("Experience", disabled=True)}
    for criterion, kind in found.criteria.items():
        label = criterion_label(criterion, kind)
        if kind == TIER:
            columns[criterion] = st.column_config.SelectboxColumn(label, options=[t.value for t in Tier])
        elif kind == JUDGEMENT:
            columns[criterion] = st.column_config.NumberColumn(
                label, min_value=JUDGEMENT_RANGE[0], max_value=JUDGEMENT_RANGE[1], step=0.5, format="%g"
            )
        else:
            columns[criterion] = st.column_config.NumberColumn(label, min_value=0.0)
    table = pd.DataFrame(
        [
            {
                "experience": names.get(e, e),
                **{
                    c: (
                        (mine[(e, c)].tier if kind == TIER else mine[(e, c)].value)
                        if (e, c) in mine
                        else None
                    )
                    for c, kind in found.criteria.items()
                },
            }
            for e in found.experiences
        ],
        index=list(found.experiences),
    )
    for criterion, kind in found.criteria.items():
        table[criterion] = table[criterion].astype("object" if kind == TIER else "float64")
    edited = st.data_editor(
        table,
        column_config=columns,
        hide_index=True,
        width="stretch",
        key=f"round_table_{found.code}_{len(mine)}",
    )
    entries = []
    for experience in found.experiences:
        for criterion in found.criteria:
            before: Any = table.at[experience, criterion]
            after: Any = edited.at[experience, criterion]
            if _missing(before) and _missing(after):
                continue
            if _missing(before) or _missing(after) or before != after:
                entries.append((experience, criterion, None if _missing(after) else after))
    if entries:
        _save(store, found.code, person, entries)
        st.rerun()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def weights_form(
    store: Store,
    found: Round,
    person: Participant,
    mine: dict[tuple[str, str], Score],
    defaults: dict[str, float],
) -> None:
    """The participant's weights vote: five sliders, saved together."""
    with st.form(f"round_weights_{found.code}", border=True):
        st.markdown("**Your weights**: how much each measure should count (relative to each other)")
        chosen = {}
        for measure in MEASURES:
            stored = mine.get(("", f"{WEIGHT}{measure}"))
            chosen[measure] = st.slider(
                MEASURE_LABELS[measure],
                0.0,
                1.0,
                float(stored.value) if stored and stored.value is not None else float(defaults[measure]),
                0.05,
                key=f"round_weight_{found.code}_{measure}",
            )
        if st.form_submit_button("Save my weights", icon=":material/save:"):
            _save(store, found.code, person, [("", f"{WEIGHT}{m}", v) for m, v in chosen.items()])
            st.rerun()


def aggregate_rows(summaries: list[Aggregate], names: dict[str, str]) -> pd.DataFrame:
    """The summaries as the projector's table: experience, criterion, n, median, middle
    half (q1-q3), range (min-max), votes, spread."""

    def number(value: float) -> str:
        return f"{value:.3g}"

    rows = []
    for a in summaries:
        if a.kind == TIER:
            median = a.majority.capitalize() if a.majority else "tied"
            middle = spread = ""
            votes = ", ".join(f"{t.capitalize()} {c}" for t, c in a.votes.items() if c)
        else:
            median, votes = number(a.median), ""
            middle = f"{number(a.q1)}–{number(a.q3)}"
            spread = f"{number(a.min)}–{number(a.max)}"
        rows.append(
            {
                "Experience": names.get(a.experience, a.experience),
                "Criterion": CRITERION_LABELS.get(a.criterion, a.criterion),
                "Scores": a.n,
                "Median": median,
                "Middle half": middle,
                "Range": spread,
                "Votes": votes,
                "Disagreement": a.disagreement,
            }
        )
    return pd.DataFrame(rows)


def chart_rows(summaries: list[Aggregate], names: dict[str, str]) -> pd.DataFrame:
    """What :func:`cxprio.charts.judgement_spread` draws, labelled for people."""
    return pd.DataFrame(
        [
            {
                "label": f"{names.get(a.experience, a.experience)} · {CRITERION_LABELS.get(a.criterion, a.criterion)}",
                "n": a.n,
                "median": a.median,
                "q1": a.q1,
                "q3": a.q3,
                "min": a.min,
                "max": a.max,
            }
            for a in summaries
        ]
    )


def results_table(place: Any, summaries: list[Aggregate], names: dict[str, str], key: str) -> None:
    """The revealed results as a table, widest disagreement first, in ``place``."""
    place.dataframe(
        aggregate_rows(summaries, names),
        hide_index=True,
        width="stretch",
        column_config={"Disagreement": DISAGREEMENT},
        key=key,
    )
