"""Edit: change an experience's measures, ambition, current tier, owner and handoff
owners, with a reason; saved as a new version (and into the catalogue file)."""

from __future__ import annotations

import streamlit as st

from board import access, edit_form, editing, open_page, source
from board.show import pick_experience, sentence

board = open_page("Edit")
st.title("Edit an experience")
st.caption(
    "Every save is a new version with its reason; the catalogue file is written too, with only "
    "the changed values. Nobody's save is overwritten: if someone saved other values meanwhile, "
    "yours go on top; if they saved the same values, you decide."
)
message = editing.done()
if message:
    st.success(message, icon=":material/check_circle:")

who = access.editor()
where = board.record
if who is None:
    st.stop()
editor: access.Editor = who
editing_already = editing.kept()
if (where.store is None or where.version is None) and (editing_already is None or where.importing):
    st.info(
        "Editing is open once the catalogue is in the store: "
        + (
            "its file is being saved as a new version, click again in a moment."
            if where.importing
            else "see above."
        ),
        icon=":material/hourglass:",
    )
    st.stop()
if source.using_upload():
    st.info(
        "An uploaded catalogue is this session's only: go back to the file to edit.", icon=":material/info:"
    )
    st.stop()

if where.store is None or where.version is None:
    # The form stays, with what was typed: a save is tried again when asked.
    st.warning(
        "The store cannot be reached just now"
        + (f" ({sentence(str(where.problem)).rstrip('.')})" if where.problem else "")
        + ". What you typed is kept: save again once it is back.",
        icon=":material/cloud_off:",
    )

catalogue = board.catalogue
ranked = [str(i) for i in board.table["id"]]
chosen = pick_experience(st, "Experience", ranked, board.prepared.label_of, "edit_experience")
if chosen is None:
    st.stop()
experience = catalogue.experience(chosen)
found_base = editing.base(experience, where.version)
if found_base is None:
    st.info("Pick the experience again once the store is back.", icon=":material/hourglass:")
    st.stop()
kept: editing.Base = found_base
teams = board.prepared.team_labels
team_ids = [t for t in teams if t is not None]
team_name: dict[str | None, str] = {None: "—", **{t: teams[t] for t in team_ids}}

submitted = edit_form.form(board, chosen, experience, kept, team_ids, team_name)
if submitted:
    edit_form.save(
        where, editor, kept, team_ids, kept.version, editing.edits_of(kept),
        st.session_state.get(editing.RATIONALE_KEY, ""),
    )  # fmt: skip
edit_form.conflict_box(where, editor, kept, team_ids)
edit_form.changes(where, chosen)
