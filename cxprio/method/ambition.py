"""Ambition checks: is the portfolio of Unique / Distinct / Competitive / Uncompetitive
choices a real choice, and does it fit the priorities?

Findings (code: severity):

* ``TIER_OVER_LIMIT`` (medium): a tier holds a larger share of the experiences with an
  ambition than ``ambition.limits`` allows (by default Unique 10 %, Distinct 25 %).
* ``NO_UNCOMPETITIVE`` (medium): nothing is chosen as Uncompetitive; choosing where to
  be merely adequate is the point of the exercise.
* ``UNCOMPETITIVE_HIGH_PRIORITY`` (high): an experience in the top quarter of priorities
  (rank <= ceil(n / 4)) is marked Uncompetitive.
* ``UNIQUE_LOW_PRIORITY`` (medium): an experience in the bottom half of priorities
  (rank > ceil(n / 2)) is marked Unique.
* ``UNDER_DELIVERING`` (high when two or more tiers short, else medium): ``current`` is
  below ``ambition``: a case to invest.
* ``OVER_DELIVERING`` (low): ``current`` is above ``ambition``: spending where customers
  gain little, a candidate for savings.
* ``AMBITION_MISSING`` (medium): no ambition chosen.

Quartiles count only experiences with a priority (at least one weighted measure).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from cxprio.catalogue.model import Catalogue, Tier
from cxprio.method.findings import Finding, Severity
from cxprio.method.scoring import Scores


@dataclass(frozen=True, slots=True)
class TierShare:
    """How many experiences chose a tier, and whether that fits its limit."""

    tier: Tier
    count: int
    share: float
    limit: float | None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.share > self.limit + 1e-12

    def as_dict(self) -> dict[str, object]:
        return {
            "tier": self.tier.value,
            "count": self.count,
            "share": round(self.share, 4),
            "limit": self.limit,
            "over_limit": self.over_limit,
        }


@dataclass(frozen=True, slots=True)
class AmbitionReport:
    tiers: tuple[TierShare, ...]
    findings: tuple[Finding, ...]
    with_ambition: int
    total: int

    def as_dict(self) -> dict[str, object]:
        return {
            "tiers": [t.as_dict() for t in self.tiers],
            "with_ambition": self.with_ambition,
            "total": self.total,
            "findings": [f.as_dict() for f in self.findings],
        }


def tier_shares(catalogue: Catalogue) -> tuple[TierShare, ...]:
    """Count and share of each tier among the experiences that have an ambition."""
    chosen = [e.ambition for e in catalogue.experiences if e.ambition is not None]
    limits = catalogue.ambition.limits
    return tuple(
        TierShare(
            tier=tier,
            count=chosen.count(tier),
            share=chosen.count(tier) / len(chosen) if chosen else 0.0,
            limit=limits.for_tier(tier),
        )
        for tier in Tier
    )


def check_ambition(catalogue: Catalogue, scores: Scores) -> AmbitionReport:
    """Every ambition finding for the portfolio and each experience, most severe first."""
    tiers = tier_shares(catalogue)
    findings: list[Finding] = []
    for share in tiers:
        if share.over_limit:
            assert share.limit is not None
            findings.append(
                Finding(
                    "TIER_OVER_LIMIT",
                    Severity.MEDIUM,
                    f"{share.tier.label} holds {share.count} experiences ({share.share:.0%}), "
                    f"above the limit of {share.limit:.0%}: not everything can be "
                    f"{share.tier.label}; move the weakest cases down a tier",
                )
            )
    with_ambition = sum(s.count for s in tiers)
    if with_ambition and not any(s.count for s in tiers if s.tier is Tier.UNCOMPETITIVE):
        findings.append(
            Finding(
                "NO_UNCOMPETITIVE",
                Severity.MEDIUM,
                "nothing is chosen as Uncompetitive: decide where it is fine to be less "
                "good than competitors, and spend the savings where it matters",
            )
        )
    findings += _priority_fit(scores.table)
    findings += _delivery_gaps(catalogue)
    findings.sort(key=lambda f: (f.severity.order, f.code, f.experience or ""))
    return AmbitionReport(tiers, tuple(findings), with_ambition, len(catalogue.experiences))


def _priority_fit(table: pd.DataFrame) -> list[Finding]:
    ranked = table[table["priority"].notna()]
    n = len(ranked)
    if n == 0:
        return []
    top_quarter = math.ceil(n / 4)
    top_half = math.ceil(n / 2)
    findings = []
    rows = zip(
        ranked["id"].tolist(),
        ranked["name"].tolist(),
        ranked["ambition"].tolist(),
        ranked["rank"].tolist(),
        strict=True,
    )
    uncompetitive, unique = Tier.UNCOMPETITIVE.value, Tier.UNIQUE.value
    for experience_id, name, ambition, rank in rows:
        if ambition == uncompetitive and rank <= top_quarter:
            findings.append(
                Finding(
                    "UNCOMPETITIVE_HIGH_PRIORITY",
                    Severity.HIGH,
                    f"{name} is rank {rank} of {n} (top quarter) but marked "
                    "Uncompetitive: confirm the choice or raise the ambition",
                    experience=experience_id,
                )
            )
        if ambition == unique and rank > top_half:
            findings.append(
                Finding(
                    "UNIQUE_LOW_PRIORITY",
                    Severity.MEDIUM,
                    f"{name} is rank {rank} of {n} (bottom half) but marked Unique: "
                    "is this where only you can win?",
                    experience=experience_id,
                )
            )
    return findings


def _delivery_gaps(catalogue: Catalogue) -> list[Finding]:
    findings = []
    for experience in catalogue.experiences:
        target, today = experience.ambition, experience.current
        if target is None:
            findings.append(
                Finding(
                    "AMBITION_MISSING",
                    Severity.MEDIUM,
                    f"{experience.name} has no ambition: choose Unique, Distinct, "
                    "Competitive or Uncompetitive",
                    experience=experience.id,
                )
            )
            continue
        if today is None:
            continue
        gap = target.strength - today.strength
        if gap > 0:
            findings.append(
                Finding(
                    "UNDER_DELIVERING",
                    Severity.HIGH if gap >= 2 else Severity.MEDIUM,
                    f"{experience.name} aims to be {target.label} but is {today.label} today "
                    f"({gap} tier{'s' if gap > 1 else ''} short): a case to invest",
                    experience=experience.id,
                )
            )
        elif gap < 0:
            findings.append(
                Finding(
                    "OVER_DELIVERING",
                    Severity.LOW,
                    f"{experience.name} is {today.label} today but only aims to be "
                    f"{target.label}: spending here buys little, a candidate for savings",
                    experience=experience.id,
                )
            )
    return findings


def delivery_gap(catalogue: Catalogue) -> pd.DataFrame:
    """Target against current tier per experience: ``gap`` > 0 under-delivers, < 0 over-delivers."""
    rows = [
        {
            "id": e.id,
            "name": e.name,
            "ambition": e.ambition.value,
            "current": e.current.value,
            "gap": e.ambition.strength - e.current.strength,
        }
        for e in catalogue.experiences
        if e.ambition is not None and e.current is not None
    ]
    return pd.DataFrame(rows, columns=["id", "name", "ambition", "current", "gap"])


def worst_gaps(
    gaps: pd.DataFrame, ranks: Mapping[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`delivery_gap`'s rows with their ``rank``, by rank; and split into those
    delivering less than their ambition and those delivering more, the widest gap first
    (by rank among equal gaps), ``gap`` positive in both."""
    ranked = gaps.assign(rank=gaps["id"].map(ranks)).sort_values(["rank"], kind="stable")
    short = ranked[ranked["gap"] > 0].sort_values("gap", ascending=False, kind="stable")
    above = (
        ranked[ranked["gap"] < 0]
        .assign(gap=lambda g: -g["gap"])
        .sort_values("gap", ascending=False, kind="stable")
    )
    return ranked, short, above
