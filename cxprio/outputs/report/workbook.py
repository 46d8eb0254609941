"""The pack's Excel workbook: a cover sheet with the weights, then a sheet per table.

Every text is stored as text, never as a formula: names come from the catalogue and the
room, and one starting with ``=`` must not run when the workbook is opened.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pandas as pd

from cxprio import __version__
from cxprio.method.findings import KINDS
from cxprio.method.ownership import (
    RACI_KEYS,
    raci_table,
)
from cxprio.outputs.headings import for_people
from cxprio.outputs.report.files import plain_rows, steady_zip
from cxprio.outputs.report.pack import (
    Progress,
    Workshop,
    quiet,
)
from cxprio.outputs.tables import findings_table, tier_table
from cxprio.units import LABELS, weights_words

SHEETS = {
    "Priorities": "Every experience, best first, with the rank range when the weights wobble",
    "Ambition tiers": "How many experiences sit in each ambition tier, against its limit",
    "Ambition findings": "Ambition out of line with priority, tiers over their limits, delivery gaps",
    "Seams": "Every handoff between two teams inside an experience, unowned and riskiest first",
    "Findings": "Ownership, decision-rights and evidence findings, most costly first",
    "RACI matrix": "Who is Accountable, Responsible, Consulted and Informed for each decision",
    "Maturity arc": "Each experience with steps on the maturity arc, rung 1 (siloed) to 4 (personalised)",
    "Quarter comparison": "Each experience's rank and priority then and now, with the recorded reasons",
    "Round results": "The workshop round's results per experience and criterion, widest disagreement first",
    "Round changes": "Every value the workshop round changed in the catalogue",
}


def workbook_tables(workshop: Workshop) -> dict[str, pd.DataFrame]:
    """The workbook's sheets after the cover, by sheet name, as people read them
    (:func:`cxprio.outputs.headings.for_people`: the CSVs keep the machine form)."""
    ownership = workshop.ownership
    findings = pd.concat(
        [
            findings_table(ownership.findings).assign(kind="ownership"),
            findings_table(ownership.decision_findings).assign(kind="decision rights"),
            *([findings_table(workshop.evidence).assign(kind="evidence")] if workshop.evidence else []),
        ],
        ignore_index=True,
    )
    findings = findings.sort_values("risk", ascending=False, kind="stable")[["kind", *findings.columns[:-1]]]
    tables = {
        "Priorities": workshop.priorities(),
        "Ambition tiers": tier_table(workshop.ambition),
        "Ambition findings": findings_table(workshop.ambition.findings),
        "Seams": workshop.seams(),
        "Findings": findings,
        "RACI matrix": raci_table(workshop.catalogue, ownership.decision_findings),
        "Maturity arc": workshop.maturity_table(),
    }
    if workshop.history is not None:
        tables["Quarter comparison"] = workshop.history.comparison.movement  # with every reason
    if workshop.round is not None:
        tables["Round results"] = workshop.round.results
        tables["Round changes"] = workshop.round.accepted
    catalogue = workshop.catalogue
    teams = catalogue.team_names()
    experiences = {e.id: e.name for e in catalogue.experiences}
    titles = {code: kind.title for code, kind in KINDS.items()}
    matrix_teams = set(tables["RACI matrix"].columns) - set(RACI_KEYS)
    return {
        name: for_people(
            frame, teams, experiences, titles, team_columns=matrix_teams if name == "RACI matrix" else ()
        )
        for name, frame in tables.items()
    }


def _text_cell(sheet: Any, text: str) -> Any:
    """``text`` as a text cell of ``sheet``: never a formula, whatever it starts with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # after the value: openpyxl infers a formula from a leading "="
    return cell


def _cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """``values`` as a row for ``sheet``: numbers stay numbers, and every text is a text
    cell. openpyxl stores a text as a formula when it starts with ``=`` (a name such as
    ``=HYPERLINK(...)`` would run when the workbook is opened) and as an error when it
    reads ``#N/A``; only those are wrapped, the rest are text cells already, and a sheet
    of millions of cells writes twice as fast unwrapped."""
    from openpyxl.cell.cell import ERROR_CODES

    return [
        _text_cell(sheet, v) if isinstance(v, str) and (v.startswith("=") or v in ERROR_CODES) else v
        for v in values
    ]


def xlsx(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """The Excel workbook: a cover sheet with the weights, then one sheet per table with
    its header row frozen, filters on, column widths set, numbers stored as numbers, and
    every text stored as text, never as a formula (names come from the catalogue and the
    room)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    say = progress or quiet
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F0")

    cover = book.create_sheet("Cover")
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 80
    title = _text_cell(cover, workshop.title)
    title.font = Font(bold=True, size=16)
    cover.append([title])
    for label, value in _about(workshop):
        cover.append([_text_cell(cover, label), _text_cell(cover, value)])
    cover.append([])
    heading = _text_cell(cover, "Weights used")
    heading.font = bold
    cover.append([heading])
    for measure, weight in workshop.weights.items():
        cover.append([LABELS.get(measure, measure), float(weight)])
    cover.append([])
    heading = _text_cell(cover, "Sheets")
    heading.font = bold
    cover.append([heading])

    tables = workbook_tables(workshop)
    for name in tables:
        cover.append([name, SHEETS[name]])

    for index, (name, frame) in enumerate(tables.items()):
        say(0.25 + 0.7 * index / len(tables), f"Writing the {name} sheet")
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(len(frame.columns), 1))
        sheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
        for position, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = _width(column, frame[column])
        header = []
        for column in frame.columns:
            cell = _text_cell(sheet, str(column))
            cell.font = bold
            cell.fill = header_fill
            header.append(cell)
        sheet.append(header)
        for row in plain_rows(frame):
            sheet.append(_cells(sheet, row))
    say(0.97, "Saving the workbook")
    buffer = io.BytesIO()
    book.save(buffer)
    return steady_zip(buffer.getvalue())


def _width(column: object, values: pd.Series) -> float:
    """A column width for a header and the first values: wide enough to read, at most 60."""
    sample = [len(str(v)) for v in values.head(200).tolist() if v is not None]
    longest = max([len(str(column)), *sample]) if sample else len(str(column))
    return float(min(max(longest + 2, 8), 60))


def _about(workshop: Workshop) -> list[tuple[str, str]]:
    """The cover sheet's rows: what the pack was made from, and how to read the rank ranges."""
    catalogue = workshop.catalogue
    rows = [
        ("Organisation", catalogue.organisation.name),
        ("Catalogue", workshop.source),
        ("Catalogue SHA-256", workshop.sha256),
        ("Experiences", f"{len(catalogue.experiences):,}"),
        ("Teams", f"{len(catalogue.teams):,}"),
        ("Weights", weights_words(workshop.weights)),
        (
            "Rank range",
            "the 5th to 95th percentile rank when the weights wobble around the chosen ones "
            f"(stable top {workshop.top_n}: in the top {workshop.top_n} in 90% of the draws)",
        ),
    ]
    if workshop.history is not None:
        rows.append(("Quarter comparison", f"{workshop.history.then} to {workshop.history.now}"))
    if workshop.round is not None:
        rows.append((workshop.round.heading, workshop.round.about()))
    rows.append(("Made by", f"cxprio {__version__}"))
    return rows
