"""The commands about how experiences are carried: ``maturity`` (each experience's rung
of the maturity arc, :mod:`cxprio.method.maturity`) and ``moments`` (the moments that
matter, :mod:`cxprio.method.moments`). Both print the findings of their own kind too."""

from __future__ import annotations

import argparse
import json
import math

from cxprio.cli.common import (
    EXIT_OK,
    Command,
    Parser,
    catalogue_arguments,
    emit,
    findings_lines,
    load_ownership,
    out_argument,
    weights_line,
)

_MATURITY_CODES = ("PERSONALISED_TOO_SOON", "AUTOMATION_NO_FALLBACK")
_MOMENT_CODES = ("MOMENT_NO_OWNER", "MOMENT_NOT_PERCEIVED", "MOMENT_UNCOMPETITIVE")


def _arguments(sub: Parser) -> None:
    catalogue_arguments(sub)
    sub.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table: in words, with the findings; csv: one row each, for a spreadsheet; json: "
        "everything, with the findings' codes (default: table)",
    )
    out_argument(sub)


def _priority(value: float | None) -> float | None:
    """A priority for JSON: two decimals, and null where there is none (NaN is not JSON)."""
    return None if value is None or math.isnan(value) else round(value, 2)


def _maturity(args: argparse.Namespace) -> int:
    import pandas as pd

    from cxprio.method.maturity import maturity, without_steps
    from cxprio.outputs.exports import csv_text

    loaded, scores, report = load_ownership(args)
    catalogue = loaded.catalogue
    priorities = scores.priorities()
    rungs = maturity(catalogue, priorities)
    findings = [f for f in report.all_findings if f.code in _MATURITY_CODES]
    names = {e.id: e.name for e in catalogue.experiences}
    if args.format == "json":
        data = {
            "weights": scores.weights,
            "rungs": [
                {"rung": r.rung, "name": r.name, "count": r.count, "experiences": list(r.experiences)}
                for r in rungs
            ],
            "without_steps": without_steps(catalogue),
            "findings": [f.as_dict() for f in findings],
        }
        emit(json.dumps(data, indent=2, allow_nan=False) + "\n", args.out)
        return EXIT_OK
    rows = [
        {"rung": r.rung, "rung_name": r.name, "id": e, "experience": names[e], "priority": priorities.get(e)}
        for r in rungs
        for e in r.experiences
    ]
    table = pd.DataFrame(rows, columns=["rung", "rung_name", "id", "experience", "priority"])
    if args.format == "csv":
        emit(csv_text(table, index=False, float_format="%.2f"), args.out)
        return EXIT_OK
    lines = [weights_line(scores.weights).rstrip("\n"), "The maturity arc: experiences on each rung", ""]
    for r in rungs:
        lines.append(f"{r.rung}. {r.name} ({r.meaning}): {r.count:,}")
        lines += [f"     {names[e]}" for e in r.experiences]
    unstepped = without_steps(catalogue)
    if unstepped:
        lines.append(f"No rung (no steps): {unstepped:,}")
    lines += ["", *findings_lines(findings)]
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _moments(args: argparse.Namespace) -> int:
    import pandas as pd

    from cxprio.method.moments import moments, perceived_words
    from cxprio.outputs.exports import csv_text
    from cxprio.units import tier_words

    loaded, scores, report = load_ownership(args)
    catalogue = loaded.catalogue
    priorities = scores.priorities()
    listed = moments(catalogue, priorities)
    teams = catalogue.team_names()
    findings = [f for f in report.all_findings if f.code in _MOMENT_CODES]
    if args.format == "json":
        data = {
            "weights": scores.weights,
            "moments": [
                {
                    "experience": m.experience,
                    "name": m.name,
                    "owner": m.owner,
                    "ambition": None if m.ambition is None else m.ambition.value,
                    "perceive": None if m.perceived is None else m.perceived.model_dump(exclude_none=True),
                    "priority": _priority(priorities.get(m.experience)),
                }
                for m in listed
            ],
            "findings": [f.as_dict() for f in findings],
        }
        emit(json.dumps(data, indent=2, allow_nan=False) + "\n", args.out)
        return EXIT_OK
    table = pd.DataFrame(
        [
            {
                "id": m.experience,
                "experience": m.name,
                "owner": teams.get(m.owner, m.owner) if m.owner else "Nobody",
                "ambition": tier_words(m.ambition),
                "worst_perceived": perceived_words(m.perceived),
            }
            for m in listed
        ],
        columns=["id", "experience", "owner", "ambition", "worst_perceived"],
    )
    if args.format == "csv":
        emit(csv_text(table, index=False), args.out)
        return EXIT_OK
    lines = [weights_line(scores.weights).rstrip("\n"), "Moments that matter, highest priority first", ""]
    if len(table):
        headings = {"experience": "Moment that matters", "owner": "Owner", "ambition": "Ambition",
                    "worst_perceived": "How it feels (worst measure)"}  # fmt: skip
        lines.append(table.drop(columns="id").rename(columns=headings).to_string(index=False))
    else:
        lines.append("No experience is marked matters: true")
    lines += ["", *findings_lines(findings)]
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


COMMANDS = {
    command.name: command
    for command in (
        Command(
            "maturity",
            "place each experience on the maturity arc, rung 1 to 4",
            _arguments,
            _maturity,
            description="Place each experience with steps on the maturity arc: 1 siloed touchpoints, "
            "2 mapped journey, 3 coordinated handoffs, 4 predictive personalisation; and list the "
            "findings about personalising too soon and automation without a way back.",
        ),
        Command(
            "moments",
            "list the moments that matter, with owner, ambition and how they feel",
            _arguments,
            _moments,
            description="List the experiences marked matters: true with their owner, ambition and "
            "worst perceive measure, and the findings about them.",
        ),
    )
}
