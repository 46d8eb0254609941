"""Rank ranges computed in the background, so the ranked table never waits for them.

The ranges re-rank every experience under 500 nearby weightings (see
:func:`cxprio.scoring.robustness`): about 10 ms at 1,000 experiences and over 100 ms at
10,000, at every new weighting. The page asks for them with :func:`request`, draws what
it has, and a small fragment reruns the page once they are ready. Results are kept per
catalogue version, weighting and top N, shared by every session; while someone drags a
slider, weightings nobody waits for any more are dropped before they start.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

KEEP = 64
"""Finished results kept (a weighting's ranges for 10,000 experiences take about 0.3 MB)."""
POLL_SECONDS = 0.25


@dataclass
class RangeJobs:
    """One worker thread and the futures of the weightings asked for, newest last."""

    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxprio-ranges")
    )
    futures: OrderedDict[Hashable, Future[pd.DataFrame]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> Future[pd.DataFrame]:
        """The future of ``key``'s ranges, started now unless it is known already."""
        with self.lock:
            future = self.futures.get(key)
            if future is not None and not future.cancelled():
                self.futures.move_to_end(key)
                return future
            for stale in [k for k, f in self.futures.items() if not f.running() and not f.done()]:
                self.futures.pop(stale).cancel()  # queued for a weighting already left behind
            future = self.executor.submit(compute)
            self.futures[key] = future
            while len(self.futures) > KEEP:
                self.futures.popitem(last=False)
            return future


@st.cache_resource(show_spinner=False)
def jobs() -> RangeJobs:
    """The process's one set of range jobs, shared read-only by every session."""
    return RangeJobs()


def wait_and_rerun(future: Future[pd.DataFrame], message: str) -> None:
    """Show ``message`` until ``future`` is done, then rerun the page to show the result."""

    @st.fragment(run_every=POLL_SECONDS)
    def poll() -> None:
        if future.done():
            st.rerun(scope="app")
        st.caption(message)

    poll()
