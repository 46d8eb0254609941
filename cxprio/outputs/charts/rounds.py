"""A workshop round's chart: every participant's score as a dot, the median and today's value marked."""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd

from cxprio.outputs.charts.common import MIN_TEXT

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
        count = people.mark_text(color="white", fontWeight="bold", fontSize=MIN_TEXT).encode(text="count:Q")
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
