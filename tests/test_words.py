"""What a person reads on the board is words: no finding code, no ``None``, no field path,
no machine-form weights, no lowercase tier, no server path; and no name cut in a table.

Every page is rendered under AppTest on a copy of the sample with a store that holds two
quarters' snapshots, a revealed round and a closed one (what a leadership room has after
a quarter), and every text a person reads is collected from the page (titles, markdown,
captions, metrics, alerts, tabs, labels, options, table cells and headers). The
10,000-experience pages are checked the same way in tests/test_app.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxprio.store.rounds import list_rounds
from cxprio.store.versions import Store

from .conftest import PAGES, ROOT, after_a_quarter, sign_in

CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
"""A finding code such as SEAM_UNOWNED (an environment variable's name is allowed: an
operator sets it, see :func:`problems_in`)."""
FIELD_PATH = re.compile(r"\bmeasures\.|\b[a-z]+\[\d+\]|\b[a-z]+_[a-z_]+\b")
"""``measures.reach``, ``steps[2]``, ``handoff_owner``, ``value_then``."""
MACHINE_WEIGHTS = re.compile(r"\b(?:reach|frequency|depth|cost|failure_demand):\s?\d")
LOWER_TIERS = {"unique", "distinct", "competitive", "uncompetitive"}
ENVIRONMENT = re.compile(r"^(?:CXPRIO|PG|STREAMLIT)_[A-Z_]+$")

CHARACTER_PX = 6.8
"""The least width a character of the grid's 14 px font can need on average (measured:
Source Sans Pro averages about 6.5 px for English text)."""
NAMED_WIDTHS = {"small": 75, "medium": 200, "large": 400}


def problems_in(text: str, where: str, forbidden: str) -> list[str]:
    """What is wrong with one text a person reads."""
    found = []
    # The board escapes Markdown punctuation; icons are drawn, not read.
    clean = re.sub(r":material/[a-z_]+:", "", text.replace("\\", ""))
    codes = [c for c in CODE.findall(clean) if not ENVIRONMENT.match(c)]
    if codes:
        found.append(f"{where}: a code {codes} in {clean!r}")
    if re.search(r"\bNone\b|\bnan\b", clean):
        found.append(f"{where}: 'None' or 'nan' in {clean!r}")
    paths = [p for p in FIELD_PATH.findall(clean) if p not in ("secrets.toml",)]
    if paths:
        found.append(f"{where}: a field path {paths} in {clean!r}")
    if MACHINE_WEIGHTS.search(clean):
        found.append(f"{where}: weights in machine form in {clean!r}")
    if forbidden and forbidden in clean:
        found.append(f"{where}: the server's folder in {clean!r}")
    return found


def texts(app: AppTest) -> Iterator[tuple[str, str]]:
    """Every text a person reads on the page and in its sidebar, with where it is."""
    for tree in (app.main, app.sidebar):
        for element in tree:
            kind = type(element).__name__
            if kind in ("Code", "UnknownElement", "Json", "Html"):
                continue  # YAML shown as YAML, charts (tests/test_charts.py), JSON, styles and scripts
            for attribute in ("label", "value", "placeholder", "help", "delta"):
                try:
                    value = getattr(element, attribute)
                except Exception:  # an attribute an element does not have
                    continue
                if isinstance(value, str) and value:
                    yield f"{kind}.{attribute}", value
            options = getattr(element, "options", None)
            if isinstance(options, list):
                for option in options:
                    yield f"{kind} option", str(option)
            if kind in ("Table", "Dataframe"):
                frame = element.value
                labelled = json.loads(element.proto.columns or "{}") if kind == "Dataframe" else {}
                if isinstance(frame, pd.DataFrame):
                    for column in frame.columns:
                        if not labelled.get(column, {}).get("label"):  # else the label is the header
                            yield f"{kind} header", str(column)
                        for cell in frame[column].head(200):
                            if isinstance(cell, str):
                                yield f"{kind} cell", cell
                                if cell.replace("\\", "").strip() in LOWER_TIERS:
                                    yield f"{kind} cell", "a lowercase tier: None"
                for config in labelled.values():
                    if config.get("label"):
                        yield "Dataframe header", config["label"]


def cut_names(app: AppTest) -> list[str]:
    """Text columns of the page's grids narrower than their longest drawn value or header."""
    cut = []
    for element in app.dataframe:
        frame = element.value
        for name, config in json.loads(element.proto.columns or "{}").items():
            width = config.get("width")
            width = NAMED_WIDTHS.get(width, width)
            if not isinstance(width, int) or name not in frame.columns:
                continue
            shown = [str(v) for v in frame[name].head(200) if isinstance(v, str)]
            label = str(config.get("label") or name)
            # The header also holds the sort arrow and, with help, its icon.
            needed = max([CHARACTER_PX * len(v) + 16 for v in shown] + [CHARACTER_PX * len(label) + 16])
            if width < needed:
                cut.append(f"{label!r}: {width} px for {needed:.0f} px")
    return cut


def assert_in_words(app: AppTest, server_folder: Path) -> list[tuple[str, str]]:
    """The page read as a person reads it: no machine text, no server folder, no name cut."""
    assert not app.exception, [e.value for e in app.exception]
    read = list(texts(app))
    problems = [p for where, text in read for p in problems_in(text, where, str(server_folder))]
    assert not problems, "\n".join(problems)
    assert not cut_names(app), cut_names(app)
    return read


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return after_a_quarter(tmp_path_factory.mktemp("room"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_words_after_a_quarter(
    page: str, room: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue, url = room
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
    monkeypatch.setenv("CXPRIO_DATABASE_URL", url)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if page != "app.py":
        app.switch_page(page).run()
    if page in ("pages/rounds.py", "pages/edit.py"):
        sign_in(app, "Ana")
    if page == "pages/edit.py":  # one the round changed, so its history of changes shows
        store = Store(url)
        changed = next(row.experience for row in store.audit() if row.field.startswith("measures."))
        store.close()
        app.selectbox(key="edit_experience").set_value(changed).run()
        assert app.table, "the experience's changes are listed"
    read = assert_in_words(app, catalogue.parent)
    assert len(read) > 15, read  # the collection found the page


@pytest.mark.parametrize("view", ["participant", "projector"])
def test_a_rounds_participant_and_projector_read_in_words(
    view: str, room: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue, url = room
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
    monkeypatch.setenv("CXPRIO_DATABASE_URL", url)
    store = Store(url)
    revealed = next(r for r in list_rounds(store) if not r.closed)  # the round still open, revealed
    store.close()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update(
        {"round": revealed.code, **({"view": "projector"} if view == "projector" else {})}
    )
    app.run()
    app.switch_page("pages/rounds.py").run()
    if view == "participant":
        app.text_input(key="round_name").input("Eve")
        app.button(key="round_join_button").click().run()
    read = assert_in_words(app, catalogue.parent)
    assert any("Q4 depth" in text for _, text in read), read  # the round's own page


def test_the_scan_finds_each_kind_of_machine_text() -> None:
    """The rules above catch what they are for (and pass plain words)."""
    for text in (
        "SEAM_UNOWNED",
        "limit None",
        "measures.failure_demand",
        "steps[2].team",
        "value_then",
        "reach:0.25,frequency:0.15",
        "/tmp/room0/experiences.yaml",
    ):
        assert problems_in(text, "test", "/tmp/room0"), text
    for text in (
        "Handoff nobody owns",
        "Failure demand 0.20",
        "Reach 0.25, Frequency 0.15",
        "Catalogue: experiences.yaml",
        "Set CXPRIO_DATABASE_URL to use another store",
        "Single-user mode (secrets.toml.example)",
    ):
        assert not problems_in(text, "test", "/tmp/room0"), text
