"""Ambition board: the four tiers as columns, shares against limits, and the misfits."""

from __future__ import annotations

import streamlit as st

from board import open_page
from board.charts import readable
from board.show import ROWS_DRAWN, csv_download, plain, rows_drawn_note, show_findings
from cxprio import charts
from cxprio.ambition import delivery_gap
from cxprio.model import Tier
from cxprio.tables import tier_table

CARDS_PER_TIER = 12

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
            st.caption(
                f"and {len(rows) - CARDS_PER_TIER:,} more: filter Priorities by ambition to see them all"
            )

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
    st.altair_chart(readable(charts.tier_shares(tiers)), width="stretch")
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
points = charts.ambition_points(table)
if len(points) > charts.POINT_LIMIT:
    st.caption(
        f"{len(points):,} experiences are too many to draw one by one: each circle is a band of "
        f"{charts.BAND_WIDTH:g} priority points, sized by how many of a level sit in it. The download has every one."
    )
st.altair_chart(readable(charts.priority_ambition(points)), width="stretch")
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
gaps = board.prepared.keep("delivery-gap", lambda: delivery_gap(catalogue))  # whatever the weights
under, over = st.columns(2, gap="large")
with under:
    st.markdown("**Under-delivering: a case to invest**")
    short = gaps[gaps["gap"] > 0].sort_values("gap", ascending=False, kind="stable")
    st.dataframe(
        short[["name", "ambition", "current", "gap"]].head(ROWS_DRAWN),
        hide_index=True,
        width="stretch",
        column_config={"gap": st.column_config.NumberColumn("Tiers short")},
        key="under_delivering",
    )
    rows_drawn_note(ROWS_DRAWN, len(short), "under-delivering experiences", narrow="")
with over:
    st.markdown("**Over-delivering: a candidate for savings**")
    above = gaps[gaps["gap"] < 0].assign(gap=lambda g: -g["gap"])
    st.dataframe(
        above[["name", "ambition", "current", "gap"]].head(ROWS_DRAWN),
        hide_index=True,
        width="stretch",
        column_config={"gap": st.column_config.NumberColumn("Tiers above")},
        key="over_delivering",
    )
    rows_drawn_note(ROWS_DRAWN, len(above), "over-delivering experiences", narrow="")
csv_download("Download target against today (CSV)", gaps, "target-against-today.csv", "download_gaps", None)
