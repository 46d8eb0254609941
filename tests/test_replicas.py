"""Two board replicas on one database, each with its own copy of the catalogue file
(``board.record.sync``): the store is the truth and each file its mirror. A replica
never takes its own, older file for an outside change; it rewrites it from the store.
A file holding a text no version ever held is imported. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from board import record
from cxprio.catalogue.edit import Edit
from cxprio.store.imports import import_file
from cxprio.store.saving import save_edits
from cxprio.store.versions import Store

from .conftest import SAMPLE

TEAMS = {t["id"] for t in yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["teams"]}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def look(store: Store, path: Path) -> record.Record:
    """What a replica does at a page run: sync its file, waiting out a background import."""
    deadline = time.monotonic() + 60
    while True:
        where = record.sync(store, str(path), sha(path))
        if not where.importing:
            return where
        assert time.monotonic() < deadline, "the import never finished"
        time.sleep(0.02)  # the poll's interval


def depth(text: str, experience: str) -> int:
    return next(e for e in yaml.safe_load(text)["experiences"] if e["id"] == experience)["measures"]["depth"]


def test_a_replica_never_undoes_another_replicas_save(url: str, tmp_path: Path) -> None:
    a_file, b_file = tmp_path / "a" / "experiences.yaml", tmp_path / "b" / "experiences.yaml"
    for path in (a_file, b_file):
        path.parent.mkdir()
        path.write_bytes(SAMPLE.read_bytes())
    a, b = Store(url), Store(url)  # two servers' stores on one database
    try:
        first = look(a, a_file).version
        assert first is not None and look(b, b_file).version == first
        # A third writer saves; then Ana on A and Ben on B save from version 1 at once.
        save_edits(
            a,
            [Edit("moving-home", "measures.depth", 1)],
            started_from=first.id,
            author="Cy",
            rationale="third",
            teams=TEAMS,
        )
        ana = save_edits(
            a,
            [Edit("move-out", "measures.depth", 2)],
            started_from=first.id,
            author="Ana",
            rationale="a",
            teams=TEAMS,
            file=a_file,
            file_sha256=first.sha256,
        )
        ben = save_edits(
            b,
            [Edit("move-in", "measures.depth", 1)],
            started_from=first.id,
            author="Ben",
            rationale="b",
            teams=TEAMS,
            file=b_file,
            file_sha256=first.sha256,
        )
        assert (ana.version.id, ben.version.id) == (3, 4)
        assert a_file.read_text(encoding="utf-8") == a.text(3)  # A's file is one version behind
        deadline = time.monotonic() + 30
        while a_file.read_text(encoding="utf-8") != a.text(4):  # A's page runs, till it hears of version 4
            look(a, a_file)
            assert time.monotonic() < deadline, "replica A never caught up with version 4"
            time.sleep(0.05)  # the poll's interval
        where = look(a, a_file)
        latest = a.latest()
        assert latest is not None and latest.id == 4 and where.version == latest  # nothing imported
        assert a_file.read_text(encoding="utf-8") == a.text(4)  # the mirror caught up
        text = a.text(4)
        assert (depth(text, "moving-home"), depth(text, "move-out"), depth(text, "move-in")) == (1, 2, 1)
        assert [v.origin for v in a.history()] == ["file", "edit", "edit", "edit"]
    finally:
        a.close()
        b.close()


@pytest.fixture
def replica(url: str, tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    """One replica: its store and its own copy of the sample catalogue."""
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    store = Store(url)
    yield store, path
    path.chmod(0o644)
    store.close()


def test_a_file_with_a_text_no_version_held_is_imported_and_an_old_one_is_not(
    replica: tuple[Store, Path],
) -> None:
    store, path = replica
    first = look(store, path).version
    assert first is not None
    pulled = SAMPLE.read_text(encoding="utf-8").replace("depth: 4", "depth: 3", 1)
    path.write_text(pulled, encoding="utf-8")  # a git pull
    where = look(store, path)
    assert where.version is not None and where.version.id == 2 and where.version.origin == "file"
    path.write_bytes(SAMPLE.read_bytes())  # an old version's text comes back (a stale copy)
    where = look(store, path)
    assert where.version is not None and where.version.id == 2  # not imported again
    assert path.read_text(encoding="utf-8") == pulled  # rewritten from the store


def test_a_replica_whose_file_is_read_only_shows_the_latest_and_leaves_the_file(
    replica: tuple[Store, Path],
) -> None:
    store, path = replica
    first = import_file(store, path).version
    save_edits(
        store,
        [Edit("move-out", "measures.depth", 2)],
        started_from=first.id,
        author="Ana",
        rationale="a",
        teams=TEAMS,
    )
    path.chmod(0o444)
    where = look(store, path)
    assert where.version is not None and where.version.id == 2
    assert path.read_bytes() == SAMPLE.read_bytes()


def test_a_file_newer_than_what_the_replica_last_heard_is_never_written_over(
    replica: tuple[Store, Path],
) -> None:
    store, path = replica
    assert look(store, path).version is not None  # this replica now knows version 1, for a second
    other = Store(store.url)  # another process imports a pulled file meanwhile
    pulled = SAMPLE.read_text(encoding="utf-8").replace("depth: 4", "depth: 2", 1)
    path.write_text(pulled, encoding="utf-8")
    assert import_file(other, path).version.id == 2
    other.close()
    where = record.sync(store, str(path), sha(path))  # what it knew is older than the file
    assert where.version is not None and where.version.id == 2
    assert path.read_text(encoding="utf-8") == pulled
