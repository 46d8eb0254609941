"""Workshop rounds in a real browser against a served board: a facilitator and two
participants in three Chromium contexts, and a load test of twenty participants.

Needs what tests/test_browser.py needs (Debian's chromium and the playwright package).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxprio import load_catalogue
from cxprio.rounds import get_round, list_rounds, open_round, parse_criteria, scores
from cxprio.store import Store, import_file

from .conftest import SAMPLE, imported
from .test_browser import ARTIFACTS, CHROMIUM, IDLE, LAUNCH_ARGS, _require_browser, serve, settle

pytestmark = pytest.mark.browser


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


def join_as(page: Any, base: str, code: str, name: str) -> None:
    page.goto(f"{base}/rounds?round={code}")
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Join the round").click()
    page.get_by_text(f"{name}: 0 of").first.wait_for()
    settle(page)


NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
"""Resolves once the browser has drawn two more frames."""


def choose(page: Any, group: str, value: str) -> None:
    """Click ``value`` in the segmented control labelled ``group``, and wait for the save."""
    page.get_by_role("radiogroup", name=group).get_by_role("radio", name=value, exact=True).click()
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

        people = []
        for name in ("Ana", "Ben"):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(45_000)
            join_as(page, base, code, name)
            people.append(page)
        choose(people[0], "Reach (1-5)", "4")
        choose(people[0], "Ambition", "Distinct")
        choose(people[1], "Reach (1-5)", "2")

        # The facilitator's page was not reloaded: its live view shows both.
        expect(host.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("2", timeout=20_000)
        expect(host.get_by_test_id("stMetric").filter(has_text="Scores")).to_contain_text("3", timeout=20_000)
        progress = host.get_by_test_id("stDataFrame").first
        expect(progress).to_contain_text("Ana")
        expect(progress).to_contain_text("Ben")
        assert host.get_by_text("Nothing revealed yet").count() >= 1
        stored = sorted((s.participant, s.criterion, s.shown) for s in scores(store, get_round(store, code)))
        assert stored == [("Ana", "ambition", "distinct"), ("Ana", "reach", "4"), ("Ben", "reach", "2")]
        for page in people:  # before the reveal, nobody sees another's score
            assert page.get_by_text("Nothing revealed yet").count() >= 1

        host.get_by_role("button", name="Reveal the whole round").click()
        settle(host)
        results = host.get_by_test_id("stDataFrame").nth(1)
        expect(results).to_contain_text(load_catalogue(SAMPLE).catalogue.experience(first).name)
        expect(results).to_contain_text("2–4")  # the range of the two reach scores
        # The participants' pages show the reveal within a refresh of their own.
        expect(people[1].get_by_test_id("stDataFrame").last).to_contain_text("2–4", timeout=20_000)
        host.wait_for_function(IDLE)
        ARTIFACTS.mkdir(exist_ok=True)
        host.evaluate("window.scrollTo(0, 0)")
        host.screenshot(path=str(ARTIFACTS / "rounds-projector-1920x1080.png"))
        people[0].screenshot(path=str(ARTIFACTS / "rounds-participant.png"))
        assert host.get_by_test_id("stException").count() == 0
        assert all(page.get_by_test_id("stException").count() == 0 for page in people)
        store.close()
        browser.close()


def test_a_participant_scores_in_the_table(served: tuple[str, str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, url, live = served
    store = Store(url)
    import_file(store, live)
    latest = store.latest()
    assert latest is not None
    catalogue = load_catalogue(SAMPLE).catalogue
    chosen = [e.id for e in catalogue.experiences][:4]
    code = open_round(
        store, catalogue, latest.id, experiences=chosen, criteria=parse_criteria("reach,depth"), author="Fran"
    ).code
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(45_000)
        join_as(page, base, code, "Tam")
        page.get_by_role("radio", name="All in a table").click()
        settle(page)
        grid = page.get_by_test_id("stDataFrame").first
        expect(page.locator('[data-testid="stDataFrame"] th')).to_have_text(
            ["Experience", "Reach (1-5)", "Depth (1-5)"]
        )
        box = grid.bounding_box()
        assert box is not None
        # As a keyboard user: the first row's first cell, then two right and one down (the
        # second experience's depth), Enter to edit, the judgement, Enter.
        page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)  # rows (and the header) are 35 px
        for key in ("ArrowRight", "ArrowRight", "ArrowDown", "Enter"):
            page.keyboard.press(key)
        page.wait_for_function("document.activeElement && document.activeElement.tagName === 'INPUT'")
        page.keyboard.type("2")
        page.wait_for_function("document.activeElement && document.activeElement.value === '2'")
        page.evaluate(NEXT_FRAMES)  # the grid's editor takes a typed value on its next frame
        page.keyboard.press("Enter")
        page.get_by_text("Tam: 1 of 8 scored").first.wait_for()
        settle(page)
        stored = [(s.experience, s.criterion, s.shown) for s in scores(store, get_round(store, code))]
        assert stored == [(chosen[1], "depth", "2")]
        browser.close()
    store.close()


PARTICIPANTS = 20
EXPERIENCES = 3


def test_twenty_participants_at_once_lose_no_score(served: tuple[str, str, Path]) -> None:
    """A load test with a real client: twenty browser contexts join and score at once."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    base, url, live = served
    store = Store(url)
    import_file(store, live)  # as the board does when its first visitor comes
    latest = store.latest()
    assert latest is not None
    catalogue = load_catalogue(SAMPLE).catalogue
    chosen = [e.id for e in catalogue.experiences][:EXPERIENCES]
    code = open_round(
        store, catalogue, latest.id, experiences=chosen, criteria=parse_criteria("reach,depth"), author="Fran"
    ).code
    planned = {
        f"P{n:02d}": {
            (e, c): str((n + i + j) % 5 + 1)
            for i, e in enumerate(chosen)
            for j, c in enumerate(("reach", "depth"))
        }
        for n in range(PARTICIPANTS)
    }

    retried: list[tuple[str, str, str, int]] = []
    redrawn: list[tuple[str, str, str]] = []

    async def saved(name: str, experience: str, criterion: str) -> None:
        """Wait until the store holds this score (polled: the check is a query)."""
        found = get_round(store, code)
        for _poll in range(600):
            held = await asyncio.to_thread(scores, store, found)
            if any((s.participant, s.experience, s.criterion) == (name, experience, criterion) for s in held):
                return
            await asyncio.sleep(0.2)  # the interval between two queries, not a wait for a result
        raise AssertionError(f"{name}'s {criterion} of {experience}, shown as chosen, was never saved")

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
        await page.get_by_role("button", name="Join the round").click()
        await page.get_by_text(f"{name}: 0 of").first.wait_for()
        for index, experience in enumerate(chosen):
            await page.get_by_text(f"{index + 1} of {EXPERIENCES}:").first.wait_for()
            for criterion, label in (("reach", "Reach (1-5)"), ("depth", "Depth (1-5)")):
                choice = page.get_by_role("radiogroup", name=label).get_by_role(
                    "radio", name=planned[name][(experience, criterion)], exact=True
                )
                done = page.get_by_text(f"{name}: {index * 2 + (2 if criterion == 'depth' else 1)} of").first
                for attempt in range(3):
                    await page.wait_for_function(IDLE)
                    await choice.click()
                    try:
                        await done.wait_for(timeout=20_000)
                        break
                    except PlaywrightTimeout:
                        if await choice.get_attribute("aria-checked") == "true":
                            # Shown as chosen: its save is on the way, however busy the
                            # server (20 first clicks at once queue up); it must land.
                            await saved(name, experience, criterion)
                            try:
                                await done.wait_for(timeout=20_000)
                            except PlaywrightTimeout:
                                # Saved, but under this load the page is now and then not
                                # drawn again (Streamlit's periodic refresh of the results
                                # takes the run); R, Streamlit's key to run the page
                                # again, shows it, as a person would refresh.
                                redrawn.append((name, experience, criterion))
                                await page.keyboard.press("r")
                                await done.wait_for()
                            break
                        # A click the page did not take shows as not chosen, and a person
                        # clicks again.
                        retried.append((name, experience, criterion, attempt))
                else:
                    await done.wait_for()
            if index + 1 < EXPERIENCES:
                await page.wait_for_function(IDLE)
                await page.get_by_role("button", name="Next").click()
        assert await page.get_by_test_id("stException").count() == 0

    async def everyone() -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            await asyncio.gather(*(participate(browser, name) for name in planned))
            await browser.close()

    asyncio.run(everyone())
    print(f"load test: {len(retried)} click(s) of {PARTICIPANTS * EXPERIENCES * 2} clicked again: {retried}")
    print(f"load test: {len(redrawn)} save(s) shown only after R: {redrawn}")
    assert len(retried) <= PARTICIPANTS  # a rare second click, not a page that ignores people
    stored = scores(store, get_round(store, code))
    assert len(stored) == PARTICIPANTS * EXPERIENCES * 2  # none lost, none twice
    assert {(s.participant, s.experience, s.criterion): s.shown for s in stored} == {
        (name, e, c): value for name, values in planned.items() for (e, c), value in values.items()
    }
    store.close()
