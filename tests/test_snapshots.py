"""Snapshots (cxprio.store.snapshots): a quarter's figures frozen, append-only, on SQLite and
PostgreSQL, and the command line that takes and lists them."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
import yaml

from cxprio import UsageError
from cxprio.store.imports import import_file
from cxprio.store.snapshots import SnapshotExists, list_snapshots, parse_quarter, quarters, take_snapshot
from cxprio.store.versions import Store

from .conftest import SAMPLE, store_cli

RAW = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def stored(store: Store) -> Store:
    import_file(store, SAMPLE)
    return store


def test_a_snapshot_computes_no_graph_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """It keeps none: the betweenness of a large team graph would only slow it down."""
    import cxprio.method.ownership as ownership
    from cxprio import load_catalogue
    from cxprio.store.snapshots import freeze

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a snapshot computed the graph metrics")

    monkeypatch.setattr(ownership, "graph_metrics", refused)
    frozen = freeze(load_catalogue(SAMPLE).catalogue)
    assert frozen["seams"] > 0 and frozen["findings"]


def test_a_snapshot_freezes_the_figures_of_the_version(stored: Store) -> None:
    taken = take_snapshot(stored, "2026-Q4", author="ana")
    figures = taken.payload
    assert (taken.quarter, taken.generation, taken.version_id) == ("2026-Q4", 1, 1)
    assert figures["weights"] == pytest.approx(RAW["scoring"]["weights"])
    experiences = {e["id"]: e for e in figures["experiences"]}
    assert set(experiences) == {e["id"] for e in RAW["experiences"]}
    for raw in RAW["experiences"]:
        frozen = experiences[raw["id"]]
        assert {k: v for k, v in frozen["measures"].items() if v is not None} == pytest.approx(
            raw.get("measures", {})
        )
        assert [p["value"] for p in frozen["performance"]] == [p["value"] for p in raw.get("performance", [])]
        assert frozen["ambition"] == raw.get("ambition")
    by_rank = sorted(figures["experiences"], key=lambda e: e["rank"])
    assert [e["rank"] for e in by_rank] == list(range(1, len(by_rank) + 1))
    assert [e["priority"] for e in by_rank] == sorted((e["priority"] for e in by_rank), reverse=True)
    handoffs = [  # consecutive steps of two different teams, read from the YAML
        after
        for e in RAW["experiences"]
        for before, after in itertools.pairwise(e.get("steps", []))
        if before.get("team") and after.get("team") and before["team"] != after["team"]
    ]
    assert figures["seams"] == len(handoffs)
    assert figures["unowned_seams"] == sum(1 for step in handoffs if not step.get("handoff_owner"))
    assert figures["findings"]["SEAM_UNOWNED"] == figures["unowned_seams"]


def test_a_second_snapshot_of_a_quarter_needs_supersede_and_the_first_is_kept(stored: Store) -> None:
    take_snapshot(stored, "2026-Q3", author="ana")
    with pytest.raises(SnapshotExists, match="--supersede"):
        take_snapshot(stored, "2026-q3", author="ben")
    second = take_snapshot(stored, "2026-Q3", author="ben", supersede=True, weights={"reach": 1.0})
    assert [(s.quarter, s.generation, s.author) for s in list_snapshots(stored)] == [
        ("2026-Q3", 1, "ana"),
        ("2026-Q3", 2, "ben"),
    ]
    counted = quarters(stored)["2026-Q3"]
    assert counted.id == second.id and counted.payload["weights"]["reach"] == 1.0


@pytest.mark.parametrize("label", ["2026-Q5", "2026Q4", "Q4-2026", "26-Q1", ""])
def test_a_quarter_is_written_year_dash_q_and_a_number_from_1_to_4(label: str) -> None:
    with pytest.raises(UsageError, match="2026-Q4"):
        parse_quarter(label)
    assert parse_quarter(" 2026-q1 ") == "2026-Q1"


def test_two_first_snapshots_of_a_quarter_at_once_make_one(stored: Store) -> None:
    outcomes: list[str] = []
    together = threading.Barrier(2)

    def take(author: str) -> None:
        together.wait()
        try:
            take_snapshot(stored, "2026-Q2", author=author)
            outcomes.append("taken")
        except SnapshotExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=take, args=(name,)) for name in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "taken"]
    assert len(list_snapshots(stored)) == 1


@pytest.mark.postgresql_at_scale
def test_the_command_line_takes_and_lists_snapshots(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "experiences.yaml"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    first = store_cli(store.url, "snapshot", str(path), "--quarter", "2026-Q4", "--author", "ana")
    assert first.returncode == 0, first.stderr
    assert "saved as version 1" in first.stderr and "snapshot of 2026-Q4 taken from version 1" in first.stderr
    again = store_cli(store.url, "snapshot", str(path), "--quarter", "2026-Q4")
    assert (
        again.returncode == 4 and "has a snapshot already" in again.stderr and "--supersede" in again.stderr
    )
    assert "Traceback" not in again.stderr
    superseding = store_cli(store.url, "snapshot", "--quarter", "2026-Q4", "--supersede", "--author", "ben")
    assert superseding.returncode == 0, superseding.stderr
    wrong = store_cli(store.url, "snapshot", "--quarter", "2026-Q9")
    assert wrong.returncode == 2 and "such as 2026-Q4" in wrong.stderr
    listed = store_cli(store.url, "history", "--snapshots", "--format", "csv")
    rows = [line.split(",") for line in listed.stdout.splitlines()]
    assert rows[0] == ["quarter", "generation", "version", "created_at", "author", "counts"]
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [
        ("2026-Q4", "1", "ana", "False"),
        ("2026-Q4", "2", "ben", "True"),
    ]
    assert len(Store(store.url).history()) == 1  # the unchanged file was not saved again
