"""Quarter on quarter: what moved between two snapshots, and why.

:func:`compare` takes two snapshots' figures (:func:`cxprio.store.snapshots.freeze`) and the
audit trail between their versions, and returns the tables the quarter-on-quarter view
shows: every experience's rank then and now, the biggest risers and fallers with the
reasons recorded for their changes, new and retired experiences, ambition changes, seam
coverage then and now, performance then and now, and the findings of experiences that
aim high (Unique or Distinct) and performed worse. :func:`priority_over_quarters` gives
each experience's priority in every quarter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxprio.catalogue.audit import AuditRow
from cxprio.catalogue.model import Performance
from cxprio.method.findings import Finding, Severity

MOVERS = 10
"""Risers and fallers listed, each."""
AIMING_HIGH = ("unique", "distinct")

PERFORMANCE_WORSENED = "PERFORMANCE_WORSENED"


@dataclass(frozen=True)
class Comparison:
    """Two quarters side by side (see the module's text); every table is a DataFrame."""

    then: str
    now: str
    movement: pd.DataFrame  # id, name, rank_then, rank_now, rise, priority_then, priority_now
    risers: pd.DataFrame  # movement's biggest rises, with "why"
    fallers: pd.DataFrame  # and falls
    new: pd.DataFrame  # id, name, level, rank_now
    retired: pd.DataFrame  # id, name, level, rank_then
    ambition: pd.DataFrame  # id, name, ambition_then, ambition_now, current_then, current_now
    coverage: pd.DataFrame  # figure, then, now
    performance: pd.DataFrame  # id, name, measure, kind, better, value_then, value_now, ..., worse
    findings: tuple[Finding, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by a file name, for CSV downloads."""
        return {
            "movement.csv": self.movement,
            "risers.csv": self.risers,
            "fallers.csv": self.fallers,
            "new.csv": self.new,
            "retired.csv": self.retired,
            "ambition-changes.csv": self.ambition,
            "coverage.csv": self.coverage,
            "performance.csv": self.performance,
        }


def _reasons(audit: Sequence[AuditRow]) -> dict[str, str]:
    """Experience id -> the reasons recorded for its changes, in order, each once."""
    reasons: dict[str, list[str]] = {}
    for row in audit:
        if row.experience is None or not row.rationale:
            continue
        said = reasons.setdefault(row.experience, [])
        if row.rationale not in said:
            said.append(row.rationale)
    return {experience: "; ".join(said) for experience, said in reasons.items()}


def compare(
    then: Mapping[str, Any], now: Mapping[str, Any], audit: Sequence[AuditRow] = (), *, movers: int = MOVERS
) -> Comparison:
    """The two snapshots' figures compared; ``audit``: the changes made between their
    versions (their reasons explain the movers)."""
    before = {e["id"]: e for e in then["experiences"]}
    after = {e["id"]: e for e in now["experiences"]}
    both = [i for i in after if i in before]
    why = _reasons(audit)
    movement = pd.DataFrame(
        [
            {
                "id": i,
                "name": after[i]["name"],
                "rank_then": before[i]["rank"],
                "rank_now": after[i]["rank"],
                "rise": before[i]["rank"] - after[i]["rank"],
                "priority_then": round(before[i]["priority"], 1),
                "priority_now": round(after[i]["priority"], 1),
                "why": why.get(i, ""),
            }
            for i in both
        ],
        columns=["id", "name", "rank_then", "rank_now", "rise", "priority_then", "priority_now", "why"],
    ).sort_values(["rank_now", "id"], kind="stable", ignore_index=True)
    moved = movement[movement["rise"] != 0]
    risers = moved[moved["rise"] > 0].sort_values(["rise", "rank_now"], ascending=[False, True]).head(movers)
    fallers = moved[moved["rise"] < 0].sort_values(["rise", "rank_now"], ascending=[True, True]).head(movers)
    new = pd.DataFrame(
        [
            {"id": i, "name": e["name"], "level": e["level"], "rank_now": e["rank"]}
            for i, e in after.items()
            if i not in before
        ],
        columns=["id", "name", "level", "rank_now"],
    )
    retired = pd.DataFrame(
        [
            {"id": i, "name": e["name"], "level": e["level"], "rank_then": e["rank"]}
            for i, e in before.items()
            if i not in after
        ],
        columns=["id", "name", "level", "rank_then"],
    )
    ambition = pd.DataFrame(
        [
            {
                "id": i,
                "name": after[i]["name"],
                "ambition_then": before[i]["ambition"],
                "ambition_now": after[i]["ambition"],
                "current_then": before[i]["current"],
                "current_now": after[i]["current"],
            }
            for i in both
            if (before[i]["ambition"], before[i]["current"]) != (after[i]["ambition"], after[i]["current"])
        ],
        columns=["id", "name", "ambition_then", "ambition_now", "current_then", "current_now"],
    )
    coverage = pd.DataFrame(
        [
            {"figure": "seam coverage", "then": then.get("seam_coverage"), "now": now.get("seam_coverage")},
            {"figure": "seams", "then": then.get("seams"), "now": now.get("seams")},
            {"figure": "unowned seams", "then": then.get("unowned_seams"), "now": now.get("unowned_seams")},
        ],
        columns=["figure", "then", "now"],
    )
    rows, findings = _performance(before, after, both)
    performance = pd.DataFrame(
        rows,
        columns=[
            "id", "name", "measure", "kind", "better", "value_then", "value_now",
            "how_bad_then", "how_bad_now", "target", "worse",
        ],
    )  # fmt: skip
    return Comparison(
        str(then.get("quarter", "")),
        str(now.get("quarter", "")),
        movement,
        risers.reset_index(drop=True),
        fallers.reset_index(drop=True),
        new,
        retired,
        ambition,
        coverage,
        performance,
        tuple(findings),
    )


def _performance(
    before: Mapping[str, Any], after: Mapping[str, Any], both: Sequence[str]
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Each performance measure found in both quarters (by name), and a finding for each
    that got worse where the experience aims high (its ambition now Unique or Distinct)."""
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for i in both:
        earlier = {p["name"]: Performance.model_validate(p) for p in before[i].get("performance", [])}
        for raw in after[i].get("performance", []):
            measure = Performance.model_validate(raw)
            previous = earlier.get(measure.name)
            if previous is None:
                continue
            worse = measure.worse_than(previous)
            rows.append(
                {
                    "id": i,
                    "name": after[i]["name"],
                    "measure": measure.name,
                    "kind": measure.kind,
                    "better": measure.better,
                    "value_then": previous.value,
                    "value_now": measure.value,
                    "how_bad_then": previous.worst_tenth
                    if previous.worst_tenth is not None
                    else previous.bad_share,
                    "how_bad_now": measure.worst_tenth
                    if measure.worst_tenth is not None
                    else measure.bad_share,
                    "target": measure.target,
                    "worse": worse,
                }
            )
            if worse and after[i]["ambition"] in AIMING_HIGH:
                findings.append(
                    Finding(
                        code=PERFORMANCE_WORSENED,
                        severity=Severity.HIGH,
                        message=(
                            f"{after[i]['name']}: {measure.name} got worse ({previous.value:g} -> "
                            f"{measure.value:g}) while the ambition is {str(after[i]['ambition']).capitalize()}; "
                            "find out why before the next quarter"
                        ),
                        experience=i,
                        risk=float(after[i]["priority"]),
                    )
                )
    return rows, sorted(findings, key=lambda f: -f.risk)


def priority_over_quarters(quarters: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Each experience's priority in every quarter: one row per experience (id, name as
    most recently known), one column per quarter, empty where it was not in the catalogue."""
    names: dict[str, str] = {}
    values: dict[str, dict[str, float]] = {}
    for label, figures in quarters.items():
        for e in figures["experiences"]:
            names[e["id"]] = e["name"]
            values.setdefault(e["id"], {})[label] = round(e["priority"], 1)
    table = pd.DataFrame(
        [{"id": i, "name": names[i], **values[i]} for i in names], columns=["id", "name", *quarters]
    )
    return table
