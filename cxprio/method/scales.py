"""Every measure on its fixed scale (0..1), and the warnings a catalogue's measures earn:
a value outside its scale (scored as the scale's end), a measure missing, a reach above
the organisation's customers.

Validating a catalogue needs these warnings but none of the ranking, so they are found
on the experiences themselves, in plain Python (:func:`measure_warnings`): ``python -m
cxprio validate`` imports neither pandas nor numpy. Scoring maps the values onto their
scales with numpy (:func:`map_onto_scales`) and takes its warnings from the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cxprio.catalogue.model import MEASURES, Catalogue, Scale, Transform
from cxprio.errors import Problem, ProblemLevel
from cxprio.units import LABELS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]


def outside(value: float, scale: Scale) -> str | None:
    """``"below"`` or ``"above"`` when ``value`` lies outside ``scale`` (and is scored
    as 0 or 100), else None. (A log scale's minimum is above 0, so 0 lies below it.)"""
    if value < scale.min:
        return "below"
    if value > scale.max:
        return "above"
    return None


def clamped_warnings(catalogue: Catalogue, rows: Sequence[int]) -> list[Problem]:
    """A warning for each measure of the experiences at ``rows`` (their indexes in the
    catalogue) that lies outside its scale, by experience and measure."""
    experiences = catalogue.experiences
    scales = catalogue.scoring.scales.as_dict()
    warnings: list[Problem] = []
    for index in rows:
        measures = experiences[index].measures
        for name in MEASURES:
            value = getattr(measures, name)
            side = None if value is None else outside(float(value), scales[name])
            if side is None:
                continue
            edge = scales[name].min if side == "below" else scales[name].max
            warnings.append(
                Problem(
                    ProblemLevel.WARNING,
                    f"{experiences[index].name}: {LABELS[name].lower()} {float(value):g} is {side} its scale "
                    f"({side} {edge:g}) and is scored as {'0' if side == 'below' else '100'}",
                    field=f"experiences[{index}].measures.{name}",
                    hint=f"check the value, or widen the scale of {LABELS[name].lower()} under scoring "
                    "(this changes every score)",
                    code="measure-clamped",
                    path=("experiences", index, "measures", name),
                )
            )
    warnings.sort(key=lambda p: p.path)
    return warnings


def map_onto_scales(
    raw: FloatArray, catalogue: Catalogue, rows: list[int]
) -> tuple[FloatArray, tuple[Problem, ...]]:
    """Raw measures onto 0..1, clamped; ``rows[r]`` is row r's index in the catalogue.
    The warnings are :func:`clamped_warnings` of those rows."""
    import numpy as np

    scales = catalogue.scoring.scales.as_dict()
    normalised = np.empty_like(raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        for column, name in enumerate(MEASURES):
            scale = scales[name]
            values = raw[:, column]
            if scale.transform is Transform.LOG:
                low, high = np.log10(scale.min), np.log10(scale.max)
                mapped = (np.log10(np.where(values > 0, values, np.nan)) - low) / (high - low)
                mapped = np.where(values <= 0, -np.inf, mapped)  # zero sits below any log min
            else:
                mapped = (values - scale.min) / (scale.max - scale.min)
            normalised[:, column] = np.clip(mapped, 0.0, 1.0)
    return normalised, tuple(clamped_warnings(catalogue, rows))


def measure_warnings(catalogue: Catalogue) -> tuple[Problem, ...]:
    """A warning for every experience with missing measures (scored without them), for
    every measure outside its scale (clamped), and for a reach above the organisation's
    customer count when the catalogue gives one, in file order."""
    experiences = catalogue.experiences
    warnings = clamped_warnings(catalogue, range(len(experiences)))
    customers = catalogue.organisation.customers
    for index, experience in enumerate(experiences):
        missing = experience.measures.missing()
        if missing:
            warnings.append(
                Problem(
                    ProblemLevel.WARNING,
                    f"{experience.name} has no {', '.join(LABELS[m].lower() for m in missing)}: "
                    "it is scored on the other measures and marked incomplete",
                    field=f"experiences[{index}].measures",
                    hint="add the missing measures, even as an estimate",
                    code="measure-missing",
                    path=("experiences", index, "measures"),
                )
            )
        reach = experience.measures.reach
        if customers is not None and reach is not None and reach > customers:
            warnings.append(
                Problem(
                    ProblemLevel.WARNING,
                    f"{experience.name}: reach {reach:,.0f} is more than the "
                    f"organisation's {customers:,} customers",
                    field=f"experiences[{index}].measures.reach",
                    hint="check the reach (customers affected a year), or the customer count under organisation",
                    code="reach-above-customers",
                    path=("experiences", index, "measures", "reach"),
                )
            )
    warnings.sort(key=lambda p: p.path)
    return tuple(warnings)
