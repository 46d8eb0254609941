"""Quarter on quarter (cxprio.method.compare): movement, risers and fallers with their reasons,
new and retired experiences, ambition and performance changes, and the finding for
performance that got worse where the ambition is high. Figures are written by hand."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest

from cxprio.catalogue.audit import AuditRow
from cxprio.method.compare import PERFORMANCE_WORSENED, compare, priority_over_quarters
from cxprio.store.versions import Store

from .conftest import SAMPLE, store_cli

EFFORT = {
    "name": "Effort",
    "kind": "perceive",
    "better": "lower",
    "unit": None,
    "target": None,
    "bad_share": None,
}


def experience(i: str, rank: int, priority: float, **more: Any) -> dict[str, Any]:
    return {
        "id": i, "name": i.title(), "level": "journey", "rank": rank, "priority": priority,
        "ambition": "competitive", "current": "competitive", "performance": [], **more,
    }  # fmt: skip


THEN = {
    "quarter": "2026-Q3",
    "seam_coverage": 0.5,
    "seams": 4,
    "unowned_seams": 2,
    "experiences": [
        experience(
            "a", 1, 90, ambition="distinct", performance=[{**EFFORT, "value": 3.0, "worst_tenth": 4.0}]
        ),
        experience("b", 2, 80),
        experience("c", 3, 70),
        experience("gone", 4, 60),
    ],
}
NOW = {
    "quarter": "2026-Q4",
    "seam_coverage": 0.75,
    "seams": 4,
    "unowned_seams": 1,
    "experiences": [
        experience("c", 1, 95, ambition="unique"),
        experience(
            "a", 2, 85, ambition="distinct", performance=[{**EFFORT, "value": 3.5, "worst_tenth": 4.0}]
        ),
        experience("b", 3, 75),
        experience("fresh", 4, 50),
    ],
}
WHEN = datetime(2026, 11, 1, tzinfo=UTC)
AUDIT = [
    AuditRow(2, WHEN, "ana", "edit", "new survey", "c", "measures.depth", "3", "5"),
    AuditRow(3, WHEN, "ben", "edit", "new survey", "c", "ambition", "competitive", "unique"),
    AuditRow(3, WHEN, "ben", "edit", "pricing review", "c", "measures.cost", "1", "2"),
]


def test_movement_risers_fallers_and_their_reasons() -> None:
    result = compare(THEN, NOW, AUDIT)
    moved = {r["id"]: (r["rank_then"], r["rank_now"], r["rise"]) for r in result.movement.to_dict("records")}
    assert moved == {"a": (1, 2, -1), "b": (2, 3, -1), "c": (3, 1, 2)}
    assert list(result.risers["id"]) == ["c"]
    assert result.risers["why"].iloc[0] == "new survey; pricing review"  # each reason once, in order
    assert list(result.fallers["id"]) == ["a", "b"]  # the same fall: the higher rank first


def test_new_retired_ambition_coverage_and_performance() -> None:
    result = compare(THEN, NOW)
    assert list(result.new["id"]) == ["fresh"] and list(result.retired["id"]) == ["gone"]
    assert result.ambition.to_dict("records") == [
        {"id": "c", "name": "C", "ambition_then": "competitive", "ambition_now": "unique",
         "current_then": "competitive", "current_now": "competitive"}
    ]  # fmt: skip
    coverage = {r["figure"]: (r["then"], r["now"]) for r in result.coverage.to_dict("records")}
    assert coverage["seam coverage"] == (0.5, 0.75) and coverage["unowned seams"] == (2, 1)
    [row] = result.performance.to_dict("records")
    assert (row["id"], row["value_then"], row["value_now"], row["worse"]) == ("a", 3.0, 3.5, True)
    [finding] = result.findings
    assert (finding.code, finding.experience) == (PERFORMANCE_WORSENED, "a")


def test_worse_performance_where_the_ambition_is_not_high_is_shown_but_no_finding() -> None:
    now = {
        **NOW,
        "experiences": [
            {**e, "ambition": "competitive"} if e["id"] == "a" else e for e in NOW["experiences"]
        ],
    }
    result = compare(THEN, now)
    assert bool(result.performance["worse"].iloc[0]) and result.findings == ()


def test_priority_over_all_quarters() -> None:
    table = priority_over_quarters({"2026-Q3": THEN, "2026-Q4": NOW})
    rows = {r["id"]: (r["2026-Q3"], r["2026-Q4"]) for r in table.to_dict("records")}
    assert (
        rows["a"] == (90, 85) and rows["fresh"][0] != rows["fresh"][0] and rows["gone"][1] != rows["gone"][1]
    )


@pytest.mark.postgresql_at_scale
def test_the_command_line_compares_two_quarters(store: Store) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return store_cli(store.url, *args)

    assert cli("snapshot", str(SAMPLE), "--quarter", "2026-Q3").returncode == 0
    assert cli("snapshot", "--quarter", "2026-Q4").returncode == 0
    text = cli("compare", "2026-Q3", "2026-Q4")
    assert text.returncode == 0 and text.stdout.startswith("2026-Q3 -> 2026-Q4")
    assert "Biggest risers:\n  none" in text.stdout  # the same version twice: nothing moved
    csv = cli("compare", "2026-Q3", "2026-Q4", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "id,name,rank_then,rank_now,rise,priority_then,priority_now,why"
    missing = cli("compare", "2026-Q1", "2026-Q4")
    assert missing.returncode == 2 and "the quarters with one: 2026-Q3, 2026-Q4" in missing.stderr
