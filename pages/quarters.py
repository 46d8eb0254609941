"""Quarter on quarter: what moved since the last snapshot, and why."""

from __future__ import annotations

import streamlit as st

from board import open_page
from board import quarters as quarter_tables
from board.charts import readable
from board.show import (
    NO_RERUN,
    mover_table,
    performance_table,
    plain,
    sentence,
    show_findings,
    store_or_stop,
)
from cxprio.errors import StoreError
from cxprio.outputs import charts
from cxprio.outputs.tables import tables_zip
from cxprio.store.snapshots import compare_quarters, quarters

SLOPE_TOP = 15
"""The slope chart draws this many experiences of the later quarter's top, with the risers
and fallers: thousands of lines would be a blur."""

board = open_page("Quarter on quarter")
st.title("Quarter on quarter")
st.caption(
    "What moved between two quarters' snapshots, and why: each snapshot freezes the catalogue "
    "version, the weights, every score, tier and performance figure, and the findings."
)
store = store_or_stop(board, "are no snapshots to show")
try:
    frozen = quarters(store)
except StoreError as problem:
    st.error(sentence(str(problem)), icon=":material/error:")
    st.stop()


form_first = len(frozen) < 2  # a snapshot taken in it may make two: the form stays where it is
if form_first and quarter_tables.snapshot_form(board, store, expanded=True):
    frozen = quarters(store)
if len(frozen) < 2:
    st.info(
        f"{len(frozen)} quarter{'s' if len(frozen) != 1 else ''} frozen so far: the comparison needs two. "
        "Take one each quarter, here or with `python -m cxprio snapshot --quarter YYYY-Qn`.",
        icon=":material/info:",
    )
    st.stop()

labels = list(frozen)
pick = st.columns(2)
then = pick[0].selectbox("From", labels, index=len(labels) - 2, key="quarters_then")
now = pick[1].selectbox("To", labels, index=len(labels) - 1, key="quarters_now")
comparison = compare_quarters(store, then, now, found=frozen)

# The answer first: who rose and who fell, and the reasons recorded for it.
MOVERS_SHOWN = 5
movers = st.columns(2, gap="large")
for column, title, table, nobody in (
    (movers[0], "Biggest risers", comparison.risers, "Nothing rose."),
    (movers[1], "Biggest fallers", comparison.fallers, "Nothing fell."),
):
    with column:
        st.markdown(f"**{title}, {then} to {now}**")
        if len(table):
            st.table(mover_table(table.head(MOVERS_SHOWN)), hide_index=True)
        else:
            st.caption(nobody)

quarter_tables.coverage_metrics(comparison)

slope_tab, changes_tab, performance_tab, history_tab = st.tabs(
    ["Rank movement", "New, retired and ambition", "Performance", "Priority over every quarter"]
)
with slope_tab:
    shown_ids = (
        set(comparison.movement.nsmallest(SLOPE_TOP, "rank_now")["id"])
        | set(comparison.risers["id"])
        | set(comparison.fallers["id"])
    )
    slope = comparison.movement[comparison.movement["id"].isin(shown_ids)]
    points = charts.slope_points(slope, then, now)
    chart = charts.rank_movement(
        points, then, now, f"The top {SLOPE_TOP} of {now}, and the biggest risers and fallers"
    )
    st.altair_chart(readable(chart), width="stretch")
    if len(comparison.risers) > MOVERS_SHOWN or len(comparison.fallers) > MOVERS_SHOWN:
        every = st.columns(2, gap="large")
        for column, title, table in (
            (every[0], "Every riser listed", comparison.risers),
            (every[1], "Every faller listed", comparison.fallers),
        ):
            column.markdown(f"**{title}**")
            column.table(mover_table(table), hide_index=True)

with changes_tab:
    arrivals = st.columns(2)
    arrivals[0].markdown(
        f"**New in {now}**: " + (", ".join(plain(n) for n in comparison.new["name"]) or "none")
    )
    arrivals[1].markdown(
        f"**Retired since {then}**: " + (", ".join(plain(n) for n in comparison.retired["name"]) or "none")
    )
    st.markdown("**Ambition changes**")
    if len(comparison.ambition):
        changed = comparison.ambition
        st.table(quarter_tables.ambition_changes(changed, then, now), hide_index=True)
    else:
        st.caption("No ambition or current tier changed.")

with performance_tab:
    if len(comparison.performance):
        st.table(performance_table(comparison.performance, then, now), hide_index=True)
    else:
        st.caption("No performance measure appears in both quarters.")
    if comparison.findings:
        show_findings(
            board,
            list(comparison.findings),
            ["severity", "title", "experience", "risk", "message"],
            "quarters",
        )

with history_tab:
    quarter_tables.priority_history(frozen)
st.download_button(
    f"Every table of {then} to {now} (ZIP of CSV)",
    lambda: tables_zip(comparison.tables()),
    file_name=f"cxprio-{then}-{now}.zip",
    mime="application/zip",
    key="download_quarters_zip",
    icon=":material/folder_zip:",
    on_click=NO_RERUN,
)
if not form_first:
    quarter_tables.snapshot_form(board, store, expanded=False)
