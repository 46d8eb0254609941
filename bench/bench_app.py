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

A third page, "same elements, no work", draws what the Priorities page draws (the sidebar,
the filters, the ranked table with its rank ranges, the value map and the drill-down)
from data computed beforehand, so it shows how much of the rerun is Streamlit's own cost
of those elements, which no change to cxprio can remove.
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

import pandas as pd
from streamlit.testing.v1 import AppTest

from cxprio import Catalogue, load_catalogue
from cxprio.generate import generate_catalogue
from cxprio.scoring import robustness, score
from cxprio.tables import descendants

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


ELEMENTS_PAGE = """
import os
import pandas as pd
import pyarrow as pa
import streamlit as st

from pages.common import SCATTER_COLUMNS, scatter_spec

@st.cache_resource
def data():
    saved = pd.read_pickle(os.environ["CXPRIO_BENCH_ELEMENTS"])
    return {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in saved.items()}

def priorities():
    tables = data()
    st.title("Priorities")
    st.caption("Ranked by priority.")
    filters = st.columns([2, 2, 2, 3])
    filters[0].multiselect("Level", ["trigger", "journey", "moment"], key="filter_level")
    filters[1].selectbox("Team involved", [None, *range(60)], key="filter_team")
    filters[2].multiselect("Ambition", ["unique", "distinct", "competitive", "none"], key="filter_tier")
    filters[3].text_input("Search", key="filter_search")
    options = st.columns([2, 2, 5])
    options[0].toggle("Rank ranges", value=True, key="show_ranges")
    options[1].number_input("Stable top N", min_value=1, max_value=100, value=10, key="top_n")
    options[2].caption("**Rank range**: the 5th to 95th percentile rank.")
    st.markdown("**Top 3 now:** one · two · three", help="Changes as the weights move")
    progress = st.column_config.ProgressColumn("Priority", min_value=0, max_value=100, format="%.1f")
    st.dataframe(
        tables["ranked"],
        hide_index=True,
        width="stretch",
        height=600,
        column_config={
            "rank": st.column_config.NumberColumn("Rank", width="small"),
            "rank_range": st.column_config.TextColumn("Range", help="5th-95th percentile rank"),
            "stable_top_n": st.column_config.CheckboxColumn("Top 10", help="Stays in the top 10"),
            "name": st.column_config.TextColumn("Experience", width="medium"),
            "priority": progress,
            "customer_value": st.column_config.NumberColumn("Customer", format="%.1f"),
            "business_value": st.column_config.NumberColumn("Business", format="%.1f"),
            "complete": st.column_config.CheckboxColumn("Complete"),
        },
        key="ranking",
    )
    st.caption("1000 of 1000 experiences")
    st.download_button("Download this table (CSV)", lambda: b"", file_name="priorities.csv", key="download")
    st.subheader("Customer value against business value")
    st.vega_lite_chart(tables["plotted"], scatter_spec(), width="stretch")
    st.subheader("Drill down")
    st.selectbox("Trigger", tables["triggers"]["name"].to_pylist(), key="drill_trigger")
    st.dataframe(tables["tree"], hide_index=True, width="stretch", column_config={"priority": progress})
    st.caption("Catalogue: catalogue.yaml")

def overview(): pass
def ambition(): pass
def ownership(): pass
def decisions(): pass
def catalogue(): pass

navigation = st.navigation(
    [st.Page(overview), st.Page(priorities, default=True), st.Page(ambition), st.Page(ownership)]
    + [st.Page(decisions), st.Page(catalogue)]
)
st.set_page_config(page_title="Priorities · cxprio", layout="wide")
with st.sidebar:
    st.markdown("**Organisation**  \\n:gray[:small[Catalogue: catalogue.yaml]]")
    st.markdown("### Weights\\n:gray[:small[How much each measure counts.]]")
    for name in ("reach", "frequency", "depth", "cost", "failure_demand"):
        st.slider(name, 0.0, 1.0, step=0.05, key=f"weight_{name}")
    st.button("Reset", key="reset_weights")
navigation.run()
"""


def elements_data(table: pd.DataFrame, catalogue: Catalogue, spread: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What the Priorities page shows with its defaults, computed beforehand."""
    shown = table.head(1000).merge(spread, on="id")
    shown["rank_range"] = shown["rank_p5"].astype(str) + "–" + shown["rank_p95"].astype(str)
    triggers = table[table["level"] == "trigger"]
    tree = descendants(catalogue, triggers["id"].iloc[0]).merge(table, on=["id", "level"], how="left")
    return {
        "ranked": shown[
            [
                *("rank", "rank_range", "stable_top_n", "name", "level", "priority", "customer_value"),
                *("business_value", "ambition", "owner", "complete"),
            ]
        ],
        "plotted": table.head(1000)[
            ["name", "level", "rank", "priority", "customer_value", "business_value", "reach"]
        ],
        "triggers": triggers[["name"]],
        "tree": tree[["name_x", "level", "rank", "priority", "ambition"]],
    }


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
            catalogue = load_catalogue(path).catalogue
            scores = score(catalogue)
            scores.table.to_pickle(rows)
            elements = Path(folder) / f"elements-{n}.pkl"
            spread = robustness(scores.normalised, scores.weights)
            pd.to_pickle(elements_data(scores.table, catalogue, spread), elements)

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

            print(f"timing the same elements without the work at {n} ...", file=sys.stderr)
            os.environ["CXPRIO_BENCH_ELEMENTS"] = str(elements)
            same = AppTest.from_string(ELEMENTS_PAGE, default_timeout=600)
            same.run()
            assert not same.exception, same.exception
            assert len(same.dataframe) == 2 and len(same.sidebar.slider) == 5  # it drew the page
            elements_seconds = time_reruns(same)
            results.append((n, board_seconds, bare_seconds, without_ranges, elements_seconds))

    missed = 0
    print(f"{'experiences':>11} {'priorities page':>16} {'bare page':>10} {'ratio':>6} {'target':>7}  result")
    for n, board_seconds, bare_seconds, without_ranges, elements_seconds in results:
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
        print(
            f"{'':>11} {elements_seconds * 1000:>13.0f} ms {'':>10} {elements_seconds / bare_seconds:>5.1f}x"
            "          (the same elements, no work: Streamlit's own share)"
        )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
