"""Catalogue: validate another catalogue by upload, switch to it, and download everything."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from board import open_page
from board.show import NO_RERUN, csv_download, plain, show_problems, visible
from board.source import (
    UploadsBusy,
    check_upload,
    configured_path,
    forget_upload,
    use_upload,
    using_upload,
)
from cxprio.catalogue.checking import Checked
from cxprio.catalogue.loading import DEFAULT_MAX_BYTES, megabytes
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

WARNINGS_SHOWN = 50  # one list on the page; the download has them all

if loaded.warnings:
    count = len(loaded.warnings)
    with st.expander(f"{count:,} warning{'s' if count != 1 else ''} (the catalogue still loads)"):
        lines = [
            f"- **{plain(visible(w).location())}**: {plain(w.message)}"
            for w in loaded.warnings[:WARNINGS_SHOWN]
        ]
        if len(loaded.warnings) > WARNINGS_SHOWN:
            lines.append(f"- … and {len(loaded.warnings) - WARNINGS_SHOWN:,} more in the download")
        st.markdown("\n".join(lines))
        csv_download(
            "Download the warnings (CSV)",
            lambda: pd.DataFrame([visible(w).as_dict() for w in loaded.warnings]),
            "catalogue-warnings.csv",
            "download_warnings",
            None,
        )

st.subheader("Check another catalogue")
st.caption(
    "Upload a YAML catalogue to check it. Nothing changes on the board unless it is valid and you choose to use it."
)
upload = st.file_uploader("Catalogue (YAML)", type=["yaml", "yml"], key="upload")
# The browser refuses to paste more than this, which keeps every paste far below the
# size of message Streamlit's connection carries; larger catalogues are uploaded.
PASTE_LIMIT = 2_000_000
with st.expander("…or paste YAML"):
    pasted = st.text_area(
        "Catalogue text",
        key="pasted_yaml",
        height=220,
        max_chars=PASTE_LIMIT,
        placeholder="version: 1\norganisation: …",
        help=f"Up to {PASTE_LIMIT:,} characters; upload a larger catalogue as a file.",
    )
    check_pasted = st.button("Check the pasted text", key="check_pasted")
    if check_pasted and not pasted.strip():
        st.warning(
            "The box is empty: paste a catalogue's YAML into it, then check it.", icon=":material/info:"
        )
    if len(pasted) >= PASTE_LIMIT:
        st.warning(
            f"The pasted text reached the limit of {PASTE_LIMIT:,} characters, so its end was cut "
            f"off: upload the file instead (up to {megabytes(DEFAULT_MAX_BYTES)}).",
            icon=":material/content_cut:",
        )

candidate_name, candidate_content = None, None
if upload is not None:
    candidate_name, candidate_content = upload.name, upload.getvalue()
elif pasted.strip() and (check_pasted or st.session_state.get("checked_pasted") == pasted):
    st.session_state["checked_pasted"] = pasted
    candidate_name, candidate_content = "pasted.yaml", pasted.encode("utf-8")

if candidate_name is not None and candidate_content is not None:
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
