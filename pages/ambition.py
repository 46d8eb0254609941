"""Ambition board: the four tiers as columns, shares against limits, and the misfits."""

from __future__ import annotations

import streamlit as st

from board import open_page
from board.ambition import delivery_grids, tier_cards
from board.charts import readable
from board.show import csv_download, gap_table, plain, show_findings
from cxprio.method.ambition import delivery_gap, worst_gaps
from cxprio.outputs import charts
from cxprio.outputs.tables import tier_shares_in_words, tier_table

board = open_page("Ambition board")
catalogue = board.catalogue
report = board.ambition()
table = board.table

st.title("Ambition board")
st.caption(
    "Where we choose to stand against competitors. **Unique**: only we can do it. **Distinct**: we "
    "do it better. **Competitive**: as well as others. **Uncompetitive**: we choose to do it less "
    "well. Not everything can be Unique, and something must be Uncompetitive."
)

# The answer first: the tiers against their limits, then the worst gaps either way.
for column, share in zip(st.columns(4), report.tiers, strict=True):
    limit = f" · limit {share.limit:.0%}" if share.limit is not None else ""
    column.metric(
        share.tier.label,
        f"{share.count:,}",
        delta=f"{share.share:.0%}{limit}" + (" · over" if share.over_limit else ""),
        delta_color="inverse" if share.over_limit else "off",
        delta_arrow="off",
    )

gaps = board.prepared.keep("delivery-gap", lambda: delivery_gap(catalogue))  # whatever the weights
gaps, short, above = worst_gaps(gaps, dict(zip(table["id"], table["rank"], strict=True)))
WORST = 5
for place, rows, way, heading, none in zip(
    st.columns(2, gap="large"),
    (short, above),
    ("short", "above"),
    ("Below its ambition: a case to invest", "Above its ambition: a candidate for savings"),
    ("below", "above"),
    strict=True,
):
    place.markdown(f"**{heading}** ({len(rows):,})")
    if len(rows):
        place.table(gap_table(rows.head(WORST), way), hide_index=True)
    else:
        place.caption(f"No experience is {none} its ambition.")

missing = table[table["ambition"].isna()]
if len(missing):
    st.warning(
        f"{len(missing):,} experiences have no ambition yet: "
        + ", ".join(plain(n) for n in missing["name"].head(10))
    )

tiers_tab, chart_tab, shares_tab, findings_tab, gaps_tab = st.tabs(
    ["The four tiers", "Priority against ambition", "Tier shares", "Findings", "Target against today"]
)
with tiers_tab:
    tier_cards(table, report.tiers)

with chart_tab:
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

with shares_tab:
    tiers = tier_table(report)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.altair_chart(readable(charts.tier_shares(tiers)), width="stretch")
    with right:
        st.table(tier_shares_in_words(tiers), hide_index=True)

with findings_tab:
    show_findings(board, list(report.findings), ["severity", "title", "experience", "message"], "ambition")

with gaps_tab:
    delivery_grids(short, above)
    csv_download(
        "Download target against today (CSV)", gaps, "target-against-today.csv", "download_gaps", None
    )
