"""A catalogue read ahead in another process loads exactly as one read here: the same
data, the same problems at the same lines; anything the child cannot read is left to
the parent, and the child never outlives its use."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import cxprio
from board.show import plain
from cxprio import CatalogueError, CatalogueReadError, parse_catalogue
from cxprio.generate import generate_catalogue
from cxprio.readahead import ReadAhead
from cxprio.safeyaml import read_yaml

from .conftest import ROOT, release
from .test_safe_loading import BROKEN_EXPERIENCE, GOOD_HEAD


def read_ahead(path: Path, **limits: int) -> ReadAhead:
    started = ReadAhead.start(path, **limits)
    assert started is not None
    return started


def every_path(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``value``, containers and scalars alike, computed independently."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += every_path(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += every_path(item, (*path, index))
    return found


def ended(reading: ReadAhead) -> bool:
    return reading._process.poll() is not None


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """300 experiences with the generator's missing measures: a catalogue with warnings."""
    path = tmp_path / "generated.yaml"
    path.write_text(generate_catalogue(experiences=300, teams=20, seed=3), encoding="utf-8")
    return path


def test_a_catalogue_read_ahead_loads_as_if_read_here(generated: Path) -> None:
    content = generated.read_bytes()
    reading = read_ahead(generated)
    document = reading.document(content, file="big.yaml")
    assert document is not None
    ahead = parse_catalogue(content, source="big.yaml", document=document)
    here = parse_catalogue(content, source="big.yaml")
    assert ahead.warnings, "the check needs warnings, whose lines come from the child"
    assert ahead.catalogue == here.catalogue
    assert [w.format() for w in ahead.warnings] == [w.format() for w in here.warnings]
    reading.close()
    assert ended(reading)


@pytest.mark.parametrize(
    "text",
    [
        BROKEN_EXPERIENCE,  # a refusal, a schema error and a reference error
        GOOD_HEAD + "experiences:\n  - id: x\n    name: X\n    level: jorney\n    level: moment\n",
        GOOD_HEAD + "experiences:\n  - {id: x, name: &n X, level: moment, owner: nobody}\n",
    ],
    ids=["refusal-schema-reference", "duplicate-key", "anchor-in-flow"],
)
def test_problems_found_in_a_document_read_ahead_name_the_same_lines(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    content = path.read_bytes()
    reading = read_ahead(path)
    document = reading.document(content, file="broken.yaml")
    assert document is not None
    with pytest.raises(CatalogueError) as ahead:
        parse_catalogue(content, source="broken.yaml", document=document)
    with pytest.raises(CatalogueError) as here:
        parse_catalogue(content, source="broken.yaml")
    reading.close()
    assert [p.format() for p in ahead.value.problems] == [p.format() for p in here.value.problems]
    assert all(p.file == "broken.yaml" and p.line for p in ahead.value.problems)


REFERENCES = GOOD_HEAD + (
    "experiences:\n"
    "  - {id: move, name: Move, level: trigger, owner: biling}\n"  # an unknown team
    "  - {id: move, name: Move again, level: trigger}\n"  # an id used twice
    "  - {id: j, name: J, level: journey, parent: nowhere}\n"  # an unknown parent
    "  - {id: k, name: K, level: journey, parent: m}\n"  # k and m: a loop of parents
    "  - {id: m, name: M, level: moment, parent: k}\n"
    "  - {id: t, name: T, level: trigger, parent: move}\n"  # a trigger under a trigger
)


def test_the_child_checks_the_references_while_the_parent_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "references.yaml"
    path.write_text(REFERENCES, encoding="utf-8")
    content = path.read_bytes()
    with pytest.raises(CatalogueError) as here:
        parse_catalogue(content, source="references.yaml")
    reading = read_ahead(path)
    document = reading.document(content, file="references.yaml")
    assert document is not None

    def not_here(data: Any) -> list[Any]:
        raise AssertionError("the references were checked in the parent")

    monkeypatch.setattr(cxprio.catalogue, "check_references", not_here)
    with pytest.raises(CatalogueError) as ahead:
        parse_catalogue(content, source="references.yaml", document=document, references=reading.references)
    reading.close()
    assert [p.format() for p in ahead.value.problems] == [p.format() for p in here.value.problems]
    codes = {p.code for p in ahead.value.problems}
    assert codes >= {"unknown-team", "duplicate-id", "unknown-parent", "parent-cycle", "parent-level"}
    assert all(p.line for p in ahead.value.problems)


def test_references_the_child_could_not_check_are_checked_here(tmp_path: Path) -> None:
    path = tmp_path / "references.yaml"
    path.write_text(REFERENCES, encoding="utf-8")
    content = path.read_bytes()
    reading = read_ahead(path)
    document = reading.document(content, file="references.yaml")
    reading.close()
    with pytest.raises(CatalogueError) as fallback:
        parse_catalogue(content, source="references.yaml", document=document, references=lambda: None)
    with pytest.raises(CatalogueError) as here:
        parse_catalogue(content, source="references.yaml")
    assert [p.format() for p in fallback.value.problems] == [p.format() for p in here.value.problems]


SHAPES = textwrap.dedent(
    """\
    version: 1
    organisation: "Shapes: quoted"
    teams:
      - {id: a, name: A}
      - id: b
        name: >-
          folded
          text
    experiences:
      - id: x
        name: X
        level: moment
        steps: [{name: one, team: a}, {name: two, team: b}]
        measures:
          reach: 1e6
          depth: 3
        notes: |
          a literal
          block
      - []
      - {}
    """
)


def test_every_position_equals_the_one_found_here(tmp_path: Path) -> None:
    path = tmp_path / "shapes.yaml"
    path.write_text(SHAPES, encoding="utf-8")
    here = read_yaml(SHAPES, file="shapes.yaml")
    reading = read_ahead(path)
    document = reading.document(path.read_bytes(), file="shapes.yaml")
    assert document is not None and document.data == here.data
    paths = every_path(here.data)
    paths += [
        ("experiences", 0, "missing", "deeper"),
        ("nothing",),
        ("experiences", 99),
        ("teams", 0, "id", "x"),
    ]
    assert [document.locate(p) for p in paths] == [here.locate(p) for p in paths]
    # Once the child has ended, positions are found by reading here, the same.
    reading.close()
    assert ended(reading)
    assert [document.locate(p) for p in paths[:20]] == [here.locate(p) for p in paths[:20]]


def test_other_bytes_are_not_handed_over_and_the_child_ends(generated: Path) -> None:
    reading = read_ahead(generated)
    changed = generated.read_bytes().replace(b"organisation:", b"organisation:  ", 1)
    assert reading.document(changed, file="x.yaml") is None
    assert ended(reading)
    assert reading.document(generated.read_bytes(), file="x.yaml") is None  # handed over once at most


@pytest.mark.parametrize(
    ("content", "limits", "code"),
    [
        (None, {}, "read"),  # no such file
        (b"version: 1\n" * 200, {"max_bytes": 100}, "read"),  # above the size limit
        (b"version: 1\norganisation: \xff\n", {}, "encoding"),
        (b"   \n", {}, "read"),  # empty
        (b"version: 1\nteams: [unclosed\n", {}, "yaml-syntax"),
    ],
    ids=["missing", "too-large", "not-utf8", "empty", "invalid-yaml"],
)
def test_what_the_child_cannot_read_is_left_to_the_parent_and_its_messages(
    tmp_path: Path, content: bytes | None, limits: dict[str, int], code: str
) -> None:
    path = tmp_path / "catalogue.yaml"
    if content is not None:
        path.write_bytes(content)
    reading = read_ahead(path, **limits)
    assert reading.document(content or b"", file="catalogue.yaml") is None
    assert ended(reading)
    if content is not None:
        with pytest.raises((CatalogueError, CatalogueReadError)) as exc:
            parse_catalogue(content, source="catalogue.yaml", **limits)
        assert code in [problem.code for problem in exc.value.problems]


def test_the_child_refuses_a_named_pipe_at_once_rather_than_wait_for_a_writer(fifo: Path) -> None:
    reading = read_ahead(fifo)
    try:
        assert reading._arrived.wait(60), "the child is still waiting on the pipe"
        assert reading.document(b"", file="catalogue.yaml", timeout=0) is None
    finally:
        release(fifo)
        reading.close()
    assert ended(reading)


def test_a_child_killed_early_leaves_the_reading_to_the_parent(generated: Path) -> None:
    reading = read_ahead(generated)
    reading._process.kill()
    assert reading.document(generated.read_bytes(), file="x.yaml") is None


def test_the_child_loads_no_heavy_library() -> None:
    """What makes reading ahead worth it: the child starts in a moment."""
    heavy = ("pandas", "numpy", "pydantic", "sqlalchemy", "streamlit", "networkx", "altair")
    probe = f"import sys, cxprio.readahead; print([m for m in {heavy!r} if m in sys.modules])"
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert shown == "[]"


def test_the_package_names_load_on_first_use() -> None:
    for name in cxprio.__all__:
        assert getattr(cxprio, name) is not None, name
    assert set(cxprio.__all__) <= set(dir(cxprio))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        cxprio.nothing  # noqa: B018


FIRST_PAGE = """
import sys
import board.startup as startup  # importing the board starts reading the file
import cxprio.catalogue
from streamlit.testing.v1 import AppTest

reading = startup._READING[0]
read_here = []
real_read, real_check = cxprio.catalogue.read_yaml, cxprio.catalogue.check_references
cxprio.catalogue.read_yaml = lambda *a, **k: read_here.append(1) or real_read(*a, **k)
cxprio.catalogue.check_references = lambda *a, **k: read_here.append(1) or real_check(*a, **k)
app = AppTest.from_file("app.py", default_timeout=120)
app.run()
assert not app.exception, app.exception
app.switch_page("pages/catalogue.py")
app.run()
assert not app.exception, app.exception
print("WARNINGS", next(e.value for e in app.markdown if "measures" in e.value))
print("READ_HERE", len(read_here), "LEFT", len(startup._READING), "ENDED", reading._process.poll() is not None)
"""


def test_the_first_page_of_a_server_takes_the_document_read_ahead(generated: Path, tmp_path: Path) -> None:
    """A fresh process: the board reads the file in a child from its first import, the
    first page validates that document without reading the YAML or checking its
    references itself, the warnings it lists carry their lines, and the child has ended."""
    environment = {**os.environ, "CXPRIO_CATALOGUE": str(generated), "PYTHONPATH": str(ROOT)}
    environment["CXPRIO_DATABASE_URL"] = f"sqlite:///{tmp_path / 'store.db'}"
    shown = subprocess.run(
        [sys.executable, "-c", FIRST_PAGE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=600,
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert "READ_HERE 0 LEFT 0 ENDED True" in shown.stdout, shown.stdout
    first = parse_catalogue(generated.read_bytes(), source=str(generated)).warnings[0]
    assert f"**{plain(f'{generated.name}:{first.line}:{first.column}')}**" in shown.stdout, (
        first.format(),
        shown.stdout,
    )
