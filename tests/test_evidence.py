"""Evidence: each value wobbles in the rank ranges by where it comes from (measured,
estimated, guess), and the top priorities resting on guesses are named and found.

The expected figures are computed here, independently: a plain per-draw loop that moves
every value by its own normal draw and ranks with Python's sort, and shares worked by hand.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from board.ranges import RankRanges
from board.show import how_sure
from cxprio import load_catalogue, parse_catalogue
from cxprio.catalogue.model import MEASURES
from cxprio.method.evidence import evidence_findings, guessed_share
from cxprio.method.findings import KINDS, Severity
from cxprio.method.scoring import normalise, ranking, robustness

from .conftest import SAMPLE, load_dict

SCALES = {
    "reach": {"min": 0, "max": 100, "transform": "linear"},
    "frequency": {"min": 0, "max": 10, "transform": "linear"},
    "depth": {"min": 1, "max": 5, "transform": "linear"},
    "cost": {"min": 0, "max": 1000, "transform": "linear"},
    "failure_demand": {"min": 0, "max": 0.5, "transform": "linear"},
}
WEIGHTS = {"reach": 1.0, "frequency": 1.0, "depth": 2.0, "cost": 1.0, "failure_demand": 1.0}
TRUST = {"measured": 0.02, "estimated": 0.06, "guess": 0.15}
"""The documented wobble of each kind (docs/catalogue.md), written here, not imported."""


def measures_at(value: float) -> dict[str, float]:
    """Every measure at ``value`` of the way along its scale (0..1)."""
    return {m: s["min"] + value * (s["max"] - s["min"]) for m, s in SCALES.items()}  # type: ignore[operator]


def catalogue(*experiences: dict[str, Any], weights: dict[str, float] | None = None) -> Any:
    return load_dict(
        {
            "version": 1,
            "organisation": "Evidence",
            "scoring": {"weights": weights or WEIGHTS, "scales": SCALES},
            "experiences": [
                {
                    "id": e["id"],
                    "name": e["id"].title(),
                    "level": "moment",
                    "measures": dict(e["m"]),  # copies: YAML would write a shared one as an alias
                    **({"evidence": dict(e["evidence"])} if "evidence" in e else {}),
                }
                for e in experiences
            ],
        }
    ).catalogue


ALL_MEASURED = dict.fromkeys(MEASURES, "measured")
LADDER = [{"id": f"e{i:02d}", "m": measures_at(i / 40), "evidence": ALL_MEASURED} for i in range(41)]
"""41 measured experiences, evenly spaced: whatever the weights, e40 is first and e00 last,
and only their values' wobble can move them (each one's measures all sit at one point of
their scales, so any weighted mean of them is that point)."""
BETWEEN = 0.5 + 1 / 80  # between e20 and e21


def slow_ranges(
    norm_catalogue: Any, weights: dict[str, float], draws: int, top_n: int, seed: int
) -> pd.DataFrame:
    """Rank ranges the slow, plain way: in each draw, weights from a Dirichlet around the
    chosen ones, every present value moved by its own normal draw of its kind's wobble,
    each priority a weighted mean, ranks from Python's sort (ties by id)."""
    rng = np.random.default_rng(seed)
    experiences = sorted(norm_catalogue.experiences, key=lambda e: e.id)
    ids = [e.id for e in experiences]
    values = np.array(
        [
            [
                np.nan
                if getattr(e.measures, m) is None
                else (getattr(e.measures, m) - SCALES[m]["min"]) / (SCALES[m]["max"] - SCALES[m]["min"])  # type: ignore[operator]
                for m in MEASURES
            ]
            for e in experiences
        ]
    )
    sigma = np.array([[TRUST[e.evidence.of(m).value] for m in MEASURES] for e in experiences])
    vector = np.array([weights[m] for m in MEASURES])
    active = vector > 0
    ranks = np.zeros((draws, len(ids)), dtype=int)
    for k in range(draws):
        w = np.zeros(len(MEASURES))
        w[active] = rng.dirichlet(50 * vector[active] / vector[active].sum())
        moved = values + rng.normal(0.0, sigma)  # five separate normals per experience
        priorities = []
        for row in range(len(ids)):
            present = ~np.isnan(moved[row])
            priorities.append(float((w * moved[row])[present].sum() / w[present].sum()))
        order = sorted(range(len(ids)), key=lambda r: (-priorities[r], ids[r]))
        for place, row in enumerate(order, start=1):
            ranks[k, row] = place
    low, high = np.percentile(ranks, [5, 95], axis=0, method="nearest")
    return pd.DataFrame(
        {"rank_p5": low, "rank_p95": high, "top_n_share": (ranks <= top_n).mean(axis=0)}, index=ids
    )


def width(frame: pd.DataFrame, experience: str) -> int:
    return int(frame.at[experience, "rank_p95"] - frame.at[experience, "rank_p5"])


@pytest.mark.parametrize("kind", ["measured", "estimated", "guess"])
def test_the_ranges_agree_with_a_slow_draw_by_draw_computation(kind: str) -> None:
    probe = {"id": "probe", "m": measures_at(BETWEEN), "evidence": dict.fromkeys(MEASURES, kind)}
    built = catalogue(*LADDER, probe)
    draws, top_n = 2000, 21
    fast = robustness(normalise(built), WEIGHTS, draws=draws, top_n=top_n, seed=5).set_index("id")
    slow = slow_ranges(built, WEIGHTS, draws, top_n, seed=11).reindex(fast.index)
    assert (fast["rank_p5"] - slow["rank_p5"]).abs().max() <= 1
    assert (fast["rank_p95"] - slow["rank_p95"]).abs().max() <= 1
    assert (fast["top_n_share"] - slow["top_n_share"]).abs().max() < 0.06


def test_the_ranges_widen_as_evidence_goes_from_measured_to_a_guess() -> None:
    widths = {}
    for kind in TRUST:
        probe = {"id": "probe", "m": measures_at(BETWEEN), "evidence": dict.fromkeys(MEASURES, kind)}
        built = catalogue(*LADDER, probe)
        fast = robustness(normalise(built), WEIGHTS, draws=1000, seed=2).set_index("id")
        slow = slow_ranges(built, WEIGHTS, 1000, 10, seed=3)
        widths[kind] = (width(fast, "probe"), width(slow, "probe"))
    # Worked: the probe's priority moves by about 0.45 x its wobble (five values, weights
    # 1, 1, 2, 1, 1), and the ladder's rungs are 1/40 apart: a 90 % range of about
    # 1, 4 and 10 rungs.
    assert widths["measured"][0] < widths["estimated"][0]
    assert widths["estimated"][0] + 3 <= widths["guess"][0]
    for fast_width, slow_width in widths.values():
        assert abs(fast_width - slow_width) <= 1


def test_a_guessed_experience_ranges_wider_than_a_measured_one_beside_it() -> None:
    guessed = {"id": "guessed", "m": measures_at(BETWEEN), "evidence": dict.fromkeys(MEASURES, "guess")}
    measured = {"id": "measured", "m": measures_at(BETWEEN), "evidence": ALL_MEASURED}
    built = catalogue(*LADDER, guessed, measured)
    fast = robustness(normalise(built), WEIGHTS, draws=1000, seed=1).set_index("id")
    slow = slow_ranges(built, WEIGHTS, 1000, 10, seed=4)
    for frame in (fast, slow):
        assert width(frame, "guessed") >= width(frame, "measured") + 4


def test_without_evidence_only_the_weights_wobble() -> None:
    probe = {"id": "probe", "m": measures_at(BETWEEN), "evidence": dict.fromkeys(MEASURES, "guess")}
    norm = normalise(catalogue(*LADDER, probe))
    still = robustness(norm, WEIGHTS, draws=200, evidence=False).set_index("id")
    # Each experience's measures sit at one point of their scales: weights cannot move it.
    assert (still["rank_p5"] == still["rank_p95"]).all()
    moving = robustness(norm, WEIGHTS, draws=200).set_index("id")
    assert width(moving, "probe") > 0
    assert moving.equals(robustness(norm, WEIGHTS, draws=200).set_index("id"))  # seeded


def test_a_measure_switched_off_never_wobbles() -> None:
    depth_only = {"reach": 0.0, "frequency": 0.0, "depth": 1.0, "cost": 0.0, "failure_demand": 0.0}
    others_guessed = {**dict.fromkeys(MEASURES, "guess"), "depth": "measured"}
    guessed = catalogue(*({**e, "evidence": others_guessed} for e in LADDER))
    measured = catalogue(*LADDER)
    assert robustness(normalise(guessed), depth_only, draws=300).equals(
        robustness(normalise(measured), depth_only, draws=300)
    )


# Hand computation (values on 0..1 in brackets, weights 1, 1, 2, 1, 1):
#   a: reach 100 (1), frequency 0 (0), depth 3 (.5), cost 200 (.2), failure demand .1 (.2)
#      reach and cost guessed: (1 + .2) / (1 + 0 + 1 + .2 + .2) = 1.2 / 2.4 = .5
#   b: reach 20 (.2), frequency 10 (1), depth 5 (1), cost 500 (.5), failure demand .5 (1)
#      frequency and depth guessed: (1 + 2) / (.2 + 1 + 2 + .5 + 1) = 3 / 4.7
#   c: no depth; reach 50 (.5), frequency 5 (.5), cost 1000 (1), failure demand 0 (0)
#      depth (missing) and failure demand (0) guessed: 0 / 2 = 0
#   d: every value 0 and guessed: no priority to come from anywhere, 0
HAND = (
    {
        "id": "a",
        "m": {"reach": 100, "frequency": 0, "depth": 3, "cost": 200, "failure_demand": 0.1},
        "evidence": {"reach": "guess", "cost": "guess"},
    },
    {
        "id": "b",
        "m": {"reach": 20, "frequency": 10, "depth": 5, "cost": 500, "failure_demand": 0.5},
        "evidence": {"frequency": "guess", "depth": "guess", "reach": "measured"},
    },
    {
        "id": "c",
        "m": {"reach": 50, "frequency": 5, "cost": 1000, "failure_demand": 0},
        "evidence": {"depth": "guess", "failure_demand": "guess"},
    },
    {
        "id": "d",
        "m": {"reach": 0, "frequency": 0, "depth": 1, "cost": 0, "failure_demand": 0},
        "evidence": dict.fromkeys(MEASURES, "guess"),
    },
)


def test_guessed_share_is_the_share_of_the_priority_from_guessed_values() -> None:
    norm = normalise(catalogue(*HAND))
    assert norm.ids == ("a", "b", "c", "d")
    assert guessed_share(norm, WEIGHTS) == pytest.approx([0.5, 3 / 4.7, 0.0, 0.0])
    # A guess whose weight is switched off brings nothing.
    assert guessed_share(norm, {**WEIGHTS, "depth": 0.0}) == pytest.approx([1.2 / 1.4, 1 / 2.7, 0.0, 0.0])


def ladder_with(evidence: dict[str, dict[str, str]]) -> Any:
    return catalogue(*({**e, "evidence": evidence.get(e["id"], ALL_MEASURED)} for e in LADDER))


def test_a_top_priority_resting_on_guesses_is_a_finding() -> None:
    # Ranks: e40 is #1, e39 #2, ... e36 #5; e30 is #11.
    built = ladder_with(
        {
            "e39": dict.fromkeys(MEASURES, "guess"),  # #2, all guessed: high
            "e37": {**ALL_MEASURED, "reach": "guess", "depth": "guess", "failure_demand": "guess"},  # 4 of 6
            "e36": {**ALL_MEASURED, "reach": "guess", "cost": "guess"},  # 2 of 6: rests on measurements
            "e30": dict.fromkeys(MEASURES, "guess"),  # below the top 5
        }
    )
    norm = normalise(built)
    findings = evidence_findings(norm, ranking(norm, WEIGHTS), WEIGHTS, top_n=5)
    assert [(f.code, f.experience, f.severity) for f in findings] == [
        ("GUESSED_TOP", "e39", Severity.HIGH),
        ("GUESSED_TOP", "e37", Severity.MEDIUM),
    ]
    assert findings[0].message == (
        "E39 is #2 and 100% of its priority comes from guessed reach, frequency, depth, cost and failure demand"
    )
    assert findings[1].message == (
        "E37 is #4 and 67% of its priority comes from guessed reach, depth and failure demand"
    )
    assert findings[0].risk == pytest.approx(100 * 39 / 40)  # its priority, at high severity
    assert findings[1].risk == pytest.approx(0.5 * 100 * 37 / 40)
    assert KINDS["GUESSED_TOP"].action == "Measure the guessed values before the room commits."
    assert evidence_findings(norm, ranking(norm, WEIGHTS), WEIGHTS, top_n=11)[-1].experience == "e30"


def test_how_sure_names_the_ranks_that_rest_on_guesses() -> None:
    names = ["Alpha", "Bravo", "Charlie", "Delta"]
    frame = pd.DataFrame(
        {
            "id": list("abcd"),
            "rank_p5": [1, 1, 2, 3],
            "rank_p95": [2, 3, 4, 4],
            "stable_top_n": [True] * 3 + [False],
        }
    )
    spread = RankRanges.of(frame)
    shown = np.array([1, 0, 2])  # b is #1, a #2, c #3
    guessed = np.array([0.8, 0.2, 0.51, 0.9])
    text = how_sure(names, shown, spread, 3, which=False, guessed=guessed)
    assert text == (
        "**How sure:** 3 of the top 3 stay in the top 3 under nearby weights and values; "
        "#2 Alpha and #3 Charlie rest on guesses: measure them before the room commits."
    )
    alone = how_sure(names, shown, spread, 3, guessed=np.array([0.1, 0.6, 0.5, 0.9]))
    assert alone.endswith(
        "; Delta could come in; #1 Bravo rests on guesses: measure it before the room commits."
    )
    assert "guesses" not in how_sure(names, shown, spread, 3, guessed=np.zeros(4))


def until_how_sure(app: AppTest, limit: float = 60.0) -> str:
    """Rerun the page until its rank ranges are in, and return its "How sure" sentence."""
    deadline = time.monotonic() + limit
    while True:
        said = [m.value for m in app.markdown if m.value.startswith("**How sure:**")]
        if said:
            return said[0]
        assert time.monotonic() < deadline, "the rank ranges never appeared"
        time.sleep(0.1)
        app.run()


@pytest.mark.parametrize("page", [None, "pages/priorities.py"])
def test_the_board_says_which_top_10_ranks_rest_on_guesses(
    board: Callable[..., AppTest], page: str | None
) -> None:
    # The sample: a first workshop guessed the reach, cost and failure demand of closing an
    # account after a death, ranked 8th under the catalogue's weights.
    app = board(page=page) if page else board()
    said = until_how_sure(app)
    assert said.endswith(
        "; #8 Close an account after a death rests on guesses: measure it before the room commits."
    )


def test_catalogues_that_differ_only_in_evidence_have_different_columns() -> None:
    guessed = catalogue(*({**e, "evidence": dict.fromkeys(MEASURES, "guess")} for e in LADDER[:3]))
    measured = catalogue(*LADDER[:3])
    assert guessed.columns != measured.columns
    assert (
        guessed.columns
        == catalogue(*({**e, "evidence": dict.fromkeys(MEASURES, "guess")} for e in LADDER[:3])).columns
    )
    assert (guessed.columns.evidence == 2).all() and (measured.columns.evidence == 0).all()


def test_the_score_command_lists_the_top_priorities_resting_on_guesses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cxprio.cli.main import main

    assert main(["score", str(SAMPLE), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["experience"]) for f in found] == [("GUESSED_TOP", "close-account-after-death")]
    assert main(["score", str(SAMPLE), "--top", "3"]) == 0
    said = capsys.readouterr().out
    assert "medium Top priority on guesses (risk 31): Close an account after a death is #8" in said
    assert "GUESSED_TOP" not in said  # the code is for machines: in the JSON


def test_the_workshop_pack_lists_them_with_the_priorities() -> None:
    from cxprio.outputs.report.html import html_report
    from cxprio.outputs.report.pack import gather
    from cxprio.outputs.report.workbook import workbook_tables

    workshop = gather(load_catalogue(SAMPLE))
    assert [f.experience for f in workshop.evidence] == ["close-account-after-death"]
    report = html_report(workshop).decode()
    assert "Top priorities resting on guesses" in report
    assert "Close an account after a death is #8 and" in report
    findings = workbook_tables(workshop)["Findings"]
    assert "Close an account after a death is #8 and" in " ".join(findings.astype(str).to_numpy().ravel())


def test_the_top_10_slide_names_what_rests_on_guesses() -> None:
    from pptx import Presentation

    from cxprio.outputs.report import build, gather

    workshop = gather(parse_catalogue(SAMPLE.read_bytes(), source="experiences.yaml"))
    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    texts = [shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame]
    assert any(
        "Resting on guesses (measure before committing): Close an account after a death." in t for t in texts
    )
