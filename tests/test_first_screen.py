"""Each page leads with its answer: at 1280x720 with the sidebar open, the answer to the
page's question is on the first screen, in words, whole, and as the method computes it.

The board is served on a store after a quarter (two snapshots, a revealed round and a
closed one) and driven in Chromium; each page's first screen is saved under
tests/artifacts/first-screen-*.png for review. The expected answers are computed here,
from the catalogue and the snapshots, not read from the page's code.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cxprio import parse_catalogue
from cxprio.method.ownership import analyse_ownership
from cxprio.method.scoring import score

from .browsing import (
    ARTIFACTS,
    CHROMIUM,
    LAUNCH_ARGS,
    _require_browser,
    column,
    expect,
    metric_value,
    ranges_shown,
    serve,
    settle,
    shown_table,
)
from .conftest import ROOT, after_a_quarter

WIDTH, HEIGHT = 1280, 720
STRENGTH = {"uncompetitive": 0, "competitive": 1, "distinct": 2, "unique": 3}


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    _require_browser()
    return after_a_quarter(tmp_path_factory.mktemp("first-screen"))


@pytest.fixture(scope="module")
def board(room: tuple[Path, str]) -> Iterator[str]:
    catalogue, url = room
    with serve(catalogue, url) as base:
        yield base


@pytest.fixture(scope="module")
def screen(board: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(45_000)
        yield tab
        chromium.close()


def latest(url: str) -> dict[str, Any]:
    """The store's latest catalogue version (what the board shows), as YAML reads it."""
    done = subprocess.run(
        [sys.executable, "-m", "cxprio", "export"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "CXPRIO_DATABASE_URL": url, "HOME": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data: dict[str, Any] = yaml.safe_load(done.stdout)
    return data


def visit(page: Any, board: str, path: str, heading: str) -> None:
    page.goto(f"{board}/{path}")
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    if path in ("", "priorities"):
        ranges_shown(page) if path == "priorities" else page.get_by_text("How sure:").first.wait_for()
    settle(page)


def on_first_screen(table: dict[str, Any]) -> None:
    """The table is whole within the first screen, with no text cut."""
    assert table["bottom"] <= HEIGHT and table["right"] <= WIDTH, table
    assert not table["cut"], table["cut"]


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-screen-{name}.png"))


def box_bottom(page: Any, text: str) -> float:
    box = page.get_by_text(text).first.bounding_box()
    assert box is not None, text
    return float(box["y"] + box["height"])


def test_overview_and_priorities_lead_with_the_top_10_and_how_sure(
    screen: Any, board: str, room: tuple[Path, str]
) -> None:
    ranked = score(parse_catalogue(yaml.safe_dump(latest(room[1]))).catalogue).table
    for path, heading in (("", "Northwind Energy"), ("priorities", "Priorities")):
        visit(screen, board, path, heading)
        shot(screen, path or "overview")
        top = shown_table(screen)
        on_first_screen(top)
        assert column(top, "Experience") == ranked["name"].head(10).tolist()
        assert all("–" in cell for cell in column(top, "Range"))  # the rank ranges are in it
        assert set(column(top, "Ambition")) <= {
            "Unique",
            "Distinct",
            "Competitive",
            "Uncompetitive",
            "No ambition",
        }
        assert box_bottom(screen, "How sure:") <= HEIGHT


def test_the_ambition_board_leads_with_the_tiers_and_the_worst_gaps(
    screen: Any, board: str, room: tuple[Path, str]
) -> None:
    experiences = latest(room[1])["experiences"]
    visit(screen, board, "ambition", "Ambition board")
    for tier in STRENGTH:
        count = sum(1 for e in experiences if e.get("ambition") == tier)
        assert metric_value(screen, tier.capitalize()) == f"{count:,}"
    gaps = {
        e["name"]: STRENGTH[e["ambition"]] - STRENGTH[e["current"]]
        for e in experiences
        if e.get("ambition") and e.get("current")
    }
    for index, heading, sign in ((0, "Tiers short", 1), (1, "Tiers above", -1)):
        table = shown_table(screen, index)
        on_first_screen(table)
        listed = dict(zip(column(table, "Experience"), (int(g) for g in column(table, heading)), strict=True))
        assert all(gaps[name] * sign == gap for name, gap in listed.items())  # as the catalogue says
        worst = sorted((g * sign for g in gaps.values() if g * sign > 0), reverse=True)[: len(listed)]
        assert sorted(listed.values(), reverse=True) == worst  # the worst first
    shot(screen, "ambition")


def test_ownership_leads_with_the_costliest_unowned_seams_and_their_teams(
    screen: Any, board: str, room: tuple[Path, str]
) -> None:
    data = latest(room[1])
    catalogue = parse_catalogue(yaml.safe_dump(data)).catalogue
    table = score(catalogue).table
    report = analyse_ownership(catalogue, dict(zip(table["id"], table["priority"], strict=True)))
    unowned = sorted((s for s in report.seams if not s.owned), key=lambda s: -s.risk)[:5]
    teams = {t["id"]: t["name"] for t in data["teams"]}
    visit(screen, board, "ownership", "Ownership & seams")
    seams = shown_table(screen)
    on_first_screen(seams)
    assert column(seams, "Experience") == [s.experience_name for s in unowned]
    assert column(seams, "From team") == [teams[s.from_team] for s in unowned]
    assert column(seams, "To team") == [teams[s.to_team] for s in unowned]
    shot(screen, "ownership")


def test_decision_rights_lead_with_a_search_box_and_who_decides_in_words(
    screen: Any, board: str, room: tuple[Path, str]
) -> None:
    data = latest(room[1])
    teams = {t["id"]: t["name"] for t in data["teams"]}
    experience, decision = next(
        (e, d) for e in data["experiences"] for d in e.get("decisions", []) if d.get("C") and d.get("R")
    )
    visit(screen, board, "decisions", "Decision rights")
    search = screen.get_by_placeholder("Decision, experience or team")
    search.fill(decision["name"])
    search.press("Enter")
    shot(screen, "decisions")
    answer = screen.get_by_text("Accountable:").first
    expect(answer).to_be_visible()
    expect(
        screen.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Accountable:").first
    ).to_contain_text(decision["name"])
    settle(screen)
    said = (
        screen.locator('[data-testid="stMarkdownContainer"]')
        .filter(has_text="Accountable:")
        .first.inner_text()
    )
    roles = {"Accountable": "A", "Responsible": "R", "Consulted": "C", "Informed": "I"}
    for role, key in roles.items():
        named = decision.get(key) or []
        wanted = ", ".join(teams[t] for t in ([named] if isinstance(named, str) else named)) or "nobody"
        assert f"{role}: {wanted}" in said, (role, said)
    assert experience["name"] in said
    assert box_bottom(screen, "Informed:") <= HEIGHT
    shot(screen, "decisions")  # the answer drawn


def test_quarter_on_quarter_leads_with_the_risers_and_fallers_and_their_reasons(
    screen: Any, board: str, room: tuple[Path, str]
) -> None:
    then = score(parse_catalogue(Path(ROOT / "config" / "experiences.yaml").read_bytes()).catalogue).table
    visit(screen, board, "quarters", "Quarter on quarter")
    risers, fallers = shown_table(screen, 0), shown_table(screen, 1)
    for table in (risers, fallers):
        on_first_screen(table)
        assert all(why for why in column(table, "Why"))  # a reason, or that none was recorded
    before = dict(zip(then["name"], then["rank"], strict=True))
    for table, sign in ((risers, 1), (fallers, -1)):
        for name, moved in zip(column(table, "Experience"), column(table, "Rank"), strict=True):
            was, now = (int(x) for x in moved.replace("\u00a0", " ").split(" → "))
            assert was == before[name]  # the first snapshot's rank, as scored here
            assert (was - now) * sign > 0
    shot(screen, "quarters")


def test_presentation_mode_hides_the_sidebar_and_every_control_and_stays_on(screen: Any, board: str) -> None:
    screen.goto(f"{board}/?present=1")
    screen.get_by_role("heading", name="Northwind Energy", exact=True).first.wait_for()
    screen.get_by_text("How sure:").first.wait_for()
    settle(screen)
    expect(screen.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(screen.get_by_role("button", name="Leave presentation mode")).to_be_visible()  # drawn, the way out
    # Tabs stay: they are how the presenter shows a page's details (its charts).
    controls = screen.locator(
        "input, textarea, select, [role=slider], [role=combobox], button:not([role=tab])"
    )
    visible = [
        c.evaluate("el => el.innerText.trim() || el.getAttribute('aria-label') || el.outerHTML.slice(0, 200)")
        for c in controls.all()
        if c.is_visible() and not str(c.get_attribute("aria-label")).startswith("Help")  # a metric's tooltip
    ]
    assert len(visible) == 1 and visible[0].endswith("Leave presentation mode"), visible
    on_first_screen(shown_table(screen))
    shot(screen, "presenting-overview")
    # Another page of the same session, by a link on the page: still presenting.
    screen.get_by_role("link", name="The ambition board").click()
    screen.get_by_role("heading", name="Ambition board", exact=True).first.wait_for()
    settle(screen)
    expect(screen.locator('[data-testid="stSidebar"]')).to_be_hidden()
    screen.wait_for_url(lambda url: "present=1" in url)
    inputs = screen.locator("input, textarea, select, [role=slider], [role=combobox]")
    assert [i for i in inputs.all() if i.is_visible()] == []
    shot(screen, "presenting-ambition")
    screen.get_by_role("button", name="Leave presentation mode").click()
    expect(screen.locator('[data-testid="stSidebar"]')).to_be_visible()
    screen.wait_for_url(lambda url: "present=1" not in url)
