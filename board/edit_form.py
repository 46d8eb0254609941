"""The Edit page's form, its save and what follows one: the values of one experience in
inputs (measures, ambition, owners, handoffs, performance figures), saving them as a
new version with a reason, the choice offered when someone saved the same values first,
and the experience's recent changes. The page (``pages/edit.py``) decides whether
editing is open and which experience; this module draws the rest."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

import streamlit as st

from cxprio import CatalogueError, UsageError
from cxprio.catalogue.edit import Edit
from cxprio.catalogue.model import Experience, Tier
from cxprio.errors import StaleVersion, StoreError
from cxprio.store.saving import FileChanged, SameValues, save_edits
from cxprio.texts import field_words
from cxprio.units import as_written, field_label

from . import access, editing, record, source
from .record import Record
from .show import MEASURE_INPUTS, plain, sentence, show_problems
from .state import Board

TIERS = [None, *(t.value for t in Tier)]


def form(
    board: Board,
    chosen: str,
    experience: Experience,
    kept: editing.Base,
    team_ids: Sequence[str],
    team_name: Mapping[str | None, str],
) -> bool:
    """The form with the experience's values as of ``kept``; True when it was submitted."""
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

    return submitted


def save(
    where: Record,
    editor: access.Editor,
    kept: editing.Base,
    team_ids: Sequence[str],
    started_from: int,
    edits: list[Edit],
    rationale: str,
    *,
    overwrite: bool = False,
) -> None:
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


def conflict_box(where: Record, editor: access.Editor, kept: editing.Base, team_ids: Sequence[str]) -> None:
    """After a refused save: what the others saved, and the two ways on."""
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
                save(
                    where,
                    editor,
                    kept,
                    team_ids,
                    kept.version,
                    list(refused.edits),
                    refused.rationale,
                    overwrite=True,
                )
            if st.button("Start again from the latest version", key="edit_restart"):
                editing.restart()
                st.rerun()


def changes(where: Record, chosen: str) -> None:
    """The experience's last 20 changes, newest first, in a table that wraps."""
    st.subheader("Changes to this experience")
    try:
        history = where.store.audit(experience=chosen)[-20:] if where.store is not None else []
    except StoreError as problem:
        st.caption(f"The changes cannot be read just now: {plain(str(problem))}")
        return
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
