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
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import hashlib
import json
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import sqlalchemy as sa

from cxprio import __version__
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.loading import (
    DEFAULT_CATALOGUE,
    DEFAULT_MAX_BYTES,
    LoadedCatalogue,
    load_catalogue,
    parse_catalogue,
    read_catalogue_file,
)
from cxprio.catalogue.model import MEASURES, Level
from cxprio.errors import CatalogueError, Problem, StoreError, UsageError
from cxprio.method.ambition import check_ambition
from cxprio.method.compare import Comparison
from cxprio.method.findings import Finding
from cxprio.method.ownership import (
    DEFAULT_MAX_CONSULTED,
    OwnershipReport,
    analyse_ownership,
    filter_findings,
    filter_seams,
    raci_table,
    raci_teams,
    seams_table,
    swimlane_dot,
    team_graph_dot,
)
from cxprio.method.rounds.checks import parse_criteria, select_experiences
from cxprio.method.rounds.model import DEFAULT_MAX_PARTICIPANTS, MOST_PARTICIPANTS
from cxprio.method.rounds.proposals import Unconfirmed, proposals
from cxprio.method.rounds.summary import aggregate
from cxprio.method.scoring import (
    DEFAULT_DRAWS,
    Scores,
    default_top_n,
    format_weights,
    parse_weights,
    robustness,
    score,
)
from cxprio.outputs.exports import csv_text
from cxprio.outputs.report import FORMATS, build, gather, newest_history
from cxprio.outputs.rounds import readable_results, round_record, rounds_table, scores_csv, weights_vote
from cxprio.outputs.tables import (
    audit_table,
    every_table,
    snapshots_table,
    tables_zip,
    versions_table,
    with_weights,
)
from cxprio.store.round_closing import close_round
from cxprio.store.round_scores import import_scores, join_or_find, participants, record, scores
from cxprio.store.rounds import end_scoring, get_round, list_rounds, open_round, reveal
from cxprio.store.snapshots import compare_quarters, list_snapshots, parse_quarter, take_snapshot
from cxprio.store.versions import DATABASE_URL_VARIABLE, Store, database_url, describe, import_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_STORE = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 itself; keep its wording
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _weights(text: str) -> dict[str, float]:
    weights, notes = parse_weights(text)
    if notes:
        raise argparse.ArgumentTypeError("; ".join(notes))
    return weights


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def _megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the size limit must be above 0")
    return int(value * 1024 * 1024)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m cxprio",
        description="Prioritise customer experiences, check the ambition portfolio, "
        "and generate test catalogues.",
        epilog="Exit codes: 0 ok, 1 invalid catalogue, 2 usage error (an --out that is not a "
        "regular file, too) or a refused round request, 3 internal error, "
        "4 the store cannot be used. "
        "Catalogue format: docs/catalogue.md",
    )
    parser.add_argument("--version", action="version", version=f"cxprio {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def with_catalogue(name: str, help_text: str, *, weighted: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
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
        return sub

    validate = with_catalogue(
        "validate", "check a catalogue and list every error and warning", weighted=False
    )
    validate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a summary on stdout, problems on stderr; json: the result and every problem on stdout, valid or not",
    )

    score_cmd = with_catalogue("score", "rank the experiences by priority")
    score_cmd.add_argument("--level", choices=[lv.value for lv in Level], help="only this level")
    score_cmd.add_argument("--top", type=_positive, metavar="N", help="only the first N rows")
    score_cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    score_cmd.add_argument(
        "--robustness",
        action="store_true",
        help="add each rank's 5th-95th percentile range under wobbling weights",
    )
    score_cmd.add_argument(
        "--draws",
        type=_positive,
        default=DEFAULT_DRAWS,
        help=f"weight draws for --robustness (default: {DEFAULT_DRAWS})",
    )
    score_cmd.add_argument(
        "--stable-top",
        type=_positive,
        default=None,
        metavar="N",
        help="the top N that --robustness checks ranks stay in (default: 10, or a quarter of a "
        "catalogue of fewer than 40 experiences)",
    )
    score_cmd.add_argument("--seed", type=int, default=0, help="seed of the weight draws (default: 0)")
    score_cmd.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    ambition = with_catalogue("ambition", "check the ambition portfolio (tiers, gaps, misfits)")
    ambition.add_argument("--format", choices=("table", "json"), default="table")
    ambition.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    seams = with_catalogue("seams", "list the handoffs between teams, most risky first")
    seams.add_argument("--experience", metavar="ID", help="only this experience's seams")
    seams.add_argument("--team", metavar="ID", help="only seams from or to this team")
    seams.add_argument("--unowned-only", action="store_true", help="only seams nobody owns")
    seams.add_argument(
        "--format",
        choices=("table", "csv", "json", "dot"),
        default="table",
        help="dot: Graphviz text of the team graph, or of one experience as swimlanes with --experience",
    )
    seams.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    decisions = with_catalogue("decisions", "check decision rights (RACI), most costly first")
    decisions.add_argument("--format", choices=("table", "json"), default="table")
    decisions.add_argument(
        "--max-consulted",
        type=_positive,
        default=DEFAULT_MAX_CONSULTED,
        metavar="N",
        help=f"more Consulted teams than this is a finding (default: {DEFAULT_MAX_CONSULTED})",
    )
    decisions.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    tables = with_catalogue(
        "tables", "write every table the board shows as CSV files in one ZIP (binary: use --out)"
    )
    tables.add_argument("--out", type=Path, metavar="FILE", help="write the ZIP to FILE instead of stdout")

    report = with_catalogue(
        "report",
        "write the workshop pack: a report (HTML), a workbook (Excel), slides (PowerPoint) or the "
        "charts; binary formats need --out",
    )
    report.add_argument(
        "--format",
        choices=list(FORMATS),
        default="html",
        help="; ".join(f"{name}: {fmt.label}" for name, fmt in FORMATS.items()) + " (default: html)",
    )
    report.add_argument(
        "--quarters",
        nargs=2,
        metavar=("THEN", "NOW"),
        help="include the comparison of these quarters (default: the two newest with a snapshot, "
        "when the store has two)",
    )
    report.add_argument("--no-history", action="store_true", help="leave the quarter comparison out")
    report.add_argument(
        "--round",
        metavar="CODE",
        help="include this closed workshop round: its results, every score as dots, and what it changed",
    )
    report.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    generate = commands.add_parser(
        "generate",
        help="write a synthetic catalogue (for tests and benchmarks)",
        description="Write a realistic synthetic catalogue, valid by construction.",
    )
    generate.add_argument("--experiences", type=_positive, default=200, metavar="N")
    generate.add_argument("--teams", type=_positive, default=20, metavar="M")
    generate.add_argument("--seed", type=int, default=0, metavar="S")
    generate.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    export = commands.add_parser(
        "export",
        help="write the store's latest catalogue version as YAML",
        description="Write the latest version in the store as YAML, exactly as it is stored. "
        f"The store is the database ${DATABASE_URL_VARIABLE} names (default: sqlite:///data/cxprio.db).",
    )
    export.add_argument(
        "--version", type=_positive, dest="version_id", metavar="N", help="this version, not the latest"
    )
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    history = commands.add_parser(
        "history",
        help="list the store's catalogue versions, oldest first",
        description="List every version in the store: when, who, where from, why, and how many values changed.",
    )
    history.add_argument("--format", choices=("table", "csv", "json"), default="table")
    listing = history.add_mutually_exclusive_group()
    listing.add_argument(
        "--changes", action="store_true", help="list every field-level change instead (the audit trail)"
    )
    listing.add_argument(
        "--snapshots", action="store_true", help="list the snapshots instead, superseded ones too"
    )
    history.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    snapshot = commands.add_parser(
        "snapshot",
        help="freeze a quarter in the store: version, weights, scores, tiers, seam coverage, findings",
        description="Freeze a quarter from the store's latest version. Given PATH, the catalogue file "
        "is saved as the latest version first, when its text is not a version already.",
    )
    snapshot.add_argument(
        "path", nargs="?", metavar="PATH", help="a catalogue file to save as the latest version first"
    )
    snapshot.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter, such as 2026-Q4")
    snapshot.add_argument(
        "--supersede",
        action="store_true",
        help="take a new snapshot of a quarter that has one (the old one is kept)",
    )
    snapshot.add_argument(
        "--weights",
        type=_weights,
        default=None,
        metavar="M:W,...",
        help="weights to rank by (default: the catalogue's); the snapshot records them",
    )
    snapshot.add_argument(
        "--author", metavar="NAME", help="who takes it (default: the user running the command)"
    )

    comparing = commands.add_parser(
        "compare",
        help="what moved between two quarters' snapshots, and why",
        description="Compare two quarters' snapshots: rank movement, risers and fallers with the "
        "reasons recorded for their changes, new and retired experiences, ambition changes, seam "
        "coverage and performance then and now, and performance that got worse where the ambition "
        "is Unique or Distinct.",
    )
    comparing.add_argument("then", metavar="QUARTER", help="the earlier quarter, such as 2026-Q3")
    comparing.add_argument("now", metavar="QUARTER", help="the later quarter, such as 2026-Q4")
    comparing.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table: a summary; json: every table; csv: the rank movement of every experience",
    )
    comparing.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")

    workshop = commands.add_parser(
        "round",
        help="run a workshop round: open it, take scores, show the results, close it",
        description="Workshop rounds (docs/rounds.md): many people score the same experiences, and "
        "the results go into the catalogue through the audited save. These commands work on "
        f"the store (${DATABASE_URL_VARIABLE}) with a facilitator's rights: they see every score, "
        "revealed or not.",
    )
    steps = workshop.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    opening = steps.add_parser(
        "open",
        help="open a round on the latest version; prints its join code on stdout",
        description="Open a round on the store's latest version and print its join code. Given PATH, "
        "the catalogue file is saved as the latest version first, when its text is not a version already.",
    )
    opening.add_argument(
        "path", nargs="?", metavar="PATH", help="a catalogue file to save as the latest version first"
    )
    opening.add_argument("--level", choices=[lv.value for lv in Level], help="only experiences of this level")
    opening.add_argument("--experiences", metavar="ID,...", help="only these experiences, in this order")
    opening.add_argument("--matching", metavar="TEXT", help="only experiences whose name or id holds TEXT")
    opening.add_argument(
        "--criteria",
        default="depth,ambition",
        metavar="C,...",
        help="what participants score: the facts reach:number, frequency:number, cost:number and "
        "failure_demand:number (each a number in its own unit: a fact is never a 1-5 judgement), depth "
        "(a 1-5 judgement) and ambition (a tier vote) (default: depth,ambition)",
    )
    opening.add_argument(
        "--weights-vote", action="store_true", help="participants also vote on the five weights"
    )
    opening.add_argument(
        "--closes",
        metavar="WHEN",
        help="stop taking scores then: ISO time, such as 2026-12-01T16:00 (UTC unless given)",
    )
    opening.add_argument("--title", default="", help="the round's title, shown to participants")
    opening.add_argument(
        "--max-participants",
        type=int,
        default=DEFAULT_MAX_PARTICIPANTS,
        metavar="N",
        help=f"how many people can join, 1 to {MOST_PARTICIPANTS:,} (default: {DEFAULT_MAX_PARTICIPANTS})",
    )
    opening.add_argument(
        "--author", metavar="NAME", help="who opens it (default: the user running the command)"
    )
    scoring = steps.add_parser("score", help="save one score", description="Save (or replace) one score.")
    scoring.add_argument("code", metavar="CODE", help="the round's join code")
    scoring.add_argument("--name", required=True, help="the participant (joins the round on first use)")
    scoring.add_argument("--experience", default="", metavar="ID", help="the experience (none for a weight)")
    scoring.add_argument(
        "--criterion",
        required=True,
        metavar="C",
        help="a measure, ambition, or weight:MEASURE for a weights vote",
    )
    scoring.add_argument(
        "--value",
        required=True,
        metavar="V",
        help="a number in the measure's unit, 1-5 for depth, or a tier; empty clears the score",
    )
    importing = steps.add_parser(
        "import",
        help="save the scores of a CSV file (participant,experience,criterion,value)",
        description="Save scores collected offline or in a spreadsheet: a CSV file with the columns "
        "participant,experience,criterion,value. Every row is checked first; one bad row saves nothing.",
    )
    importing.add_argument("code", metavar="CODE")
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    showing = steps.add_parser(
        "show",
        help="the results per experience and criterion, widest disagreement first",
        description="Per experience and criterion: n, median, quartiles (linear, as numpy.percentile), "
        "min, max, the interquartile range and its share of the criterion's range (spread), the "
        "ambition votes per tier, and the disagreement (the standard deviation as a share of the most "
        "it can be), widest disagreement first; and what closing would change.",
    )
    showing.add_argument("code", metavar="CODE")
    showing.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="csv: the raw scores"
    )
    showing.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    ending = steps.add_parser("end", help="stop taking scores now, so the results hold still for the review")
    ending.add_argument("code", metavar="CODE")
    revealing = steps.add_parser(
        "reveal", help="reveal an experience's scores, or the whole round's, on the board"
    )
    revealing.add_argument("code", metavar="CODE")
    revealing.add_argument("--experience", metavar="ID", help="only this experience")
    closing = steps.add_parser(
        "close",
        help="close the round, saving the accepted results through the audited save",
        description="Close the round. The accepted results (medians; the ambition with most votes) that "
        "differ from today's values are saved as a new catalogue version whose reason names the round, "
        "each value noting where it came from; the round becomes read-only. A fact moved more than 3 "
        "times either way, or a reach above the organisation's customers, is implausible: it is saved "
        "only when --confirm names it too.",
    )
    closing.add_argument("code", metavar="CODE")
    closing.add_argument(
        "--accept",
        default="all",
        metavar="all|none|ID,...",
        help="which results to accept: all, none, or experiences (every result of each) and "
        "experience:criterion pairs, such as query-bill:reach (default: all)",
    )
    closing.add_argument(
        "--confirm",
        default="",
        metavar="all|ID:CRITERION,...",
        help="confirm implausible results among those accepted (round show lists them)",
    )
    closing.add_argument(
        "--author", metavar="NAME", help="who closes it (default: the user running the command)"
    )
    closing.add_argument("--snapshot", metavar="YYYY-Qn", help="then take a snapshot of this quarter")
    steps.add_parser("list", help="every round, newest first")

    database = commands.add_parser(
        "db", help="look after the store's database", description="Look after the store's database."
    )
    actions = database.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    actions.add_parser(
        "upgrade",
        help="apply every schema migration not yet applied (the board and other commands do this too)",
        description="Apply every schema migration not yet applied. Safe to run at any time, "
        "and from several machines at once.",
    )
    return parser


def _say(message: str) -> None:
    print(message, file=sys.stderr)


_NOT_A_FILE: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _check_out(out: Path) -> None:
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


def _emit(data: str | bytes, out: Path | None) -> None:
    """Write data (text, or bytes such as a ZIP) to stdout, or atomically to ``out``: a
    crash never leaves half a file. ``out`` must be a new file or a regular file
    (:func:`_check_out`); a path that cannot be written is a :class:`UsageError`."""
    if out is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data)
        return
    _check_out(out)  # again: something may have appeared there while the data was made
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
    _say(f"wrote {out}")


def _report(problems: Sequence[Problem], stream: TextIO = sys.stderr) -> None:
    for problem in problems:
        print(problem.format(), file=stream)


def _load(args: argparse.Namespace) -> tuple[LoadedCatalogue, Scores]:
    loaded = load_catalogue(args.path, max_bytes=args.max_bytes)
    scores = score(loaded.catalogue, weights=getattr(args, "weights", None))
    return loaded, scores


def _warn_count(loaded: LoadedCatalogue) -> None:
    count = len(loaded.warnings)
    if count:
        _say(
            f"{loaded.source}: {count} warning{'s' if count != 1 else ''} "
            f"(python -m cxprio validate {loaded.source} lists them)"
        )


def _validate(args: argparse.Namespace) -> int:
    try:
        loaded = load_catalogue(args.path, max_bytes=args.max_bytes)
    except CatalogueError as exc:
        if args.format != "json":
            raise
        # JSON always carries the problems: a script reading stdout needs them most here.
        errors = [p for p in exc.problems if p.is_error]
        _emit(
            json.dumps(
                {
                    "valid": False,
                    "errors": [p.as_dict() for p in errors],
                    "warnings": [p.as_dict() for p in exc.problems if not p.is_error],
                    "experiences": None,
                    "teams": None,
                },
                indent=2,
            )
            + "\n",
            None,
        )
        _say(f"{len(errors)} error{'s' if len(errors) != 1 else ''}: the catalogue was not loaded")
        return EXIT_INVALID
    warnings = loaded.warnings
    catalogue = loaded.catalogue
    if args.format == "json":
        _emit(
            json.dumps(
                {
                    "valid": True,
                    "errors": [],
                    "warnings": [w.as_dict() for w in warnings],
                    "experiences": len(catalogue.experiences),
                    "teams": len(catalogue.teams),
                },
                indent=2,
            )
            + "\n",
            None,
        )
    else:
        _report(warnings)
        print(
            f"{loaded.source}: valid: {len(catalogue.experiences)} experiences, "
            f"{len(catalogue.teams)} teams, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        )
    return EXIT_OK


SCORE_COLUMNS = ["rank", "id", "name", "level", "priority", "customer_value", "business_value", "complete"]


def _score(args: argparse.Namespace) -> int:
    loaded, scores = _load(args)
    _warn_count(loaded)
    table = scores.table
    columns = list(SCORE_COLUMNS)
    if args.robustness:
        top_n = args.stable_top or default_top_n(len(table))
        _say(f"ranking under {args.draws} weight draws (stable top {top_n}) ...")
        spread = robustness(scores.normalised, scores.weights, draws=args.draws, top_n=top_n, seed=args.seed)
        table = table.merge(spread, on="id", how="left")
        columns += ["rank_p5", "rank_p95", "stable_top_n"]
    if args.level:
        table = table[table["level"] == args.level]
    if args.top:
        table = table.head(args.top)
    _emit(_format_scores(table, columns, args.format, scores.weights), args.out)
    return EXIT_OK


def _weights_line(weights: Mapping[str, float]) -> str:
    """The first line of a text output: the weights its figures come from."""
    return f"Weights: {format_weights(weights)}\n\n"


def _format_scores(table: pd.DataFrame, columns: list[str], fmt: str, weights: Mapping[str, float]) -> str:
    if fmt == "json":
        full = table.drop(columns=["missing"]).astype(object).where(table.notna(), None)
        records = full.to_dict(orient="records")
        for record in records:
            for key in ("priority", "customer_value", "business_value"):
                if record[key] is not None:
                    record[key] = round(float(record[key]), 2)
        data = {"weights": dict(weights), "experiences": records}
        return json.dumps(data, indent=2, default=_json_default) + "\n"
    if fmt == "csv":
        shown = table[[*columns, "owner", "ambition", "current", "missing", *MEASURES]]
        return csv_text(with_weights(shown, weights), index=False, float_format="%.2f")
    shown = table[columns].copy()
    for key in ("priority", "customer_value", "business_value"):
        shown[key] = shown[key].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    shown["complete"] = shown["complete"].map({True: "yes", False: "no"})
    if "stable_top_n" in shown:
        shown["stable_top_n"] = shown["stable_top_n"].map({True: "yes", False: ""})
    shown["name"] = shown["name"].str.slice(0, 40)
    return _weights_line(weights) + shown.to_string(index=False) + "\n"


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _ambition(args: argparse.Namespace) -> int:
    loaded, scores = _load(args)
    _warn_count(loaded)
    report = check_ambition(loaded.catalogue, scores)
    if args.format == "json":
        _emit(json.dumps({"weights": scores.weights} | report.as_dict(), indent=2) + "\n", args.out)
        return EXIT_OK
    lines = [_weights_line(scores.weights) + "Tier            count  share  limit"]
    for tier in report.tiers:
        limit = f"{tier.limit:.0%}" if tier.limit is not None else "-"
        flag = "  over the limit" if tier.over_limit else ""
        lines.append(f"{tier.tier.label:<15} {tier.count:>5}  {tier.share:>5.0%}  {limit:>5}{flag}")
    lines.append(f"({report.with_ambition} of {report.total} experiences have an ambition)")
    lines.append("")
    lines.append(f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}")
    for finding in report.findings:
        where = f" [{finding.experience}]" if finding.experience else ""
        lines.append(f"{finding.severity.value:<6} {finding.code}{where}: {finding.message}")
    _emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _ownership(args: argparse.Namespace) -> tuple[LoadedCatalogue, Scores, OwnershipReport]:
    loaded, scores = _load(args)
    _warn_count(loaded)
    priorities = dict(zip(scores.table["id"], scores.table["priority"], strict=True))
    report = analyse_ownership(
        loaded.catalogue, priorities, max_consulted=getattr(args, "max_consulted", DEFAULT_MAX_CONSULTED)
    )
    return loaded, scores, report


def _known(kind: str, value: str, known: Sequence[str]) -> None:
    if value not in known:
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"no {kind} with id {value!r} in the catalogue{hint}")


def _seams(args: argparse.Namespace) -> int:
    loaded, scores, report = _ownership(args)
    catalogue = loaded.catalogue
    if args.experience:
        _known("experience", args.experience, [e.id for e in catalogue.experiences])
    if args.team:
        _known("team", args.team, [t.id for t in catalogue.teams])
    if args.format == "dot":
        if args.experience:
            text = swimlane_dot(catalogue.experience(args.experience), catalogue.team_names())
        else:
            text = team_graph_dot(report.graph, report.metrics)
        _emit(f"// weights: {format_weights(scores.weights)}\n{text}", args.out)  # a DOT comment
        return EXIT_OK
    seams = filter_seams(
        report.seams, team=args.team, experience=args.experience, unowned_only=args.unowned_only
    )
    findings = filter_findings(report.findings, team=args.team, experience=args.experience)
    if args.format == "json":
        data = {
            "weights": scores.weights,
            "coverage": None if report.coverage is None else round(report.coverage, 4),
            "seams": [s.as_dict() for s in seams],
            "findings": [f.as_dict() for f in findings],
            "notes": list(report.metrics.notes),
        }
        _emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    table = seams_table(seams, catalogue.team_names())
    if args.format == "csv":
        _emit(csv_text(with_weights(table, scores.weights), index=False, float_format="%.2f"), args.out)
        return EXIT_OK
    coverage = "no seams" if report.coverage is None else f"{report.coverage:.0%}"
    lines = [
        _weights_line(scores.weights) + f"Seam coverage (priority-weighted share of owned seams): {coverage}",
        "",
    ]
    if seams:
        shown = table[["experience", "from_team", "to_team", "to_step", "handoff_owner", "risk"]].copy()
        shown["handoff_owner"] = shown["handoff_owner"].fillna("UNOWNED")
        shown["risk"] = shown["risk"].map(lambda v: f"{v:.1f}")
        lines.append(shown.to_string(index=False))
    else:
        lines.append("no seams match")
    lines += ["", _findings_text(findings)]
    _emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _findings_text(findings: Sequence[Finding]) -> str:
    lines = [f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"]
    for finding in findings:
        where = f" [{finding.experience}]" if finding.experience else f" [{', '.join(finding.teams)}]"
        risk = f" risk {finding.risk:.1f}" if finding.risk else ""
        lines.append(f"{finding.severity.value:<6} {finding.code}{where}{risk}: {finding.message}")
    return "\n".join(lines)


def _decisions(args: argparse.Namespace) -> int:
    loaded, scores, report = _ownership(args)
    table = raci_table(loaded.catalogue, report.decision_findings)
    if args.format == "json":
        teams = raci_teams(table)
        rows = [
            {
                "experience": row["experience"],
                "decision": row["decision"],
                "defects": [code for code in row["defects"].split(", ") if code],
                "roles": {team: row[team] for team in teams if row[team]},
            }
            for row in table.to_dict(orient="records")
        ]
        data = {
            "weights": scores.weights,
            "findings": [f.as_dict() for f in report.decision_findings],
            "matrix": rows,
        }
        _emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    text = table.replace("", "-").to_string(index=False) if len(table) else "no decisions in the catalogue"
    _emit(
        _weights_line(scores.weights) + text + "\n\n" + _findings_text(report.decision_findings) + "\n",
        args.out,
    )
    return EXIT_OK


def _tables(args: argparse.Namespace) -> int:
    if args.out is None and sys.stdout.isatty():
        raise UsageError("the tables are a ZIP file: give --out FILE.zip, or redirect stdout to a file")
    loaded, scores, report = _ownership(args)
    catalogue = loaded.catalogue
    tables = every_table(catalogue, scores, check_ambition(catalogue, scores), report)
    _emit(tables_zip(tables), args.out)
    return EXIT_OK


def _report_pack(args: argparse.Namespace) -> int:
    if args.format != "html" and args.out is None and sys.stdout.isatty():
        raise UsageError(f"a {args.format} file is binary: give --out FILE, or redirect stdout to a file")
    if args.no_history and args.quarters:
        raise UsageError("--quarters and --no-history contradict each other: give one")
    raw = read_catalogue_file(args.path, max_bytes=args.max_bytes)
    loaded = parse_catalogue(raw, source=str(args.path), max_bytes=args.max_bytes)
    _warn_count(loaded)
    history = None if args.no_history else _pack_history(args.quarters)
    record = round_record(_store(), args.round, loaded.catalogue) if args.round else None
    if record is not None:
        _say(f"report: with {record.heading}")
    shown = [-1]

    def progress(done: float, doing: str) -> None:
        percent = int(done * 100)
        if percent // 10 != shown[0] // 10 or done >= 1:
            shown[0] = percent
            _say(f"report: {percent:3d}% {doing}")

    workshop = gather(
        loaded,
        sha256=hashlib.sha256(raw).hexdigest(),
        weights=args.weights,
        history=history,
        round_record=record,
        progress=progress,
    )
    data = build(workshop, args.format, progress)
    _emit(data, args.out)
    return EXIT_OK


def _pack_history(chosen: Sequence[str] | None) -> Comparison | None:
    """The quarter comparison to include: the ``chosen`` quarters, which must exist, or the
    two newest when the store has them. Without a chosen pair, a store that does not exist
    yet is not created, and one that cannot be used leaves the history out, with a note."""
    if chosen:
        return compare_quarters(_store(), chosen[0], chosen[1])
    url = database_url()
    parsed = sa.make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and not Path(parsed.database).exists():
        return None
    try:
        history = newest_history(Store(url))
    except StoreError as problem:
        _say(f"report: no quarter comparison: {problem.message}")
        return None
    if history is not None:
        _say(f"report: with the comparison of {history.then} and {history.now}")
    return history


def _generate(args: argparse.Namespace) -> int:
    _say(f"generating {args.experiences} experiences and {args.teams} teams (seed {args.seed}) ...")
    _emit(generate_catalogue(experiences=args.experiences, teams=args.teams, seed=args.seed), args.out)
    return EXIT_OK


def _store() -> Store:
    store = Store()
    _say(f"store: {describe(store.url)}")
    return store


def _export(args: argparse.Namespace) -> int:
    store = _store()
    version = store.version(args.version_id) if args.version_id else store.latest()
    if version is None:
        raise StoreError(
            "the store holds no catalogue yet", "open the board on a catalogue file, which imports it"
        )
    _say(f"version {version.id} of {version.created_at:%Y-%m-%d %H:%M} UTC, by {version.author}")
    _emit(store.text(version.id), args.out)
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    store = _store()
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
    _emit(data, args.out)
    return EXIT_OK


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        return "command line"


def _save_if_new(store: Store, path: Path) -> None:
    """Save the catalogue file as the latest version, unless its text is a version already."""
    if not store.holds(hashlib.sha256(read_catalogue_file(path)).hexdigest()):
        imported = import_file(store, path)
        _say(f"{path} saved as version {imported.version.id}")


def _snapshot(args: argparse.Namespace) -> int:
    quarter = parse_quarter(args.quarter)  # a malformed quarter fails before anything is done
    store = _store()
    author = args.author or _user()
    if args.path:
        _save_if_new(store, Path(args.path))
    taken = take_snapshot(store, quarter, author=author, supersede=args.supersede, weights=args.weights)
    superseding = f" (superseding {taken.generation - 1} before it)" if taken.generation > 1 else ""
    _say(
        f"snapshot of {taken.quarter} taken from version {taken.version_id}{superseding}: "
        f"{len(taken.payload['experiences'])} experiences, seam coverage "
        f"{'-' if taken.payload['seam_coverage'] is None else format(taken.payload['seam_coverage'], '.0%')}"
    )
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    store = _store()
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
    _emit(data, args.out)
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


def _round(args: argparse.Namespace) -> int:
    store = _store()
    action = args.action
    if action == "open":
        return _round_open(store, args)
    if action == "list":
        listed = rounds_table(list_rounds(store))
        _emit((listed.to_string(index=False) if len(listed) else "(no rounds yet)") + "\n", None)
        return EXIT_OK
    if action == "score":
        found = get_round(store, args.code)
        person = join_or_find(store, found, args.name)
        record(store, args.code, person, [(args.experience, args.criterion.strip().lower(), args.value)])
        _say(
            f"saved: {person.name}, {args.experience or 'weights'}, {args.criterion} = {args.value or '(cleared)'}"
        )
        return EXIT_OK
    if action == "import":
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{args.file} cannot be read: {exc}") from None
        saved, joined = import_scores(store, args.code, text, source=str(args.file))
        _say(f"saved {saved} score{'s' if saved != 1 else ''} from {args.file}; {joined} new participant(s)")
        return EXIT_OK
    if action == "show":
        return _round_show(store, args)
    if action == "end":
        ended = end_scoring(store, args.code)
        _say(f"round {ended.code}: scoring ended; close it when the room has agreed")
        return EXIT_OK
    if action == "reveal":
        revealed = reveal(store, args.code, args.experience)
        _say(
            f"round {revealed.code}: "
            + ("everything revealed" if args.experience is None else f"{args.experience} revealed")
        )
        return EXIT_OK
    return _round_close(store, args)


def _round_open(store: Store, args: argparse.Namespace) -> int:
    criteria = parse_criteria(args.criteria)
    closes = None
    if args.closes:
        try:
            closes = datetime.fromisoformat(args.closes)
        except ValueError:
            raise UsageError(
                f"--closes {args.closes!r} is not a time: write it as 2026-12-01T16:00"
            ) from None
    if args.path:
        _save_if_new(store, Path(args.path))
    latest = store.latest()
    if latest is None:
        raise StoreError("the store holds no catalogue yet", "give the catalogue file: round open PATH")
    catalogue = store.catalogue(latest.id).catalogue
    ids = [i.strip() for i in args.experiences.split(",") if i.strip()] if args.experiences else None
    chosen = select_experiences(catalogue, level=args.level, ids=ids, contains=args.matching)
    opened = open_round(
        store,
        catalogue,
        latest.id,
        experiences=chosen,
        criteria=criteria,
        author=args.author or _user(),
        title=args.title,
        weights_vote=args.weights_vote,
        closes_at=closes,
        max_participants=args.max_participants,
    )
    _emit(opened.code + "\n", None)
    _say(
        f"round {opened.code} opened on version {latest.id}: {len(chosen)} experiences, "
        f"{', '.join(criteria)}{', and a weights vote' if args.weights_vote else ''}. "
        f"Participants join with the join code {opened.code} on the board's Workshop rounds page "
        f"(/rounds?round={opened.code})"
    )
    return EXIT_OK


def _round_show(store: Store, args: argparse.Namespace) -> int:
    found = get_round(store, args.code)
    rows = scores(store, found)
    if args.format == "csv":
        _emit(scores_csv(rows), args.out)
        return EXIT_OK
    latest = store.latest()
    catalogue = store.catalogue(latest.id).catalogue if latest is not None else None
    summaries = aggregate(found, rows, catalogue)
    vote = weights_vote(rows, catalogue) if catalogue is not None and found.weights_vote else None
    offered = proposals(found, summaries, catalogue) if catalogue is not None and not found.closed else []
    people = participants(store, found)
    if args.format == "json":
        data = {
            "code": found.code,
            "title": found.title,
            "state": found.state(),
            "participants": len(people),
            "scores": len(rows),
            "aggregates": [a.as_dict() for a in summaries],
            "proposals": [
                {
                    "key": p.key,
                    "experience": p.experience,
                    "criterion": p.criterion,
                    "current": p.current,
                    "proposed": p.proposed,
                    "source": p.source,
                    "implausible": p.implausible or None,
                    "note": p.note or None,
                }
                for p in offered
            ],
            "weights": None if vote is None else {"voters": vote.voters, "median": vote.median},
        }
        _emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    lines = [
        f"round {found.code}: {found.title} ({found.state()}), {len(people)} participants, {len(rows)} scores",
        "",
    ]
    names = {e.id: e.name for e in catalogue.experiences} if catalogue is not None else {}
    table = readable_results(summaries, found, names).assign(
        disagreement=lambda t: t["disagreement"].map(lambda d: f"{d:.2f}")
    )
    table.columns = ["Experience", "Criterion", "Scores", "Median", "Range or votes", "Disagreement"]
    lines.append(table.to_string(index=False) if len(table) else "(no scores yet)")
    if offered:
        lines += ["", "If accepted (round close CODE --accept KEY,...):"]
        for p in offered:
            flag = f"  [implausible: {p.implausible}; needs --confirm]" if p.implausible else ""
            lines.append(f"  {p.key}: {p.described(names.get(p.experience, p.experience))}{flag}")
    if vote is not None:
        lines += ["", f"weights vote ({vote.voters} voters), medians: {format_weights(vote.median)}"]
    _emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _listed(text: str) -> str | list[str]:
    """``all``, ``none`` or a comma-separated list, as ``--accept`` and ``--confirm`` take it."""
    text = text.strip()
    return text if text in ("all", "none") else [i.strip() for i in text.split(",") if i.strip()]


def _round_close(store: Store, args: argparse.Namespace) -> int:
    quarter = parse_quarter(args.snapshot) if args.snapshot else None
    author = args.author or _user()
    confirm = _listed(args.confirm)
    try:
        closed = close_round(
            store,
            args.code,
            accept=_listed(args.accept),
            confirm=() if confirm == "none" else confirm,
            author=author,
        )
    except Unconfirmed as exc:
        keys = ",".join(p.key for p in exc.proposals)
        raise UsageError(
            f"{exc}. Check them, then add --confirm {keys}, or leave them out of --accept"
        ) from None
    for skipped in closed.skipped:
        _say(f"not proposed: {skipped.described(closed.names.get(skipped.experience, skipped.experience))}")
    for accepted in closed.accepted:
        _say(f"  {accepted.described(closed.names.get(accepted.experience, accepted.experience))}")
    _say(closed.summary())
    if quarter is not None:
        taken = take_snapshot(store, quarter, author=author)
        _say(f"snapshot of {taken.quarter} taken from version {taken.version_id}")
    return EXIT_OK


def _database(args: argparse.Namespace) -> int:
    store = Store(migrate=False)
    revision = store.upgrade()
    _say(f"store: {describe(store.url)} is at schema revision {revision}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _validate,
    "score": _score,
    "ambition": _ambition,
    "seams": _seams,
    "decisions": _decisions,
    "tables": _tables,
    "report": _report_pack,
    "generate": _generate,
    "export": _export,
    "history": _history,
    "snapshot": _snapshot,
    "compare": _compare,
    "round": _round,
    "db": _database,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "out", None) is not None:
            _check_out(args.out)  # before any work: nothing is read, computed or saved
        return COMMANDS[args.command](args)
    except CatalogueError as exc:
        _report(exc.problems)
        errors = len(exc.errors)
        _say(f"{errors} error{'s' if errors != 1 else ''}: the catalogue was not loaded")
        return EXIT_INVALID
    except UsageError as exc:
        _say(f"python -m cxprio {args.command}: error: {exc}")
        return EXIT_USAGE
    except StoreError as exc:
        _say(f"python -m cxprio {args.command}: {exc.message}")
        if exc.hint:
            _say(f"  ↳ {exc.hint}")
        return EXIT_STORE
    except BrokenPipeError:  # `... | head`: the reader has gone, which is fine
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception:
        if os.environ.get("CXPRIO_DEBUG"):
            traceback.print_exc()
        _say(
            "internal error: this is a bug in cxprio; run again with CXPRIO_DEBUG=1 "
            "to see the details, and report them"
        )
        return EXIT_BUG
