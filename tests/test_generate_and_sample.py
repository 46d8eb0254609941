"""The synthetic generator and the sample catalogue."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from cxprio import UsageError, load_catalogue, parse_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.method.scoring import score

from .conftest import SAMPLE

MEASURE_NAMES = ("reach", "frequency", "depth", "cost", "failure_demand")


@pytest.mark.parametrize(
    ("experiences", "teams", "seed"), [(1, 2, 0), (40, 3, 1), (300, 25, 2), (1000, 60, 3)]
)
def test_generated_catalogues_are_valid_by_construction(experiences: int, teams: int, seed: int) -> None:
    text = generate_catalogue(experiences=experiences, teams=teams, seed=seed)
    loaded = parse_catalogue(text)
    assert len(loaded.catalogue.experiences) == experiences
    assert len(loaded.catalogue.teams) == teams
    # The generator leaves some measures out on purpose; each gap, and nothing else, is a
    # warning. The gaps are counted here from the raw YAML, not by the loader.
    assert {w.field for w in loaded.warnings} == missing_measures(text)
    assert {w.code for w in loaded.warnings} <= {"measure-missing"}
    assert score(loaded.catalogue).warnings == ()  # generated measures sit inside the scales


def test_generated_catalogues_have_every_level_and_some_unowned_seams() -> None:
    catalogue = parse_catalogue(generate_catalogue(experiences=500, teams=30, seed=9)).catalogue
    levels = Counter(e.level.value for e in catalogue.experiences)
    assert levels["trigger"] and levels["journey"] > levels["trigger"] and levels["moment"]
    seams = owned = 0
    for experience in catalogue.experiences:
        for before, after in zip(experience.steps, experience.steps[1:], strict=False):
            if before.team != after.team:
                seams += 1
                owned += after.handoff_owner is not None
    assert 0 < owned < seams


@pytest.mark.parametrize(("experiences", "teams"), [(0, 5), (5, 1)])
def test_generate_refuses_impossible_sizes(experiences: int, teams: int) -> None:
    with pytest.raises(UsageError):
        generate_catalogue(experiences=experiences, teams=teams)


def missing_measures(text: str) -> set[str]:
    """The ``experiences[i].measures`` fields that lack one of the five measures."""
    experiences = yaml.safe_load(text)["experiences"]
    return {
        f"experiences[{i}].measures"
        for i, experience in enumerate(experiences)
        if any((experience.get("measures") or {}).get(m) is None for m in MEASURE_NAMES)
    }


def test_the_sample_catalogue_loads_with_a_warning_for_each_missing_measure() -> None:
    loaded = load_catalogue(SAMPLE)
    expected = missing_measures(SAMPLE.read_text(encoding="utf-8"))
    assert expected  # the sample shows what an incomplete experience looks like
    assert {w.field for w in loaded.warnings} == expected


def test_the_sample_catalogue_is_big_enough_to_show_the_board() -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    levels = Counter(e.level.value for e in catalogue.experiences)
    assert levels["trigger"] >= 6 and levels["journey"] >= 15 and levels["moment"] >= 20
    assert len(catalogue.teams) >= 10
    for journey in (e for e in catalogue.experiences if e.level.value == "journey"):
        assert journey.steps and journey.decisions, journey.id


def test_the_sample_catalogue_has_honest_defects() -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    journeys = [e for e in catalogue.experiences if e.level.value == "journey"]
    assert any(j.owner is None for j in journeys)
    assert any(len(d.accountable) > 1 for e in catalogue.experiences for d in e.decisions)
    unowned = [
        (e.id, after.name)
        for e in catalogue.experiences
        for before, after in zip(e.steps, e.steps[1:], strict=False)
        if before.team != after.team and after.handoff_owner is None
    ]
    assert len(unowned) >= 3
