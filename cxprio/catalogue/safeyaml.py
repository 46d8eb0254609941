"""Reading untrusted YAML safely, keeping the line of every value.

The catalogue is written by hand and uploaded by strangers, so the reader is strict:

* only plain data: mappings, sequences, strings, numbers, booleans and null; any
  explicit tag other than the core ones (``!!python/object/apply:...``, ``!!binary``)
  is refused;
* no anchors or aliases (the "billion laughs" attack is refused at the first alias);
* no duplicate keys (PyYAML silently keeps the last one);
* no YAML 1.1 surprises: ``NO``, ``on``, ``yes`` are not read as booleans, only
  ``true``/``false`` are; ``010`` is ten, not octal eight; ``1e6`` is a number;
* a value nested deeper than ``max_depth`` is refused, and read past with a count, not a
  stack.

The file itself is read before (:mod:`cxprio.catalogue.files`: a regular file only,
refused above its size cap before it is read, then UTF-8).

Every refusal is collected and reading goes on, so one pass reports them all: a refused
value is kept as :data:`REFUSED` (and its path in :attr:`Document.refused`, so the schema
does not report it a second time), a duplicate key keeps its first value, a value nested
too deep is read past without being built. Only what leaves no sensible way on stops the
reading: invalid YAML syntax, a list or mapping used as a key, a second document, more
values or list items than the limits allow (:mod:`cxprio.catalogue.limits`), or more than
:data:`MAX_REFUSALS` refusals.

It walks the parser's event stream itself (libyaml's C parser when available), which is
both faster than PyYAML's Python constructor and the only place all the above can be
checked with positions. Positions are kept per container, not per value, and looked up
only when a message needs one (:meth:`Document.locate`).

One module of about 900 lines, on purpose: the walk over the events, its refusals, its
limits and the positions it keeps share one stack and one set of rules about what is
refused, and each part reads only beside the others.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from cxprio.catalogue.limits import (
    CONTAINER_WEIGHT,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_EXPERIENCES,
    MAX_REFUSALS,
    QUOTED_LENGTH,
)
from cxprio.catalogue.limits import max_values as limits_max_values
from cxprio.errors import CatalogueError, Problem, ProblemLevel, in_file_order
from cxprio.texts import quoted

try:  # libyaml's C parser is much faster; the pure-Python one is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

DEFAULT_MAX_DEPTH = MAX_DEPTH
CATALOGUE_LISTS: Mapping[str, int] = {"experiences": MAX_EXPERIENCES}
"""The lists under a catalogue's top level whose items are counted as they are read,
and the most each may hold."""
_NESTING_RETRIES = 4
"""How many times a file is read again after libyaml's own nesting limit stopped it
(:func:`_blank_deep_flow`): each time, one more too-deep flow collection is read past."""


class _Refused:
    """The value of anything the reader refused: not text, a number or a container, so
    every later check skips it; only the refusal itself is reported."""

    _instance: _Refused | None = None

    def __new__(cls) -> _Refused:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<refused>"


REFUSED: Any = _Refused()

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_CORE}map", f"{_CORE}seq", "!"}
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
# PyYAML reads these as booleans (YAML 1.1); "y" and "n" it reads as text, and so do we.
_YAML11_BOOLS = {w for word in ("yes", "no", "on", "off") for w in (word, word.capitalize(), word.upper())}
_INT = re.compile(r"[-+]?(?:0|[0-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = set("0123456789+-.")
_SPECIAL_WORDS = _NULLS | _TRUE | _FALSE | _YAML11_BOOLS
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


@dataclass(slots=True)
class _Where:
    """Where a container starts, and where each of its keys or items starts, each as the
    index of its first character in the text.

    An index is what is kept of the parser's marks (an int, a fifth of a mark's memory;
    a list's items' in an array, an eighth); :class:`_Lines` turns it into a line and
    column only when a message needs one. A mapping has no items and a list no keys:
    they share one empty container (:data:`_NONE_KEYED`, :data:`_NONE_LISTED`), never
    added to, rather than each holding one.
    """

    start: int
    keys: dict[Any, int]
    items: array[int]


_NONE_KEYED: dict[Any, int] = {}
_NONE_LISTED: array[int] = array("q")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""A line break, as libyaml counts lines: CR LF is one."""
_LF = re.compile("\n")


class _Lines:
    """The line and column of a character of ``text`` by its index, as the parser's
    marks give them; the lines are found once, when a position is first asked for."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: array[int] | None = None

    def position(self, index: int) -> Position:
        """The 1-based line and column of the character at ``index``."""
        if self._starts is None:
            text = self._text
            # Most files break lines with LF alone, found four times as fast on its own.
            breaks = _BREAK if any(other in text for other in "\r\x85\u2028\u2029") else _LF
            self._starts = array("q", [0])
            self._starts.extend(found.end() for found in breaks.finditer(text))
        line = bisect_right(self._starts, index) - 1
        return line + 1, index - self._starts[line] + 1


@dataclass(slots=True)
class Document:
    """Plain Python data read from YAML, with a way back to line and column.

    ``refusals`` holds every value the reader refused, as problems in file order;
    ``refused`` holds the paths of refused values (each now :data:`REFUSED`), so later
    checks can leave them to the refusal.

    It keeps where each value starts, per container (``_where``), and its text's lines
    (``_lines``).
    """

    data: Any
    file: str
    _where: dict[int, _Where] | None
    refusals: tuple[Problem, ...] = ()
    refused: tuple[Path, ...] = ()
    _lines: _Lines | None = None

    def is_refused(self, path: Sequence[str | int]) -> bool:
        """True when ``path`` is a refused value or lies inside one."""
        path = tuple(path)
        return any(path[: len(refused)] == refused for refused in self.refused)

    def locate(self, path: Sequence[str | int]) -> Position | None:
        """The position of the value at ``path``, or of its nearest existing ancestor.

        A path into a missing key (a required field that is absent) lands on the mapping
        that should hold it, which is where the user has to add it.
        """
        if self._where is None:
            return None
        node: Any = self.data
        where = self._where.get(id(node))
        found: Any = where.start if where else None
        for step in path:
            if where is None:
                break
            if isinstance(node, dict) and step in node:
                found = where.keys.get(step, found)
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                found = where.items[step] if step < len(where.items) else found
                node = node[step]
            else:
                break
            where = self._where.get(id(node)) if isinstance(node, (dict, list)) else None
        return self._lines.position(found) if found is not None and self._lines is not None else None


def format_path(path: Sequence[str | int]) -> str:
    """``("experiences", 3, "measures", "depth")`` -> ``experiences[3].measures.depth``.

    A key that is long, or holds a character that does not print (a control character,
    a bidirectional control), is quoted and cut short (:func:`cxprio.texts.quoted`): a
    key is the file's text, shown back in every message about what lies under it."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            key = str(step)
            key = key if len(key) <= QUOTED_LENGTH and key.isprintable() else quoted(key)
            text += f".{key}" if text else key
    return text


def _shortened(name: str | None) -> str:
    """An anchor's name as a message shows it: cut short, like a quoted value."""
    name = name or ""
    return name if len(name) <= QUOTED_LENGTH and name.isprintable() else quoted(name)


class _Refusal(Exception):
    def __init__(self, message: str, mark: Any, path: Path, hint: str, code: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.path, self.hint, self.code = message, mark, path, hint, code

    def problem(self, file: str) -> Problem:
        return Problem(
            ProblemLevel.ERROR,
            self.message,
            file=file,
            line=self.mark.line + 1,
            column=self.mark.column + 1,
            field=format_path(self.path),
            hint=self.hint,
            code=self.code,
            path=self.path,
        )


class _Stop(Exception):
    """Reading cannot go on: ``refusals`` were collected before ``fatal``."""

    def __init__(self, refusals: list[_Refusal], fatal: _Refusal | None = None) -> None:
        super().__init__("stop")
        self.refusals, self.fatal = refusals, fatal


class _TooNested(Exception):
    """libyaml reached its own nesting limit (1,000 levels), which stops its parser for
    good. ``open`` holds where each container open then starts and how deep it is;
    ``after`` is where the last event read ends; ``inside`` is the first flow collection
    of a too-deep value being skipped, when there is one (see :func:`_blank_deep_flow`)."""

    def __init__(
        self, mark: Any, open: list[tuple[int, int]], after: int, inside: tuple[int, int] | None
    ) -> None:
        super().__init__("nested beyond libyaml's limit")
        self.mark, self.open, self.after, self.inside = mark, open, after, inside
        self.refusals: list[_Refusal] = []  # those found before it


class _Discarded:
    """The key of a duplicate entry: its value is read (to keep going) and then dropped."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class _Limits:
    max_depth: int
    max_values: int
    listed: Mapping[str, int]


def _scalar(event: yaml.ScalarEvent, stack: list[list[Any]]) -> Any:
    value: str = event.value
    tag = event.tag
    if tag is not None and tag != "!" and tag not in _SCALAR_TAGS:
        raise _Refusal(
            f"the tag {quoted(tag)} is not allowed",
            event.start_mark,
            _path(stack),
            "remove the tag: a catalogue holds only plain text, numbers, true/false and null",
            "yaml-tag",
        )
    if event.style or tag in (f"{_CORE}str", "!"):  # quoted, block scalar, or !!str: text
        return value
    if (tag is None or tag == f"{_CORE}null") and value in _NULLS:
        return None
    if value[:1] in _NUMBER_START:
        if _INT.fullmatch(value):
            try:
                return int(value.replace("_", ""))
            except ValueError:  # more digits than Python converts (4,300)
                raise _Refusal(
                    f"this number has {len(value):,} digits, more than can be read",
                    event.start_mark,
                    _path(stack),
                    "write a number of a sensible size, such as 1200000 or 1.2e6",
                    "yaml-number",
                ) from None
        if _FLOAT.fullmatch(value) and any(c.isdigit() for c in value):
            return float(value.replace("_", ""))
        if value.lower() in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value.lower()]
    elif value in _TRUE:
        return True
    elif value in _FALSE:
        return False
    elif value in _YAML11_BOOLS:
        raise _Refusal(
            f"{value!r} is ambiguous: older YAML reads it as a boolean",
            event.start_mark,
            _path(stack),
            f'put it in quotes ("{value}") if you mean the text, or write true/false',
            "yaml-bool",
        )
    if tag is not None and tag != f"{_CORE}str":
        raise _Refusal(
            f"{quoted(value)} is not a valid {tag.rsplit(':', 1)[-1]}",
            event.start_mark,
            _path(stack),
            "remove the tag or correct the value",
            "yaml-tag",
        )
    return value


def _path(stack: list[list[Any]], pending: Any = None) -> Path:
    """The path of the value the parser is at, rebuilt from the stack on demand."""
    path: list[str | int] = [frame[2] for frame in stack[1:]]
    if stack:
        container, _, _, key = stack[-1]
        if type(container) is dict:
            if key is not _NO_KEY:
                path.append(key)
            elif pending is not None:
                path.append(pending)
        else:
            path.append(len(container))
    return tuple(path)


_NO_KEY: Any = object()


@dataclass(slots=True)
class _Collected:
    """What one read gathered besides the data."""

    refusals: list[_Refusal] = field(default_factory=list)
    refused: list[Path] = field(default_factory=list)  # paths now holding REFUSED
    discarded: list[tuple[dict[Any, Any], _Discarded]] = field(default_factory=list)

    def add(self, refusal: _Refusal, *, value_refused: bool = True) -> None:
        self.refusals.append(refusal)
        if value_refused:
            self.refused.append(refusal.path)
        if len(self.refusals) >= MAX_REFUSALS:
            raise _Stop(
                self.refusals,
                _Refusal(
                    f"reading stopped after {MAX_REFUSALS} problems",
                    refusal.mark,
                    (),
                    "fix the problems above and check the file again",
                    "yaml-too-many",
                ),
            )


def _too_deep(max_depth: int, mark: Any, stack: list[list[Any]]) -> _Refusal:
    return _Refusal(
        f"the YAML is nested more than {max_depth} levels deep",
        mark,
        _path(stack),
        "flatten the structure: a catalogue needs only a few levels",
        "yaml-depth",
    )


def _too_many_values(max_values: int, mark: Any, stack: list[list[Any]]) -> _Refusal:
    return _Refusal(
        f"the file holds more than {max_values:,} values (each key, text, number, list and "
        f"mapping counts; a list or mapping counts as {CONTAINER_WEIGHT}), more than a catalogue "
        "of its size can: reading stopped here",
        mark,
        _path(stack),
        "check that this is a catalogue; if it is, split it (see docs/catalogue.md)",
        "yaml-too-many-values",
    )


def _build(
    loader: Any, limits: _Limits, collected: _Collected, lines: _Lines
) -> tuple[Any, dict[int, _Where]]:
    """Turn the event stream of one document into plain data plus positions.

    Refusals go to ``collected`` and reading goes on; :class:`_Stop` ends it where it
    cannot. This loop is the hot path of loading a large catalogue (hundreds of thousands
    of events), hence its flat style: the innermost open container is kept in local
    variables, and its frame on ``stack`` is brought up to date only when a container
    opens or something is refused.

    What it builds is bounded as it goes: every value read counts against
    ``limits.max_values`` (a list or mapping as :data:`CONTAINER_WEIGHT`), and the items
    of each list named in ``limits.listed`` (under the top-level mapping) against its
    limit, so a file of far too many values is refused before it takes the memory to
    hold them. A value nested deeper than ``limits.max_depth`` is refused and read past
    without being built.
    """
    max_depth = limits.max_depth
    budget = limits.max_values  # what is left of it
    listed = limits.listed
    limited: Any = None  # the list of ``listed`` being read, once open
    limit = 0
    where: dict[int, _Where] = {}
    # A frame: [container, its _Where, its key or index in its parent, pending key]
    stack: list[list[Any]] = []
    root: Any = None
    have_root = False
    no_key = _NO_KEY
    get_event = loader.get_event
    scalar_event, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    number_start, special_words = _NUMBER_START, _SPECIAL_WORDS
    # The innermost open container, its kind, its key marks or item marks, its pending key.
    container: Any = None
    in_mapping = False
    keys: dict[Any, int] = {}
    items: array[int] = _NONE_LISTED
    pending: Any = no_key
    event: Any = None  # the last event read

    while True:
        try:
            event = get_event()
        except yaml.MarkedYAMLError as exc:
            # libyaml (from PyYAML 6.0.3) has a nesting limit of its own, which its scanner
            # can reach before the parser's events reach ours.
            if "nesting depth" not in str(exc.problem):
                raise
            if stack:
                stack[-1][3] = pending
            raise _TooNested(
                exc.problem_mark,
                [(frame[1].start, depth) for depth, frame in enumerate(stack, 1)],
                event.end_mark.index if event is not None else 0,
                None,
            ) from None
        kind = type(event)
        if kind is scalar_event or kind is yaml.AliasEvent:
            budget -= 1
            if budget < 0:
                if stack:
                    stack[-1][3] = pending
                raise _Stop(collected.refusals, _too_many_values(limits.max_values, event.start_mark, stack))
            if kind is yaml.AliasEvent or event.anchor is not None:
                if stack:
                    stack[-1][3] = pending
                collected.add(_anchor_refusal(event, stack), value_refused=kind is yaml.AliasEvent)
            if kind is yaml.AliasEvent:
                value = REFUSED
            else:
                value = event.value
                if event.tag is not None or (
                    not event.style and (value[:1] in number_start or value in special_words)
                ):
                    if stack:
                        stack[-1][3] = pending
                    try:
                        value = _scalar(event, stack)
                    except _Refusal as refusal:
                        collected.add(refusal)
                        value = REFUSED
            if in_mapping:
                if pending is no_key:  # this scalar is a key
                    if value is REFUSED:
                        pending = _Discarded()
                        collected.discarded.append((container, pending))
                    elif type(value) is not str or value in keys:
                        stack[-1][3] = pending
                        try:
                            _add_key(stack[-1], value, False, event, stack, lines)
                        except _Refusal as refusal:  # a duplicate: keep the first value
                            collected.add(refusal, value_refused=False)
                            stack[-1][3] = _Discarded()
                            collected.discarded.append((container, stack[-1][3]))
                        pending = stack[-1][3]
                    else:
                        keys[value] = event.start_mark.index
                        pending = value
                else:
                    container[pending] = value
                    pending = no_key
            elif container is not None:
                if container is limited and len(container) >= limit:
                    _over_limit(stack[-1][2], limited, items, where, collected, event, get_event, 0)
                items.append(event.start_mark.index)
                container.append(value)
            else:
                root, have_root = value, True
            continue
        if kind is mapping_end or kind is sequence_end:
            stack.pop()
            if stack:
                frame = stack[-1]
                container, pending = frame[0], frame[3]
                in_mapping = type(container) is dict
                keys, items = frame[1].keys, frame[1].items
            else:
                container, in_mapping = None, False
            continue
        if stack:
            stack[-1][3] = pending
        if kind is mapping_start or kind is sequence_start:
            budget -= CONTAINER_WEIGHT
            if budget < 0:
                raise _Stop(collected.refusals, _too_many_values(limits.max_values, event.start_mark, stack))
            if event.anchor is not None:
                collected.add(_anchor_refusal(event, stack), value_refused=False)
            tag = event.tag
            if tag is not None and tag not in _ALLOWED_TAGS:
                collected.add(
                    _Refusal(
                        f"the tag {quoted(tag)} is not allowed",
                        event.start_mark,
                        _path(stack),
                        "remove the tag: a catalogue holds only plain mappings and lists",
                        "yaml-tag",
                    )
                )
            if in_mapping and pending is no_key:
                try:
                    _add_key(stack[-1], None, True, event, stack, lines)  # refuses: keys must be words
                except _Refusal as refusal:
                    raise _Stop(collected.refusals, refusal) from None
            if limited is not None and container is limited and len(container) >= limit:
                _over_limit(stack[-1][2], limited, items, where, collected, event, get_event, 1)
            if len(stack) >= max_depth:
                # Refused as a whole and read past, building nothing: the rest of the
                # file is read on, and its problems reported with this one.
                collected.add(_too_deep(max_depth, event.start_mark, stack))
                _skip(get_event, event, stack)
                if in_mapping:
                    container[pending] = REFUSED
                    pending = no_key
                elif container is not None:
                    items.append(event.start_mark.index)
                    container.append(REFUSED)
                else:
                    root, have_root = REFUSED, True
                continue
            value = {} if kind is mapping_start else []
            if in_mapping:
                container[pending] = value
                key_in_parent: Any = pending
                stack[-1][3] = no_key
                if len(stack) == 1 and kind is sequence_start and pending in listed:
                    limited, limit = value, listed[pending]
            elif container is not None:
                key_in_parent = len(container)
                items.append(event.start_mark.index)
                container.append(value)
            else:
                root, have_root = value, True
                key_in_parent = None
            info = (
                _Where(event.start_mark.index, {}, _NONE_LISTED)
                if kind is mapping_start
                else _Where(event.start_mark.index, _NONE_KEYED, array("q"))
            )
            where[id(value)] = info
            stack.append([value, info, key_in_parent, no_key])
            container, in_mapping, pending = value, kind is mapping_start, no_key
            keys, items = info.keys, info.items
        elif kind is yaml.StreamEndEvent:
            return root, where
        elif kind is yaml.DocumentStartEvent and have_root:
            collected.add(
                _Refusal(
                    "the file holds more than one YAML document",
                    event.start_mark,
                    (),
                    "keep one catalogue per file: remove the second '---' and what follows",
                    "yaml-multi",
                ),
                value_refused=False,
            )
            return root, where  # the first document is still checked
        # stream start, document start and end: nothing to build


def _skip(get_event: Callable[[], Any], opened: Any, stack: list[list[Any]]) -> None:
    """Read past the container ``opened`` starts, to its end, building nothing: only how
    deep the reading is inside it is kept, as a count. Raises :class:`_TooNested` if
    libyaml's own nesting limit is reached inside it."""
    depth = 1
    inside = (opened.start_mark.index, len(stack) + 1) if opened.flow_style else None
    starts, ends = (
        (yaml.MappingStartEvent, yaml.SequenceStartEvent),
        (yaml.MappingEndEvent, yaml.SequenceEndEvent),
    )
    while depth:
        try:
            event = get_event()
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" not in str(exc.problem):
                raise
            raise _TooNested(exc.problem_mark, [], opened.start_mark.index, inside) from None
        kind = type(event)
        if kind in starts:
            depth += 1
            if inside is None and event.flow_style:
                inside = (event.start_mark.index, len(stack) + depth)
        elif kind in ends:
            depth -= 1


def _over_limit(
    key: str,
    listed: list[Any],
    marks: array[int],
    where: dict[int, _Where],
    collected: _Collected,
    event: Any,
    get_event: Callable[[], Any],
    depth: int,
) -> NoReturn:
    """The list ``listed`` (under ``key``, its items' positions in ``marks``) has as many
    items as its limit, and ``event`` starts one more (``depth``: 1 if it opens a
    container, else 0): free what was built, count the list's items to its end, and stop
    the reading with a refusal naming the limit and the count."""
    limit = len(listed)
    path: Path = (key, limit)
    listed.clear()  # what was built goes: only the items are counted from here
    del marks[:]
    where.clear()
    rest, complete = _count_rest(get_event, depth)
    count = limit + 1 + rest
    counted = f"{count:,}" if complete else f"at least {count:,}"
    raise _Stop(
        collected.refusals,
        _Refusal(
            f"the catalogue has {counted} {key}, above the limit of {limit:,}",
            event.start_mark,
            path,
            f"split it into catalogues of at most {limit:,} {key} (see docs/catalogue.md)",
            f"too-many-{key}",
        ),
    )


def _count_rest(get_event: Callable[[], Any], depth: int) -> tuple[int, bool]:
    """How many more items the list being read holds after the current one (``depth``
    levels deep into it), building nothing; and whether that is all of them, rather than
    those before the YAML could not be read on."""
    count = 0
    starts, ends = (
        (yaml.MappingStartEvent, yaml.SequenceStartEvent),
        (yaml.MappingEndEvent, yaml.SequenceEndEvent),
    )
    try:
        while True:
            kind = type(get_event())
            if kind in starts:
                count += depth == 0
                depth += 1
            elif kind in ends:
                if depth == 0:
                    return count, True
                depth -= 1
            elif kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                count += depth == 0
            elif kind is yaml.StreamEndEvent:
                return count, False
    except yaml.YAMLError:
        return count, False


_FLOW_TOKENS = re.compile(
    r"""(?P<open>[\[{]+)|(?P<close>[\]}]+)"""
    r"""|"[^"\\]*(?:\\[\s\S][^"\\]*)*"|'[^']*(?:''[^']*)*'"""  # quoted: brackets inside are text
    r"""|\#[^\n]*|[^\[\]{}\s,'"\#:][^\[\]{}\s,]*|[\s\S]"""  # a comment, a plain word, any other
)
"""What to tell apart in a flow collection to match its brackets: a plain word may hold
quotes and ``#`` (``it's``, ``a#b``), a quote or ``#`` starting a token is a quoted
text or a comment."""
_BLANKED = re.compile(r"[^\r\n]")


def _blank_deep_flow(text: str, start: int, depth: int, max_depth: int) -> str | None:
    """``text`` with the inside of every flow collection deeper than ``max_depth`` blanked
    (its brackets kept, its line breaks kept, everything else made a space), within the
    flow collection at ``start``, which is at least ``depth`` levels deep; None when
    there is none.

    A read that met libyaml's own nesting limit (1,000 levels), which stops its parser
    for good, reads such a text again: each too-deep value is then empty and is refused
    at its own line and column, and the rest of the file is read, every position in it
    unchanged. Finding the brackets needs only a flow collection's few kinds of tokens
    (:data:`_FLOW_TOKENS`), not a YAML parser, whose own nesting limit is the problem.
    """
    level = depth - 1  # how deep the reading is; the collection at ``start`` is ``depth``
    cut_from: int | None = None  # inside the collection being blanked, which is ``cut_level`` deep
    cut_level = 0
    cuts: list[tuple[int, int]] = []
    for token in _FLOW_TOKENS.finditer(text, start):
        kind = token.lastgroup
        if kind == "open":  # a run of brackets, each one level deeper
            run = len(token.group())
            if cut_from is None and level + run > max_depth:
                first = max(max_depth - level, 0)  # the first too deep in the run
                cut_from, cut_level = token.start() + first + 1, level + first + 1
            level += run
        elif kind == "close":
            run = len(token.group())
            if cut_from is not None and level - run < cut_level:
                cuts.append((cut_from, token.start() + level - cut_level))
                cut_from = None
            level -= run
            if level < depth:  # the collection at ``start`` is closed
                break
    if cut_from is not None:  # never closed: the YAML's own error comes after it
        cuts.append((cut_from, len(text)))
    if not cuts:
        return None
    pieces, at = [], 0
    for begin, end in cuts:
        pieces += [text[at:begin], _BLANKED.sub(" ", text[begin:end])]
        at = end
    return "".join([*pieces, text[at:]])


def _deep_flow_start(text: str, nested: _TooNested) -> tuple[int, int] | None:
    """Where a flow collection starts from which :func:`_blank_deep_flow` can find what
    made libyaml stop, and how deep it is at least; None when the nesting is in block
    style, which only a YAML parser could read past."""
    if nested.inside is not None:
        return nested.inside
    for index, depth in nested.open:  # the outermost open flow collection
        if text[index : index + 1] in ("[", "{"):
            return index, depth
    # The flow collection may have been about to open: what is left of its line before
    # it can only be indicators and spaces.
    found = re.compile(r"[\s:?-]*(?:#[^\n]*\n[\s:?-]*)*([\[{])").match(text, nested.after)
    return (found.start(1), len(nested.open) + 1) if found else None


def _add_key(
    frame: list[Any], key: Any, is_container: bool, event: Any, stack: list[list[Any]], lines: _Lines
) -> None:
    if is_container:
        raise _Refusal(
            "a key must be a plain word, not a list or mapping",
            event.start_mark,
            _path(stack),
            "write the key as text, such as 'name:'",
            "yaml-key",
        )
    if type(key) is not str:
        key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
    keys = frame[1].keys
    if key in keys:
        first, _ = lines.position(keys[key])
        raise _Refusal(
            f"the key {quoted(key)} appears twice in this mapping (lines {first} and "
            f"{event.start_mark.line + 1}); YAML would silently keep only the last",
            event.start_mark,
            _path(stack, key),
            f"delete or rename one of the two {quoted(key)} entries",
            "yaml-duplicate-key",
        )
    keys[key] = event.start_mark.index
    frame[3] = key


def _anchor_refusal(event: Any, stack: list[list[Any]]) -> _Refusal:
    if type(event) is yaml.AliasEvent:
        return _Refusal(
            f"YAML aliases (*{_shortened(event.anchor)}) are not allowed",
            event.start_mark,
            _path(stack),
            "write the value out in full instead of referring to an anchor",
            "yaml-alias",
        )
    return _Refusal(
        f"YAML anchors (&{_shortened(event.anchor)}) are not allowed",
        event.start_mark,
        _path(stack),
        "remove the anchor and write each value out in full",
        "yaml-alias",
    )


def read_yaml(
    text: str,
    *,
    file: str = "<catalogue>",
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_values: int | None = None,
    listed: Mapping[str, int] | None = None,
) -> Document:
    """Parse one YAML document of plain data, refusing anything unsafe or surprising.

    Refusals are collected in :attr:`Document.refusals` and reading goes on. Raises
    :class:`CatalogueError` only when reading cannot go on (invalid syntax, a container
    as a key, too many refusals, more values than ``max_values``, more items than
    ``listed`` allows); it then lists the refusals found up to that point too. Every
    problem names the file, line, column and field.

    ``max_values`` defaults to what a file of :data:`cxprio.catalogue.files.DEFAULT_MAX_BYTES` may hold
    (:func:`cxprio.catalogue.limits.max_values`); ``listed`` (top-level key -> the most items its
    list may hold) to a catalogue's (:data:`CATALOGUE_LISTS`).
    """
    limits = _Limits(
        max_depth,
        max_values if max_values is not None else limits_max_values(MAX_BYTES),
        CATALOGUE_LISTS if listed is None else listed,
    )
    read = text
    for _attempt in range(_NESTING_RETRIES + 1):
        try:
            return _read(read, file, limits)
        except _TooNested as nested:
            start = _deep_flow_start(read, nested)
            blanked = _blank_deep_flow(read, *start, limits.max_depth) if start is not None else None
            if blanked is None or _attempt == _NESTING_RETRIES:
                raise CatalogueError(
                    in_file_order(
                        [r.problem(file) for r in nested.refusals] + [_too_deep_at(limits, nested, file)]
                    )
                ) from None
            read = blanked
    raise AssertionError("unreachable")  # pragma: no cover


def _read(text: str, file: str, limits: _Limits) -> Document:
    """:func:`read_yaml` of ``text``, once; raises :class:`_TooNested` if libyaml's own
    nesting limit stopped it."""
    loader = _Loader(text)
    collected = _Collected()
    lines = _Lines(text)
    try:
        data, where = _build(loader, limits, collected, lines)
    except _TooNested as nested:
        nested.refusals = collected.refusals
        raise
    except _Stop as stop:
        fatal = [stop.fatal.problem(file)] if stop.fatal else []
        raise CatalogueError(in_file_order([r.problem(file) for r in stop.refusals] + fatal)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}: {what}"
        syntax = Problem(
            ProblemLevel.ERROR,
            f"this is not valid YAML ({what})",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="check the indentation and the quotes around this line",
            code="yaml-syntax",
        )
        raise CatalogueError(
            in_file_order([r.problem(file) for r in collected.refusals] + [syntax])
        ) from None
    except yaml.YAMLError as exc:  # reader errors such as control characters
        syntax = Problem(ProblemLevel.ERROR, f"this is not valid YAML ({exc})", file=file, code="yaml-syntax")
        raise CatalogueError([*(r.problem(file) for r in collected.refusals), syntax]) from None
    finally:
        loader.dispose()
    for mapping, key in collected.discarded:
        mapping.pop(key, None)
    return Document(
        data,
        file,
        where,
        refusals=tuple(r.problem(file) for r in collected.refusals),
        refused=tuple(collected.refused),
        _lines=lines,
    )


def _too_deep_at(limits: _Limits, nested: _TooNested, file: str) -> Problem:
    """The refusal of nesting that libyaml's own limit stopped and that could not be
    read past (block style): at the point it stopped."""
    mark = nested.mark
    return Problem(
        ProblemLevel.ERROR,
        f"the YAML is nested more than {limits.max_depth} levels deep: reading stopped here",
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        hint="flatten the structure: a catalogue needs only a few levels",
        code="yaml-depth",
    )
