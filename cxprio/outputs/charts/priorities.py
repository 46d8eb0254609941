"""Charts of priority: the value map (customer against business value), the tiers' shares, priority against ambition, and the top's rank ranges."""

from __future__ import annotations

import functools
from typing import Any, Literal, cast

import altair as alt
import pandas as pd

from cxprio.catalogue.model import Level, Tier
from cxprio.outputs.charts.common import (
    BAND_WIDTH,
    INK,
    LABEL_GAP,
    LABEL_LIMIT,
    LABELLED,
    LEADER,
    MIN_TEXT,
    POINT_LIMIT,
    READABLE,
    SCATTER_COLUMNS,
    TIER_COLOURS,
    TIER_ORDER,
    VALUE_MAP_HEIGHT,
    level_colour,
)
from cxprio.outputs.tables import priority_bands
from cxprio.units import tier_words


def _value_map(data: Any) -> alt.LayerChart:
    customer = alt.X("customer_value:Q", title="Customer value (0-100)", scale=alt.Scale(domain=[0, 100]))
    business = alt.Y("business_value:Q", title="Business value (0-100)", scale=alt.Scale(domain=[0, 100]))
    dots = (
        alt.Chart(data)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            x=customer,
            y=business,
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
    )
    # The top names, each at its dot's height or pushed down just enough that no two
    # labels touch: label i sits at min over j <= i of (value_j - (i - j) * gap), the
    # running minimum of value_j + j * gap, less i * gap (best business value first).
    gap = 100 * LABEL_GAP / VALUE_MAP_HEIGHT
    order: list[Any] = [alt.SortField("business_value", order="descending"), alt.SortField("rank")]
    placed = (
        alt.Chart(data)
        # The best LABELLED of the rows drawn, whatever a filter left: not global ranks.
        .transform_window(position="row_number()", sort=[alt.SortField("rank")])
        .transform_filter(alt.datum.position <= LABELLED)
        .transform_window(slot="row_number()", sort=order)
        .transform_calculate(reach_down=f"datum.business_value + (datum.slot - 1) * {gap}")
        .transform_window(lowest="min(reach_down)", sort=order, frame=[None, 0])
        .transform_calculate(label_y=f"datum.lowest - (datum.slot - 1) * {gap}")
    )
    # High values are named to the left of their dot, where the map is empty.
    sides: tuple[tuple[Any, Literal["left", "right"], int], ...] = (
        (alt.datum.customer_value >= 50, "right", -9),
        (alt.datum.customer_value < 50, "left", 9),
    )
    label_y = alt.Y("label_y:Q", title="Business value (0-100)", scale=alt.Scale(domain=[0, 100]))
    leaders = placed.mark_rule(color=LEADER, strokeWidth=1).encode(x=customer, y=business, y2="label_y:Q")
    names = [
        placed.transform_filter(test)
        .mark_text(align=align, dx=dx, baseline="middle", color=INK, fontSize=MIN_TEXT, limit=LABEL_LIMIT)
        .encode(x=customer, y=label_y, text="name:N")
        for test, align, dx in sides
    ]
    chart = alt.layer(dots, leaders, *names).properties(
        title=f"Top right: valuable to customers and to the business (top {LABELLED} named)",
        height=VALUE_MAP_HEIGHT,
    )
    return cast(alt.LayerChart, chart)


@functools.cache
def scatter_spec() -> dict[str, object]:
    """The value map as a Vega-Lite spec without data, built and validated by Altair once
    per process: on the board only the data changes from run to run."""
    spec: dict[str, Any] = _value_map(alt.Undefined).to_dict(validate=True)
    for key in ("data", "datasets", "$schema"):
        spec.pop(key, None)
    for layer in spec.get("layer", ()):
        layer.pop("data", None)  # Altair names an empty dataset: every layer takes the page's
    spec["config"] = READABLE
    return spec


def value_map(ranked: pd.DataFrame, limit: int = POINT_LIMIT) -> alt.LayerChart:
    """Customer value against business value, sized by reach, for the ``limit`` highest
    priorities of a ranked table (:func:`cxprio.method.scoring.rank`), the top :data:`LABELLED`
    named beside their dots."""
    return _value_map(ranked.head(limit)[list(SCATTER_COLUMNS)])


def tier_shares(tiers: pd.DataFrame) -> alt.LayerChart:
    """Each ambition tier's share of experiences, with its limit as a red tick
    (``tiers`` as :func:`cxprio.outputs.tables.tier_table` builds it)."""
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
    """The ranked experiences with a priority, and ``tier``: the ambition's label, or
    :data:`NO_AMBITION`."""
    points = ranked.dropna(subset=["priority"])
    return points.assign(tier=[tier_words(a) for a in points["ambition"]])


def priority_ambition(
    points: pd.DataFrame, limit: int = POINT_LIMIT, *, named: int = LABELLED
) -> alt.LayerChart:
    """Priority against ambition tier (``points`` from :func:`ambition_points`): one circle
    per experience up to ``limit`` of them, else one per band of priority and level; the
    top ``named`` by rank named beside their dots either way."""
    title = f"High priorities should not sit low, nor low priorities high (top {named} named)"
    x = alt.X("priority:Q", title="Priority (0-100)", scale=alt.Scale(domain=[0, 100]))
    # A line between tiers: each name reads as its own row's.
    y = alt.Y("tier:N", title="Ambition tier", sort=TIER_ORDER, axis=alt.Axis(grid=True, tickBand="extent"))
    top = _ambition_labels(points, named)
    if len(points) <= limit:
        dots = (
            alt.Chart(points[["name", "rank", "priority", "tier", "level"]])
            .mark_circle(size=120, opacity=0.8)
            .encode(
                x=x,
                y=y,
                color=level_colour(),
                tooltip=[
                    alt.Tooltip("name:N", title="Experience"),
                    alt.Tooltip("rank:Q", title="Rank"),
                    alt.Tooltip("priority:Q", title="Priority", format=".1f"),
                    alt.Tooltip("tier:N", title="Ambition"),
                ],
            )
        )
        layers: list[Any] = [dots]
    else:
        bands = (
            alt.Chart(priority_bands(points, BAND_WIDTH))
            .mark_circle(opacity=0.8)
            .encode(
                x=alt.X("middle:Q", title="Priority (0-100)", scale=alt.Scale(domain=[0, 100])),
                y=y,
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
        named = alt.Chart(top).mark_circle(size=60, color=INK, opacity=1).encode(x=x, y=y)
        layers = [bands, named]
    # Labels share a tier's row: each a line of its own, above and below the dots in
    # turn, best first and nearest, so no two touch and none sits on the dots; the row
    # is tall enough for the most labels any tier has.
    for (dy, right), group in top.groupby(["dy", top["priority"] >= 50], sort=True):
        layers.append(
            alt.Chart(group)
            .mark_text(
                # Hanging over (or under) its dot, the name's end at the dot: to the left of
                # high priorities, where the row is emptier, and to the right of low ones.
                align="right" if right else "left",
                dx=6 if right else -6,
                dy=float(cast(float, dy)),
                baseline="middle",
                color=INK,
                fontSize=MIN_TEXT,
                limit=LABEL_LIMIT,
            )
            .encode(x=x, y=y, text="name:N")
        )
    farthest = float(top["dy"].abs().max()) if len(top) else 0.0
    tiers = max(points["tier"].nunique(), 1)
    # A row holds its farthest names (half a line of text beyond their offset) and a
    # line's breadth more, so names of two rows never meet at the line between them.
    height = tiers * max(56, int(2 * farthest + 2 * MIN_TEXT))
    chart = alt.layer(*layers).properties(title=title, height=height)
    return cast(alt.LayerChart, chart.resolve_scale(yOffset="independent"))


def _ambition_labels(points: pd.DataFrame, named: int = LABELLED) -> pd.DataFrame:
    """The top ``named`` of ``points`` by rank with ``dy``: how far above (less than 0)
    or below its tier's middle its label sits, in pixels: the best just above the dots,
    the next just below, then a line further out each, in turn."""
    top = points.nsmallest(named, "rank")[["name", "rank", "priority", "tier"]]
    line = (top.groupby("tier")["rank"].rank(method="first") - 1).astype(int)
    gap = MIN_TEXT + 4  # lines of one side of a row: close, as in a list, and never touching
    away = 0.7 * gap + gap * (line // 2)
    return top.assign(dy=away.where(line % 2 == 1, -away))


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
