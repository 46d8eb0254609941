"""The board's tables from the core: the Priorities filters and the ranking as arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cxprio import load_catalogue
from cxprio.scoring import Normalised, normalise, rank, ranking, resolve_weights
from cxprio.tables import matching, teams_of

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def norm() -> Normalised:
    return normalise(load_catalogue(SAMPLE).catalogue)


def passing(norm: Normalised, **filters: Any) -> set[str]:
    mask = matching(norm, **filters)
    assert mask is not None and mask.shape == (len(norm.ids),)
    return {i for i, kept in zip(norm.ids, mask.tolist(), strict=True) if kept}


def test_no_filter_is_none_so_everything_passes_at_no_cost(norm: Normalised) -> None:
    assert matching(norm) is None
    assert matching(norm, search="   ") is None


def test_each_filter_keeps_what_it_names(norm: Normalised) -> None:
    experiences = {e.id: e for e in norm.catalogue.experiences}
    assert passing(norm, levels=["journey"]) == {i for i, e in experiences.items() if e.level == "journey"}
    assert passing(norm, tiers=["unique", "none"]) == {
        i for i, e in experiences.items() if e.ambition is None or e.ambition == "unique"
    }
    involved = teams_of(norm.catalogue)
    assert passing(norm, team="billing") == {i for i, teams in involved.items() if "billing" in teams}
    bill = {i for i, e in experiences.items() if "bill" in f"{e.id} {e.name} {e.outcome or ''}".lower()}
    assert passing(norm, search="  BiLL ") == bill and len(bill) >= 5


def test_filters_combine_as_and(norm: Normalised) -> None:
    both = passing(norm, levels=["moment"], search="bill")
    assert both == passing(norm, levels=["moment"]) & passing(norm, search="bill")
    assert both


def test_the_ranking_arrays_agree_with_the_ranked_table(norm: Normalised) -> None:
    weights = resolve_weights(norm.catalogue, {"depth": 1.0, "reach": 0.0})
    ranked = ranking(norm, weights)
    table = rank(norm, weights)
    assert [norm.ids[row] for row in ranked.order] == table["id"].tolist()
    assert (ranked.rank[ranked.order] == np.arange(1, len(norm.ids) + 1)).all()
    for column in ("priority", "customer_value", "business_value"):
        assert np.allclose(getattr(ranked, column)[ranked.order], table[column], equal_nan=True)
