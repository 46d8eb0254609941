"""The workshop pack: what people take out of the room.

:func:`gather` computes, once, everything the pack shows for one catalogue and one
weighting (the ranking with its rank ranges, the ambition check, the seams and
decision-rights findings, and the quarter comparison when the store has one);
:func:`build` turns that into one of the :data:`FORMATS`:

* ``xlsx``: an Excel workbook, a sheet per table, the weights on a cover sheet;
* ``html``: a self-contained report (charts inline as SVG, no external reference),
  laid out for A4 paper and for a phone;
* ``pptx``: a short slide deck a leader can present as it is;
* ``charts``: a ZIP of every chart as SVG and PNG, with the team graph as Graphviz DOT;
* ``zip``: all of the above in one ZIP (the board's "Workshop pack").

The same catalogue text, weights and history give the same bytes, whoever builds them
(the board or ``python -m cxprio report``): nothing in a file depends on the clock.
Charts are rendered by ``vl-convert-python``, which needs no browser.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from . import __version__
from .ambition import AmbitionReport, check_ambition
from .catalogue import LoadedCatalogue
from .compare import Comparison
from .findings import Finding
from .model import Catalogue
from .ownership import (
    OwnershipReport,
    analyse_ownership,
    raci_table,
    seams_table,
    team_pair_risk,
)
from .ownership.dot import team_graph_dot
from .scoring import Scores, default_top_n, format_weights, robustness, score
from .snapshots import Snapshot, compare_quarters, quarters
from .store import Store
from .tables import findings_table, tier_table

if TYPE_CHECKING:  # altair is imported when a chart is drawn: the command line starts faster
    import altair as alt

    from .rounds import RoundRecord

Progress = Callable[[float, str], None]
"""Called with the share done (0 to 1) and what is being done, for a progress bar."""

TOP = 10
"""Priorities on the slides and at the top of the report."""
REPORT_TOP = 25
"""Priorities listed in the HTML report."""
LISTED = 15
"""Seams and findings listed in the report and on the slides (the workbook has them all)."""

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
"""The time stamp of every file inside a ZIP-based format, so the bytes do not depend on the clock."""
_FIXED_ISO = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Format:
    """One file of the pack: its name's suffix, MIME type and what it is."""

    suffix: str
    mime: str
    label: str


FORMATS: dict[str, Format] = {
    "html": Format(".html", "text/html", "Report (HTML, prints on A4)"),
    "xlsx": Format(
        ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Workbook (Excel)"
    ),
    "pptx": Format(
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Slides (PowerPoint)",
    ),
    "charts": Format("-charts.zip", "application/zip", "Charts (SVG and PNG) and the team graph (DOT)"),
    "zip": Format("-workshop-pack.zip", "application/zip", "Everything above, in one ZIP"),
}


def file_name(source: str, fmt: str) -> str:
    """A download name for ``fmt``: the catalogue file's name and the format's suffix."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePath(source).stem).strip("-") or "catalogue"
    return f"{stem}{FORMATS[fmt].suffix}"


@dataclass(frozen=True)
class History:
    """The quarter comparison the pack includes: ``then`` and ``now`` are quarter labels."""

    comparison: Comparison

    @property
    def then(self) -> str:
        return self.comparison.then

    @property
    def now(self) -> str:
        return self.comparison.now


@dataclass(frozen=True)
class Workshop:
    """Everything the pack shows, for one catalogue version and one weighting."""

    catalogue: Catalogue
    source: str  # the catalogue file's name, as the pack names it
    sha256: str
    scores: Scores
    ranges: pd.DataFrame  # cxprio.scoring.robustness, in the ranking's order
    top_n: int
    ambition: AmbitionReport
    ownership: OwnershipReport
    history: History | None = None
    round: RoundRecord | None = None
    """A closed workshop round's results and what it changed, when one is chosen."""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.scores.weights)

    @property
    def title(self) -> str:
        return f"{self.catalogue.organisation.name}: workshop pack"

    def file_name(self, fmt: str) -> str:
        """A download name for ``fmt`` (see :func:`file_name`)."""
        return file_name(self.source, fmt)

    def priorities(self) -> pd.DataFrame:
        """Every experience, best first, with the rank range and top-N share."""
        if "priorities" not in self._cache:
            table = self.scores.table.merge(self.ranges, on="id", how="left")
            ranges = ["rank_p5", "rank_p95", "top_n_share", "stable_top_n"]
            rest = [c for c in table.columns if c not in ranges and c != "rank"]
            self._cache["priorities"] = table[["rank", *ranges[:2], *rest, *ranges[2:]]]
        frame: pd.DataFrame = self._cache["priorities"]
        return frame

    def top(self, count: int) -> pd.DataFrame:
        """The ``count`` highest priorities, with ``range`` (the rank range as text, such as
        ``3–7``) and the ambition as its tier's label."""
        return (
            self.priorities()
            .head(count)
            .assign(
                range=lambda t: [f"{a}–{b}" for a, b in zip(t["rank_p5"], t["rank_p95"], strict=True)],
                ambition=lambda t: t["ambition"].fillna("").str.capitalize(),
            )
        )

    def seams(self) -> pd.DataFrame:
        """Every seam, riskiest first, with team names."""
        table = seams_table(self.ownership.seams, self.catalogue.team_names())
        return table.sort_values(["owned", "risk"], ascending=[True, False], kind="stable")

    def unowned_seams(self) -> pd.DataFrame:
        """The unowned seams most worth fixing: riskiest first."""
        table = self.seams()
        return table[~table["owned"]]


def gather(
    loaded: LoadedCatalogue | Catalogue,
    *,
    sha256: str | None = None,
    weights: Mapping[str, float] | None = None,
    source: str | None = None,
    history: Comparison | None = None,
    round_record: RoundRecord | None = None,
    progress: Progress | None = None,
) -> Workshop:
    """Compute what the pack shows for a catalogue and a weighting (the catalogue's own
    where ``weights`` leaves a measure out). ``sha256`` is the catalogue text's (a loaded
    catalogue's own by default), named in the pack so a reader can tell which version it
    shows; ``history``: the quarter comparison to include; ``round_record``: a closed
    workshop round's results (:func:`cxprio.rounds.round_record`)."""
    say = progress or _quiet
    if sha256 is None:
        if not isinstance(loaded, LoadedCatalogue):
            raise ValueError("give the SHA-256 of the catalogue's text")
        sha256 = loaded.sha256
    catalogue = loaded.catalogue if isinstance(loaded, LoadedCatalogue) else loaded
    name = source or (loaded.source if isinstance(loaded, LoadedCatalogue) else "catalogue.yaml")
    say(0.02, "Ranking the experiences")
    scores = score(catalogue, weights=weights)
    top_n = default_top_n(len(catalogue.experiences))
    say(0.08, "Working out rank ranges")
    ranges = robustness(scores.normalised, scores.weights, top_n=top_n)
    say(0.15, "Checking ambition")
    ambition = check_ambition(catalogue, scores)
    say(0.2, "Finding seams and decision-rights defects")
    priorities = dict(zip(scores.table["id"], scores.table["priority"].tolist(), strict=True))
    ownership = analyse_ownership(catalogue, priorities)
    return Workshop(
        catalogue=catalogue,
        source=PurePath(name).name,
        sha256=sha256,
        scores=scores,
        ranges=ranges,
        top_n=top_n,
        ambition=ambition,
        ownership=ownership,
        history=History(history) if history is not None else None,
        round=round_record,
    )


def _quiet(_done: float, _doing: str) -> None:
    return None


def newest_history(store: Store, found: Mapping[str, Snapshot] | None = None) -> Comparison | None:
    """The comparison of the two newest quarters with a snapshot, or ``None`` when the
    store has fewer than two. ``found``: :func:`cxprio.snapshots.quarters`, if read already."""
    found = quarters(store) if found is None else found
    if len(found) < 2:
        return None
    then, now = list(found)[-2:]
    return compare_quarters(store, then, now, found=found)


# --- charts --------------------------------------------------------------------------------


def chart_specs(workshop: Workshop) -> dict[str, alt.TopLevelMixin]:
    """The pack's charts by file stem, configured for reading at a distance."""
    from . import charts

    if "charts" in workshop._cache:
        cached: dict[str, alt.TopLevelMixin] = workshop._cache["charts"]
        return cached
    table = workshop.scores.table
    top = workshop.priorities().head(TOP)
    found: dict[str, alt.Chart | alt.LayerChart] = {
        "top-priorities": charts.rank_ranges(top[["name", "rank", "rank_p5", "rank_p95"]]).properties(
            width=560
        ),
        "ambition-tiers": charts.tier_shares(tier_table(workshop.ambition)).properties(width=560),
        "priority-ambition": charts.priority_ambition(charts.ambition_points(table)).properties(width=560),
        "value-map": charts.value_map(table).properties(width=560),
    }
    heat = _heat(workshop)
    if len(heat):
        found["seam-risk"] = charts.seam_heatmap(heat)
    if workshop.history is not None:
        found["rank-movement"] = _movement_chart(workshop.history).properties(width=420)
    if workshop.round is not None and len(workshop.round.dots[1]):
        found["round-scores"] = cast(Any, charts.score_dots(*workshop.round.dots, width=420))
    configured: dict[str, alt.TopLevelMixin] = {
        name: charts.readable(cast(Any, chart)) for name, chart in found.items()
    }
    workshop._cache["charts"] = configured
    return configured


def _heat(workshop: Workshop) -> pd.DataFrame:
    """Every team pair's seam risk, with the teams' names (the heatmap keeps the riskiest)."""
    names = workshop.catalogue.team_names()
    pairs = team_pair_risk(workshop.ownership.seams)
    return pairs.assign(from_name=pairs["from_team"].map(names), to_name=pairs["to_team"].map(names))


def _movement_chart(history: History) -> alt.LayerChart:
    from . import charts

    comparison = history.comparison
    shown = (
        set(comparison.movement.nsmallest(TOP, "rank_now")["id"])
        | set(comparison.risers["id"])
        | set(comparison.fallers["id"])
    )
    slope = comparison.movement[comparison.movement["id"].isin(shown)]
    points = charts.slope_points(slope, history.then, history.now)
    title = f"The top {TOP} of {history.now}, and the biggest risers and fallers"
    return charts.rank_movement(points, history.then, history.now, title)


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text (no browser needed)."""
    import vl_convert

    text: str = vl_convert.vegalite_to_svg(chart.to_json(validate=False))
    return text


def png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG at ``scale`` times its size in CSS pixels."""
    import vl_convert

    data: bytes = vl_convert.vegalite_to_png(chart.to_json(validate=False), scale=scale)
    return data


def stable_ids(svg_text: str, prefix: str) -> str:
    """The SVG with its element ids (gradients, clip paths) renamed ``PREFIX-1``,
    ``PREFIX-2``... in order of appearance: the renderer numbers them per process, and
    two charts inline in one page must not share one."""
    names: dict[str, str] = {}
    for found in re.finditer(r'\bid="([^"]+)"', svg_text):
        names.setdefault(found.group(1), f"{prefix}-{len(names) + 1}")
    if not names:
        return svg_text
    pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(re.escape(n) for n in names) + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg_text)


def _rendered(workshop: Workshop, kind: str) -> dict[str, Any]:
    key = f"rendered-{kind}"
    if key not in workshop._cache:
        specs = chart_specs(workshop)
        if kind == "svg":
            workshop._cache[key] = {name: stable_ids(svg(chart), name) for name, chart in specs.items()}
        else:
            workshop._cache[key] = {name: png(chart) for name, chart in specs.items()}
    found: dict[str, Any] = workshop._cache[key]
    return found


def chart_files(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """A ZIP of every chart as SVG and PNG, and the team graph as DOT."""
    say = progress or _quiet
    say(0.3, "Drawing the charts")
    svgs = _rendered(workshop, "svg")
    say(0.6, "Drawing the charts as pictures")
    pngs = _rendered(workshop, "png")
    files: dict[str, bytes] = {}
    for name in svgs:
        files[f"charts/{name}.svg"] = svgs[name].encode("utf-8")
        files[f"charts/{name}.png"] = pngs[name]
    files["team-graph.dot"] = team_graph_dot(workshop.ownership.graph, workshop.ownership.metrics).encode(
        "utf-8"
    )
    say(0.95, "Packing the files")
    return _zip(files)


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def _steady_zip(data: bytes) -> bytes:
    """An Office file (a ZIP) rewritten with fixed time stamps, inside and out."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_ISO.encode() + m.group(3),
                    content,
                )
            files[info.filename] = content
    return _zip(files)


# --- plain values for files ----------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A table value as a plain Python value: numbers stay numbers, missing is None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _rows(frame: pd.DataFrame) -> Iterable[list[Any]]:
    columns = [frame[c].tolist() for c in frame.columns]
    for row in zip(*columns, strict=True):
        yield [_cell(v) for v in row]


# --- the workbook --------------------------------------------------------------------------

SHEETS = {
    "Priorities": "Every experience, best first, with the rank range when the weights wobble",
    "Ambition tiers": "How many experiences sit in each ambition tier, against its limit",
    "Ambition findings": "Ambition out of line with priority, tiers over their limits, delivery gaps",
    "Seams": "Every handoff between two teams inside an experience, unowned and riskiest first",
    "Findings": "Ownership and decision-rights findings, most costly first",
    "RACI matrix": "Who is Accountable, Responsible, Consulted and Informed for each decision",
    "Quarter comparison": "Each experience's rank and priority then and now, with the recorded reasons",
    "Round results": "The workshop round's results per experience and criterion, widest disagreement first",
    "Round changes": "Every value the workshop round changed in the catalogue",
}


def workbook_tables(workshop: Workshop) -> dict[str, pd.DataFrame]:
    """The workbook's sheets after the cover, by sheet name."""
    ownership = workshop.ownership
    findings = pd.concat(
        [
            findings_table(ownership.findings).assign(kind="ownership"),
            findings_table(ownership.decision_findings).assign(kind="decision rights"),
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
    }
    if workshop.history is not None:
        comparison = workshop.history.comparison
        tables["Quarter comparison"] = comparison.movement.merge(
            pd.concat([comparison.risers, comparison.fallers])[["id", "why"]].drop_duplicates("id"),
            on="id",
            how="left",
        )
    if workshop.round is not None:
        tables["Round results"] = workshop.round.results
        tables["Round changes"] = workshop.round.accepted
    return tables


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

    say = progress or _quiet
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
        cover.append([measure, float(weight)])
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
        for row in _rows(frame):
            sheet.append(_cells(sheet, row))
    say(0.97, "Saving the workbook")
    buffer = io.BytesIO()
    book.save(buffer)
    return _steady_zip(buffer.getvalue())


def _width(column: object, values: pd.Series) -> float:
    """A column width for a header and the first values: wide enough to read, at most 60."""
    sample = [len(str(v)) for v in values.head(200).tolist() if v is not None]
    longest = max([len(str(column)), *sample]) if sample else len(str(column))
    return float(min(max(longest + 2, 8), 60))


def _about(workshop: Workshop) -> list[tuple[str, str]]:
    catalogue = workshop.catalogue
    rows = [
        ("Organisation", catalogue.organisation.name),
        ("Catalogue", workshop.source),
        ("Catalogue SHA-256", workshop.sha256),
        ("Experiences", f"{len(catalogue.experiences):,}"),
        ("Teams", f"{len(catalogue.teams):,}"),
        ("Weights", format_weights(workshop.weights)),
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


# --- the HTML report -----------------------------------------------------------------------

_STYLE = """
:root { color-scheme: light; --ink: #1f2937; --muted: #64748b; --line: #d7dee8; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 1.8rem 0 .5rem; border-bottom: 2px solid var(--line);
     padding-bottom: .2rem; break-after: avoid; }
p.meta, .note { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .6rem; margin: 1rem 0; }
.figure { border: 1px solid var(--line); border-radius: .4rem; padding: .5rem .7rem; break-inside: avoid; }
.figure b { display: block; font-size: 1.5rem; color: var(--accent); }
.figure span { font-size: .85rem; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: .6rem 0 1.2rem; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
.tiers { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .6rem; }
.tier { border: 1px solid var(--line); border-radius: .4rem; padding: .5rem .7rem; break-inside: avoid; }
.tier h3 { margin: 0 0 .3rem; font-size: 1rem; }
.tier ol { margin: 0; padding-left: 1.3rem; font-size: .88rem; }
.over { color: #b91c1c; font-weight: 600; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-before: auto; }
  section { break-inside: auto; }
  .scroll { overflow: visible; }
}
@media (max-width: 40rem) { body { padding: .6rem; } h1 { font-size: 1.35rem; } table { font-size: .8rem; } }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _html_table(frame: pd.DataFrame, columns: Mapping[str, str], numbers: Sequence[str] = ()) -> str:
    head = "".join(
        f'<th{" class=n" if c in numbers else ""} scope="col">{_e(t)}</th>' for c, t in columns.items()
    )
    body = []
    for row in frame[list(columns)].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, row, strict=True):
            shown = _number(value) if column in numbers else _e(_cell(value) if value is not None else "")
            cells.append(f"<td{' class=n' if column in numbers else ''}>{shown}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _number(value: Any) -> str:
    plain = _cell(value)
    if plain is None:
        return ""
    if isinstance(plain, float):
        return f"{plain:,.0f}" if abs(plain) >= 100 else f"{plain:.1f}"
    return _e(f"{plain:,}" if isinstance(plain, int) else plain)


def _figure(svg_text: str, caption: str) -> str:
    return f"<figure>{svg_text}<figcaption class=note>{_e(caption)}</figcaption></figure>"


def headline(workshop: Workshop) -> list[tuple[str, str]]:
    """The headline figures: (value, what it counts)."""
    catalogue = workshop.catalogue
    levels = workshop.scores.table["level"].value_counts()
    ownership = workshop.ownership
    unowned = sum(1 for s in ownership.seams if not s.owned)
    over = [t.tier.label for t in workshop.ambition.tiers if t.over_limit]
    return [
        (f"{len(catalogue.experiences):,}", "experiences"),
        (f"{int(levels.get('trigger', 0)):,} / {int(levels.get('journey', 0)):,} / {int(levels.get('moment', 0)):,}",
         "triggers / journeys / moments"),
        ("–" if ownership.coverage is None else f"{ownership.coverage:.0%}", "seam coverage (priority-weighted)"),
        (f"{unowned:,}", "unowned seams"),
        (f"{len(ownership.decision_findings):,}", "decision-rights defects"),
        (", ".join(over) if over else "none", "ambition tiers over their limit"),
    ]  # fmt: skip


def html_report(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """The self-contained HTML report (UTF-8)."""
    say = progress or _quiet
    say(0.3, "Drawing the charts")
    svgs = _rendered(workshop, "svg")
    say(0.8, "Writing the report")
    catalogue = workshop.catalogue
    parts: list[str] = []
    add = parts.append
    add(f"<header><h1>{_e(workshop.title)}</h1>")
    add(f"<p class=meta>Catalogue {_e(workshop.source)} · SHA-256 {_e(workshop.sha256[:12])} · "
        f"{len(catalogue.experiences):,} experiences, {len(catalogue.teams):,} teams</p>")  # fmt: skip
    add(f"<p class=meta>Weights: {_e(_weights_text(workshop.weights))}</p></header>")

    add('<section id="headline"><h2>Headline figures</h2><div class="figures">')
    for value, label in headline(workshop):
        add(f'<div class="figure"><b>{_e(value)}</b><span>{_e(label)}</span></div>')
    add("</div></section>")

    top = workshop.top(REPORT_TOP)
    add(f'<section id="priorities"><h2>Top {min(REPORT_TOP, len(top))} priorities</h2>')
    add("<p class=note>Rank range: the 5th to 95th percentile rank when the weights wobble around the "
        "chosen ones. A narrow range is a rank the room can rely on.</p>")  # fmt: skip
    add(
        _html_table(
            top,
            {"rank": "Rank", "range": "Rank range", "name": "Experience", "level": "Level",
             "priority": "Priority", "ambition": "Ambition"},
            numbers=("rank", "priority"),
        )
    )  # fmt: skip
    add(_figure(svgs["top-priorities"], f"The top {TOP}: today's rank, and how far it moves."))
    add("</section>")

    add('<section id="ambition"><h2>Ambition board</h2><div class="tiers">')
    table = workshop.scores.table
    for share in workshop.ambition.tiers:
        names = table[table["ambition"] == share.tier.value]["name"].head(8).tolist()
        limit = f" · limit {share.limit:.0%}" if share.limit is not None else ""
        over = ' <span class="over">over the limit</span>' if share.over_limit else ""
        items = "".join(f"<li>{_e(n)}</li>" for n in names)
        add(f'<div class="tier"><h3>{_e(share.tier.label)}: {share.count:,} ({share.share:.0%}{limit}){over}</h3>'
            f"<ol>{items}</ol></div>")  # fmt: skip
    add("</div>")
    add(_figure(svgs["ambition-tiers"], "Each tier's share of the experiences with an ambition."))
    add(_figure(svgs["priority-ambition"], "Priority against ambition."))
    add(_findings_html(workshop.ambition.findings, "Ambition findings", catalogue))
    add("</section>")

    add('<section id="value-map"><h2>Value map</h2>')
    add(_figure(svgs["value-map"], "Customer value against business value; circle size is reach."))
    add("</section>")

    add('<section id="seams"><h2>Seams most worth fixing</h2>')
    add("<p class=note>A seam is a handoff between two teams inside one experience; an unowned one is "
        "where customers fall through the gaps. Risk is the seam's priority, doubled when nobody owns it.</p>")  # fmt: skip
    unowned = workshop.unowned_seams().head(LISTED)
    if len(unowned):
        add(
            _html_table(
                unowned,
                {"experience_name": "Experience", "from_team_name": "From", "to_team_name": "To",
                 "priority": "Seam priority", "risk": "Risk"},
                numbers=("priority", "risk"),
            )
        )  # fmt: skip
    else:
        add("<p>Every seam has an owner.</p>")
    if "seam-risk" in svgs:
        add(_figure(svgs["seam-risk"], "Summed seam risk from one team to another: darker is riskier."))
    add(_findings_html(workshop.ownership.findings, "Ownership findings", catalogue))
    add("</section>")

    add('<section id="decisions"><h2>Decision-rights defects</h2>')
    add(_findings_html(workshop.ownership.decision_findings, None, catalogue))
    add("</section>")

    if workshop.history is not None:
        add(_history_html(workshop.history, svgs["rank-movement"]))
    if workshop.round is not None:
        add(_round_html(workshop.round, svgs.get("round-scores")))

    add(f"<footer><p class=note>Made by cxprio {_e(__version__)}. Every table in full is in the workbook "
        "(.xlsx) of this pack.</p></footer>")  # fmt: skip
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(workshop.title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )
    return document.encode("utf-8")


def _weights_text(weights: Mapping[str, float]) -> str:
    return ", ".join(f"{measure.replace('_', ' ')} {weight:.2f}" for measure, weight in weights.items())


def _findings_html(findings: Sequence[Finding], title: str | None, catalogue: Catalogue) -> str:
    names = {e.id: e.name for e in catalogue.experiences}
    heading = f"<h3>{_e(title)}</h3>" if title else ""
    if not findings:
        return f"{heading}<p>None.</p>"
    shown = findings_table(findings[:LISTED]).assign(
        experience=lambda t: t["experience"].map(names).fillna("")
    )
    more = (
        f"<p class=note>{len(findings) - LISTED:,} more in the workbook.</p>"
        if len(findings) > LISTED
        else ""
    )
    columns = {"severity": "Severity", "experience": "Experience", "message": "Finding"}
    if (shown["risk"] > 0).any():  # ambition findings carry no risk figure
        columns["risk"] = "Risk"
    table = _html_table(shown, columns, numbers=("risk",))
    return heading + table + more


def _history_html(history: History, chart_svg: str) -> str:
    comparison = history.comparison
    parts = [f'<section id="quarters"><h2>Quarter on quarter: {_e(history.then)} to {_e(history.now)}</h2>']
    parts.append(_figure(chart_svg, "Rank then and now; green rose, red fell."))
    for title, table in (("Biggest risers", comparison.risers), ("Biggest fallers", comparison.fallers)):
        parts.append(f"<h3>{_e(title)}</h3>")
        parts.append(
            _html_table(
                table,
                {"name": "Experience", "rank_then": f"Rank {history.then}", "rank_now": f"Rank {history.now}",
                 "why": "Why (recorded changes)"},
                numbers=("rank_then", "rank_now"),
            )
            if len(table)
            else "<p>None.</p>"
        )  # fmt: skip
    parts.append(
        f"<p class=note>New: {len(comparison.new):,} · retired: {len(comparison.retired):,} · "
        f"ambition changes: {len(comparison.ambition):,}</p></section>"
    )
    return "".join(parts)


def _round_html(record: RoundRecord, chart_svg: str | None) -> str:
    parts = [f'<section id="round"><h2>{_e(record.heading)}</h2><p class=note>{_e(record.about())}</p>']
    parts.append("<h3>What the room agreed</h3>")
    parts.append(
        _html_table(record.accepted, {"experience": "Experience", "what": "What", "was": "Was", "now": "Now"})
        if len(record.accepted)
        else "<p>No value in the catalogue changed.</p>"
    )
    parts.append("<h3>Where the room disagreed, widest first</h3>")
    parts.append(
        "<p class=note>Disagreement: the standard deviation of the scores as a share of the most it can "
        "be, from 0 (everyone agrees) to 1 (the room split at the two ends).</p>"
    )
    parts.append(
        _html_table(
            record.results.head(REPORT_TOP),
            {"experience": "Experience", "criterion": "Criterion", "n": "Scores", "median": "Median",
             "range": "Range or votes", "disagreement": "Disagreement"},
            numbers=("n", "disagreement"),
        )
    )  # fmt: skip
    if chart_svg is not None:
        parts.append(
            _figure(chart_svg, "Each dot: how many gave that score; bar: the median; ◇: today's value.")
        )
    parts.append("</section>")
    return "".join(parts)


# --- the slides ----------------------------------------------------------------------------


def pptx(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """A short deck: title, top 10 with ranges, the ambition board, the value map, the
    unowned seams and the decisions to fix (and the quarter's movement, when there is history)."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    say = progress or _quiet
    say(0.3, "Drawing the charts as pictures")
    pngs = _rendered(workshop, "png")
    say(0.8, "Writing the slides")
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = workshop.title
    deck.core_properties.author = "cxprio"
    title_layout, blank_title = deck.slide_layouts[0], deck.slide_layouts[5]

    first = deck.slides.add_slide(title_layout)
    heading, subtitle = first.shapes.title, first.placeholders[1]
    heading.left, heading.top, heading.width, heading.height = (
        Inches(0.8),
        Inches(1.9),
        Inches(11.7),
        Inches(1.6),
    )
    heading.text = workshop.title
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(0.8),
        Inches(3.7),
        Inches(11.7),
        Inches(2),
    )
    subtitle.text = (
        f"{len(workshop.catalogue.experiences):,} experiences · catalogue {workshop.source} "
        f"({workshop.sha256[:12]})\nWeights: {_weights_text(workshop.weights)}"
    )
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.font.size = Pt(20)

    def slide(title: str) -> Any:
        page = deck.slides.add_slide(blank_title)
        shape = page.shapes.title
        shape.left, shape.top, shape.width, shape.height = (
            Inches(0.5),
            Inches(0.25),
            Inches(12.3),
            Inches(1.0),
        )
        shape.text = title
        shape.text_frame.paragraphs[0].font.size = Pt(32)
        return page

    def table(page: Any, frame: pd.DataFrame, columns: Mapping[str, str], widths: Sequence[float]) -> None:
        rows = len(frame) + 1
        shape = page.shapes.add_table(
            rows, len(columns), Inches(0.5), Inches(1.45), Inches(12.3), Inches(0.4 * rows)
        )
        grid = shape.table
        for position, width in enumerate(widths):
            grid.columns[position].width = Inches(width)
        for position, heading in enumerate(columns.values()):
            grid.cell(0, position).text = heading
        for row, values in enumerate(frame[list(columns)].itertuples(index=False, name=None), start=1):
            for position, value in enumerate(values):
                plain = _cell(value)
                grid.cell(row, position).text = (
                    f"{plain:.0f}" if isinstance(plain, float) else "" if plain is None else str(plain)
                )
        for row in range(rows):
            for position in range(len(columns)):
                for paragraph in grid.cell(row, position).text_frame.paragraphs:
                    paragraph.font.size = Pt(16)

    def picture(page: Any, name: str, left: float = 0.6, width: float = 12.1) -> None:
        image = io.BytesIO(pngs[name])
        placed = page.shapes.add_picture(image, Inches(left), Inches(1.4), width=Inches(width))
        limit = Inches(5.9)
        if placed.height > limit:  # keep it on the slide: scale down to the height left
            ratio = limit / placed.height
            placed.height, placed.width = int(limit), int(placed.width * ratio)

    top = workshop.top(TOP)
    table(
        slide(f"Top {len(top)} priorities"),
        top,
        {
            "rank": "Rank",
            "name": "Experience",
            "priority": "Priority",
            "range": "Rank range",
            "ambition": "Ambition",
        },
        [1.0, 6.3, 1.6, 1.8, 1.6],
    )
    page = slide("The ambition board")
    picture(page, "ambition-tiers", left=0.4, width=8.2)
    box = page.shapes.add_textbox(Inches(8.8), Inches(1.8), Inches(4.3), Inches(5)).text_frame
    box.word_wrap = True
    for number, share in enumerate(workshop.ambition.tiers):
        paragraph = box.paragraphs[0] if number == 0 else box.add_paragraph()
        limit = f", limit {share.limit:.0%}" if share.limit is not None else ""
        over = " (over the limit)" if share.over_limit else ""
        paragraph.text = f"{share.tier.label}: {share.count:,} ({share.share:.0%}{limit}){over}"
        paragraph.font.size = Pt(20)
    picture(slide("The value map"), "value-map", left=2.2, width=8.9)
    unowned = workshop.unowned_seams().head(TOP)
    page = slide("Unowned seams most worth fixing")
    if len(unowned):
        table(
            page,
            unowned,
            {"experience_name": "Experience", "from_team_name": "From", "to_team_name": "To", "risk": "Risk"},
            [4.6, 3.3, 3.3, 1.1],
        )
    else:
        _note(page, "Every seam has an owner.")
    decisions = workshop.ownership.decision_findings[:TOP]
    page = slide("Decisions to fix")
    if decisions:
        names = {e.id: e.name for e in workshop.catalogue.experiences}
        frame = findings_table(decisions).assign(experience=lambda t: t["experience"].map(names).fillna(""))
        table(
            page,
            frame,
            {"experience": "Experience", "message": "What is wrong", "risk": "Risk"},
            [3.0, 8.2, 1.1],
        )
        for row in range(1, len(frame) + 1):
            for paragraph in page.shapes[-1].table.cell(row, 1).text_frame.paragraphs:
                paragraph.font.size = Pt(12)
    else:
        _note(page, "No decision-rights defects.")
    if workshop.history is not None:
        picture(
            slide(f"Quarter on quarter: {workshop.history.then} to {workshop.history.now}"),
            "rank-movement",
            left=3.0,
            width=7.3,
        )
    if workshop.round is not None:
        record = workshop.round
        page = slide(f"Round {record.round.code}: where the room disagreed")
        if len(record.results):
            table(
                page,
                record.results.head(TOP),
                {"experience": "Experience", "criterion": "Criterion", "n": "Scores", "median": "Median",
                 "range": "Range or votes"},
                [3.6, 3.0, 1.1, 1.6, 3.0],
            )  # fmt: skip
        else:
            _note(page, "Nobody scored.")
        if "round-scores" in pngs:
            picture(slide(f"Round {record.round.code}: every score"), "round-scores", left=2.0, width=9.3)
        page = slide(f"Round {record.round.code}: what the room agreed")
        if len(record.accepted):
            table(
                page,
                record.accepted.head(TOP),
                {"experience": "Experience", "what": "What", "was": "Was", "now": "Now"},
                [5.0, 2.6, 2.3, 2.4],
            )
        else:
            _note(page, "No value in the catalogue changed.")
    buffer = io.BytesIO()
    deck.save(buffer)
    return _steady_zip(buffer.getvalue())


def _note(page: Any, text: str) -> None:
    from pptx.util import Inches, Pt

    frame = page.shapes.add_textbox(Inches(0.6), Inches(1.6), Inches(12), Inches(1)).text_frame
    frame.text = text
    frame.paragraphs[0].font.size = Pt(24)


# --- the pack ------------------------------------------------------------------------------


def pack(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """Every format in one ZIP, named after the catalogue."""
    say = progress or _quiet

    def part(start: float, end: float) -> Progress:
        return lambda done, doing: say(start + (end - start) * done, doing)

    files = {
        workshop.file_name("html"): html_report(workshop, part(0.2, 0.45)),
        workshop.file_name("xlsx"): xlsx(workshop, part(0.45, 0.8)),
        workshop.file_name("pptx"): pptx(workshop, part(0.8, 0.9)),
    }
    with zipfile.ZipFile(io.BytesIO(chart_files(workshop, part(0.9, 0.97)))) as charts_zip:
        for info in charts_zip.infolist():
            files[info.filename] = charts_zip.read(info)
    files["weights.json"] = (json.dumps(workshop.weights, indent=2) + "\n").encode("utf-8")
    say(0.98, "Packing the files")
    return _zip(files)


BUILDERS: dict[str, Callable[[Workshop, Progress | None], bytes]] = {
    "html": html_report,
    "xlsx": xlsx,
    "pptx": pptx,
    "charts": chart_files,
    "zip": pack,
}


def build(workshop: Workshop, fmt: str, progress: Progress | None = None) -> bytes:
    """The pack's file in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in BUILDERS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    data = BUILDERS[fmt](workshop, progress)
    (progress or _quiet)(1.0, "Done")
    return data


__all__ = [
    "FORMATS",
    "Format",
    "History",
    "Progress",
    "Workshop",
    "build",
    "chart_files",
    "chart_specs",
    "file_name",
    "gather",
    "headline",
    "html_report",
    "newest_history",
    "pack",
    "png",
    "pptx",
    "svg",
    "workbook_tables",
    "xlsx",
]
