"""Rank ranges computed in the background, so the ranked table never waits for them.

The ranges re-rank every experience under 500 nearby weightings (see
:func:`cxprio.method.scoring.robustness`): about 10 ms at 1,000 experiences and over 100 ms at
10,000, at every new weighting. A page looks up what is known with :func:`RangeJobs.peek`,
draws what it has, and asks for the missing ranges with :func:`RangeJobs.request` as its
last step, once everything else is on screen, so the work never competes with drawing
the page; :func:`wait_and_rerun` reruns the page once they are ready. A run that a newer
slider move interrupts never reaches its last step, so weightings passed over while
someone drags a slider are never computed.

Results are kept per catalogue version, weighting and top N, shared by every session.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import streamlit as st

from .jobs import Jobs

GRACE_SECONDS = 0.01
"""How long a job waits before it starts: the run that asked for it is then done sending
its page, so the work never slows the page's last elements on their way to the browser."""
KEEP = 64
"""Finished results kept (a weighting's ranges for 10,000 experiences take about 0.5 MB)."""
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class RankRanges:
    """One weighting's rank ranges, one row per experience in id order: the table
    :func:`cxprio.method.scoring.robustness` returns, and the two displayed columns built once."""

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


class RangeJobs:
    """The rank ranges asked for, by weighting, on one worker thread: asking for a new
    weighting drops those still queued, which nobody is looking at any more."""

    def __init__(self) -> None:
        self._jobs: Jobs[Hashable, RankRanges] = Jobs("cxprio-ranges", KEEP, drop_queued=True)

    def peek(self, key: Hashable) -> Future[RankRanges] | None:
        """The future of ``key``'s ranges when they were asked for, without starting them."""
        return self._jobs.peek(key)

    def request(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> Future[RankRanges]:
        """The future of ``key``'s ranges, computed by ``compute`` unless known already."""
        return self._jobs.request(key, functools.partial(_after_grace, compute))


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
