"""Benchmark of the board: how long the Priorities page takes to rerun after a weight change.

Run from the repository root:

    python bench/bench_app.py            # prints the figures
    python bench/bench_app.py --check    # also exits 1 if a target is missed

With Streamlit's AppTest, for generated catalogues of 1,000 and 10,000 experiences, it
moves the Depth weight slider and times the rerun of the Priorities page (median of 7,
after warm-up runs that fill the caches), beside the same measure for a bare Streamlit
page that only shows a dataframe of the same rows and a slider. Targets: within 2x of the
bare page at 1,000 experiences and within 3x at 10,000. The page's defaults apply: rank
ranges (500 weight draws, recomputed at every new weighting) are on up to 5,000
experiences and off above.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest

from cxprio import load_catalogue
from cxprio.generate import generate_catalogue
from cxprio.scoring import score

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 7
TEAMS = {1_000: 60, 10_000: 300}
TARGETS = {1_000: 2.0, 10_000: 3.0}

BARE_PAGE = """
import os
import pandas as pd
import streamlit as st

@st.cache_resource
def rows():
    return pd.read_pickle(os.environ["CXPRIO_BENCH_ROWS"])

st.slider("Depth", 0.0, 1.0, key="weight_depth")
st.dataframe(rows())
"""


def time_reruns(app: AppTest) -> float:
    times = []
    for index in range(REPEATS + 2):
        app.slider(key="weight_depth").set_value(0.30 + 0.05 * (index % 10))
        start = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - start
        assert not app.exception, app.exception
        if index >= 2:  # the first two fill caches and import lazily loaded modules
            times.append(elapsed)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n, teams in TEAMS.items():
            print(f"generating {n} experiences ...", file=sys.stderr)
            path = Path(folder) / f"catalogue-{n}.yaml"
            path.write_text(generate_catalogue(experiences=n, teams=teams, seed=1), encoding="utf-8")
            rows = Path(folder) / f"rows-{n}.pkl"
            score(load_catalogue(path).catalogue).table.to_pickle(rows)

            print(f"timing the Priorities page at {n} ...", file=sys.stderr)
            os.environ["CXPRIO_CATALOGUE"] = str(path)
            board = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            board.run()
            board.switch_page("pages/priorities.py")
            board.run()
            board_seconds = time_reruns(board)
            without_ranges = None
            if board.toggle(key="show_ranges").value:
                board.toggle(key="show_ranges").set_value(False).run()
                without_ranges = time_reruns(board)

            print(f"timing the bare page at {n} ...", file=sys.stderr)
            os.environ["CXPRIO_BENCH_ROWS"] = str(rows)
            bare = AppTest.from_string(BARE_PAGE, default_timeout=600)
            bare.run()
            bare_seconds = time_reruns(bare)
            results.append((n, board_seconds, bare_seconds, without_ranges))

    missed = 0
    print(f"{'experiences':>11} {'priorities page':>16} {'bare page':>10} {'ratio':>6} {'target':>7}  result")
    for n, board_seconds, bare_seconds, without_ranges in results:
        ratio = board_seconds / bare_seconds
        verdict = "ok" if ratio <= TARGETS[n] else "MISSED"
        missed += verdict == "MISSED"
        print(
            f"{n:>11,} {board_seconds * 1000:>13.0f} ms {bare_seconds * 1000:>7.0f} ms "
            f"{ratio:>5.1f}x {TARGETS[n]:>6.0f}x  {verdict}"
        )
        if without_ranges is not None:
            print(
                f"{'':>11} {without_ranges * 1000:>13.0f} ms {'':>10} {without_ranges / bare_seconds:>5.1f}x"
                "          (the same page with rank ranges switched off)"
            )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
