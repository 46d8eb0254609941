"""Which catalogue the board shows, and loading it: a file (``-- PATH``,
``$CXPRIO_CATALOGUE`` or the sample) or, for one session, an upload.

Reading goes through the core (:func:`cxprio.catalogue.loading.read_catalogue_file`, with its
size cap); the loaded catalogue is cached per source and content hash, so an edited file
is loaded again and an unchanged one is not. A file that holds the store's latest version
is not parsed at all: the store keeps that version's catalogue, validated when its text
entered the store (:meth:`cxprio.store.versions.Store.catalogue`).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from typing import cast

import streamlit as st

from cxprio import CatalogueError, parse_catalogue
from cxprio.catalogue.checking import Checked, check_apart
from cxprio.catalogue.loading import LoadedCatalogue, read_catalogue_file
from cxprio.errors import CatalogueReadError, Problem, ProblemLevel, StoreError
from cxprio.store.versions import Store, Version

from . import record
from .record import Record
from .startup import configured_path as configured_path  # which file: decided at start
from .state import Memo, Prepared, prepare

_UPLOAD = "uploaded_catalogue"  # session key: (name, bytes, sha256) of a catalogue chosen by upload
_FILE_VERSION = "file_version"  # session key: ((path, mtime_ns, size), sha256) of the file last read


UPLOAD_WAIT = 10.0
"""How long (seconds) checking an upload waits for another session's check to end before
the page says the board is busy."""

_CHECKING = threading.Lock()
"""One upload is checked, or loaded once checked, at a time on this server. A check takes
a core and, for a large catalogue, hundreds of megabytes while it lasts: one at a time,
the server keeps its memory and its other core for everyone else, however many visitors
upload at once."""


class UploadsBusy(Exception):
    """Another session's upload was being checked for longer than :data:`UPLOAD_WAIT`."""


_CHECKED = "checked_upload"  # session key: (sha256, Checked) of the last upload checked


def check_upload(name: str, content: bytes) -> Checked:
    """An upload (or pasted text) named ``name``, checked in a process of its own
    (:func:`cxprio.catalogue.checking.check_apart`), once per session for the same bytes and one
    upload at a time on this server; raises :class:`UploadsBusy` when another session's
    check held the server for longer than :data:`UPLOAD_WAIT`.

    Only what the page shows is kept: the problems or the counts, never the catalogue. A
    refused upload leaves nothing behind in the server; a valid one is loaded again,
    once, if it is used."""
    sha256 = hashlib.sha256(content).hexdigest()
    known = st.session_state.get(_CHECKED)
    if known is not None and known[0] == sha256:
        return cast(Checked, known[1])
    if not _CHECKING.acquire(timeout=UPLOAD_WAIT):
        raise UploadsBusy
    try:
        checked = check_apart(content, source=name)
    finally:
        _CHECKING.release()
    st.session_state[_CHECKED] = (sha256, checked)
    return checked


def use_upload(name: str, content: bytes) -> None:
    """Show an uploaded catalogue on the board for the rest of this session."""
    st.session_state[_UPLOAD] = (name, content, hashlib.sha256(content).hexdigest())


def forget_upload() -> None:
    """Go back to the catalogue file."""
    st.session_state.pop(_UPLOAD, None)


def using_upload() -> bool:
    return st.session_state.get(_UPLOAD) is not None


def configured_source() -> str:
    """The name of what this session shows: the upload's name or the file's path."""
    upload = st.session_state.get(_UPLOAD)
    return str(upload[0]) if upload is not None else str(configured_path())


def read_source() -> tuple[str, bytes]:
    """The name and bytes of the catalogue this session shows (an upload, or the file)."""
    upload = st.session_state.get(_UPLOAD)
    if upload is not None:
        return str(upload[0]), bytes(upload[1])
    path = configured_path()
    return str(path), read_catalogue_file(path)


def source_version() -> tuple[str, str, bytes | None]:
    """The name, content SHA-256 and, when they had to be read, the bytes of the catalogue
    this session shows.

    The file is re-read and re-hashed only when its size or modification time changes,
    so a rerun after a slider move does not hash a large catalogue again; an upload is
    hashed once, when it is chosen.
    """
    upload = st.session_state.get(_UPLOAD)
    if upload is not None:
        return str(upload[0]), str(upload[2]), bytes(upload[1])
    path = configured_path()
    try:
        stat = path.stat()
    except OSError:
        name, content = read_source()  # raises the core's message
        return name, hashlib.sha256(content).hexdigest(), content
    stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    known = st.session_state.get(_FILE_VERSION)
    if known is not None and known[0] == stamp:
        return str(path), str(known[1]), None
    name, content = read_source()
    sha256 = hashlib.sha256(content).hexdigest()
    st.session_state[_FILE_VERSION] = (stamp, sha256)
    return name, sha256, content


# The catalogue is immutable (frozen models), so it is cached as a shared resource, with
# what the board prepares from it: st.cache_data would unpickle a fresh copy of a
# 10,000-experience catalogue on every rerun.
# The key is the source name and the content's SHA-256, so an edited file is reloaded;
# the bytes, when already read, come along unhashed.
@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load(source: str, sha256: str, _content: bytes | None) -> Prepared:
    content = _content
    if content is None:  # known version, but its catalogue left the cache: read it again
        source, content = read_source()
        if hashlib.sha256(content).hexdigest() != sha256:  # rewritten since it was hashed
            raise CatalogueReadError(
                [
                    Problem(
                        ProblemLevel.ERROR,
                        "the file changed while it was being read",
                        file=source,
                        hint="click anywhere to load it again",
                        code="read",
                    )
                ]
            )
    return prepare(parse_catalogue(content, source=source))


_KNOWN: Memo[tuple[str, str], Prepared] = Memo(8)
"""(source, SHA-256) -> what :func:`_load` returned: a rerun finds its version with a
plain lookup, where the Streamlit cache would hash the arguments first."""


_LAST_GOOD: dict[str, Prepared] = {}
"""Catalogue file -> the last version of it that loaded on this server, so a file saved
broken leaves every session, new ones too, on the last good board. Uploads are not kept:
one is only used once it has loaded, and it belongs to its session."""
_LAST_GOOD_LOCK = threading.Lock()


def load() -> tuple[Prepared, CatalogueError | None, Record]:
    """The catalogue version to show, prepared for the board; when the catalogue file is
    broken or gone, its errors; and where it stands in the store.

    The board shows the store's latest version (:mod:`.record`); a changed, valid file
    becomes the latest. An invalid or missing file leaves the latest version on screen,
    with the file's errors. Without a store (the database is down), the file is shown
    as it is, falling back to the last version of it that loaded on this server; with
    nothing to fall back on, the :class:`CatalogueError` is raised.
    """
    return _load_shown()


def _load_shown() -> tuple[Prepared, CatalogueError | None, Record]:
    if using_upload():  # an upload is the session's own: never stored
        source, sha256, content = source_version()
        return _KNOWN.get((source, sha256), lambda: _load_upload(source, sha256, content)), None, Record(None)
    try:
        store = record.open_store()
    except StoreError as problem:
        prepared, stale = _load_file()
        return prepared, stale, Record(None, problem=problem)
    try:
        source, sha256, content = source_version()
        shown = _kept(store, source, sha256) or _KNOWN.get(
            (source, sha256), lambda: _load(source, sha256, content)
        )
    except CatalogueError as exc:
        try:
            latest = store.latest()
        except StoreError as problem:
            prepared, _ = _load_file(exc)
            return prepared, exc, Record(None, problem=problem)
        if latest is None:
            prepared, _ = _load_file(exc)
            return prepared, exc, Record(store)
        return _load_version(store, configured_source(), latest), exc, Record(store, latest)
    _remember_good(source, shown)
    try:
        where = record.sync(store, source, sha256, known=lambda digest: _parsed(source, digest))
    except StoreError as problem:
        return shown, None, Record(None, problem=problem)
    where = replace(where, file_sha256=sha256)
    if where.version is None or where.version.sha256 == sha256:
        return shown, None, where
    return _load_version(store, source, where.version), None, where


def _kept(store: Store, source: str, sha256: str) -> Prepared | None:
    """The store's latest version when the file holds its text, as the store keeps it
    (valid, and not parsed again); None otherwise, or when the store cannot say."""
    try:
        latest = store.latest(max_age=record.LATEST_MAX_AGE)
        if latest is None or latest.sha256 != sha256:
            return None
        return _load_version(store, source, latest)
    except StoreError:
        return None


def _load_upload(source: str, sha256: str, content: bytes | None) -> Prepared:
    """An upload, checked already, loaded for the board: one at a time on this server,
    like every check of an upload, waiting for its turn."""
    with _CHECKING:
        return _load(source, sha256, content)


def _parsed(source: str, sha256: str) -> LoadedCatalogue | None:
    """The catalogue with this SHA-256 when the board has it validated already."""
    prepared = _KNOWN.peek((source, sha256))
    return prepared.loaded if prepared is not None else None


def _load_file(error: CatalogueError | None = None) -> tuple[Prepared, CatalogueError | None]:
    """The catalogue file as it is, or the last version of it that loaded on this
    server with the file's errors (``error``, when already known)."""
    try:
        if error is not None:
            raise error
        source, sha256, content = source_version()
        prepared = _KNOWN.get((source, sha256), lambda: _load(source, sha256, content))
    except CatalogueError as exc:
        with _LAST_GOOD_LOCK:
            previous = _LAST_GOOD.get(configured_source())
        if previous is None:
            raise
        return previous, exc
    _remember_good(source, prepared)
    return prepared, None


def _remember_good(source: str, prepared: Prepared) -> None:
    with _LAST_GOOD_LOCK:
        _LAST_GOOD[source] = prepared


def _load_version(store: Store, source: str, version: Version) -> Prepared:
    """A store version, prepared: found by its SHA-256 like any other catalogue text."""
    return _KNOWN.get(
        (source, version.sha256), lambda: _load_stored(source, version.sha256, store, version.id)
    )


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load_stored(source: str, sha256: str, _store: Store, version_id: int) -> Prepared:
    return prepare(_store.catalogue(version_id, source=source))
