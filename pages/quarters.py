"""Quarter on quarter: what moved since the last snapshot, and why."""

from __future__ import annotations

import streamlit as st

from board import access, open_page
from board.charts import readable
from board.show import NO_RERUN, csv_download, plain, sentence, show_findings, store_or_stop
from cxprio import UsageError, charts
from cxprio.compare import priority_over_quarters
from cxprio.errors import StoreError
from cxprio.snapshots import SnapshotExists, compare_quarters, quarters, take_snapshot
from cxprio.tables import tables_zip

SLOPE_TOP = 15
"""The slope chart draws this many experiences of the later quarter's top, with the risers
and fallers: thousands of lines would be a blur."""

board = open_page("Quarter on quarter")
st.title("Quarter on quarter")
st.caption(
    "Each quarter is frozen as a snapshot: the catalogue version, the weights, every score, tier "
    "and performance figure, the seam coverage and the findings. Compare two of them here."
)
store = store_or_stop(board, "are no snapshots to show")
try:
    frozen = quarters(store)
except StoreError as problem:
    st.error(sentence(str(problem)), icon=":material/error:")
    st.stop()

with st.expander("Take a snapshot", expanded=len(frozen) < 2):
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

coverage = {r["figure"]: (r["then"], r["now"]) for r in comparison.coverage.to_dict("records")}
metrics = st.columns(4)
seam_then, seam_now = coverage["seam coverage"]
metrics[0].metric(
    "Seam coverage",
    "–" if seam_now is None else f"{seam_now:.0%}",
    None
    if seam_then is None or seam_now is None or seam_now == seam_then
    else f"{(seam_now - seam_then) * 100:+.0f} points",
)
unowned_then, unowned_now = (int(v) for v in coverage["unowned seams"])
metrics[1].metric("Unowned seams", unowned_now, (unowned_now - unowned_then) or None, delta_color="inverse")
metrics[2].metric("New experiences", len(comparison.new))
metrics[3].metric("Retired", len(comparison.retired))

st.subheader(f"Rank movement, {then} to {now}")
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

movers = st.columns(2)
for column, title, table in (
    (movers[0], "Biggest risers", comparison.risers),
    (movers[1], "Biggest fallers", comparison.fallers),
):
    column.markdown(f"**{title}**")
    column.dataframe(
        table[["name", "rank_then", "rank_now", "why"]],
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn("Experience", width="medium"),
            "rank_then": st.column_config.NumberColumn(f"Rank {then}", width="small"),
            "rank_now": st.column_config.NumberColumn(f"Rank {now}", width="small"),
            "why": st.column_config.TextColumn("Why (recorded reasons)", width="large"),
        },
        key=f"quarters_{title}",
    )

st.subheader("New and retired experiences")
arrivals = st.columns(2)
arrivals[0].markdown(f"**New in {now}**: " + (", ".join(plain(n) for n in comparison.new["name"]) or "none"))
arrivals[1].markdown(
    f"**Retired since {then}**: " + (", ".join(plain(n) for n in comparison.retired["name"]) or "none")
)

st.subheader("Ambition changes")
if len(comparison.ambition):
    st.dataframe(
        comparison.ambition.drop(columns=["id"]), hide_index=True, width="stretch", key="quarters_ambition"
    )
else:
    st.caption("No ambition or current tier changed.")

st.subheader("Performance then and now")
if len(comparison.performance):
    st.dataframe(
        comparison.performance.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        column_config={"worse": st.column_config.CheckboxColumn("Worse")},
        key="quarters_performance",
    )
else:
    st.caption("No performance measure appears in both quarters.")
if comparison.findings:
    show_findings(
        board, list(comparison.findings), ["severity", "title", "experience", "risk", "message"], "quarters"
    )

st.subheader("Priority over every quarter")
history = priority_over_quarters({label: s.payload for label, s in frozen.items()})
st.dataframe(
    history.sort_values(labels[-1], ascending=False, na_position="last").head(50).drop(columns=["id"]),
    hide_index=True,
    width="stretch",
    column_config={"name": st.column_config.TextColumn("Experience", width="large")},
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
