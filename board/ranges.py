"""Rank ranges computed in the background, so the ranked table never waits for them.

The ranges re-rank every experience under 500 nearby weightings (see
:func:`cxprio.scoring.robustness`): about 10 ms at 1,000 experiences and over 100 ms at
10,000, at every new weighting. A page looks up what is known with :func:`RangeJobs.peek`,
draws what it has, and asks for the missing ranges with :func:`RangeJobs.request` as its
last step, once everything else is on screen, so the work never competes with drawing
the page; :func:`wait_and_rerun` reruns the page once they are ready. A run that a newer
slider move interrupts never reaches its last step, so weightings passed over while
someone drags a slider are never computed.

Results are kept per catalogue version, weighting and top N, shared by every session.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import streamlit as st

GRACE_SECONDS = 0.01
"""How long a job waits before it starts: the run that asked for it is then done sending
its page, so the work never slows the page's last elements on their way to the browser."""
KEEP = 64
"""Finished results kept (a weighting's ranges for 10,000 experiences take about 0.5 MB)."""
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class RankRanges:
    """One weighting's rank ranges, one row per experience in id order: the table
    :func:`cxprio.scoring.robustness` returns, and the two displayed columns built once."""

    frame: pd.DataFrame
    text: pa.Array  # "p5–p95"
    stable: npt.NDArray[np.bool_]  # stays in the top N

    @classmethod
    def of(cls, frame: pd.DataFrame) -> RankRanges:
        low, high = frame["rank_p5"].tolist(), frame["rank_p95"].tolist()
        text = pa.array([f"{a}–{b}" for a, b in zip(low, high, strict=True)], type=pa.string())
        return cls(frame, text, frame["stable_top_n"].to_numpy(dtype=bool))


def _after_grace(compute: Callable[[], pd.DataFrame]) -> RankRanges:
    time.sleep(GRACE_SECONDS)
    return RankRanges.of(compute())


@dataclass
class RangeJobs:
    """One worker thread and the futures of the weightings asked for, newest last."""

    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxprio-ranges")
    )
    futures: OrderedDict[Hashable, Future[RankRanges]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def peek(self, key: Hashable) -> Future[RankRanges] | None:
        """The future of ``key``'s ranges when they were asked for, without starting them."""
        with self.lock:
            future = self.futures.get(key)
            return None if future is None or future.cancelled() else future

    def request(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> Future[RankRanges]:
        """The future of ``key``'s ranges, started now unless it is known already."""
        with self.lock:
            future = self.futures.get(key)
            if future is not None and not future.cancelled():
                self.futures.move_to_end(key)
                return future
            for stale in [k for k, f in self.futures.items() if not f.running() and not f.done()]:
                self.futures.pop(stale).cancel()  # queued for a weighting already left behind
            future = self.executor.submit(_after_grace, compute)
            self.futures[key] = future
            while len(self.futures) > KEEP:
                self.futures.popitem(last=False)
            return future


_JOBS = RangeJobs()


def jobs() -> RangeJobs:
    """The process's one set of range jobs, shared by every session (its worker thread
    starts with the first job)."""
    return _JOBS


def wait_and_rerun(key: Hashable, compute: Callable[[], pd.DataFrame], message: str) -> None:
    """Show ``message`` until ``key``'s ranges are done, then rerun the page to show them.

    The page asks for the ranges as its last step; should they be dropped before they
    are done (every kept result is newer), a later poll asks for them again.
    """
    board_jobs = jobs()
    polls = 0

    @st.fragment(run_every=POLL_SECONDS)
    def poll() -> None:
        nonlocal polls
        polls += 1
        # The first poll runs inline, while the page is drawn: it only looks.
        future = board_jobs.peek(key) if polls == 1 else board_jobs.request(key, compute)
        if future is not None and future.done():
            st.rerun(scope="app")
        st.caption(message)

    poll()
