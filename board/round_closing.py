"""Closing a workshop round, on the facilitator's page: the raw scores, what each result
would change, ticks for what the room agreed (nothing ticked at first), a tick of its
own for each implausible value, and the close into the catalogue (and a snapshot, when
asked)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import streamlit as st

from cxprio import CatalogueError
from cxprio.errors import StaleVersion, StoreError, UsageError
from cxprio.method.rounds.model import (
    Round,
    RoundError,
    Score,
)
from cxprio.method.rounds.proposals import Proposal, Unconfirmed, proposals
from cxprio.method.rounds.summary import aggregate, by_experience
from cxprio.outputs.rounds import scores_csv
from cxprio.store.round_closing import close_round
from cxprio.store.rounds import end_scoring
from cxprio.store.snapshots import parse_quarter, take_snapshot
from cxprio.store.versions import Store

from . import access, source
from .rounds import (
    DISAGREEMENT,
    DONE,
    REFUSED,
)
from .show import NO_RERUN, keep_message, plain, sentence, show_problems
from .sidebar import PAGES
from .state import Board


def review_and_close(
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
