"""Edit: change an experience's measures, ambition, current tier, owner and handoff
owners, with a reason; saved as a new version (and into the catalogue file)."""

from __future__ import annotations

import contextlib

import streamlit as st

from board import access, editing, open_page, record, source
from board.show import MEASURE_INPUTS, pick_experience, plain, sentence, show_problems
from cxprio import CatalogueError, UsageError
from cxprio.catalogue.edit import Edit
from cxprio.catalogue.model import Tier
from cxprio.errors import StaleVersion, StoreError
from cxprio.store.saving import FileChanged, SameValues, save_edits
from cxprio.texts import field_words
from cxprio.units import as_written, field_label

TIERS = [None, *(t.value for t in Tier)]

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

with st.form("edit_form", border=True):
    st.markdown(
        f"**{plain(board.prepared.label_of[chosen])}** · {experience.level.value} · from version {kept.version}"
    )
    columns = st.columns(5)
    for column, (measure, (label, low, high, step, shown)) in zip(
        columns, MEASURE_INPUTS.items(), strict=True
    ):
        field = f"measures.{measure}"
        column.number_input(
            label,
            min_value=low,
            max_value=high,
            value=kept.values[field],
            step=step,
            format=shown,
            key=editing.widget_key(chosen, field),
            help="Empty: not measured yet",
        )
    row = st.columns(3)
    for column, field, label in ((row[0], "ambition", "Ambition"), (row[1], "current", "Current tier")):
        column.selectbox(
            label,
            TIERS,
            index=TIERS.index(kept.values[field]),
            format_func=lambda t: "—" if t is None else str(t).capitalize(),
            key=editing.widget_key(chosen, field),
        )
    owners = [None, *team_ids]
    row[2].selectbox(
        "End-to-end owner",
        owners,
        index=owners.index(kept.values["owner"]) if kept.values["owner"] in owners else 0,
        format_func=team_name.__getitem__,
        key=editing.widget_key(chosen, "owner"),
    )
    handoffs = [f for f in kept.values if f.startswith("steps[")]
    if handoffs:
        st.markdown("**Handoff owners**: who owns each handoff into a step")
        for index, field in enumerate(handoffs, start=1):
            before, into = experience.steps[index - 1], experience.steps[index]
            st.selectbox(
                f"{before.name} ({team_name.get(before.team, '—')}) → {into.name} ({team_name.get(into.team, '—')})",
                owners,
                index=owners.index(kept.values[field]) if kept.values[field] in owners else 0,
                format_func=team_name.__getitem__,
                key=editing.widget_key(chosen, field),
            )
    if experience.performance:
        st.markdown("**Performance**: what customers feel (perceive) and get (receive)")
        for index, performing in enumerate(experience.performance):
            unit = f" ({performing.unit})" if performing.unit else ""
            figures = st.columns([3, 2, 2, 2, 2])
            figures[0].markdown(
                f"{plain(performing.name)}{plain(unit)}  \n:small[{performing.kind}, {performing.better} is better]"
            )
            labels = {
                "value": "Value",
                "worst_tenth": "Worst tenth",
                "bad_share": "Share bad",
                "target": "Target",
            }
            for column, figure in zip(figures[1:], editing.PERFORMANCE_FIGURES, strict=True):
                column.number_input(
                    labels[figure],
                    min_value=0.0 if figure == "bad_share" else None,
                    max_value=1.0 if figure == "bad_share" else None,
                    value=kept.values[f"performance[{index}].{figure}"],
                    format="%g",
                    key=editing.widget_key(chosen, f"performance[{index}].{figure}"),
                    help="Give the worst tenth or the share bad, one of the two"
                    if figure != "target"
                    else None,
                )
    st.text_area("Why (saved with the change)", key=editing.RATIONALE_KEY, max_chars=500)
    submitted = st.form_submit_button("Save as a new version", type="primary", icon=":material/save:")


def save(started_from: int, edits: list[Edit], rationale: str, *, overwrite: bool = False) -> None:
    """Save, and say what happened; a refusal, or a store that cannot be reached, keeps
    the form with what was typed."""
    file = source.configured_path()
    try:
        store = where.store or record.open_store()
        saved = save_edits(
            store,
            edits,
            started_from=started_from,
            author=editor.name,
            rationale=rationale,
            teams=set(team_ids),
            file=file,
            file_sha256=where.file_sha256,
            overwrite=overwrite,
        )
    except FileChanged as refused:
        st.error(sentence(str(refused)), icon=":material/sync_problem:")
        return
    except StaleVersion as refused:
        with contextlib.suppress(StoreError):
            editing.remember_conflict(
                editing.Conflict(tuple(edits), rationale, editing.changed_since(store, kept), store.latest())
            )
        if not isinstance(refused, SameValues):  # the same values are named below, in words
            st.error(sentence(str(refused)), icon=":material/sync_problem:")
        return
    except CatalogueError as invalid:
        show_problems(invalid.problems)
        return
    except (UsageError, StoreError) as problem:
        st.error(sentence(str(problem)), icon=":material/error:")
        return
    changes = len(saved.edited.changes)
    editing.restart()
    others = sorted({v.author for v in saved.merged_over})
    editing.remember_done(
        f"Saved as version {saved.version.id}: {changes} value{'s' if changes != 1 else ''} changed"
        + (
            ", and the catalogue file written."
            if saved.wrote_file
            else " (the catalogue file is not written here)."
        )
        + (
            f" {' and '.join(others)} saved other values meanwhile (version"
            f"{'s' if len(saved.merged_over) > 1 else ''} {', '.join(str(v.id) for v in saved.merged_over)}): "
            "yours went on top, theirs are kept."
            if saved.merged_over
            else ""
        )
    )
    st.rerun()


if submitted:
    save(kept.version, editing.edits_of(kept), st.session_state.get(editing.RATIONALE_KEY, ""))

refused = editing.conflict()
if refused is not None:
    clash = sorted({e.field for e in refused.edits} & set(refused.others))
    with st.container(border=True):
        if clash:
            st.warning(
                "Someone saved the same values since you started: "
                + "; ".join(
                    f"{field_label(field)} to {refused.others[field][2]} by {refused.others[field][1]} "
                    f"(version {refused.others[field][0]})"
                    for field in clash
                )
                + ". Put yours over theirs, or start again from the latest version.",
                icon=":material/merge:",
            )
        if st.button("Put my values over theirs", type="primary", key="edit_apply_latest"):
            save(kept.version, list(refused.edits), refused.rationale, overwrite=True)
        if st.button("Start again from the latest version", key="edit_restart"):
            editing.restart()
            st.rerun()

st.subheader("Changes to this experience")
try:
    history = where.store.audit(experience=chosen)[-20:] if where.store is not None else []
except StoreError as problem:
    st.caption(f"The changes cannot be read just now: {plain(str(problem))}")
    st.stop()
if history:
    # A table that wraps: every reason read whole, the field in words.
    st.table(
        [
            {
                "Version": f"{row.version_id:,}",
                "When (UTC)": f"{row.created_at:%d %b %Y %H:%M}".replace(" ", "\u00a0"),
                "Who": plain(row.author),
                "Field": field_words(row.field),
                "Was": plain(as_written(row.old)),
                "Now": plain(as_written(row.new)),
                "Why": plain(row.rationale or ""),
            }
            for row in reversed(history)
        ],
        hide_index=True,
    )
else:
    st.caption("No recorded changes yet.")
