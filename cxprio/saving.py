"""Saving edits: a new version in the store and, when the catalogue is a local file,
the file written back, both or neither.

:func:`save_edits` makes the edits in the text of the version they started from
(:func:`cxprio.edit.apply_edits`, which checks them), then, in this order:

1. writes the new text to a temporary file beside the catalogue file, flushed and
   fsynced (nothing else has changed yet);
2. writes the version in the store's transaction, which refuses it if the version it
   started from is no longer the latest;
3. inside that transaction, checks that the file still holds what was last read from it
   and moves the temporary file over it (``os.replace``, atomic);
4. commits the transaction.

A failure at any step leaves the file and the store as they were and no temporary file
behind: before step 3 nothing is in place; a failed commit puts the old file back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from .edit import Edit, Edited, apply_edits
from .errors import StaleVersion, UsageError
from .store import ORIGIN_EDIT, Store, Version


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
) -> Saved:
    """Save ``edits``, made on version ``started_from``, as the next version (see the
    module's text). ``file``: the catalogue file to write back, when it is a local,
    writable file.

    Raises :class:`UsageError` (no rationale, nothing changed, a field that cannot be
    edited), :class:`cxprio.CatalogueError` (a value the rules refuse, with its line),
    :class:`StaleVersion` (someone saved first) or :class:`FileChanged`, and
    :class:`StoreUnavailable`; in each case nothing was written.
    """
    if not rationale.strip():
        raise UsageError("say why, in a few words: every change is saved with its reason")
    text = store.text(started_from)
    edited = apply_edits(text, edits, teams=teams, source=str(file) if file else "<catalogue>")
    if not edited.changes:
        raise UsageError("nothing to save: every value is as it was")
    last = store.last_from_source(str(file)) if file is not None and writable(file) else None
    if file is None or last is None:  # no file, or not one the store has read: the store alone
        version = store.commit(
            edited.text,
            parent=started_from,
            author=author,
            rationale=rationale.strip(),
            field_changes=edited.changes,
        )
        return Saved(version, edited, wrote_file=False)

    target = file
    temporary = _write_temporary(target, edited.text)  # 1
    previous: bytes | None = None  # what the file held, once it has been replaced

    def put_in_place(_version: Version) -> None:  # 3, inside the transaction of 2
        nonlocal previous
        held = target.read_bytes()
        if hashlib.sha256(held).hexdigest() != last.sha256:
            raise FileChanged(target)
        os.replace(temporary, target)
        previous = held

    try:
        version = store.commit(  # 2, and 4 when it returns
            edited.text,
            parent=started_from,
            author=author,
            rationale=rationale.strip(),
            origin=ORIGIN_EDIT,
            source=str(target),
            field_changes=edited.changes,
            before_commit=put_in_place,
        )
    except BaseException:
        if previous is not None:  # the commit failed after the file moved: put it back
            _write_temporary_and_replace(target, previous.decode("utf-8"))
        Path(temporary).unlink(missing_ok=True)
        raise
    return Saved(version, edited, wrote_file=True)


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
