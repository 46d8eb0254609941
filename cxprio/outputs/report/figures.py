"""The pack's charts: which ones it holds, configured for reading at a distance, and
rendered to SVG and PNG by ``vl-convert-python``, which needs no browser.

Altair is imported when a chart is drawn, not when this module is: a command that only
reads a catalogue starts faster.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from cxprio.method.ownership import (
    team_pair_risk,
)
from cxprio.outputs.report.pack import (
    MOVERS_SHOWN,
    TOP,
    History,
    Workshop,
)
from cxprio.outputs.tables import tier_table

if TYPE_CHECKING:
    import altair as alt


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
    heat = seam_heat(workshop)
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


def seam_heat(workshop: Workshop) -> pd.DataFrame:
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


def rendered(workshop: Workshop, kind: str) -> dict[str, Any]:
    """Every chart of :func:`chart_specs` by file stem, as SVG text (``kind`` ``svg``) or
    PNG bytes (``png``): drawn once per workshop, however many formats use them."""
    key = f"rendered-{kind}"
    if key not in workshop._cache:
        specs = chart_specs(workshop)
        if kind == "svg":
            workshop._cache[key] = {name: stable_ids(svg(chart), name) for name, chart in specs.items()}
        else:
            workshop._cache[key] = {name: png(chart) for name, chart in specs.items()}
    found: dict[str, Any] = workshop._cache[key]
    return found
