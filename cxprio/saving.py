"""Saving edits: a new version in the store and, when the catalogue is a local file,
the file written back, both or neither.

:func:`save_edits`, in this order:

1. in the store's write transaction (writers queue for it), refuses the save if the
   version it started from is no longer the latest, makes the edits in its text
   (:func:`cxprio.edit.apply_edits`, which checks them), and writes the new text to a
   temporary file beside the catalogue file, flushed and fsynced;
2. writes the version in that transaction;
3. still inside it, checks that the file holds what the caller last read from it, or
   what the store last wrote to it, and moves the temporary file over it
   (``os.replace``, atomic);
4. commits the transaction.

A failure at any step leaves the file and the store as they were and no temporary file
behind: before step 3 nothing is in place; a failed commit puts the old file back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from .edit import Edit, Edited, apply_edits
from .errors import StaleVersion, UsageError
from .store import ORIGIN_EDIT, Draft, Store, Version, Writing


@dataclass(frozen=True)
class Saved:
    """The version a save made, its changes, and whether the catalogue file was written."""

    version: Version
    edited: Edited
    wrote_file: bool


class FileChanged(StaleVersion):
    """The catalogue file changed on disk since it was read (a ``git pull``, an editor):
    the save is refused so the file is never overwritten; the board imports the file."""

    def __init__(self, path: Path) -> None:
        super().__init__(None, None)
        self.message = f"{path} changed on disk since it was read"
        self.hint = (
            "nothing was saved; the board loads the file as the latest version: make your change again there"
        )

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})"


def writable(path: Path) -> bool:
    """A local file the save may write back: it exists and it and its folder are writable."""
    return path.is_file() and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


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
    onto_latest: bool = False,
    also: Callable[[Connection, Version], None] | None = None,
) -> Saved:
    """Save ``edits``, made on version ``started_from``, as the next version (see the
    module's text). ``file``: the catalogue file to write back, when it is a local,
    writable file; ``file_sha256``: what it held when it was last read (without it,
    the file is not written). If it holds anything else when the save is made, the save
    is refused (:class:`FileChanged`). With ``onto_latest``, a save from an older version
    is made on the latest one instead, unless a newer version changed one of the same
    values ("apply my changes to the latest version"); this is decided in the write
    transaction, so it holds however many save at once. ``also`` runs in the same
    transaction once the version is written, before the file is replaced: what it writes
    lands with the version or not at all (a workshop round marked closed, say).

    Raises :class:`UsageError` (no rationale, nothing changed, a field that cannot be
    edited), :class:`cxprio.CatalogueError` (a value the rules refuse, with its line),
    :class:`StaleVersion` (someone saved first) or :class:`FileChanged`, and
    :class:`StoreUnavailable`; in each case nothing was written.
    """
    if not rationale.strip():
        raise UsageError("say why, in a few words: every change is saved with its reason")
    if not onto_latest:
        latest = store.latest()  # a refusal said at once; the transaction checks again
        if latest is None or latest.id != started_from:
            raise StaleVersion(started_from, latest.id if latest else None)
    target = file if file is not None and file_sha256 is not None and writable(file) else None
    made: dict[str, Any] = {}  # what the draft made: the edits, the temporary file

    def draft(writing: Writing) -> Draft:  # 1 and 2, in the write transaction
        latest = writing.latest
        if latest is None:
            raise StaleVersion(started_from, None)
        if latest != started_from:
            if not onto_latest:
                raise StaleVersion(started_from, latest)
            touched = {(e.experience, e.field) for e in edits}
            if any((r.experience, r.field) in touched for r in writing.audit(after=started_from)):
                raise StaleVersion(started_from, latest)
        edited = apply_edits(
            writing.text(latest), edits, teams=teams, source=str(file) if file else "<catalogue>"
        )
        if not edited.changes:
            raise UsageError("nothing to save: every value is as it was")
        notes = {(e.experience, e.field): e.note for e in edits if e.note}
        if notes:
            edited = replace(
                edited,
                changes=tuple(
                    replace(c, note=notes.get((c.experience or "", c.field))) for c in edited.changes
                ),
            )
        made["edited"] = edited
        made["connection"] = writing.connection
        if target is not None:
            # The file may hold what the caller read, or what the store last wrote to it
            # (a save by another session or replica): anything else changed outside.
            made["expected"] = {file_sha256, writing.last_written(str(target))}
            made["temporary"] = _write_temporary(target, edited.text)
        return Draft(
            edited.text,
            author,
            rationale.strip(),
            ORIGIN_EDIT,
            str(target) if target is not None else None,
            edited.changes,
        )

    previous: bytes | None = None  # what the file held, once it has been replaced

    def put_in_place(version: Version) -> None:  # 3, inside the transaction
        nonlocal previous
        if also is not None:
            also(made["connection"], version)
        if target is None:
            return
        held = target.read_bytes()
        if hashlib.sha256(held).hexdigest() not in made["expected"]:
            raise FileChanged(target)
        os.replace(made["temporary"], target)
        previous = held

    try:
        version = store.commit_onto(draft, before_commit=put_in_place)  # 4 when it returns
    except BaseException:
        if target is not None and previous is not None:  # the commit failed after the move
            _write_temporary_and_replace(target, previous.decode("utf-8"))
        if "temporary" in made:
            Path(made["temporary"]).unlink(missing_ok=True)
        raise
    return Saved(version, made["edited"], wrote_file=target is not None)


def _write_temporary(target: Path, text: str) -> str:
    """``text`` in a new temporary file beside ``target``, flushed and fsynced; its path."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".saving")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _write_temporary_and_replace(target: Path, text: str) -> None:
    temporary = _write_temporary(target, text)
    try:
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
