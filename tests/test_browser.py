"""The served app in a real headless Chromium, as a person meets it: pages, weights,
downloads, a projector's screen. Screenshots of every page are saved under
``tests/artifacts/`` for a person to look at (see :mod:`tests.browsing` for what is needed)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cxprio import load_catalogue
from cxprio.method.ownership import analyse_ownership
from cxprio.method.scoring import score
from cxprio.store.versions import Store

from .browsing import (
    ARTIFACTS,
    ROOM_ADDRESS,
    ROOM_WEIGHTS,
    column,
    expect,
    expected_figures,
    metric_value,
    open_page,
    ranges_shown,
    serve,
    settle,
    shown_table,
    top_names,
)
from .conftest import ROOT, SAMPLE

pytestmark = pytest.mark.browser


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


@pytest.mark.scale  # a sweep of every page and both faces of a round on a server of its own
def test_no_page_asks_another_server_for_anything(browser: Any, tmp_path: Path) -> None:
    """On an offline projector a request to another host (a font server for the tab's
    icon, a CDN) fails, and it tells that server who is looking: every page of the
    sidebar, and a workshop round's participant and projector faces, opened as a person
    opens them, ask only the board. Every request to another host is aborted and
    recorded, web sockets too."""
    from urllib.parse import urlsplit

    from cxprio.method.rounds.checks import parse_criteria
    from cxprio.store.imports import import_file
    from cxprio.store.rounds import open_round

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
    # On the first screen, every row and every column, no text cut: once the page has
    # settled (on a loaded machine a run's last elements can land after the check above).
    deadline = time.monotonic() + 20
    top = shown_table(page)
    while (top["bottom"] > height or top["right"] > width) and time.monotonic() < deadline:
        settle(page)
        top = shown_table(page)
    above = page.evaluate(
        '() => [...document.querySelectorAll(\'[data-testid="stAlert"], [data-testid="stCaptionContainer"]\')]'
        ".filter(el => el.getBoundingClientRect().top < 400).map(el => el.innerText)"
    )
    assert top["bottom"] <= height and top["right"] <= width, (top, above)
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
