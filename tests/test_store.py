"""The store (cxprio.store.versions): versions, conflicts, imports, the audit trail, migrations.

Every test runs on SQLite and on a real PostgreSQL. PostgreSQL comes from
``CXPRIO_TEST_POSTGRES_URL`` (an administrator's address; each test gets a database of
its own); ``.ci/run`` starts a throwaway server and sets it. Without it the PostgreSQL
runs are skipped with the reason printed, unless ``CXPRIO_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import copy
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxprio import CatalogueError
from cxprio.catalogue.audit import ADDED, REMOVED, FieldChange, field_changes
from cxprio.errors import StaleVersion, StoreError, StoreUnavailable
from cxprio.store.imports import import_file
from cxprio.store.schema import versions
from cxprio.store.versions import CHECKPOINT_EVERY, ORIGIN_FILE, Store

from .conftest import BASE, ROOT, catalogue_dict, dump, load_dict, store_cli

HEAD = sorted(p.name for p in (ROOT / "cxprio" / "store" / "migrations" / "versions").glob("[0-9]*.py"))[-1][
    :4
]
"""The newest migration, by its file's number."""


def test_a_new_store_is_empty_and_at_the_newest_schema(store: Store) -> None:
    assert store.latest() is None
    assert store.history() == []
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    assert store.upgrade() == HEAD  # a second upgrade changes nothing


def test_versions_keep_their_text_author_and_rationale(store: Store) -> None:
    first = store.commit(
        "a: 1\n", parent=None, author="ana", rationale="start", origin=ORIGIN_FILE, source="x"
    )
    second = store.commit("a: 2\n", parent=first.id, author="ben", rationale="fix a")
    assert [v.id for v in store.history()] == [first.id, second.id]
    assert store.latest() == second
    assert second.parent_id == first.id
    latest = store.latest()
    assert latest is not None and (latest.author, latest.rationale) == ("ben", "fix a")
    fresh = Store(store.url)  # another process reads what this one wrote
    assert fresh.text(first.id) == "a: 1\n" and fresh.text(second.id) == "a: 2\n"
    fresh.close()


def test_a_save_from_an_old_version_is_refused_and_writes_nothing(store: Store) -> None:
    start = store.commit("a: 1\n", parent=None, author="ana")
    store.commit("a: 2\n", parent=start.id, author="ana")  # the first editor saves
    with pytest.raises(StaleVersion) as refused:
        store.commit("a: 3\n", parent=start.id, author="ben")  # the second started from the same
    assert "you started from version 1" in str(refused.value)
    assert [store.text(v.id) for v in store.history()] == ["a: 1\n", "a: 2\n"]
    with pytest.raises(StaleVersion):
        store.commit("b: 1\n", parent=None, author="cy")  # a second first version too


def test_small_edits_store_the_change_and_every_version_reads_back_exactly(store: Store) -> None:
    lines = [f"value_{i}: {i}" for i in range(2000)]
    texts = ["\n".join(lines) + "\n"]
    parent = store.commit(texts[0], parent=None, author="ana").id
    for n in range(1, 2 * CHECKPOINT_EVERY + 5):
        lines[(n * 37) % len(lines)] = f"value_{(n * 37) % len(lines)}: changed {n}"
        texts.append("\n".join(lines) + "\n")
        parent = store.commit(texts[-1], parent=parent, author="ana").id
    reader = Store(store.url)  # no texts in memory: every one rebuilt from the database
    assert [reader.text(v.id) for v in reader.history()] == texts
    reader.close()
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(versions.c.storage, versions.c.body)).all()
    full = [len(r.body) for r in rows if r.storage == "full"]
    patches = [len(r.body) for r in rows if r.storage == "patch"]
    assert len(full) == 3  # the first, then one every CHECKPOINT_EVERY versions
    assert len(patches) == len(rows) - 3 and max(patches) < 200
    assert zlib.decompress(rows[0].body).decode() == texts[0]


def test_a_damaged_version_is_reported_not_returned(store: Store) -> None:
    first = store.commit("a: 1\n", parent=None, author="ana")
    with store.engine.begin() as connection:
        connection.execute(versions.update().values(body=zlib.compress(b"a: 666\n")))
    reader = Store(store.url)
    with pytest.raises(StoreError, match="damaged"):
        reader.text(first.id)
    reader.close()


@pytest.mark.postgresql_at_scale
def test_twenty_writers_saving_fifty_times_each_lose_nothing(store: Store) -> None:
    store.commit("saves:\n", parent=None, author="setup")
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for save in range(50):
                while True:  # apply my change to the latest version until it lands
                    latest = store.latest()
                    assert latest is not None
                    text = store.text(latest.id) + f"  - w{number}-s{save}\n"
                    change = FieldChange(f"w{number}", f"save{save}", None, str(save))
                    try:
                        store.commit(text, parent=latest.id, author=f"w{number}", field_changes=[change])
                        break
                    except StaleVersion:
                        continue
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    history = store.history()
    assert len(history) == 1 + 20 * 50
    assert [v.parent_id for v in history[1:]] == [v.id for v in history[:-1]]  # one line
    audit = [(row.experience, row.field) for row in store.audit()]
    expected = [(f"w{n}", f"save{s}") for n in range(20) for s in range(50)]
    assert sorted(audit) == sorted(expected)  # each once
    final = Store(store.url).text(history[-1].id).splitlines()[1:]
    assert sorted(final) == sorted(f"  - w{n}-s{s}" for n in range(20) for s in range(50))


def test_importing_a_file_makes_a_version_only_when_it_changed(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    first = import_file(store, path)
    assert (
        first.created and first.version.origin == "file" and first.version.rationale == "imported from file"
    )
    assert [(c.experience, c.field) for c in store.audit(first.version.id)] == [
        (e["id"], ADDED) for e in BASE["experiences"]
    ]
    assert not import_file(store, path).created  # unchanged: nothing new

    data = copy.deepcopy(BASE)
    data["experiences"][1]["measures"]["depth"] = 2
    path.write_text(dump(data), encoding="utf-8")
    second = import_file(store, path)
    assert second.created and second.version.parent_id == first.version.id
    rows = store.audit(second.version.id)
    assert [(r.experience, r.field, r.old, r.new) for r in rows] == [("move-out", "measures.depth", "4", "2")]
    assert store.text(second.version.id) == path.read_text(encoding="utf-8")


def test_an_invalid_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    import_file(store, path)
    broken = copy.deepcopy(BASE)
    broken["experiences"][0]["measures"]["depth"] = 9
    path.write_text(dump(broken), encoding="utf-8")
    with pytest.raises(CatalogueError):
        import_file(store, path)
    assert len(store.history()) == 1


def test_a_file_written_back_by_a_save_is_not_imported_again(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    first = import_file(store, path).version
    edited = dump(catalogue_dict(organisation="Renamed Energy"))
    store.commit(edited, parent=first.id, author="ana", source=str(path))
    path.write_text(edited, encoding="utf-8")
    assert not import_file(store, path).created
    assert len(store.history()) == 2


def test_two_stores_opening_a_new_database_at_once_both_migrate_it(url: str) -> None:
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(Store(url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all(s.latest() is None for s in opened)
    for s in opened:
        s.close()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")  # its folder is created
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_a_database_that_is_down_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable) as down:
        Store("postgresql://nobody@127.0.0.1:9/cxprio")
    assert "unreachable" in down.value.message and "127.0.0.1" in down.value.message
    assert "CXPRIO_DATABASE_URL" in down.value.hint
    with pytest.raises(StoreError, match="address cannot be used"):
        Store("no-such-database://x")


def test_field_changes_name_each_value_that_moved() -> None:
    before = load_dict(BASE).catalogue
    data = copy.deepcopy(BASE)
    data["experiences"][0]["ambition"] = "unique"
    data["experiences"][0]["steps"][0]["handoff_owner"] = "digital"
    data["experiences"].pop(2)
    data["experiences"][1]["measures"].pop("cost")
    data["teams"][1]["name"] = "Digital Channels"
    data["scoring"] = {"weights": {"reach": 0.5}}
    after = load_dict(data).catalogue
    found = {(c.experience, c.field, c.old, c.new) for c in field_changes(before, after)}
    assert found == {
        ("moving-home", "ambition", "distinct", "unique"),
        ("moving-home", "steps[0].handoff_owner", None, "digital"),
        ("final-reading", REMOVED, "Give a final reading", None),
        ("move-out", "measures.cost", "1800000", None),
        (None, "teams.digital.name", "Digital", "Digital Channels"),
        (None, "scoring.weights.reach", "0.25", "0.5"),
    }


@pytest.mark.postgresql_at_scale
def test_the_command_line_exports_and_lists_the_store(store: Store, tmp_path: Path) -> None:
    empty = store_cli(store.url, "export")
    assert empty.returncode == 4 and "holds no catalogue yet" in empty.stderr and not empty.stdout
    path = tmp_path / "catalogue.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    import_file(store, path)
    out = tmp_path / "exported.yaml"
    done = store_cli(store.url, "export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    history = store_cli(store.url, "history", "--format", "csv")
    assert history.returncode == 0 and history.stdout.splitlines()[1].split(",")[0] == "1"
    assert history.stdout.splitlines()[0].endswith(",changes")
    audit = store_cli(store.url, "history", "--changes", "--format", "csv")
    assert len(audit.stdout.splitlines()) == 1 + len(BASE["experiences"])
    upgrade = store_cli(store.url, "db", "upgrade")
    assert upgrade.returncode == 0 and f"schema revision {HEAD}" in upgrade.stderr


def test_the_command_line_says_when_the_database_is_down() -> None:
    down = store_cli("postgresql://nobody@127.0.0.1:9/cxprio", "history")
    assert down.returncode == 4
    assert "unreachable" in down.stderr and "Traceback" not in down.stderr


def test_latest_may_be_as_old_as_asked_and_a_store_knows_its_own_saves(store: Store) -> None:
    other = Store(store.url)  # another replica
    first = store.commit("a: 1\n", parent=None, author="ana")
    assert other.latest(max_age=60) == first  # nothing seen yet: read
    second = store.commit("a: 2\n", parent=first.id, author="ana")
    assert store.latest(max_age=60) == second  # its own save, known at once
    assert other.latest(max_age=60) == first  # another's, within the age asked for
    assert other.latest() == second
    other.close()


def test_an_older_schema_is_migrated_with_its_versions_kept(url: str) -> None:
    from alembic import command

    from cxprio.store.migrations import config

    engine = sa.create_engine(url)
    settings = config()
    with engine.begin() as connection:  # a store made by the first release
        settings.attributes["connection"] = connection
        command.upgrade(settings, "0001")
    engine.dispose()
    old = Store(url, migrate=False)
    first = old.commit("a: 1\n", parent=None, author="ana")
    old.close()
    store = Store(url)  # opening it applies what is newer
    assert store.text(first.id) == "a: 1\n" and store.holds(first.sha256)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    store.close()


def test_a_patch_is_the_one_span_that_changed_and_rebuilds_the_new_text() -> None:
    import random

    from cxprio.store.versions import _patch

    pick = random.Random(3)
    for _ in range(2000):
        old = "".join(pick.choice("ab\n") for _ in range(pick.randint(0, 80)))
        new = list(old)
        for _ in range(pick.randint(0, 3)):
            at = pick.randint(0, len(new))
            if pick.random() < 0.5:
                new.insert(at, pick.choice("abc"))
            elif new:
                new.pop(min(at, len(new) - 1))
        text = "".join(new)
        start, end, replacement = _patch(old, text)
        assert old[:start] + replacement + old[end:] == text
        assert not (start < end and replacement and old[start] == replacement[0])  # nothing shared left in it
    big = "x" * 300_000
    assert _patch(big + "a" + big, big + "bc" + big) == (300_000, 300_001, "bc")


def test_a_batched_write_that_fails_is_undone_and_the_others_land(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch (v INTEGER)")

    def write(value: int, fail: bool) -> Callable[[sa.Connection], int]:
        def work(connection: sa.Connection) -> int:
            connection.execute(sa.text("INSERT INTO scratch (v) VALUES (:v)"), {"v": value})
            if fail:
                raise ValueError(f"refused {value}")
            return value

        return work

    results: dict[int, object] = {}
    start = threading.Barrier(8)

    def run(value: int) -> None:
        start.wait()
        try:
            results[value] = store.batched(write(value, fail=value % 3 == 0))
        except ValueError as exc:
            results[value] = str(exc)

    threads = [threading.Thread(target=run, args=(v,)) for v in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {v: f"refused {v}" if v % 3 == 0 else v for v in range(8)}
    with store.engine.connect() as connection:
        stored = sorted(connection.exec_driver_sql("SELECT v FROM scratch").scalars())
    assert stored == [v for v in range(8) if v % 3]
