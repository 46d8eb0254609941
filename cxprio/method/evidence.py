"""Priorities that rest on guesses: how much of each priority comes from guessed values,
and a finding for each experience near the top that gets most of it from them.

How far each kind of evidence is trusted in the rank ranges is
:data:`cxprio.method.scoring.WOBBLE`; this module says which priorities the room should
not commit to before someone measures.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cxprio.catalogue.model import MEASURES
from cxprio.method.findings import Finding, Severity, severity_risk, sort_findings
from cxprio.method.scoring import DEFAULT_TOP_N, FloatArray, Normalised, Ranking
from cxprio.texts import field_words

GUESSED_MOST = 0.5
"""A priority rests on guesses when more than this share of it comes from guessed values."""
HIGH_UP = 3
"""An experience this high in the ranking that rests on guesses is a high-severity finding
(further down the top N, medium): the room is most likely to commit to these first."""

GUESSED_TOP = "GUESSED_TOP"


def guessed_share(norm: Normalised, weights: Mapping[str, float]) -> FloatArray:
    """Per experience (id order), the share of its priority that comes from guessed values:
    ``sum(w_m * x_m)`` over its guessed measures over the same sum over all its present
    measures, where ``x_m`` is the value on its 0..1 scale. 0 where the priority is 0 or
    there is none."""
    total, guessed = norm.weighted_sums(weights)  # the guessed parts kept per catalogue
    share = np.zeros(len(total))
    np.divide(guessed, total, out=share, where=total > 0)
    return share


def evidence_findings(
    norm: Normalised, ranked: Ranking, weights: Mapping[str, float], *, top_n: int = DEFAULT_TOP_N
) -> list[Finding]:
    """A ``GUESSED_TOP`` finding for each experience in the top ``top_n`` that gets more
    than half its priority from guessed values (:func:`guessed_share`): high in the top
    :data:`HIGH_UP`, medium below; its risk is its priority times 1.0 or 0.5. Most costly first."""
    share = guessed_share(norm, weights)
    names = norm.info["name"]
    findings = []
    for position, row in enumerate(ranked.order[:top_n].tolist(), start=1):
        if not share[row] > GUESSED_MOST:
            continue
        guessed = [
            field_words(m).lower()
            for column, m in enumerate(MEASURES)
            if norm.guessed[row, column] and weights[m] > 0 and norm.normalised[row, column] > 0
        ]
        severity = Severity.HIGH if position <= HIGH_UP else Severity.MEDIUM
        findings.append(
            Finding(
                code=GUESSED_TOP,
                severity=severity,
                message=f"{names.iat[row]} is #{position} and {share[row]:.0%} of its priority comes "
                f"from guessed {_words(guessed)}",
                experience=norm.ids[row],
                risk=severity_risk(float(ranked.priority[row]), severity),
            )
        )
    return sort_findings(findings)


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
