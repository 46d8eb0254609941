"""Scoring on a small hand-computed catalogue, missing measures, clamping, robustness."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
import yaml

from cxprio import UsageError, parse_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.model import MEASURES
from cxprio.method.scoring import (
    _weight_draws,
    default_top_n,
    format_weights,
    normalise,
    parse_weights,
    rank,
    resolve_weights,
    robustness,
    score,
)

from .conftest import catalogue_dict, dump, load_dict

LINEAR_SCALES = {
    "reach": {"min": 0, "max": 100, "transform": "linear"},
    "frequency": {"min": 0, "max": 10, "transform": "linear"},
    "depth": {"min": 1, "max": 5, "transform": "linear"},
    "cost": {"min": 0, "max": 1000, "transform": "linear"},
    "failure_demand": {"min": 0, "max": 0.5, "transform": "linear"},
}
WEIGHTS = {"reach": 1, "frequency": 1, "depth": 2, "cost": 1, "failure_demand": 1}


def hand_catalogue(*experiences: dict[str, Any], weights: dict[str, float] | None = None) -> Any:
    return load_dict(
        {
            "version": 1,
            "organisation": "Hand",
            "scoring": {"weights": weights or WEIGHTS, "scales": LINEAR_SCALES},
            "experiences": [
                {
                    "id": e["id"],
                    "name": e["id"].title(),
                    "level": e.get("level", "moment"),
                    "measures": e["m"],
                }
                for e in experiences
            ],
        }
    )


# Hand computation (normalised values in brackets, weights 1,1,2,1,1):
#   a: reach 100 (1), frequency 0 (0), depth 3 (.5), cost 200 (.2), failure demand .1 (.2)
#      customer (1 + 0 + 2*.5)/4 = 50; business (.2 + .2)/2 = 20; priority 2.4/6 = 40
#   b: reach 20 (.2), frequency 10 (1), depth 5 (1), cost 500 (.5), failure demand .5 (1)
#      customer (.2 + 1 + 2)/4 = 80; business (.5 + 1)/2 = 75; priority 4.7/6 = 78.33
#   c: no depth; reach 50 (.5), frequency 5 (.5), cost 1000 (1), failure demand 0 (0)
#      customer (.5 + .5)/2 = 50; business 50; priority 2/4 = 50, incomplete
A = {"id": "a", "m": {"reach": 100, "frequency": 0, "depth": 3, "cost": 200, "failure_demand": 0.1}}
B = {"id": "b", "m": {"reach": 20, "frequency": 10, "depth": 5, "cost": 500, "failure_demand": 0.5}}
C = {"id": "c", "m": {"reach": 50, "frequency": 5, "cost": 1000, "failure_demand": 0}}


def by_id(table: Any) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in table.to_dict(orient="records")}


def test_scores_match_the_hand_computation() -> None:
    rows = by_id(score(hand_catalogue(A, B, C).catalogue).table)
    assert rows["a"]["customer_value"] == pytest.approx(50)
    assert rows["a"]["business_value"] == pytest.approx(20)
    assert rows["a"]["priority"] == pytest.approx(40)
    assert rows["b"]["customer_value"] == pytest.approx(80)
    assert rows["b"]["business_value"] == pytest.approx(75)
    assert rows["b"]["priority"] == pytest.approx(470 / 6)


def test_a_missing_measure_renormalises_the_weights_and_marks_incomplete() -> None:
    rows = by_id(score(hand_catalogue(A, B, C).catalogue).table)
    assert rows["c"]["priority"] == pytest.approx(50)
    assert rows["c"]["customer_value"] == pytest.approx(50)
    assert rows["c"]["complete"] is False or not rows["c"]["complete"]
    assert rows["c"]["missing"] == "depth"
    assert rows["a"]["complete"] and rows["a"]["missing"] == ""


def test_rank_one_is_the_highest_priority() -> None:
    table = score(hand_catalogue(A, B, C).catalogue).table
    assert table["id"].tolist() == ["b", "c", "a"]
    assert table["rank"].tolist() == [1, 2, 3]


def test_ties_are_broken_by_id_whatever_the_file_order() -> None:
    twin = {"reach": 50, "frequency": 5, "depth": 3, "cost": 500, "failure_demand": 0.25}
    table = score(hand_catalogue({"id": "zeta", "m": twin}, {"id": "alpha", "m": dict(twin)}).catalogue).table
    assert table["id"].tolist() == ["alpha", "zeta"]


def test_log_scales_use_log10_between_min_and_max() -> None:
    loaded = load_dict(
        {
            "version": 1,
            "organisation": "Log",
            "scoring": {
                "weights": {"reach": 1, "frequency": 0, "depth": 0, "cost": 0, "failure_demand": 0},
                "scales": {"reach": {"min": 10, "max": 1000, "transform": "log"}},
            },
            "experiences": [{"id": "x", "name": "X", "level": "moment", "measures": {"reach": 100}}],
        }
    )
    assert score(loaded.catalogue).table["priority"].iloc[0] == pytest.approx(50)


def test_values_outside_the_scale_are_clamped_with_a_warning_naming_the_experience() -> None:
    loud = {
        "id": "loud",
        "m": {"reach": 250, "frequency": 5, "depth": 3, "cost": -0.0, "failure_demand": 0.2},
    }
    result = score(hand_catalogue(loud).catalogue)
    (warning,) = result.warnings
    assert warning.message.startswith("Loud:")  # by its name, "loud".title()
    assert "loud" not in warning.message and "reach 250 is above its scale" in warning.message
    assert warning.path == ("experiences", 0, "measures", "reach")
    norm = normalise(hand_catalogue(loud).catalogue)
    assert norm.normalised[0, 0] == 1.0


def test_clamp_warnings_are_located_in_the_file_when_loading() -> None:
    loaded = hand_catalogue({"id": "loud", "m": {"reach": 250}})
    clamped = [w for w in loaded.warnings if w.code == "measure-clamped"]
    assert len(clamped) == 1
    assert clamped[0].line is not None and clamped[0].file == "test.yaml"
    assert clamped[0].field == "experiences[0].measures.reach"


def test_weights_can_be_overridden_per_call() -> None:
    catalogue = hand_catalogue(A, B, C).catalogue
    depth_only = score(
        catalogue, weights={"reach": 0, "frequency": 0, "depth": 1, "cost": 0, "failure_demand": 0}
    )
    assert depth_only.table["id"].iloc[0] == "b"  # depth 5 is the deepest
    reach_only = score(
        catalogue, weights={"reach": 1, "frequency": 0, "depth": 0, "cost": 0, "failure_demand": 0}
    )
    assert reach_only.table["id"].iloc[0] == "a"  # reach 100 is the widest
    assert score(catalogue).weights == {k: float(v) for k, v in WEIGHTS.items()}


def test_a_group_with_all_zero_weights_falls_back_to_an_unweighted_mean() -> None:
    result = score(
        hand_catalogue(A).catalogue,
        weights={"reach": 0, "frequency": 0, "depth": 1, "cost": 0, "failure_demand": 0},
    )
    row = result.table.iloc[0]
    assert row["priority"] == pytest.approx(50)  # depth 3 -> .5
    assert row["business_value"] == pytest.approx(20)  # (.2 + .2)/2 still shown


def test_an_experience_with_no_weighted_measure_ranks_last_without_a_priority() -> None:
    weights = {"reach": 0, "frequency": 0, "depth": 1, "cost": 0, "failure_demand": 0}
    table = score(hand_catalogue(A, C).catalogue, weights=weights).table
    assert table["id"].tolist() == ["a", "c"]
    assert np.isnan(table["priority"].iloc[1])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"reech": 1}, "unknown measure"), ({"depth": -1}, "0 or more"), (dict.fromkeys(WEIGHTS, 0), "above 0")],
)
def test_bad_weight_overrides_are_usage_errors(overrides: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_weights(hand_catalogue(A).catalogue, overrides)


def test_ranking_does_not_loop_per_experience_when_reweighting() -> None:
    norm = normalise(hand_catalogue(A, B, C).catalogue)
    first = rank(norm, resolve_weights(norm.catalogue))
    again = rank(norm, resolve_weights(norm.catalogue))
    assert first.equals(again)
    assert norm.info is not first  # the table is a copy, the cached info is untouched
    assert "priority" not in norm.info


def spread_catalogue(n: int = 30) -> Any:
    rng = np.random.default_rng(7)
    experiences = [
        {
            "id": f"e{i:02d}",
            "m": {
                "reach": float(rng.uniform(0, 100)),
                "frequency": float(rng.uniform(0, 10)),
                "depth": float(rng.uniform(1, 5)),
                "cost": float(rng.uniform(0, 1000)),
                "failure_demand": float(rng.uniform(0, 0.5)),
            },
        }
        for i in range(n)
    ]
    return hand_catalogue(*experiences)


def test_robustness_is_deterministic_for_a_seed() -> None:
    norm = normalise(spread_catalogue().catalogue)
    weights = resolve_weights(norm.catalogue)
    first = robustness(norm, weights, draws=200, seed=3)
    assert first.equals(robustness(norm, weights, draws=200, seed=3))
    assert not first.equals(robustness(norm, weights, draws=200, seed=4))


def test_robustness_ranges_contain_the_chosen_rank_and_are_ordered() -> None:
    norm = normalise(spread_catalogue().catalogue)
    weights = resolve_weights(norm.catalogue)
    spread = robustness(norm, weights, draws=300, top_n=5).set_index("id")
    ranked = rank(norm, weights).set_index("id").reindex(spread.index)
    assert (spread["rank_p5"] <= spread["rank_p95"]).all()
    inside = (spread["rank_p5"] <= ranked["rank"]) & (ranked["rank"] <= spread["rank_p95"])
    assert inside.mean() > 0.9
    assert spread["stable_top_n"].sum() <= 5


def test_a_clear_leader_is_a_stable_top_n() -> None:
    top = {"id": "top", "m": {"reach": 100, "frequency": 10, "depth": 5, "cost": 1000, "failure_demand": 0.5}}
    low = {"id": "low", "m": {"reach": 1, "frequency": 0.1, "depth": 1, "cost": 1, "failure_demand": 0}}
    mid = {"id": "mid", "m": {"reach": 50, "frequency": 5, "depth": 3, "cost": 500, "failure_demand": 0.25}}
    norm = normalise(hand_catalogue(low, top, mid).catalogue)
    spread = robustness(norm, resolve_weights(norm.catalogue), top_n=1).set_index("id")
    assert spread.loc["top", "stable_top_n"]
    assert spread.loc["top", "rank_p95"] == 1
    assert not spread.loc["mid", "stable_top_n"]


def test_robustness_keeps_switched_off_weights_at_zero() -> None:
    norm = normalise(spread_catalogue().catalogue)
    depth_only = {"reach": 0.0, "frequency": 0.0, "depth": 1.0, "cost": 0.0, "failure_demand": 0.0}
    spread = robustness(norm, depth_only, draws=50, evidence=False).set_index("id")
    ranked = rank(norm, depth_only).set_index("id").reindex(spread.index)
    assert (spread["rank_p5"] == ranked["rank"]).all()  # one weight: nothing can wobble


def test_robustness_agrees_with_ranking_every_draw_one_by_one() -> None:
    # A generated catalogue has missing measures; the doubled experiences tie exactly.
    data = yaml.safe_load(generate_catalogue(experiences=120, teams=6, seed=4))
    moments = [e for e in data["experiences"] if e["level"] == "moment"][:40]
    data["experiences"] += [{**copy.deepcopy(e), "id": e["id"] + "-twin"} for e in moments]
    catalogue = load_dict(data).catalogue
    norm = normalise(catalogue)
    assert (~norm.present).any()
    weights = {**resolve_weights(catalogue), "frequency": 0.0}
    draws, top_n = 60, 15
    # Without evidence only the weights wobble: the ranges before evidence counted.
    spread = robustness(norm, weights, draws=draws, top_n=top_n, seed=9, evidence=False).set_index("id")

    vector = np.array([weights[m] for m in MEASURES])
    ranks = np.array(
        [
            rank(norm, dict(zip(MEASURES, drawn.tolist(), strict=True)))
            .set_index("id")["rank"]
            .reindex(spread.index)
            for drawn in _weight_draws(vector, draws, 50.0, 9)
        ]
    )
    low, high = np.percentile(ranks, [5, 95], axis=0, method="nearest")
    assert (spread["rank_p5"].to_numpy() == low).all()
    assert (spread["rank_p95"].to_numpy() == high).all()
    assert np.allclose(spread["top_n_share"], (ranks <= top_n).mean(axis=0))


@pytest.mark.parametrize("option", [{"draws": 0}, {"concentration": 0}, {"top_n": 0}])
def test_robustness_refuses_impossible_options(option: dict[str, float]) -> None:
    norm = normalise(spread_catalogue(5).catalogue)
    with pytest.raises(UsageError):
        robustness(norm, resolve_weights(norm.catalogue), **option)  # type: ignore[arg-type]


def test_catalogues_compare_by_content() -> None:
    first = hand_catalogue(A, B, C).catalogue
    assert first == hand_catalogue(A, B, C).catalogue
    assert first != hand_catalogue(A, B).catalogue


def test_the_columns_follow_the_file_order_and_mark_missing_measures() -> None:
    columns = hand_catalogue(A, B, C).catalogue.columns
    assert columns.id == ["a", "b", "c"]
    assert columns.level == ["moment"] * 3
    assert np.isnan(columns.measures[2, 2])  # c has no depth
    assert columns.measures[0, 0] == 100


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 10, 20, 39])
def test_the_default_stable_top_n_of_a_small_catalogue_leaves_most_of_it_out(count: int) -> None:
    top_n = default_top_n(count)
    assert top_n >= 1 and (top_n < count or count == 1)
    assert top_n <= count / 4 or top_n == 1  # at most a quarter, and never none


@pytest.mark.parametrize("count", [40, 46, 1000, 10_000])
def test_the_default_stable_top_n_of_a_catalogue_of_40_or_more_is_10(count: int) -> None:
    assert default_top_n(count) == 10


def test_weights_written_for_the_address_read_back_the_same() -> None:
    weights = {"reach": 0.4, "frequency": 0.1, "depth": 1 / 3, "cost": 0.0, "failure_demand": 2.5}
    text = format_weights(weights)
    assert (
        text.startswith("reach:0.40,frequency:0.10,depth:0.333") and ",cost:0.00,failure_demand:2.50" in text
    )
    assert parse_weights(text) == (weights, [])


def test_reading_weights_keeps_what_reads_well_and_notes_the_rest() -> None:
    weights, notes = parse_weights(
        " reach = 0.3 ,depht:0.2,cost:abc,failure_demand:-1,depth,frequency:inf,,reach:0.5"
    )
    assert weights == {"reach": 0.5}
    assert notes == [
        "'depht' is not a measure: did you mean depth?",
        "the weight of cost must be a number, not 'abc'",
        "the weight of failure_demand must be 0 or more, not '-1'",
        "'depth' is not measure:weight (such as depth:0.25)",
        "the weight of frequency must be 0 or more, not 'inf'",
        "reach is given more than once: the last one counts",
    ]


def test_a_measure_is_warned_about_exactly_when_its_score_is_clamped() -> None:
    """The warnings (plain Python, for validation) and the scores (numpy) agree: a value
    is said to lie outside its scale exactly when its position on the scale, worked out
    here by hand, falls below 0 or above 1."""
    import math
    import random

    from cxprio.method.scales import measure_warnings

    rng = random.Random(7)
    data = catalogue_dict()
    experiences = []
    for index in range(300):
        base = copy.deepcopy(data["experiences"][index % len(data["experiences"])])
        base["id"] = f"e{index}"
        base.pop("parent", None)
        base["level"] = "trigger"
        base.pop("steps", None)
        base.pop("decisions", None)
        base["measures"] = {
            "reach": rng.choice([0, 999, 1000, 1001, 5_000_000, 5_000_001, rng.uniform(0, 6e6)]),
            "frequency": rng.choice([0, 0.1, 0.0999, 52, 53, rng.uniform(0, 60)]),
            "depth": rng.choice([1, 5, 3]),
            "cost": rng.choice([9_999, 10_000, 20_000_000, 20_000_001, rng.uniform(0, 3e7)]),
            "failure_demand": rng.choice([0, 0.6, 0.61, 1, rng.uniform(0, 1)]),
        }
        experiences.append(base)
    data["experiences"] = experiences
    catalogue = parse_catalogue(dump(data)).catalogue
    warned = {(p.path[1], p.path[3]) for p in measure_warnings(catalogue) if p.code == "measure-clamped"}
    scales = catalogue.scoring.scales.as_dict()
    expected = set()
    for index, experience in enumerate(catalogue.experiences):
        for name in MEASURES:
            value, scale = getattr(experience.measures, name), scales[name]
            if scale.transform.value == "log":
                position = (
                    -math.inf if value <= 0 else math.log(value / scale.min) / math.log(scale.max / scale.min)
                )
            else:
                position = (value - scale.min) / (scale.max - scale.min)
            if position < -1e-12 or position > 1 + 1e-12:
                expected.add((index, name))
    assert warned == expected
    norm = normalise(catalogue)
    row_of = {int(index): row for row, index in enumerate(norm.order)}  # rows are in id order
    for index, name in warned:
        assert norm.normalised[row_of[index], MEASURES.index(name)] in (0.0, 1.0)
