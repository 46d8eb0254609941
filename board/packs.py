"""The workshop pack on the board (:mod:`cxprio.outputs.report`): built in the background, with
its progress on screen, then downloaded.

A pack of 10,000 experiences takes several seconds to build, so a click starts it on a
worker thread shared by every session and the page shows how far it has got; the file
is kept per catalogue version, weights, quarter comparison and format, so a second
click, or a second person, gets it at once. The board's file is byte for byte the one
``python -m cxprio report`` writes for the same catalogue, weights and history.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Hashable
from typing import Any

import streamlit as st

from cxprio.errors import StoreError
from cxprio.method.rounds.model import Round
from cxprio.outputs.report import FORMATS, build, file_name, gather, newest_history
from cxprio.outputs.rounds import round_record
from cxprio.store.rounds import list_rounds
from cxprio.store.snapshots import list_snapshots

from .jobs import Jobs
from .show import NO_RERUN, plain
from .state import Board

POLL_SECONDS = 0.5

_JOBS: Jobs[Hashable, bytes] = Jobs("cxprio-pack", 6, drop_queued=False)
_PROGRESS: dict[Hashable, tuple[float, str]] = {}
_LOCK = threading.Lock()


def history_quarters(board: Board) -> tuple[tuple[str, int], ...]:
    """The two newest quarters with a snapshot and the ids of their snapshots, which the
    pack compares; empty when the store has fewer than two (or cannot be used)."""
    store = board.record.store
    if store is None:
        return ()
    try:
        snapshots = list_snapshots(store)
    except StoreError:
        return ()
    newest = {snapshot.quarter: snapshot.id for snapshot in snapshots}
    pairs = tuple(sorted(newest.items()))[-2:]
    return pairs if len(pairs) == 2 else ()


def closed_rounds(board: Board) -> list[Round]:
    """The closed workshop rounds, newest first, whose results the pack can include;
    none when the store cannot be used."""
    store = board.record.store
    if store is None:
        return []
    try:
        return [r for r in list_rounds(store) if r.closed]
    except StoreError:
        return []


def _job(
    board: Board, fmt: str, quarters: tuple[tuple[str, int], ...], round_code: str | None
) -> tuple[Hashable, Any]:
    # The day too: the slides carry the date they are made (a pack asked for before
    # midnight is made again the next day, not served with yesterday's date).
    key = (board.sha256, board.weight_key, quarters, round_code, fmt, datetime.date.today())
    loaded, weights, store = board.loaded, dict(board.weights), board.record.store

    def progress(done: float, doing: str) -> None:
        with _LOCK:
            _PROGRESS[key] = (done, doing)

    def work() -> bytes:
        history = newest_history(store) if store is not None and quarters else None
        record = (
            round_record(store, round_code, loaded.catalogue) if store is not None and round_code else None
        )
        workshop = gather(loaded, weights=weights, history=history, round_record=record, progress=progress)
        return build(workshop, fmt, progress)

    return key, work


def _start(key: Hashable, work: Any) -> None:
    _JOBS.request(key, work)


SHORT = {"html": "Report", "xlsx": "Workbook", "pptx": "Slides", "charts": "Charts", "zip": "Workshop pack"}
"""Each format's name on its button: the whole label sits beside it, and a long one
would be cut on a projector."""


def offer(
    board: Board, fmt: str, *, key: str, label: str | None = None, round_code: str | None = None
) -> None:
    """A button that prepares the pack's ``fmt`` file (with the closed workshop round
    ``round_code``'s results, when given), its progress while it is built, then the
    button that downloads it."""
    what = label or FORMATS[fmt].label
    quarters = history_quarters(board)
    job_key, work = _job(board, fmt, quarters, round_code)
    future = _JOBS.peek(job_key)
    if future is None:
        st.button(
            f"Prepare: {label or SHORT[fmt]}",
            key=f"{key}_prepare",
            icon=":material/build:",
            on_click=_start,
            args=(job_key, work),
        )
        return
    if future.done():
        problem = future.exception()
        if problem is not None:
            st.error(f"The {what} could not be made: {plain(str(problem))}. Click to try again.")
            _JOBS.forget(job_key)
            return
        st.download_button(
            f"Download: {label or SHORT[fmt]}",
            future.result(),
            file_name=file_name(board.loaded.source, fmt),
            mime=FORMATS[fmt].mime,
            key=f"{key}_download",
            icon=":material/download:",
            type="primary",
            on_click=NO_RERUN,
        )
        return

    @st.fragment(run_every=POLL_SECONDS)
    def progress() -> None:
        if future.done():
            st.rerun(scope="app")
        with _LOCK:
            done, doing = _PROGRESS.get(job_key, (0.0, "Waiting for the pack being made before"))
        st.progress(min(max(done, 0.0), 1.0), text=f"{what}: {doing.lower()}…")

    progress()
