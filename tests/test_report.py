"""The workshop pack (cxprio.outputs.report): the Excel workbook, the HTML report, the slides and
the charts, opened as their readers open them; and ``python -m cxprio report``."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from PIL import Image
from pptx import Presentation
from pptx.util import Inches, Pt

from board.packs import SHORT
from cxprio import parse_catalogue
from cxprio.method.scoring import score
from cxprio.outputs.report import FORMATS, build, gather, newest_history
from cxprio.store.imports import import_file
from cxprio.store.snapshots import take_snapshot
from cxprio.store.versions import Store

from .conftest import BASE, ROOT, SAMPLE, dump

RAW = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
HOSTILE_ORGANISATION = '<script>alert("org")</script> & [Co](javascript:alert(1))'
HOSTILE_NAME = '<img src="https://tracker.example/x.png" onerror="alert(1)"> Move <b>home</b>'


def workshop_of(text: str, **options: Any) -> Any:
    loaded = parse_catalogue(text, source="catalogue.yaml")
    return gather(loaded, sha256=hashlib.sha256(text.encode()).hexdigest(), **options)


@pytest.fixture(scope="module")
def sample() -> Any:
    return workshop_of(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile() -> Any:
    data = copy.deepcopy(RAW)
    data["organisation"] = HOSTILE_ORGANISATION
    data["experiences"][0]["name"] = HOSTILE_NAME
    return workshop_of(yaml.safe_dump(data, sort_keys=False))


# --- the workbook ----------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_table_with_frozen_filtered_headers(sample: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build(sample, "xlsx")))
    assert book.sheetnames == [
        "Cover", "Priorities", "Ambition tiers", "Ambition findings", "Seams", "Findings", "RACI matrix",
        "Maturity arc",
    ]  # fmt: skip
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert all(cell.font.b for cell in sheet[1]), name
        assert sheet.column_dimensions["A"].width >= 8, name
    priorities = book["Priorities"]
    header = [cell.value for cell in priorities[1]]
    assert header[:4] == ["Rank", "Rank range from", "Rank range to", "Id"]  # headings in words
    assert {"Priority", "Ambition", "Share of draws in the top", "Stable in the top"} <= set(header)
    assert priorities.max_row == len(RAW["experiences"]) + 1


def test_the_workbook_reads_in_words_with_teams_and_tiers_by_name(sample: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build(sample, "xlsx")))
    team_ids = {t["id"] for t in RAW["teams"]}
    tiers = {"unique", "distinct", "competitive", "uncompetitive"}
    for sheet in book.worksheets[1:]:
        header = [str(cell.value) for cell in sheet[1]]
        for heading in header:
            assert "_" not in heading and heading[:1].isupper(), (sheet.title, heading)
            assert heading not in team_ids, (sheet.title, heading)
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", value), (sheet.title, value)
                    assert value not in tiers, (sheet.title, value)
    raci = [str(c.value) for c in book["RACI matrix"][1]]
    assert {t["name"] for t in RAW["teams"]} & set(raci)  # teams by name as its headings
    cover = [str(c.value) for row in book["Cover"].iter_rows() for c in row if c.value is not None]
    assert not any(re.search(r"\b(reach|failure_demand):\d", text) for text in cover), cover


def test_a_team_whose_id_is_a_column_name_renames_nothing_but_its_own_column() -> None:
    data = copy.deepcopy(BASE)
    data["teams"] += [{"id": "risk", "name": "Risk and Compliance"}, {"id": "name", "name": "Naming"}]
    data["experiences"][0]["decisions"] = [{"name": "Approve a refund", "A": "risk", "R": ["name"]}]
    book = openpyxl.load_workbook(io.BytesIO(build(workshop_of(dump(data)), "xlsx")))
    priorities = [[c.value for c in row] for row in book["Priorities"].iter_rows()]
    assert "Experience" in priorities[0] and "Naming" not in priorities[0]
    names = [row[priorities[0].index("Experience")] for row in priorities[1:]]
    assert set(names) == {e["name"] for e in data["experiences"]}  # whole, not split into letters
    for sheet in ("Ambition findings", "Seams", "Findings"):
        header = [c.value for c in book[sheet][1]]
        assert "Risk and Compliance" not in header, (sheet, header)
    raci = [[c.value for c in row] for row in book["RACI matrix"].iter_rows()]
    assert {"Risk and Compliance", "Naming"} <= set(raci[0])
    assert raci[1][raci[0].index("Risk and Compliance")] == "Accountable"
    assert raci[1][raci[0].index("Naming")] == "Responsible"


def test_the_workbook_stores_the_scorings_numbers_as_numbers(sample: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build(sample, "xlsx")))
    sheet = book["Priorities"]
    header = [cell.value for cell in sheet[1]]
    expected = score(parse_catalogue(SAMPLE.read_bytes()).catalogue).table
    for row in (2, 5, len(expected) + 1):
        values = dict(zip(header, (cell.value for cell in sheet[row]), strict=True))
        truth = expected[expected["id"] == values["Id"]].iloc[0]
        assert isinstance(values["Priority"], float)
        assert values["Priority"] == pytest.approx(float(truth["priority"]))
        assert values["Rank"] == int(truth["rank"])
        assert values["Rank range from"] <= values["Rank"] <= values["Rank range to"]
        assert sheet.cell(row, header.index("Priority") + 1).data_type == "n"


def test_the_cover_sheet_gives_the_weights_used(sample: Any) -> None:
    custom = workshop_of(SAMPLE.read_text(encoding="utf-8"), weights={"reach": 0.4})
    cover = openpyxl.load_workbook(io.BytesIO(build(custom, "xlsx")))["Cover"]
    rows = [[cell.value for cell in row] for row in cover.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "Weights used")
    weights = {row[0]: row[1] for row in rows[start + 1 : start + 6]}
    said = {"Reach": "reach", "Frequency": "frequency", "Depth": "depth", "Cost": "cost"}
    said["Failure demand"] = "failure_demand"
    assert {said[label]: value for label, value in weights.items()} == {
        **RAW["scoring"]["weights"],
        "reach": 0.4,
    }
    assert all(isinstance(value, float) for value in weights.values())


# --- the HTML report -------------------------------------------------------------------------


class Page(HTMLParser):
    """Every tag with its attributes, every section id and the text outside tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(data: bytes) -> Page:
    page = Page()
    page.feed(data.decode("utf-8"))
    return page


def test_the_report_has_every_section_and_its_charts_inline(sample: Any) -> None:
    page = parsed(build(sample, "html"))
    sections = [attrs.get("id") for tag, attrs in page.tags if tag == "section"]
    assert sections == ["headline", "priorities", "ambition", "value-map", "seams", "maturity", "decisions"]
    assert sum(1 for tag, _ in page.tags if tag == "svg") >= 5
    top = score(parse_catalogue(SAMPLE.read_bytes()).catalogue).table.iloc[0]
    assert str(top["name"]) in "".join(page.text)


def test_catalogue_text_is_escaped_and_nothing_external_is_referenced(hostile: Any) -> None:
    data = build(hostile, "html")
    text = data.decode("utf-8")
    page = parsed(data)
    assert not [tag for tag, _ in page.tags if tag in {"script", "img", "iframe", "link", "object", "a"}]
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    for _, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "action"):
            assert attrs.get(name) is None, (name, attrs)
    assert not re.search(r"url\((?!#)|@import", text)  # url(#id) is a gradient in the same SVG
    joined = "".join(page.text)
    assert HOSTILE_ORGANISATION in joined  # shown as the text it is
    assert "<img" not in text.replace("&lt;img", "")


def test_the_report_prints_on_a4_and_reads_on_a_phone(sample: Any) -> None:
    text = build(sample, "html").decode("utf-8")
    assert "@page { size: A4" in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text


# --- the slides ------------------------------------------------------------------------------


def slide_titles(deck: Any) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


def test_the_deck_has_a_title_slide_then_one_message_per_slide_and_the_top_ten(sample: Any) -> None:
    deck = Presentation(io.BytesIO(build(sample, "pptx")))
    expected = score(parse_catalogue(SAMPLE.read_bytes()).catalogue).table.head(10)
    titles = slide_titles(deck)
    assert titles[0] == "Northwind Energy"
    assert titles[1].startswith(f"{expected.iloc[0]['name']} leads; ") and titles[1].endswith(
        " of the top 10 stay there as the weights wobble"
    )
    assert len(titles) == len(set(titles)) >= 8
    table = next(shape for shape in deck.slides[1].shapes if shape.has_table).table
    assert [table.cell(row, 1).text for row in range(1, 11)] == list(expected["name"])
    assert table.cell(1, 2).text == f"{expected.iloc[0]['priority']:.0f}"
    for page in deck.slides:
        for picture in (shape for shape in page.shapes if shape.shape_type == 13):
            assert picture.top + picture.height <= deck.slide_height
            assert picture.left + picture.width <= deck.slide_width


def deck_text(deck: Any) -> Iterator[tuple[int, str]]:
    for number, page in enumerate(deck.slides, start=1):
        for shape in page.shapes:
            if shape.has_text_frame:
                yield number, shape.text_frame.text
            if shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        yield number, cell.text_frame.text


def runs(deck: Any) -> Iterator[Any]:
    for page in deck.slides:
        for shape in page.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    yield from paragraph.runs


CODE_LIKE = re.compile(r"\b[A-Z]+_[A-Z_]+\b|\bNone\b|measures\.|reach:0\.|[a-z]+_[a-z_]+")


@pytest.fixture(scope="module")
def full_deck(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A deck with history and a closed round, from a catalogue named by its full path."""
    from cxprio.outputs.rounds import round_record

    root = tmp_path_factory.mktemp("deck")
    store, code = make_closed_round(root)
    quarters = make_two_quarters(root / "history")
    history = newest_history(quarters)
    record = round_record(store, code, parse_catalogue(SAMPLE.read_bytes()).catalogue)
    loaded = parse_catalogue(SAMPLE.read_bytes(), source=str(SAMPLE.resolve()))
    workshop = gather(loaded, history=history, round_record=record)
    return workshop, code


def test_the_deck_is_sixteen_by_nine_with_every_run_at_fourteen_points_or_more(full_deck: Any) -> None:
    workshop, _ = full_deck
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    sizes = [run.font.size for run in runs(deck) if run.text.strip()]
    assert sizes and None not in sizes
    assert min(sizes) >= Pt(14)


def test_every_slide_but_the_title_has_its_number_and_the_title_slide_names_the_organisation_and_date(
    full_deck: Any,
) -> None:
    workshop, _ = full_deck
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    title = [text for number, text in deck_text(deck) if number == 1]
    assert "Northwind Energy" in title and any("Workshop pack" in t for t in title)
    assert any(re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                         r"November|December) \d{4}\b", t) for t in title)  # fmt: skip
    for number, page in enumerate(deck.slides, start=1):
        texts = [shape.text_frame.text for shape in page.shapes if shape.has_text_frame]
        if number == 1:
            assert str(number) not in texts
        else:
            assert str(number) in texts, number
            assert any("Northwind Energy" in t for t in texts), number


def test_no_slide_shows_a_code_a_none_or_a_field_path(full_deck: Any) -> None:
    workshop, _ = full_deck
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    for number, text in deck_text(deck):
        assert not CODE_LIKE.search(text), (number, text)
        assert "/" not in text or "–" in text or re.search(r"\d/\d", text) is None, (number, text)
        assert str(SAMPLE.parent) not in text, (number, text)


def word_width(word: str, points: float, bold: bool) -> float:
    """Inches: measured with Liberation Sans (Arial's metrics) where the machine has it,
    else 0.6 of the size a character."""
    from PIL import ImageFont

    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    path = Path("/usr/share/fonts/truetype/liberation") / name
    if not path.exists():
        return len(word) * 0.6 * points / 72
    font = ImageFont.truetype(str(path), size=100)
    return font.getlength(word) / 100 * points / 72


def test_every_table_column_is_wide_enough_for_its_longest_word(full_deck: Any) -> None:
    workshop, _ = full_deck
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    tables = [shape.table for page in deck.slides for shape in page.shapes if shape.has_table]
    assert len(tables) >= 5
    for table in tables:
        for position, column in enumerate(table.columns):
            room = (column.width - Inches(0.2)) / 914400  # inches, less the cell's margins
            for row_number, row in enumerate(table.rows):
                cell = row.cells[position]
                for paragraph in cell.text_frame.paragraphs:
                    for run in paragraph.runs:
                        for word in run.text.split():
                            width = word_width(word, run.font.size.pt, bool(run.font.bold))
                            assert width <= room, (word, row_number, width, room)


def test_tier_names_fit_their_column_whole() -> None:
    from cxprio.outputs.report import column_widths

    rows = [["Rank", "Experience", "Ambition"], ["1", "Moving home", "Uncompetitive"]]
    widths = column_widths(rows, 12.3, 16)
    assert widths[2] - 0.2 >= word_width("Uncompetitive", 16, bold=False)
    assert sum(widths) == pytest.approx(12.3)


def test_a_closed_round_gives_a_slide_of_its_results(full_deck: Any) -> None:
    workshop, _code = full_deck
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    titles = slide_titles(deck)
    results = next(i for i, t in enumerate(titles) if t.startswith("Round “Q4 workshop”: 3 people scored"))
    table = next(shape for shape in deck.slides[results].shapes if shape.has_table).table
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][:3] == ["Experience", "Criterion", "Scores"]
    assert cells[1][:5] == ["Moving home", "Depth (1-5)", "3", "5", "2 to 5"]
    agreed = next(i for i, t in enumerate(titles) if "agreed 1 change" in t)
    table = next(shape for shape in deck.slides[agreed].shapes if shape.has_table).table
    assert [cell.text for cell in table.rows[1].cells] == ["Query a bill", "Reach", "320,000", "410,000"]


def visible_text(data: bytes) -> list[str]:
    """The HTML report's text a reader sees: outside tags, styles and the charts."""

    class Visible(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = 0
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.hidden += tag in {"style", "svg", "title"}

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in {"style", "svg", "title"}

        def handle_data(self, data: str) -> None:
            if not self.hidden and data.strip():
                self.text.append(data.strip())

    page = Visible()
    page.feed(data.decode("utf-8"))
    return page.text


def test_the_report_shows_words_not_codes(full_deck: Any) -> None:
    workshop, _ = full_deck
    text = visible_text(build(workshop, "html"))
    assert text
    for piece in text:
        assert not CODE_LIKE.search(piece), piece
        assert str(SAMPLE.parent) not in piece, piece
    assert any(piece.startswith("Weights: Reach 0.") for piece in text)


# --- the charts ------------------------------------------------------------------------------


def test_each_chart_comes_as_svg_and_a_png_of_twice_its_size_that_is_not_blank(sample: Any) -> None:
    with zipfile.ZipFile(io.BytesIO(build(sample, "charts"))) as archive:
        names = archive.namelist()
        stems = sorted({Path(n).stem for n in names if n.startswith("charts/")})
        assert stems == ["ambition-tiers", "priority-ambition", "seam-risk", "top-priorities", "value-map"]
        for stem in stems:
            svg = archive.read(f"charts/{stem}.svg").decode("utf-8")
            width, height = (
                int(v) for v in re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', svg).groups()
            )
            image = Image.open(io.BytesIO(archive.read(f"charts/{stem}.png"))).convert("RGB")
            assert image.size == (2 * width, 2 * height), stem
            colours = image.getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, stem  # not one flat colour
            white = max(count for count, colour in colours if colour == (255, 255, 255))
            assert white < 0.97 * image.width * image.height, stem
        dot = archive.read("team-graph.dot").decode("utf-8")
        assert dot.lstrip().startswith(("digraph", "//", "/*")) and "->" in dot


def test_the_whole_pack_holds_every_file_and_the_same_bytes_each_time(sample: Any) -> None:
    first = build(sample, "zip")
    again = build(workshop_of(SAMPLE.read_text(encoding="utf-8")), "zip")
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = set(archive.namelist())
        assert {
            "catalogue.html",
            "catalogue.xlsx",
            "catalogue.pptx",
            "team-graph.dot",
            "weights.json",
        } <= names
        for name in ("catalogue.html", "catalogue.xlsx", "catalogue.pptx"):
            fmt = name.rsplit(".", 1)[1]
            assert archive.read(name) == build(sample, fmt), name


# --- with history ----------------------------------------------------------------------------


@pytest.fixture
def two_quarters(tmp_path: Path) -> Store:
    return make_two_quarters(tmp_path)


def make_two_quarters(tmp_path: Path) -> Store:
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{tmp_path / 'history.db'}")
    import_file(store, SAMPLE)
    take_snapshot(store, "2026-Q3", author="ana")
    data = copy.deepcopy(RAW)
    last = data["experiences"][-1]
    last["measures"]["reach"] = 5_000_000  # the last experience becomes worth more
    changed = tmp_path / "experiences.yaml"
    changed.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    import_file(store, changed)
    take_snapshot(store, "2026-Q4", author="ana")
    return store


def test_with_two_quarters_the_pack_compares_the_newest_two(two_quarters: Store) -> None:
    history = newest_history(two_quarters)
    assert history is not None and (history.then, history.now) == ("2026-Q3", "2026-Q4")
    workshop = workshop_of(SAMPLE.read_text(encoding="utf-8"), history=history)
    book = openpyxl.load_workbook(io.BytesIO(build(workshop, "xlsx")))
    assert book.sheetnames[-1] == "Quarter comparison"
    sheet = book["Quarter comparison"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    riser = next(r for r in rows if r["Id"] == RAW["experiences"][-1]["id"])
    assert riser["Rank now"] < riser["Rank then"] and riser["Places risen"] > 0
    page = parsed(build(workshop, "html"))
    assert "quarters" in [attrs.get("id") for tag, attrs in page.tags if tag == "section"]
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    riser = RAW["experiences"][-1]["name"]
    assert slide_titles(deck)[-1].startswith(f"Since 2026-Q3: {riser} rose most")


def test_one_quarter_is_no_history(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'one.db'}")
    import_file(store, SAMPLE)
    take_snapshot(store, "2026-Q3", author="ana")
    assert newest_history(store) is None


@pytest.fixture
def closed_round(tmp_path: Path) -> tuple[Store, str]:
    """A store holding the sample and a round closed on two experiences: reach as a
    number and depth, three participants, one value accepted."""
    return make_closed_round(tmp_path)


def make_closed_round(tmp_path: Path) -> tuple[Store, str]:
    from cxprio.method.rounds.checks import parse_criteria
    from cxprio.store.round_closing import close_round
    from cxprio.store.round_scores import join, record
    from cxprio.store.rounds import open_round

    store = Store(f"sqlite:///{tmp_path / 'round.db'}")
    copy = tmp_path / "experiences.yaml"  # the board mirrors the store into its file: never the sample
    copy.write_bytes(SAMPLE.read_bytes())
    import_file(store, copy)
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    code = open_round(
        store,
        catalogue,
        latest.id,
        experiences=["query-a-bill", "moving-home"],
        criteria=parse_criteria("reach:number,depth"),
        author="Fran",
        title="Q4 workshop",
    ).code
    for name, reach, depth in (("Ana", 400_000, 2), ("Ben", 410_000, 5), ("Caro", 450_000, 5)):
        record(
            store,
            code,
            join(store, code, name),
            [("query-a-bill", "reach", reach), ("moving-home", "depth", depth)],
        )
    close_round(store, code, accept=["query-a-bill:reach"], author="Fran")
    return store, code


def test_a_closed_rounds_results_and_changes_go_in_every_part_of_the_pack(
    closed_round: tuple[Store, str],
) -> None:
    from cxprio.method.rounds.model import RoundError
    from cxprio.outputs.rounds import round_record

    store, code = closed_round
    catalogue = parse_catalogue(SAMPLE.read_bytes()).catalogue
    record = round_record(store, code, catalogue)
    workshop = workshop_of(SAMPLE.read_text(encoding="utf-8"), round_record=record)
    page = parsed(build(workshop, "html"))
    assert "round" in [attrs.get("id") for tag, attrs in page.tags if tag == "section"]
    text = " ".join(page.text)
    assert f"Workshop round {code}: Q4 workshop" in text
    assert "3 participants scored 2 experiences on Reach (customers a year), Depth (1-5)" in text
    assert "1 value accepted into version 2" in text
    for cell in ("Query a bill", "Reach", "320,000", "410,000", "Moving home", "Depth (1-5)", "2 to 5"):
        assert cell in text, cell
    book = openpyxl.load_workbook(io.BytesIO(build(workshop, "xlsx")))
    assert book.sheetnames[-2:] == ["Round results", "Round changes"]
    changes = [[c.value for c in row] for row in book["Round changes"].iter_rows()]
    assert changes == [["Experience", "What", "Was", "Now"], ["Query a bill", "Reach", "320,000", "410,000"]]
    results = [[c.value for c in row] for row in book["Round results"].iter_rows()]
    depth = [row for row in results if row[1] == "Depth (1-5)"]
    values = [2, 5, 5]
    mean = sum(values) / 3
    expected = round((sum((v - mean) ** 2 for v in values) / 3) ** 0.5 / 2, 2)  # by hand
    assert depth == [["Moving home", "Depth (1-5)", 3, "5", "2 to 5", f"{expected:.2f}"]]
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    assert slide_titles(deck)[-3:] == [
        "Round “Q4 workshop”: 3 people scored; they disagreed most on Moving home, depth",
        "Round “Q4 workshop”: every score, and where today's value stands",  # by its title, not its code
        "Round “Q4 workshop”: the room agreed 1 change to the catalogue",
    ]
    with zipfile.ZipFile(io.BytesIO(build(workshop, "charts"))) as charts:
        assert {"charts/round-scores.svg", "charts/round-scores.png"} <= set(charts.namelist())
    open_one = store.latest()
    assert open_one is not None
    from cxprio.method.rounds.checks import parse_criteria
    from cxprio.store.rounds import open_round

    still_open = open_round(
        store,
        catalogue,
        open_one.id,
        experiences=["query-a-bill"],
        criteria=parse_criteria("depth"),
        author="Fran",
    ).code
    with pytest.raises(RoundError, match="still open: close it first"):
        round_record(store, still_open, catalogue)


def test_the_command_line_includes_a_closed_round(closed_round: tuple[Store, str]) -> None:
    store, code = closed_round
    done = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--round", code.lower()],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CXPRIO_DATABASE_URL": store.url},
    )
    assert done.returncode == 0, done.stderr
    assert f"with Workshop round {code}".encode() in done.stderr and b'<section id="round">' in done.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--round", "QQQQQQ"],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CXPRIO_DATABASE_URL": store.url},
    )
    assert unknown.returncode == 2 and b"no round with the code" in unknown.stderr and unknown.stdout == b""


# --- the command line ------------------------------------------------------------------------


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cxprio", "report", *args],
        cwd=cwd,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_the_command_line_writes_the_same_file_as_the_library(tmp_path: Path) -> None:
    out = tmp_path / "pack.xlsx"
    done = cli(str(SAMPLE), "--format", "xlsx", "--weights", "reach:0.4", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert b"100% Done" in done.stderr and done.stdout == b""
    expected = workshop_of(SAMPLE.read_text(encoding="utf-8"), weights={"reach": 0.4}, source=str(SAMPLE))
    assert out.read_bytes() == build(expected, "xlsx")
    html = cli(str(SAMPLE))  # HTML by default, to stdout
    assert html.returncode == 0 and html.stdout.startswith(b"<!DOCTYPE html>")
    assert html.stdout == build(workshop_of(SAMPLE.read_text(encoding="utf-8"), source=str(SAMPLE)), "html")


def test_the_command_line_includes_history_from_the_store(two_quarters: Store, tmp_path: Path) -> None:
    env_url = two_quarters.url
    done = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--format", "html"],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CXPRIO_DATABASE_URL": env_url},
    )
    assert done.returncode == 0, done.stderr
    assert b"comparison of 2026-Q3 and 2026-Q4" in done.stderr
    assert b'<section id="quarters">' in done.stdout
    chosen = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--quarters", "2026-Q3", "2026-Q1"],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CXPRIO_DATABASE_URL": env_url},
    )
    assert chosen.returncode == 2 and b"no snapshot of 2026-Q1" in chosen.stderr


def test_no_store_means_no_history_and_no_store_is_made(tmp_path: Path) -> None:
    done = cli(str(SAMPLE), "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "data").exists()
    assert b'id="quarters"' not in (tmp_path / "r.html").read_bytes()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("missing.yaml",), 1, b"missing.yaml: error: no such file"),
        ((str(SAMPLE), "--format", "pdf"), 2, b"invalid choice: 'pdf'"),
        ((str(SAMPLE), "--no-history", "--quarters", "2026-Q1", "2026-Q2"), 2, b"contradict"),
        ((str(SAMPLE), "--weights", "reach:x"), 2, b"--weights"),
    ],
)
def test_bad_input_gets_a_message_and_an_exit_code(args: tuple[str, ...], code: int, message: bytes) -> None:
    done = cli(*args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and b"Traceback" not in done.stderr
    assert done.stdout == b""


def test_every_format_is_documented_in_the_help() -> None:
    done = cli("--help")
    for name in FORMATS:
        assert name.encode() in done.stdout


# --- on the board ----------------------------------------------------------------------------


def test_the_pack_page_builds_a_file_in_the_background_then_offers_it(board: Any) -> None:
    import time

    app = board(page="pages/pack.py")
    prepare = [b for b in app.button if b.label.startswith("Prepare: ")]
    assert [b.label for b in prepare] == [f"Prepare: {SHORT[f]}" for f in FORMATS]
    next(b for b in prepare if b.label == "Prepare: Workbook").click().run()
    deadline = time.monotonic() + 120
    while not [d for d in app.get("download_button") if d.proto.label == "Download: Workbook"]:
        assert time.monotonic() < deadline, "the workbook was not ready within 120 s"
        app.run()  # the page's own poll, as the browser's timer would run it
    assert not app.exception
    download = next(d for d in app.get("download_button") if d.proto.label == "Download: Workbook")
    assert download.proto.ignore_rerun
    # The other formats were not built: each is made when asked for.
    assert len([b for b in app.button if b.label.startswith("Prepare: ")]) == len(FORMATS) - 1


def test_the_overview_offers_the_whole_pack(board: Any) -> None:
    app = board()
    assert [b.label for b in app.button if b.label.startswith("Prepare: ")] == ["Prepare: Workshop pack"]


def test_the_pack_page_offers_the_closed_rounds(
    board: Any, closed_round: tuple[Store, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from board import packs

    store, code = closed_round
    monkeypatch.setenv("CXPRIO_DATABASE_URL", store.url)
    asked: list[str | None] = []
    offer = packs.offer

    def spy(*args: Any, round_code: str | None = None, **options: Any) -> None:
        asked.append(round_code)
        offer(*args, round_code=round_code, **options)

    monkeypatch.setattr(packs, "offer", spy)
    app = board(tmp_path / "experiences.yaml", page="pages/pack.py")
    picker = app.selectbox(key="pack_round")
    assert picker.options == ["No round", f"{code} · Q4 workshop · closed {get_closed(store, code)}"]
    assert set(asked) == {None}  # nothing chosen: no round in the pack
    asked.clear()
    picker.set_value(code).run()
    assert not app.exception and set(asked) == {code}


def get_closed(store: Store, code: str) -> str:
    from cxprio.store.rounds import get_round

    closed = get_round(store, code).closed_at
    assert closed is not None
    return f"{closed:%d %b %Y}"


def test_a_catalogue_with_no_decisions_gets_no_claim_about_them() -> None:
    data = copy.deepcopy(BASE)
    for experience in data["experiences"]:
        experience.pop("decisions", None)
    titles = slide_titles(Presentation(io.BytesIO(build(workshop_of(dump(data)), "pptx"))))
    assert "No decision rights recorded yet" in titles
    assert not any(t.startswith("Every decision has") for t in titles)
    assert not any(t.startswith("0 ") or "; 0 " in t for t in titles)  # no "0 high priorities ..."
