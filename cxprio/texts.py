"""Text people give cxprio: what it may hold, how long it may be, and how messages quote it.

PostgreSQL refuses a NUL byte in text that SQLite stores, and the other control
characters (an escape, a backspace, a bell) make a name read differently on a screen,
in a spreadsheet and in a terminal. The bidirectional controls (:data:`BIDI_CONTROLS`)
are worse: a right-to-left override makes ``gnp.exe`` show as ``exe.png`` on the board,
in the report and in the charts, so a name can pass for another. Both are refused
wherever text comes in, with the same words: names and reasons typed on the board or
the command line (:func:`plain`), and every free text of a catalogue
(:data:`TEXT_PATTERN`, which :mod:`cxprio.catalogue.model` applies and :func:`problem_in`
explains). Every free text has a length limit too (:mod:`cxprio.catalogue.limits`).

Messages quote values through :func:`quoted`, which cuts them short, so a file that is
not a catalogue is never shown back to the visitors of a board through its messages.
"""

from __future__ import annotations

import re
import unicodedata

from cxprio.catalogue.limits import QUOTED_LENGTH
from cxprio.errors import UsageError

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The characters that change the order text is shown in: the embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069) and the invisible direction marks (U+200E,
U+200F, U+061C). Names and labels never need them; a spoofed name does."""

_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""A character refused in a text of one line: a control character (Unicode's ``Cc``)
or a bidirectional control."""
_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""A character refused in a text of several lines: the same, but for tabs and line breaks."""

TEXT_PATTERN = (
    r"^[^\x{0}-\x{8}\x{B}-\x{1F}\x{7F}-\x{9F}\x{61C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]*$"
)
"""The free text of a catalogue, as a pattern of pydantic's (Rust) regular expressions:
:data:`_IN_LINES`' rule, no control character but tabs and line breaks (a block scalar
has them) and no bidirectional control. :func:`problem_in` says what is wrong with a
text that does not match it."""


def problem_in(value: str, *, lines: bool = False, limit: int | None = None) -> tuple[str, str] | None:
    """What is wrong with ``value`` as text a person wrote, and how to fix it; None when
    nothing is. With ``lines``, tabs and line breaks are allowed; with ``limit``, at most
    that many characters. The message reads after "the name ...", "this text ...".
    """
    if limit is not None and len(value) > limit:
        return (
            f"is {len(value):,} characters long, above the limit of {limit:,}",
            f"shorten it to {limit:,} characters or fewer",
        )
    found = (_IN_LINES if lines else _IN_LINE).search(value)
    if found is None:
        return None
    character, at = found.group(), found.start() + 1
    if character == "\0":
        held = f"holds a NUL byte at character {at}"
    elif character in BIDI_CONTROLS:
        name = unicodedata.name(character, "").lower()
        held = (
            f"holds the bidirectional control character U+{ord(character):04X}"
            + (f" ({name})" if name else "")
            + f" at character {at}, which makes text show in another order than it is written"
        )
    else:
        held = f"holds the control character U+{ord(character):04X} at character {at}"
    return held, "remove it (type the text again, rather than pasting it)"


def plain(value: str, what: str, *, lines: bool = False, limit: int | None = None) -> str:
    """``value`` as it is, when it holds no control character and no bidirectional
    control; with ``lines``, newlines and tabs are allowed (a reason of several lines);
    with ``limit``, at most that many characters. Else :class:`UsageError` naming
    ``what`` and where the character is, or how long the text is."""
    problem = problem_in(value, lines=lines, limit=limit)
    if problem is not None:
        message, fix = problem
        raise UsageError(f"the {what} {message}: {fix}")
    return value


def quoted(value: object, limit: int = QUOTED_LENGTH) -> str:
    """``value`` as a message quotes it: its ``repr``, which shows every control and
    bidirectional character as an escape, cut to about ``limit`` characters with an
    ellipsis when it is longer."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[: limit - 1] + "…")
    text = repr(value)
    return text if len(text) <= limit + 2 else text[: limit - 1] + "…"


_FIELD_WORDS = {
    "A": "Accountable",
    "R": "Responsible",
    "C": "Consulted",
    "I": "Informed",
    "current": "today's tier",
    "handoff_owner": "handoff owner",
    "failure_demand": "failure demand",
    "worst_tenth": "worst tenth",
    "bad_share": "bad share",
}
_SINGULAR = {
    "experiences": "experience",
    "steps": "step",
    "decisions": "decision",
    "performance": "performance measure",
    "teams": "team",
    "parents": "parent",
}
_SEGMENT = re.compile(r"^(?P<key>[^\[\]]*)(?:\[(?P<index>\d+)\])?$")


def field_words(field: str) -> str:
    """A catalogue field's path as people say it: ``measures.failure_demand`` is
    "Failure demand", ``steps[2].handoff_owner`` "Step 3, handoff owner",
    ``decisions[0].A`` "Decision 1, Accountable". Codes and paths stay in JSON and CSV;
    this is for what a person reads."""
    if field.startswith("(") and field.endswith(")"):  # "(added)": a whole experience
        return field[1:-1].capitalize()
    parts: list[str] = []
    for segment in field.split("."):
        found = _SEGMENT.match(segment)
        if found is None:
            parts.append(segment)
            continue
        key, index = found["key"], found["index"]
        if key in ("measures", "scoring", "organisation") and index is None:
            continue  # the measure's own name says enough
        word = _FIELD_WORDS.get(key, _SINGULAR.get(key, key).replace("_", " "))
        parts.append(f"{word} {int(index) + 1}" if index is not None else word)
    text = ", ".join(part for part in parts if part) or field
    return text[:1].upper() + text[1:]
