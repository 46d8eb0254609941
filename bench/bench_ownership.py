"""Benchmark of the ownership analysis: seams, findings and graph metrics.

Run from the repository root:

    python bench/bench_ownership.py            # prints the figures
    python bench/bench_ownership.py --check    # also exits 1 if the target is missed

Target (2-core CI machine): a generated catalogue of 10,000 experiences and 300 teams in
under 3 s. Betweenness is exact up to 1,000 teams (at 300 teams it takes about 0.2 s) and
estimated from 100 sampled source teams with a fixed seed above that; the exact
computation is also timed on its own here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxprio import parse_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.method.ownership import analyse_ownership, team_graph_dot
from cxprio.method.scoring import score


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    print("generating 10,000 experiences and 300 teams ...", file=sys.stderr)
    catalogue = parse_catalogue(generate_catalogue(experiences=10_000, teams=300, seed=1)).catalogue
    table = score(catalogue).table
    priorities = dict(zip(table["id"], table["priority"], strict=True))

    analyse_ownership(catalogue, priorities)  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        report = analyse_ownership(catalogue, priorities)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)

    start = time.perf_counter()
    team_graph_dot(report.graph, report.metrics)
    dot_seconds = time.perf_counter() - start

    simple = nx.Graph(report.graph)
    start = time.perf_counter()
    nx.betweenness_centrality(simple)
    exact_seconds = time.perf_counter() - start

    print(f"{'measure':<56} {'value':>10} {'target':>10}  result")
    verdict = "ok" if seconds < 3.0 else "MISSED"
    print(
        f"{'seams+findings+graph metrics, 10,000 exp, 300 teams':<56} {seconds * 1000:>7.0f} ms {3000:>7} ms  {verdict}"
    )
    print(f"{'  (seams found / findings)':<56} {len(report.seams):>10} {len(report.all_findings):>10}")
    print(f"{'team graph DOT text':<56} {dot_seconds * 1000:>7.0f} ms")
    print(f"{'exact betweenness alone, for comparison':<56} {exact_seconds * 1000:>7.0f} ms")
    for note in report.metrics.notes:
        print(f"note: {note}")
    return 1 if args.check and verdict == "MISSED" else 0


if __name__ == "__main__":
    sys.exit(main())
