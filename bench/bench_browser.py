"""Benchmark of the board as a person meets it: the served app in headless Chromium.

Run from the repository root (needs Chromium, as the browser tests do):

    python bench/bench_browser.py            # prints the figures
    python bench/bench_browser.py --check    # also exits 1 if a target is missed

For generated catalogues of 1,000 and 10,000 experiences it times, as medians of 5:

* **first Overview**: a freshly started server (``streamlit run app.py``), its first
  visitor, until the Overview's top 10 is drawn and no element is still loading;
* **new session**: another visitor on the running server, the same way;
* **switch to PAGE**: a click on each page in the sidebar, until that page is drawn;
* **rank ranges on Priorities**: from the same click until the rank ranges, computed in
  the background, are on the page;
* **slider to re-ordered table**: on Priorities, the Reach weight moved to its top,
  until the top 3 has changed and the page is drawn.

"Drawn" means the script run the action started has finished (the board's own
``script_finished`` message, read from its websocket) and every chart and table on
screen has painted. The page cannot tell by itself: Streamlit shows its running
indicator only after half a second.

Every run starts its own browser context (no cache shared between visitors). Target:
every figure at 10,000 experiences within 1.5x of the same figure at 1,000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxprio.catalogue.generate import generate_catalogue  # noqa: E402

CHROMIUM = os.environ.get("CXPRIO_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES = {1_000: 60, 10_000: 300}  # experiences: teams
REPEATS = 5
TARGET = 1.5
PAGES = [
    ("Priorities", "Priorities"),
    ("Ambition board", "Ambition board"),
    ("Ownership & seams", "Ownership & seams"),
    ("Decision rights", "Decision rights"),
    ("Catalogue", "Catalogue"),
    ("Overview", None),  # its heading is the organisation's name
]

DRAWN = """() => {
    const shown = selector => [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null);
    const loading = shown('[data-testid="stMain"] [data-testid="stSkeleton"]');
    const charts = shown('[data-testid="stVegaLiteChart"]');  // in a closed expander: not drawn
    const grids = shown('[data-testid="stDataFrame"]')  // a table paints once scrolled to
        .filter(grid => grid.getBoundingClientRect().top < window.innerHeight);
    return loading.length === 0
        && charts.every(chart => chart.querySelector('canvas, svg') !== null)
        && grids.every(grid => grid.querySelector('canvas') !== null);
}"""
"""The page is painted: no placeholder on screen, every chart and table on screen drawn."""


class Runs:
    """The board's finished script runs in one browser page, counted from the messages on
    its websocket (fragment runs, such as the rank ranges' polls, are not counted)."""

    FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")

    def __init__(self, page: Any) -> None:
        self.page = page
        self.finished = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes) and len(payload) < 64:  # script_finished is a few bytes
            message = ForwardMsg.FromString(payload)
            if message.WhichOneof("type") == "script_finished" and message.script_finished == self.FINISHED:
                self.finished += 1

    def wait_beyond(self, count: int) -> None:
        """Until more than ``count`` runs have finished."""
        deadline = time.monotonic() + 120
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise SystemExit("the board did not finish a run within 120 s")
            self.page.wait_for_timeout(5)  # lets Playwright deliver the websocket's messages


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def server(catalogue: Path, store: Path | None = None) -> Iterator[str]:
    """A freshly started board on ``catalogue`` and the SQLite store ``store``, by
    default a new, empty one (so the catalogue is imported, in the background, as on a
    first start); yields its address once it answers."""
    with served(catalogue, store) as (address, _pid):
        yield address


@contextmanager
def served(catalogue: Path, store: Path | None = None) -> Iterator[tuple[str, int]]:
    """:func:`server`, yielding the server process's id too (to read its memory)."""
    own = store is None
    store = store or Path(tempfile.mkdtemp(prefix="cxprio-bench-store-")) / "cxprio.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true",
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT,
        env={**os.environ, "CXPRIO_CATALOGUE": str(catalogue), "CXPRIO_DATABASE_URL": f"sqlite:///{store}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the board did not start") from None
                time.sleep(0.1)  # polling the health check, not waiting for a result
        yield address, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)
        if own:
            shutil.rmtree(store.parent, ignore_errors=True)


def timed(action: Callable[[], None], runs: Runs, ready: Callable[[], None]) -> float:
    """Seconds from ``action`` until ``ready`` holds, the run it started has finished and
    the page is painted."""
    before = runs.finished
    start = time.perf_counter()
    action()
    ready()
    runs.wait_beyond(before)
    runs.page.wait_for_function(DRAWN, polling=20)
    return time.perf_counter() - start


def top_ten(page: Any) -> str:
    """The Priorities page's answer: its top table, as text."""
    return str(page.locator('[data-testid="stTable"] tbody').first.inner_text())


def one_run(browser: Any, catalogue: Path, organisation: str) -> dict[str, float]:
    """Every figure once, on a freshly started server."""
    figures: dict[str, float] = {}

    def overview_drawn(page: Any) -> Callable[[], None]:
        return lambda: page.get_by_role("heading", name=organisation, exact=True).first.wait_for()

    with server(catalogue) as address:
        for label in ("first Overview on a fresh server", "new session on a running server"):
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(120_000)
            runs = Runs(page)
            figures[label] = timed(lambda page=page: page.goto(address), runs, overview_drawn(page))
            if label.startswith("first"):
                context.close()
        sidebar = page.locator('[data-testid="stSidebar"]')
        for link, heading in PAGES:
            ready = (
                overview_drawn(page)
                if heading is None
                else lambda h=heading: page.get_by_role("heading", name=h, exact=True).first.wait_for()
            )
            clicked = time.perf_counter()
            figures[f"switch to {link}"] = timed(
                lambda link=link: sidebar.get_by_text(link, exact=True).click(), runs, ready
            )
            if link == "Priorities":
                page.get_by_text("the 5th to 95th percentile rank").first.wait_for()
                page.wait_for_function(DRAWN, polling=20)
                figures["rank ranges on Priorities"] = time.perf_counter() - clicked
        timed(
            lambda: sidebar.get_by_text("Priorities", exact=True).click(),
            runs,
            lambda: page.get_by_text("the 5th to 95th percentile rank").first.wait_for(),
        )
        before = top_ten(page)
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Reach").get_by_role("slider")
        slider.focus()
        figures["slider to re-ordered table"] = timed(
            lambda: slider.press("End"),
            runs,
            lambda: page.wait_for_function(
                """(before) => {
                    const top = document.querySelector('[data-testid="stTable"] tbody');
                    return top !== null && top.innerText !== before;
                }""",
                arg=before,
                polling=20,
            ),
        )
        context.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"runs per size (default {REPEATS})")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        say("bench_browser: playwright is not installed (pip install -r requirements-dev.txt)")
        return 2
    if not Path(CHROMIUM).exists():
        say(f"bench_browser: no Chromium at {CHROMIUM} (apt-get install -y chromium)")
        return 2

    medians: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        catalogues = {}
        for count, teams in SIZES.items():
            path = Path(folder) / f"generated-{count}.yaml"
            path.write_text(generate_catalogue(experiences=count, teams=teams, seed=7), encoding="utf-8")
            catalogues[count] = path
        runs: dict[int, list[dict[str, float]]] = {count: [] for count in SIZES}
        for repeat in range(1, args.repeats + 1):
            for count, path in catalogues.items():  # the sizes take turns, so load meets both alike
                say(f"run {repeat}/{args.repeats}: {count:,} experiences ...")
                runs[count].append(one_run(browser, path, "Synthetic Energy"))
        browser.close()
        for count, results in runs.items():
            medians[count] = {key: statistics.median(r[key] for r in results) for key in results[0]}

    small, large = min(SIZES), max(SIZES)
    print(f"Board in Chromium, median of {args.repeats} (seconds)")
    print(f"{'':36} {small:>8,} {large:>8,}   ratio  target {TARGET}x")
    missed = 0
    for key in medians[small]:
        ratio = medians[large][key] / medians[small][key]
        verdict = "ok" if ratio <= TARGET else "MISSED"
        missed += ratio > TARGET
        print(f"{key:36} {medians[small][key]:8.2f} {medians[large][key]:8.2f}   {ratio:4.2f}x  {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
