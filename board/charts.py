"""Chart parts the pages share: one colour per level, and the value map's spec."""

from __future__ import annotations

import functools
from typing import Any, TypeVar, cast

import altair as alt

LEVEL_COLOURS = {"trigger": "#1f4e79", "journey": "#2a9d8f", "moment": "#e76f51"}
SCATTER_COLUMNS = ("name", "level", "rank", "priority", "customer_value", "business_value", "reach")


def level_colour(title: str = "Level") -> alt.Color:
    """The same colour for each level on every chart."""
    return alt.Color(
        "level:N",
        title=title,
        scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values())),
    )


READABLE: dict[str, Any] = {
    "axis": {"labelFontSize": 14, "titleFontSize": 15},
    "legend": {"labelFontSize": 14, "titleFontSize": 15},
    "title": {"fontSize": 17},
}
"""Chart text a size up from Vega-Lite's, for the back of a room with a projector."""


ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart)


def readable(chart: ChartT) -> ChartT:
    """The chart with :data:`READABLE` text sizes (a configured copy, of the same kind)."""
    configured = (
        chart.configure_axis(**READABLE["axis"])
        .configure_legend(**READABLE["legend"])
        .configure_title(**READABLE["title"])
    )
    return cast(ChartT, configured)


@functools.cache
def scatter_spec() -> dict[str, object]:
    """The Priorities value map as a Vega-Lite spec without data, built and validated by
    Altair once per process: only the data changes from run to run."""
    chart = (
        alt.Chart()
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("customer_value:Q", title="Customer value (0-100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("business_value:Q", title="Business value (0-100)", scale=alt.Scale(domain=[0, 100])),
            size=alt.Size("reach:Q", title="Reach (customers a year)", scale=alt.Scale(range=[40, 900])),
            color=level_colour(),
            tooltip=[
                alt.Tooltip("name:N", title="Experience"),
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("priority:Q", title="Priority", format=".1f"),
                alt.Tooltip("customer_value:Q", title="Customer value", format=".1f"),
                alt.Tooltip("business_value:Q", title="Business value", format=".1f"),
                alt.Tooltip("reach:Q", title="Reach", format=","),
            ],
        )
        .properties(title="Top right: valuable to customers and to the business", height=460)
    )
    spec: dict[str, object] = chart.to_dict(validate=True)
    for key in ("data", "datasets", "$schema"):
        spec.pop(key, None)
    spec["config"] = READABLE
    return spec
