"""The quarter-on-quarter chart: each experience's rank then and now, named at both ends."""

from __future__ import annotations

from typing import Literal, cast

import altair as alt
import pandas as pd

from cxprio.outputs.charts.common import LABEL_GAP, MIN_TEXT, MOVEMENT_COLOURS, SLOPE_LABEL_LIMIT


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
