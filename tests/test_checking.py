"""A catalogue checked in a process of its own, as the board checks an upload: the same
answer as a check here, and nothing of the catalogue built in this process."""

from __future__ import annotations

import sys
import tracemalloc

import pytest

from cxprio import CatalogueError, parse_catalogue
from cxprio.catalogue.checking import check, check_apart
from cxprio.catalogue.generate import many_experiences

from .conftest import catalogue_dict, dump


def test_a_valid_catalogue_checked_apart_gives_its_counts_and_warnings() -> None:
    data = catalogue_dict()
    del data["experiences"][2]["measures"]["depth"]  # a warning
    content = dump(data).encode()
    loaded = parse_catalogue(content, source="good.yaml")
    checked = check_apart(content, source="good.yaml")
    assert checked.valid and checked.errors == ()
    assert (checked.experiences, checked.teams) == (3, 3)
    assert checked.warning_count == len(loaded.warnings) == 1


def test_an_invalid_catalogue_checked_apart_gives_every_problem_as_a_check_here_does() -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    data["experiences"][1]["owner"] = "bilingg"
    content = dump(data).encode()
    with pytest.raises(CatalogueError) as here:
        parse_catalogue(content, source="bad.yaml")
    checked = check_apart(content, source="bad.yaml")
    assert not checked.valid and checked.error_count == 2
    assert [p.format() for p in checked.errors] == [p.format() for p in here.value.errors]


def test_checking_apart_builds_nothing_of_the_catalogue_in_this_process() -> None:
    text, _ = many_experiences(max_bytes=3_000_000)  # more experiences than allowed
    content = text.encode()
    tracemalloc.start()
    try:
        checked = check_apart(content, source="many.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.code for p in checked.errors] == [p.code for p in check(content, source="many.yaml").errors]
    assert peak < 1_000_000  # a check here holds tens of megabytes at its peak


def test_a_check_keeps_the_first_errors_and_counts_them_all() -> None:
    from cxprio.catalogue.checking import ERRORS_KEPT

    data = catalogue_dict()
    data["experiences"] = [{"id": f"e{i}", "name": "E", "level": "jorney"} for i in range(ERRORS_KEPT + 20)]
    checked = check_apart(dump(data).encode(), source="wrong.yaml")
    assert checked.error_count == ERRORS_KEPT + 20 and len(checked.errors) == ERRORS_KEPT
    assert [p.field for p in checked.errors[:2]] == ["experiences[0].level", "experiences[1].level"]


def test_a_check_that_takes_too_long_is_stopped_and_reported() -> None:
    text, _ = many_experiences(max_bytes=2_000_000)
    checked = check_apart(text.encode(), source="slow.yaml", timeout=0.01)
    (problem,) = checked.errors
    assert problem.file == "slow.yaml" and "could not be checked" in problem.message
    assert "took more than" in problem.message


def test_a_check_that_ends_without_an_answer_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/true")  # a child that says nothing
    (problem,) = check_apart(dump(catalogue_dict()).encode(), source="lost.yaml").errors
    assert "could not be checked: the check ended without an answer" in problem.message
