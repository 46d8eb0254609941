"""Reading a catalogue file: a regular file only, refused above its size cap before it
is read (:func:`read_catalogue_file`), then decoded as UTF-8 with each line holding other
bytes reported (:func:`decode_text`). The YAML in it is read by :mod:`.safeyaml`."""

from __future__ import annotations

import os
import re
import stat

from cxprio.catalogue.limits import MAX_BYTES, MAX_REFUSALS
from cxprio.errors import CatalogueReadError, Problem, ProblemLevel

DEFAULT_MAX_BYTES = MAX_BYTES
"""Catalogues above this size are refused before they are read (20 MiB)."""


# --- reading the file: a regular file, a size cap, then UTF-8 ----------------------------

_NOT_A_FILE = {
    stat.S_IFDIR: "this is a folder, not a file",
    stat.S_IFIFO: "this is a named pipe (FIFO), not a regular file: reading it would wait for a writer",
    stat.S_IFCHR: "this is a device, not a regular file",
    stat.S_IFBLK: "this is a device, not a regular file",
    stat.S_IFSOCK: "this is a socket, not a regular file",
}


_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
)


def megabytes(size: int) -> str:
    """A byte count as people read it in messages: ``20 MB``, ``0.5 MB``."""
    return f"{size / 1_048_576:.1f}".removesuffix(".0") + " MB"


def read_catalogue_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the catalogue file at ``path``, refusing files above ``max_bytes``
    before reading them.

    Only a regular file is read (a link to one is followed): a named pipe, a device, a
    socket or a folder is refused before it is opened, and again after, should the path
    have been swapped meanwhile, so a catalogue path can never make a reader wait.
    Raises :class:`CatalogueReadError` naming the file and saying how to fix it when the
    file is missing, not a regular file, unreadable or too large.
    """
    name = str(path)
    try:
        _check_regular(os.stat(path), name)
        # O_NONBLOCK: opening a named pipe put in place since the stat above returns at
        # once (and is then refused) instead of waiting for a writer. It makes no
        # difference to reading a regular file.
        descriptor = os.open(path, _OPEN_FLAGS)
        with open(descriptor, "rb", closefd=True) as handle:
            opened = os.fstat(descriptor)
            _check_regular(opened, name)
            if opened.st_size > max_bytes:
                raise _too_large(name, opened.st_size, max_bytes)
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise read_error(
            name, "no such file", "check the path; the default is config/experiences.yaml"
        ) from None
    except PermissionError:
        raise read_error(name, "permission denied", "make the file readable") from None
    except OSError as exc:
        raise read_error(
            name, f"cannot read the file ({exc.strerror})", "check the path and the disk"
        ) from None
    if len(raw) > max_bytes:  # it grew between stat and read
        raise _too_large(name, None, max_bytes)
    return raw


def _check_regular(found: os.stat_result, name: str) -> None:
    if not stat.S_ISREG(found.st_mode):
        what = _NOT_A_FILE.get(stat.S_IFMT(found.st_mode), "this is not a regular file")
        hint = (
            "name the YAML file itself"
            if stat.S_ISDIR(found.st_mode)
            else "point to the catalogue's YAML file"
        )
        raise read_error(name, what, hint + " (a link to one is fine)")


def _too_large(name: str, size: int | None, max_bytes: int) -> CatalogueReadError:
    return read_error(
        name,
        (f"the file is {megabytes(size)}, " if size is not None else "the file is ")
        + f"above the limit of {megabytes(max_bytes)}",
        "split the catalogue, or raise the limit (--max-mb on the command line)",
    )


def read_error(source: str, message: str, hint: str) -> CatalogueReadError:
    """A problem reading ``source`` at all (code ``read``), with how to fix it."""
    return CatalogueReadError([Problem(ProblemLevel.ERROR, message, file=source, hint=hint, code="read")])


_UNDECODED = re.compile("[\udc80-\udcff]+")
"""Bytes that are not UTF-8, as :func:`bytes.decode` with ``surrogateescape`` keeps them."""
_AS_REPLACEMENT = {point: "\ufffd" for point in range(0xDC80, 0xDD00)}


def decode_text(raw: bytes, source: str) -> tuple[str, tuple[Problem, ...]]:
    """``raw`` as text (UTF-8, a byte order mark dropped), and a problem for each line
    that holds bytes that are not UTF-8, at the line and column of the first.

    Each such byte is read as U+FFFD (one character for one byte, so every column after
    it stays right) and the rest of the file is read on: a file saved in another
    encoding has its other problems reported with these.
    """
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    problems: list[Problem] = []
    line, counted_to, last_line = 1, 0, 0
    for run in _UNDECODED.finditer(text):
        at = run.start()
        line += text.count("\n", counted_to, at)
        counted_to = at
        if line == last_line:  # one problem per line: its first byte names it
            continue
        last_line = line
        if len(problems) == MAX_REFUSALS:
            problems.append(
                Problem(
                    ProblemLevel.ERROR,
                    f"more lines are not UTF-8 text: only the first {MAX_REFUSALS} are listed",
                    file=source,
                    line=line,
                    hint="save the file as UTF-8 (most editors offer 'Save with encoding')",
                    code="encoding",
                )
            )
            break
        on_line = text[at : _line_end(text, at)]
        others = sum(len(r.group()) for r in _UNDECODED.finditer(on_line)) - 1
        problems.append(
            Problem(
                ProblemLevel.ERROR,
                f"the file is not UTF-8 text here (byte 0x{ord(run.group()[0]) - 0xDC00:02x} cannot be read"
                + (f", nor {others} more on this line" if others else "")
                + ")",
                file=source,
                line=line,
                column=at - (text.rfind("\n", 0, at) + 1) + 1,
                hint="save the file as UTF-8 (most editors offer 'Save with encoding')",
                code="encoding",
            )
        )
    return text.translate(_AS_REPLACEMENT), tuple(problems)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end
