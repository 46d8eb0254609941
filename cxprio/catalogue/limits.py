"""Every limit cxprio puts on what it reads and on the text people give it, in one place.

A catalogue is uploaded by strangers and a board is open to anonymous visitors, so
nothing read is unbounded: the file's size, the catalogue's experiences, how deep and how
many its values are, and the length of every free text. ``docs/catalogue.md`` documents
each for the people who write catalogues; the messages that refuse a value name its limit.

This module imports nothing, so the YAML reader applies the limits without the schema.
"""

from __future__ import annotations

# --- the file -----------------------------------------------------------------------------

MAX_BYTES = 20 * 1024 * 1024
"""Catalogue files above this size (20 MB) are refused before they are read."""

MAX_EXPERIENCES = 50_000
"""The most experiences a catalogue may hold: enough for the largest real organisation,
whose longlist runs to thousands, not tens of thousands. A catalogue of more is refused
while it is read, in about the time it takes to count them and before anything is built
from it, naming how many it holds."""

MAX_DEPTH = 64
"""The deepest a value may be nested; a catalogue needs six levels (a decision's
``R`` list)."""

BYTES_PER_VALUE = 6
"""A file may hold one value (a key, a scalar, a list or a mapping) for every this many
bytes of its size limit (:func:`max_values`: 3.5 million at 20 MB), so raising the size
limit raises it too. The sample catalogue holds one for every 7.3 bytes and a generated
one of 30,000 experiences one for every 8; a file of little more than brackets and
commas holds one for every 1 or 2, and read in full it would take gigabytes."""

CONTAINER_WEIGHT = 4
"""A list or a mapping counts as this many values: read, with its position, it takes
about four times the memory of a scalar and its position."""

MAX_REFUSALS = 500
"""Reading stops after this many refusals: a file this broken needs fixing from the top."""


def max_values(max_bytes: int) -> int:
    """The most values a file read under the size limit ``max_bytes`` may hold."""
    return max_bytes // BYTES_PER_VALUE


# --- text in a catalogue ----------------------------------------------------------------

NAME_LENGTH = 500
"""The longest name, in characters: of the organisation, a team, an experience, a step,
a decision or a performance measure (the limit names always had)."""

OUTCOME_LENGTH = 500
"""The longest ``outcome`` of an experience: a sentence or two in the customer's words."""

FUNCTION_LENGTH = 100
"""The longest ``function`` of a team: a word or two, such as ``operations``."""

UNIT_LENGTH = 40
"""The longest ``unit`` of a performance measure, such as ``score 1-5`` or ``days``."""

# --- text typed on the board or the command line --------------------------------------------

PERSON_NAME_LENGTH = 80
"""The longest name of a person: an editor, a facilitator, a workshop participant."""

TITLE_LENGTH = 200
"""The longest title of a workshop round."""

REASON_LENGTH = 500
"""The longest reason saved with a change, and the longest note kept with a changed value."""

# --- messages -----------------------------------------------------------------------------

QUOTED_LENGTH = 60
"""The most characters of a value a message quotes; a longer value is cut, with an
ellipsis. Messages are shown to every visitor of a board: a file that is not a catalogue
must not be shown back through them."""
