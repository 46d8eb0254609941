"""The store, for the board: one per database, opened once per server, and the
catalogue file kept in step with it.

The store is the one truth and the catalogue file its mirror (:func:`sync`): a file
behind the latest version is rewritten from it; a file holding a text no version ever
held is imported as a new version. The import (parsing the version before, comparing
them and writing) runs in the background, so the first page never waits for it: until
it is done, the board shows the file itself, which is what the import makes the
latest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cxprio.catalogue.loading import LoadedCatalogue
from cxprio.errors import StoreError
from cxprio.store.engine import database_url
from cxprio.store.imports import Imported, import_file
from cxprio.store.saving import clean_temporary, mirror
from cxprio.store.versions import Store, Version

from .jobs import Jobs

RETRY_SECONDS = 30.0
"""After the store could not be opened, how long the board waits before trying again."""

LATEST_MAX_AGE = 1.0
"""How old (seconds) the board's knowledge of the latest version may be: every click
asks, and a save on another replica shows within a second."""

_STORES: dict[str, Store] = {}
_FAILED: dict[str, tuple[float, StoreError]] = {}
_LOCK = threading.Lock()
_IMPORTS: Jobs[tuple[str, str, str], Imported] = Jobs("cxprio-import", 16, drop_queued=False)
_IMPORT_FAILED: dict[tuple[str, str], float] = {}
_LOOKED: set[tuple[str, str]] = set()
"""(database, catalogue file) looked at since the server started."""
_HELD: set[tuple[str, str]] = set()
"""(database, SHA-256) of texts the store is known to hold."""
_MIRROR_LOCKS: dict[tuple[str, str], threading.Lock] = {}


@dataclass(frozen=True)
class Record:
    """Where the board's catalogue stands in the store.

    ``version`` is the store version on screen; ``None`` while the file's changes are
    being imported (``importing``), or when the store cannot be used (``problem``).
    ``file_sha256`` is the catalogue file's content as this server last read it: a save
    writes the file back only if it still holds that.
    """

    store: Store | None
    version: Version | None = None
    file_sha256: str | None = None
    importing: bool = False
    problem: StoreError | None = None


def open_store() -> Store:
    """The store of :func:`cxprio.store.engine.database_url`, opened (and migrated) once per
    server. Raises :class:`StoreError`; after a failure, tries again only after
    :data:`RETRY_SECONDS`, so a database that is down does not slow every click."""
    url = database_url()
    with _LOCK:
        if url in _STORES:
            return _STORES[url]
        failed = _FAILED.get(url)
        if failed is not None and time.monotonic() - failed[0] < RETRY_SECONDS:
            raise failed[1]
        try:
            store = Store(url)
        except StoreError as exc:
            _FAILED[url] = (time.monotonic(), exc)
            raise
        _FAILED.pop(url, None)
        _STORES[url] = store
        return store


def sync(
    store: Store,
    source: str,
    sha256: str,
    known: Callable[[str], LoadedCatalogue | None] = lambda _sha256: None,
) -> Record:
    """Where the file ``source`` (content ``sha256``, valid) stands, by the rule that
    the store is the one truth and the file its mirror:

    - the file holds the latest version's text: in step;
    - it holds an older version's text (another replica saved since, or this one was
      stopped between a save's commit and its file write): it is rewritten from the
      latest version, which the board shows;
    - it holds a text no version ever held (a ``git pull``, an editor, a new catalogue
      deployed): it is imported as a new version, in the background.

    ``known`` gives the catalogues the board has parsed already, by SHA-256. The first
    look at a file also deletes the temporary files saves of it left behind.
    """
    key = (store.url, source)
    with _LOCK:
        first = key not in _LOOKED
        _LOOKED.add(key)
    if first:
        clean_temporary(Path(source))
    latest = store.latest(max_age=LATEST_MAX_AGE)
    if latest is not None and latest.sha256 == sha256:
        return Record(store, latest)
    if latest is not None and _held(store, sha256):
        # What this server knew of the latest may be a second old, older than the
        # file (an import that just landed): read it afresh before writing over anything.
        latest = store.latest()
        if latest is not None and latest.sha256 != sha256:
            with _mirroring(key):
                mirror(store, latest, Path(source), sha256)
        return Record(store, latest)
    job = _IMPORTS.request((store.url, source, sha256), lambda: _import(store, source, sha256, known))
    if not job.done():
        return Record(store, importing=True)
    error = job.exception()
    if error is None:
        return Record(store, store.latest(max_age=LATEST_MAX_AGE))
    with _LOCK:
        first_seen = _IMPORT_FAILED.setdefault(key, time.monotonic())
    if time.monotonic() - first_seen >= RETRY_SECONDS:  # the next click tries again
        _IMPORTS.forget((store.url, source, sha256))
        with _LOCK:
            _IMPORT_FAILED.pop(key, None)
    problem = error if isinstance(error, StoreError) else StoreError(str(error))
    return Record(store, latest, problem=problem)


def _held(store: Store, sha256: str) -> bool:
    """Whether the store ever held this text: remembered once true, as versions are never deleted."""
    key = (store.url, sha256)
    with _LOCK:
        if key in _HELD:
            return True
    if not store.holds(sha256):
        return False
    with _LOCK:
        _HELD.add(key)
    return True


@contextmanager
def _mirroring(key: tuple[str, str]) -> Iterator[None]:
    """One mirror write of a file at a time in this server (sessions rerun together)."""
    with _LOCK:
        lock = _MIRROR_LOCKS.setdefault(key, threading.Lock())
    with lock:
        yield


def _import(
    store: Store, source: str, sha256: str, known: Callable[[str], LoadedCatalogue | None]
) -> Imported:
    imported = import_file(store, source, known=known)
    if imported.version.sha256 != sha256:  # the file changed again while it was imported
        raise StoreError(
            f"{Path(source).name} changed while it was being saved to the store", "click to try again"
        )
    return imported
