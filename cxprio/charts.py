"""The board's charts as Altair specifications, shared by the pages and the workshop pack.

Pure Altair and pandas (no streamlit): a page draws these charts, and
:mod:`cxprio.report` renders the same ones to SVG and PNG, so a chart in a report or on
a slide is the chart the room saw. Each function takes the table it draws and returns an
unconfigured chart; :func:`readable` sets the text sizes for a projector.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar, cast

import altair as alt
import pandas as pd

from .model import Level, Tier
from .tables import priority_bands

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
TIER_ORDER = [t.label for t in Tier] + ["None"]
MOVEMENT_COLOURS = {"rose": "#16a34a", "held": "#94a3b8", "fell": "#dc2626"}

READABLE: dict[str, Any] = {
    "axis": {"labelFontSize": 14, "titleFontSize": 15},
    "legend": {"labelFontSize": 14, "titleFontSize": 15},
    "title": {"fontSize": 17},
}
"""Chart text a size up from Vega-Lite's, for the back of a room with a projector."""

ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart, alt.VConcatChart)


def level_colour(title: str = "Level") -> alt.Color:
    """The same colour for each level on every chart."""
    return alt.Color(
        "level:N",
        title=title,
        scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values())),
    )


def readable(chart: ChartT) -> ChartT:
    """The chart with :data:`READABLE` text sizes (a configured copy, of the same kind)."""
    configured = (
        chart.configure_axis(**READABLE["axis"])
        .configure_legend(**READABLE["legend"])
        .configure_title(**READABLE["title"])
    )
    return cast(ChartT, configured)


def _value_map(data: Any) -> alt.Chart:
    chart = (
        alt.Chart(data)
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
    return cast(alt.Chart, chart)


@functools.cache
def scatter_spec() -> dict[str, object]:
    """The value map as a Vega-Lite spec without data, built and validated by Altair once
    per process: on the board only the data changes from run to run."""
    spec: dict[str, object] = _value_map(alt.Undefined).to_dict(validate=True)
    for key in ("data", "datasets", "$schema"):
        spec.pop(key, None)
    spec["config"] = READABLE
    return spec


def value_map(ranked: pd.DataFrame, limit: int = POINT_LIMIT) -> alt.Chart:
    """Customer value against business value, sized by reach, for the ``limit`` highest
    priorities of a ranked table (:func:`cxprio.scoring.rank`)."""
    return _value_map(ranked.head(limit)[list(SCATTER_COLUMNS)])


def tier_shares(tiers: pd.DataFrame) -> alt.LayerChart:
    """Each ambition tier's share of experiences, with its limit as a red tick
    (``tiers`` as :func:`cxprio.tables.tier_table` builds it)."""
    order = [t.label for t in Tier]
    bars = (
        alt.Chart(tiers)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of experiences with an ambition", axis=alt.Axis(format="%")),
            y=alt.Y("tier:N", title="Ambition tier", sort=order),
            color=alt.Color(
                "tier:N",
                scale=alt.Scale(domain=list(TIER_COLOURS), range=list(TIER_COLOURS.values())),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("tier:N", title="Tier"),
                alt.Tooltip("count:Q", title="Experiences"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
                alt.Tooltip("limit:Q", title="Limit", format=".0%"),
            ],
        )
    )
    limits = (
        alt.Chart(tiers.dropna(subset=["limit"]))
        .mark_tick(color="#dc2626", thickness=3, size=34)
        .encode(
            x="limit:Q",
            y=alt.Y("tier:N", sort=order),
            tooltip=[alt.Tooltip("limit:Q", title="Limit", format=".0%")],
        )
    )
    layered = (bars + limits).properties(title="Red ticks mark each tier's limit", height=220)
    return cast(alt.LayerChart, layered)


def ambition_points(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked experiences with a priority, and ``tier``: the ambition's label or "None"."""
    points = ranked.dropna(subset=["priority"])
    return points.assign(tier=points["ambition"].fillna("none").str.capitalize())


def priority_ambition(points: pd.DataFrame, limit: int = POINT_LIMIT) -> alt.Chart:
    """Priority against ambition tier (``points`` from :func:`ambition_points`): one circle
    per experience up to ``limit`` of them, else one per band of priority and level."""
    title = "High priorities should not sit low, nor low priorities high"
    if len(points) <= limit:
        chart = (
            alt.Chart(points[["name", "rank", "priority", "tier", "level"]])
            .mark_circle(size=120, opacity=0.8)
            .encode(
                x=alt.X("priority:Q", title="Priority (0-100)", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y("tier:N", title="Ambition tier", sort=TIER_ORDER),
                color=level_colour(),
                tooltip=[
                    alt.Tooltip("name:N", title="Experience"),
                    alt.Tooltip("rank:Q", title="Rank"),
                    alt.Tooltip("priority:Q", title="Priority", format=".1f"),
                    alt.Tooltip("tier:N", title="Ambition"),
                ],
            )
        )
    else:
        chart = (
            alt.Chart(priority_bands(points, BAND_WIDTH))
            .mark_circle(opacity=0.8)
            .encode(
                x=alt.X("middle:Q", title="Priority (0-100)", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y("tier:N", title="Ambition tier", sort=TIER_ORDER),
                yOffset=alt.YOffset("level:N", sort=[lv.value for lv in Level]),
                size=alt.Size("experiences:Q", title="Experiences", scale=alt.Scale(range=[30, 900])),
                color=level_colour(),
                tooltip=[
                    alt.Tooltip("tier:N", title="Ambition"),
                    alt.Tooltip("level:N", title="Level"),
                    alt.Tooltip("low:Q", title="Priority from", format=".0f"),
                    alt.Tooltip("high:Q", title="up to", format=".0f"),
                    alt.Tooltip("experiences:Q", title="Experiences"),
                ],
            )
        )
    return cast(alt.Chart, chart.properties(title=title, height=260))


def rank_ranges(top: pd.DataFrame) -> alt.LayerChart:
    """The top priorities with their rank ranges: a bar from the 5th to the 95th
    percentile rank and a dot at today's rank. ``top`` has ``name, rank, rank_p5,
    rank_p95``, best first."""
    order = list(top["name"])
    base = alt.Chart(top).encode(
        y=alt.Y("name:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
        tooltip=[
            alt.Tooltip("name:N", title="Experience"),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("rank_p5:Q", title="Rank range from"),
            alt.Tooltip("rank_p95:Q", title="to"),
        ],
    )
    bars = base.mark_bar(color="#93c5fd", height=14).encode(
        x=alt.X("rank_p5:Q", title="Rank (5th to 95th percentile when the weights wobble)"),
        x2="rank_p95:Q",
    )
    dots = base.mark_circle(color="#1f4e79", size=110, opacity=1).encode(x="rank:Q")
    layered = (bars + dots).properties(
        title="Today's rank, and how far it moves", height=28 * max(len(top), 3)
    )
    return cast(alt.LayerChart, layered)


def seam_heatmap(heat: pd.DataFrame) -> alt.Chart:
    """Summed seam risk from one team to another (``heat`` has ``from_name, to_name,
    seams, unowned, risk``)."""
    chart = (
        alt.Chart(heat)
        .mark_rect()
        .encode(
            x=alt.X(
                "to_name:N",
                title="Hands the customer to",
                axis=alt.Axis(labelAngle=-35, labelLimit=200, labelOverlap=False),
            ),
            y=alt.Y("from_name:N", title="Team handing over", axis=alt.Axis(labelLimit=220)),
            color=alt.Color("risk:Q", title="Risk", scale=alt.Scale(scheme="reds")),
            tooltip=[
                alt.Tooltip("from_name:N", title="From"),
                alt.Tooltip("to_name:N", title="To"),
                alt.Tooltip("seams:Q", title="Seams"),
                alt.Tooltip("unowned:Q", title="Unowned"),
                alt.Tooltip("risk:Q", title="Risk", format=".0f"),
            ],
        )
        .properties(title="Summed risk of the seams from one team to another", height=480)
    )
    return cast(alt.Chart, chart)


def slope_points(slope: pd.DataFrame, then: str, now: str) -> pd.DataFrame:
    """Two points per experience of a quarter comparison's movement rows (``rank_then,
    rank_now, rise``), one per quarter, with the ``direction`` it moved."""
    return pd.concat(
        [
            slope.assign(quarter=then, rank=slope["rank_then"]),
            slope.assign(quarter=now, rank=slope["rank_now"]),
        ]
    ).assign(direction=lambda p: p["rise"].map(lambda r: "rose" if r > 0 else "fell" if r < 0 else "held"))


def rank_movement(points: pd.DataFrame, then: str, now: str, title: str) -> alt.Chart:
    """Rank in ``then`` and ``now``, one line per experience (``points`` from
    :func:`slope_points`), green where it rose and red where it fell."""
    chart = (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:N", title=None, sort=[then, now], axis=alt.Axis(labelAngle=0)),
            y=alt.Y("rank:Q", title="Rank", scale=alt.Scale(reverse=True, zero=False, nice=False)),
            detail="id:N",
            color=alt.Color(
                "direction:N",
                title="Since then",
                scale=alt.Scale(domain=list(MOVEMENT_COLOURS), range=list(MOVEMENT_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Experience"),
                alt.Tooltip("rank_then:Q", title=f"Rank {then}"),
                alt.Tooltip("rank_now:Q", title=f"Rank {now}"),
                alt.Tooltip("why:N", title="Why (recorded changes)"),
            ],
        )
        .properties(height=460, title=title)
    )
    return cast(alt.Chart, chart)


DOT_COLOUR = "#2f7ebc"
MEDIAN_COLOUR = "#0b2545"
TODAY_COLOUR = "#e76f51"
TIER_AXIS = "['Uncompetitive', 'Competitive', 'Distinct', 'Unique'][datum.value]"
"""Labels for a tier vote's axis, where each tier stands at its strength (0 to 3)."""


def score_dots(dots: pd.DataFrame, marks: pd.DataFrame, *, width: int = 420) -> alt.VConcatChart:
    """A workshop round's scores as anonymous dots: one row per experience and criterion
    (in the order of ``marks``, widest disagreement first), one dot per value given,
    as big as the number of people who gave it and with that number on it, a bar at the
    median and a diamond at today's value; one panel per criterion, on its own axis.

    ``dots`` has ``label, panel, x, count``; ``marks`` has ``label, panel, axis, median,
    today`` (``today`` empty where there is none), where ``axis`` is ``judgement``
    (1-5), ``tier`` (0 Uncompetitive to 3 Unique), ``log`` or ``linear`` (a fact, on
    its measure's kind of scale). Each panel's title is its ``panel``; ``width`` is each
    panel's plotting width in pixels, beside its row labels."""
    most = int(dots["count"].max()) if len(dots) else 1
    panels = []
    for panel in dict.fromkeys(marks["panel"]):
        rows = marks[marks["panel"] == panel]
        points = dots[dots["panel"] == panel]
        axis = str(rows["axis"].iloc[0])
        order = list(rows["label"])
        if axis == "judgement":
            x_scale = alt.Scale(domain=[0.7, 5.3], nice=False)
            x_axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", grid=True)
        elif axis == "tier":
            x_scale = alt.Scale(domain=[-0.4, 3.4], nice=False)
            x_axis = alt.Axis(
                values=[0, 1, 2, 3], labelExpr=TIER_AXIS, grid=True, labelAngle=-20, labelOverlap=False
            )
        else:
            values = [*points["x"], *rows["today"].dropna()]
            low, high = min(values), max(values)
            if axis == "log":
                low = max(low, 1e-9)
                x_scale = alt.Scale(type="log", domain=[low / 1.6, high * 1.6], nice=False)
            else:
                pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
                x_scale = alt.Scale(domain=[low - pad, high + pad], nice=False, zero=False)
            x_axis = alt.Axis(format="~s", grid=True, tickCount=5)
        y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=220, labelOverlap=False))
        x = alt.X("x:Q", title=None, scale=x_scale, axis=x_axis)
        size = alt.Size("count:Q", scale=alt.Scale(domain=[1, max(most, 2)], range=[160, 760]), legend=None)
        people = alt.Chart(points).encode(
            y=y,
            x=x,
            tooltip=[alt.Tooltip("label:N", title="Scored"), alt.Tooltip("count:Q", title="People")],
        )
        dot = people.mark_circle(color=DOT_COLOUR, opacity=0.9).encode(size=size)
        count = people.mark_text(color="white", fontWeight="bold", fontSize=13).encode(text="count:Q")
        median = (
            alt.Chart(rows)
            .mark_tick(color=MEDIAN_COLOUR, thickness=3, size=30)
            .encode(y=y, x=alt.X("median:Q", scale=x_scale, axis=x_axis, title=None))
        )
        layers: list[Any] = []
        today = rows.dropna(subset=["today"])
        if len(today):  # underneath, so it never hides a count
            layers.append(
                alt.Chart(today)
                .mark_point(shape="diamond", filled=False, color=TODAY_COLOUR, strokeWidth=2.5, size=420)
                .encode(y=y, x=alt.X("today:Q", scale=x_scale, axis=x_axis, title=None))
            )
        layers += [median, dot, count]
        panels.append(alt.layer(*layers).properties(title=str(panel), height=alt.Step(32), width=width))
    chart = alt.vconcat(*panels, spacing=14).resolve_scale(x="independent", y="independent", size="shared")
    return cast(alt.VConcatChart, chart)
