"""The commands on the store, the database ``$CXPRIO_DATABASE_URL`` names (see
:mod:`cxprio.store.versions`): ``export``, ``history``, ``snapshot``, ``compare`` and ``db``.

SQLAlchemy is imported when one of them runs, not when the command line starts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxprio.cli.common import (
    EXIT_OK,
    Command,
    Parser,
    _positive,
    _weights,
    emit,
    open_store,
    out_argument,
    save_if_new,
    say,
    user_name,
)
from cxprio.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd

    from cxprio.method.compare import Comparison


def _export_arguments(sub: Parser) -> None:
    from cxprio.store.engine import DATABASE_URL_VARIABLE

    # The description names the variable, from the store's module: set once it is imported.
    sub.description = (
        "Write the latest version in the store as YAML, exactly as it is stored. "
        f"The store is the database ${DATABASE_URL_VARIABLE} names (default: sqlite:///data/cxprio.db)."
    )
    sub.add_argument(
        "--version", type=_positive, dest="version_id", metavar="N", help="this version, not the latest"
    )
    out_argument(sub)


def _export(args: argparse.Namespace) -> int:
    store = open_store()
    version = store.version(args.version_id) if args.version_id else store.latest()
    if version is None:
        raise StoreError(
            "the store holds no catalogue yet", "open the board on a catalogue file, which imports it"
        )
    say(f"version {version.id} of {version.created_at:%Y-%m-%d %H:%M} UTC, by {version.author}")
    emit(store.text(version.id), args.out)
    return EXIT_OK


def _history_arguments(sub: Parser) -> None:
    sub.add_argument("--format", choices=("table", "csv", "json"), default="table")
    listing = sub.add_mutually_exclusive_group()
    listing.add_argument(
        "--changes", action="store_true", help="list every field-level change instead (the audit trail)"
    )
    listing.add_argument(
        "--snapshots", action="store_true", help="list the snapshots instead, superseded ones too"
    )
    out_argument(sub)


def _history(args: argparse.Namespace) -> int:
    from cxprio.outputs.exports import csv_text
    from cxprio.outputs.tables import audit_table, snapshots_table, versions_table
    from cxprio.store.snapshots import list_snapshots

    store = open_store()
    if args.snapshots:
        table = snapshots_table(list_snapshots(store))
    elif args.changes:
        table = audit_table(store.audit())
    else:
        counts = audit_table(store.audit())["version"].value_counts()
        table = versions_table(store.history())
        table["changes"] = table["version"].map(counts).fillna(0).astype("int64")
    table["created_at"] = table["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.format == "json":
        data = json.dumps(table.astype(object).where(table.notna(), None).to_dict("records"), indent=2) + "\n"
    elif args.format == "csv":
        data = csv_text(table, index=False)
    else:
        data = (table.to_string(index=False) if len(table) else "(no versions yet)") + "\n"
    emit(data, args.out)
    return EXIT_OK


def _snapshot_arguments(sub: Parser) -> None:
    sub.add_argument(
        "path", nargs="?", metavar="PATH", help="a catalogue file to save as the latest version first"
    )
    sub.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter, such as 2026-Q4")
    sub.add_argument(
        "--supersede",
        action="store_true",
        help="take a new snapshot of a quarter that has one (the old one is kept)",
    )
    sub.add_argument(
        "--weights",
        type=_weights,
        default=None,
        metavar="M:W,...",
        help="weights to rank by (default: the catalogue's); the snapshot records them",
    )
    sub.add_argument("--author", metavar="NAME", help="who takes it (default: the user running the command)")


def _snapshot(args: argparse.Namespace) -> int:
    from cxprio.store.snapshots import parse_quarter, take_snapshot

    quarter = parse_quarter(args.quarter)  # a malformed quarter fails before anything is done
    store = open_store()
    author = args.author or user_name()
    if args.path:
        save_if_new(store, Path(args.path))
    taken = take_snapshot(store, quarter, author=author, supersede=args.supersede, weights=args.weights)
    superseding = f" (superseding {taken.generation - 1} before it)" if taken.generation > 1 else ""
    say(
        f"snapshot of {taken.quarter} taken from version {taken.version_id}{superseding}: "
        f"{len(taken.payload['experiences'])} experiences, seam coverage "
        f"{'-' if taken.payload['seam_coverage'] is None else format(taken.payload['seam_coverage'], '.0%')}"
    )
    return EXIT_OK


def _compare_arguments(sub: Parser) -> None:
    sub.add_argument("then", metavar="QUARTER", help="the earlier quarter, such as 2026-Q3")
    sub.add_argument("now", metavar="QUARTER", help="the later quarter, such as 2026-Q4")
    sub.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table: a summary; json: every table; csv: the rank movement of every experience",
    )
    out_argument(sub)


def _compare(args: argparse.Namespace) -> int:
    from cxprio.outputs.exports import csv_text
    from cxprio.store.snapshots import compare_quarters

    store = open_store()
    comparison = compare_quarters(store, args.then, args.now)
    if args.format == "csv":
        data = csv_text(comparison.movement, index=False)
    elif args.format == "json":
        data = (
            json.dumps(
                {
                    "then": comparison.then,
                    "now": comparison.now,
                    **{
                        name.removesuffix(".csv").replace("-", "_"): json.loads(
                            table.to_json(orient="records")
                        )
                        for name, table in comparison.tables().items()
                    },
                    "findings": [f.as_dict() for f in comparison.findings],
                },
                indent=2,
            )
            + "\n"
        )
    else:
        data = _comparison_text(comparison)
    emit(data, args.out)
    return EXIT_OK


def _comparison_text(comparison: Comparison) -> str:
    def number(figure: str, value: Any) -> str:
        if value is None or value != value:  # missing, or NaN
            return "-"
        return f"{value:.0%}" if figure == "seam coverage" else f"{int(value)}"

    def rows(table: pd.DataFrame) -> list[dict[str, Any]]:
        return [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]

    lines = [f"{comparison.then} -> {comparison.now}", ""]
    lines += [
        f"{r['figure']}: {number(r['figure'], r['then'])} -> {number(r['figure'], r['now'])}"
        for r in rows(comparison.coverage)
    ]
    for title, table in (("Biggest risers", comparison.risers), ("Biggest fallers", comparison.fallers)):
        lines += ["", f"{title}:"]
        lines += [
            f"  {r['name']}: {r['rank_then']} -> {r['rank_now']}"
            + (f"  (why: {r['why']})" if r["why"] else "")
            for r in rows(table)
        ] or ["  none"]
    lines += ["", "New: " + (", ".join(comparison.new["name"]) or "none")]
    lines += ["Retired: " + (", ".join(comparison.retired["name"]) or "none")]
    lines += ["", "Ambition changes:"]
    lines += [
        f"  {r['name']}: ambition {r['ambition_then']} -> {r['ambition_now']}, "
        f"today {r['current_then']} -> {r['current_now']}"
        for r in rows(comparison.ambition)
    ] or ["  none"]
    lines += ["", "Performance that got worse:"]
    lines += [
        f"  {r['name']}, {r['measure']}: {r['value_then']:g} -> {r['value_now']:g}"
        for r in rows(comparison.performance)
        if r["worse"]
    ] or ["  none"]
    lines += ["", "Findings:"]
    lines += [f"  [{f.severity.value}] {f.code}: {f.message}" for f in comparison.findings] or ["  none"]
    return "\n".join(lines) + "\n"


def _database_arguments(sub: Parser) -> None:
    actions = sub.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=Parser)
    actions.add_parser(
        "upgrade",
        help="apply every schema migration not yet applied (the board and other commands do this too)",
        description="Apply every schema migration not yet applied. Safe to run at any time, "
        "and from several machines at once.",
    )


def _database(args: argparse.Namespace) -> int:
    from cxprio.store.engine import describe
    from cxprio.store.versions import Store

    store = Store(migrate=False)
    revision = store.upgrade()
    say(f"store: {describe(store.url)} is at schema revision {revision}")
    return EXIT_OK


COMMANDS = {
    command.name: command
    for command in (
        Command("export", "write the store's latest catalogue version as YAML", _export_arguments, _export),
        Command(
            "history",
            "list the store's catalogue versions, oldest first",
            _history_arguments,
            _history,
            description="List every version in the store: when, who, where from, why, and how many values changed.",
        ),
        Command(
            "snapshot",
            "freeze a quarter in the store: version, weights, scores, tiers, seam coverage, findings",
            _snapshot_arguments,
            _snapshot,
            description="Freeze a quarter from the store's latest version. Given PATH, the catalogue file "
            "is saved as the latest version first, when its text is not a version already.",
        ),
        Command(
            "compare",
            "what moved between two quarters' snapshots, and why",
            _compare_arguments,
            _compare,
            description="Compare two quarters' snapshots: rank movement, risers and fallers with the "
            "reasons recorded for their changes, new and retired experiences, ambition changes, seam "
            "coverage and performance then and now, and performance that got worse where the ambition "
            "is Unique or Distinct.",
        ),
        Command(
            "db",
            "look after the store's database",
            _database_arguments,
            _database,
            description="Look after the store's database.",
        ),
    )
}
