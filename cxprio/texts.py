"""Text a person types that the store keeps: names, titles and reasons.

PostgreSQL refuses a NUL byte in text that SQLite stores, and the other control
characters (an escape, a backspace, a bell) make a name read differently on a screen,
in a spreadsheet and in a terminal. They are refused before anything is written, with
the same message on both databases.

Messages quote values through :func:`quoted`, which cuts them short, so a file that is
not a catalogue is never shown back to the visitors of a board through its messages.
"""

from __future__ import annotations

import unicodedata

from .errors import UsageError
from .limits import QUOTED_LENGTH

_KEPT_IN_LINES = frozenset("\n\t")
"""Control characters a reason of several lines may hold."""


def plain(value: str, what: str, *, lines: bool = False) -> str:
    """``value`` as it is, when it holds no control character; with ``lines``, newlines
    and tabs are allowed (a reason of several lines). Else :class:`UsageError` naming
    ``what`` and where the character is."""
    for index, character in enumerate(value):
        if unicodedata.category(character) == "Cc" and not (lines and character in _KEPT_IN_LINES):
            name = "a NUL byte" if character == "\0" else f"the control character U+{ord(character):04X}"
            raise UsageError(
                f"the {what} holds {name} at character {index + 1}: remove it (type the text again, "
                "rather than pasting it)"
            )
    return value


def quoted(value: object, limit: int = QUOTED_LENGTH) -> str:
    """``value`` as a message quotes it: its ``repr``, which shows every control and
    bidirectional character as an escape, cut to about ``limit`` characters with an
    ellipsis when it is longer."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[: limit - 1] + "…")
    text = repr(value)
    return text if len(text) <= limit + 2 else text[: limit - 1] + "…"
