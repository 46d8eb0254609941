"""History: every version of the catalogue and every value each one changed (the audit
trail), with CSV downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import open_page
from board.show import csv_download, plain, rows_drawn_note, sentence, store_or_stop
from cxprio.errors import StoreError
from cxprio.outputs.tables import audit_table, versions_table
from cxprio.texts import field_words
from cxprio.units import as_written

LISTED = 100
"""Versions and changes listed, newest first, in tables that wrap (every reason whole);
the downloads have them all."""
ORIGINS = {"file": "Catalogue file", "edit": "Board"}


def when(moments: pd.Series) -> list[str]:
    # No-break spaces: a moment is read on one line, never split over three.
    return [f"{moment:%d %b %Y %H:%M}".replace(" ", "\u00a0") for moment in moments]


def value(text: object) -> str:
    """A value the audit trail keeps ("2400000", "distinct") as people write it."""
    return plain(as_written(text))


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
newest_first = versions.iloc[::-1].head(LISTED)
st.table(
    pd.DataFrame(
        {
            "Version": newest_first["version"].map("{:,}".format),
            "When (UTC)": when(newest_first["created_at"]),
            "Who": newest_first["author"].map(plain),
            "From": newest_first["origin"].map(lambda o: ORIGINS.get(o, o)),
            "Why": newest_first["rationale"].map(lambda r: plain(str(r)) if isinstance(r, str) else ""),
            "Values changed": newest_first["changes"].map("{:,}".format),
        }
    ),
    hide_index=True,
)
rows_drawn_note(LISTED, len(versions), "versions, newest first", narrow="")
csv_download("Download the versions (CSV)", versions, "versions.csv", "download_versions", None)

st.subheader("Changes")
filters = st.columns([3, 2])
search = (
    filters[0]
    .text_input("Experience or field", key="history_search", placeholder="Name, id or field")
    .strip()
)
origins = filters[1].segmented_control(
    "From",
    ["edit", "file"],
    format_func=ORIGINS.__getitem__,
    selection_mode="multi",
    default=["edit", "file"],
    key="history_origins",
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
listed = shown.head(LISTED)
st.table(
    pd.DataFrame(
        {
            "Version": listed["version"].map("{:,}".format),
            "When (UTC)": when(listed["created_at"]),
            "Who": listed["author"].map(plain),
            "Experience": listed["name"].map(plain),
            "Field": listed["field"].map(field_words),
            "Was": listed["old"].map(value),
            "Now": listed["new"].map(value),
            "Why": [
                plain(" · ".join(t for t in (r, n) if isinstance(t, str) and t))
                for r, n in zip(listed["rationale"], listed["note"], strict=True)
            ],
        }
    ),
    hide_index=True,
)
rows_drawn_note(LISTED, len(shown), "matching changes, newest first")
csv_download(
    "Download these changes (CSV)",
    lambda: shown.drop(columns=["name"]),
    "changes.csv",
    "download_changes",
    None,
)
