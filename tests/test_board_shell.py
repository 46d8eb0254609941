"""The board's shell below the pages: its memo of per-version results and the jobs that
compute rank ranges in the background."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pytest

from board.ranges import RangeJobs, RankRanges
from board.state import Memo
from cxprio import load_catalogue


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
    started, release = threading.Event(), threading.Event()
    busy = jobs.request("busy", lambda: (started.set(), release.wait(30), frame([1], [1], [True]))[2])
    assert started.wait(30), "the worker never started"
    queued: Future[RankRanges] = jobs.request("passed over", lambda: frame([1], [1], [True]))
    newest = jobs.request("newest", lambda: frame([5], [7], [False]))
    assert queued.cancelled() and jobs.peek("passed over") is None
    release.set()
    assert busy.result(timeout=30).text.to_pylist() == ["1–1"]
    assert newest.result(timeout=30).text.to_pylist() == ["5–7"]


def test_jobs_without_dropping_finish_everything_asked_for_once_per_key() -> None:
    from board.jobs import Jobs

    jobs: Jobs[str, str] = Jobs("test-jobs", 2, drop_queued=False)
    release = threading.Event()
    calls: list[str] = []

    def work(key: str) -> str:
        release.wait(30)
        calls.append(key)
        return key.upper()

    first = jobs.request("a", lambda: work("a"))
    queued = jobs.request("b", lambda: work("b"))
    assert jobs.request("a", lambda: work("again")) is first  # asked for already: now the newest
    newest = jobs.request("c", lambda: work("c"))  # over the two kept: "b" is forgotten, not stopped
    assert jobs.peek("b") is None and jobs.peek("a") is first and not queued.cancelled()
    release.set()
    assert [f.result(timeout=30) for f in (first, queued, newest)] == ["A", "B", "C"]
    assert calls == ["a", "b", "c"]


def test_the_overview_starts_the_ownership_analysis_its_other_pages_use(tmp_path: Path) -> None:
    import hashlib
    import os

    from streamlit.testing.v1 import AppTest

    from board.state import _ANALYSES
    from cxprio.catalogue.model import MEASURES
    from cxprio.method.ownership import analyse_ownership
    from cxprio.method.scoring import score

    from .conftest import ROOT, catalogue_dict, dump

    data = catalogue_dict()
    data["organisation"] = "Prefetch check"  # a catalogue version no other test has loaded
    chosen = {"reach": 0.3, "frequency": 0.1, "depth": 0.3, "cost": 0.1, "failure_demand": 0.2}
    data["scoring"] = {**data.get("scoring", {}), "weights": chosen}
    path = tmp_path / "prefetch.yaml"
    path.write_text(dump(data), encoding="utf-8")
    key = (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        tuple(chosen[m] for m in MEASURES),
    )
    assert _ANALYSES.peek(key) is None
    os.environ["CXPRIO_CATALOGUE"] = str(path)
    try:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    finally:
        del os.environ["CXPRIO_CATALOGUE"]
    assert not app.exception
    prefetched = _ANALYSES.peek(key)  # asked for, on the board's worker, by the page's last line
    assert prefetched is not None
    table = score(load_catalogue(path).catalogue).table
    expected = analyse_ownership(
        load_catalogue(path).catalogue, dict(zip(table["id"], table["priority"], strict=True))
    )
    report = prefetched.result(timeout=60)
    assert report.coverage == expected.coverage and len(report.findings) == len(expected.findings)
    assert "metrics" in vars(report), "the graph metrics are left to the page that shows them"
    coverage = next(m for m in app.metric if m.label == "Seam coverage").value
    assert coverage == f"{expected.coverage:.0%}"  # the Overview's own, from the seams alone
