"""Saving edits: a new version in the store, then the catalogue file rewritten as its
mirror.

The store is the one truth; a catalogue file is a mirror of one of its versions. A
file that holds a text no version ever held was changed outside (a ``git pull``, an
editor): it is never overwritten, and the board imports it as a new version.

:func:`save_edits`, in this order:

1. in the store's write transaction (writers queue for it), takes the latest version.
   When the edit started from an older one, it goes on top of the latest if none of its
   values changed since (a merge, noted in each value's audit row); a value changed since
   refuses the save (:class:`StaleVersion`), unless the editor chose to put theirs over
   it (``overwrite``). The edits are made in the text (:func:`cxprio.catalogue.edit.apply_edits`,
   which checks them);
2. checks that the catalogue file holds a version's text (else :class:`FileChanged`) and
   writes the version, its changes and what ``also`` adds;
3. commits;
4. writes the file: a temporary file beside it (same mode and owner), fsynced, moved over
   it with ``os.replace`` if it still holds what step 2 read.

A crash before 3 leaves nothing: no version, the file as it was. A crash after 3 leaves
the version, with its author and reason, and the file holding an older version's text,
which is a mirror behind the store: the board rewrites it from the store when it next
looks (:func:`mirror`). A temporary file a crash leaves behind names its process; it is
deleted when the board starts and finds that process gone (:func:`clean_temporary`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cxprio.catalogue.audit import AuditRow
from cxprio.catalogue.edit import Edit, Edited, apply_edits
from cxprio.catalogue.files import read_catalogue_file
from cxprio.catalogue.limits import PERSON_NAME_LENGTH, REASON_LENGTH
from cxprio.catalogue.loading import after_edits
from cxprio.errors import CatalogueError, StaleVersion, UsageError
from cxprio.store.engine import marked_read_only
from cxprio.store.schema import versions
from cxprio.store.versions import ORIGIN_EDIT, Draft, Store, Version, Writing
from cxprio.texts import plain

SUFFIX = ".saving"
"""The end of a temporary file's name: ``.NAME.PID.RANDOM.saving``."""


@dataclass(frozen=True)
class Saved:
    """The version a save made, its changes, whether the catalogue file was written, and
    the versions it was merged over (saved by others since the edit started)."""

    version: Version
    edited: Edited
    wrote_file: bool
    merged_over: tuple[Version, ...] = ()


class FileChanged(StaleVersion):
    """The catalogue file holds a text no version of the store ever held (a ``git pull``,
    an editor): the save is refused so the file is never overwritten; the board imports
    the file as a new version."""

    def __init__(self, path: Path) -> None:
        super().__init__(None, None)
        self.message = f"{path.name} was changed outside the board"
        self.hint = (
            "nothing was saved; the board loads the file as the latest version: make your change again there"
        )

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})"


class SameValues(StaleVersion):
    """Someone saved a new value of one of the same values since the edit started."""

    def __init__(self, started_from: int, latest: int, clashes: Sequence[AuditRow]) -> None:
        super().__init__(started_from, latest)
        self.clashes = tuple(clashes)

    def __str__(self) -> str:
        listed = "; ".join(
            f"{row.experience} {row.field} to {row.new} (version {row.version_id}, by {row.author})"
            for row in self.clashes
        )
        return (
            f"since version {self.started_from}, someone saved the same values: {listed} (nothing was saved: "
            "start again from the latest version, or put your values over theirs)"
        )


def writable(path: Path) -> bool:
    """A local file the save may write back: it exists, it and its folder are writable,
    and it is not marked read-only (which a server run as root could still write)."""
    real = Path(os.path.realpath(path))  # a link's own file, where the save writes (replace_file)
    try:
        marked = marked_read_only(real)
    except OSError:
        return False
    return not marked and real.is_file() and os.access(real, os.W_OK) and os.access(real.parent, os.W_OK)


def save_edits(
    store: Store,
    edits: Sequence[Edit],
    *,
    started_from: int,
    author: str,
    rationale: str,
    teams: Collection[str],
    file: Path | None = None,
    file_sha256: str | None = None,
    overwrite: bool = False,
    also: Callable[[Connection, Version], None] | None = None,
) -> Saved:
    """Save ``edits``, made on version ``started_from``, as the next version (see the
    module's text). ``file``: the catalogue file to mirror the new version into, when it
    is a local, writable file; ``file_sha256``: what it held when it was last read (a
    text the store never held is then still taken as the file's own, not as a change
    from outside). ``overwrite``: put these values over ones saved since the edit
    started, instead of refusing. ``also`` runs in the same transaction once the version
    is written: what it writes lands with the version or not at all (a workshop round
    marked closed, say).

    Raises :class:`UsageError` (no rationale, nothing changed, a field that cannot be
    edited, a control character), :class:`cxprio.CatalogueError` (a value the rules
    refuse, with its line), :class:`SameValues` (someone saved the same value first),
    :class:`FileChanged`, and :class:`StoreUnavailable`; in each case nothing was saved.
    """
    if not rationale.strip():
        raise UsageError("say why, in a few words: every change is saved with its reason")
    plain(author, "editor's name", limit=PERSON_NAME_LENGTH)
    plain(rationale, "reason", lines=True, limit=REASON_LENGTH)
    for edit in edits:
        plain(edit.note, "note of a changed value", lines=True, limit=REASON_LENGTH)
    target = file if file is not None and writable(file) else None
    made: dict[str, Any] = {}  # what the draft made: the edits, the versions merged over

    def draft(writing: Writing) -> Draft:  # 1, in the write transaction
        latest = writing.latest
        if latest is None:
            raise StaleVersion(started_from, None)
        notes = {(e.experience, e.field): e.note for e in edits if e.note}
        if latest != started_from:
            since = writing.audit(after=started_from)
            clashes = [row for row in since if _touches(row, edits)]
            if clashes and not overwrite:
                raise SameValues(started_from, latest, clashes)
            made["merged_over"] = tuple(writing.versions_after(started_from))
            merged = f"made on version {started_from}, applied on top of version {latest}"
            notes = {(e.experience, e.field): notes.get((e.experience, e.field)) or merged for e in edits}
        edited = apply_edits(
            writing.text(latest), edits, teams=teams, source=str(file) if file else "<catalogue>"
        )
        if not edited.changes:
            raise UsageError("nothing to save: every value is as it was")
        if notes:
            edited = replace(
                edited,
                changes=tuple(
                    replace(c, note=notes.get((c.experience or "", c.field))) for c in edited.changes
                ),
            )
        made["edited"] = edited
        made["connection"] = writing.connection
        made["parent"] = latest
        return Draft(
            edited.text,
            author,
            rationale.strip(),
            ORIGIN_EDIT,
            str(target) if target is not None else None,
            edited.changes,
        )

    def before_commit(version: Version) -> None:  # 2, inside the transaction
        if target is not None:
            held = _sha256_of_file(target)
            if held != file_sha256 and not _held(made["connection"], held):
                raise FileChanged(target)
            made["file_held"] = held
        if also is not None:
            also(made["connection"], version)

    version = store.commit_onto(draft, before_commit=before_commit)  # 3 when it returns
    # The new version's catalogue, made from the one before when this process holds it
    # (no parse, and outside the write transaction): remembered here, not written, so a
    # save costs the store only its change. Another process reading it parses it once.
    before = store.remembered(made["parent"])
    if before is not None:
        store.remember_catalogue(version.id, after_edits(before, made["edited"]))
    wrote = False
    if target is not None:  # 4: the store has the version; the file follows it
        with contextlib.suppress(OSError):
            wrote = replace_file(target, made["edited"].text, expected=made["file_held"])
    return Saved(version, made["edited"], wrote_file=wrote, merged_over=made.get("merged_over", ()))


def _touches(row: AuditRow, edits: Sequence[Edit]) -> bool:
    """Whether a change saved since touches one of ``edits``: the same value, or the
    experience itself added or removed."""
    return any(
        row.experience == e.experience and (row.field == e.field or row.field in ("(added)", "(removed)"))
        for e in edits
    )


def _held(connection: Connection, sha256: str | None) -> bool:
    """Whether some version's text has this SHA-256 (read on the transaction's connection)."""
    if sha256 is None:
        return False
    return (
        connection.execute(sa.select(versions.c.id).where(versions.c.sha256 == sha256).limit(1)).first()
        is not None
    )


def _sha256_of_file(path: Path) -> str | None:
    """The SHA-256 of the catalogue file's text, read as the loader reads it (a path
    that has become a named pipe is never waited on); None when it cannot be read."""
    try:
        return hashlib.sha256(read_catalogue_file(path)).hexdigest()
    except CatalogueError:
        return None


def replace_file(target: Path, text: str, *, expected: str | None) -> bool:
    """Write ``text`` to ``target`` through a temporary file beside it (same mode and
    owner, fsynced), if ``target`` still holds the text whose SHA-256 is ``expected``;
    whether it was written. Raises :class:`OSError`, with no temporary file left.

    A ``target`` that is a symbolic link (a mounted configuration, say) stays one: the
    file it points to is the one replaced, never the link."""
    target = Path(os.path.realpath(target))
    temporary = _write_temporary(target, text)
    try:
        if _sha256_of_file(target) != expected:  # changed outside a moment ago: leave it
            return False
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the rename itself made durable, where the system allows
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return True


def mirror(store: Store, version: Version, target: Path, held: str) -> bool:
    """Rewrite the catalogue file ``target``, which holds ``held`` (the SHA-256 of an
    older version's text), with ``version``'s text: a mirror brought up to the store.
    Only a local, writable file that still holds ``held`` is written, and only when the
    store ever held ``held`` (else the file changed outside and is the store's to
    import). Whether it was written."""
    if not writable(target) or not store.holds(held):
        return False
    try:
        return replace_file(target, store.text(version.id), expected=held)
    except OSError:
        return False


def _write_temporary(target: Path, text: str) -> str:
    """``text`` in a new temporary file beside ``target`` (named for this process, with
    ``target``'s mode and, where allowed, its owner), flushed and fsynced; its path."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=SUFFIX
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            with contextlib.suppress(OSError):
                kept = os.stat(target)
                os.fchmod(stream.fileno(), kept.st_mode & 0o7777)
                if (kept.st_uid, kept.st_gid) != (os.getuid(), os.getgid()):
                    with contextlib.suppress(PermissionError):
                        os.fchown(stream.fileno(), kept.st_uid, kept.st_gid)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def clean_temporary(target: Path, *, older_than: float = 3600.0) -> list[Path]:
    """Delete the temporary files saves of ``target`` left behind (a process killed in
    the middle of a save): those whose process is gone, and, of an unknown process,
    those older than ``older_than`` seconds. Returns what was deleted."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(?:(\d+)\.)?[^/]*{re.escape(SUFFIX)}$")
    removed: list[Path] = []
    try:
        found = list(target.parent.iterdir())
    except OSError:
        return removed
    for path in found:
        matched = pattern.match(path.name)
        if matched is None:
            continue
        pid = int(matched.group(1)) if matched.group(1) else None
        try:
            age = time.time() - path.stat().st_mtime
            # A process of another pid that is gone; this process's own from before a
            # restart that reused its pid (a container's first process); anything old.
            stale = (
                age > older_than
                or (pid == os.getpid() and age > 60)
                or (pid is not None and pid != os.getpid() and not _alive(pid))
            )
            if stale:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
