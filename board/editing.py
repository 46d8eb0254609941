"""The Edit page's state: which version an edit started from, what the person changed,
and what to do when someone else saved first.

An edit starts from the version on screen when the experience was picked
(:class:`Base`, kept in the session): the form shows that version's values, and a save
names that version, so a save made meanwhile by anyone (another session, another
replica, a ``git pull``) is never overwritten: a save goes on top of it when it changed
other values, and is refused when it changed the same ones. On such a refusal the form
keeps what the person typed, and the page offers to put the person's values over the
others' or to start again from the latest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from cxprio.catalogue.edit import Edit
from cxprio.catalogue.model import MEASURES, Experience
from cxprio.store.versions import Store, Version

from .show import keep_message, message_once

_BASE = "edit_base"  # session key: the Base of the experience being edited
_CONFLICT = "edit_conflict"  # session key: a refused save's Conflict
_DONE = "edit_done"  # session key: what the last save did, shown once
RATIONALE_KEY = "edit_rationale"  # the form's "why" box
PERFORMANCE_FIGURES = ("value", "worst_tenth", "bad_share", "target")


@dataclass(frozen=True)
class Base:
    """The version an edit started from, the experience, and its values then."""

    version: int
    experience: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Conflict:
    """A save refused because someone saved the same values since it started."""

    edits: tuple[Edit, ...]
    rationale: str
    others: dict[str, tuple[int, str, str | None]]  # field -> (version, author, new value) since the base
    latest: Version | None


def values_of(experience: Experience) -> dict[str, Any]:
    """The editable values of an experience, by field (as :mod:`cxprio.catalogue.edit` names them)."""
    values: dict[str, Any] = {f"measures.{m}": getattr(experience.measures, m) for m in MEASURES}
    values["ambition"] = experience.ambition.value if experience.ambition else None
    values["current"] = experience.current.value if experience.current else None
    values["owner"] = experience.owner
    for index, step in enumerate(experience.steps):
        if index:  # a handoff leads into every step but the first
            values[f"steps[{index}].handoff_owner"] = step.handoff_owner
    for index, measure in enumerate(experience.performance):
        for figure in PERFORMANCE_FIGURES:
            values[f"performance[{index}].{figure}"] = getattr(measure, figure)
    return values


def base(experience: Experience, on_screen: Version | None) -> Base | None:
    """The session's base for ``experience``: kept while it is being edited, taken from
    the version on screen when it is first picked (or after a save); ``None`` when it is
    new and no version is on screen (the store cannot be reached)."""
    kept = st.session_state.get(_BASE)
    if not isinstance(kept, Base) or kept.experience != experience.id:
        if on_screen is None:
            return None
        kept = Base(on_screen.id, experience.id, values_of(experience))
        st.session_state[_BASE] = kept
    return kept


def kept() -> Base | None:
    """The base of the edit in progress in this session, if any."""
    found = st.session_state.get(_BASE)
    return found if isinstance(found, Base) else None


def restart() -> None:
    """Forget the base, a conflict and the form's values: the next run starts from the
    latest version."""
    kept = st.session_state.pop(_BASE, None)
    st.session_state.pop(_CONFLICT, None)
    st.session_state.pop(RATIONALE_KEY, None)
    if isinstance(kept, Base):
        for field in kept.values:
            st.session_state.pop(widget_key(kept.experience, field), None)


def widget_key(experience: str, field: str) -> str:
    return f"edit_{experience}_{field}"


def edits_of(kept: Base) -> list[Edit]:
    """What the person changed in the form, from the base's values."""
    edits = []
    for field, before in kept.values.items():
        now = st.session_state.get(widget_key(kept.experience, field), before)
        if now != before and not (now is None and before is None):
            edits.append(Edit(kept.experience, field, now))
    return edits


def changed_since(store: Store, kept: Base) -> dict[str, tuple[int, str, str | None]]:
    """The fields of the experience that versions after the base changed: field ->
    (version, author, new value), the newest change of each."""
    changed: dict[str, tuple[int, str, str | None]] = {}
    for row in store.audit(after=kept.version, experience=kept.experience):
        changed[row.field] = (row.version_id, row.author, row.new)
    return changed


def remember_conflict(conflict: Conflict) -> None:
    st.session_state[_CONFLICT] = conflict


def conflict() -> Conflict | None:
    found = st.session_state.get(_CONFLICT)
    return found if isinstance(found, Conflict) else None


def remember_done(message: str) -> None:
    keep_message(_DONE, message)


def done() -> str | None:
    """What the last save did, once."""
    return message_once(_DONE)
