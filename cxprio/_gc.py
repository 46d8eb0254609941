"""A pause of Python's cyclic garbage collector around allocation-heavy work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, restoring its previous state.

    Loading and scoring allocate hundreds of thousands of small objects that form no
    cycles; with a large catalogue in memory, the collector would otherwise rescan the
    whole heap many times (a third of the load time at 10,000 experiences). Reference
    counting still frees everything as usual; any cycles made meanwhile are collected
    once the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
