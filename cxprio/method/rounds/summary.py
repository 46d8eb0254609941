"""The statistics of a workshop round's scores.

:func:`aggregate` gives, per experience and criterion, the number of scores, median,
quartiles (linear interpolation, as ``numpy.percentile``), minimum and maximum, the
ambition votes per tier, and the ``disagreement`` the results are ranked by, on one 0..1
scale for every criterion: the standard deviation as a share of the largest it can be
(half the criterion's range), which one voice far from the rest moves, where the
interquartile range does not see it; widest first (:class:`Aggregate`).

A weights vote is summarised by the median of each weight, each participant's weights
taken as shares of their sum (:func:`weight_shares`, :func:`median_weights`).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cxprio.catalogue.model import DEFAULT_SCALES, MEASURES, Catalogue, Scale, Tier, Transform
from cxprio.method.rounds.model import (
    CRITERIA,
    JUDGEMENT,
    JUDGEMENT_RANGE,
    NUMBER,
    TIER,
    WEIGHT,
    Round,
    Score,
)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The scores of one experience on one criterion, summarised.

    For an ambition vote, ``median`` to ``max`` are the tiers' strengths (3 Unique to 0
    Uncompetitive) and ``votes`` counts each tier. ``spread`` is the interquartile range
    as a share of the criterion's range. ``disagreement``, which results are ranked by,
    is the standard deviation as a share of the largest it can be (half the criterion's
    range): 0 when everyone agrees, 1 when the room is split half and half at the two
    ends. Unlike the interquartile range it hears one voice far from the rest: four 5s
    and a 1 give 0.8, where 3, 3, 4, 4, 4 give 0.24. Numbers are placed on the measure's
    scale first (:func:`position`), so a reach of 1,000 against 1,000,000 is as far
    apart as a 1 against a 5 would be, whatever the unit. ``counts``: how many chose
    each value (in value order), for the anonymous dots on the projector.
    """

    experience: str
    criterion: str
    kind: str
    n: int
    median: float
    q1: float
    q3: float
    min: float
    max: float
    spread: float
    disagreement: float
    votes: Mapping[str, int] = field(default_factory=dict)
    counts: tuple[tuple[float, int], ...] = ()

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def majority(self) -> str | None:
        """The tier with the most votes; ``None`` on a tie or without votes."""
        if not self.votes:
            return None
        ranked = Counter(self.votes).most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "experience": self.experience,
            "criterion": self.criterion,
            "kind": self.kind,
            "n": self.n,
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.min,
            "max": self.max,
            "iqr": self.iqr,
            "spread": self.spread,
            "disagreement": self.disagreement,
            "votes": dict(self.votes) if self.kind == TIER else None,
            "majority": self.majority if self.kind == TIER else None,
        }


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """``(q1, median, q3)`` by linear interpolation between the closest ranks, as
    ``numpy.percentile``'s default (computed here: a round has hundreds of small groups,
    where numpy's per-call cost is most of the work)."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(share: float) -> float:
        position = last * share
        low = math.floor(position)
        high = min(low + 1, last)
        return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))

    return at(0.25), at(0.5), at(0.75)


def aggregate(found: Round, rows: Sequence[Score], catalogue: Catalogue | None = None) -> list[Aggregate]:
    """Every experience and criterion with scores, summarised (:class:`Aggregate`); the
    widest disagreement first. ``catalogue`` gives the scales a number's disagreement is
    measured on (the defaults without it)."""
    grouped: dict[tuple[str, str], list[Score]] = {}
    for row in rows:
        if not row.criterion.startswith(WEIGHT):
            grouped.setdefault((row.experience, row.criterion), []).append(row)
    scales = catalogue.scoring.scales.as_dict() if catalogue is not None else None
    order = {e: i for i, e in enumerate(found.experiences)}
    summaries: list[Aggregate] = []
    for (experience, criterion), group in grouped.items():
        kind = found.criteria.get(criterion, NUMBER)
        votes: dict[str, int] = {}
        if kind == TIER:
            tiers = [Tier(r.tier) for r in group if r.tier]
            values = [float(t.strength) for t in tiers]
            counted = Counter(t.value for t in tiers)
            votes = {t.value: counted.get(t.value, 0) for t in Tier}
            width = 3.0
            placed = values
        else:
            values = [float(r.value) for r in group if r.value is not None]
            if kind == JUDGEMENT:
                width, placed = JUDGEMENT_RANGE[1] - JUDGEMENT_RANGE[0], values
            else:
                scale = (scales or DEFAULT_SCALES)[criterion]
                width, placed = 1.0, [position(v, scale) for v in values]
        if not values:
            continue
        q1, median, q3 = quartiles(values)
        s1, _, s3 = quartiles(placed)
        summaries.append(
            Aggregate(
                experience,
                criterion,
                kind,
                len(values),
                median,
                q1,
                q3,
                min(values),
                max(values),
                round((s3 - s1) / width, 6),
                disagreement(placed, width),
                votes,
                tuple(sorted(Counter(values).items())),
            )
        )
    summaries.sort(
        key=lambda a: (
            -a.disagreement,
            order.get(a.experience, len(order)),
            list(CRITERIA).index(a.criterion) if a.criterion in CRITERIA else 99,
        )
    )
    return summaries


def disagreement(values: Sequence[float], width: float) -> float:
    """The standard deviation of ``values`` (the population's: everyone in the room is
    counted) as a share of ``width / 2``, the largest it can be on a range ``width``
    wide; 0 for one value. See :class:`Aggregate`."""
    if len(values) < 2 or width <= 0:
        return 0.0
    return min(1.0, statistics.pstdev(values) / (width / 2))


def by_experience(summaries: Sequence[Aggregate]) -> list[str]:
    """The experiences of ``summaries`` in their order (widest disagreement first)."""
    return list(dict.fromkeys(a.experience for a in summaries))


def position(value: float, scale: Scale) -> float:
    """Where ``value`` lies on ``scale``, from 0 (its minimum) to 1 (its maximum), along
    the logarithms on a log scale; clamped at the ends."""
    if scale.transform is Transform.LOG:
        low, high = math.log(scale.min), math.log(scale.max)
        at = math.log(max(value, scale.min))
    else:
        low, high, at = scale.min, scale.max, value
    return min(1.0, max(0.0, (at - low) / (high - low)))


def weight_shares(rows: Sequence[Score], defaults: Mapping[str, float]) -> list[dict[str, float]]:
    """Each voter's weights in a round's scores, as shares of their sum, in the order
    they first voted. A participant's missing weights count as ``defaults`` (the
    catalogue's own); a voter whose weights sum to 0 is left out."""
    voted: dict[int, dict[str, float]] = {}
    for row in rows:
        if row.criterion.startswith(WEIGHT) and row.value is not None:
            voted.setdefault(row.participant_id, dict(defaults))[row.criterion.removeprefix(WEIGHT)] = (
                row.value
            )
    shares = []
    for weights in voted.values():
        total = sum(weights.values())
        if total > 0:
            shares.append({m: weights[m] / total for m in MEASURES})
    return shares


def median_weights(shares: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The median of each weight over ``shares`` (:func:`weight_shares`, not empty), to
    four decimals; equal weights when every median is 0."""
    median = {m: round(statistics.median(s[m] for s in shares), 4) for m in MEASURES}
    if not any(median.values()):
        median = {m: 1.0 for m in MEASURES}
    return median
