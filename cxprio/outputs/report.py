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

The same catalogue text, weights, history and date give the same bytes, whoever builds
them (the board or ``python -m cxprio report``): nothing in a file depends on the clock
but the pack's date, set once by :func:`gather` (today, or the day a chosen round closed).
Charts are rendered by ``vl-convert-python``, which needs no browser.
"""

from __future__ import annotations

import datetime as _dt
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

from cxprio import __version__
from cxprio.catalogue.loading import LoadedCatalogue
from cxprio.catalogue.model import Catalogue
from cxprio.method.ambition import AmbitionReport, check_ambition
from cxprio.method.compare import Comparison
from cxprio.method.findings import KINDS, Finding
from cxprio.method.ownership import (
    RACI_KEYS,
    OwnershipReport,
    analyse_ownership,
    raci_table,
    seams_table,
    team_pair_risk,
)
from cxprio.method.ownership.dot import team_graph_dot
from cxprio.method.scoring import Scores, default_top_n, robustness, score
from cxprio.outputs.headings import for_people
from cxprio.outputs.tables import findings_table, tier_table
from cxprio.store.snapshots import Snapshot, compare_quarters, quarters
from cxprio.store.versions import Store
from cxprio.units import LABELS, weights_words

if TYPE_CHECKING:  # altair is imported when a chart is drawn: the command line starts faster
    import altair as alt

    from cxprio.outputs.rounds import RoundRecord

Progress = Callable[[float, str], None]
"""Called with the share done (0 to 1) and what is being done, for a progress bar."""

TOP = 10
"""Priorities on the slides and at the top of the report."""
REPORT_TOP = 25
"""Priorities listed in the HTML report."""
LISTED = 15
"""Seams and findings listed in the report and on the slides (the workbook has them all)."""
MOVERS_SHOWN = 5
"""Risers and fallers each named on the slope chart: with the top 10, a chart that fits a slide."""

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
    ranges: pd.DataFrame  # cxprio.method.scoring.robustness, in the ranking's order
    top_n: int
    ambition: AmbitionReport
    ownership: OwnershipReport
    history: History | None = None
    round: RoundRecord | None = None
    """A closed workshop round's results and what it changed, when one is chosen."""
    date: _dt.date = _dt.date(2000, 1, 1)
    """The pack's date, on its title slide and cover: :func:`gather` sets it."""
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
                ambition=lambda t: t["ambition"].fillna("no ambition").str.capitalize(),
                level=lambda t: t["level"].str.capitalize(),
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
    date: _dt.date | None = None,
    progress: Progress | None = None,
) -> Workshop:
    """Compute what the pack shows for a catalogue and a weighting (the catalogue's own
    where ``weights`` leaves a measure out). ``sha256`` is the catalogue text's (a loaded
    catalogue's own by default), named in the pack so a reader can tell which version it
    shows; ``history``: the quarter comparison to include; ``round_record``: a closed
    workshop round's results (:func:`cxprio.outputs.rounds.round_record`); ``date``: the pack's
    date (the round's closing day when there is one, else today)."""
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
        date=date or _pack_date(round_record),
    )


def _pack_date(record: RoundRecord | None) -> _dt.date:
    closed = record.round.closed_at if record is not None else None
    return closed.date() if closed is not None else _dt.date.today()


def _quiet(_done: float, _doing: str) -> None:
    return None


def newest_history(store: Store, found: Mapping[str, Snapshot] | None = None) -> Comparison | None:
    """The comparison of the two newest quarters with a snapshot, or ``None`` when the
    store has fewer than two. ``found``: :func:`cxprio.store.snapshots.quarters`, if read already."""
    found = quarters(store) if found is None else found
    if len(found) < 2:
        return None
    then, now = list(found)[-2:]
    return compare_quarters(store, then, now, found=found)


# --- charts --------------------------------------------------------------------------------


def chart_specs(workshop: Workshop) -> dict[str, alt.TopLevelMixin]:
    """The pack's charts by file stem, configured for reading at a distance."""
    from cxprio.outputs import charts

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
    from cxprio.outputs import charts

    comparison = history.comparison
    shown = (
        set(comparison.movement.nsmallest(TOP, "rank_now")["id"])
        | set(comparison.risers["id"].head(MOVERS_SHOWN))
        | set(comparison.fallers["id"].head(MOVERS_SHOWN))
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


PNG_SCALE = 2.0
"""Pixels per CSS pixel in a chart's PNG: sharp on a projector and in print."""


def png(chart: alt.TopLevelMixin, scale: float = PNG_SCALE) -> bytes:
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
    """The workbook's sheets after the cover, by sheet name, as people read them
    (:func:`cxprio.outputs.headings.for_people`: the CSVs keep the machine form)."""
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
    add(f"<p class=meta>Weights: {_e(weights_words(workshop.weights))}</p></header>")

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


def _findings_html(findings: Sequence[Finding], title: str | None, catalogue: Catalogue) -> str:
    names = {e.id: e.name for e in catalogue.experiences}
    heading = f"<h3>{_e(title)}</h3>" if title else ""
    if not findings:
        return f"{heading}<p>Nothing found.</p>"
    shown = findings_table(findings[:LISTED]).assign(
        experience=lambda t: t["experience"].map(names).fillna(""),
        severity=lambda t: t["severity"].str.capitalize(),
        title=[f.title for f in findings[:LISTED]],
    )
    more = (
        f"<p class=note>{len(findings) - LISTED:,} more in the workbook.</p>"
        if len(findings) > LISTED
        else ""
    )
    columns = {"severity": "Severity", "title": "Finding", "experience": "Experience", "message": "Detail"}
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
            else "<p>Nobody moved.</p>"
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

SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
"""Inches: a 16:9 deck."""
MARGIN = 0.5
BODY_TOP, BODY_BOTTOM = 1.3, 6.95
"""Inches: where a slide's table or chart may sit, under its title and above its footer."""
TITLE_PT, TEXT_PT, TABLE_PT, FOOTER_PT = 28, 20, 16, 14
"""Point sizes on the slides: none under 14, the size a projector's back row can read."""
FONT = "Arial"
CHAR_EM = 0.6
"""A generous width of one character of :data:`FONT`, as a share of its size: column
widths from it fit the longest word without breaking it."""
CELL_MARGIN = 0.1
"""Inches of padding either side of a table cell's text (python-pptx's default)."""
CELL_SLACK = 0.15
"""Inches more than the estimate in every column: renderers differ in how they wrap."""
PX_PER_INCH = 96
"""A chart's CSS pixel at its own size on a slide: a chart never shrinks below it, so its
14-pixel text stays 14 pixels (and the slide's 14 points) at any projector's size."""
SLIDE_NAMED = 5
"""Experiences named on a slide's ambition chart when the top 10 would not fit at its size."""
SLIDE_HEAT_TEAMS = 15
"""Teams on a slide's seam heatmap when the full one would not fit at its size."""
_ACCENT, _INK, _MUTED, _BAND, _WHITE = "1F4E79", "1F2937", "475569", "EEF3F8", "FFFFFF"


def slide_date(day: _dt.date) -> str:
    """A date as people write it: ``12 May 2026``."""
    return f"{day.day} {day:%B %Y}"


def _text_width(text: str, points: float) -> float:
    """An upper estimate of ``text``'s width in inches at ``points`` in :data:`FONT`."""
    return len(text) * CHAR_EM * points / 72


def column_widths(rows: Sequence[Sequence[str]], total: float, points: float) -> list[float]:
    """Widths (inches) for a table's columns that add up to ``total``: each at least wide
    enough for its longest word (never broken mid-word), the rest shared out by how long
    each column's longest text is (so the longest texts wrap least)."""
    columns = list(zip(*rows, strict=True))
    least = [
        max(_text_width(word, points) for cell in column for word in (cell.split() or [""]))
        + 2 * CELL_MARGIN
        + CELL_SLACK
        for column in columns
    ]
    wants = [
        max(_text_width(cell, points) for cell in column) + 2 * CELL_MARGIN + CELL_SLACK for column in columns
    ]
    spare = total - sum(least)
    if spare <= 0:
        return least
    extra = [max(w - m, 0.0) for w, m in zip(wants, least, strict=True)]
    wanted = sum(extra)
    if wanted <= spare:  # every text fits on one line: the spare room goes to the last column
        widths = [m + e for m, e in zip(least, extra, strict=True)]
        widths[-1] += spare - wanted
        return widths
    return [m + spare * e / wanted for m, e in zip(least, extra, strict=True)]


class _Deck:
    """The deck being written: a designed 16:9 layout drawn in code on python-pptx's
    plain template, every run's font and size set explicitly."""

    def __init__(self, workshop: Workshop, pngs: Mapping[str, bytes]) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.workshop = workshop
        self.pngs = dict(pngs)
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)
        self.deck.core_properties.title = workshop.title
        self.deck.core_properties.author = "cxprio"
        self.footer = f"{workshop.catalogue.organisation.name} · {slide_date(workshop.date)}"

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.deck.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def write(frame: Any, lines: Sequence[str], points: float, *, bold: bool = False, colour: str = _INK,
              align: Any = None) -> None:  # fmt: skip
        """``lines`` as the paragraphs of a text frame, each one run in :data:`FONT` at ``points``."""
        from pptx.util import Pt

        frame.clear()
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            if align is not None:
                paragraph.alignment = align
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(points)
            run.font.name = FONT
            run.font.bold = bold
            run.font.color.rgb = _rgb(colour)

    def box(self, page: Any, left: float, top: float, width: float, height: float) -> Any:
        from pptx.util import Inches

        return page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame

    def rectangle(self, page: Any, left: float, top: float, width: float, height: float, colour: str) -> None:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        shape = page.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(colour)
        shape.line.fill.background()

    def title_slide(self, lines: Sequence[str]) -> None:
        from pptx.util import Inches

        page = self.deck.slides.add_slide(self.deck.slide_layouts[0])
        self.rectangle(page, 0, 0, 0.35, SLIDE_HEIGHT, _ACCENT)
        heading, subtitle = page.shapes.title, page.placeholders[1]
        heading.left, heading.top, heading.width, heading.height = (
            Inches(1.0),
            Inches(1.7),
            Inches(11.3),
            Inches(1.8),
        )
        self.write(heading.text_frame, [self.workshop.catalogue.organisation.name], 44, bold=True, colour=_ACCENT,
                   align=_left())  # fmt: skip
        heading.text_frame.vertical_anchor = _bottom()
        subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
            Inches(1.0),
            Inches(3.6),
            Inches(11.3),
            Inches(1.2),
        )
        self.write(subtitle.text_frame, ["Workshop pack", slide_date(self.workshop.date)], 28, align=_left())
        self.write(self.box(page, 1.0, 5.2, 11.3, 1.6), lines, FOOTER_PT + 2, colour=_MUTED)

    def slide(self, title: str) -> Any:
        """A new slide with ``title`` (its message), the footer and its number."""
        from pptx.util import Inches

        page = self.deck.slides.add_slide(self.deck.slide_layouts[5])
        heading = page.shapes.title
        heading.left, heading.top, heading.width, heading.height = (
            Inches(MARGIN), Inches(0.15), Inches(SLIDE_WIDTH - 2 * MARGIN), Inches(0.95)
        )  # fmt: skip
        # A long message a size or two smaller, so two lines still fit above the rule.
        size = TITLE_PT if len(title) <= 80 else TITLE_PT - 4 if len(title) <= 110 else TITLE_PT - 8
        self.write(heading.text_frame, [title], size, bold=True, colour=_ACCENT, align=_left())
        heading.text_frame.vertical_anchor = _middle()
        self.rectangle(page, MARGIN, 1.13, SLIDE_WIDTH - 2 * MARGIN, 0.03, _ACCENT)
        self.write(self.box(page, MARGIN, 7.0, 9.0, 0.4), [self.footer], FOOTER_PT, colour=_MUTED)
        number = self.box(page, SLIDE_WIDTH - MARGIN - 1.5, 7.0, 1.5, 0.4)
        self.write(number, [str(len(self.deck.slides))], FOOTER_PT, colour=_MUTED, align=_right())
        page.shapes[-1].name = "Slide number"
        return page

    def note(self, page: Any, lines: Sequence[str], top: float = BODY_TOP + 0.1) -> None:
        self.write(self.box(page, MARGIN + 0.1, top, SLIDE_WIDTH - 2 * MARGIN - 0.2, 1.0), lines, TEXT_PT)

    def table(self, page: Any, frame: pd.DataFrame, columns: Mapping[str, str], *, top: float = BODY_TOP,
              numbers: Sequence[str] = ()) -> None:  # fmt: skip
        """``frame``'s ``columns`` as a table under the title, headed by the columns' plain
        names, at :data:`TABLE_PT` with no word broken (see :func:`column_widths`)."""
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Inches

        header = list(columns.values())
        body = [
            [_slide_value(v) for v in row] for row in frame[list(columns)].itertuples(index=False, name=None)
        ]
        total = SLIDE_WIDTH - 2 * MARGIN
        widths = column_widths([header, *body], total, TABLE_PT)
        shape = page.shapes.add_table(
            len(body) + 1, len(columns), Inches(MARGIN), Inches(top), Inches(sum(widths)), Inches(0.4 * (len(body) + 1))
        )  # fmt: skip
        grid = shape.table
        for position, width in enumerate(widths):
            grid.columns[position].width = Inches(width)
        for row, values in enumerate([header, *body]):
            grid.rows[row].height = Inches(0.4)
            for position, (column, value) in enumerate(zip(columns, values, strict=True)):
                cell = grid.cell(row, position)
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(_ACCENT if row == 0 else _BAND if row % 2 == 0 else _WHITE)
                align = PP_ALIGN.RIGHT if column in numbers else PP_ALIGN.LEFT
                self.write(cell.text_frame, [value], TABLE_PT, bold=row == 0, colour=_WHITE if row == 0 else _INK,
                           align=align)  # fmt: skip

    def picture(self, page: Any, name: str, *, left: float = MARGIN, width: float = SLIDE_WIDTH - 2 * MARGIN,
                top: float = BODY_TOP) -> bool:  # fmt: skip
        """The chart ``name`` centred in the box given, at its own size or larger (never
        smaller, so its text stays readable); ``False``, and nothing placed, when it does
        not fit."""
        from PIL import Image
        from pptx.util import Inches

        data = self.pngs[name]
        with Image.open(io.BytesIO(data)) as image:
            natural_w, natural_h = (side / PNG_SCALE / PX_PER_INCH for side in image.size)
        height = BODY_BOTTOM - top
        scale = min(width / natural_w, height / natural_h, 1.5)
        if scale < 1:
            return False
        shown_w, shown_h = natural_w * scale, natural_h * scale
        page.shapes.add_picture(
            io.BytesIO(data), Inches(left + (width - shown_w) / 2), Inches(top), Inches(shown_w), Inches(shown_h)
        )  # fmt: skip
        return True


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return cast(Any, RGBColor)(*bytes.fromhex(hex_colour))


def _left() -> Any:
    from pptx.enum.text import PP_ALIGN

    return PP_ALIGN.LEFT


def _right() -> Any:
    from pptx.enum.text import PP_ALIGN

    return PP_ALIGN.RIGHT


def _middle() -> Any:
    from pptx.enum.text import MSO_ANCHOR

    return MSO_ANCHOR.MIDDLE


def _bottom() -> Any:
    from pptx.enum.text import MSO_ANCHOR

    return MSO_ANCHOR.BOTTOM


def _slide_value(value: Any) -> str:
    """A table value as people write it: ``73``, ``320,000``, ``Distinct``; blank for nothing."""
    plain = _cell(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "Yes" if plain else "No"
    if isinstance(plain, float):
        return f"{plain:,.0f}"
    if isinstance(plain, int):
        return f"{plain:,}"
    return str(plain)


def _round_name(record: RoundRecord) -> str:
    """A round as a slide names it: by its title, as the room knew it."""
    return f"Round “{record.round.title}”" if record.round.title else "The workshop round"


def _count(number: int, thing: str, things: str | None = None) -> str:
    return f"{number:,} {thing if number == 1 else things or thing + 's'}"


def pptx(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """A deck a leader can present as it is: a title slide, then one message per slide as
    its title: the top 10 with their ranges, the ambition board, priority against
    ambition, the value map, the unowned seams and where seam risk sits, the decisions to
    fix, the quarter's movement (with history) and a closed round's results (with one)."""
    say = progress or _quiet
    say(0.3, "Drawing the charts as pictures")
    pngs = dict(_rendered(workshop, "png"))
    say(0.8, "Writing the slides")
    deck = _Deck(workshop, pngs)
    catalogue = workshop.catalogue
    deck.title_slide(
        [
            f"{_count(len(catalogue.experiences), 'experience')} and {_count(len(catalogue.teams), 'team')}, "
            f"from the catalogue {workshop.source}",
            f"Weights: {weights_words(workshop.weights)}",
        ]
    )

    top = workshop.top(TOP)
    # Stability is measured for the top N (10, or a quarter of a small catalogue): said of it.
    held = top.head(workshop.top_n)["stable_top_n"].fillna(False).astype(bool)
    if workshop.top_n == 1:
        said = "and stays first as the weights wobble" if bool(held.iloc[0]) else "but may not stay first"
    else:
        said = f"{int(held.sum())} of the top {workshop.top_n} stay there as the weights wobble"
    page = deck.slide(
        f"{top.iloc[0]['name']} leads; {said}"
        if workshop.top_n != 1
        else f"{top.iloc[0]['name']} leads {said}"
    )
    deck.table(
        page,
        top,
        {"rank": "Rank", "name": "Experience", "priority": "Priority", "range": "Rank range", "ambition": "Ambition"},
        numbers=("rank", "priority"),
    )  # fmt: skip
    deck.write(
        deck.box(page, MARGIN, 6.4, SLIDE_WIDTH - 2 * MARGIN, 0.5),
        [f"Stable: in the top {workshop.top_n} in at least 9 of 10 weightings near the chosen one. "
         "Rank range: the 5th to 95th percentile rank as the weights wobble."],
        FOOTER_PT,
        colour=_MUTED,
    )  # fmt: skip

    tiers = workshop.ambition.tiers
    over = [t for t in tiers if t.over_limit]
    uncompetitive = next((t for t in tiers if t.tier.label == "Uncompetitive"), None)
    if over:
        message = "; ".join(f"{t.tier.label} is over its limit, at {t.share:.0%}" for t in over)
    elif uncompetitive is not None and uncompetitive.count == 0:
        message = "Every tier is within its limit, but nothing is chosen as Uncompetitive"
    else:
        message = "Every ambition tier is within its limit"
    page = deck.slide(message)
    deck.picture(page, "ambition-tiers", left=MARGIN, width=7.6)
    lines = []
    for share in tiers:
        limit = f", limit {share.limit:.0%}" if share.limit is not None else ""
        lines.append(f"{share.tier.label}: {share.count:,} ({share.share:.0%}{limit})"
                     + (" over the limit" if share.over_limit else ""))  # fmt: skip
    deck.write(deck.box(page, 8.4, BODY_TOP + 0.3, SLIDE_WIDTH - 8.4 - MARGIN, 4.5), lines, TEXT_PT)

    findings = workshop.ambition.findings
    high_low = sum(1 for f in findings if f.code == "UNCOMPETITIVE_HIGH_PRIORITY")
    low_high = sum(1 for f in findings if f.code == "UNIQUE_LOW_PRIORITY")
    if high_low or low_high:
        parts = (
            [f"{_count(high_low, 'high priority', 'high priorities')} chosen Uncompetitive"]
            if high_low
            else []
        ) + (
            [f"{_count(low_high, 'low priority', 'low priorities')} aiming to be Unique"] if low_high else []
        )
        message = "; ".join(parts)
    else:
        message = "Ambition follows priority: no high priority aims low, no low one aims to be Unique"
    page = deck.slide(message)
    if not deck.picture(page, "priority-ambition"):
        from cxprio.outputs import charts

        # Fewer names stack fewer lines in a tier's row: the chart then fits at its size.
        points = charts.ambition_points(workshop.scores.table)
        for named in (SLIDE_NAMED, 3):
            deck.pngs["priority-ambition-slide"] = png(
                charts.readable(charts.priority_ambition(points, named=named).properties(width=900))
            )
            if deck.picture(page, "priority-ambition-slide"):
                break
        else:
            deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    table = workshop.scores.table
    customers = str(table.sort_values("customer_value", ascending=False, kind="stable")["name"].iloc[0])
    business = str(table.sort_values("business_value", ascending=False, kind="stable")["name"].iloc[0])
    page = deck.slide(
        f"{customers} matters most to customers, {business} to the business"
        if customers != business
        else f"{customers} matters most to customers and to the business"
    )
    if not deck.picture(page, "value-map"):
        deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    unowned = workshop.unowned_seams()
    if len(unowned):
        first = unowned.iloc[0]
        page = deck.slide(
            f"{_count(len(unowned), 'handoff')} between teams {'has' if len(unowned) == 1 else 'have'} no owner; "
            f"the riskiest is in {first['experience_name']}"
        )
        deck.table(
            page,
            unowned.head(TOP),
            {"experience_name": "Experience", "from_team_name": "From team", "to_team_name": "To team", "risk": "Risk"},
            numbers=("risk",),
        )  # fmt: skip
    else:
        deck.note(deck.slide("Every handoff between teams has an owner"), ["No unowned seams."])

    heat = _heat(workshop)
    if "seam-risk" in pngs and len(heat):
        worst = heat.iloc[0]
        page = deck.slide(
            f"Most seam risk sits where {worst['from_name']} hands customers to {worst['to_name']}"
        )
        if not deck.picture(page, "seam-risk"):
            from cxprio.outputs import charts

            deck.pngs["seam-risk-slide"] = png(
                charts.readable(charts.seam_heatmap(heat, limit=SLIDE_HEAT_TEAMS))
            )
            if not deck.picture(page, "seam-risk-slide"):
                deck.note(page, ["The heatmap is in the HTML report and the charts of this pack."])

    decisions = workshop.ownership.decision_findings
    if decisions:
        names = {e.id: e.name for e in catalogue.experiences}
        kinds = pd.Series([f.title for f in decisions]).value_counts()
        page = deck.slide(
            f"{_count(len(decisions), 'decision-rights defect')} to fix; the commonest: {kinds.index[0].lower()}"
        )
        frame = pd.DataFrame(
            {
                "experience": [names.get(f.experience or "", "") for f in decisions[:TOP]],
                "decision": [f.decision or "" for f in decisions[:TOP]],
                "title": [f.title for f in decisions[:TOP]],
                "action": [f.action for f in decisions[:TOP]],
            }
        )
        deck.table(page, frame, {"experience": "Experience", "decision": "Decision", "title": "What is wrong",
                                 "action": "What to do"})  # fmt: skip
    elif any(e.decisions for e in catalogue.experiences):
        deck.note(deck.slide("Every decision has one team that decides and one that does the work"),
                  ["No decision-rights defects."])  # fmt: skip
    else:
        deck.note(deck.slide("No decision rights recorded yet"),
                  ["Add the decisions of each experience, and who decides them, to the catalogue."])  # fmt: skip

    if workshop.history is not None:
        history = workshop.history
        comparison = history.comparison
        parts = []
        if len(comparison.risers):
            parts.append(f"{comparison.risers.iloc[0]['name']} rose most")
        if len(comparison.fallers):
            parts.append(f"{comparison.fallers.iloc[0]['name']} fell most")
        page = deck.slide(
            f"Since {history.then}: " + (" and ".join(parts) if parts else "no experience changed rank")
        )
        if not deck.picture(page, "rank-movement"):
            deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    if workshop.round is not None:
        _round_slides(deck, workshop.round)
    return _steady_zip(deck.save())


def _round_slides(deck: _Deck, record: RoundRecord) -> None:
    """The round's results: where the room disagreed, every score, and what it agreed."""
    results = record.results
    if len(results):
        widest = results.iloc[0]
        page = deck.slide(
            f"{_round_name(record)}: {record.participants} people scored; "
            f"they disagreed most on {widest['experience']}, {str(widest['criterion']).split(' (')[0].lower()}"
        )
        deck.table(
            page,
            results.head(TOP),
            {"experience": "Experience", "criterion": "Criterion", "n": "Scores", "median": "Median",
             "range": "Range or votes", "disagreement": "Disagreement"},
            numbers=("n", "disagreement"),
        )  # fmt: skip
    else:
        deck.note(deck.slide(f"{_round_name(record)}: nobody scored"), [record.about()])
    if "round-scores" in deck.pngs:
        page = deck.slide(f"{_round_name(record)}: every score, and where today's value stands")
        if not deck.picture(page, "round-scores"):
            deck.note(page, ["Every score is in the HTML report and the charts of this pack."])
    accepted = record.accepted
    page = deck.slide(
        f"{_round_name(record)}: the room agreed {_count(len(accepted), 'change')} to the catalogue"
        if len(accepted)
        else f"{_round_name(record)}: no value in the catalogue changed"
    )
    if len(accepted):
        deck.table(
            page, accepted.head(TOP), {"experience": "Experience", "what": "What", "was": "Was", "now": "Now"}
        )
    deck.write(deck.box(page, MARGIN, 6.2, SLIDE_WIDTH - 2 * MARGIN, 0.7), [record.about()], FOOTER_PT,
               colour=_MUTED)  # fmt: skip


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
