"""Benchmark of the workshop pack (cxprio.outputs.report): each format made from a catalogue file.

For generated catalogues of 1,000 and 10,000 experiences (60 and 300 teams), with a
quarter comparison of two snapshots, it times the HTML report, the Excel workbook and
the slides, each from the parsed catalogue to the file's bytes (ranking, rank ranges,
ownership analysis, charts and writing), on its own, as the board and the command line
make it. Median of 3 at 1,000, one run at 10,000 (it prints the sizes too).

Targets: each format under 5 s at 1,000 experiences and under 30 s at 10,000.

    python bench/bench_report.py            # figures; exit 0
    python bench/bench_report.py --check    # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxprio import parse_catalogue  # noqa: E402
from cxprio.catalogue.generate import generate_catalogue  # noqa: E402
from cxprio.outputs.report import build, gather, newest_history  # noqa: E402
from cxprio.store.imports import import_file  # noqa: E402
from cxprio.store.snapshots import take_snapshot  # noqa: E402
from cxprio.store.versions import Store  # noqa: E402

SIZES = {1_000: (60, 3, 5.0), 10_000: (300, 1, 30.0)}  # experiences: teams, runs, target (s)
FORMATS = ("html", "xlsx", "pptx")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def with_history(folder: Path, text: str) -> Store:
    """A store holding the catalogue in two quarters, the second with some reach changed."""
    store = Store(f"sqlite:///{folder / 'bench.db'}")
    first = folder / "catalogue.yaml"
    first.write_text(text, encoding="utf-8")
    import_file(store, first)
    take_snapshot(store, "2026-Q3", author="bench")
    data = yaml.safe_load(text)
    changed = copy.deepcopy(data)
    for experience in changed["experiences"][::7]:
        if experience.get("measures", {}).get("reach"):
            experience["measures"]["reach"] = experience["measures"]["reach"] * 3
    first.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    import_file(store, first)
    take_snapshot(store, "2026-Q4", author="bench")
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    rows = []
    missed = 0
    for count, (teams, runs, target) in SIZES.items():
        with tempfile.TemporaryDirectory() as folder:
            say(f"{count:,} experiences: generating and snapshotting two quarters ...")
            text = generate_catalogue(experiences=count, teams=teams, seed=7)
            store = with_history(Path(folder), text)
            loaded = parse_catalogue(text, source="generated.yaml")
            for fmt in FORMATS:
                times, size = [], 0
                for run in range(runs):
                    say(f"  {fmt} run {run + 1}/{runs} ...")
                    start = time.perf_counter()
                    history = newest_history(store)
                    data = build(gather(loaded, weights=None, history=history), fmt)
                    times.append(time.perf_counter() - start)
                    size = len(data)
                median = statistics.median(times)
                missed += median > target
                rows.append((count, fmt, median, size, target))
            store.close()
    print("Workshop pack, seconds from the parsed catalogue to the file (median)")
    print(f"{'experiences':>11}  {'format':6} {'seconds':>8} {'size':>10}  target")
    for count, fmt, median, size, target in rows:
        verdict = "ok" if median <= target else "MISSED"
        print(f"{count:>11,}  {fmt:6} {median:8.2f} {size / 1_048_576:8.1f} MB  < {target:g} s {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
