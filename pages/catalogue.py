"""Catalogue: validate another catalogue by upload, switch to it, and download everything."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from board import open_page
from board.catalogue import candidate, show_warnings
from board.show import NO_RERUN, csv_download, plain, show_problems
from board.source import (
    UploadsBusy,
    check_upload,
    configured_path,
    forget_upload,
    use_upload,
    using_upload,
)
from cxprio.catalogue.checking import Checked
from cxprio.outputs.tables import tables_zip

board = open_page("Catalogue")
loaded = board.loaded
catalogue = board.catalogue

st.title("Catalogue")
columns = st.columns(4)
columns[0].metric("Experiences", len(catalogue.experiences))
columns[1].metric("Teams", len(catalogue.teams))
columns[2].metric("Warnings", len(loaded.warnings))
columns[3].metric("Decisions", sum(len(e.decisions) for e in catalogue.experiences))
st.caption(f"Showing **{plain(Path(loaded.source).name)}** · SHA-256 {board.sha256[:12]}…")
if using_upload():
    st.info("This session shows an uploaded catalogue.", icon=":material/upload_file:")
    if st.button(f"Back to {configured_path().name}", key="back_to_file", icon=":material/undo:"):
        forget_upload()
        st.rerun()

show_warnings(loaded)

st.subheader("Check another catalogue")
st.caption(
    "Upload a YAML catalogue to check it. Nothing changes on the board unless it is valid and you choose to use it."
)
found = candidate()
if found is not None:
    candidate_name, candidate_content = found
    checked: Checked | None = None
    try:
        with st.spinner(f"Checking {plain(candidate_name)}…"):
            checked = check_upload(candidate_name, candidate_content)
    except UploadsBusy:
        st.warning(
            "The board is busy checking another upload: try again in a moment.",
            icon=":material/hourglass_top:",
        )
        st.button("Check it again", key="check_again", icon=":material/refresh:")
    if checked is not None and not checked.valid:
        st.markdown(
            f"**{plain(candidate_name)}** is not valid: {checked.error_count:,} problem(s). The board is unchanged."
        )
        show_problems(checked.errors, total=checked.error_count)
    elif checked is not None:
        st.success(
            f"{plain(candidate_name)} is valid: {checked.experiences} experiences, {checked.teams} teams, "
            f"{checked.warning_count} warnings.",
            icon=":material/check_circle:",
        )
        if st.button(
            "Use it on the board for this session",
            key="use_upload",
            type="primary",
            icon=":material/swap_horiz:",
        ):
            use_upload(candidate_name, candidate_content)
            st.rerun()

st.subheader("Downloads")
st.caption("Everything the board shows, under the weights in the sidebar.")
tables = board.table_makers()  # each built only when its button is clicked

buttons = st.container(horizontal=True)
# The bytes that loaded, not the file on disk: it may have changed, broken or gone since.
buttons.download_button(
    "Catalogue (YAML)",
    loaded.content,
    file_name=Path(loaded.source).name,
    mime="application/yaml",
    key="download_catalogue",
    icon=":material/download:",
    on_click=NO_RERUN,
)
buttons.download_button(
    "Every table (ZIP of CSV)",
    lambda: tables_zip({name: make() for name, make in tables.items()}),
    file_name="cxprio-tables.zip",
    mime="application/zip",
    key="download_all",
    icon=":material/folder_zip:",
    on_click=NO_RERUN,
)
row = st.container(horizontal=True)
for name, make in tables.items():
    csv_download(name, make, name, f"download_{name}", None, place=row)  # weights included
