"""A version's YAML is parsed once, ever: the store keeps the validated catalogue beside
the text (:meth:`cxprio.store.versions.Store.catalogue`), and every reader takes it from
there. Each test counts the YAML reads (:func:`cxprio.catalogue.loading.read_yaml`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cxprio import parse_catalogue
from cxprio.catalogue import loading
from cxprio.store import parsed as kept
from cxprio.store.snapshots import take_snapshot
from cxprio.store.versions import Store, import_file

from .conftest import SAMPLE


class Reads:
    """How many times the YAML reader ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = loading.read_yaml

        def counted(*args: object, **kwargs: object) -> object:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loading, "read_yaml", counted)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'cxprio.db'}")
    yield opened
    opened.close()


def kept_rows(store: Store) -> list[tuple[int, int]]:
    with store.engine.connect() as connection:
        return [
            tuple(r) for r in connection.execute(sa.text("SELECT version_id, format FROM catalogue_parsed"))
        ]


def test_an_import_keeps_the_catalogue_and_a_fresh_reader_does_not_parse_it(
    store: Store, reads: Reads, tmp_path: Path
) -> None:
    version = import_file(store, SAMPLE).version
    assert reads.count == 1  # the import's own parse of the new text
    assert kept_rows(store) == [(version.id, kept.FORMAT)]
    fresh = Store(store.url)  # another server: nothing in memory
    try:
        loaded = fresh.catalogue(version.id, source="experiences.yaml")
    finally:
        fresh.close()
    assert reads.count == 1
    expected = parse_catalogue(SAMPLE.read_bytes(), source="experiences.yaml")
    assert loaded.catalogue == expected.catalogue
    assert loaded.warnings == expected.warnings  # located in the text, named by the reader
    assert loaded.warnings and loaded.warnings[0].line is not None
    assert loaded.content == SAMPLE.read_bytes()


def test_a_version_kept_without_its_catalogue_is_parsed_once_then_kept(store: Store, reads: Reads) -> None:
    version = store.commit(SAMPLE.read_text(encoding="utf-8"), parent=None, author="ana")
    assert kept_rows(store) == []  # an old version, or an edit of part of the text
    store.catalogue(version.id)
    assert (reads.count, kept_rows(store)) == (1, [(version.id, kept.FORMAT)])
    fresh = Store(store.url)
    try:
        fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert reads.count == 1


def test_a_catalogue_kept_in_another_form_is_parsed_again_and_replaced(store: Store, reads: Reads) -> None:
    version = import_file(store, SAMPLE).version
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE catalogue_parsed SET format = :f"), {"f": kept.FORMAT + 1})
    fresh = Store(store.url)
    try:
        fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert (reads.count, kept_rows(store)) == (2, [(version.id, kept.FORMAT)])


def test_a_kept_catalogue_that_no_longer_loads_is_not_trusted(store: Store, reads: Reads) -> None:
    version = import_file(store, SAMPLE).version
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE catalogue_parsed SET catalogue = :b"), {"b": b"not zlib"})
    fresh = Store(store.url)
    try:
        loaded = fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert reads.count == 2
    assert loaded.catalogue == parse_catalogue(SAMPLE.read_bytes()).catalogue


def test_a_snapshot_and_a_second_import_read_the_kept_catalogue(
    store: Store, reads: Reads, tmp_path: Path
) -> None:
    import_file(store, SAMPLE)
    fresh = Store(store.url)
    try:
        take_snapshot(fresh, "2026-Q3", author="ana")
        assert reads.count == 1
        changed = tmp_path / "experiences.yaml"
        changed.write_text(SAMPLE.read_text(encoding="utf-8").replace("Northwind Energy", "Southwind Energy"))
        import_file(fresh, changed)  # compares with the latest: kept, not parsed again
    finally:
        fresh.close()
    assert reads.count == 2


def test_a_read_only_store_still_gives_the_catalogue(store: Store, reads: Reads, tmp_path: Path) -> None:
    version = store.commit(SAMPLE.read_text(encoding="utf-8"), parent=None, author="ana")
    store.close()
    path = tmp_path / "cxprio.db"
    path.chmod(0o444)
    read_only = Store(f"sqlite:///{path}", migrate=False)
    try:
        loaded = read_only.catalogue(version.id)
    finally:
        read_only.close()
        path.chmod(0o644)
    assert loaded.catalogue.organisation.name == "Northwind Energy"
    reopened = Store(f"sqlite:///{path}", migrate=False)
    try:
        assert (reads.count, kept_rows(reopened)) == (1, [])
    finally:
        reopened.close()
