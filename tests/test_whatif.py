"""What-if: the weight nearest to today's that moves an experience across the top-N line,
checked against a brute-force scan of the sliders' grid through the public scoring."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from cxprio import UsageError, parse_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.model import MEASURES, Catalogue
from cxprio.method.scoring import normalise, score
from cxprio.method.whatif import slider_top, weight_grid, what_if

from .conftest import ROOT, SAMPLE, catalogue_dict, dump

Answer = tuple[float | None, int | None]  # the weight needed and the rank it gives


def grid_by_hand(top: float) -> list[float]:
    """0, 0.05, ... up to ``top``, counted in exact decimals."""
    values, step = [], Decimal("0.05")
    while step * len(values) <= Decimal(str(top)):
        values.append(float(step * len(values)))
    return values


def scan(catalogue: Catalogue, weights: dict[str, float], top_n: int) -> dict[str, dict[str, Answer]]:
    """Every experience's answer per measure, found by scoring the whole catalogue with
    :func:`cxprio.method.scoring.score` at every grid point and reading the ranks from its
    table: the nearest crossing weight in exact decimals, the smaller one on a tie."""
    own = catalogue.scoring.weights.as_dict()
    grid = grid_by_hand(max([1.0, *own.values()]))
    today = score(catalogue, weights=weights).table.set_index("id")["rank"].to_dict()
    ranks: dict[tuple[str, float], dict[str, int]] = {}
    for measure in MEASURES:
        for value in grid:
            try:
                table = score(catalogue, weights=weights | {measure: value}).table
            except UsageError:  # every weight 0: no ranking
                continue
            ranks[measure, value] = table.set_index("id")["rank"].to_dict()
    answers: dict[str, dict[str, Answer]] = {}
    for experience, rank in today.items():
        inside = rank <= top_n
        answers[experience] = {}
        for measure in MEASURES:
            crossing = [
                value
                for value in grid
                if (measure, value) in ranks
                and Decimal(str(value)) != Decimal(str(weights[measure]))
                and (ranks[measure, value][experience] <= top_n) != inside
            ]
            if not crossing:
                answers[experience][measure] = (None, None)
                continue
            nearest = min(crossing, key=lambda v: (abs(Decimal(str(v)) - Decimal(str(weights[measure]))), v))
            answers[experience][measure] = (nearest, ranks[measure, nearest][experience])
    return answers


def answers_of(catalogue: Catalogue, weights: dict[str, float], top_n: int) -> dict[str, dict[str, Answer]]:
    norm = normalise(catalogue)
    found = {}
    for experience in norm.ids:
        result = what_if(norm, weights, experience, top_n=top_n)
        found[experience] = {move.measure: (move.needed, move.rank) for move in result.moves}
    return found


@functools.cache
def sample() -> Catalogue:
    return parse_catalogue(SAMPLE.read_text(encoding="utf-8")).catalogue


@functools.cache
def generated_with_ties() -> Catalogue:
    """300 generated experiences, every tenth given the measures of the one before it, so
    pairs tie under every weighting; a reach weight of 1.5 takes the sliders past 1."""
    data = yaml.safe_load(generate_catalogue(experiences=300, seed=11))
    experiences = data["experiences"]
    for i in range(10, len(experiences), 10):
        for field in ("measures", "evidence"):
            if field in experiences[i - 1]:
                experiences[i][field] = dict(experiences[i - 1][field])  # a copy: YAML anchors are refused
            else:
                experiences[i].pop(field, None)
    data["scoring"] = {
        "weights": {"reach": 1.5, "frequency": 0.3, "depth": 0.5, "cost": 0.2, "failure_demand": 0.4}
    }
    return parse_catalogue(dump(data)).catalogue


@pytest.mark.parametrize("top_n", [10, 4])
@pytest.mark.parametrize("changes", [{}, {"depth": 0.6, "cost": 0.0}])
def test_what_if_finds_the_scans_move_for_every_experience_of_the_sample(
    top_n: int, changes: dict[str, float]
) -> None:
    weights = sample().scoring.weights.as_dict() | changes
    expected = scan(sample(), weights, top_n)
    assert answers_of(sample(), weights, top_n) == expected
    moved = [a for per in expected.values() for a in per.values() if a[0] is not None]
    assert len(moved) > 20  # the scan found moves to compare, not only nones


@pytest.mark.parametrize("top_n", [10, 40])
def test_what_if_finds_the_scans_move_on_a_generated_catalogue_with_ties(top_n: int) -> None:
    catalogue = generated_with_ties()
    weights = catalogue.scoring.weights.as_dict()
    expected = scan(catalogue, weights, top_n)
    assert answers_of(catalogue, weights, top_n) == expected
    assert sum(a[0] is not None for per in expected.values() for a in per.values()) > 50


def test_tied_experiences_are_ranked_by_id_as_the_ranking_ranks_them() -> None:
    catalogue = generated_with_ties()
    weights = catalogue.scoring.weights.as_dict()
    table = score(catalogue).table.set_index("id")
    norm = normalise(catalogue)
    twins = [
        (e.id, catalogue.experiences[i - 1].id)
        for i, e in enumerate(catalogue.experiences)
        if i and i % 10 == 0
    ]
    for twin, original in twins:
        assert table.loc[twin, "priority"] == table.loc[original, "priority"]
        for experience in (twin, original):
            assert what_if(norm, weights, experience).rank == table.loc[experience, "rank"]


def test_the_first_ranked_experience_far_ahead_has_no_move_out_of_the_top_10() -> None:
    norm = normalise(sample())
    first = score(sample()).table["id"].iloc[0]
    result = what_if(norm, sample().scoring.weights.as_dict(), first)
    assert (result.rank, result.inside) == (1, True)
    assert [m.needed for m in result.moves] == [None] * len(MEASURES)
    assert all(move["needed"] is None and move["rank"] is None for move in result.as_dict()["moves"])


def test_a_weighting_of_nothing_but_zeros_is_never_a_move() -> None:
    # Reach alone counts; a reach of 0 would rank nothing, and then by id alone "aaa"
    # would come first: that is no move into the top 1.
    data = catalogue_dict(scoring={"weights": dict.fromkeys(MEASURES, 0.0) | {"reach": 1.0}})
    data["experiences"][2]["id"] = "aaa-final-reading"
    data["experiences"][2]["measures"]["reach"] = 1000
    catalogue = parse_catalogue(dump(data)).catalogue
    result = what_if(normalise(catalogue), catalogue.scoring.weights.as_dict(), "aaa-final-reading", top_n=1)
    assert not result.inside
    reach = next(m for m in result.moves if m.measure == "reach")
    assert reach.needed is None


def test_today_s_weight_is_never_a_move() -> None:
    weights = sample().scoring.weights.as_dict()
    norm = normalise(sample())
    for experience in norm.ids:
        for move in what_if(norm, weights, experience).moves:
            assert move.needed != move.weight


def test_at_equal_distance_the_smaller_weight_is_chosen() -> None:
    # Under these weights, failure demand at 0.15 and at 0.25 (both 0.05 from 0.20) each
    # take "recover-arrears" into the top 10: the smaller one is the answer.
    weights = sample().scoring.weights.as_dict() | {"depth": 0.6, "cost": 0.0}
    assert weights["failure_demand"] == 0.2

    def rank_at(value: float) -> int:
        table = score(sample(), weights=weights | {"failure_demand": value}).table
        return int(table.set_index("id").loc["recover-arrears", "rank"])

    assert rank_at(0.2) > 10 and rank_at(0.15) <= 10 and rank_at(0.25) <= 10
    result = what_if(normalise(sample()), weights, "recover-arrears")
    move = next(m for m in result.moves if m.measure == "failure_demand")
    assert (move.needed, move.rank) == (0.15, rank_at(0.15))


def test_an_unknown_experience_is_a_usage_error_naming_it_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"no experience with id 'moving-hom' .*did you mean 'moving-home'"):
        what_if(normalise(sample()), sample().scoring.weights.as_dict(), "moving-hom")


def test_a_top_below_one_is_a_usage_error() -> None:
    norm = normalise(sample())
    with pytest.raises(UsageError, match="at least 1"):
        what_if(norm, sample().scoring.weights.as_dict(), norm.ids[0], top_n=0)


def test_the_grid_is_the_sliders_steps_up_to_their_top() -> None:
    assert weight_grid(1.0) == tuple(i / 20 for i in range(21))
    assert weight_grid(1.0)[7] == 0.35
    assert weight_grid(1.33)[-1] == 1.3
    assert slider_top({"reach": 0.2, "depth": 0.4}) == 1.0
    assert slider_top({"reach": 3.0, "depth": 0.4}) == 3.0


def test_the_json_form_has_the_documented_keys() -> None:
    norm = normalise(sample())
    data = what_if(norm, sample().scoring.weights.as_dict(), norm.ids[0]).as_dict()
    assert list(data) == ["experience", "rank", "top", "inside", "weights", "moves"]
    assert [m["measure"] for m in data["moves"]] == list(MEASURES)
    assert all(list(m) == ["measure", "weight", "needed", "rank"] for m in data["moves"])
    json.dumps(data)  # plain JSON types only


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cxprio ARGS`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cxprio", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_the_command_says_where_the_experience_stands_and_each_measures_move_in_words() -> None:
    result = run("whatif", "--experience", "recover-arrears", "--weights", "depth:0.6,cost:0")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Weights: reach:0.25,frequency:0.15,depth:0.60,cost:0.00,failure_demand:0.20"
    assert lines[2].startswith("Recover arrears is #") and lines[2].endswith(", outside the top 10.")
    assert "  Failure demand at 0.15 instead of 0.20 puts it at #10" in lines
    assert len(lines) == 3 + len(MEASURES)


def test_the_command_s_json_is_the_module_s_answer_with_its_weights(tmp_path: Path) -> None:
    out = tmp_path / "whatif.json"
    result = run(
        "whatif", "--experience", "query-a-bill", "--top", "7", "--format", "json", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    weights = sample().scoring.weights.as_dict()
    assert (
        json.loads(out.read_text())
        == what_if(normalise(sample()), weights, "query-a-bill", top_n=7).as_dict()
    )


def test_the_command_names_an_unknown_experience_and_exits_2() -> None:
    result = run("whatif", "--experience", "moving-hom")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "python -m cxprio whatif: error: no experience with id 'moving-hom'" in result.stderr
    assert "did you mean 'moving-home'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--experience", "moving-home", "--top", "0"], "expected 1 or more"),
        ([], "--experience"),
        (
            [
                "--experience",
                "moving-home",
                "--weights",
                "reach:0,frequency:0,depth:0,cost:0,failure_demand:0",
            ],
            "above 0",
        ),
    ],
)
def test_the_command_refuses_what_it_cannot_answer_with_exit_2(args: list[str], said: str) -> None:
    result = run("whatif", *args)
    assert result.returncode == 2
    assert said in result.stderr


@pytest.mark.parametrize("unknown", ["", "0", "zzzz-past-the-last-id"])
def test_an_id_before_the_first_or_after_the_last_is_unknown_too(unknown: str) -> None:
    with pytest.raises(UsageError, match="no experience with id"):
        what_if(normalise(sample()), sample().scoring.weights.as_dict(), unknown)
