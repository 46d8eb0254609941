"""Slowing down guesses: a few free failures, then waits that double.

A passcode or a join code typed into a shared board can be guessed by a script. The
board keeps a :class:`Throttle` per kind of guess, keyed by who is guessing (the browser
session, and the client's address): after :attr:`Throttle.free` failures in a row, each
further failure makes the next attempt wait, first :attr:`Throttle.first_wait` seconds,
then twice as long each time, up to :attr:`Throttle.longest`. A success forgets the
failures; so does a quiet :attr:`Throttle.forget_after`. An attempt made while a wait
runs is not checked at all, so a script gains nothing by trying faster.

A throttle lives in one server process and holds at most :attr:`Throttle.keep` keys
(the oldest are dropped first), so a flood of new addresses cannot exhaust memory.

>>> guard = Throttle(free=2, first_wait=10, clock=lambda: 0.0)
>>> guard.failed(["session:a"]), guard.failed(["session:a"]), guard.failed(["session:a"])
(0.0, 0.0, 10.0)
>>> guard.wait(["session:a", "address:b"])
10.0
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Throttle", "seconds_words"]


@dataclass(slots=True)
class _Failures:
    count: int
    last: float
    until: float


class Throttle:
    """Failures per key and the wait they impose (see the module's text); thread-safe."""

    def __init__(
        self,
        *,
        free: int = 5,
        first_wait: float = 1.0,
        longest: float = 300.0,
        forget_after: float = 3600.0,
        keep: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if free < 0 or first_wait <= 0 or longest < first_wait or keep < 1:
            raise ValueError("a throttle needs free >= 0, 0 < first_wait <= longest and keep >= 1")
        self.free = free
        self.first_wait = first_wait
        self.longest = longest
        self.forget_after = forget_after
        self.keep = keep
        self.clock = clock
        """Where time comes from (monotonic seconds); a test may set its own."""
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before any of ``keys`` may try again (0 when all may now)."""
        now = self.clock()
        with self._lock:
            return max(
                (self._current(key, now).until - now for key in keys if key in self._failures), default=0.0
            )

    def failed(self, keys: Iterable[str]) -> float:
        """Count a failure against each of ``keys``; the wait it now imposes (the longest)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                held = self._current(key, now)
                held.count += 1
                held.last = now
                over = held.count - self.free
                if over > 0:
                    wait = float(min(self.first_wait * 2 ** min(over - 1, 60), self.longest))
                    held.until = now + wait
                    longest = max(longest, wait)
                self._failures[key] = held
                self._failures.move_to_end(key)
            while len(self._failures) > self.keep:
                self._failures.popitem(last=False)
        return longest

    def failures(self, key: str) -> int:
        """Failures in a row counted against ``key`` (and not yet forgotten)."""
        with self._lock:
            return self._current(key, self.clock()).count if key in self._failures else 0

    def succeeded(self, keys: Iterable[str]) -> None:
        """Forget the failures of ``keys``: the right answer was given."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _current(self, key: str, now: float) -> _Failures:
        held = self._failures.get(key)
        if held is None or now - held.last > self.forget_after:
            return _Failures(0, now, now)
        return held


def seconds_words(seconds: float) -> str:
    """A wait as people say it: ``1 second``, ``40 seconds``, ``5 minutes``.

    >>> seconds_words(0.2), seconds_words(40), seconds_words(299.5)
    ('1 second', '40 seconds', '5 minutes')
    """
    whole = max(1, int(-(-seconds // 1)))
    if whole < 90:
        return f"{whole} second" + ("" if whole == 1 else "s")
    minutes = round(whole / 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")
