"""Field-level changes between two versions of a catalogue, for the audit trail.

:func:`field_changes` compares two catalogues value by value: each experience by its id
(``measures.reach``, ``ambition``, ``steps[2].handoff_owner`` ...), experiences that
arrive or leave, and the settings and teams around them (``experience`` is then
``None``). Values are given as text, as a person would type them in the YAML.
:class:`AuditRow` is such a change as the audit trail keeps it, with the version that
made it; it is plain data, so what reads the trail (:mod:`cxprio.method.compare`) needs
no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cxprio.catalogue.model import Catalogue, Experience

ADDED = "(added)"
"""The field of the change that records a new experience (or team); ``new`` is its name."""
REMOVED = "(removed)"
"""The field of the change that records an experience (or team) taken out; ``old`` is its name."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value that differs between two versions; ``None`` where there was none.
    ``note``: where the new value came from, when its edit said so."""

    experience: str | None
    field: str
    old: str | None
    new: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One field-level change with the version that made it: when, who and why, as the
    store's audit trail reads it back (:meth:`cxprio.store.versions.Store.audit`)."""

    version_id: int
    created_at: datetime
    author: str
    origin: str
    rationale: str
    experience: str | None
    field: str
    old: str | None
    new: str | None
    note: str | None = None
    """Where the value came from, when its save said so (``round ABC234: median of 5 numbers``)."""


def as_text(value: Any) -> str | None:
    """A value as it reads in YAML: ``None`` stays ``None``, a whole number has no ``.0``,
    a list or mapping is written inline."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


def _flat(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted path, leaf)`` pairs; lists of mappings by index, other lists whole."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flat(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        for index, item in enumerate(value):
            yield from _flat(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _compare(experience: str | None, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[FieldChange]:
    before, after = dict(_flat(old)), dict(_flat(new))
    for field in [*before, *(f for f in after if f not in before)]:
        a, b = as_text(before.get(field)), as_text(after.get(field))
        if a != b:
            yield FieldChange(experience, field, a, b)


def compare(experience: str, before: Experience, after: Experience) -> list[FieldChange]:
    """Every value of one experience that differs between two versions of it."""
    return list(_compare(experience, _dump(before), _dump(after)))


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return dumped


def field_changes(old: Catalogue | None, new: Catalogue) -> list[FieldChange]:
    """Every value that differs from ``old`` to ``new`` (all of ``new`` when ``old`` is
    ``None``, as one "added" change per experience): settings first, then teams, then
    experiences in the new catalogue's order, then those taken out."""
    if old is None:
        return [FieldChange(e.id, ADDED, None, e.name) for e in new.experiences]
    changes: list[FieldChange] = []
    for section in ("organisation", "scoring", "ambition"):
        changes += _compare(None, {section: _dump_field(old, section)}, {section: _dump_field(new, section)})
    old_teams = {t.id: t for t in old.teams}
    new_teams = {t.id: t for t in new.teams}
    for team_id, team in new_teams.items():
        if team_id not in old_teams:
            changes.append(FieldChange(None, f"teams.{team_id}.{ADDED}", None, team.name))
        else:
            changes += _compare(
                None, {f"teams.{team_id}": _dump(old_teams[team_id])}, {f"teams.{team_id}": _dump(team)}
            )
    changes += [
        FieldChange(None, f"teams.{team_id}.{REMOVED}", team.name, None)
        for team_id, team in old_teams.items()
        if team_id not in new_teams
    ]
    before = {e.id: e for e in old.experiences}
    after = {e.id: e for e in new.experiences}
    for experience_id, experience in after.items():
        previous = before.get(experience_id)
        if previous is None:
            changes.append(FieldChange(experience_id, ADDED, None, experience.name))
        elif previous != experience:
            changes += _compare(experience_id, _dump(previous), _dump(experience))
    changes += [
        FieldChange(experience_id, REMOVED, experience.name, None)
        for experience_id, experience in before.items()
        if experience_id not in after
    ]
    return changes


def _dump_field(catalogue: Catalogue, name: str) -> Any:
    value = getattr(catalogue, name)
    return _dump(value) if hasattr(value, "model_dump") else value
