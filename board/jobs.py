"""Work done in the background, once per key and shared by every session: a page asks
for what it will need and finds it done, or waits for the same computation rather than
starting another.

A job is pure Python work, which shares the interpreter with the server's web thread:
see :data:`board.startup.SWITCH_INTERVAL`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Jobs(Generic[K, V]):
    """One worker thread and the futures of the ``keep`` keys most recently asked for.

    With ``drop_queued``, asking for a new key cancels the jobs still waiting for the
    worker: for work that only the newest request needs, such as the rank ranges of a
    weighting someone dragged a slider past. Without it, nothing asked for is dropped
    before it is done, so a page may wait on any future it gets.
    """

    def __init__(self, name: str, keep: int, *, drop_queued: bool) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._futures: OrderedDict[K, Future[V]] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self._drop_queued = drop_queued

    def peek(self, key: K) -> Future[V] | None:
        """The future of ``key`` when it was asked for, without starting anything."""
        with self._lock:
            future = self._futures.get(key)
            return None if future is None or future.cancelled() else future

    def request(self, key: K, compute: Callable[[], V]) -> Future[V]:
        """The future of ``key``, started now unless it was asked for already."""
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not future.cancelled():
                self._futures.move_to_end(key)
                return future
            if self._drop_queued:
                for stale in [k for k, f in self._futures.items() if not f.running() and not f.done()]:
                    self._futures.pop(stale).cancel()
            future = self._executor.submit(compute)
            self._futures[key] = future
            while len(self._futures) > self._keep:
                self._futures.popitem(last=False)
            return future

    def forget(self, key: K) -> None:
        """Drop ``key``'s future (one that failed, say), so the next request starts it again."""
        with self._lock:
            self._futures.pop(key, None)
