"""The catalogue's one shared record: its versions, append-only, in a database.

Each version keeps the full YAML text (rebuilt on read: see below), its SHA-256, the
version it follows, who made it, when, why, and where it came from (``file``: imported
from the catalogue file; ``edit``: saved on the board). Its field-level changes from the
version before are the audit trail (:func:`cxprio.catalogue.audit.field_changes`).

Where:
    :func:`cxprio.store.engine.database_url` picks the database: ``$CXPRIO_DATABASE_URL``, else
    ``[cxprio] database_url`` in ``.streamlit/secrets.toml``, else the SQLite file
    ``data/cxprio.db`` (created on first use). PostgreSQL URLs use psycopg 3
    (``postgresql+psycopg://user:password@host/db``), so several app replicas share one
    store.

Safety:
    - History is one line: every version names the one it follows, and a unique
      constraint lets only one version follow any other. A change that started from a
      version that is no longer the latest is refused (:class:`StaleVersion`) inside the
      database transaction, so the check holds across processes and replicas.
    - SQLite runs in WAL mode with a busy timeout, and writes in ``BEGIN IMMEDIATE``
      transactions, so concurrent writers queue instead of failing.
    - The schema is migrated by Alembic (``cxprio/store/migrations``) when a store opens, and
      by ``python -m cxprio db upgrade``.

Size:
    A version stores its text compressed in full every :data:`CHECKPOINT_EVERY` versions
    and for every import; in between it stores only the span of text that changed from
    the version before. A one-value save on a 10,000-experience catalogue so costs a few
    hundred bytes, not another 6 MB.

Beside it: the tables (:mod:`.schema`), reaching the database (:mod:`.engine`), group
commits (:mod:`.batches`), a version's validated catalogue (:mod:`.parsed`) and importing
a file (:mod:`.imports`). :class:`Store` stays one class of about 500 lines on purpose:
its reads and writes share one engine, one set of caches and locks, and one way of
turning a database's failures into messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cxprio.catalogue.audit import AuditRow, FieldChange
from cxprio.catalogue.limits import PERSON_NAME_LENGTH, REASON_LENGTH
from cxprio.errors import StaleVersion, StoreError, StoreUnavailable
from cxprio.store.batches import Batches, T
from cxprio.store.engine import (
    DATABASE_URL_VARIABLE,
    Watchdog,
    database_timeout,
    database_url,
    describe,
    make_engine,
    read_only_reason,
    says_read_only,
    sqlite_file,
)
from cxprio.store.schema import changes, parsed, rounds, snapshots, versions
from cxprio.texts import plain

if TYPE_CHECKING:
    from cxprio.catalogue.loading import LoadedCatalogue

CHECKPOINT_EVERY = 50
"""A version's full text is stored at least once in this many versions."""
KEEP_RETRY_SECONDS = 60.0
"""After keeping a catalogue failed (a read-only or unreachable database), how long the
store goes without trying again."""
TRANSACTION_CACHE = "cxprio_transaction_cache"
"""The key of :meth:`Store.transaction`'s per-transaction dict in ``connection.info``."""
_WRITE_LOCK = 0x6378_7072_696E  # the advisory lock PostgreSQL writers queue for
ORIGIN_FILE = "file"
ORIGIN_EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the catalogue, without its text (see :meth:`Store.text`)."""

    id: int
    parent_id: int | None
    sha256: str
    origin: str
    source: str | None
    author: str
    created_at: datetime
    rationale: str
    size: int


@dataclass(frozen=True, slots=True)
class Draft:
    """A version to be written (see :meth:`Store.commit_onto`)."""

    text: str
    author: str
    rationale: str = ""
    origin: str = ORIGIN_EDIT
    source: str | None = None
    changes: tuple[FieldChange, ...] = ()
    loaded: LoadedCatalogue | None = None
    """The text validated, when the writer parsed all of it: kept with the version."""


@dataclass(frozen=True, slots=True)
class Writing:
    """Inside a write transaction: the latest version's id, and reading on the
    transaction's connection (a writer that asked the pool for another could wait for
    one held by writers queued behind it)."""

    store: Store
    connection: Connection
    latest: int | None

    def text(self, version_id: int) -> str:
        return self.store.text(version_id, within=self.connection)

    def kept(self, version_id: int) -> LoadedCatalogue | None:
        """The version's catalogue when the store keeps it (never parsed here: a parse
        would hold every other writer back)."""
        return self.store.kept(version_id, within=self.connection)

    def audit(self, *, after: int, experience: str | None = None) -> list[AuditRow]:
        return self.store.audit(after=after, experience=experience, within=self.connection)

    def versions_after(self, version_id: int) -> list[Version]:
        """The versions after ``version_id``, oldest first."""
        rows = self.connection.execute(
            _VERSION_COLUMNS.where(versions.c.id > version_id).order_by(versions.c.id)
        ).all()
        return [_version(row) for row in rows]

    def last_written(self, source: str) -> str | None:
        """The SHA-256 of the newest version imported from, or written to, ``source``."""
        found = self.connection.execute(
            sa.select(versions.c.sha256)
            .where(versions.c.source == source)
            .order_by(versions.c.id.desc())
            .limit(1)
        ).scalar()
        return str(found) if found is not None else None


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _common(old: str, new: str, limit: int, *, from_end: bool = False) -> int:
    """How many characters ``old`` and ``new`` share at their start (or end), up to
    ``limit``: compared in long slices, then shorter ones, so a 6 MB text takes a few
    hundred comparisons, not six million."""
    same = 0
    step = 1 << 16
    while step:
        while same + step <= limit:
            if from_end:
                a, b = (
                    old[len(old) - same - step : len(old) - same],
                    new[len(new) - same - step : len(new) - same],
                )
            else:
                a, b = old[same : same + step], new[same : same + step]
            if a != b:
                break
            same += step
        step //= 2
    return same


def _patch(old: str, new: str) -> tuple[int, int, str]:
    """The one span of ``old`` to replace to make ``new``: ``(start, end, replacement)``,
    from the longest common start and end."""
    start = _common(old, new, min(len(old), len(new)))
    tail = _common(old, new, min(len(old), len(new)) - start, from_end=True)
    return start, len(old) - tail, new[start : len(new) - tail]


class Store:
    """The versions of one catalogue in one database (see the module's text).

    Safe to share between threads: each call takes a connection from the engine's pool.
    Every failure to reach the database is raised as :class:`StoreUnavailable`, with the
    database named and what to do.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True, timeout: float | None = None) -> None:
        self.url = url or database_url()
        self.timeout = timeout if timeout is not None else database_timeout()
        """How long one database call may take (seconds): see :data:`DEFAULT_TIMEOUT_SECONDS`."""
        self._watchdog = Watchdog()
        self.engine = make_engine(self.url, self.timeout, self._watchdog)
        self._texts: dict[int, str] = {}
        self._catalogues: dict[int, LoadedCatalogue] = {}
        self._latest: tuple[Version | None, float | None] = (None, None)
        self._lock = threading.Lock()
        self._write_queue = threading.Lock()
        self._batches = Batches(self)
        # Keeping a catalogue is a write nobody waits for: one thread, in the background.
        self._keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxprio-keep")
        self._keeping_failed: float | None = None
        if migrate:
            self.upgrade()

    # --- schema -------------------------------------------------------------------

    def upgrade(self) -> str | None:
        """Bring the schema to the newest migration; returns the revision now in place."""
        from cxprio.store.migrations import upgrade

        with self._errors("migrate"):
            return upgrade(self.engine)

    def close(self) -> None:
        self._keeper.shutdown(wait=True)
        self._batches.stop()
        self.engine.dispose()
        self._watchdog.stop()

    def read_only(self) -> str | None:
        """Why this SQLite database cannot be written now (its file or folder is
        read-only), or ``None``; always ``None`` for PostgreSQL, which says so itself."""
        path = sqlite_file(self.url)
        return read_only_reason(path) if path is not None else None

    # --- reading --------------------------------------------------------------------

    def latest(self, *, max_age: float = 0.0) -> Version | None:
        """The newest version, or ``None`` for an empty store. With ``max_age`` (seconds),
        the answer this object last read or wrote, when no older than that: a page rerun
        asks at every click, and another replica's save can wait a second."""
        with self._lock:
            seen, when = self._latest
        if max_age > 0 and when is not None and time.monotonic() - when <= max_age:
            return seen
        with self._errors("read"), self.engine.connect() as connection:
            row = connection.execute(_VERSION_COLUMNS.order_by(versions.c.id.desc()).limit(1)).first()
        found = _version(row) if row is not None else None
        self._saw(found)
        return found

    def _saw(self, version: Version | None) -> None:
        with self._lock:
            seen, _when = self._latest
            # A read that began before another thread's commit may end after it: the
            # newer version wins, so what this object knows never goes back.
            if seen is not None and (version is None or version.id < seen.id):
                version = seen
            self._latest = (version, time.monotonic())

    def version(self, version_id: int) -> Version:
        with self._errors("read"), self.engine.connect() as connection:
            row = connection.execute(_VERSION_COLUMNS.where(versions.c.id == version_id)).first()
        if row is None:
            raise StoreError(f"there is no version {version_id}", "see `python -m cxprio history`")
        return _version(row)

    def history(self) -> list[Version]:
        """Every version, oldest first."""
        with self._errors("read"), self.engine.connect() as connection:
            rows = connection.execute(_VERSION_COLUMNS.order_by(versions.c.id)).all()
        return [_version(row) for row in rows]

    def holds(self, sha256: str) -> bool:
        """Whether some version's text has this SHA-256."""
        with self._errors("read"), self.engine.connect() as connection:
            found = connection.execute(
                sa.select(versions.c.id).where(versions.c.sha256 == sha256).limit(1)
            ).first()
        return found is not None

    def text(self, version_id: int, *, within: Connection | None = None) -> str:
        """The full YAML text of a version: its last full copy, with the changes since
        applied. ``within``: read on this connection (see :meth:`audit`)."""
        with self._lock:
            known = self._texts.get(version_id)
        if known is not None:
            return known
        with self._lock:
            known_texts = dict(self._texts)
        if within is not None:
            text = _rebuild(within, version_id, known_texts)
        else:
            with self._errors("read"), self.engine.connect() as connection:
                text = _rebuild(connection, version_id, known_texts)
        self._remember(version_id, text)
        return text

    def catalogue(self, version_id: int, *, source: str = "<catalogue>") -> LoadedCatalogue:
        """A version's validated catalogue, its warnings naming ``source``: as kept when
        its text entered the store, so its YAML is not parsed again (a save's is made
        from the version before, :func:`cxprio.catalogue.loading.after_edits`, and held
        by the process that saved). A version stored without it (a save, read in another
        process; one from before migration 0007) is parsed once, here, and what was parsed is kept, in the background, for the later readers;
        a store that cannot be written (read-only, say) only costs the next reader a parse.

        Raises :class:`cxprio.CatalogueError` for a stored text today's rules refuse."""
        from cxprio.catalogue.loading import parse_catalogue

        loaded = self.kept(version_id)
        if loaded is None:
            loaded = parse_catalogue(self.text(version_id), source=source)
            self._remember_catalogue(version_id, loaded)
            self._keep_soon(version_id, loaded)
        return loaded if loaded.source == source else _renamed(loaded, source)

    def kept(self, version_id: int, *, within: Connection | None = None) -> LoadedCatalogue | None:
        """A version's catalogue as the store keeps it, or None when it keeps none (or
        one of an older form): see :meth:`catalogue`. ``within``: read on this connection."""
        from cxprio.store.parsed import FORMAT, decode

        with self._lock:
            known = self._catalogues.get(version_id)
        if known is not None:
            return known
        text = self.text(version_id, within=within)
        query = sa.select(parsed.c.catalogue, parsed.c.warnings).where(
            parsed.c.version_id == version_id, parsed.c.format == FORMAT
        )
        if within is not None:
            row = within.execute(query).first()
        else:
            with self._errors("read"), self.engine.connect() as connection:
                row = connection.execute(query).first()
        if row is None:
            return None
        loaded = decode(row.catalogue, row.warnings, text=text, source="<catalogue>", sha256=sha256_of(text))
        if loaded is not None:
            self._remember_catalogue(version_id, loaded)
        return loaded

    def _keep_soon(self, version_id: int, loaded: LoadedCatalogue) -> None:
        """Keep a version's catalogue, in the background: a reader or a writer never
        waits for it, and a store that cannot be written just goes without (after a
        failure, nothing is tried for :data:`KEEP_RETRY_SECONDS`)."""
        failed = self._keeping_failed
        if failed is not None and time.monotonic() - failed < KEEP_RETRY_SECONDS:
            return
        self._keeper.submit(self._keep_now, version_id, loaded)

    def _keep_now(self, version_id: int, loaded: LoadedCatalogue) -> None:
        from cxprio.store.parsed import FORMAT, KEPT_VERSIONS, encode

        with self._lock:
            seen, _when = self._latest
        if seen is not None and version_id < seen.id - KEPT_VERSIONS // 2:
            # Saves came faster than keeping, or a reader parsed an old version: only the
            # newest two are worth a write (a burst of saves writes a few, not one each).
            return
        if self.read_only() is not None:
            return
        body, warnings = encode(loaded)
        try:
            with self._errors("keep a catalogue"), self._writing() as connection:
                # In place of one kept before in this form: a reader parsed again because
                # it would not load.
                connection.execute(
                    parsed.delete().where(parsed.c.version_id == version_id, parsed.c.format == FORMAT)
                )
                connection.execute(
                    parsed.insert().values(
                        version_id=version_id, format=FORMAT, catalogue=body, warnings=warnings
                    )
                )
                newest = connection.execute(sa.select(sa.func.max(versions.c.id))).scalar() or 0
                connection.execute(  # older versions nobody reads again let theirs go
                    parsed.delete().where(
                        parsed.c.version_id <= newest - KEPT_VERSIONS,
                        parsed.c.version_id != version_id,
                        parsed.c.version_id.not_in(sa.select(snapshots.c.version_id)),
                        parsed.c.version_id.not_in(sa.select(rounds.c.version_id)),
                    )
                )
        except StoreError:
            self._keeping_failed = time.monotonic()

    def flush(self) -> None:
        """Wait until the catalogues being kept in the background are written."""
        self._keeper.submit(lambda: None).result()

    def remembered(self, version_id: int) -> LoadedCatalogue | None:
        """A version's catalogue when this store object holds it in memory (never read)."""
        with self._lock:
            return self._catalogues.get(version_id)

    def remember_catalogue(self, version_id: int, loaded: LoadedCatalogue | None) -> None:
        """Hold a version's catalogue in memory for this process's readers (``None``: a
        version whose catalogue could not be made from the one before)."""
        if loaded is not None:
            self._remember_catalogue(version_id, loaded)

    def _remember_catalogue(self, version_id: int, loaded: LoadedCatalogue) -> None:
        with self._lock:
            self._catalogues[version_id] = loaded
            while len(self._catalogues) > 2:  # the latest two; one of 10,000 experiences is large
                del self._catalogues[min(self._catalogues)]

    def audit(
        self,
        version_id: int | None = None,
        *,
        after: int | None = None,
        experience: str | None = None,
        within: Connection | None = None,
    ) -> list[AuditRow]:
        """The field-level changes of one version, of the versions after ``after``, or of
        all, and of one experience only if given; oldest first. ``within``: read on this
        connection (a write transaction's, see :class:`Writing`)."""
        query = (
            sa.select(
                changes.c.version_id,
                versions.c.created_at,
                versions.c.author,
                versions.c.origin,
                versions.c.rationale,
                changes.c.experience,
                changes.c.field,
                changes.c.old,
                changes.c.new,
                changes.c.note,
            )
            .join(versions, versions.c.id == changes.c.version_id)
            .order_by(changes.c.version_id, changes.c.id)
        )
        if version_id is not None:
            query = query.where(changes.c.version_id == version_id)
        if after is not None:
            query = query.where(changes.c.version_id > after)
        if experience is not None:
            query = query.where(changes.c.experience == experience)
        if within is not None:
            rows = within.execute(query).all()
        else:
            with self._errors("read"), self.engine.connect() as connection:
                rows = connection.execute(query).all()
        return [AuditRow(**row._asdict()) for row in rows]

    # --- writing --------------------------------------------------------------------

    def commit(
        self,
        text: str,
        *,
        parent: int | None,
        author: str,
        rationale: str = "",
        origin: str = ORIGIN_EDIT,
        source: str | None = None,
        field_changes: Sequence[FieldChange] = (),
        before_commit: Callable[[Version], None] | None = None,
        loaded: LoadedCatalogue | None = None,
    ) -> Version:
        """Add ``text`` as the version after ``parent`` (``None``: the first version),
        with its field-level changes, in one transaction.

        Raises :class:`StaleVersion` when ``parent`` is not the latest version (checked,
        and enforced by a unique constraint, inside the transaction): nothing is written.
        ``before_commit`` runs with the new version once it is written and before the
        transaction commits; if it raises, nothing is written and its error goes on.
        ``loaded``: ``text`` as validated, kept with it (see :meth:`catalogue`).
        """

        def draft(writing: Writing) -> Draft:
            if writing.latest != parent:
                raise StaleVersion(parent, writing.latest)
            return Draft(text, author, rationale, origin, source, tuple(field_changes), loaded)

        return self.commit_onto(draft, before_commit=before_commit)

    def commit_onto(
        self, draft: Callable[[Writing], Draft], *, before_commit: Callable[[Version], None] | None = None
    ) -> Version:
        """Add the version ``draft`` makes from the latest version's id, in one write
        transaction: writers queue for it (``BEGIN IMMEDIATE`` on SQLite, an advisory
        lock on PostgreSQL), so ``draft`` sees the latest version as it will stay until
        the commit and its work is never thrown away by a race. ``draft`` may refuse by
        raising (:class:`StaleVersion`, say); nothing is then written. It reads through
        the :class:`Writing` it is given, on the transaction's own connection."""
        with self._errors("write"), self._writing() as connection:
            parent = connection.execute(sa.select(sa.func.max(versions.c.id))).scalar()
            made = draft(Writing(self, connection, parent))
            plain(made.author, "author's name", limit=PERSON_NAME_LENGTH)
            plain(made.rationale, "reason", lines=True, limit=REASON_LENGTH)
            digest = sha256_of(made.text)
            now = datetime.now(UTC)
            storage, body = self._body(connection, made.text, parent, made.origin)
            try:
                version_id = connection.execute(
                    versions.insert()
                    .values(
                        parent_id=parent,
                        follows=parent or 0,
                        sha256=digest,
                        storage=storage,
                        body=body,
                        size=len(made.text),
                        origin=made.origin,
                        source=made.source,
                        author=made.author,
                        created_at=now,
                        rationale=made.rationale,
                    )
                    .returning(versions.c.id)
                ).scalar_one()
            except sa.exc.IntegrityError:  # another writer took this place first
                raise StaleVersion(parent, None) from None
            if made.changes:
                connection.execute(
                    changes.insert(),
                    [
                        {
                            "version_id": version_id,
                            "experience": change.experience,
                            "field": change.field,
                            "old": change.old,
                            "new": change.new,
                            "note": change.note,
                        }
                        for change in made.changes
                    ],
                )
            version = Version(
                version_id,
                parent,
                digest,
                made.origin,
                made.source,
                made.author,
                now,
                made.rationale,
                len(made.text),
            )
            if before_commit is not None:
                before_commit(version)
        self._remember(version_id, made.text)
        if made.loaded is not None and made.loaded.sha256 == digest:  # never another text's
            self._remember_catalogue(version_id, made.loaded)
            self._keep_soon(version_id, made.loaded)
        self._saw(version)
        return version

    def _body(self, connection: Connection, text: str, parent: int | None, origin: str) -> tuple[str, bytes]:
        """How to store ``text``: in full (the first version, an import, every
        :data:`CHECKPOINT_EVERY` versions, or a change of more than a quarter of it), or as
        the span that changed from ``parent``."""
        if parent is None or origin == ORIGIN_FILE:
            return "full", zlib.compress(text.encode("utf-8"))
        last_full = connection.execute(
            sa.select(sa.func.max(versions.c.id)).where(versions.c.storage == "full")
        ).scalar()
        since = connection.execute(
            sa.select(sa.func.count()).select_from(versions).where(versions.c.id > (last_full or 0))
        ).scalar_one()
        if since + 1 >= CHECKPOINT_EVERY:
            return "full", zlib.compress(text.encode("utf-8"))
        with self._lock:
            before = self._texts.get(parent)
        if before is None:
            with self._lock:
                known_texts = dict(self._texts)
            before = _rebuild(connection, parent, known_texts)
        start, end, replacement = _patch(before, text)
        if len(replacement) + (end - start) > len(text) // 4:
            return "full", zlib.compress(text.encode("utf-8"))
        return "patch", zlib.compress(json.dumps([start, end, replacement]).encode("utf-8"))

    def _remember(self, version_id: int, text: str) -> None:
        with self._lock:
            self._texts[version_id] = text
            while len(self._texts) > 4:  # the latest few; a 10,000-experience text is 6 MB
                del self._texts[min(self._texts)]

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
        PostgreSQL, so writers queue at the start. Writers of this process queue first on
        a lock of their own, in order: SQLite's busy handler would have them poll and
        sleep instead."""
        with self._queued(), self.engine.connect() as connection:
            connection = connection.execution_options(cxprio_write=True)
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
                yield connection

    @contextmanager
    def _queued(self) -> Iterator[None]:
        """This process's place in the queue of writers, given up after a while: a
        writer ahead that takes too long is a database that does not answer. On SQLite,
        a read-only file is refused here, before a write can reach its journal."""
        why = self.read_only()
        if why is not None:
            raise StoreUnavailable(
                f"the store at {describe(self.url)} cannot be written: {why}",
                "make it writable again (chmod u+w on the file and its folder); the board "
                "notices at the next save, with no restart",
            )
        # Each writer ahead may take up to the timeout; a queue of a few is normal.
        if not self._write_queue.acquire(timeout=self.timeout * 3):
            raise StoreUnavailable(
                f"the store at {describe(self.url)} is busy: the saves ahead of this one did not finish "
                f"within {self.timeout * 3:.0f} s",
                "try again in a moment",
            )
        try:
            yield
        finally:
            self._write_queue.release()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A small write transaction of its own (a workshop score, say), with database
        failures raised as :class:`StoreUnavailable`. On SQLite, writers of this process
        queue in order and the database's writers in ``BEGIN IMMEDIATE``; on PostgreSQL it
        does not queue behind catalogue saves (row locks are the caller's to take)."""
        with self._errors("write"):
            if self.engine.dialect.name == "postgresql":
                with self.engine.begin() as connection:
                    connection.info[TRANSACTION_CACHE] = {}
                    yield connection
                return
            with self._queued(), self.engine.connect() as connection:
                connection = connection.execution_options(cxprio_write=True)
                with connection.begin():
                    connection.info[TRANSACTION_CACHE] = {}
                    yield connection

    def batched(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a write transaction shared with the other small writes waiting
        at that moment (a group commit), and return its result once that transaction
        has committed. Each ``work`` runs in a savepoint of its own: if it raises, only
        its writes are undone and its error is raised here; the others still land.
        Many small writes at once (twenty people scoring) so cost one commit, and one
        disk flush, between them instead of one each."""
        return self._batches.run(work)

    def reading(self) -> contextlib.AbstractContextManager[Connection]:
        """A connection to read on, with database failures raised as :class:`StoreUnavailable`."""
        return _reading(self)

    def guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        """Database failures inside it raised as :class:`StoreUnavailable` (``doing``
        names what was being done), for code that works on :attr:`engine` directly."""
        return self._errors(doing)

    def _no_answer(self, doing: str) -> StoreUnavailable:
        """The watchdog cut a call of this thread: the database answered nothing."""
        return StoreUnavailable(
            f"the store at {describe(self.url)} did not answer within {self.timeout:.0f} s ({doing})",
            "check that the database server is running and not overloaded; nothing was saved by this attempt",
        )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except StoreError:  # StaleVersion and StoreUnavailable included
            raise
        except sa.exc.OperationalError as exc:
            if self._watchdog.fired():
                raise self._no_answer(doing) from None
            if says_read_only(exc):
                self.engine.dispose()  # connections opened read-only stay so: open new ones next time
                raise StoreUnavailable(
                    f"the store at {describe(self.url)} cannot be written ({doing}): "
                    + (self.read_only() or "the database is read-only"),
                    "make it writable again (chmod u+w on the file and its folder), then try again",
                ) from None
            if "statement timeout" in str(exc.orig).lower() or "lock timeout" in str(exc.orig).lower():
                raise StoreUnavailable(
                    f"the store at {describe(self.url)} did not finish within {self.timeout:.0f} s ({doing})",
                    "try again in a moment; if it keeps happening, the database is overloaded",
                ) from None
            locked = "locked" in str(exc.orig).lower()
            raise StoreUnavailable(
                f"the store at {describe(self.url)} is "
                + ("locked by another writer" if locked else "unreachable")
                + f" ({doing}): {str(exc.orig).strip().splitlines()[0] if exc.orig else exc}",
                "try again in a moment"
                if locked
                else f"check that the database is running and that {DATABASE_URL_VARIABLE} is right",
            ) from None
        except sa.exc.DBAPIError as exc:
            if says_read_only(exc):
                self.engine.dispose()  # sessions keep the setting they began with: new ones next time
                raise StoreUnavailable(
                    f"the store at {describe(self.url)} cannot be written ({doing}): the database is read-only",
                    "make it writable again (on PostgreSQL: default_transaction_read_only off, or the "
                    "primary server), then try again",
                ) from None
            raise StoreUnavailable(
                f"the store at {describe(self.url)} failed ({doing}): {exc.orig}",
                f"check the database and {DATABASE_URL_VARIABLE}",
            ) from None
        except sa.exc.PendingRollbackError:  # a connection cut inside a transaction
            if self._watchdog.fired():
                raise self._no_answer(doing) from None
            raise StoreUnavailable(
                f"the store at {describe(self.url)} lost its connection ({doing})",
                "try again in a moment; nothing was saved by this attempt",
            ) from None
        except sa.exc.ArgumentError as exc:
            raise StoreError(
                f"the database address cannot be used: {exc}",
                f"set {DATABASE_URL_VARIABLE} to an address such as "
                "postgresql+psycopg://user:password@host/db or sqlite:///data/cxprio.db",
            ) from None


@contextmanager
def _reading(store: Store) -> Iterator[Connection]:
    with store.guard("read"), store.engine.connect() as connection:
        yield connection


_VERSION_COLUMNS = sa.select(
    versions.c.id,
    versions.c.parent_id,
    versions.c.sha256,
    versions.c.origin,
    versions.c.source,
    versions.c.author,
    versions.c.created_at,
    versions.c.rationale,
    versions.c.size,
)


def _rebuild(connection: Connection, version_id: int, known: Mapping[int, str] | None = None) -> str:
    """The text of ``version_id``: its last full copy, with every change since applied,
    checked against the version's SHA-256. ``known``: texts of versions at hand (this
    store's own latest saves); the newest of them since that full copy is the start, so
    a replica that wrote version 4 reads another's version 5 as one small change."""
    base = connection.execute(
        sa.select(sa.func.max(versions.c.id)).where(versions.c.id <= version_id, versions.c.storage == "full")
    ).scalar()
    start = max((k for k in known or {} if base is not None and base <= k <= version_id), default=None)
    if start is not None and known is not None:
        text = known[start]
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.storage, versions.c.body, versions.c.sha256)
            .where(versions.c.id > start, versions.c.id <= version_id)
            .order_by(versions.c.id)
        ).all()
        if not rows:  # the text at hand is the one asked for
            return text
        return _applied(text, rows, version_id)
    rows = (
        connection.execute(
            sa.select(versions.c.id, versions.c.storage, versions.c.body, versions.c.sha256)
            .where(versions.c.id >= base, versions.c.id <= version_id)
            .order_by(versions.c.id)
        ).all()
        if base is not None
        else []
    )
    if not rows or rows[-1].id != version_id:
        raise StoreError(f"there is no version {version_id}", "see `python -m cxprio history`")
    return _applied("", rows, version_id)


def _applied(text: str, rows: Sequence[Any], version_id: int) -> str:
    """``text`` with the stored ``rows`` (full copies and changes, in order) applied,
    checked against the last one's SHA-256."""
    if rows[-1].id != version_id:
        raise StoreError(f"there is no version {version_id}", "see `python -m cxprio history`")
    for row in rows:
        body = zlib.decompress(row.body).decode("utf-8")
        if row.storage == "full":
            text = body
        else:
            start, end, replacement = json.loads(body)
            text = text[:start] + replacement + text[end:]
    if sha256_of(text) != rows[-1].sha256:
        raise StoreError(
            f"version {version_id} cannot be rebuilt: the store is damaged",
            "restore the database from a backup",
        )
    return text


def _renamed(loaded: LoadedCatalogue, source: str) -> LoadedCatalogue:
    """``loaded`` named ``source``, in itself and in its warnings."""
    from dataclasses import replace

    return replace(loaded, source=source, warnings=tuple(replace(w, file=source) for w in loaded.warnings))


def aware(moment: datetime) -> datetime:
    """A time read from the database, in UTC: SQLite gives back times without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _version(row: Any) -> Version:
    created = aware(row.created_at)
    return Version(
        row.id,
        row.parent_id,
        row.sha256,
        row.origin,
        row.source,
        row.author,
        created,
        row.rationale,
        row.size,
    )
