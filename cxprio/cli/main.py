"""The command line: ``python -m cxprio COMMAND ...``.

Data goes to stdout (or ``--out FILE``); messages, warnings and errors go to stderr.
``--out`` writes a new file, or replaces a regular file whole (a temporary file beside
it, renamed over it); a path where something else is (a directory, a symbolic link, a
named pipe, a device, a socket) is refused before any work, and nothing is written.

Exit codes:
    0  success (warnings may have been printed)
    1  the catalogue is invalid or cannot be read (every problem is printed)
    2  usage error: unknown option, bad --weights, impossible numbers, an --out path that
       is not a regular file or cannot be written; a workshop round refusing a request
       (unknown or closed round, a score out of range, a scores file with bad rows, each
       listed with its line)
    3  internal error (a bug: set CXPRIO_DEBUG=1 to see the traceback, and report it)
    4  the store cannot be used: the database is down, locked, or refused the change

The store commands (``export``, ``history``, ``snapshot``, ``compare``, ``round``,
``db upgrade``) use the database that
``$CXPRIO_DATABASE_URL`` names (see :mod:`cxprio.store.versions`).

The commands live by group, each module adding its commands' arguments and holding
their handlers: :mod:`.catalogue` (validate, score, whatif, ambition, seams, decisions,
generate), :mod:`.journeys` (maturity, moments), :mod:`.packs` (tables, report),
:mod:`.store` (export, history, snapshot,
compare, db) and :mod:`.rounds` (round). A command's arguments are added, and what it
uses imported, only when it is the one run (:class:`.common.Parser`).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from cxprio import __version__
from cxprio.cli import catalogue, journeys, packs, rounds, store
from cxprio.cli.common import (
    EXIT_BUG,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_STORE,
    EXIT_USAGE,
    Command,
    Parser,
    check_out,
    print_problems,
    say,
)
from cxprio.errors import CatalogueError, StoreError, UsageError

ORDER = (
    "validate",
    "score",
    "whatif",
    "ambition",
    "seams",
    "decisions",
    "maturity",
    "moments",
    "tables",
    "report",
    "generate",
    "export",
    "history",
    "snapshot",
    "compare",
    "round",
    "db",
)
"""The commands in the order ``--help`` lists them: as people meet them, not by module."""

_EVERY = {**catalogue.COMMANDS, **journeys.COMMANDS, **packs.COMMANDS, **store.COMMANDS, **rounds.COMMANDS}
COMMANDS: dict[str, Command] = {name: _EVERY[name] for name in ORDER}


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each command's own arguments are added when it is chosen."""
    parser = Parser(
        prog="python -m cxprio",
        description="Prioritise customer experiences, check the ambition portfolio, "
        "and generate test catalogues.",
        epilog="Exit codes: 0 ok, 1 invalid catalogue, 2 usage error (an --out that is not a "
        "regular file, too) or a refused round request, 3 internal error, "
        "4 the store cannot be used. "
        "Catalogue format: docs/catalogue.md",
    )
    parser.add_argument("--version", action="version", version=f"cxprio {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS.values():
        sub = commands.add_parser(
            command.name, help=command.help, description=command.description or command.help
        )
        sub.later(command.arguments)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "out", None) is not None:
            check_out(args.out)  # before any work: nothing is read, computed or saved
        return COMMANDS[args.command].run(args)
    except CatalogueError as exc:
        print_problems(exc.problems)
        errors = len(exc.errors)
        say(f"{errors} error{'s' if errors != 1 else ''}: the catalogue was not loaded")
        return EXIT_INVALID
    except UsageError as exc:
        say(f"python -m cxprio {args.command}: error: {exc}")
        return EXIT_USAGE
    except StoreError as exc:
        say(f"python -m cxprio {args.command}: {exc.message}")
        if exc.hint:
            say(f"  ↳ {exc.hint}")
        return EXIT_STORE
    except BrokenPipeError:  # `... | head`: the reader has gone, which is fine
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception:
        if os.environ.get("CXPRIO_DEBUG"):
            traceback.print_exc()
        say(
            "internal error: this is a bug in cxprio; run again with CXPRIO_DEBUG=1 "
            "to see the details, and report them"
        )
        return EXIT_BUG
