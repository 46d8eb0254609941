"""The commands that write what people take away, from a catalogue file: ``tables`` (every
table the board shows, as CSV files in one ZIP) and ``report`` (the workshop pack, see
:mod:`cxprio.outputs.report`)."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cxprio.cli.common import (
    EXIT_OK,
    Command,
    Parser,
    catalogue_arguments,
    emit,
    load_ownership,
    open_store,
    out_argument,
    say,
    warn_count,
)
from cxprio.errors import StoreError, UsageError

if TYPE_CHECKING:
    from cxprio.method.compare import Comparison


def _tables_arguments(sub: Parser) -> None:
    catalogue_arguments(sub)
    out_argument(sub, "write the ZIP")


def _tables(args: argparse.Namespace) -> int:
    from cxprio.method.ambition import check_ambition
    from cxprio.outputs.tables import every_table, tables_zip

    if args.out is None and sys.stdout.isatty():
        raise UsageError("the tables are a ZIP file: give --out FILE.zip, or redirect stdout to a file")
    loaded, scores, report = load_ownership(args)
    catalogue = loaded.catalogue
    tables = every_table(catalogue, scores, check_ambition(catalogue, scores), report)
    emit(tables_zip(tables), args.out)
    return EXIT_OK


def _report_arguments(sub: Parser) -> None:
    from cxprio.outputs.report import FORMATS

    catalogue_arguments(sub)
    sub.add_argument(
        "--format",
        choices=list(FORMATS),
        default="html",
        help="; ".join(f"{name}: {fmt.label}" for name, fmt in FORMATS.items()) + " (default: html)",
    )
    sub.add_argument(
        "--quarters",
        nargs=2,
        metavar=("THEN", "NOW"),
        help="include the comparison of these quarters (default: the two newest with a snapshot, "
        "when the store has two)",
    )
    sub.add_argument("--no-history", action="store_true", help="leave the quarter comparison out")
    sub.add_argument(
        "--round",
        metavar="CODE",
        help="include this closed workshop round: its results, every score as dots, and what it changed",
    )
    out_argument(sub)


def _report_pack(args: argparse.Namespace) -> int:
    from cxprio.catalogue.loading import parse_catalogue, read_catalogue_file
    from cxprio.outputs.report import build, gather
    from cxprio.outputs.rounds import round_record

    if args.format != "html" and args.out is None and sys.stdout.isatty():
        raise UsageError(f"a {args.format} file is binary: give --out FILE, or redirect stdout to a file")
    if args.no_history and args.quarters:
        raise UsageError("--quarters and --no-history contradict each other: give one")
    raw = read_catalogue_file(args.path, max_bytes=args.max_bytes)
    loaded = parse_catalogue(raw, source=str(args.path), max_bytes=args.max_bytes)
    warn_count(loaded)
    history = None if args.no_history else _pack_history(args.quarters)
    record = round_record(open_store(), args.round, loaded.catalogue) if args.round else None
    if record is not None:
        say(f"report: with {record.heading}")
    shown = [-1]

    def progress(done: float, doing: str) -> None:
        percent = int(done * 100)
        if percent // 10 != shown[0] // 10 or done >= 1:
            shown[0] = percent
            say(f"report: {percent:3d}% {doing}")

    workshop = gather(
        loaded,
        sha256=hashlib.sha256(raw).hexdigest(),
        weights=args.weights,
        history=history,
        round_record=record,
        progress=progress,
    )
    data = build(workshop, args.format, progress)
    emit(data, args.out)
    return EXIT_OK


def _pack_history(chosen: Sequence[str] | None) -> Comparison | None:
    """The quarter comparison to include: the ``chosen`` quarters, which must exist, or the
    two newest when the store has them. Without a chosen pair, a store that does not exist
    yet is not created, and one that cannot be used leaves the history out, with a note."""
    from cxprio.outputs.report import newest_history
    from cxprio.store.engine import database_url, may_exist
    from cxprio.store.snapshots import compare_quarters
    from cxprio.store.versions import Store

    if chosen:
        return compare_quarters(open_store(), chosen[0], chosen[1])
    url = database_url()
    if not may_exist(url):
        return None
    try:
        history = newest_history(Store(url))
    except StoreError as problem:
        say(f"report: no quarter comparison: {problem.message}")
        return None
    if history is not None:
        say(f"report: with the comparison of {history.then} and {history.now}")
    return history


COMMANDS = {
    command.name: command
    for command in (
        Command(
            "tables",
            "write every table the board shows as CSV files in one ZIP (binary: use --out)",
            _tables_arguments,
            _tables,
        ),
        Command(
            "report",
            "write the workshop pack: a report (HTML), a workbook (Excel), slides (PowerPoint) or the "
            "charts; binary formats need --out",
            _report_arguments,
            _report_pack,
        ),
    )
}
