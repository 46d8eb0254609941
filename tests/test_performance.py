"""Performance measures (perceive and receive) in the catalogue: what is accepted, and
when a measure is worse than an earlier quarter's."""

from __future__ import annotations

import copy

import pytest

from cxprio import CatalogueError
from cxprio.catalogue.model import Performance

from .conftest import BASE, load_dict

EFFORT = {"name": "Customer effort", "kind": "perceive", "value": 3.0, "worst_tenth": 4.5, "better": "lower"}


def with_performance(*measures: dict[str, object]) -> dict[str, object]:
    data = copy.deepcopy(BASE)
    data["experiences"][0]["performance"] = list(measures)
    return data


def test_a_measure_with_how_bad_it_gets_is_accepted() -> None:
    catalogue = load_dict(
        with_performance(EFFORT, {**EFFORT, "worst_tenth": None, "bad_share": 0.2})
    ).catalogue
    assert [p.name for p in catalogue.experiences[0].performance] == ["Customer effort", "Customer effort"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"worst_tenth": None}, "give worst_tenth"),  # an average alone
        ({"bad_share": 0.2}, "give worst_tenth"),  # both
        ({"worst_tenth": None, "bad_share": 1.5}, "less than or equal to 1"),
        ({"kind": "feel"}, "perceive"),
        ({"better": "up"}, "higher"),
    ],
)
def test_a_measure_that_hides_the_bad_experiences_or_is_malformed_is_refused(
    change: dict[str, object], words: str
) -> None:
    measure = {key: value for key, value in {**EFFORT, **change}.items() if value is not None}
    with pytest.raises(CatalogueError) as refused:
        load_dict(with_performance(measure))
    [problem] = refused.value.errors
    assert problem.field.startswith("experiences[0].performance[0]") and problem.line is not None
    assert words in problem.message


def _measure(**values: object) -> Performance:
    return Performance.model_validate({**EFFORT, **values})


@pytest.mark.parametrize(
    ("before", "now", "worse"),
    [
        ({}, {"value": 3.2}, True),  # more effort, lower is better
        ({}, {"value": 2.8}, False),
        ({}, {"worst_tenth": 4.8}, True),  # the same average, the worst tenth worse
        ({"better": "higher"}, {"better": "higher", "value": 2.5}, True),
        ({"worst_tenth": None, "bad_share": 0.1}, {"worst_tenth": None, "bad_share": 0.15}, True),
        ({"worst_tenth": None, "bad_share": 0.1}, {"worst_tenth": None, "bad_share": 0.05}, False),
    ],
)
def test_worse_means_the_value_or_how_bad_it_gets_moved_the_wrong_way(
    before: dict[str, object], now: dict[str, object], worse: bool
) -> None:
    assert _measure(**now).worse_than(_measure(**before)) is worse
