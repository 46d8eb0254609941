"""The board's charts as Altair specifications, shared by the pages and the workshop pack.

Pure Altair and pandas (no streamlit): a page draws these charts, and
:mod:`cxprio.outputs.report` renders the same ones to SVG and PNG, so a chart in a report or on
a slide is the chart the room saw. Each function takes the table it draws and returns an
unconfigured chart; :func:`readable` sets the text sizes for a projector.

Charts name what they show: the value map and the ambition chart label the top
:data:`LABELLED` experiences by name, the slope chart names every line at both ends, and
the seam heatmap labels every team it shows.
"""

from __future__ import annotations

import functools
from typing import Any, Literal, TypeVar, cast

import altair as alt
import pandas as pd

from cxprio.catalogue.model import Level, Tier
from cxprio.outputs.tables import priority_bands

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
NO_AMBITION = "No ambition"
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
    labels = {tier.value: tier.label for tier in Tier}
    return points.assign(
        tier=[labels.get(a, NO_AMBITION) if isinstance(a, str) else NO_AMBITION for a in points["ambition"]]
    )


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


def riskiest_heat(heat: pd.DataFrame, limit: int = HEATMAP_TEAMS) -> pd.DataFrame:
    """The rows of ``heat`` (team pairs: ``from_team, to_team, risk``...) between the
    ``limit`` teams with the most summed seam risk, from them or to them (ties by id)."""
    totals = (
        pd.concat([heat[["from_team", "risk"]].set_axis(["team", "risk"], axis=1),
                   heat[["to_team", "risk"]].set_axis(["team", "risk"], axis=1)])
        .groupby("team")["risk"]
        .sum()
        .reset_index()
        .sort_values(["risk", "team"], ascending=[False, True], kind="stable")
    )  # fmt: skip
    kept = set(totals["team"].head(limit))
    return heat[heat["from_team"].isin(kept) & heat["to_team"].isin(kept)]


def seam_heatmap(heat: pd.DataFrame, limit: int = HEATMAP_TEAMS) -> alt.Chart:
    """Summed seam risk from one team to another (``heat`` has ``from_team, to_team,
    from_name, to_name, seams, unowned, risk``), every team named; above ``limit``
    teams, only the riskiest (:func:`riskiest_heat`), and the title says so."""
    teams = len(set(heat["from_team"]) | set(heat["to_team"]))
    title = "Summed risk of the seams from one team to another"
    if teams > limit:
        heat = riskiest_heat(heat, limit)
        title = f"Summed seam risk between the {limit} riskiest of {teams:,} teams"
    chart = (
        alt.Chart(heat)
        .mark_rect()
        .encode(
            x=alt.X(
                "to_name:N",
                title="Hands the customer to",
                axis=alt.Axis(labelAngle=-45, labelLimit=220, labelOverlap=False, orient="bottom"),
            ),
            y=alt.Y(
                "from_name:N", title="Team handing over", axis=alt.Axis(labelLimit=220, labelOverlap=False)
            ),
            color=alt.Color("risk:Q", title="Risk", scale=alt.Scale(scheme="reds")),
            tooltip=[
                alt.Tooltip("from_name:N", title="From"),
                alt.Tooltip("to_name:N", title="To"),
                alt.Tooltip("seams:Q", title="Seams"),
                alt.Tooltip("unowned:Q", title="Unowned"),
                alt.Tooltip("risk:Q", title="Risk", format=".0f"),
            ],
        )
        .properties(title=title, height=alt.Step(HEAT_STEP), width=alt.Step(HEAT_STEP))
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


def rank_movement(points: pd.DataFrame, then: str, now: str, title: str) -> alt.LayerChart:
    """Rank in ``then`` and ``now``, one line per experience (``points`` from
    :func:`slope_points`), green where it rose and red where it fell, each line named at
    both ends with its rank there: a row per rank shown, in rank order on each side, so
    no two names touch (the rank itself is in the label)."""
    rows = points.assign(
        row=points.groupby("quarter")["rank"].rank(method="first"),
        label=[
            f"{name} {rank:.0f}" if quarter == then else f"{rank:.0f} {name}"
            for name, rank, quarter in zip(points["name"], points["rank"], points["quarter"], strict=True)
        ],
    )
    count = int(rows["row"].max()) if len(rows) else 1
    x = alt.X(
        "quarter:N",
        title=None,
        sort=[then, now],
        scale=alt.Scale(domain=[then, now], padding=0.02),
        axis=alt.Axis(
            orient="top", labelAngle=0, labelLimit=0, labelFontWeight="bold", ticks=False, domain=False
        ),
    )
    y = alt.Y(
        "row:Q",
        title=None,
        axis=None,
        scale=alt.Scale(domain=[0.5, count + 0.5], reverse=True, nice=False, zero=False),
    )
    colour = alt.Color(
        "direction:N",
        title="Since then",
        scale=alt.Scale(domain=list(MOVEMENT_COLOURS), range=list(MOVEMENT_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    lines = (
        alt.Chart(rows)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            detail="id:N",
            color=colour,
            tooltip=[
                alt.Tooltip("name:N", title="Experience"),
                alt.Tooltip("rank_then:Q", title=f"Rank {then}"),
                alt.Tooltip("rank_now:Q", title=f"Rank {now}"),
                alt.Tooltip("why:N", title="Why (recorded changes)"),
            ],
        )
    )
    ends: tuple[tuple[str, Literal["left", "right"], int], ...] = ((then, "right", -10), (now, "left", 10))
    names = [
        alt.Chart(rows[rows["quarter"] == quarter])
        .mark_text(align=align, dx=dx, baseline="middle", fontSize=MIN_TEXT, limit=SLOPE_LABEL_LIMIT)
        .encode(x=x, y=y, text="label:N", color=colour)
        for quarter, align, dx in ends
    ]
    chart = alt.layer(lines, *names).properties(title=title, height=max(LABEL_GAP + 4, 24) * count, width=240)
    return cast(alt.LayerChart, chart)


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
