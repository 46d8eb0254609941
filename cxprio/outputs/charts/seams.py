"""Charts of ownership: the risk between teams (the seam heatmap) and the graph of who hands customers to whom."""

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
