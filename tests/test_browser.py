"""The served app in a real headless Chromium, as a person meets it.

Needs Debian's ``chromium`` at /usr/bin/chromium and the ``playwright`` package (CI
installs both). Without them these tests are skipped with the reason printed, unless
``CXPRIO_REQUIRE_BROWSER=1`` (set by CI), which turns a missing browser into a failure.
Screenshots of every page are saved under ``tests/artifacts/`` for a person to look at.
"""

from __future__ import annotations

import csv
import io
import os
import re
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
import yaml

from cxprio import load_catalogue
from cxprio.method.ambition import check_ambition
from cxprio.method.ownership import analyse_ownership, decision_matrix
from cxprio.method.scoring import score
from cxprio.store.versions import Store

from .conftest import ROOT, SAMPLE, catalogue_dict, dump, imported

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _require_browser()
    with serve() as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 2400}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(45_000)
    yield tab
    context.close()


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


def test_every_page_opens_with_its_title_and_key_figure(page: Any, server: str) -> None:
    expected = expected_figures()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    checks = [
        ("", "Overview", "Northwind Energy", lambda: metric_value(page, "Seam coverage") == expected["coverage"]),
        ("priorities", "Priorities", "Priorities", lambda: top_names(page)[0] == expected["top"]),
        ("ambition", "Ambition board", "Ambition board", lambda: metric_value(page, "Unique") == str(expected["unique"])),
        ("ownership", "Ownership & seams", "Ownership & seams", lambda: metric_value(page, "Seams") == expected["seams"]),
        ("decisions", "Decision rights", "Decision rights", lambda: metric_value(page, "Decisions") == expected["decisions"]),
        ("catalogue", "Catalogue", "Catalogue", lambda: metric_value(page, "Experiences") == expected["experiences"]),
    ]  # fmt: skip
    for path, title, heading, key_figure in checks:
        open_page(page, server, path, heading)
        assert page.title() == f"{title} · cxprio"
        assert key_figure(), f"the key figure of {title} is not as the core computes it"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}.png"), full_page=True)


RENDERED = """() => document.title.endsWith(' · cxprio')
    && document.querySelector('[data-testid="stMain"] h1') !== null"""
"""A page of the board has had its page config and drawn its title."""


def test_no_page_asks_another_server_for_anything(browser: Any, tmp_path: Path) -> None:
    """On an offline projector a request to another host (a font server for the tab's
    icon, a CDN) fails, and it tells that server who is looking: every page of the
    sidebar, and a workshop round's participant and projector faces, opened as a person
    opens them, ask only the board. Every request to another host is aborted and
    recorded, web sockets too."""
    from urllib.parse import urlsplit

    from cxprio.method.rounds.checks import parse_criteria
    from cxprio.store.rounds import open_round
    from cxprio.store.versions import import_file

    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(url)
    try:
        latest = import_file(store, live).version
        catalogue = load_catalogue(live).catalogue
        code = open_round(
            store, catalogue, latest.id, experiences=["moving-home"], criteria=parse_criteria("depth"),
            author="Fran", title="Offline room",
        ).code  # fmt: skip
    finally:
        store.close()
    elsewhere: list[str] = []
    with serve(live, url) as base:
        own = urlsplit(base).netloc

        def only_the_board(route: Any) -> None:
            address = urlsplit(route.request.url)
            if address.scheme in ("http", "https", "ws", "wss") and address.netloc != own:
                elsewhere.append(f"{route.request.resource_type} {route.request.url}")
                route.abort()
            else:
                route.continue_()

        context = browser.new_context(viewport={"width": 1600, "height": 1200})
        context.route("**/*", only_the_board)
        page = context.new_page()
        page.set_default_timeout(45_000)
        page.on(
            "websocket",
            lambda socket: urlsplit(socket.url).netloc == own or elsewhere.append(f"websocket {socket.url}"),
        )
        page.goto(base)
        page.wait_for_function(RENDERED)
        links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a')
        expect(links).to_have_count(len(list((ROOT / "pages").glob("*.py"))) + 1)  # app.py and pages/
        addresses = [urlsplit(str(link.get_attribute("href"))).path.strip("/") for link in links.all()]
        addresses += [f"rounds?round={code}", f"rounds?round={code}&view=projector"]
        opened = []
        for address in addresses:
            page.goto(f"{base}/{address}")
            page.wait_for_function(RENDERED)
            settle(page)
            page.wait_for_load_state("networkidle")  # nothing more on its way
            assert page.locator('[data-testid="stException"]').count() == 0, address
            icon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
            assert urlsplit(icon).scheme == "data" or urlsplit(icon).netloc == own, icon
            opened.append((page.title(), page.locator('[data-testid="stMain"] h1').first.inner_text()))
        expect(page.get_by_text(f"Scan to join round {code}")).to_be_visible()  # the projector, drawn
        context.close()
    assert len(set(opened[:-2])) == len(addresses) - 2, opened  # every page of the sidebar, each once
    assert opened[-1][1] == opened[-2][1] == "Offline room"  # the round's two faces
    assert not elsewhere, "requests to other hosts:\n" + "\n".join(elsewhere)


def first_is(page: Any, name: str) -> None:
    """Wait until the top table's first experience is ``name``."""
    first = page.locator('[data-testid="stTable"] tbody tr').first
    expect(first).to_contain_text(name, timeout=45_000)


def test_moving_a_weight_slider_changes_the_order(page: Any, server: str) -> None:
    open_page(page, server, "priorities", "Priorities")
    before = top_names(page)
    catalogue = load_catalogue(SAMPLE).catalogue
    reach_first = score(catalogue, weights={"reach": 1.0}).table["name"].iloc[0]
    assert before[0] != reach_first

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Reach").get_by_role("slider")
    slider.focus()
    slider.press("End")  # the slider's maximum, 1.0
    first_is(page, reach_first)
    ranges_shown(page)
    settle(page)
    assert top_names(page) != before
    page.screenshot(path=str(ARTIFACTS / "priorities-reach-first.png"), full_page=True)


def download_priorities(page: Any) -> list[dict[str, str]]:
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this table (CSV)").click()
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))


def test_the_priorities_csv_download_has_every_matching_row(page: Any, server: str) -> None:
    open_page(page, server, "priorities", "Priorities")
    rows = download_priorities(page)
    catalogue = load_catalogue(SAMPLE).catalogue
    expected = score(catalogue).table
    assert len(rows) == len(expected)
    assert [r["name"] for r in rows[:5]] == expected["name"].head(5).tolist()
    assert rows[0]["rank"] == "1"
    # The rank ranges are on by default, so the download has them as numbers.
    assert all(int(r["rank_p5"]) <= int(r["rank_p95"]) for r in rows)

    bill = {e.id for e in catalogue.experiences if "bill" in f"{e.id} {e.name} {e.outcome}".lower()}
    page.get_by_placeholder("Name, id or outcome").fill("bill")
    page.keyboard.press("Enter")
    page.get_by_text(f"{len(bill)} of {len(expected)} experiences").first.wait_for()
    ranges_shown(page)
    settle(page)
    assert {r["id"] for r in download_priorities(page)} == bill


FITS = """(selector) => [...document.querySelectorAll(selector)].map(el => {
    const scroller = el.querySelector('.dvn-scroller') || el;
    const box = el.getBoundingClientRect();
    return {bottom: box.bottom, right: box.right,
            hidden_x: scroller.scrollWidth - scroller.clientWidth,
            hidden_y: scroller.scrollHeight - scroller.clientHeight};
})"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_on_a_projector_the_top_10_the_tables_and_the_advice_are_whole(
    browser: Any, server: str, size: tuple[int, int]
) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(45_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    open_page(page, server, "", "Northwind Energy")
    top = shown_table(page)
    # On the first screen, every row and every column, no text cut.
    assert top["bottom"] <= height and top["right"] <= width, top
    assert not top["cut"], top["cut"]
    catalogue = load_catalogue(SAMPLE).catalogue
    table = score(catalogue).table
    assert column(top, "Experience") == table["name"].head(10).tolist()
    page.screenshot(path=str(ARTIFACTS / f"projector-{width}-overview.png"))

    report = analyse_ownership(catalogue, dict(zip(table["id"], table["priority"], strict=True)))
    for path, heading, findings in (
        ("decisions", "Decision rights", report.decision_findings),
        ("ownership", "Ownership & seams", report.findings),
    ):
        open_page(page, server, path, heading)
        if path == "decisions":  # the RACI page is sized to its rows: none cut off
            page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
            matrix = page.evaluate(FITS, '[data-testid="stDataFrame"]')[0]
            assert matrix["hidden_y"] <= 1, matrix
        page.get_by_role("tab", name="Findings").click()
        advice = page.locator('[data-testid="stTable"]').filter(has_text="What we found").first
        advice.wait_for()
        advice.scroll_into_view_if_needed()
        settle(page)
        shown = advice.inner_text()
        for finding in findings[:5]:  # the most important advice, word for word and whole
            assert " ".join(finding.message.split()) in " ".join(shown.split()), finding.message
            assert finding.title in shown and finding.action in shown
        assert page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stTable"] td')]
                   .every(cell => cell.scrollWidth <= cell.clientWidth + 1)"""
        ), "a findings cell cuts its text"
        team_ids = {t.id for t in catalogue.teams} - {t.name for t in catalogue.teams}
        teams_column = [line for line in shown.splitlines() if line.strip() in team_ids]
        assert not teams_column, f"team ids where names belong: {teams_column}"
        page.screenshot(path=str(ARTIFACTS / f"projector-{width}-{path}.png"))
    for path, heading in (
        ("priorities", "Priorities"),
        ("ambition", "Ambition board"),
        ("catalogue", "Catalogue"),
    ):
        open_page(page, server, path, heading)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / f"projector-{width}-{path}.png"))
    context.close()


ROOM_WEIGHTS = {"reach": 0.4, "frequency": 0.1, "depth": 0.25, "cost": 0.1, "failure_demand": 0.15}
ROOM_ADDRESS = "reach:0.40,frequency:0.10,depth:0.25,cost:0.10,failure_demand:0.15"


def test_weights_in_the_address_survive_a_refresh_a_new_tab_and_every_download(
    browser: Any, page: Any, server: str
) -> None:
    expected = score(load_catalogue(SAMPLE).catalogue, weights=ROOM_WEIGHTS).table["name"].tolist()
    assert expected != score(load_catalogue(SAMPLE).catalogue).table["name"].tolist()
    page.goto(f"{server}/priorities?weights={ROOM_ADDRESS}")
    first_is(page, expected[0])
    ranges_shown(page)
    rows = download_priorities(page)
    assert [r["name"] for r in rows] == expected
    assert {r["weights"] for r in rows} == {ROOM_ADDRESS}

    page.reload()
    first_is(page, expected[0])
    ranges_shown(page)
    assert [r["name"] for r in download_priorities(page)] == expected

    # Another page by the sidebar, then its downloads: the weights come along.
    page.locator('[data-testid="stSidebar"]').get_by_text("Ownership & seams").click()
    page.get_by_role("heading", name="Ownership & seams", exact=True).first.wait_for()
    page.wait_for_url(lambda url: "weights=" in url)
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these seams (CSV)").click()
    seams = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert seams and {r["weights"] for r in seams} == {ROOM_ADDRESS}

    # The address as it now reads, opened in a new browser session: the same ranking.
    shared = page.url
    context = browser.new_context(viewport={"width": 1600, "height": 2400}, accept_downloads=True)
    other = context.new_page()
    other.set_default_timeout(45_000)
    other.goto(shared.replace("/ownership", "/priorities"))
    first_is(other, expected[0])
    ranges_shown(other)
    assert [r["name"] for r in download_priorities(other)] == expected
    reach = other.locator('[data-testid="stSlider"]').filter(has_text="Reach")
    expect(reach.locator('[data-testid="stSliderThumbValue"]')).to_have_text("0.40")
    context.close()


def test_the_catalogue_page_downloads_every_table_as_the_cli_writes_it(
    page: Any, server: str, tmp_path: Path
) -> None:
    import zipfile

    cli_zip = tmp_path / "cli.zip"
    written = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxprio",
            "tables",
            str(SAMPLE),
            "--weights",
            ROOM_ADDRESS,
            "--out",
            str(cli_zip),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    open_page(page, server, f"catalogue?weights={ROOM_ADDRESS}", "Catalogue")
    page.get_by_role("button", name="raci-matrix.csv").wait_for()  # the page's last element: its run is done
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Every table (ZIP of CSV)").click()
    assert Path(download.value.path()).read_bytes() == cli_zip.read_bytes()
    # One table on its own: the same bytes as in the ZIP.
    with page.expect_download() as download:
        page.get_by_role("button", name="raci-matrix.csv").click()
    with zipfile.ZipFile(cli_zip) as bundle:
        assert Path(download.value.path()).read_bytes() == bundle.read("raci-matrix.csv")


def test_a_moved_slider_goes_into_the_address_and_bad_weights_there_get_a_note(
    page: Any, server: str
) -> None:
    page.goto(f"{server}/?weights=reach:lots,depth:0.5,speed:1")
    page.get_by_role("heading", name="Northwind Energy", exact=True).first.wait_for()
    note = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(
        has_text="Ignored in the page address"
    )
    expect(note).to_contain_text("'lots'")
    expect(note).to_contain_text("'speed' is not a measure")
    depth = page.locator('[data-testid="stSlider"]').filter(has_text="Depth")
    expect(depth.locator('[data-testid="stSliderThumbValue"]')).to_have_text("0.50")
    assert page.locator('[data-testid="stException"]').count() == 0

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Reach").get_by_role("slider")
    slider.focus()
    slider.press("End")  # 1.0
    page.wait_for_url(lambda url: "reach%3A1.00" in url or "reach:1.00" in url)
    expect(note).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "address-weights.png"), full_page=True)


def test_uploading_an_invalid_catalogue_shows_errors_and_keeps_the_board(
    page: Any, server: str, tmp_path: Path
) -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    broken = tmp_path / "broken.yaml"
    broken.write_text(dump(data))
    open_page(page, server, "catalogue", "Catalogue")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(broken))
    page.get_by_text("is not valid").first.wait_for()
    settle(page)
    assert page.get_by_text("did you mean 'journey'?").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "catalogue-invalid-upload.png"), full_page=True)
    open_page(page, server, "", "Northwind Energy")


@pytest.mark.parametrize(("path", "heading"), [("priorities", "Priorities"), ("ambition", "Ambition board")])
def test_a_page_opened_first_on_a_fresh_server_gets_the_whole_board(
    browser: Any, path: str, heading: str
) -> None:
    with serve() as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1200})
        page = context.new_page()
        page.set_default_timeout(45_000)
        open_page(page, fresh, path, heading)
        assert page.title() == f"{heading} · cxprio"
        links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
        labels = [
            "Overview",
            "Priorities",
            "Ambition board",
            "Ownership & seams",
            "Decision rights",
            "Catalogue",
            "Edit",
            "History",
            "Quarter on quarter",
            "Workshop rounds",
            "Workshop pack",
        ]
        expect(links).to_have_count(len(labels))
        for link, label in zip(links.all(), labels, strict=True):
            expect(link).to_contain_text(label)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no second, automatic list
        reach = page.locator('[data-testid="stSlider"]').filter(has_text="Reach")
        weight = load_catalogue(SAMPLE).catalogue.scoring.weights.reach
        expect(reach.locator('[data-testid="stSliderThumbValue"]')).to_have_text(f"{weight:.2f}")
        expect(page.get_by_text("Reset to the catalogue's weights").first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()


def test_a_broken_file_leaves_the_last_good_board_for_this_session_and_every_new_one(
    browser: Any, tmp_path: Path
) -> None:
    live = tmp_path / "live.yaml"
    original = dump(catalogue_dict()).encode()
    live.write_bytes(original)
    with serve(live) as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1600}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(45_000)
        open_page(page, fresh, "catalogue", "Catalogue")
        live.write_text("version: 1\norganisation: [broken\n")
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Depth").get_by_role("slider")
        slider.focus()
        slider.press("ArrowRight")  # any interaction reruns the page, which reads the file again
        page.get_by_text("the board still shows the last version that loaded").first.wait_for()
        settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Catalogue (YAML)").click()
        assert Path(download.value.path()).read_bytes() == original
        context.close()

        # A visitor who never saw the good version: a refresh, or anyone joining the room.
        for path, heading in (("", "Test Energy"), ("decisions", "Decision rights")):
            visitor = browser.new_context(viewport={"width": 1280, "height": 720})
            page = visitor.new_page()
            page.set_default_timeout(45_000)
            page.goto(f"{fresh}/{path}")
            page.get_by_role("heading", name=heading, exact=True).first.wait_for()
            notice = page.get_by_text("the board still shows the last version that loaded").first
            notice.wait_for()
            page.get_by_text("Catalogue: live.yaml").first.wait_for()  # the sidebar, drawn
            settle(page)
            error = page.locator('[data-testid="stAlert"]').filter(has_text="live.yaml:3:1")  # the YAML's end
            expect(error).to_contain_text("this is not valid YAML")
            expect(error).to_contain_text("↳ check the indentation")
            assert page.get_by_text("The catalogue could not be loaded").count() == 0
            page.screenshot(path=str(ARTIFACTS / f"broken-file-new-session-{path or 'overview'}.png"))
            visitor.close()


HOSTILE = (  # each attack once, within a name's 200 characters with "Trigger " before it
    "**Bold** [link](javascript:alert(1)) ![p](http://127.0.0.1:9/tracker.png) "
    "<img src=x onerror=alert(1)> <script>alert(2)</script> :red[hue] $x^2$ _it_ `code` "
    "www.example.com/track m@example.com"
)


def test_catalogue_text_with_markdown_html_and_links_is_shown_as_plain_text(
    browser: Any, tmp_path: Path
) -> None:
    data = catalogue_dict(organisation=f"Org {HOSTILE}")
    data["teams"][0]["name"] = f"Team {HOSTILE}"
    data["experiences"][0]["name"] = f"Trigger {HOSTILE}"
    path = tmp_path / "hostile.yaml"
    path.write_text(dump(data))
    pages = [
        ("", f"Org {HOSTILE}"),
        ("priorities", "Priorities"),
        ("ambition", "Ambition board"),
        ("ownership", "Ownership & seams"),
        ("decisions", "Decision rights"),
        ("catalogue", "Catalogue"),
    ]
    with serve(path) as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(45_000)
        for path_name, heading in pages:
            open_page(page, fresh, path_name, heading)
            body = page.locator("body")
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
            from_names = [
                h for h in hrefs if not h.startswith("#") and re.search(r"javascript|tracker|example", h)
            ]
            assert from_names == [], f"links made from catalogue text on /{path_name}: {from_names}"
            assert page.locator('img[src*="tracker"], img[src="x"]').count() == 0
            assert page.locator("script:has-text('alert(2)')").count() == 0
            assert (
                page.locator('[data-testid="stMarkdown"] [style*="color"]').filter(has_text="hue").count()
                == 0
            )
            assert page.locator(".katex").count() == 0
            text = str(body.inner_text()).replace("\u200b", "")
            assert "\\" not in text.replace("\\\\", ""), f"a stray backslash on /{path_name}"
        # The organisation's name, whole and literal, in the title and the sidebar.
        open_page(page, fresh, "", f"Org {HOSTILE}")
        sidebar = str(page.locator('[data-testid="stSidebar"]').inner_text()).replace("\u200b", "")
        assert f"Org {HOSTILE}" in sidebar
        page.screenshot(path=str(ARTIFACTS / "hostile-names.png"), full_page=True)
        context.close()


def test_an_editor_saves_a_change_that_lands_in_the_file_and_the_history(
    browser: Any, tmp_path: Path
) -> None:
    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    before = live.read_text(encoding="utf-8")
    store_path = tmp_path / "store.db"
    with serve(live, store_path) as fresh:
        store = Store(f"sqlite:///{store_path}")
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        page.set_default_timeout(45_000)
        page.goto(fresh)
        page.get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(f"sqlite:///{store_path}")  # the board imports its file in the background
        open_page(page, fresh, "edit", "Edit an experience")
        page.get_by_label("Your name, for the change history").fill("Ana")
        page.keyboard.press("Enter")
        depth = page.get_by_role("spinbutton", name="Depth (1-5)")
        depth.wait_for()
        settle(page)
        experience = load_catalogue(SAMPLE).catalogue.experience(
            str(score(load_catalogue(SAMPLE).catalogue).table["id"].iloc[0])
        )
        new_depth = 1 if experience.measures.depth != 1 else 2
        depth.fill(str(new_depth))
        page.get_by_label("Why (saved with the change)").fill("re-scored in the workshop")
        page.get_by_role("button", name="Save as a new version").click()
        page.get_by_text("Saved as version 2").first.wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "edit-saved.png"), full_page=True)
        after = live.read_text(encoding="utf-8")
        changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
        assert len(changed) == 1 and f"depth: {new_depth}" in changed[0][1]
        rows = store.audit(2)
        assert [(r.author, r.experience, r.field, r.new) for r in rows] == [
            ("Ana", experience.id, "measures.depth", str(new_depth))
        ]
        store.close()


def _edit_form(page: Any, server: str, name: str, experience: str) -> None:
    """Open the Edit page as ``name`` on ``experience``'s form."""
    open_page(page, server, "edit", "Edit an experience")
    if page.get_by_text("Editing as").count() == 0:  # this browser has not signed in yet
        page.get_by_label("Your name, for the change history").fill(name)
        page.keyboard.press("Enter")
    picker = page.get_by_label("Experience", exact=True)
    picker.wait_for()
    settle(page)
    picker.click()
    page.keyboard.type(experience)  # the list shows what matches what is typed
    page.get_by_role("option", name=experience, exact=True).click()
    page.get_by_text(f"{experience} ·").first.wait_for()
    settle(page)


def test_two_replicas_on_one_postgresql_merge_saves_keep_their_files_and_name_a_clash(
    browser: Any, tmp_path: Path
) -> None:
    from .conftest import postgres_database

    catalogue = load_catalogue(SAMPLE).catalogue
    first, second = catalogue.experiences[0], catalogue.experiences[4]
    replicas = [tmp_path / "a" / "experiences.yaml", tmp_path / "b" / "experiences.yaml"]
    for path in replicas:  # each replica has the catalogue file of its own deployment
        path.parent.mkdir()
        shutil.copy(SAMPLE, path)
    with postgres_database() as url, serve(replicas[0], url) as a, serve(replicas[1], url) as b:
        store = Store(url)
        pages = []
        for _ in range(2):
            context = browser.new_context(viewport={"width": 1600, "height": 1400})
            tab = context.new_page()
            tab.set_default_timeout(45_000)
            pages.append(tab)
        pages[0].goto(a)
        pages[0].get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(url)  # the first replica imports the file in the background

        # A save on one replica is seen on the other.
        _edit_form(pages[0], a, "Ana", first.name)
        pages[0].get_by_role("spinbutton", name="Depth (1-5)").fill("1" if first.measures.depth != 1 else "2")
        pages[0].get_by_label("Why (saved with the change)").fill("from replica A")
        pages[0].get_by_role("button", name="Save as a new version").click()
        pages[0].get_by_text("Saved as version 2").first.wait_for()
        open_page(pages[1], b, "history", "History")
        expect(pages[1].locator('[data-testid="stSidebar"]')).to_contain_text("Version 2")
        expect(
            pages[1].locator('[data-testid="stMetric"]').filter(has_text="Edited on the board")
        ).to_contain_text("1")

        # Two editors, one on each replica, save at once from the same version.
        for page, server, name in ((pages[0], a, "Ana"), (pages[1], b, "Ben")):
            _edit_form(page, server, name, second.name)
        pages[0].get_by_label("Why (saved with the change)").fill("A's reason")
        pages[0].get_by_role("spinbutton", name="Depth (1-5)").fill(
            "1" if second.measures.depth != 1 else "2"
        )
        pages[1].get_by_label("Why (saved with the change)").fill("B's reason")
        pages[1].get_by_role("spinbutton", name="Reach (customers a year)").fill("1234")
        for page in pages:
            page.get_by_role("button", name="Save as a new version").click()
        said = []
        for page in pages:  # different values: both land, the second on top of the first
            done = page.get_by_text(re.compile(r"Saved as version [34]"))
            expect(done.first).to_be_visible()
            said.append(done.first.inner_text())
        assert sorted(t[: len("Saved as version 3")] for t in said) == [
            "Saved as version 3",
            "Saved as version 4",
        ]
        assert any("saved other values meanwhile" in t for t in said), said
        assert [v.id for v in store.history()] == [1, 2, 3, 4]
        text = store.text(4)
        entry = next(e for e in yaml.safe_load(text)["experiences"] if e["id"] == second.id)
        assert entry["measures"]["reach"] == 1234 and entry["measures"]["depth"] != second.measures.depth
        for page, server, path in ((pages[0], a, replicas[0]), (pages[1], b, replicas[1])):
            deadline = time.monotonic() + 60
            while path.read_text(encoding="utf-8") != text:  # each replica's file follows the store
                assert time.monotonic() < deadline, f"{path} never caught up with version 4"
                open_page(page, server, "history", "History")

        # The same value from both replicas: one lands, the other is told whose it is.
        for page, server, name in ((pages[0], a, "Ana"), (pages[1], b, "Ben")):
            _edit_form(page, server, name, first.name)
        for page, value, why in ((pages[0], "3", "A again"), (pages[1], "4", "B again")):
            page.get_by_role("spinbutton", name="Depth (1-5)").fill(value)
            page.get_by_label("Why (saved with the change)").fill(why)
        for page in pages:
            page.get_by_role("button", name="Save as a new version").click()
        outcomes = []
        for page in pages:
            saved = page.get_by_text("Saved as version 5")
            refused = page.get_by_text("Someone saved the same values")
            expect(saved.or_(refused).first).to_be_visible()
            outcomes.append("saved" if saved.count() else "refused")
        assert sorted(outcomes) == ["refused", "saved"]
        assert [v.id for v in store.history()] == [1, 2, 3, 4, 5]
        loser = pages[outcomes.index("refused")]
        expect(loser.get_by_role("button", name="Put my values over theirs")).to_be_visible()
        loser.screenshot(path=str(ARTIFACTS / "edit-refused.png"), full_page=True)
        store.close()


def test_the_workshop_pack_from_the_overview_is_the_clis_and_opens(
    page: Any, server: str, tmp_path: Path
) -> None:
    import io
    import zipfile

    import openpyxl
    from pptx import Presentation

    cli_zip = tmp_path / "cli.zip"
    written = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--format", "zip", "--weights", ROOM_ADDRESS,
         "--no-history", "--out", str(cli_zip)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    open_page(page, server, f"?weights={ROOM_ADDRESS}", "Northwind Energy")
    page.get_by_role("button", name="Prepare: Workshop pack").click()
    download_button = page.get_by_role("button", name="Download: Workshop pack")
    download_button.wait_for(timeout=120_000)  # built in the background, its progress shown meanwhile
    settle(page)
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "experiences-workshop-pack.zip"
    data = Path(download.value.path()).read_bytes()
    assert data == cli_zip.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        book = openpyxl.load_workbook(io.BytesIO(pack.read("experiences.xlsx")))
        assert book["Priorities"].freeze_panes == "A2"
        deck = Presentation(io.BytesIO(pack.read("experiences.pptx")))
        top = score(load_catalogue(SAMPLE).catalogue, weights=ROOM_WEIGHTS).table["name"].iloc[0]
        assert deck.slides[1].shapes.title.text.startswith(f"{top} leads")  # the slide's message
        report = tmp_path / "report.html"
        report.write_bytes(pack.read("experiences.html"))
    # The report opens in the browser with no network, its charts drawn.
    page.context.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
    )
    page.goto(report.as_uri())
    page.get_by_role("heading", name="Top 25 priorities").wait_for()
    assert page.locator("figure svg").count() >= 5
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=str(ARTIFACTS / "pack-report.png"))
    # Printed on A4 by the same Chromium: a few pages, looked at as pictures (tests/artifacts).
    pdf = page.pdf(format="A4", path=str(ARTIFACTS / "pack-report-a4.pdf"))
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 2 <= pages <= 12, pages


def test_the_pack_page_offers_every_format_with_progress_then_a_download(page: Any, server: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, server, "pack", "Workshop pack")
    for label in ("Report", "Workbook", "Slides"):
        page.get_by_role("button", name=f"Prepare: {label}", exact=True).wait_for()
    page.get_by_role("button", name="Prepare: Slides", exact=True).click()
    page.get_by_role("button", name="Download: Slides").wait_for(timeout=120_000)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "pack-page-1280x720.png"))


def test_an_editor_stays_one_in_a_reloaded_and_a_new_tab_until_signing_out(
    browser: Any, tmp_path: Path
) -> None:
    """The passcode is typed once per browser session: a reload, a new tab and another
    page keep the editor, and Sign out ends it in every tab."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[cxprio]\neditor_passcode = "s3cret-passcode"\n', encoding="utf-8")
    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    with serve(live, tmp_path / "store.db", secrets=secrets) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(45_000)
        imported_from = f"sqlite:///{tmp_path / 'store.db'}"
        page.goto(base)
        page.get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(imported_from)
        open_page(page, base, "edit", "Edit an experience")
        page.get_by_label("Editor passcode").fill("s3cret-passcode")
        page.get_by_label("Your name, for the change history").fill("Ana")
        page.keyboard.press("Enter")
        page.get_by_text("Editing as").first.wait_for()
        settle(page)

        def editor_on(tab: Any, path: str, heading: str) -> bool:
            open_page(tab, base, path, heading)
            tab.get_by_text("Editing as").first.wait_for()
            return tab.get_by_label("Editor passcode").count() == 0

        page.reload()
        page.get_by_role("heading", name="Edit an experience").first.wait_for()
        page.get_by_text("Editing as").first.wait_for()  # a reload keeps the editor
        settle(page)
        assert page.get_by_label("Editor passcode").count() == 0
        other = context.new_page()  # a new tab of the same browser
        other.set_default_timeout(45_000)
        assert editor_on(other, "quarters", "Quarter on quarter")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Editor passcode").first.wait_for()
        settle(page)
        assert "cxprio_editor=" not in page.evaluate("document.cookie")
        third = context.new_page()
        third.set_default_timeout(45_000)
        open_page(third, base, "edit", "Edit an experience")
        third.get_by_label("Editor passcode").wait_for()  # signed out in the browser too
        assert third.get_by_text("Editing as").count() == 0
        fresh = browser.new_context().new_page()  # another browser session: never an editor
        fresh.set_default_timeout(45_000)
        open_page(fresh, base, "edit", "Edit an experience")
        fresh.get_by_label("Editor passcode").wait_for()
        assert fresh.get_by_text("Editing as").count() == 0
        context.close()
