"""The board's shell below the pages: its memo of per-version results and the jobs that
compute rank ranges in the background."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

import pandas as pd
import pytest

from board.ranges import RangeJobs, RankRanges
from board.state import Memo


def test_a_memo_computes_each_key_once_and_forgets_the_least_recently_used() -> None:
    calls: list[str] = []
    memo: Memo[str, str] = Memo(2)

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    assert memo.get("a", lambda: compute("a")) == "A"  # known: "a" is now the newest
    assert memo.get("c", lambda: compute("c")) == "C"  # the third key drops "b"
    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b", "c", "b"]


def test_a_memo_keeps_nothing_when_the_work_fails() -> None:
    memo: Memo[str, int] = Memo(4)

    def fail() -> int:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        memo.get("a", fail)
    assert memo.get("a", lambda: 1) == 1


def frame(low: list[int], high: list[int], stable: list[bool]) -> pd.DataFrame:
    return pd.DataFrame({"rank_p5": low, "rank_p95": high, "stable_top_n": stable})


def test_rank_ranges_keep_the_table_and_the_text_the_board_shows() -> None:
    ranges = RankRanges.of(frame([1, 3], [2, 9], [True, False]))
    assert ranges.text.to_pylist() == ["1–2", "3–9"]
    assert ranges.stable.tolist() == [True, False]
    assert list(ranges.frame["rank_p95"]) == [2, 9]


def test_range_jobs_start_only_when_asked_and_are_shared_by_key() -> None:
    jobs = RangeJobs()
    assert jobs.peek("w1") is None  # looking starts nothing
    first = jobs.request("w1", lambda: frame([1], [1], [True]))
    assert jobs.request("w1", lambda: frame([2], [2], [False])) is first
    assert jobs.peek("w1") is first
    assert first.result(timeout=30).text.to_pylist() == ["1–1"]


def test_range_jobs_drop_weightings_left_behind_before_they_start() -> None:
    jobs = RangeJobs()
    release = threading.Event()
    busy = jobs.request("busy", lambda: (release.wait(30), frame([1], [1], [True]))[1])
    deadline = time.monotonic() + 30
    while not busy.running():  # the worker has taken it
        assert time.monotonic() < deadline, "the worker never started"
        time.sleep(0.001)
    queued: Future[RankRanges] = jobs.request("passed over", lambda: frame([1], [1], [True]))
    newest = jobs.request("newest", lambda: frame([5], [7], [False]))
    assert queued.cancelled() and jobs.peek("passed over") is None
    release.set()
    assert busy.result(timeout=30).text.to_pylist() == ["1–1"]
    assert newest.result(timeout=30).text.to_pylist() == ["5–7"]
