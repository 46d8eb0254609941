"""Every measure on its fixed scale (0..1), and the warnings a catalogue's measures earn:
a value outside its scale (clamped), a measure missing, a reach above the organisation's
customers.

Validating a catalogue needs these warnings but none of the ranking, so they live apart
from :mod:`cxprio.method.scoring`: this module needs numpy, not pandas, and
``python -m cxprio validate`` starts without it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxprio.catalogue.model import MEASURES, Catalogue, Transform
from cxprio.errors import Problem, ProblemLevel
from cxprio.units import LABELS

FloatArray = npt.NDArray[np.float64]


def map_onto_scales(
    raw: FloatArray, catalogue: Catalogue, rows: list[int]
) -> tuple[FloatArray, tuple[Problem, ...]]:
    """Raw measures onto 0..1, clamped; ``rows[r]`` is row r's index in the catalogue."""
    experiences = catalogue.experiences
    scales = catalogue.scoring.scales.as_dict()
    normalised = np.empty_like(raw)
    warnings: list[Problem] = []
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
            clamped = ~np.isnan(values) & ((mapped < 0) | (mapped > 1))
            for row in np.flatnonzero(clamped).tolist():
                index = rows[row]
                value = float(values[row])
                side, edge = ("below", scale.min) if mapped[row] < 0 else ("above", scale.max)
                warnings.append(
                    Problem(
                        ProblemLevel.WARNING,
                        f"{experiences[index].name}: {LABELS[name].lower()} {value:g} is {side} its scale "
                        f"({side} {edge:g}) and is scored as {'0' if side == 'below' else '100'}",
                        field=f"experiences[{index}].measures.{name}",
                        hint=f"check the value, or widen the scale of {LABELS[name].lower()} under scoring "
                        "(this changes every score)",
                        code="measure-clamped",
                        path=("experiences", index, "measures", name),
                    )
                )
            normalised[:, column] = np.clip(mapped, 0.0, 1.0)
    warnings.sort(key=lambda p: p.path)
    return normalised, tuple(warnings)


def measure_warnings(catalogue: Catalogue) -> tuple[Problem, ...]:
    """A warning for every experience with missing measures (scored without them), for
    every measure outside its scale (clamped), and for a reach above the organisation's
    customer count when the catalogue gives one, in file order."""
    experiences = catalogue.experiences
    raw = catalogue.columns.measures
    warnings = list(map_onto_scales(raw, catalogue, list(range(len(experiences))))[1])
    for index in np.flatnonzero(np.isnan(raw).any(axis=1)).tolist():
        missing = [MEASURES[c] for c in np.flatnonzero(np.isnan(raw[index])).tolist()]
        path = ("experiences", index, "measures")
        warnings.append(
            Problem(
                ProblemLevel.WARNING,
                f"{experiences[index].name} has no {', '.join(LABELS[m].lower() for m in missing)}: "
                "it is scored on the other measures and marked incomplete",
                field=f"experiences[{index}].measures",
                hint="add the missing measures, even as an estimate",
                code="measure-missing",
                path=path,
            )
        )
    customers = catalogue.organisation.customers
    if customers is not None:
        reach = raw[:, MEASURES.index("reach")]
        for index in np.flatnonzero(reach > customers).tolist():
            warnings.append(
                Problem(
                    ProblemLevel.WARNING,
                    f"{experiences[index].name}: reach {reach[index]:,.0f} is more than the "
                    f"organisation's {customers:,} customers",
                    field=f"experiences[{index}].measures.reach",
                    hint="check the reach (customers affected a year), or the customer count under organisation",
                    code="reach-above-customers",
                    path=("experiences", index, "measures", "reach"),
                )
            )
    warnings.sort(key=lambda p: p.path)
    return tuple(warnings)
