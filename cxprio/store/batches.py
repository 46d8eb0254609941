"""Group commit: the writes of many callers at once (a room of participants saving
scores) in one transaction, each in a savepoint of its own, so a burst of writes costs
one commit rather than one each (:meth:`cxprio.store.versions.Store.batched`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from cxprio.store.versions import Store

T = TypeVar("T")
BATCH_LIMIT = 200
"""Most writes one group commit takes (:meth:`Store.batched`)."""


class Batches:
    """The writer behind :meth:`Store.batched`: one thread, started on first use, that
    takes every write waiting, runs them in one transaction (a savepoint each), commits,
    and only then hands each caller its result."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: queue.SimpleQueue[tuple[Callable[[Connection], Any], Future[Any]] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[Connection], T]) -> T:
        future: Future[T] = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="cxprio-batched-writes", daemon=True)
                self._thread.start()
            self._waiting.put((work, future))
        return future.result()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._waiting.put(None)
                self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH_LIMIT:
                try:
                    item = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._waiting.put(None)  # stop after this batch
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[Connection], Any], Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], BaseException | None, Any]] = []
        try:
            with self._store.transaction() as connection:
                for work, future in batch:
                    try:
                        with connection.begin_nested():
                            outcomes.append((future, None, work(connection)))
                    except Exception as exc:
                        outcomes.append((future, exc, None))
        except BaseException as exc:
            for _work, future in batch:
                future.set_exception(exc)
            return
        for future, error, result in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
