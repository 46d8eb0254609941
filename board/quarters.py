"""The Quarter on quarter page's parts: the snapshot form, the coverage figures, the
ambition changes in words and the priority over every quarter."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from cxprio import UsageError
from cxprio.errors import StoreError
from cxprio.method.compare import Comparison, priority_over_quarters
from cxprio.store.snapshots import Snapshot, SnapshotExists, take_snapshot
from cxprio.store.versions import Store
from cxprio.units import tier_words

from . import access
from .show import csv_download, fit, plain, sentence
from .state import Board


def snapshot_form(board: Board, store: Store, expanded: bool) -> bool:
    """Freeze this quarter (an editor's): at the top until two quarters exist, then last.
    True when a snapshot was taken (the quarters are then read again)."""
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
                    return True
    return False


def coverage_metrics(comparison: Comparison) -> None:
    """Seam coverage, unowned seams, new and retired experiences: now, and the change."""
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


def ambition_changes(changed: pd.DataFrame, then: str, now: str) -> pd.DataFrame:
    """The experiences whose ambition or current tier changed, in words."""
    return pd.DataFrame(
        {
            "Experience": changed["name"].map(plain),
            f"Ambition {then}": changed["ambition_then"].map(tier_words),
            f"Ambition {now}": changed["ambition_now"].map(tier_words),
            f"Today {then}": changed["current_then"].map(tier_words),
            f"Today {now}": changed["current_now"].map(tier_words),
        }
    )


def priority_history(frozen: Mapping[str, Snapshot]) -> None:
    """Every experience's priority in every quarter frozen, the highest now first."""
    labels = list(frozen)
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
