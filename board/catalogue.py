"""The Catalogue page's parts: the catalogue's warnings, and another catalogue to
check, uploaded or pasted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cxprio.catalogue.loading import DEFAULT_MAX_BYTES, LoadedCatalogue, megabytes

from .show import csv_download, plain, visible

WARNINGS_SHOWN = 50  # one list on the page; the download has them all

PASTE_LIMIT = 2_000_000
"""Characters the browser lets anyone paste, which keeps every paste far below the size
of message Streamlit's connection carries; larger catalogues are uploaded."""


def show_warnings(loaded: LoadedCatalogue) -> None:
    """The catalogue's warnings, the first :data:`WARNINGS_SHOWN` in an expander, all of
    them as a download; nothing when it has none."""
    if not loaded.warnings:
        return
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


def candidate() -> tuple[str, bytes] | None:
    """Another catalogue to check: the file uploaded, else the text pasted once its
    check was asked for (and as long as it is unchanged), as a name and its bytes."""
    upload = st.file_uploader("Catalogue (YAML)", type=["yaml", "yml"], key="upload")
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
    if upload is not None:
        return upload.name, upload.getvalue()
    if pasted.strip() and (check_pasted or st.session_state.get("checked_pasted") == pasted):
        st.session_state["checked_pasted"] = pasted
        return "pasted.yaml", pasted.encode("utf-8")
    return None
