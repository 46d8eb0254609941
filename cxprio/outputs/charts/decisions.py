"""The decision rights' chart: how many decisions each team is Accountable, Responsible,
Consulted and Informed for."""

from __future__ import annotations

import altair as alt
import pandas as pd

from cxprio.outputs.headings import ROLE_NAMES


def accountability(charted: pd.DataFrame) -> alt.Chart:
    """A bar per team (in ``charted``'s order, from
    :func:`cxprio.method.ownership.accountability_load`), split by role, a row per team
    tall enough that no two names touch."""
    long = charted.melt(
        id_vars=["team", "name"], value_vars=["A", "R", "C", "I"], var_name="role", value_name="decisions"
    )
    long["role"] = long["role"].map(ROLE_NAMES)
    chart: alt.Chart = (
        alt.Chart(long[long["decisions"] > 0])
        .mark_bar()
        .encode(
            x=alt.X("decisions:Q", title="Decisions"),
            y=alt.Y(
                "name:N",
                title="Team",
                sort=list(charted["name"]),
                axis=alt.Axis(labelLimit=260, labelOverlap=False),
            ),
            color=alt.Color(
                "role:N",
                title="Role",
                sort=list(ROLE_NAMES.values()),
                # Deciding and doing in strong colours, being asked and told in quiet ones; no
                # red, which would read as a fault.
                scale=alt.Scale(
                    domain=list(ROLE_NAMES.values()), range=["#1f4e79", "#2a9d8f", "#e9c46a", "#cbd5e1"]
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Team"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("decisions:Q", title="Decisions"),
            ],
        )
        # A row per team, tall enough that no two team names touch.
        .properties(title="Decisions per team and role", height=alt.Step(28))
    )
    return chart
