"""What every command shares: exit codes, the parser, argument types, writing the output
(stdout or ``--out``), loading the catalogue and opening the store.

This module imports only the standard library and :mod:`cxprio.errors`: a command pays
for pandas, SQLAlchemy or networkx only when it uses them, inside its handler, so
``python -m cxprio validate`` starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, overload

from cxprio.errors import Problem, UsageError

if TYPE_CHECKING:
    from cxprio.catalogue.loading import LoadedCatalogue
    from cxprio.method.findings import Finding
    from cxprio.method.ownership import OwnershipReport
    from cxprio.method.scoring import Scores
    from cxprio.store.versions import Store

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_STORE = 0, 1, 2, 3, 4

_N = TypeVar("_N")


class Parser(argparse.ArgumentParser):
    """An argument parser that exits with :data:`EXIT_USAGE` on a usage error (argparse's
    own wording), and whose arguments can be added when it is first used (:meth:`later`).

    A command's defaults and help come from the modules that do its work (the number of
    weight draws from scoring, the database variable from the store), and those import
    pandas or SQLAlchemy: added later, they are imported only for the command that runs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[Callable[[Parser], None]] = []

    def later(self, add: Callable[[Parser], None]) -> None:
        """Call ``add(self)`` before this parser first parses, or formats its help or usage."""
        self._pending.append(add)

    def _ready(self) -> None:
        while self._pending:
            self._pending.pop(0)(self)

    @overload
    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: None = None
    ) -> tuple[argparse.Namespace, list[str]]: ...
    @overload
    def parse_known_args(self, args: Iterable[str] | None, namespace: _N) -> tuple[_N, list[str]]: ...
    @overload
    def parse_known_args(self, *, namespace: _N) -> tuple[_N, list[str]]: ...
    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        # argparse parses a chosen command through this method (and parse_args calls it too)
        self._ready()
        return super().parse_known_args(args, namespace)

    def format_usage(self, *args: Any, **kwargs: Any) -> str:
        self._ready()
        return super().format_usage(*args, **kwargs)

    def format_help(self, *args: Any, **kwargs: Any) -> str:
        self._ready()
        return super().format_help(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # argparse exits 2 itself; keep its wording
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


@dataclass(frozen=True)
class Command:
    """One command: its help line, how its arguments are added, and its handler, which
    returns the exit code."""

    name: str
    help: str
    arguments: Callable[[Parser], None]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None
    """The text of the command's ``--help``; its help line when not given."""


# --- argument types ------------------------------------------------------------------------
# Each raises ArgumentTypeError with a message in words: argparse would otherwise name the
# function ("invalid _megabytes value").


def _weights(text: str) -> dict[str, float]:
    """``--weights``: such as ``reach:0.3,depth:0.3``."""
    from cxprio.method.scoring import parse_weights

    parsed, notes = parse_weights(text)
    if notes:
        raise argparse.ArgumentTypeError("; ".join(notes))
    return parsed


def _positive(text: str) -> int:
    """A whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def _megabytes(text: str) -> int:
    """``--max-mb``: a size in megabytes, as bytes."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, not {text!r}")
    if value <= 0:
        raise argparse.ArgumentTypeError("the size limit must be above 0")
    return int(value * 1024 * 1024)


def catalogue_arguments(sub: Parser, *, weighted: bool = True) -> None:
    """The arguments of a command that reads a catalogue file: its path, ``--max-mb``,
    and ``--weights`` when the command ranks."""
    from cxprio.catalogue.loading import DEFAULT_CATALOGUE, DEFAULT_MAX_BYTES

    sub.add_argument(
        "path",
        nargs="?",
        default=str(DEFAULT_CATALOGUE),
        metavar="PATH",
        help=f"the catalogue (default: {DEFAULT_CATALOGUE})",
    )
    sub.add_argument(
        "--max-mb",
        type=_megabytes,
        default=DEFAULT_MAX_BYTES,
        dest="max_bytes",
        metavar="MB",
        help=f"refuse catalogues larger than this (default: {DEFAULT_MAX_BYTES // 1_048_576})",
    )
    if weighted:  # priorities feed every figure but validation's
        sub.add_argument(
            "--weights",
            type=_weights,
            default=None,
            metavar="M:W,...",
            help="override weights, such as reach:0.3,depth:0.3 (others keep the catalogue's); "
            "the output says which weights it used",
        )


def out_argument(sub: Parser, what: str = "write") -> None:
    """``--out FILE``: write there instead of to stdout."""
    sub.add_argument("--out", type=Path, metavar="FILE", help=f"{what} to FILE instead of stdout")


# --- output --------------------------------------------------------------------------------


def say(message: str) -> None:
    """A message for the person at the terminal: on stderr, so stdout stays data."""
    print(message, file=sys.stderr)


_NOT_A_FILE: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def check_out(out: Path) -> None:
    """Refuse ``--out`` naming something that is there and is not a regular file: the
    file is written beside it and renamed over it, which would put a plain file where a
    link, a pipe or a device was (and a directory cannot be replaced at all)."""
    try:
        mode = os.lstat(out).st_mode  # the link itself, not what it points to
    except FileNotFoundError:
        return  # a new file
    except OSError as exc:
        raise UsageError(
            f"--out {out} cannot be looked at ({exc.strerror}): nothing was written; give another path"
        ) from None
    if stat.S_ISREG(mode):
        return
    what = next((name for kind, name in _NOT_A_FILE if kind(mode)), "something")
    if stat.S_ISLNK(mode):
        what += f" (to {os.readlink(out)})"
    raise UsageError(
        f"--out {out} is {what}, not a regular file: nothing was written; give the path of a "
        "new file or of a file to replace (or leave --out out and redirect stdout)"
    )


def emit(data: str | bytes, out: Path | None) -> None:
    """Write data (text, or bytes such as a ZIP) to stdout, or atomically to ``out``: a
    crash never leaves half a file. ``out`` must be a new file or a regular file
    (:func:`check_out`); a path that cannot be written is a :class:`UsageError`."""
    if out is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data)
        return
    check_out(out)  # again: something may have appeared there while the data was made
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:  # no such folder, no right to write there, a full disk
        raise UsageError(
            f"--out {out} cannot be written ({exc.strerror or exc}): nothing was written; give another path"
        ) from None
    say(f"wrote {out}")


def print_problems(problems: Sequence[Problem], stream: TextIO = sys.stderr) -> None:
    """Every problem, as :meth:`Problem.format` writes it, on ``stream``."""
    for problem in problems:
        print(problem.format(), file=stream)


def weights_line(weights: Mapping[str, float]) -> str:
    """The first line of a text output: the weights its figures come from."""
    from cxprio.method.scoring import format_weights

    return f"Weights: {format_weights(weights)}\n\n"


# --- the catalogue -------------------------------------------------------------------------


def load(args: argparse.Namespace) -> tuple[LoadedCatalogue, Scores]:
    """The catalogue ``args.path`` names, and its scores under ``args.weights``."""
    from cxprio.catalogue.loading import load_catalogue
    from cxprio.method.scoring import score

    loaded = load_catalogue(args.path, max_bytes=args.max_bytes)
    scores = score(loaded.catalogue, weights=getattr(args, "weights", None))
    return loaded, scores


def warn_count(loaded: LoadedCatalogue) -> None:
    """Say how many warnings the catalogue has, and which command lists them."""
    count = len(loaded.warnings)
    if count:
        say(
            f"{loaded.source}: {count} warning{'s' if count != 1 else ''} "
            f"(python -m cxprio validate {loaded.source} lists them)"
        )


def load_ownership(args: argparse.Namespace) -> tuple[LoadedCatalogue, Scores, OwnershipReport]:
    """:func:`load`, and the seams and decision rights of the catalogue under its scores."""
    from cxprio.method.ownership import DEFAULT_MAX_CONSULTED, analyse_ownership

    loaded, scores = load(args)
    warn_count(loaded)
    report = analyse_ownership(
        loaded.catalogue,
        scores.priorities(),
        max_consulted=getattr(args, "max_consulted", DEFAULT_MAX_CONSULTED),
    )
    return loaded, scores, report


# --- the store -----------------------------------------------------------------------------


def open_store() -> Store:
    """The store ``$CXPRIO_DATABASE_URL`` names, said on stderr."""
    from cxprio.store.engine import describe
    from cxprio.store.versions import Store

    store = Store()
    say(f"store: {describe(store.url)}")
    return store


def user_name() -> str:
    """Who runs the command, for a version's or a snapshot's author."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        return "command line"


def save_if_new(store: Store, path: Path) -> None:
    """Save the catalogue file as the latest version, unless its text is a version already."""
    from cxprio.catalogue.loading import read_catalogue_file
    from cxprio.store.imports import import_file

    if not store.holds(hashlib.sha256(read_catalogue_file(path)).hexdigest()):
        imported = import_file(store, path)
        say(f"{path} saved as version {imported.version.id}")


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """Findings as people read them on a terminal: how many, then one line each with its
    severity, plain title, risk and message (which names experiences and teams); the codes
    and ids are in the JSON."""
    lines = [f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"]
    for finding in findings:
        risk = f" (risk {finding.risk:.0f})" if finding.risk else ""
        lines.append(f"{finding.severity.value:<6} {finding.title}{risk}: {finding.message}")
    return lines
