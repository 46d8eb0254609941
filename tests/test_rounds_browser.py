"""Workshop rounds in a real browser against a served board: a facilitator and two
participants in three Chromium contexts; a participant scoring five experiences with
the keyboard; the projector's view at 1280x720; and a load test of twenty participants.

Needs what tests/test_browser.py needs (Debian's chromium and the playwright package).
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxprio import load_catalogue
from cxprio.method.rounds.checks import parse_criteria
from cxprio.store.imports import import_file
from cxprio.store.round_scores import scores
from cxprio.store.rounds import get_round, list_rounds, open_round, reveal
from cxprio.store.versions import Store

from .browsing import ARTIFACTS, CHROMIUM, IDLE, LAUNCH_ARGS, _require_browser, serve, settle
from .conftest import SAMPLE, imported

pytestmark = pytest.mark.browser

FIVE = ["query-a-bill", "moving-home", "move-in", "change-tariff", "resolve-a-complaint"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A board on a copy of the sample and a store of its own: (address, store URL,
    catalogue file)."""
    _require_browser()
    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with serve(live, url) as base:
        yield base, url, live


def opened(url: str, live: Path, criteria: str, experiences: list[str] = FIVE) -> str:
    """A round opened on the catalogue file, through the library; its code."""
    store = Store(url)
    try:
        import_file(store, live)
        latest = store.latest()
        assert latest is not None
        catalogue = load_catalogue(live).catalogue
        return open_round(
            store,
            catalogue,
            latest.id,
            experiences=experiences,
            criteria=parse_criteria(criteria),
            author="Fran",
        ).code
    finally:
        store.close()


COUNT_ACTIONS = """
window.cxActions = {presses: 0, enters: 0};
document.addEventListener('pointerdown', () => window.cxActions.presses++, true);
document.addEventListener('keydown', e => { if (e.key === 'Enter') window.cxActions.enters++; }, true);
"""
"""Counts, in the page, what a person does that is an action: a press of the mouse, and
Enter. Typing digits, Tab and the arrow keys are how the values are entered."""


def join_as(page: Any, base: str, code: str, name: str) -> None:
    page.goto(f"{base}/rounds?round={code}")
    page.get_by_role("textbox", name="Your name").fill(name)
    page.keyboard.press("Enter")
    page.get_by_text(f"{name}: 0 of").first.wait_for()
    settle(page)


def test_a_facilitator_sees_two_participants_scores_live_without_a_reload(
    served: tuple[str, str, Path],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, url, _ = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        host = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        host.set_default_timeout(45_000)
        host.goto(base)
        host.get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(url)  # the board saves its file to the store in the background
        host.goto(f"{base}/rounds")
        host.get_by_label("Your name, for the change history").fill("Fran")
        host.keyboard.press("Enter")
        host.get_by_role("textbox", name="Title").fill("Q4 prioritisation workshop")
        host.get_by_role("button", name="Open the round").click()
        host.get_by_text("Join code").first.wait_for()
        settle(host)
        store = Store(url)
        code = list_rounds(store)[0].code
        first = get_round(store, code).experiences[0]
        expect(host.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("0")
        # The full join address, built from the address the board is served at.
        expect(host.get_by_text(f"{base}/rounds?round={code}")).to_be_visible()

        people = []
        for name in ("Ana", "Ben"):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(45_000)
            join_as(page, base, code, name)
            people.append(page)
        for page, depth, tier in ((people[0], "4", "Distinct"), (people[1], "2", None)):
            page.get_by_role("spinbutton", name="Depth (1-5)").fill(depth)
            if tier:
                page.get_by_test_id("stRadioGroup").get_by_text(tier, exact=True).click()
            page.get_by_role("button", name="Save and next").click()
            page.get_by_text(re.compile(r"Saved your scores of")).first.wait_for()

        # The facilitator's page was not reloaded: its live figures show both.
        expect(host.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("2", timeout=20_000)
        expect(host.get_by_test_id("stMetric").filter(has_text="Scores")).to_contain_text("3", timeout=20_000)
        stored = sorted((s.participant, s.criterion, s.shown) for s in scores(store, get_round(store, code)))
        assert stored == [("Ana", "ambition", "distinct"), ("Ana", "depth", "4"), ("Ben", "depth", "2")]
        assert host.get_by_text("Nothing revealed yet").count() >= 1
        for page in people:  # before the reveal, nobody sees another's score
            assert page.get_by_text("Nothing revealed yet").count() >= 1

        host.get_by_role("button", name="Reveal the whole round").click()
        settle(host)
        results = host.get_by_test_id("stDataFrame").filter(has_text="Median").first
        expect(results).to_contain_text(load_catalogue(SAMPLE).catalogue.experience(first).name)
        expect(results).to_contain_text("2 to 4")  # the range of the two depth scores
        # A participant still scoring sees the reveal at their next step (a page that is
        # being typed into does not redraw by itself).
        people[1].get_by_role("button", name="Next", exact=True).click()
        expect(people[1].get_by_test_id("stDataFrame").last).to_contain_text("2 to 4", timeout=20_000)
        host.wait_for_function(IDLE)
        ARTIFACTS.mkdir(exist_ok=True)
        host.screenshot(path=str(ARTIFACTS / "rounds-facilitator-1920x1080.png"), full_page=True)
        people[0].screenshot(path=str(ARTIFACTS / "rounds-participant.png"))
        assert host.get_by_test_id("stException").count() == 0
        assert all(page.get_by_test_id("stException").count() == 0 for page in people)
        store.close()
        browser.close()


def test_five_experiences_and_three_criteria_take_ten_actions_at_the_keyboard(
    served: tuple[str, str, Path],
) -> None:
    """A click into the first field and Enter to save, per experience; everything else
    is typed: digits, Tab, and an arrow for the ambition."""
    from playwright.sync_api import sync_playwright

    base, url, live = served
    code = opened(url, live, "reach:number,depth,ambition")
    planned = [("410000", "4"), ("200000", "5"), ("150000", "3"), ("300000", "2"), ("60000", "5")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(45_000)
        page.add_init_script(COUNT_ACTIONS)
        join_as(page, base, code, "Tam")
        assert page.get_by_text("today: 320,000 customers a year").count() == 1  # beside the field
        page.evaluate("window.cxActions = {presses: 0, enters: 0}")
        for index, (reach, depth) in enumerate(planned):
            page.get_by_text(f"{index + 1} of 5:").first.wait_for()
            page.get_by_role("spinbutton", name="Reach (customers a year)").click()
            page.keyboard.type(reach)
            page.keyboard.press("Tab")
            page.keyboard.type(depth)
            page.keyboard.press("Tab")  # into the ambition's choices
            page.keyboard.press("ArrowDown")  # from the first to the second: Distinct
            page.keyboard.press("Tab")  # to the save button
            page.keyboard.press("Enter")
            if index < 4:
                page.get_by_text(f"Tam: {index + 1} of 5 experiences scored").first.wait_for()
        page.get_by_text("You have scored every experience").first.wait_for()  # the last saved
        settle(page)
        counted = page.evaluate("window.cxActions")
        assert counted["presses"] + counted["enters"] <= 10, counted  # as the page received them
        store = Store(url)
        stored = {(s.experience, s.criterion): s.shown for s in scores(store, get_round(store, code))}
        store.close()
        assert stored == {
            **{(e, "reach"): r for e, (r, _) in zip(FIVE, planned, strict=True)},
            **{(e, "depth"): d for e, (_, d) in zip(FIVE, planned, strict=True)},
            **{(e, "ambition"): "distinct" for e in FIVE},
        }
        browser.close()


def test_the_projector_shows_how_to_join_then_the_results_on_one_screen(
    served: tuple[str, str, Path],
) -> None:
    import zxingcpp
    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    base, url, live = served
    code = opened(url, live, "reach:number,depth,ambition")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        screen = browser.new_page(viewport={"width": 1280, "height": 720})
        screen.set_default_timeout(45_000)
        screen.goto(f"{base}/rounds?round={code}&view=projector")
        screen.get_by_text("Join on your laptop or phone").first.wait_for()
        settle(screen)
        address = f"{base}/rounds?round={code}"
        shown = screen.get_by_text(address, exact=True)
        expect(shown).to_have_count(1)
        expect(shown).to_be_visible()
        inputs = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='slider']"
        assert screen.locator(inputs).count() == 0
        qr = screen.locator('[data-testid="stImage"] img').first
        box = qr.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720  # the QR code on the first screen
        for label in ("Joined", "Everyone's progress"):
            metric = screen.get_by_test_id("stMetric").filter(has_text=label).first.bounding_box()
            assert metric is not None and metric["y"] + metric["height"] <= 720
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        assert [d.text for d in decoded] == [address]
        ARTIFACTS.mkdir(exist_ok=True)
        screen.screenshot(path=str(ARTIFACTS / "rounds-projector-join-1280x720.png"))

        # Twelve people score; one is far from the rest on moving home's depth.
        store = Store(url)
        from cxprio.store.round_scores import join, record

        for n in range(12):
            person = join(store, code, f"Person {n:02d}")
            record(
                store,
                code,
                person,
                [
                    (e, c, v)
                    for i, e in enumerate(FIVE)
                    for c, v in (
                        ("reach", 100_000 + 25_000 * ((n + i) % 5)),
                        (
                            "depth",
                            1
                            if (e == "moving-home" and n == 0)
                            else 5
                            if e == "moving-home"
                            else 3 + (n + i) % 2,
                        ),
                        ("ambition", ("distinct", "competitive", "unique")[(n * i) % 3]),
                    )
                ],
            )
        reveal(store, code)
        store.close()
        screen.get_by_role("table").first.wait_for()
        settle(screen)
        rows = screen.get_by_role("table").first.locator("tbody tr")
        expect(rows).to_have_count(10)  # the view refreshes itself: wait for the results, however busy
        settle(screen)
        for index in range(10):  # the top 10 results, all on the first screen
            row = rows.nth(index).bounding_box()
            assert row is not None and row["y"] + row["height"] <= 720, index
        assert "Moving home" in rows.first.inner_text() and "Depth" in rows.first.inner_text()
        assert screen.locator(inputs).count() == 0  # still nothing to type into
        for n in range(12):  # no name on the projected screen
            assert screen.get_by_text(f"Person {n:02d}").count() == 0
        screen.screenshot(path=str(ARTIFACTS / "rounds-projector-results-1280x720.png"))
        assert screen.get_by_test_id("stException").count() == 0
        browser.close()


PARTICIPANTS = 20
EXPERIENCES = 3


@pytest.mark.scale
def test_twenty_participants_at_once_lose_no_score(served: tuple[str, str, Path]) -> None:
    """A load test with a real client: twenty browser contexts join and score at once."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    base, url, live = served
    chosen = FIVE[:EXPERIENCES]
    code = opened(url, live, "reach:number,depth", chosen)
    planned = {
        f"P{n:02d}": {e: (str(100_000 + 1000 * (n + i)), str((n + i) % 5 + 1)) for i, e in enumerate(chosen)}
        for n in range(PARTICIPANTS)
    }

    async def participate(browser: Any, name: str) -> None:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(120_000)
        try:
            await score_all(page, name)
        except PlaywrightTimeout:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / f"rounds-load-stuck-{name}.png"), full_page=True)
            shown = await page.locator('[data-testid="stMain"]').inner_text()
            raise AssertionError(f"{name}'s page did not come on; it shows:\n{shown}") from None
        await context.close()

    async def score_all(page: Any, name: str) -> None:
        await page.goto(f"{base}/rounds?round={code}")
        await page.get_by_role("textbox", name="Your name").fill(name)
        await page.keyboard.press("Enter")
        await page.get_by_text(f"{name}: 0 of").first.wait_for()
        for index, experience in enumerate(chosen):
            await page.get_by_text(f"{index + 1} of {EXPERIENCES}:").first.wait_for()
            await page.wait_for_function(IDLE)
            reach, depth = planned[name][experience]
            await page.get_by_role("spinbutton", name="Reach (customers a year)").fill(reach)
            await page.get_by_role("spinbutton", name="Depth (1-5)").fill(depth)
            await page.keyboard.press("Enter")
            shown = (
                f"{name}: {index + 1} of {EXPERIENCES} experiences scored"
                if index + 1 < EXPERIENCES
                else "You have scored every experience"
            )
            await page.get_by_text(shown).first.wait_for()
        assert await page.get_by_test_id("stException").count() == 0

    async def everyone() -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            await asyncio.gather(*(participate(browser, name) for name in planned))
            await browser.close()

    asyncio.run(everyone())
    store = Store(url)
    stored = scores(store, get_round(store, code))
    assert len(stored) == PARTICIPANTS * EXPERIENCES * 2  # none lost, none twice
    assert {(s.participant, s.experience, s.criterion): s.shown for s in stored} == {
        (name, e, c): value
        for name, values in planned.items()
        for e, (reach, depth) in values.items()
        for c, value in (("reach", reach), ("depth", depth))
    }
    store.close()
