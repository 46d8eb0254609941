"""Bounded waits and honest messages: a database that is down, hung (its server
stopped with SIGSTOP), locked by another writer, or read-only gives a clear message
within the store's timeout, never a hang; reading never waits for a writer; a store
notices when its database is writable again, with no restart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cxprio.catalogue.edit import Edit
from cxprio.errors import StoreUnavailable
from cxprio.store.imports import import_file
from cxprio.store.saving import save_edits
from cxprio.store.versions import _WRITE_LOCK, Store

from .conftest import POSTGRES, ROOT, SAMPLE, postgres_database, store_cli

TEAMS = {
    "billing",
    "digital",
    "metering",
    "payments",
    "cx-office",
    "contact-centre",
    "collections",
    "field-service",
    "sales",
    "pricing",
    "care",
    "data-platform",
}


def seeded(url: str, folder: Path, **options: Any) -> Store:
    """A store at ``url`` holding the sample as version 1."""
    path = folder / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    store = Store(url, **options)
    if store.latest() is None:
        import_file(store, path)
    return store


def a_save(store: Store, depth: int = 1) -> int:
    latest = store.latest()
    assert latest is not None
    return save_edits(
        store,
        [Edit("move-out", "measures.depth", depth)],
        started_from=latest.id,
        author="Ana",
        rationale="limits",
        teams=TEAMS,
    ).version.id


def answered(work: Callable[[], Any], limit: float = 90.0) -> Any:
    """``work()`` in a thread: its result or its error, failing the test if it has not
    answered within ``limit`` seconds (a hang, not a slow answer)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("ok", work()))
        except BaseException as exc:
            outcome.append(("error", exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    assert outcome, f"no answer within {limit:.0f} s: a hang"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


# --- SQLite ---------------------------------------------------------------------------


def test_a_sqlite_file_made_read_only_under_a_running_store_refuses_saves_then_takes_them(
    tmp_path: Path,
) -> None:
    database = tmp_path / "store.db"
    store = seeded(f"sqlite:///{database}", tmp_path)
    try:
        a_save(store)
        database.chmod(0o444)
        with pytest.raises(StoreUnavailable, match="read-only") as refused:
            a_save(store, 2)
        assert "unreachable" not in str(refused.value) and "chmod" in str(refused.value)
        database.chmod(0o644)
        assert [v.id for v in Store(f"sqlite:///{database}").history()] == [1, 2]  # nothing went into the WAL
        assert a_save(store, 3) == 3  # the same store, no restart
    finally:
        database.chmod(0o644)
        store.close()


def test_a_store_opened_while_its_file_is_read_only_saves_once_it_is_writable(tmp_path: Path) -> None:
    database = tmp_path / "store.db"
    seeded(f"sqlite:///{database}", tmp_path).close()
    database.chmod(0o444)
    store = Store(f"sqlite:///{database}")
    try:
        assert store.latest() is not None  # reading works
        with pytest.raises(StoreUnavailable, match="read-only"):
            a_save(store)
        database.chmod(0o644)
        assert a_save(store) == 2
    finally:
        database.chmod(0o644)
        store.close()


def test_a_sqlite_writer_that_holds_on_gives_a_message_after_the_timeout_and_readers_never_wait(
    tmp_path: Path,
) -> None:
    database = tmp_path / "store.db"
    url = f"sqlite:///{database}"
    store = seeded(url, tmp_path, timeout=1)
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process's write transaction, left open
        with pytest.raises(StoreUnavailable, match="locked"):
            answered(lambda: a_save(store))
        reader = answered(lambda: Store(url))  # opening and reading take no write lock
        assert answered(lambda: reader.text(1)) == SAMPLE.read_text(encoding="utf-8")
        exported = answered(lambda: store_cli(url, "export", "--out", str(tmp_path / "out.yaml")))
        assert exported.returncode == 0, exported.stderr
        reader.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_a_save_queued_behind_one_of_this_process_that_holds_on_gives_a_message(tmp_path: Path) -> None:
    store = seeded(f"sqlite:///{tmp_path / 'store.db'}", tmp_path, timeout=1)
    inside, release = threading.Event(), threading.Event()

    def holding() -> None:
        with store.transaction():
            inside.set()
            release.wait(60)

    holder = threading.Thread(target=holding, daemon=True)
    holder.start()
    try:
        assert inside.wait(30)
        with pytest.raises(StoreUnavailable, match="busy"):
            answered(lambda: a_save(store))
    finally:
        release.set()
        holder.join(30)
    assert a_save(store) == 2
    store.close()


# --- PostgreSQL -----------------------------------------------------------------------


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_postgresql_read_only_says_so_and_recovers(postgres: str, tmp_path: Path) -> None:
    store = seeded(postgres, tmp_path)
    name = sa.make_url(postgres).database
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        store.engine.dispose()  # new sessions take the setting
        with pytest.raises(StoreUnavailable, match="read-only"):
            answered(lambda: a_save(store))
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        assert answered(lambda: a_save(store)) == 2
    finally:
        admin.dispose()
        store.close()


def test_a_postgresql_writer_that_holds_on_gives_a_message_after_the_timeout_and_readers_never_wait(
    postgres: str, tmp_path: Path
) -> None:
    store = seeded(postgres, tmp_path, timeout=1)
    holder = sa.create_engine(postgres).connect()
    try:
        holder.begin()
        holder.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")  # a save, stuck
        with pytest.raises(StoreUnavailable, match="within 1 s"):
            answered(lambda: a_save(store))
        exported = answered(lambda: store_cli(postgres, "export", "--out", str(tmp_path / "out.yaml")))
        assert exported.returncode == 0, exported.stderr
    finally:
        holder.rollback()
        holder.close()
        store.close()


def test_a_postgresql_server_that_is_down_is_said_at_once() -> None:
    with pytest.raises(StoreUnavailable, match="unreachable"):
        answered(lambda: Store("postgresql+psycopg://nobody@127.0.0.1:9/none", timeout=2), limit=30)


@pytest.fixture
def own_server() -> Iterator[tuple[str, int]]:
    """A PostgreSQL server of this test's own (the shared one serves other tests), and
    its postmaster's pid: stopping it with SIGSTOP hangs only this test."""
    if not POSTGRES:
        with postgres_database():  # skips, or fails where PostgreSQL is required, with the reason
            pass
    folder = tempfile.mkdtemp(prefix="cxprio-hung-")
    started = subprocess.run(
        [str(ROOT / ".ci" / "postgres"), "start", folder], capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr
    pid = int((Path(folder) / "data" / "postmaster.pid").read_text().split()[0])
    try:
        yield started.stdout.strip(), pid
    finally:
        for process in [pid, *_children(pid)]:
            with _gone():
                os.kill(process, signal.SIGCONT)
        subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", folder], capture_output=True, timeout=120)


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


class _gone:
    """Ignore a process that ended meanwhile."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_rest: object) -> bool:
        return kind is ProcessLookupError


def test_a_hung_postgresql_server_gives_a_message_within_the_timeout_then_recovers(
    own_server: tuple[str, int], tmp_path: Path
) -> None:
    url, pid = own_server
    store = seeded(url, tmp_path, timeout=2)
    try:
        a_save(store)  # connections in the pool, as on a running board
        processes = [pid, *_children(pid)]
        for process in processes:
            os.kill(process, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as refused:
            answered(lambda: a_save(store, 2))
        waited = time.monotonic() - started
        with pytest.raises(StoreUnavailable):
            answered(lambda: store.latest())
        for process in processes:
            with _gone():
                os.kill(process, signal.SIGCONT)
        assert "did not answer" in str(refused.value) or "unreachable" in str(refused.value), str(
            refused.value
        )
        print(f"a hung server answered in {waited:.1f} s with: {refused.value}")
        assert answered(lambda: a_save(store, 3)) == 3  # the same store, once the server is back
    finally:
        store.close()
