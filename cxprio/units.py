"""The measures as people read them: which are facts and which a judgement, their units,
and numbers written the way the catalogue writes them.

Reach, frequency, cost and failure demand are **facts**, measured or estimated in a
unit (customers a year, times a year, money a year, a share of contacts). Depth is a
**judgement** on a 1-5 scale. A workshop may estimate a fact as a number in its unit, or
judge depth; it never turns a 1-5 judgement into a fact (see
:mod:`cxprio.method.rounds`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cxprio.catalogue.model import Tier

FACTS: tuple[str, ...] = ("reach", "frequency", "cost", "failure_demand")
"""The measures that are facts with a unit."""
JUDGEMENTS: tuple[str, ...] = ("depth",)
"""The measures that are a 1-5 judgement."""

LABELS = {
    "reach": "Reach",
    "frequency": "Frequency",
    "depth": "Depth",
    "cost": "Cost",
    "failure_demand": "Failure demand",
}
"""Each measure's name as a heading."""

UNITS = {
    "reach": "customers a year",
    "frequency": "times a year",
    "depth": "on a scale of 1 to 5",
    "cost": "a year",
    "failure_demand": "of contacts avoidable",
}
"""Each measure's unit, as it follows a number (``320,000 customers a year``)."""


def is_fact(measure: str) -> bool:
    """Whether ``measure`` is a fact with a unit (not a judgement)."""
    return measure in FACTS


def number(value: float) -> str:
    """A number the way the catalogue writes it, with thousands separated: ``320,000``,
    ``4`` (not ``4.0``), ``0.35``, ``2.5``; at most six decimals, trailing zeros dropped."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def with_unit(measure: str, value: float | None) -> str:
    """``value`` of ``measure`` with its unit: ``320,000 customers a year``, ``1 time a
    year``, ``0.35 of contacts avoidable (35%)``, ``depth 4 of 5``; ``not measured`` for
    no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    if measure == "frequency" and value == 1:
        return "1 time a year"
    if measure == "failure_demand":
        return f"{number(value)} {UNITS[measure]} ({percent(value)})"
    if measure == "depth":
        return f"{number(value)} of 5"
    return f"{number(value)} {UNITS[measure]}"


def percent(share: float) -> str:
    """A share as a percentage: ``35%``, ``2.5%``, ``0.4%``."""
    figure = share * 100
    if abs(figure) >= 10 or float(round(figure, 1)).is_integer():
        return f"{figure:.0f}%"
    return f"{figure:.1f}%"


def relative_change(before: float | None, after: float) -> str:
    """How ``after`` compares with ``before``, as people say it: ``+28%``, ``-40%``, or
    ``15.6 times`` for more than a doubling; empty without a ``before`` or from zero."""
    if before is None or before == 0 or math.isnan(before):
        return ""
    ratio = after / before
    if ratio > 2:
        return f"{number(float(f'{ratio:.3g}'))} times"
    change = ratio - 1
    sign = "+" if change > 0 else "-" if change < 0 else "±"
    return f"{sign}{percent(abs(change))}"


def field_label(field: str) -> str:
    """A catalogue field as people name it: ``measures.reach`` as ``Reach``,
    ``ambition`` as ``Ambition``, ``steps[2].handoff_owner`` as ``Step 3 handoff owner``,
    ``evidence.reach`` as ``Reach evidence``."""
    if field.startswith("evidence."):
        measure = field.removeprefix("evidence.")
        return f"{LABELS.get(measure, measure)} evidence"
    if field.startswith("steps[") and "]." in field:
        index, _, rest = field.removeprefix("steps[").partition("].")
        if index.isdigit():
            return f"Step {int(index) + 1} {rest.replace('_', ' ')}"
    name = field.removeprefix("measures.")
    return LABELS.get(name, name.replace("_", " ").capitalize())


def weights_words(weights: Mapping[str, float]) -> str:
    """Weights as people read them: ``Reach 0.25, Frequency 0.15, ...`` (the machine form
    for addresses and files is :func:`cxprio.method.scoring.format_weights`)."""
    return ", ".join(f"{LABELS.get(measure, measure)} {weight:.2f}" for measure, weight in weights.items())


def as_written(value: object, missing: str = "") -> str:
    """A stored value (a number, or the text the audit trail keeps) as people write it:
    ``2,400,000``, ``0.35``, ``Distinct`` for ``distinct``; other text as it is, and
    ``missing`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, str) and value in _TIERS:
        return tier_words(value)
    try:
        figure = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return number(figure) if math.isfinite(figure) else str(value)


_TIERS = frozenset(tier.value for tier in Tier)
_TIER_LABELS = {tier.value: tier.label for tier in Tier}

NO_AMBITION = "No ambition"
"""What a table, a chart or a slide says for an experience without an ambition."""


def tier_words(value: object, none: str = NO_AMBITION) -> str:
    """An ambition or current tier as people write it ("Distinct"), or ``none`` for a
    value that is not a tier (missing, say): the one place tiers get their words."""
    return _TIER_LABELS.get(value, none) if isinstance(value, str) else none
