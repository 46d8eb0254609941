"""The board's tables from the core: the Priorities filters and the ranking as arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxprio import load_catalogue
from cxprio.method.scoring import Normalised, normalise, rank, ranking, resolve_weights
from cxprio.outputs.tables import matching, teams_of

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


def test_table_makers_build_a_table_only_when_asked_and_as_every_table_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cxprio.outputs.tables as tables
    from cxprio.method.ambition import check_ambition
    from cxprio.method.ownership import analyse_ownership
    from cxprio.method.scoring import score

    catalogue = load_catalogue(SAMPLE).catalogue
    scores = score(catalogue, weights={"reach": 0.9})
    ambition = check_ambition(catalogue, scores)
    ownership = analyse_ownership(
        catalogue, dict(zip(scores.table["id"], scores.table["priority"], strict=True))
    )
    expected = tables.every_table(catalogue, scores, ambition, ownership)

    built: list[str] = []
    real_raci = tables.raci_table

    def counted_raci(*args: Any) -> Any:
        built.append("raci")
        return real_raci(*args)

    monkeypatch.setattr(tables, "raci_table", counted_raci)
    makers = tables.table_makers(catalogue, scores, ambition, ownership)
    assert list(makers) == list(expected) and built == []  # nothing built yet
    raci = makers["raci-matrix.csv"]()
    assert built == ["raci"]
    assert raci.equals(expected["raci-matrix.csv"])
    assert set(raci["weights"]) == {tables.format_weights(scores.weights)}
    assert makers["weights.csv"]().equals(expected["weights.csv"])


def test_priority_bands_count_each_tier_level_and_band_of_priority() -> None:
    from cxprio.outputs.tables import priority_bands

    rng = np.random.default_rng(3)
    tiers = rng.choice(["Unique", "Distinct", "None"], size=500)
    levels = rng.choice(["trigger", "journey", "moment"], size=500)
    priorities = np.concatenate([rng.uniform(0, 100, size=496), [0.0, 5.0, 99.99, 100.0]])
    points = pd.DataFrame({"tier": tiers, "level": levels, "priority": priorities})
    counts: dict[tuple[str, str, int], int] = {}
    for tier, level, priority in zip(tiers, levels, priorities, strict=True):
        band = 19 if priority >= 95 else int(priority // 5)  # 100 belongs to the last band
        counts[(tier, level, band)] = counts.get((tier, level, band), 0) + 1
    bands = priority_bands(points, 5.0)
    got = {(r.tier, r.level, int(r.low // 5)): r.experiences for r in bands.itertuples(index=False)}
    assert got == counts
    assert bands["experiences"].sum() == 500
    assert ((bands["high"] - bands["low"]) == 5).all() and (bands["middle"] == bands["low"] + 2.5).all()
    with pytest.raises(ValueError, match="above 0"):
        priority_bands(points, 0)


def test_tier_shares_read_in_words() -> None:
    from cxprio.outputs.tables import tier_shares_in_words

    tiers = pd.DataFrame(
        {
            "tier": ["Unique", "Uncompetitive"],
            "count": [1200, 3],
            "share": [0.13, 0.5],
            "limit": [0.1, None],
            "over_limit": [True, False],
        }
    )
    words = tier_shares_in_words(tiers)
    assert list(words.columns) == ["Tier", "Experiences", "Share", "Limit", "Over its limit"]
    assert words.iloc[0].tolist() == ["Unique", "1,200", "13%", "10%", "Yes"]
    assert words.iloc[1].tolist() == ["Uncompetitive", "3", "50%", "No limit", "No"]
