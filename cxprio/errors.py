"""The one error tree of cxprio.

Every error the library raises on purpose derives from :class:`CxprioError`; the
middle column is the module (in ``cxprio``) that defines it::

    CxprioError                 errors                   the base: every error raised on purpose
    ├── CatalogueError          errors                   the catalogue cannot be used; carries every Problem
    │   └── CatalogueReadError  errors                   the file cannot be read (missing, too big, not UTF-8)
    ├── UsageError              errors                   a caller passed a bad option (unknown weight, ...)
    │   └── RoundError          method.rounds.model      a round cannot do what was asked (closed, bad value)
    │       └── Unconfirmed     method.rounds.proposals  implausible results accepted unconfirmed
    └── StoreError              errors                   the store cannot do what was asked
        ├── StoreUnavailable    errors                   the database cannot be reached, or stayed locked
        ├── StaleVersion        errors                   a change started from a version no longer the latest
        │   ├── FileChanged     store.saving             the catalogue file was changed outside the board
        │   └── SameValues      store.saving             someone saved the same values since the edit began
        └── SnapshotExists      store.snapshots          the quarter has a snapshot; this one supersedes none

Callers (the CLI, the pages) catch :class:`CxprioError`, show its message and stop;
anything else escaping the library is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ProblemLevel(StrEnum):
    """How serious a :class:`Problem` is: errors stop loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a catalogue, located as precisely as the input allows.

    ``field`` is the dotted path of the offending value, such as
    ``experiences[3].measures.depth`` (empty for the document as a whole);
    ``line`` and ``column`` are 1-based, ``None`` where the input gives no position.
    ``message`` says what is wrong and ``hint`` how to fix it.
    """

    level: ProblemLevel
    message: str
    file: str = ""
    line: int | None = None
    column: int | None = None
    field: str = ""
    hint: str = ""
    code: str = ""
    path: tuple[str | int, ...] = ()
    """The field as a tuple of keys and indexes, for locating it in the source."""

    @property
    def is_error(self) -> bool:
        return self.level is ProblemLevel.ERROR

    def location(self) -> str:
        """``file:line:column`` with whatever parts are known."""
        parts = [self.file or "<catalogue>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """One human-readable line (two with a hint), as the CLI prints it."""
        where = f" {self.field}:" if self.field else ""
        text = f"{self.location()}: {self.level.value}:{where} {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level.value,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """The problems by line and column, those without a position last, so people can work
    down the file."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


class CxprioError(Exception):
    """Base of every error cxprio raises on purpose."""


class CatalogueError(CxprioError):
    """The catalogue cannot be used. ``problems`` holds every error (and warning) found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        first = errors[0].format() if errors else "invalid catalogue"
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(first + more)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


class CatalogueReadError(CatalogueError):
    """The catalogue file cannot be read at all: missing, too large, or not UTF-8 text."""


class UsageError(CxprioError):
    """A caller asked for something impossible, such as a weight for an unknown measure."""


class StoreError(CxprioError):
    """The store cannot do what was asked; ``hint`` says what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class StoreUnavailable(StoreError):
    """The database cannot be reached, refused the connection, or stayed locked."""


class StaleVersion(StoreError):
    """A change named the version it started from, and that is no longer the latest:
    someone else saved first. Nothing was written."""

    def __init__(self, started_from: int | None, latest: int | None) -> None:
        newer = f"the latest is version {latest}" if latest is not None else "someone saved a newer one"
        super().__init__(
            f"the catalogue changed while you worked: you started from version {started_from}, {newer}",
            "nothing was saved; look at the latest version and make your change again",
        )
        self.started_from = started_from
        self.latest = latest
