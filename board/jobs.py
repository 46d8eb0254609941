"""Work done in the background, once per key and shared by every session: a page asks
for what it will need and finds it done, or waits for the same computation rather than
starting another.

A job is pure Python work (the ownership analysis of 10,000 experiences holds the
interpreter for half a second), and the server's web thread needs the same interpreter
lock to send each message and file to the browser. At Python's default switch interval
(5 ms) the web thread waited up to 5 ms for the lock after every send, which made the
first page on a fresh server 0.3 s slower at that size while the analysis ran. Importing
this module sets the interval to :data:`SWITCH_INTERVAL`: the web thread takes its turn
sooner, and the job loses well under 1% of its speed.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

AFTER_RUN_THREAD = "cxprio-after-run"
"""The name of each thread :func:`after_this_run` starts."""

AFTER_RUN_LIMIT = 5.0
"""How long (seconds) :func:`after_this_run` waits at most for the run to end."""

SWITCH_INTERVAL = 0.001
"""Seconds a thread holding the interpreter lock runs before another waiting for it may
take it (Python's default: 0.005)."""
sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))


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


def after_this_run(work: Callable[[], object], *, limit: float = AFTER_RUN_LIMIT) -> None:
    """Call ``work`` on a thread of its own once the calling thread has ended, or after
    ``limit`` seconds.

    Called from a page, the calling thread is that page's script run, which ends once the
    run is over and its last messages are on their way to the browser. Work started from
    the page's last line took the interpreter from that end of the run: at 10,000
    experiences, the store's import and the ownership analysis made the first Overview
    show in full about 0.3 s later than no work at all did (0.95 s against 0.67 s from
    the last line to the browser, means of three runs); started this way, about half of
    that remains (0.8 s, nine runs).
    """
    caller = threading.current_thread()

    def when_ended() -> None:
        caller.join(limit)
        work()

    threading.Thread(target=when_ended, name=AFTER_RUN_THREAD, daemon=True).start()
