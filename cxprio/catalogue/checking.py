"""Checking a catalogue in a process of its own, as the board checks an upload.

Checking a large catalogue takes a core for seconds and, while it lasts, hundreds of
megabytes. Done in a server's process, it shares one interpreter lock with every other
visitor's page, and Python's allocator keeps much of that memory once the check is done.
:func:`check_apart` checks the bytes in a child process (``python -m cxprio.catalogue.checking``)
that hands back only what a page shows of the result (the first errors, or how many
experiences, teams and warnings) and ends: what the check held goes with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxprio.errors import CatalogueError, Problem, ProblemLevel

CHECK_SECONDS = 120.0
"""How long a check may take before it is stopped (a catalogue at the size limit takes a
few seconds)."""

CHECK_NICENESS = 10
"""How much lower the check's processor priority is than the server's (``os.nice``)."""

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


ERRORS_KEPT = 100
"""The most errors a check hands back (the first in the file); it counts them all."""


@dataclass(frozen=True)
class Checked:
    """What checking a catalogue found, as a page shows it: the first of its errors (at
    most :data:`ERRORS_KEPT`), how many errors and warnings it has, and, when it is valid,
    how many experiences and teams."""

    errors: tuple[Problem, ...] = ()
    error_count: int = 0
    warning_count: int = 0
    experiences: int = 0
    teams: int = 0

    @property
    def valid(self) -> bool:
        return self.error_count == 0


def check(content: bytes, *, source: str) -> Checked:
    """:func:`cxprio.catalogue.loading.parse_catalogue` of ``content``, named ``source`` in
    messages, in this process: what it found, and nothing of the catalogue."""
    from cxprio.catalogue.loading import parse_catalogue

    try:
        loaded = parse_catalogue(content, source=source)
    except CatalogueError as invalid:
        errors = invalid.errors
        return Checked(errors[:ERRORS_KEPT], len(errors), len(invalid.problems) - len(errors))
    return Checked(
        (), 0, len(loaded.warnings), len(loaded.catalogue.experiences), len(loaded.catalogue.teams)
    )


def check_apart(content: bytes, *, source: str, timeout: float = CHECK_SECONDS) -> Checked:
    """:func:`check` of ``content`` in a child process, which ends once it has answered.

    A check that takes longer than ``timeout`` seconds, or a child that ends without an
    answer (killed, out of memory), is a problem of the catalogue's, never an exception;
    only when no process can be started is the check made in this one.
    """
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__, source],
            input=content,
            capture_output=True,
            timeout=timeout,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _unchecked(source, f"checking it took more than {timeout:.0f} seconds")
    except OSError:
        return check(content, source=source)
    try:
        return _from_json(done.stdout)
    except (ValueError, KeyError, TypeError):
        return _unchecked(source, "the check ended without an answer")


def _unchecked(source: str, why: str) -> Checked:
    problem = Problem(
        ProblemLevel.ERROR,
        f"the catalogue could not be checked: {why}",
        file=source,
        hint="check it with python -m cxprio validate, which lists every problem",
        code="read",
    )
    return Checked((problem,), 1)


_COUNTS = ("error_count", "warning_count", "experiences", "teams")


def _to_json(checked: Checked) -> str:
    return json.dumps(
        {
            "errors": [problem.as_dict() for problem in checked.errors],
            **{name: getattr(checked, name) for name in _COUNTS},
        }
    )


def _from_json(text: bytes) -> Checked:
    data: dict[str, Any] = json.loads(text)
    errors = tuple(
        Problem(
            ProblemLevel(found["level"]),
            str(found["message"]),
            file=str(found["file"]),
            line=found["line"],
            column=found["column"],
            field=str(found["field"]),
            hint=str(found["hint"]),
            code=str(found["code"]),
        )
        for found in data["errors"]
    )
    return Checked(errors, *(int(data[name]) for name in _COUNTS))


def main(argv: list[str]) -> int:
    """The child: ``python -m cxprio.catalogue.checking SOURCE``, the catalogue's bytes on stdin;
    writes what it found as JSON on stdout."""
    # A check is no one's page: the server's pages go first when the two want a core.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(CHECK_NICENESS)
    content = sys.stdin.buffer.read()
    sys.stdout.write(_to_json(check(content, source=argv[0])))
    sys.stdout.flush()
    # Leave at once: freeing what the check built, object by object, is work for nothing.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
