"""Charts of ownership: the risk between teams (the seam heatmap), the graph of who hands
customers to whom, and how many experiences sit on each rung of the maturity arc."""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from cxprio.outputs.charts.common import HEAT_STEP, HEATMAP_TEAMS


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


def team_graph(nodes: pd.DataFrame, edges: pd.DataFrame) -> alt.LayerChart:
    """Who hands customers to whom: a line per pair of teams (wider for more risk, red
    where a seam is unowned), a dot per team (larger for a bottleneck, orange for a
    single point of failure), each team named. ``nodes`` and ``edges`` are
    :func:`cxprio.outputs.tables.graph_layout`'s, the nodes with the teams' metrics."""
    edges = edges.assign(state=edges["unowned"].map(lambda n: "has unowned seams" if n else "all owned"))
    lines = (
        alt.Chart(edges)
        .mark_rule(opacity=0.7)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-2.2, 2.2])),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.15])),
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth("risk:Q", scale=alt.Scale(range=[1, 8]), legend=None),
            color=alt.Color(
                "state:N",
                title="Handoffs",
                scale=alt.Scale(domain=["all owned", "has unowned seams"], range=["#94a3b8", "#dc2626"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("from_team:N", title="From"),
                alt.Tooltip("to_team:N", title="To"),
                alt.Tooltip("seams:Q", title="Seams"),
                alt.Tooltip("unowned:Q", title="Unowned"),
                alt.Tooltip("risk:Q", title="Risk", format=".0f"),
            ],
        )
    )
    dots = (
        alt.Chart(nodes)
        .mark_circle(stroke="#1f2937", strokeWidth=1)
        .encode(
            x="x:Q",
            y="y:Q",
            size=alt.Size("betweenness:Q", scale=alt.Scale(range=[150, 1400]), legend=None),
            color=alt.condition("datum.articulation_point", alt.value("#f59e0b"), alt.value("#1f4e79")),
            tooltip=[
                alt.Tooltip("name:N", title="Team"),
                alt.Tooltip("betweenness:Q", title="Betweenness", format=".2f"),
                alt.Tooltip("unowned_seams:Q", title="Unowned seams"),
                alt.Tooltip("articulation_point:N", title="Single point of failure"),
            ],
        )
    )
    labels = alt.layer(
        *[
            alt.Chart(nodes[nodes["align"] == side])
            .mark_text(
                align=side,
                dx={"left": 14, "right": -14, "center": 0}[side],
                dy=0 if side != "center" else -16,
                fontSize=15,
            )
            .encode(x="x:Q", y="y:Q", text="name:N")
            for side in ("left", "right", "center")
        ]
    )
    graph: alt.LayerChart = (lines + dots + labels).properties(
        title="Dot size: bottleneck score; orange: single point of failure", height=600
    )
    return graph


def maturity_rungs(summary: pd.DataFrame) -> alt.LayerChart:
    """How many experiences sit on each rung of the maturity arc: one labelled bar per
    rung, rung 1 on top (``summary`` as :func:`cxprio.outputs.tables.rung_summary` makes it)."""
    data = summary.assign(
        label=[f"{r}. {n}" for r, n in zip(summary["rung"], summary["rung_name"], strict=True)]
    )
    order = list(data["label"])
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("count:Q", title="Experiences", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("label:N", title="Rung"), alt.Tooltip("count:Q", title="Experiences"),
                 alt.Tooltip("meaning:N", title="Means")],
    )  # fmt: skip
    bars = base.mark_bar(color="#3b6ea5")
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("count:Q", format=","))
    return cast(
        alt.LayerChart, (bars + labels).properties(title="Experiences on each rung", height=alt.Step(40))
    )
