"""The rest of the method as a person meets it in a real browser, at 1280x720: the what-if
on Priorities (a tab, a sentence, one click on *Apply* and the sliders and ranking move),
the moments that matter on the Overview, and the maturity arc on Ownership & seams.
Expected figures come from the library's tested functions, never from the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from cxprio import load_catalogue
from cxprio.method.maturity import rung
from cxprio.method.scoring import normalise, resolve_weights
from cxprio.method.whatif import what_if

from .browsing import column, expect, open_page, settle, shown_table, top_names
from .conftest import SAMPLE


def test_apply_a_what_if_and_the_experience_crosses_the_line_as_it_said(page: Any, server: str) -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    weights = resolve_weights(catalogue)
    norm = normalise(catalogue)
    chosen = "complaint-progress-update"  # #11 under the catalogue's weights: the one shown first
    answer = what_if(norm, weights, chosen, top_n=10)
    move = next(m for m in answer.moves if m.needed is not None)
    name = catalogue.experience(chosen).name

    open_page(page, server, "priorities", "Priorities")
    assert name not in top_names(page)
    page.get_by_role("tab", name="What would move it").click()
    expect(page.get_by_text(f"{name} is #11, outside the top 10.")).to_be_visible()
    page.locator(f".st-key-whatif_apply_{move.measure} button").click()
    expect(page.get_by_text(f"{name} is #{move.rank}, inside the top 10.")).to_be_visible()
    settle(page)
    assert f"{move.measure}:{move.needed:.2f}" in unquote(page.url)  # the address says the new weight
    page.get_by_role("tab", name="All experiences").click()
    assert name in top_names(page)


def test_the_overview_lists_the_moments_that_matter(page: Any, server: str) -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    open_page(page, server, "", "Northwind Energy")
    tables = page.locator('[data-testid="stTable"] table')
    expect(tables.filter(has_text="Moment that matters")).to_be_visible()
    index = next(i for i in range(tables.count()) if "Moment that matters" in tables.nth(i).inner_text())
    table = shown_table(page, index)
    assert set(column(table, "Moment that matters")) == {e.name for e in catalogue.experiences if e.matters}
    owners = dict(zip(column(table, "Moment that matters"), column(table, "Owner"), strict=True))
    assert owners["Close an account after a death"] == "Nobody"
    assert not table["cut"], table["cut"]  # every name whole


def test_the_maturity_arc_counts_each_rung(page: Any, server: str) -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    open_page(page, server, "ownership", "Ownership & seams")
    page.get_by_role("tab", name="Maturity arc").click()
    tables = page.locator('[data-testid="stTable"] table')
    expect(tables.filter(has_text="Which, highest priority first")).to_be_visible()
    index = next(
        i for i in range(tables.count()) if "Which, highest priority first" in tables.nth(i).inner_text()
    )
    table = shown_table(page, index)
    counts = [int(c) for c in column(table, "Experiences")]
    assert counts == [sum(1 for e in catalogue.experiences if rung(e) == n) for n in (1, 2, 3, 4)]
