"""What every chart shares: colours, sizes, and text readable from the back of a room (:func:`readable`)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import altair as alt

from cxprio.catalogue.model import Tier
from cxprio.units import NO_AMBITION as NO_AMBITION

LEVEL_COLOURS = {"trigger": "#1f4e79", "journey": "#2a9d8f", "moment": "#e76f51"}
TIER_COLOURS = {
    "Unique": "#1f4e79",
    "Distinct": "#2f7ebc",
    "Competitive": "#8aa9c4",
    "Uncompetitive": "#c7ccd3",
}
SCATTER_COLUMNS = ("name", "level", "rank", "priority", "customer_value", "business_value", "reach")
POINT_LIMIT = 1000
"""Experiences drawn one circle each; above this, the priority-ambition chart counts them
in bands of :data:`BAND_WIDTH` priority points, and the value map draws the highest."""
BAND_WIDTH = 5.0
TIER_ORDER = [t.label for t in Tier] + [NO_AMBITION]
MOVEMENT_COLOURS = {"rose": "#16a34a", "held": "#64748b", "fell": "#dc2626"}

LABELLED = 10
"""Experiences named on the value map and the ambition chart: the top ten by rank."""
LABEL_LIMIT = 260
"""The widest a name on a chart may run, in pixels, before it ends in an ellipsis."""
SLOPE_LABEL_LIMIT = 380
"""Pixels for a name beside the slope chart, where each has a row to itself: room for a
name of about 50 characters, whole."""
HEATMAP_TEAMS = 30
"""Teams on the seam heatmap: the riskiest, when there are more."""
HEAT_STEP = 22
"""Pixels per team on the seam heatmap: room for a label at :data:`MIN_TEXT` on each."""
MIN_TEXT = 14
"""The smallest text on any chart, in pixels at its drawn size: read from the back of a room."""
READABLE: dict[str, Any] = {
    "axis": {"labelFontSize": MIN_TEXT, "titleFontSize": 15},
    "legend": {"labelFontSize": MIN_TEXT, "titleFontSize": 15, "titleLimit": 320},
    "header": {"labelFontSize": MIN_TEXT, "titleFontSize": 15},
    "title": {"fontSize": 17, "subtitleFontSize": 15},
    "text": {"fontSize": MIN_TEXT},
}
"""Chart text a size up from Vega-Lite's, for the back of a room with a projector: no
text under :data:`MIN_TEXT` pixels."""

ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart, alt.VConcatChart)


def level_colour(title: str = "Level") -> alt.Color:
    """The same colour for each level on every chart, its legend in words ("Journey")."""
    return alt.Color(
        "level:N",
        title=title,
        scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values())),
        legend=alt.Legend(labelExpr="upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)"),
    )


def readable(chart: ChartT) -> ChartT:
    """The chart with :data:`READABLE` text sizes (a configured copy, of the same kind),
    any text mark set smaller than :data:`MIN_TEXT` raised to it."""
    if _small_text(chart):
        chart = chart.copy(deep=True)
        _raise_text(chart)
    configured = (
        chart.configure_axis(**READABLE["axis"])
        .configure_legend(**READABLE["legend"])
        .configure_header(**READABLE["header"])
        .configure_title(**READABLE["title"])
        .configure_text(**READABLE["text"])
    )
    return cast(ChartT, configured)


def _parts(chart: Any) -> list[Any]:
    """The chart and every chart layered or concatenated inside it."""
    found = [chart]
    for key in ("layer", "vconcat", "hconcat", "concat"):
        inner: Any = getattr(chart, key, alt.Undefined)
        if inner is not alt.Undefined:
            for part in inner:
                found += _parts(part)
    return found


def _small_text(chart: Any) -> bool:
    for part in _parts(chart):
        mark = getattr(part, "mark", alt.Undefined)
        size = getattr(mark, "fontSize", alt.Undefined) if isinstance(mark, alt.MarkDef) else alt.Undefined
        if isinstance(size, (int, float)) and size < MIN_TEXT:
            return True
    return False


def _raise_text(chart: Any) -> None:
    for part in _parts(chart):
        mark = getattr(part, "mark", alt.Undefined)
        if isinstance(mark, alt.MarkDef):
            size = mark.fontSize
            if isinstance(size, (int, float)) and size < MIN_TEXT:
                mark.fontSize = MIN_TEXT


VALUE_MAP_HEIGHT = 460
LABEL_GAP = 20
"""Pixels between two labels' baselines on a chart that stacks them: no two names touch."""
SLOPE_ROW = LABEL_GAP + 2
"""Pixels per rank row on the slope chart."""
INK = "#1f2937"
LEADER = "#94a3b8"
