"""Where the store is and how it is reached: the database's address and timeout, the
SQLAlchemy engine (SQLite in WAL mode with a busy timeout; PostgreSQL with statement and
lock timeouts and a ping before each pooled connection is used), a watchdog that cuts a
connection a hung server never answers, and how a read-only database is told apart.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cxprio.errors import StoreError

DATABASE_URL_VARIABLE = "CXPRIO_DATABASE_URL"
DEFAULT_DATABASE = Path("data") / "cxprio.db"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
TIMEOUT_VARIABLE = "CXPRIO_DATABASE_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 10.0
"""How long (seconds) one database call may take before the person is told so: a
SQLite writer waiting for another, a PostgreSQL statement or lock, a PostgreSQL server
that stopped answering. Set :data:`TIMEOUT_VARIABLE` to change it."""
BUSY_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_SECONDS
"""How long a SQLite writer waits for another to finish before giving up."""
SERVER_SHARE = 0.7
"""The share of the timeout PostgreSQL's own statement and lock timeouts get."""
PING_SECONDS = 3.0
"""How long a pooled PostgreSQL connection may take to answer ``SELECT 1`` before it is
taken for dead and a new one is made: a server that answers nothing (stopped, or its
machine hung) is then found out quickly."""


def database_url(secrets: Path = SECRETS_FILE) -> str:
    """``$CXPRIO_DATABASE_URL``, else ``[cxprio] database_url`` in ``secrets``, else
    the SQLite file :data:`DEFAULT_DATABASE` (relative to the working directory)."""
    if os.environ.get(DATABASE_URL_VARIABLE):
        return os.environ[DATABASE_URL_VARIABLE]
    if secrets.is_file():
        try:
            configured = tomllib.loads(secrets.read_text(encoding="utf-8")).get("cxprio", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise StoreError(f"{secrets} cannot be read: {exc}", "fix the file, or remove it") from None
        if isinstance(configured, dict) and configured.get("database_url"):
            return str(configured["database_url"])
    return f"sqlite:///{DEFAULT_DATABASE}"


def database_timeout() -> float:
    """:data:`TIMEOUT_VARIABLE` in seconds, else :data:`DEFAULT_TIMEOUT_SECONDS`."""
    given = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not given:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = float("nan")
    if not 1 <= seconds <= 600:
        raise StoreError(
            f"{TIMEOUT_VARIABLE} is {given!r}, not a number of seconds from 1 to 600",
            f"set {TIMEOUT_VARIABLE}=10, say, or unset it",
        )
    return seconds


def may_exist(url: str) -> bool:
    """False for a SQLite database whose file is not there yet (opening it would create
    it); True otherwise, for a server's database cannot be known without asking."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return True  # opening it says what is wrong
    return not (
        parsed.drivername.startswith("sqlite") and parsed.database and not Path(parsed.database).exists()
    )


def describe(url: str) -> str:
    """The database's address without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<an address that cannot be read>"


def _wal(cursor: Any, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
    """Put a SQLite database in WAL mode (it stays so). Switching needs the database to
    itself, which SQLite does not wait for: while another connection is writing to a
    new database, try again until the busy timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)  # another connection holds the database for a moment


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite address, ``None`` for any other database (or memory)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def says_read_only(exc: sa.exc.DBAPIError) -> bool:
    """Whether the database refused a write as read-only (SQLite: "attempt to write a
    readonly database"; PostgreSQL: "cannot execute ... in a read-only transaction")."""
    return "readonly" in str(exc.orig).lower().replace("-", "").replace(" ", "")


def marked_read_only(path: Path) -> bool:
    """Whether the file is marked read-only (no write bit), which a process run as root
    could still write: the mark is honoured, not only the permission. Raises OSError."""
    return not os.stat(path).st_mode & 0o222


def read_only_reason(path: Path) -> str | None:
    """Why the SQLite database at ``path`` cannot be written, or ``None``. Its mode is
    read, not only :func:`os.access`: a server run as root could otherwise write a file
    marked read-only."""
    folder = path.parent
    try:
        if path.exists() and (marked_read_only(path) or not os.access(path, os.W_OK)):
            return f"the database file {path} is read-only"
        if not os.access(folder, os.W_OK) or marked_read_only(folder):
            return f"the folder of the database, {folder}, is read-only"
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"the database {path} is on a read-only file system"
    except OSError as exc:
        return f"the database file {path} cannot be reached ({exc.strerror})"
    return None


class Watchdog:
    """Cuts a PostgreSQL connection whose server has not answered in time.

    A server that is stopped (or whose machine hangs) keeps its connections open and
    answers nothing; its own ``statement_timeout`` cannot fire, and psycopg waits for
    ever. Each call is armed with a deadline; one thread shuts down the socket of any
    call past it, so the call fails at once (psycopg: "server closed the connection")
    and the pool drops the connection. :meth:`fired` tells the caller's thread that
    this, not a lost network, was why.
    """

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, int, int]] = {}  # connection -> deadline, socket, thread
        self._fired: set[int] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def arm(self, dbapi_connection: Any, seconds: float) -> None:
        try:
            socket_fd = int(dbapi_connection.pgconn.socket)
        except Exception:  # closed already, or not psycopg: nothing to cut
            return
        with self._changed:
            self._armed[id(dbapi_connection)] = (time.monotonic() + seconds, socket_fd, threading.get_ident())
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="cxprio-db-watchdog", daemon=True)
                self._thread.start()
            self._changed.notify()

    def disarm(self, dbapi_connection: Any) -> None:
        with self._changed:
            self._armed.pop(id(dbapi_connection), None)

    def fired(self) -> bool:
        """Whether a call of this thread was cut since it last asked."""
        with self._changed:
            mine = threading.get_ident() in self._fired
            self._fired.discard(threading.get_ident())
        return mine

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()

    def _watch(self) -> None:
        with self._changed:
            while not self._stopping:
                now = time.monotonic()
                for key, (deadline, socket_fd, thread) in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[key]
                        self._fired.add(thread)
                        _cut(socket_fd)
                nearest = min((deadline for deadline, _fd, _t in self._armed.values()), default=None)
                self._changed.wait(None if nearest is None else max(nearest - now, 0.01))


def _cut(socket_fd: int) -> None:
    """Shut a connection's socket down both ways: its reader wakes with an error."""
    try:
        with socket.socket(fileno=os.dup(socket_fd)) as connection:
            connection.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed meanwhile
        pass


def _watched(engine: Engine, timeout: float, watchdog: Watchdog) -> None:
    """Arm ``watchdog`` around every statement, commit, rollback and pool reset of
    ``engine``, and ping a pooled connection (under :data:`PING_SECONDS`) before it is
    handed out."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(connection: Connection, *_args: Any) -> None:
        if not connection.get_execution_options().get("cxprio_unbounded", False):
            watchdog.arm(connection.connection.dbapi_connection, timeout)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(connection: Connection, *_args: Any) -> None:
        watchdog.disarm(connection.connection.dbapi_connection)

    @sa.event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        if context.connection is not None and not context.connection.invalidated:
            with contextlib.suppress(Exception):
                watchdog.disarm(context.connection.connection.dbapi_connection)

    @sa.event.listens_for(engine, "commit")
    @sa.event.listens_for(engine, "rollback")
    def _ending(connection: Connection) -> None:
        watchdog.arm(connection.connection.dbapi_connection, timeout)  # disarmed at check-in

    @sa.event.listens_for(engine, "reset")
    def _reset(dbapi_connection: Any, *_args: Any) -> None:
        watchdog.arm(dbapi_connection, timeout)

    @sa.event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            watchdog.disarm(dbapi_connection)

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        watchdog.arm(dbapi_connection, min(PING_SECONDS, timeout))
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:
            raise sa.exc.DisconnectionError(f"the connection did not answer: {exc}") from None
        finally:
            watchdog.disarm(dbapi_connection)


def make_engine(
    url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS, watchdog: Watchdog | None = None
) -> Engine:
    """An engine for ``url``. PostgreSQL: statements and locks limited to ``timeout``
    seconds by the server, and, for a server that answers nothing, by ``watchdog``.
    SQLite: WAL, a busy timeout of ``timeout``, foreign keys, and ``BEGIN IMMEDIATE``
    for write transactions (the driver's own BEGIN is turned off)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(
            f"the database address cannot be used: {exc}",
            f"set {DATABASE_URL_VARIABLE} to an address such as postgresql+psycopg://user:password@host/db",
        ) from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
    if parsed.get_backend_name() != "sqlite":
        try:
            # The server's own limits fall short of the watchdog's, so a server that is
            # alive answers first, and the watchdog only cuts one that answers nothing.
            milliseconds = int(timeout * SERVER_SHARE * 1000)
            engine = sa.create_engine(
                parsed,
                pool_size=10,
                max_overflow=30,
                pool_timeout=timeout,
                connect_args={
                    "connect_timeout": max(2, int(timeout // 2)),
                    "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
                },
            )
        except (ImportError, sa.exc.ArgumentError) as exc:
            raise StoreError(
                f"the database address cannot be used: {exc}", "use PostgreSQL or SQLite"
            ) from None
        if parsed.get_backend_name() == "postgresql":
            _watched(engine, timeout, watchdog or Watchdog())
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": timeout, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin below, not in the driver
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        _wal(cursor, timeout)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("cxprio_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
