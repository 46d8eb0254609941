"""Each ambition finding appears where it should and not on a clean portfolio."""

from __future__ import annotations

from typing import Any

from cxprio.catalogue.model import Tier
from cxprio.method.ambition import check_ambition, delivery_gap, tier_shares
from cxprio.method.scoring import score

from .conftest import load_dict

TIERS = ["unique", "distinct", "competitive", "competitive", "uncompetitive"]


def portfolio(ambitions: list[str | None], currents: list[str | None] | None = None, **limits: Any) -> Any:
    """Experiences e0..eN with falling priority (e0 highest), given ambitions and currents."""
    currents = currents or [None] * len(ambitions)
    experiences = []
    for i, (ambition, current) in enumerate(zip(ambitions, currents, strict=True)):
        experience: dict[str, Any] = {
            "id": f"e{i}",
            "name": f"Experience {i}",
            "level": "moment",
            "measures": {
                "reach": 1_000_000 // (i + 1),
                "frequency": 1,
                "depth": 3,
                "cost": 100_000,
                "failure_demand": 0.1,
            },
        }
        if ambition:
            experience["ambition"] = ambition
        if current:
            experience["current"] = current
        experiences.append(experience)
    data: dict[str, Any] = {"version": 1, "organisation": "Amb", "experiences": experiences}
    if limits:
        data["ambition"] = {"limits": limits}
    return load_dict(data).catalogue


def codes(catalogue: Any) -> dict[str, list[str | None]]:
    report = check_ambition(catalogue, score(catalogue))
    found: dict[str, list[str | None]] = {}
    for finding in report.findings:
        found.setdefault(finding.code, []).append(finding.experience)
    return found


CLEAN = ["unique"] + ["distinct"] * 2 + ["competitive"] * 5 + ["uncompetitive"] * 2


def test_a_balanced_portfolio_has_no_findings() -> None:
    assert codes(portfolio(CLEAN, CLEAN, unique=0.1, distinct=0.2)) == {}


def test_tier_counts_and_shares_are_of_experiences_with_an_ambition() -> None:
    shares = {s.tier: s for s in tier_shares(portfolio([*CLEAN, None]))}
    assert shares[Tier.COMPETITIVE].count == 5
    assert shares[Tier.COMPETITIVE].share == 0.5
    assert shares[Tier.UNIQUE].limit == 0.10


def test_a_tier_over_its_limit_is_reported() -> None:
    found = codes(portfolio(["unique", "unique", *CLEAN[1:]]))
    assert "TIER_OVER_LIMIT" in found
    assert "TIER_OVER_LIMIT" not in codes(portfolio(CLEAN, unique=0.1, distinct=0.2))


def test_nothing_uncompetitive_is_reported() -> None:
    assert "NO_UNCOMPETITIVE" in codes(portfolio(["distinct", "competitive", "competitive", "competitive"]))
    assert "NO_UNCOMPETITIVE" not in codes(portfolio(CLEAN))


def test_a_top_quarter_experience_marked_uncompetitive_is_reported() -> None:
    ambitions = ["uncompetitive", *CLEAN[1:-1], "unique"]
    found = codes(portfolio(ambitions))
    assert found["UNCOMPETITIVE_HIGH_PRIORITY"] == ["e0"]
    assert "UNCOMPETITIVE_HIGH_PRIORITY" not in codes(portfolio(CLEAN))


def test_a_bottom_half_experience_marked_unique_is_reported() -> None:
    ambitions = ["competitive", *CLEAN[1:-1], "unique"]
    assert codes(portfolio(ambitions))["UNIQUE_LOW_PRIORITY"] == ["e9"]
    assert "UNIQUE_LOW_PRIORITY" not in codes(portfolio(CLEAN))


def test_under_and_over_delivering_are_reported_with_their_gap() -> None:
    currents = [
        "competitive",
        *CLEAN[1:-1],
        "competitive",
    ]  # e0 Unique->Competitive, e9 Uncompetitive->Competitive
    catalogue = portfolio(CLEAN, currents)
    report = check_ambition(catalogue, score(catalogue))
    under = [f for f in report.findings if f.code == "UNDER_DELIVERING"]
    over = [f for f in report.findings if f.code == "OVER_DELIVERING"]
    assert [f.experience for f in under] == ["e0"] and under[0].severity.value == "high"
    assert [f.experience for f in over] == ["e9"] and over[0].severity.value == "low"
    gaps = delivery_gap(catalogue).set_index("id")["gap"]
    assert gaps["e0"] == 2 and gaps["e9"] == -1 and gaps["e1"] == 0


def test_an_experience_without_ambition_is_reported() -> None:
    assert codes(portfolio([*CLEAN, None]))["AMBITION_MISSING"] == ["e10"]


def test_findings_are_ordered_most_severe_first() -> None:
    catalogue = portfolio(["uncompetitive", "unique", "unique", None])
    severities = [f.severity.order for f in check_ambition(catalogue, score(catalogue)).findings]
    assert severities == sorted(severities)


def test_the_report_serialises_to_json_shapes() -> None:
    catalogue = portfolio(CLEAN)
    data = check_ambition(catalogue, score(catalogue)).as_dict()
    assert set(data) >= {"findings", "tiers"}
    assert [t["tier"] for t in data["tiers"]] == [t.value for t in Tier]  # type: ignore[union-attr]
