"""History: every version of the catalogue and every value each one changed (the audit
trail), with CSV downloads."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from board import open_page
from board.show import ROWS_DRAWN, csv_download, rows_drawn_note, sentence, store_or_stop
from cxprio.errors import StoreError
from cxprio.tables import audit_table, versions_table

WHEN_WHO: dict[str, Any] = {
    "version": st.column_config.NumberColumn("Version", width="small"),
    "created_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "author": "Who",
}
"""The columns both tables start with."""

board = open_page("History")
st.title("History")
st.caption(
    "Every version of the catalogue, newest first: who made it, when, why, and each value it "
    "changed. Imports from the catalogue file are versions too."
)
store = store_or_stop(board, "is no history to show")
try:
    versions = versions_table(store.history())
    audit = audit_table(store.audit())
except StoreError as problem:
    st.error(sentence(str(problem)), icon=":material/error:")
    st.stop()

counts = audit["version"].value_counts() if len(audit) else pd.Series(dtype="int64")
versions = versions.assign(changes=versions["version"].map(counts).fillna(0).astype("int64"))
metrics = st.columns(3)
metrics[0].metric("Versions", f"{len(versions):,}")
metrics[1].metric("Values changed", f"{len(audit):,}")
metrics[2].metric("Edited on the board", f"{int((versions['origin'] == 'edit').sum()):,}")

st.subheader("Versions")
newest_first = versions.iloc[::-1]
st.dataframe(
    newest_first[["version", "created_at", "author", "origin", "rationale", "changes"]].head(ROWS_DRAWN),
    hide_index=True,
    width="stretch",
    column_config={
        **WHEN_WHO,
        "origin": st.column_config.TextColumn(
            "From", help="file: imported from the catalogue file; edit: saved on the board"
        ),
        "rationale": st.column_config.TextColumn("Why", width="large"),
        "changes": st.column_config.NumberColumn("Values changed", width="small"),
    },
    key="history_versions",
)
rows_drawn_note(ROWS_DRAWN, len(versions), "versions", narrow="")
csv_download("Download the versions (CSV)", versions, "versions.csv", "download_versions", None)

st.subheader("Changes")
filters = st.columns([3, 2])
search = (
    filters[0]
    .text_input("Experience or field", key="history_search", placeholder="Name, id or field")
    .strip()
)
origins = filters[1].segmented_control(
    "From", ["edit", "file"], selection_mode="multi", default=["edit", "file"], key="history_origins"
)
names = board.prepared.name_of
shown = audit.assign(name=audit["experience"].map(lambda e: names.get(e, e) if isinstance(e, str) else ""))
shown = shown[shown["origin"].isin(origins or [])]
if search:
    needle = search.lower()
    shown = shown[
        shown["experience"].fillna("").str.lower().str.contains(needle, regex=False)
        | shown["name"].str.lower().str.contains(needle, regex=False)
        | shown["field"].str.lower().str.contains(needle, regex=False)
    ]
shown = shown.iloc[::-1]
st.dataframe(
    shown[["version", "created_at", "author", "name", "field", "old", "new", "note", "rationale"]].head(
        ROWS_DRAWN
    ),
    hide_index=True,
    width="stretch",
    column_config={
        **WHEN_WHO,
        "name": st.column_config.TextColumn("Experience", width="medium"),
        "field": "Field",
        "old": "Was",
        "new": "Now",
        "note": st.column_config.TextColumn("From", help="Where the value came from, when its save said"),
        "rationale": st.column_config.TextColumn("Why", width="large"),
    },
    key="history_changes",
)
rows_drawn_note(ROWS_DRAWN, len(shown), "matching changes, newest first")
csv_download(
    "Download these changes (CSV)",
    lambda: shown.drop(columns=["name"]),
    "changes.csv",
    "download_changes",
    None,
)
