"""Benchmark of the store: saves under 20 concurrent editors, and what 1,000 saves cost on disk.

For generated catalogues of 1,000 and 10,000 experiences, on SQLite and (when
``CXPRIO_TEST_POSTGRES_URL`` names a server, as in CI) on PostgreSQL, it prints:

- **save p95**: 20 editors (threads sharing one store, as sessions share a server) click
  Save at the same moment, 10 times over, each a one-value edit of a different
  experience. A save is timed from the click until it has landed: a save from an older
  version goes on top of the latest by itself; refused because someone changed the same
  value meanwhile, it starts again from the latest. Every save also writes the catalogue
  file back, as the board does.
  Targets: under 200 ms at 1,000 experiences, under 1 s at 10,000.
- **two-replica save p95**: the same, with the 20 editors split between two replicas
  (two stores on one database, as two servers, each writing its own copy of the
  catalogue file), at 10,000 experiences. Every save must land once, and each replica's
  file must hold a version's text. Target: under 1 s.
- **store size after 1,000 saves** of one value each on the 10,000-experience catalogue.
  Target: under 50 MB (a save stores the change, not another copy).
- **snapshot** of that 10,000-experience catalogue, and a **compare** of it with a
  snapshot of the catalogue as imported. Targets: each under 2 s.
- **reading a stored version** of 10,000 experiences by a fresh reader (a new server):
  its YAML parsed, against the validated catalogue the store keeps beside it, with
  Python's default collector threshold and with the board's
  (:data:`cxprio.startup.YOUNG_COLLECTION_THRESHOLD`). Figures only.

    python bench/bench_store.py            # figures; exit 0
    python bench/bench_store.py --check    # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from cxprio import parse_catalogue  # noqa: E402
from cxprio.catalogue.edit import Edit  # noqa: E402
from cxprio.catalogue.generate import generate_catalogue  # noqa: E402
from cxprio.errors import StaleVersion, UsageError  # noqa: E402
from cxprio.store.imports import import_file  # noqa: E402
from cxprio.store.saving import save_edits  # noqa: E402
from cxprio.store.snapshots import compare_quarters, take_snapshot  # noqa: E402
from cxprio.store.versions import Store  # noqa: E402

EDITORS = 20
SAVES_EACH = 10
SIZE_SAVES = 1000
TARGETS = {1_000: 0.2, 10_000: 1.0}  # save p95, seconds
SIZE_TARGET_MB = 50.0
SNAPSHOT_TARGET = 2.0  # seconds
TEAMS = {1_000: 60, 10_000: 300}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty database of ``kind``; yields its address."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'store-{uuid.uuid4().hex[:8]}.db'}"
        return
    admin = sa.create_engine(os.environ["CXPRIO_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    name = f"cxprio_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.make_url(os.environ["CXPRIO_TEST_POSTGRES_URL"])
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def size_mb(store: Store, url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(sa.make_url(url).database or "")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    with store.engine.connect() as connection:
        return (
            float(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
            / 1e6
        )


def one_edit(pick: random.Random, ids: list[str]) -> Edit:
    return Edit(pick.choice(ids), "measures.depth", float(pick.randint(1, 5)))


def save_p95(url: str, catalogue: Path, replicas: int = 1) -> tuple[float, float, int]:
    """(p95, median) seconds from a save's click until it has landed, and how many saves
    were refused on the way, with 20 editors clicking at once, 10 times over, spread
    over ``replicas`` stores on one database, each with its own copy of the file."""
    stores = [Store(url) for _ in range(replicas)]
    files = [catalogue] + [catalogue.with_name(f"replica-{n}-{catalogue.name}") for n in range(1, replicas)]
    for copy in files[1:]:
        copy.write_bytes(catalogue.read_bytes())
    first = import_file(stores[0], catalogue).version
    parsed = parse_catalogue(catalogue.read_bytes()).catalogue
    ids = [e.id for e in parsed.experiences]
    teams = {t.id for t in parsed.teams}
    times: list[float] = []
    refusals = [0]
    lock = threading.Lock()
    errors: list[BaseException] = []
    together = threading.Barrier(EDITORS)

    def editor(number: int) -> None:
        pick = random.Random(number)
        store, mine = stores[number % replicas], files[number % replicas]
        try:
            for _ in range(SAVES_EACH):
                together.wait()  # everyone clicks Save at the same moment
                edit = one_edit(pick, ids)
                start = time.perf_counter()
                base = store.latest()  # the version on screen when Save is clicked
                assert base is not None
                while True:
                    try:
                        save_edits(
                            store,
                            [edit],
                            started_from=base.id,
                            author=f"editor {number}",
                            rationale="bench",
                            teams=teams,
                            file=mine,
                            file_sha256=base.sha256,
                        )
                        break
                    except StaleVersion:  # someone changed the same value meanwhile: start again
                        with lock:
                            refusals[0] += 1
                        base = store.latest()
                        assert base is not None
                    except UsageError:  # the value it already had: change another
                        edit = one_edit(pick, ids)
                with lock:
                    times.append(time.perf_counter() - start)
        except BaseException as exc:  # reported below
            together.abort()
            errors.append(exc)

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latest = stores[0].latest()
    held = all(stores[0].holds(sha256(path)) for path in files)
    for store in stores:
        store.close()
    if errors:
        raise errors[0]
    if latest is None or latest.id != first.id + EDITORS * SAVES_EACH or not held:
        raise SystemExit("bench_store: a save was lost, or a replica's file holds a text no version held")
    ordered = sorted(times)
    return ordered[int(0.95 * (len(ordered) - 1))], statistics.median(ordered), refusals[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def size_after_saves(url: str, catalogue: Path) -> tuple[float, float, float, float]:
    """(MB after the import, MB after SIZE_SAVES single-value saves, seconds to take a
    snapshot of the result, seconds to compare it with a snapshot of the import)."""
    store = Store(url)
    import_file(store, catalogue)
    before = size_mb(store, url)
    parsed = parse_catalogue(catalogue.read_bytes()).catalogue
    ids = [e.id for e in parsed.experiences]
    teams = {t.id for t in parsed.teams}
    pick = random.Random(7)
    done = 0
    while done < SIZE_SAVES:
        latest = store.latest()
        assert latest is not None
        try:
            save_edits(
                store,
                [one_edit(pick, ids)],
                started_from=latest.id,
                author="bench",
                rationale="bench",
                teams=teams,
            )
        except Exception as exc:
            if "nothing to save" in str(exc):
                continue
            raise
        done += 1
        if done % 250 == 0:
            say(f"  {done} saves ...")
    after = size_mb(store, url)
    take_snapshot(store, "2026-Q3", version_id=1, author="bench")  # the quarter before the saves
    start = time.perf_counter()
    take_snapshot(store, "2026-Q4", author="bench")
    took = time.perf_counter() - start
    start = time.perf_counter()
    compare_quarters(store, "2026-Q3", "2026-Q4")
    compared = time.perf_counter() - start
    store.close()
    return before, after, took, compared


def stored_reads(url: str, catalogue: Path) -> list[tuple[str, float]]:
    """Seconds to read the catalogue's stored version by a fresh reader: parsing its
    YAML, and loading the kept catalogue at two collector thresholds (median of 3)."""
    import gc

    from cxprio.startup import YOUNG_COLLECTION_THRESHOLD

    store = Store(url)
    try:
        version = import_file(store, catalogue).version
        text = store.text(version.id)
    finally:
        store.close()
    threshold = gc.get_threshold()

    def timed(work: object) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            runs.append(time.perf_counter() - started)
        return statistics.median(runs)

    def kept() -> None:
        fresh = Store(url, migrate=False)
        try:
            fresh.catalogue(version.id)
        finally:
            fresh.close()

    figures = [("YAML parsed, default collector", timed(lambda: parse_catalogue(text)))]
    figures.append(("kept catalogue, default collector", timed(kept)))
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *threshold[1:])
    try:
        figures.append((f"kept catalogue, threshold {YOUNG_COLLECTION_THRESHOLD:,}", timed(kept)))
    finally:
        gc.set_threshold(*threshold)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("CXPRIO_TEST_POSTGRES_URL") else [])
    if len(kinds) == 1:
        say("bench_store: PostgreSQL skipped (set CXPRIO_TEST_POSTGRES_URL to include it)")
    missed = 0
    lines = [
        f"Store: save with {EDITORS} editors at once ({EDITORS * SAVES_EACH} saves), and size after {SIZE_SAVES} saves"
    ]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for count, target in TARGETS.items():
            text = generate_catalogue(experiences=count, teams=TEAMS[count], seed=5)
            for kind in kinds:
                catalogue = folder / f"catalogue-{count}-{kind}.yaml"
                catalogue.write_text(text, encoding="utf-8")
                say(f"{kind}, {count:,} experiences: {EDITORS} editors saving ...")
                with database(kind, folder) as url:
                    p95, median, refused = save_p95(url, catalogue)
                verdict = "ok" if p95 < target else "MISSED"
                missed += p95 >= target
                lines.append(
                    f"  {kind:10} {count:>6,} experiences: save p95 {p95 * 1000:7.0f} ms "
                    f"(median {median * 1000:.0f} ms; {refused} times refused and started again)"
                    f"   target < {target * 1000:.0f} ms  {verdict}"
                )
        text = generate_catalogue(experiences=10_000, teams=300, seed=5)
        for kind in kinds:
            catalogue = folder / f"catalogue-replicas-{kind}.yaml"
            catalogue.write_text(text, encoding="utf-8")
            say(f"{kind}, 10,000 experiences: {EDITORS} editors on two replicas saving ...")
            with database(kind, folder) as url:
                p95, median, refused = save_p95(url, catalogue, replicas=2)
            target = TARGETS[10_000]
            verdict = "ok" if p95 < target else "MISSED"
            missed += p95 >= target
            lines.append(
                f"  {kind:10} two replicas, 10,000 experiences: save p95 {p95 * 1000:7.0f} ms "
                f"(median {median * 1000:.0f} ms; {refused} times refused and started again)"
                f"   target < {target * 1000:.0f} ms  {verdict}"
            )
        for kind in kinds:
            catalogue = folder / f"catalogue-size-{kind}.yaml"
            catalogue.write_text(text, encoding="utf-8")
            say(f"{kind}: {SIZE_SAVES} single-value saves on 10,000 experiences ...")
            with database(kind, folder) as url:
                before, after, took, compared = size_after_saves(url, catalogue)
            verdict = "ok" if after < SIZE_TARGET_MB else "MISSED"
            missed += after >= SIZE_TARGET_MB
            lines.append(
                f"  {kind:10} store after the import {before:6.1f} MB, after {SIZE_SAVES} saves {after:6.1f} MB"
                f"   target < {SIZE_TARGET_MB:.0f} MB  {verdict}"
            )
            verdict = "ok" if took < SNAPSHOT_TARGET else "MISSED"
            missed += took >= SNAPSHOT_TARGET
            lines.append(
                f"  {kind:10} snapshot of 10,000 experiences {took:5.2f} s   target < {SNAPSHOT_TARGET:.0f} s  {verdict}"
            )
            verdict = "ok" if compared < SNAPSHOT_TARGET else "MISSED"
            missed += compared >= SNAPSHOT_TARGET
            lines.append(
                f"  {kind:10} compare of two such quarters {compared:5.2f} s   target < {SNAPSHOT_TARGET:.0f} s  {verdict}"
            )
        catalogue = folder / "catalogue-read.yaml"
        catalogue.write_text(text, encoding="utf-8")
        say("sqlite: reading a stored version of 10,000 experiences ...")
        with database("sqlite", folder) as url:
            for what, seconds in stored_reads(url, catalogue):
                lines.append(f"  sqlite     stored version of 10,000 experiences, {what}: {seconds:5.2f} s")
    print("\n".join(lines))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
