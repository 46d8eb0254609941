"""The pack's HTML report: self-contained (charts inline as SVG, no external reference),
laid out for A4 paper and for a phone."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxprio import __version__
from cxprio.catalogue.model import Catalogue
from cxprio.method.findings import Finding
from cxprio.outputs.report.figures import rendered
from cxprio.outputs.report.files import plain_value
from cxprio.outputs.report.pack import (
    LISTED,
    REPORT_TOP,
    TOP,
    History,
    Progress,
    Workshop,
    quiet,
)
from cxprio.outputs.tables import findings_table
from cxprio.units import weights_words

if TYPE_CHECKING:
    from cxprio.outputs.rounds import RoundRecord

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
            shown = (
                _number(value) if column in numbers else _e(plain_value(value) if value is not None else "")
            )
            cells.append(f"<td{' class=n' if column in numbers else ''}>{shown}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _number(value: Any) -> str:
    plain = plain_value(value)
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
    say = progress or quiet
    say(0.3, "Drawing the charts")
    svgs = rendered(workshop, "svg")
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
        "chosen ones and each value by its evidence (a guess most). A narrow range is a rank the room "
        "can rely on.</p>")  # fmt: skip
    add(
        _html_table(
            top,
            {"rank": "Rank", "range": "Rank range", "name": "Experience", "level": "Level",
             "priority": "Priority", "ambition": "Ambition"},
            numbers=("rank", "priority"),
        )
    )  # fmt: skip
    add(_figure(svgs["top-priorities"], f"The top {TOP}: today's rank, and how far it moves."))
    add(_findings_html(workshop.evidence, "Top priorities resting on guesses", catalogue))
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

    add('<section id="maturity"><h2>The maturity arc</h2>')
    add("<p class=note>1 siloed touchpoints: a step has no team, or nobody owns the whole experience; "
        "2 mapped journey: every step has a team and an end-to-end owner; 3 coordinated handoffs: and "
        "every handoff is owned; 4 predictive personalisation: and a step adapts to the customer.</p>")  # fmt: skip
    add(_html_table(workshop.rung_summary(LISTED),
                    {"rung": "Rung", "rung_name": "Maturity", "count": "Experiences", "examples": "Which"},
                    numbers=("rung", "count")))  # fmt: skip
    if unstepped := workshop.without_steps():
        add(f"<p class=note>{unstepped:,} experience{'s have' if unstepped != 1 else ' has'} no steps, "
            "and so no rung.</p>")  # fmt: skip
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
