"""Benchmark of workshop rounds: many participants saving scores at once, and the
facilitator's live view.

On SQLite and (when ``CXPRIO_TEST_POSTGRES_URL`` names a server, as in CI) on
PostgreSQL, it prints:

- **save throughput and p95 latency**: 20 participants (threads sharing one store, as
  sessions share a server) each save 50 scores, one at a time, starting together; a save
  is timed from the call until its transaction has committed. Every score is then
  checked to be stored once. Target: p95 under 50 ms on SQLite.
- **facilitator view refresh**: one refresh of the live view (read the round, who has
  joined and every score; summarise; the ranking if the results were accepted; the
  weights vote) with 20 participants who scored 50 experiences on all six criteria and
  voted on the weights, everything revealed, on a generated catalogue of 1,000
  experiences; median of 20 refreshes. Target: under 200 ms.

    python bench/bench_workshop.py            # figures; exit 0
    python bench/bench_workshop.py --check    # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import database  # noqa: E402

from cxprio import parse_catalogue  # noqa: E402
from cxprio.generate import generate_catalogue  # noqa: E402
from cxprio.model import MEASURES  # noqa: E402
from cxprio.rounds import (  # noqa: E402
    CRITERIA,
    facilitator_view,
    get_round,
    join,
    open_round,
    parse_criteria,
    record,
    reveal,
    scores,
)
from cxprio.store import Store, import_file  # noqa: E402

PARTICIPANTS = 20
SCORES_EACH = 50
EXPERIENCES = 50
SAVE_TARGET = 0.050  # p95, seconds, on SQLite
VIEW_TARGET = 0.200  # median, seconds
REFRESHES = 20


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepared(url: str, folder: Path) -> tuple[Store, str, list[str]]:
    """A store holding a generated catalogue of 1,000 experiences, and a round open on
    50 of them with all six criteria and a weights vote."""
    path = folder / "catalogue.yaml"
    if not path.exists():
        path.write_text(generate_catalogue(experiences=1000, teams=60, seed=5), encoding="utf-8")
    store = Store(url)
    import_file(store, path)
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    chosen = [e.id for e in catalogue.experiences][:EXPERIENCES]
    code = open_round(
        store,
        catalogue,
        latest.id,
        experiences=chosen,
        criteria=parse_criteria(",".join(CRITERIA)),
        author="bench",
        weights_vote=True,
    ).code
    return store, code, chosen


def saves(url: str, folder: Path) -> tuple[float, float, float, int]:
    """20 participants saving 50 scores each at once: (throughput per second, p95,
    median, scores stored)."""
    store, code, chosen = prepared(url, folder)
    people = [join(store, code, f"Participant {n:02d}") for n in range(PARTICIPANTS)]
    timings: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(PARTICIPANTS + 1)

    def participate(index: int) -> None:
        rng = random.Random(index)
        person = people[index]
        mine = []
        start.wait()
        for n in range(SCORES_EACH):
            experience = chosen[n % len(chosen)]
            began = time.perf_counter()
            record(store, code, person, [(experience, "reach", rng.randint(1, 5))])
            mine.append(time.perf_counter() - began)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=participate, args=(i,)) for i in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    stored = len(scores(store, get_round(store, code)))
    store.close()
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return len(timings) / took, p95, statistics.median(timings), stored


def refresh(url: str, folder: Path) -> float:
    """Median seconds of one facilitator view refresh (see the module's text)."""
    store, code, chosen = prepared(url, folder)
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    weights = catalogue.scoring.weights.as_dict()
    rng = random.Random(1)
    for n in range(PARTICIPANTS):
        person = join(store, code, f"Participant {n:02d}")
        entries: list[tuple[str, str, object]] = [(e, c, rng.randint(1, 5)) for e in chosen for c in MEASURES]
        entries += [
            (e, "ambition", rng.choice(["unique", "distinct", "competitive", "uncompetitive"]))
            for e in chosen
        ]
        entries += [("", f"weight:{m}", rng.choice([0.1, 0.2, 0.3])) for m in MEASURES]
        record(store, code, person, entries)
    reveal(store, code)
    facilitator_view(store, code, catalogue, weights)  # warm: imports, first connection
    timings = []
    for _ in range(REFRESHES):
        began = time.perf_counter()
        view = facilitator_view(store, code, catalogue, weights)
        timings.append(time.perf_counter() - began)
    assert len(view.rows) == PARTICIPANTS * (EXPERIENCES * 6 + len(MEASURES))
    store.close()
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("CXPRIO_TEST_POSTGRES_URL") else [])
    if len(kinds) == 1:
        say("bench_workshop: PostgreSQL skipped (set CXPRIO_TEST_POSTGRES_URL to include it)")
    missed = 0
    lines = [
        f"Workshop rounds: {PARTICIPANTS} participants saving {SCORES_EACH} scores each at once; "
        f"the facilitator's view with {PARTICIPANTS} participants x {EXPERIENCES} experiences"
    ]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for kind in kinds:
            say(f"{kind}: {PARTICIPANTS} participants saving ...")
            with database(kind, folder) as url:
                rate, p95, median, stored = saves(url, folder)
            whole = (
                "every score stored once" if stored == PARTICIPANTS * SCORES_EACH else f"ONLY {stored} STORED"
            )
            missed += stored != PARTICIPANTS * SCORES_EACH
            if kind == "sqlite":
                verdict = "ok" if p95 < SAVE_TARGET else "MISSED"
                missed += p95 >= SAVE_TARGET
                target = f"target p95 < {SAVE_TARGET * 1000:.0f} ms  {verdict}"
            else:
                target = "(no target)"
            lines.append(
                f"  {kind:10} save: {rate:6.0f} scores/s, p95 {p95 * 1000:5.1f} ms, median {median * 1000:5.1f} ms, "
                f"{whole}   {target}"
            )
            say(f"{kind}: facilitator view ...")
            with database(kind, folder) as url:
                took = refresh(url, folder)
            verdict = "ok" if took < VIEW_TARGET else "MISSED"
            missed += took >= VIEW_TARGET
            lines.append(
                f"  {kind:10} facilitator view refresh: {took * 1000:5.0f} ms (median of {REFRESHES})"
                f"   target < {VIEW_TARGET * 1000:.0f} ms  {verdict}"
            )
    print("\n".join(lines))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
