"""Quarter on quarter: what moved since the last snapshot, and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import access, open_page
from board.charts import readable
from board.show import (
    NO_RERUN,
    csv_download,
    fit,
    mover_table,
    performance_table,
    plain,
    sentence,
    show_findings,
    store_or_stop,
    tier_label,
)
from cxprio import UsageError
from cxprio.errors import StoreError
from cxprio.method.compare import priority_over_quarters
from cxprio.outputs import charts
from cxprio.outputs.tables import tables_zip
from cxprio.store.snapshots import SnapshotExists, compare_quarters, quarters, take_snapshot

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


def snapshot_form(expanded: bool) -> None:
    """Freeze this quarter (an editor's): at the top until two quarters exist, then last."""
    global frozen
    with st.expander("Take a snapshot", expanded=expanded):
        who = access.editor()
        if who is not None:
            row = st.columns([2, 2, 3])
            label = row[0].text_input("Quarter", placeholder="2026-Q4", key="snapshot_quarter")
            supersede = row[1].checkbox("In place of the quarter's snapshot", key="snapshot_supersede")
            if row[2].button(
                "Take the snapshot", type="primary", icon=":material/photo_camera:", key="snapshot_take"
            ):
                try:
                    taken = take_snapshot(
                        store, label, author=who.name, supersede=supersede, weights=board.weights
                    )
                except (UsageError, SnapshotExists, StoreError) as refused:
                    st.error(sentence(str(refused)), icon=":material/error:")
                else:
                    st.success(
                        f"Snapshot of {taken.quarter} taken from version {taken.version_id}, under the weights "
                        "in the sidebar.",
                        icon=":material/check_circle:",
                    )
                    frozen = quarters(store)


form_first = len(frozen) < 2  # a snapshot taken in it may make two: the form stays where it is
if form_first:
    snapshot_form(expanded=True)
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

coverage = {r["figure"]: (r["then"], r["now"]) for r in comparison.coverage.to_dict("records")}
metrics = st.columns(4)
seam_then, seam_now = coverage["seam coverage"]
moved_points = (
    None if seam_then is None or seam_now is None else round((seam_now - seam_then) * 100)
)  # whole points, as shown: no "+0" for a change too small to see
metrics[0].metric(
    "Seam coverage",
    "–" if seam_now is None else f"{seam_now:.0%}",
    f"{moved_points:+d} points" if moved_points else None,
)
unowned_then, unowned_now = (int(v) for v in coverage["unowned seams"])
metrics[1].metric(
    "Unowned seams", f"{unowned_now:,}", (unowned_now - unowned_then) or None, delta_color="inverse"
)
metrics[2].metric("New experiences", f"{len(comparison.new):,}")
metrics[3].metric("Retired", f"{len(comparison.retired):,}")

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
        st.table(
            pd.DataFrame(
                {
                    "Experience": changed["name"].map(plain),
                    f"Ambition {then}": changed["ambition_then"].map(tier_label),
                    f"Ambition {now}": changed["ambition_now"].map(tier_label),
                    f"Today {then}": changed["current_then"].map(tier_label),
                    f"Today {now}": changed["current_now"].map(tier_label),
                }
            ),
            hide_index=True,
        )
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
    history = priority_over_quarters({label: s.payload for label, s in frozen.items()})
    st.dataframe(
        history.sort_values(labels[-1], ascending=False, na_position="last").head(50).drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(
                "Experience", width=fit(history["name"].head(50), heading="Experience")
            ),
            **{
                label: st.column_config.NumberColumn(label, format="%.0f", width=fit([label]))
                for label in labels
            },
        },
        key="quarters_history",
    )
    csv_download(
        "Download the priority over every quarter (CSV)",
        history,
        "priority-by-quarter.csv",
        "download_quarter_history",
        None,
    )
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
    snapshot_form(expanded=False)
