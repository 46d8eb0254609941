"""The commands that read a catalogue file and say what the method finds in it:
``validate``, ``score``, ``whatif``, ``ambition``, ``seams`` and ``decisions``; and
``generate``, which writes a synthetic one.

Each handler imports what it uses when it runs: ``validate`` needs pydantic and numpy,
never pandas, networkx or SQLAlchemy (``tests/test_cli.py`` checks), so checking a file
while editing it is quick.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cxprio.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Command,
    Parser,
    _positive,
    catalogue_arguments,
    emit,
    findings_lines,
    load,
    load_ownership,
    out_argument,
    print_problems,
    say,
    warn_count,
    weights_line,
)
from cxprio.errors import CatalogueError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from cxprio.method.findings import Finding


def _validate_arguments(sub: Parser) -> None:
    catalogue_arguments(sub, weighted=False)
    sub.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a summary on stdout, problems on stderr; json: the result and every problem on stdout, valid or not",
    )


def _validate(args: argparse.Namespace) -> int:
    from cxprio.catalogue.loading import load_catalogue

    try:
        loaded = load_catalogue(args.path, max_bytes=args.max_bytes)
    except CatalogueError as exc:
        if args.format != "json":
            raise
        # JSON always carries the problems: a script reading stdout needs them most here.
        errors = [p for p in exc.problems if p.is_error]
        emit(
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
        say(f"{len(errors)} error{'s' if len(errors) != 1 else ''}: the catalogue was not loaded")
        return EXIT_INVALID
    warnings = loaded.warnings
    catalogue = loaded.catalogue
    if args.format == "json":
        emit(
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
        print_problems(warnings)
        print(
            f"{loaded.source}: valid: {len(catalogue.experiences)} experiences, "
            f"{len(catalogue.teams)} teams, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        )
    return EXIT_OK


SCORE_COLUMNS = ["rank", "id", "name", "level", "priority", "customer_value", "business_value", "complete"]


def _score_arguments(sub: Parser) -> None:
    from cxprio.catalogue.model import Level
    from cxprio.method.scoring import DEFAULT_DRAWS

    catalogue_arguments(sub)
    sub.add_argument("--level", choices=[lv.value for lv in Level], help="only this level")
    sub.add_argument("--top", type=_positive, metavar="N", help="only the first N rows")
    sub.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sub.add_argument(
        "--robustness",
        action="store_true",
        help="add each rank's 5th-95th percentile range when the weights wobble, and each "
        "value by its evidence",
    )
    sub.add_argument(
        "--draws",
        type=_positive,
        default=DEFAULT_DRAWS,
        help=f"weight draws for --robustness (default: {DEFAULT_DRAWS})",
    )
    sub.add_argument(
        "--stable-top",
        type=_positive,
        default=None,
        metavar="N",
        help="the top N that --robustness checks ranks stay in, and whose priorities resting on "
        "guesses are findings (default: 10, or a quarter of a catalogue of fewer than 40 experiences)",
    )
    sub.add_argument("--seed", type=int, default=0, help="seed of the weight draws (default: 0)")
    out_argument(sub)


def _score(args: argparse.Namespace) -> int:
    from cxprio.method.evidence import evidence_findings
    from cxprio.method.scoring import default_top_n, ranking, robustness

    loaded, scores = load(args)
    warn_count(loaded)
    table = scores.table
    columns = list(SCORE_COLUMNS)
    top_n = args.stable_top or default_top_n(len(table))
    norm = scores.normalised
    guesses = evidence_findings(norm, ranking(norm, scores.weights), scores.weights, top_n=top_n)
    if args.robustness:
        say(f"ranking under {args.draws} weight draws (stable top {top_n}) ...")
        spread = robustness(scores.normalised, scores.weights, draws=args.draws, top_n=top_n, seed=args.seed)
        table = table.merge(spread, on="id", how="left")
        columns += ["rank_p5", "rank_p95", "stable_top_n"]
    if args.level:
        table = table[table["level"] == args.level]
    if args.top:
        table = table.head(args.top)
    emit(_format_scores(table, columns, args.format, scores.weights, guesses), args.out)
    return EXIT_OK


def _format_scores(
    table: pd.DataFrame,
    columns: list[str],
    fmt: str,
    weights: Mapping[str, float],
    findings: Sequence[Finding] = (),
) -> str:
    """The ranked table as ``fmt``; the ``findings`` about it (top priorities that rest on
    guesses) follow the table, or go under ``findings`` in JSON (not in CSV: a table)."""
    import pandas as pd

    if fmt == "json":
        full = table.drop(columns=["missing"]).astype(object).where(table.notna(), None)
        records = full.to_dict(orient="records")
        for record in records:
            for key in ("priority", "customer_value", "business_value"):
                if record[key] is not None:
                    record[key] = round(float(record[key]), 2)
        data = {"weights": dict(weights), "experiences": records, "findings": [f.as_dict() for f in findings]}
        return json.dumps(data, indent=2, default=_json_default) + "\n"
    if fmt == "csv":
        # Here, not above: the tables module brings networkx, which a ranking on screen does not need.
        from cxprio.catalogue.model import MEASURES
        from cxprio.outputs.exports import csv_text
        from cxprio.outputs.tables import with_weights

        shown = table[[*columns, "owner", "ambition", "current", "missing", *MEASURES]]
        return csv_text(with_weights(shown, weights), index=False, float_format="%.2f")
    shown = table[columns].copy()
    for key in ("priority", "customer_value", "business_value"):
        shown[key] = shown[key].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    shown["complete"] = shown["complete"].map({True: "yes", False: "no"})
    if "stable_top_n" in shown:
        shown["stable_top_n"] = shown["stable_top_n"].map({True: "yes", False: ""})
    shown["name"] = shown["name"].str.slice(0, 40)
    text = weights_line(weights) + shown.to_string(index=False) + "\n"
    return text + ("\n" + _findings_text(findings) + "\n" if findings else "")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _whatif_arguments(sub: Parser) -> None:
    catalogue_arguments(sub)
    sub.add_argument("--experience", metavar="ID", required=True, help="the experience to move")
    sub.add_argument(
        "--top",
        type=_positive,
        default=None,
        metavar="N",
        help="the top N to move it into or out of (default: 10, or a quarter of a catalogue of "
        "fewer than 40 experiences)",
    )
    sub.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: in words, a line per measure; json: {experience, rank, top, inside, weights, "
        "moves: [{measure, weight, needed, rank}]}, needed and rank null when no weight moves it",
    )
    out_argument(sub)


def _whatif(args: argparse.Namespace) -> int:
    from cxprio.method.whatif import move_words, standing_words, what_if

    loaded, scores = load(args)
    warn_count(loaded)
    result = what_if(scores.normalised, scores.weights, args.experience, top_n=args.top)
    if args.format == "json":
        emit(json.dumps(result.as_dict(), indent=2) + "\n", args.out)
        return EXIT_OK
    name = loaded.catalogue.experience(args.experience).name
    lines = [standing_words(result, name), *(f"  {move_words(result, move)}" for move in result.moves)]
    emit(weights_line(scores.weights) + "\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _ambition_arguments(sub: Parser) -> None:
    catalogue_arguments(sub)
    sub.add_argument("--format", choices=("table", "json"), default="table")
    out_argument(sub)


def _ambition(args: argparse.Namespace) -> int:
    from cxprio.method.ambition import check_ambition

    loaded, scores = load(args)
    warn_count(loaded)
    report = check_ambition(loaded.catalogue, scores)
    if args.format == "json":
        emit(json.dumps({"weights": scores.weights} | report.as_dict(), indent=2) + "\n", args.out)
        return EXIT_OK
    lines = [weights_line(scores.weights) + "Tier            count  share  limit"]
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
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _known(kind: str, value: str, known: Sequence[str]) -> None:
    if value not in known:
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"no {kind} with id {value!r} in the catalogue{hint}")


def _seams_arguments(sub: Parser) -> None:
    catalogue_arguments(sub)
    sub.add_argument("--experience", metavar="ID", help="only this experience's seams")
    sub.add_argument("--team", metavar="ID", help="only seams from or to this team")
    sub.add_argument("--unowned-only", action="store_true", help="only seams nobody owns")
    sub.add_argument(
        "--format",
        choices=("table", "csv", "json", "dot"),
        default="table",
        help="dot: Graphviz text of the team graph, or of one experience as swimlanes with --experience",
    )
    out_argument(sub)


def _seams(args: argparse.Namespace) -> int:
    from cxprio.method.ownership import (
        filter_findings,
        filter_seams,
        seams_table,
        swimlane_dot,
        team_graph_dot,
    )
    from cxprio.method.scoring import format_weights
    from cxprio.outputs.exports import csv_text
    from cxprio.outputs.tables import with_weights

    loaded, scores, report = load_ownership(args)
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
        emit(f"// weights: {format_weights(scores.weights)}\n{text}", args.out)  # a DOT comment
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
        emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    table = seams_table(seams, catalogue.team_names())
    if args.format == "csv":
        emit(csv_text(with_weights(table, scores.weights), index=False, float_format="%.2f"), args.out)
        return EXIT_OK
    coverage = "no seams" if report.coverage is None else f"{report.coverage:.0%}"
    lines = [
        weights_line(scores.weights) + f"Seam coverage (priority-weighted share of owned seams): {coverage}",
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
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _findings_text(findings: Sequence[Finding]) -> str:
    return "\n".join(findings_lines(findings))


def _decisions_arguments(sub: Parser) -> None:
    from cxprio.method.ownership import DEFAULT_MAX_CONSULTED

    catalogue_arguments(sub)
    sub.add_argument("--format", choices=("table", "json"), default="table")
    sub.add_argument(
        "--max-consulted",
        type=_positive,
        default=DEFAULT_MAX_CONSULTED,
        metavar="N",
        help=f"more Consulted teams than this is a finding (default: {DEFAULT_MAX_CONSULTED})",
    )
    out_argument(sub)


def _decisions(args: argparse.Namespace) -> int:
    from cxprio.method.ownership import raci_table, raci_teams

    loaded, scores, report = load_ownership(args)
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
        emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    text = table.replace("", "-").to_string(index=False) if len(table) else "no decisions in the catalogue"
    emit(
        weights_line(scores.weights) + text + "\n\n" + _findings_text(report.decision_findings) + "\n",
        args.out,
    )
    return EXIT_OK


def _generate_arguments(sub: Parser) -> None:
    sub.add_argument("--experiences", type=_positive, default=200, metavar="N")
    sub.add_argument("--teams", type=_positive, default=20, metavar="M")
    sub.add_argument("--seed", type=int, default=0, metavar="S")
    out_argument(sub)


def _generate(args: argparse.Namespace) -> int:
    from cxprio.catalogue.generate import generate_catalogue

    say(f"generating {args.experiences} experiences and {args.teams} teams (seed {args.seed}) ...")
    emit(generate_catalogue(experiences=args.experiences, teams=args.teams, seed=args.seed), args.out)
    return EXIT_OK


COMMANDS = {
    command.name: command
    for command in (
        Command(
            "validate", "check a catalogue and list every error and warning", _validate_arguments, _validate
        ),
        Command("score", "rank the experiences by priority", _score_arguments, _score),
        Command(
            "whatif",
            "the weight change nearest to today's that moves an experience into the top N or out of it",
            _whatif_arguments,
            _whatif,
            description="For each measure, the weight nearest to today's on the sliders' grid (multiples "
            "of 0.05 from 0 to 1, or to the catalogue's largest weight when that is above 1) that "
            "moves the experience into the top N when it is outside, or out of it when it is "
            "inside, every other weight as it is; none when no weight on the grid does. At equal "
            "distance the smaller weight is given; ties in priority are broken by id, as the "
            "ranking breaks them.",
        ),
        Command(
            "ambition", "check the ambition portfolio (tiers, gaps, misfits)", _ambition_arguments, _ambition
        ),
        Command("seams", "list the handoffs between teams, most risky first", _seams_arguments, _seams),
        Command(
            "decisions", "check decision rights (RACI), most costly first", _decisions_arguments, _decisions
        ),
        Command(
            "generate",
            "write a synthetic catalogue (for tests and benchmarks)",
            _generate_arguments,
            _generate,
            description="Write a realistic synthetic catalogue, valid by construction.",
        ),
    )
}
