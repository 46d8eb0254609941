"""What the browser tests share: a served board, Chromium through Playwright, and ways
to wait for a page and read it as a person does.

Needs Debian's ``chromium`` at /usr/bin/chromium and the ``playwright`` package (CI
installs both). Without them the browser tests are skipped with the reason printed,
unless ``CXPRIO_REQUIRE_BROWSER=1`` (set by CI), which turns a missing browser into a
failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cxprio import load_catalogue
from cxprio.method.ambition import check_ambition
from cxprio.method.ownership import analyse_ownership, decision_matrix
from cxprio.method.scoring import score

from .conftest import ROOT, SAMPLE

CHROMIUM = os.environ.get("CXPRIO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def _require_browser() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CXPRIO_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")


@contextmanager
def serve(
    catalogue: Path = SAMPLE, store: Path | str | None = None, secrets: Path | None = None
) -> Iterator[str]:
    """``streamlit run app.py`` on a free port, on ``catalogue`` and the store ``store``
    (a SQLite file, or a database address; by default a new SQLite file of its own), and
    with ``secrets`` (a secrets.toml) when given; yields its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    own = Path(tempfile.mkdtemp(prefix="cxprio-store-")) / "cxprio.db"
    address = store if isinstance(store, str) else f"sqlite:///{store or own}"
    env = {**os.environ, "CXPRIO_CATALOGUE": str(catalogue), "CXPRIO_DATABASE_URL": address}
    # The server's output goes to a file: a pipe nobody reads would stop the server once
    # full, and the file is there to read when a test fails (printed at the end).
    log = own.parent / "server.log"
    output = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            *(["--secrets.files", str(secrets)] if secrets is not None else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log.read_text(encoding='utf-8')}")
                time.sleep(0.2)  # polling the health check until the deadline, not a wait for a result
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()
        said = log.read_text(encoding="utf-8")
        if "Traceback" in said or "Error" in said:
            print(f"--- the server's output ---\n{said[-20_000:]}")  # shown by pytest if the test failed
        shutil.rmtree(own.parent, ignore_errors=True)


def expect(locator: Any) -> Any:
    """Playwright's retrying assertions, imported late so a missing package skips cleanly."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


IDLE = """() => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const running = status !== null && status.offsetParent !== null;
    const stale = document.querySelectorAll('[data-stale="true"]').length;
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter(chart => chart.getBoundingClientRect().width > 0);  // a closed tab draws its chart when opened
    const fonts = document.fonts.status === 'loaded';
    return !running && stale === 0 && fonts && charts.every(chart => chart.querySelector('canvas, svg') !== null);
}"""
"""No element left from an earlier run (Streamlit shows its running indicator only after
half a second; until a rerun has sent an element again, the old one is marked stale, and
a stale download button's file is already gone), every web font loaded (tables size
their columns by the text as drawn), and every chart on show drawn."""


def settle(page: Any) -> None:
    """Wait until no script run is in flight and every chart on the page has drawn."""
    page.wait_for_function(IDLE)


def open_page(page: Any, server: str, path: str, heading: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    if path == "priorities":  # the rank ranges arrive in a rerun of their own
        ranges_shown(page)
    settle(page)


def ranges_shown(page: Any) -> None:
    """Wait until the Priorities page shows its rank ranges (computed in the background)."""
    page.get_by_text("the 5th to 95th percentile rank").first.wait_for()


TABLE = """(table) => {
    const cells = row => [...row.querySelectorAll('th, td')].map(cell => cell.innerText.trim());
    const box = table.getBoundingClientRect();
    return {
        headers: cells(table.querySelector('thead tr')),
        rows: [...table.querySelectorAll('tbody tr')].map(cells),
        top: box.top, bottom: box.bottom, right: box.right,
        cut: [...table.querySelectorAll('th, td')].filter(cell => cell.scrollWidth > cell.clientWidth + 1)
            .map(cell => cell.innerText),
    };
}"""
"""A table that wraps (``st.table``) as the page shows it: headings, rows, where it sits,
and any cell whose text does not fit it."""


def shown_table(page: Any, index: int = 0) -> dict[str, Any]:
    """The page's ``index``-th table that wraps, read from the page."""
    table = page.locator('[data-testid="stTable"] table').nth(index)
    table.wait_for()
    found: dict[str, Any] = table.evaluate(TABLE)
    return found


def column(table: dict[str, Any], heading: str) -> list[str]:
    at = table["headers"].index(heading)
    return [row[at] for row in table["rows"]]


def top_names(page: Any) -> list[str]:
    """The experiences of the top table (the Overview's and Priorities' first), best first."""
    return column(shown_table(page), "Experience")


def metric_value(page: Any, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return str(metric.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def expected_figures() -> dict[str, Any]:
    catalogue = load_catalogue(SAMPLE).catalogue
    scores = score(catalogue)
    table = scores.table
    ownership = analyse_ownership(catalogue, dict(zip(table["id"], table["priority"], strict=True)))
    ambition = check_ambition(catalogue, scores)
    return {
        "catalogue": catalogue,
        "top": table["name"].iloc[0],
        "coverage": f"{ownership.coverage:.0%}",
        "seams": str(len(ownership.seams)),
        "unique": next(t.count for t in ambition.tiers if t.tier.value == "unique"),
        "decisions": str(len(decision_matrix(catalogue))),
        "experiences": str(len(catalogue.experiences)),
    }


ROOM_WEIGHTS = {"reach": 0.4, "frequency": 0.1, "depth": 0.25, "cost": 0.1, "failure_demand": 0.15}
ROOM_ADDRESS = "reach:0.40,frequency:0.10,depth:0.25,cost:0.10,failure_demand:0.15"
