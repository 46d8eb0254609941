"""The interpreter setting every cxprio program makes: the garbage collector's threshold.

A program calls :func:`collect_less_often` once, at its start (the board's
:func:`board.startup.configure`, which also sets the switch interval; ``python -m
cxprio``'s entry, :mod:`cxprio.__main__`); the library itself changes nothing in the
interpreter, so a script or a test that calls :func:`cxprio.cli.main.main` keeps its own.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 50_000
"""Objects allocated between two collections of the youngest generation (Python's
default: 700). Reading a catalogue of 10,000 experiences (its YAML, or the validated
catalogue the store keeps) builds about a million objects, none of them in a reference
cycle; at the default, the collector ran over a thousand times during one read and took
most of its time (``python bench/bench_store.py`` prints a stored read at both
thresholds). The older generations are still collected, just less often."""


def collect_less_often() -> None:
    """Raise the youngest generation's threshold to :data:`YOUNG_COLLECTION_THRESHOLD`."""
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(_young, YOUNG_COLLECTION_THRESHOLD), older, oldest)
