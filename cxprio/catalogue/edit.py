"""Changing a few values of a catalogue in its YAML text, in place.

An edit replaces only the text of the value it changes (or adds one ``key: value``
where the key is missing), so comments, key order and layout survive and a diff of the
file shows just the change. :func:`apply_edits` finds the experience's entry in the
text, changes it, and checks the changed entry by the rules the whole file is checked
by (:class:`cxprio.catalogue.model.Experience`, and that the teams it names exist), before
anything is written; its :class:`Edited` result carries the new text and the
field-level changes for the audit trail.

What can be edited (:data:`EDITABLE`): the five measures (``measures.reach`` ...) and
their evidence (``evidence.reach`` ...), ``ambition``, ``current``, ``owner``, each step's handoff owner
(``steps[N].handoff_owner``) and the figures of each performance measure
(``performance[N].value``, ``.worst_tenth``, ``.bad_share``, ``.target``). ``None`` as a value writes ``null``: the value is then
missing, as if the key were absent.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from cxprio.catalogue.audit import FieldChange, compare
from cxprio.catalogue.model import MEASURES, Experience
from cxprio.catalogue.safeyaml import read_yaml
from cxprio.errors import CatalogueError, Problem, ProblemLevel, UsageError
from cxprio.texts import quoted

try:  # libyaml when installed, as the safe reader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

EDITABLE = (
    *(f"measures.{m}" for m in MEASURES),
    *(f"evidence.{m}" for m in MEASURES),
    "ambition",
    "current",
    "owner",
)
"""The fields an edit may change, besides ``steps[N].handoff_owner``."""
_STEP_FIELD = re.compile(r"steps\[(\d+)\]\.handoff_owner")
_PERFORMANCE_FIELD = re.compile(r"performance\[(\d+)\]\.(value|worst_tenth|bad_share|target)")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Edit:
    """Set ``field`` of the experience ``experience`` (its id) to ``value``. ``note``:
    where the value came from, kept with its change in the audit trail (``round ABC234:
    median of 5 numbers``)."""

    experience: str
    field: str
    value: float | int | str | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """An experience's entry an edit changed: its first line and its length in lines
    in the text before (``line``, ``lines_before``), its length after, and its text
    after (from the start of its first line)."""

    experience: str
    line: int
    lines_before: int
    lines_after: int
    block: str


@dataclass(frozen=True, slots=True)
class Edited:
    """The catalogue text after the edits, every value they changed, and the changed
    experiences and entries (so the catalogue after the edits can be made from the one
    before without reading the whole text again: :func:`cxprio.catalogue.loading.after_edits`)."""

    text: str
    changes: tuple[FieldChange, ...]
    experiences: Mapping[str, Experience] = dataclasses.field(default_factory=dict)
    entries: tuple[Entry, ...] = ()


def path_of(field: str) -> Path:
    """An editable field as a path inside its experience; :class:`UsageError` otherwise."""
    if field in EDITABLE:
        return tuple(field.split("."))
    step = _STEP_FIELD.fullmatch(field)
    if step:
        return ("steps", int(step.group(1)), "handoff_owner")
    performance = _PERFORMANCE_FIELD.fullmatch(field)
    if performance:
        return ("performance", int(performance.group(1)), performance.group(2))
    raise UsageError(
        f"{quoted(field)} cannot be edited; editable: {', '.join(EDITABLE)}, steps[N].handoff_owner "
        "and performance[N].value, .worst_tenth, .bad_share, .target"
    )


def render(value: float | int | str | None) -> str:
    """A value as YAML text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        raise UsageError("a true/false value is not an editable value")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise UsageError(f"{value} is not a number that can be stored")
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML string


def apply_edits(
    text: str, edits: Sequence[Edit], *, teams: Collection[str], source: str = "<catalogue>"
) -> Edited:
    """``text`` with every edit made in place, checked; raises :class:`UsageError` for a
    field that cannot be edited or an experience that is not there, and
    :class:`CatalogueError` (every problem, with its line) when a changed entry breaks a
    rule. ``teams`` are the catalogue's team ids, which owners must be among."""
    by_experience: dict[str, list[Edit]] = {}
    for edit in edits:
        path_of(edit.field)  # refuse what cannot be edited before doing anything
        by_experience.setdefault(edit.experience, []).append(edit)
    located = sorted(((_entry(text, e), e) for e in by_experience), reverse=True)
    changes: list[FieldChange] = []
    experiences: dict[str, Experience] = {}
    entries: list[Entry] = []
    for (start, end, indent), experience_id in located:  # from the end, so offsets hold
        block = " " * indent + text[start:end]
        first_line = functools.partial(lambda t, at: t.count("\n", 0, at) + 1, text, start)
        new_block, before, after = _edit_entry(block, by_experience[experience_id], teams, source, first_line)
        text = text[:start] + new_block[indent:] + text[end:]
        changes[:0] = compare(experience_id, before, after)
        experiences[experience_id] = after
        entries.insert(
            0, Entry(experience_id, first_line(), block.count("\n") + 1, new_block.count("\n") + 1, new_block)
        )
    return Edited(text, tuple(changes), experiences, tuple(entries))


# --- finding an experience's entry -----------------------------------------------------


def _entry(text: str, experience_id: str) -> tuple[int, int, int]:
    """``(start, end, indent)`` of the experience's entry: from the start of the line of
    its ``- id:`` to the end of its last line, the column the entry starts at. Written
    otherwise (``id`` not the first key, a flow list), the whole text is read instead."""
    pattern = re.compile(
        rf"^(?P<indent>[ \t]*)-[ \t]+(?:\{{[ \t]*)?id:[ \t]*(?P<q>['\"]?){re.escape(experience_id)}(?P=q)[ \t]*(?:[,}}#]|$)",
        re.MULTILINE,
    )
    for match in _candidates(text, experience_id, pattern):
        start = match.start()
        end = _entry_end(text, match.end(), len(match.group("indent")))
        if _id_of(text[start:end]) == experience_id:
            return start, end, 0
    return _entry_by_events(text, experience_id)


def _candidates(text: str, experience_id: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The lines that match ``pattern``, found fast: only lines holding the id are tried
    (a text search, where the pattern run over 6 MB of text takes ten times as long)."""
    at = text.find(experience_id)
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        match = pattern.match(text, line)
        if match is not None:
            yield match
        end = text.find("\n", at)
        if end < 0:
            return
        at = text.find(experience_id, end)


def _entry_end(text: str, position: int, indent: int) -> int:
    """Where a block list item that starts at column ``indent`` ends: at the end of its
    last line that is indented more than the item (blank lines and comments at or left
    of its column belong to what follows)."""
    end = text.find("\n", position)
    if end < 0:
        return len(text)
    last = end
    cursor = end + 1
    while cursor < len(text):
        line_end = text.find("\n", cursor)
        line_end = len(text) if line_end < 0 else line_end
        line = text[cursor:line_end]
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            if len(line) - len(stripped) <= indent:
                break
            last = line_end
        elif stripped.startswith("#") and len(line) - len(stripped) <= indent:
            break
        cursor = line_end + 1
    return last


def _id_of(block: str) -> str | None:
    """The id of the entry in ``block``, read by the safe reader (``None`` if it is not one)."""
    try:
        data = read_yaml(block).data
    except CatalogueError:
        return None
    item = data[0] if isinstance(data, list) and data else data
    return str(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else None


def _entry_by_events(text: str, experience_id: str) -> tuple[int, int, int]:
    """:func:`_entry` for any layout: the experience's mapping as the parser finds it in
    the whole text, from its first key to the end of its last value."""
    scalars, mappings = _layout(text)
    for path, (_start, _end, value) in scalars.items():
        if len(path) == 3 and path[0] == "experiences" and path[2] == "id" and value == experience_id:
            mapping = mappings[path[:2]]
            end = mapping.end if mapping.flow else mapping.last_end
            column = mapping.start - (text.rfind("\n", 0, mapping.start) + 1)
            return mapping.start, end, column
    raise UsageError(f"there is no experience {quoted(experience_id)} in the catalogue")


# --- changing the entry ------------------------------------------------------------------


@dataclass
class _Mapping:
    """Where a mapping of an entry is: its marks, whether it is written ``{inline}``, the
    column of its keys, where its last value ends, and how many entries it has."""

    start: int
    flow: bool
    end: int = -1
    key_column: int | None = None
    last_end: int = 0
    entries: int = 0


@dataclass
class _Frame:
    path: Path
    mapping: _Mapping | None  # None for a list
    flow: bool
    key: Any = None
    expecting_key: bool = True
    index: int = 0


def _marks(event: Any) -> tuple[int, int, int]:
    """An event's start and end in the text, and the column it starts at."""
    start, end = event.start_mark, event.end_mark
    assert start is not None and end is not None  # the parser marks every event
    return start.index, end.index, start.column


def _layout(block: str) -> tuple[dict[Path, tuple[int, int, str]], dict[Path, _Mapping]]:
    """Where each scalar value and each mapping of an entry is, by its path:
    ``{(0, "measures", "reach"): (start, end, text)}``, ``{(0, "measures"): mapping}``."""
    scalars: dict[Path, tuple[int, int, str]] = {}
    mappings: dict[Path, _Mapping] = {}
    stack: list[_Frame] = []

    def reached(index: int) -> None:  # a value of every open mapping ends here
        for frame in stack:
            if frame.mapping is not None:
                frame.mapping.last_end = max(frame.mapping.last_end, index)

    for event in yaml.parse(block, Loader=_Loader):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            _, end, _ = _marks(event)
            if frame.mapping is not None:
                frame.mapping.end = end
            if frame.flow:
                reached(end)
            continue
        if not isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            continue
        path: Path = ()
        if stack:
            frame = stack[-1]
            if frame.mapping is not None and frame.expecting_key:
                if not isinstance(event, yaml.ScalarEvent):
                    raise UsageError("this entry has a key that is not text: edit the file by hand")
                frame.key, frame.expecting_key = event.value, False
                if frame.mapping.key_column is None:
                    frame.mapping.key_column = _marks(event)[2]
                continue
            if frame.mapping is not None:
                path, frame.expecting_key = (*frame.path, frame.key), True
                frame.mapping.entries += 1
            else:
                path, frame.index = (*frame.path, frame.index), frame.index + 1
        start, end, _ = _marks(event)
        if isinstance(event, yaml.ScalarEvent):
            scalars[path] = (start, end, event.value)
            reached(end)
        else:
            flow = bool(event.flow_style)
            mapping = _Mapping(start, flow) if isinstance(event, yaml.MappingStartEvent) else None
            if mapping is not None:
                mappings[path] = mapping
            stack.append(_Frame(path, mapping, flow))
    return scalars, mappings


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def _insert(block: str, mapping: _Mapping, key: str, value: str) -> str:
    """``block`` with ``key: value`` added at the end of ``mapping``."""
    if mapping.flow:
        close = block.rindex("}", mapping.start, mapping.end)
        before = block[:close].rstrip()
        separator = "" if mapping.entries == 0 else ", "
        return f"{before}{separator}{key}: {value}{' ' if block[close - 1] == ' ' else ''}{block[close:]}"
    column = mapping.key_column or 0
    at = _line_end(block, mapping.last_end)
    return f"{block[:at]}\n{' ' * column}{key}: {value}{block[at:]}"


def _edit_entry(
    block: str, edits: list[Edit], teams: Collection[str], source: str, first_line: Callable[[], int]
) -> tuple[str, Experience, Experience]:
    """The entry with the edits made, and the experience before and after."""
    before = _experience(block, source, first_line, teams, check_teams=False)
    item: Path = (0,) if block.lstrip().startswith("-") else ()
    for edit in edits:
        path = path_of(edit.field)
        scalars, mappings = _layout(block)
        value = render(edit.value)
        full = (*item, *path)
        if full in scalars:
            start, end, _ = scalars[full]
            block = block[:start] + value + block[end:]
        elif edit.value is None:
            continue  # missing already
        elif (*item, *path[:-1]) in mappings:
            block = _insert(block, mappings[(*item, *path[:-1])], str(path[-1]), value)
        elif len(path) == 2 and (*item,) in mappings:  # no measures at all yet
            block = _insert(block, mappings[(*item,)], str(path[0]), f"{{{path[1]}: {value}}}")
        else:
            raise UsageError(f"{edit.experience} has no {'.'.join(map(str, path[:-1]))} to change")
    after = _experience(block, source, first_line, teams, check_teams=True)
    for edit in edits:
        got = _value_at(after, path_of(edit.field))
        wanted = edit.value
        same = (
            got == wanted
            if not isinstance(wanted, (int, float)) or wanted is None
            else got is not None and math.isclose(float(got), float(wanted))
        )
        if not same:  # the text would not read back as the value: never write it
            raise UsageError(f"{edit.field} of {edit.experience} cannot be written as {quoted(wanted)}")
    return block, before, after


def _value_at(experience: Experience, path: Path) -> Any:
    value: Any = experience
    for step in path:
        value = value[step] if isinstance(step, int) else getattr(value, str(step))
    return value


def _experience(
    block: str, source: str, first_line: Callable[[], int], teams: Collection[str], *, check_teams: bool
) -> Experience:
    """The entry read by the safe reader and checked as the whole file's entries are."""
    document = read_yaml(block, file=source)
    data = document.data
    item = data[0] if isinstance(data, list) and len(data) == 1 else data

    def problem(message: str, path: Path, hint: str = "") -> Problem:
        where = document.locate((0, *path) if isinstance(data, list) else path)
        line, column = where if where else (None, None)
        experience = item.get("id", "?") if isinstance(item, dict) else "?"
        return Problem(
            ProblemLevel.ERROR,
            message,
            file=source,
            line=None if line is None else line + first_line() - 1,  # counted only for a problem
            column=column,
            field=f"{experience}: {'.'.join(map(str, path))}" if path else str(experience),
            hint=hint,
            code="edit",
            path=path,
        )

    problems = list(document.refusals)
    if not isinstance(item, dict):
        raise CatalogueError([problem("this entry is not an experience", ())])
    try:
        experience = Experience.model_validate(item)
    except ValidationError as exc:
        problems += [
            problem(
                error["msg"], tuple(error["loc"]), "give a value the catalogue allows (docs/catalogue.md)"
            )
            for error in exc.errors()
        ]
        raise CatalogueError(problems) from None
    if check_teams:
        named = [(("owner",), experience.owner)] + [
            (("steps", i, "handoff_owner"), step.handoff_owner) for i, step in enumerate(experience.steps)
        ]
        problems += [
            problem(f"unknown team {quoted(team)}", path, "choose one of the catalogue's teams")
            for path, team in named
            if team is not None and team not in teams
        ]
    if problems:
        raise CatalogueError(problems)
    return experience
