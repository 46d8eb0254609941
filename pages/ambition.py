"""Ambition board: the four tiers as columns, shares against limits, and the misfits."""

from __future__ import annotations

import altair as alt
import streamlit as st

from board import open_page
from board.charts import level_colour, readable
from board.show import csv_download, plain, show_findings
from cxprio.ambition import delivery_gap
from cxprio.model import Tier
from cxprio.tables import tier_table

CARDS_PER_TIER = 12
TIER_COLOURS = {
    "Unique": "#1f4e79",
    "Distinct": "#2f7ebc",
    "Competitive": "#8aa9c4",
    "Uncompetitive": "#c7ccd3",
}

board = open_page("Ambition board")
catalogue = board.catalogue
report = board.ambition()
table = board.table

st.title("Ambition board")
st.caption(
    "Where we choose to stand against competitors. **Unique**: only we can do it. **Distinct**: we "
    "do it better. **Competitive**: as well as others. **Uncompetitive**: we choose to do it less "
    "well. Choosing is the point: not everything can be Unique, and something must be Uncompetitive."
)

columns = st.columns(4, gap="medium")
by_tier = {tier: table[table["ambition"] == tier.value] for tier in Tier}
for column, share in zip(columns, report.tiers, strict=True):
    with column:
        limit = f" · limit {share.limit:.0%}" if share.limit is not None else ""
        st.subheader(f"{share.tier.label}")
        text = f"{share.count} experiences · {share.share:.0%}{limit}"
        if share.over_limit:
            st.error(text, icon=":material/warning:")
        else:
            st.caption(text)
        rows = by_tier[share.tier]
        for row in rows.head(CARDS_PER_TIER).itertuples(index=False):
            with st.container(border=True):
                st.markdown(f"**{plain(str(row.name))}**")
                today = f" · today {str(row.current).capitalize()}" if isinstance(row.current, str) else ""
                st.caption(f"#{row.rank} · {row.level} · priority {row.priority:.0f}{today}")
        if len(rows) > CARDS_PER_TIER:
            st.caption(f"and {len(rows) - CARDS_PER_TIER} more (see the table below)")

missing = table[table["ambition"].isna()]
if len(missing):
    st.warning(
        f"{len(missing)} experiences have no ambition yet: "
        + ", ".join(plain(n) for n in missing["name"].head(10))
    )

st.subheader("Tier shares against their limits")
tiers = tier_table(report)
left, right = st.columns([3, 2], gap="large")
with left:
    bars = (
        alt.Chart(tiers)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of experiences with an ambition", axis=alt.Axis(format="%")),
            y=alt.Y("tier:N", title="Ambition tier", sort=[t.label for t in Tier]),
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
            y=alt.Y("tier:N", sort=[t.label for t in Tier]),
            tooltip=[alt.Tooltip("limit:Q", title="Limit", format=".0%")],
        )
    )
    st.altair_chart(
        readable((bars + limits).properties(title="Red ticks mark each tier's limit", height=220)),
        width="stretch",
    )
with right:
    st.dataframe(
        tiers,
        hide_index=True,
        width="stretch",
        column_config={
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "limit": st.column_config.NumberColumn("Limit", format="percent"),
            "over_limit": st.column_config.CheckboxColumn("Over the limit"),
        },
        key="tier_table",
    )

st.subheader("Priority against ambition")
points = table.dropna(subset=["priority"]).assign(tier=table["ambition"].fillna("none").str.capitalize())
strip = (
    alt.Chart(points[["name", "rank", "priority", "tier", "level"]])
    .mark_circle(size=120, opacity=0.8)
    .encode(
        x=alt.X("priority:Q", title="Priority (0-100)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("tier:N", title="Ambition tier", sort=[t.label for t in Tier] + ["None"]),
        color=level_colour(),
        tooltip=[
            alt.Tooltip("name:N", title="Experience"),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("priority:Q", title="Priority", format=".1f"),
            alt.Tooltip("tier:N", title="Ambition"),
        ],
    )
    .properties(title="High priorities should not sit low, nor low priorities high", height=260)
)
st.altair_chart(readable(strip), width="stretch")
csv_download(
    "Download these points (CSV)",
    points[["rank", "name", "level", "priority", "tier"]],
    "priority-ambition.csv",
    "download_points",
    board.weights,
)

st.subheader("Findings")
show_findings(board, list(report.findings), ["severity", "code", "experience", "message"], "ambition")

st.subheader("Target against today")
gaps = delivery_gap(catalogue)
under, over = st.columns(2, gap="large")
with under:
    st.markdown("**Under-delivering: a case to invest**")
    st.dataframe(
        gaps[gaps["gap"] > 0].sort_values("gap", ascending=False)[["name", "ambition", "current", "gap"]],
        hide_index=True,
        width="stretch",
        column_config={"gap": st.column_config.NumberColumn("Tiers short")},
        key="under_delivering",
    )
with over:
    st.markdown("**Over-delivering: a candidate for savings**")
    st.dataframe(
        gaps[gaps["gap"] < 0].assign(gap=lambda g: -g["gap"])[["name", "ambition", "current", "gap"]],
        hide_index=True,
        width="stretch",
        column_config={"gap": st.column_config.NumberColumn("Tiers above")},
        key="over_delivering",
    )
