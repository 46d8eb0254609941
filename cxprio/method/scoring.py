"""Scoring and ranking experiences on reach, frequency, depth, cost and failure demand.

Each measure is mapped onto 0..1 on its fixed scale (``log``: log10 between min and max;
``linear``: straight between them), clamped at the ends. Then, on 0..100:

* **customer value** is the weighted mean of reach, frequency and depth;
* **business value** is the weighted mean of cost and failure demand;
* **priority** is the weighted mean of all five.

A missing measure is left out and the remaining weights renormalised, and the experience
is marked incomplete. If every weight within a group is 0 (say the room put all the
weight on depth), that group's value falls back to an unweighted mean of its measures, so
customer and business value stay visible. Rank 1 is the highest priority; priorities within
``PRIORITY_RESOLUTION`` (1e-6) tie, and ties are broken by id so the order never depends on
the file's order.

The work is split so the app can re-rank at every slider move without redoing it:
:func:`normalise` (once per catalogue) and :func:`rank` (once per weight vector);
:func:`score` does both.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxprio.catalogue.model import (
    BUSINESS_MEASURES,
    CUSTOMER_MEASURES,
    EVIDENCE_KINDS,
    MEASURES,
    Catalogue,
    EvidenceKind,
)
from cxprio.errors import Problem, UsageError
from cxprio.method.scales import map_onto_scales
from cxprio.method.scales import measure_warnings as measure_warnings  # where loading found it
from cxprio.texts import quoted

FloatArray = npt.NDArray[np.float64]

DEFAULT_DRAWS = 500
DEFAULT_CONCENTRATION = 50.0
DEFAULT_TOP_N = 10
"""The stable top N for catalogues of 40 experiences or more (see :func:`default_top_n`)."""
STABLE_SHARE = 0.9
_CHUNK = 50  # weight draws ranked at once by robustness()

WOBBLE: dict[EvidenceKind, float] = {
    EvidenceKind.MEASURED: 0.02,
    EvidenceKind.ESTIMATED: 0.06,
    EvidenceKind.GUESS: 0.15,
}
"""How far each kind of evidence is trusted: the standard deviation of a value's wobble in
the rank ranges, as a share of its measure's 0..1 scale. On the default log scale of reach
(1,000 to 5 million), 0.02 is a factor of about 1.2 either way, 0.06 about 1.7 and 0.15
about 3.6; on failure demand's (0 to 0.6), 0.01, 0.04 and 0.09."""


@dataclass(frozen=True)
class Normalised:
    """Every experience's measures on 0..1 (NaN where missing), in id order.

    Rows are sorted by id, which makes a stable sort on priority break ties by id.
    """

    catalogue: Catalogue
    ids: tuple[str, ...]
    order: npt.NDArray[np.intp]  # row -> index in catalogue.experiences
    raw: FloatArray  # n x 5, as written
    normalised: FloatArray  # n x 5 in 0..1, NaN where missing
    warnings: tuple[Problem, ...]
    info: pd.DataFrame  # the weight-independent columns of the ranked table
    wobble: FloatArray  # n x 5: each value's WOBBLE, by its evidence
    guessed: npt.NDArray[np.bool_]  # n x 5: True where the value is a guess

    @functools.cached_property
    def present(self) -> npt.NDArray[np.bool_]:
        """n x 5: True where the measure is given."""
        return ~np.isnan(self.normalised)

    @functools.cached_property
    def _by_measure(self) -> tuple[FloatArray, FloatArray]:
        """5 x n: the normalised measures with 0 for missing ones, and 1.0 where present."""
        filled = np.ascontiguousarray(np.where(self.present, self.normalised, 0.0).T)
        return filled, np.ascontiguousarray(self.present.T, dtype=np.float64)

    @functools.cached_property
    def guessed_by_measure(self) -> FloatArray:
        """5 x n: the normalised measures that are guesses, 0 for the others and missing ones."""
        filled, _ = self._by_measure
        return np.ascontiguousarray(np.where(self.guessed.T, filled, 0.0))

    def weighted_sums(self, weights: Mapping[str, float]) -> tuple[FloatArray, FloatArray]:
        """Per experience (id order), ``sum(w_m * x_m)`` over its present measures and over
        its guessed ones, ``x_m`` on its 0..1 scale: what a priority is made of."""
        vector = np.array([weights[m] for m in MEASURES], dtype=np.float64)
        filled, _ = self._by_measure
        return vector @ filled, vector @ self.guessed_by_measure

    @functools.cached_property
    def _variance_by_measure(self) -> FloatArray:
        """5 x n: each value's wobble squared, 0 where the measure is missing."""
        return np.ascontiguousarray(np.where(self.present, self.wobble**2, 0.0).T)

    def wobble_of_means(self, weights: FloatArray) -> FloatArray:
        """k x n: the standard deviation of each :meth:`weighted_means` when every value
        wobbles by its evidence (:data:`WOBBLE`) on its own: the square root of
        ``sum(w_m**2 * wobble_m**2) / sum(w_m)**2`` over the present measures, NaN where
        none of them carries weight."""
        _, present = self._by_measure
        totals: FloatArray = np.einsum("km,mn->kn", weights, present)
        spread: FloatArray = np.einsum("km,mn->kn", weights * weights, self._variance_by_measure)
        np.sqrt(spread, out=spread)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(spread, totals, out=spread)
        spread[totals <= 0] = np.nan
        return spread

    def weighted_means(self, weights: FloatArray) -> FloatArray:
        """k x n: for each of the k weight vectors (rows of ``weights``, k x 5) every
        experience's weighted mean over its present measures, NaN where none of them
        carries weight."""
        filled, present = self._by_measure
        # einsum, not a matrix product: with five measures the work is tiny, and OpenBLAS
        # would spread it over every core and keep them spinning, which starves the
        # board's own thread while rank ranges are computed beside it.
        totals: FloatArray = np.einsum("km,mn->kn", weights, present)
        means: FloatArray = np.einsum("km,mn->kn", weights, filled)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(means, totals, out=means)
        means[totals <= 0] = np.nan
        return means


def normalise(catalogue: Catalogue) -> Normalised:
    """Map every measure onto 0..1 on the catalogue's fixed scales, warning where clamped."""
    columns = catalogue.columns
    ids = columns.id
    rows = sorted(range(len(ids)), key=ids.__getitem__)
    order = np.array(rows, dtype=np.intp)
    raw = columns.measures[order]
    normalised, warnings = map_onto_scales(raw, catalogue, rows)
    evidence = columns.evidence[order]
    return Normalised(
        catalogue=catalogue,
        ids=tuple(ids[i] for i in rows),
        order=order,
        raw=raw,
        normalised=normalised,
        warnings=warnings,
        info=_describe_experiences(catalogue, order, raw),
        wobble=np.array([WOBBLE[kind] for kind in EVIDENCE_KINDS])[evidence],
        guessed=evidence == EVIDENCE_KINDS.index(EvidenceKind.GUESS),
    )


def default_top_n(count: int) -> int:
    """The stable top N that means something for ``count`` experiences: 10, or a quarter
    of the catalogue (at least 1) when it has fewer than 40, so a small catalogue's
    "stable top N" never holds every experience."""
    return DEFAULT_TOP_N if count >= 4 * DEFAULT_TOP_N else max(1, count // 4)


def format_weights(weights: Mapping[str, float]) -> str:
    """Weights as one line, ``reach:0.40,frequency:0.10,...`` in the measures' order: the
    form the board keeps in its address and every download and CLI output records.
    Two decimals, more only where the weight has them; :func:`parse_weights` reads it back."""

    def number(value: float) -> str:
        two = f"{value:.2f}"
        return two if float(two) == value else repr(value)

    return ",".join(f"{name}:{number(float(weights[name]))}" for name in MEASURES if name in weights)


_PAIR = re.compile(r"(?P<name>[^:=]*?)\s*[:=]\s*(?P<value>.*)")


def parse_weights(text: str) -> tuple[dict[str, float], list[str]]:
    """Read weights written as ``name:value`` (or ``name=value``) pairs separated by commas,
    such as ``reach:0.40,depth:0.25``, and say what was ignored.

    Returns the weights that read well, by measure, and one note per part that did not
    (not ``name:value``, an unknown measure, not a number, negative, or a measure given
    twice, where the last one counts). Lenient by design, for the board's address; the
    CLI refuses the text when there is any note."""
    weights: dict[str, float] = {}
    notes: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        pair = _PAIR.fullmatch(part)
        if pair is None:
            notes.append(f"'{part}' is not measure:weight (such as depth:0.25)")
            continue
        name, value = pair["name"], pair["value"]
        if name not in MEASURES:
            close = difflib.get_close_matches(name, MEASURES, n=1)
            guess = f"did you mean {close[0]}?" if close else f"the measures are {', '.join(MEASURES)}"
            notes.append(f"'{name}' is not a measure: {guess}")
        else:
            try:
                number = float(value)
            except ValueError:
                notes.append(f"the weight of {name} must be a number, not '{value}'")
                continue
            if not np.isfinite(number) or number < 0:
                notes.append(f"the weight of {name} must be 0 or more, not '{value}'")
                continue
            if name in weights:
                notes.append(f"{name} is given more than once: the last one counts")
            weights[name] = number
    return weights, notes


def resolve_weights(catalogue: Catalogue, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """The catalogue's weights with ``overrides`` applied; raises :class:`UsageError` if
    an override names an unknown measure, is negative, or leaves every weight at 0."""
    weights = catalogue.scoring.weights.as_dict()
    for name, value in (overrides or {}).items():
        if name not in weights:
            raise UsageError(f"unknown measure {quoted(name)} in weights; use {', '.join(MEASURES)}")
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise UsageError(f"the weight of {name} must be a number of 0 or more, not {value:g}")
        weights[name] = value
    if not any(weights.values()):
        raise UsageError("at least one weight must be above 0")
    return weights


def _value_weights(weights: Mapping[str, float]) -> FloatArray:
    """3 x 5: the weight vectors of priority, customer value and business value. A group
    whose weights are all 0 falls back to equal weights, so its value stays visible."""
    vectors = np.zeros((3, len(MEASURES)))
    vectors[0] = [weights[n] for n in MEASURES]
    for row, names in ((1, CUSTOMER_MEASURES), (2, BUSINESS_MEASURES)):
        columns = [MEASURES.index(n) for n in names]
        group = vectors[0, columns]
        vectors[row, columns] = group if group.any() else 1.0
    return vectors


@dataclass(frozen=True)
class Ranking:
    """One weighting's values and ranks as arrays, for callers that want no table.

    ``priority``, ``customer_value``, ``business_value`` and ``rank`` are per experience
    in id order (the rows of :class:`Normalised`); ``order`` lists those rows by rank, so
    ``order[0]`` is the row ranked first and ``rank[order[k]] == k + 1``.
    """

    priority: FloatArray
    customer_value: FloatArray
    business_value: FloatArray
    rank: npt.NDArray[np.int64]
    order: npt.NDArray[np.intp]


def ranking(norm: Normalised, weights: Mapping[str, float]) -> Ranking:
    """Priority, customer value, business value and rank of every experience, as arrays."""
    values = norm.weighted_means(_value_weights(weights))
    values *= 100.0
    position = _rank_positions(values[:1])[:, 0].astype(np.int64)
    order = np.empty(len(position), dtype=np.intp)
    order[position - 1] = np.arange(len(position))
    return Ranking(
        priority=values[0],
        customer_value=values[1],
        business_value=values[2],
        rank=position,
        order=order,
    )


def rank(norm: Normalised, weights: Mapping[str, float]) -> pd.DataFrame:
    """Priority, customer value, business value and rank for every experience.

    Returns one row per experience, sorted by rank, with columns ``rank, id, name, level,
    parent, owner, ambition, current, priority, customer_value, business_value, complete,
    missing`` and the raw measures.
    """
    return ranked_table(norm, ranking(norm, weights))


def ranked_table(norm: Normalised, ranked: Ranking) -> pd.DataFrame:
    """The table :func:`rank` returns, from a :class:`Ranking` already made."""
    order = ranked.order
    table = norm.info.take(order)
    table.index = pd.RangeIndex(len(order))
    table.insert(0, "rank", np.arange(1, len(order) + 1, dtype=np.int64))
    table.insert(8, "priority", ranked.priority[order])
    table.insert(9, "customer_value", ranked.customer_value[order])
    table.insert(10, "business_value", ranked.business_value[order])
    return table


def _text_column(values: list[Any], order: npt.NDArray[np.intp]) -> pd.Series:
    # Plain object columns: building pandas' Arrow-backed strings costs more than the
    # whole score on a large catalogue, and these columns are only displayed and filtered.
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return pd.Series(column[order], dtype=object)


def _describe_experiences(catalogue: Catalogue, order: npt.NDArray[np.intp], raw: FloatArray) -> pd.DataFrame:
    """The columns of the ranked table that do not depend on the weights, in ``order``;
    ``raw`` is already in that order."""
    columns = catalogue.columns
    missing = np.isnan(raw)
    # One label per pattern of missing measures (at most 32), not one join per row.
    codes = missing @ (1 << np.arange(len(MEASURES)))
    labels = {
        int(code): ", ".join(m for bit, m in enumerate(MEASURES) if int(code) >> bit & 1)
        for code in np.unique(codes)
    }
    info = pd.DataFrame(
        {
            "id": _text_column(columns.id, order),
            "name": _text_column(columns.name, order),
            "level": _text_column(columns.level, order),
            "parent": _text_column(columns.parent, order),
            "owner": _text_column(columns.owner, order),
            "ambition": _text_column(columns.ambition, order),
            "current": _text_column(columns.current, order),
            "complete": ~missing.any(axis=1),
            "missing": pd.Series(codes, dtype=np.int64).map(labels).astype(object),
            **{name: raw[:, column] for column, name in enumerate(MEASURES)},
        }
    )
    return info


PRIORITY_RESOLUTION = 1e-6
"""Priorities closer than this count as tied, and ties are broken by id."""


def rank_keys(priorities: FloatArray) -> tuple[npt.NDArray[np.int64], int]:
    """One integer per priority that orders experiences as the ranking does: a smaller
    key ranks higher. ``priorities`` is weightings x experiences (id order); the key is
    minus the priority in steps of PRIORITY_RESOLUTION, shifted left past the experience's
    column, plus that column, so ties break by id and NaN comes last. Returns the keys
    and the shift. Anything that ranks (the ranking, rank ranges, what-if) goes through
    these keys, so they can never disagree on a tie."""
    n = priorities.shape[1]
    shift = max(1, (n - 1).bit_length())
    steps = np.divide(priorities, -PRIORITY_RESOLUTION)
    np.rint(steps, out=steps)
    steps[np.isnan(steps)] = 1.0  # after every real priority: those are 0 or below
    keys = steps.astype(np.int64)
    keys <<= shift
    keys |= np.arange(n, dtype=np.int64)
    return keys, shift


def _rank_positions(
    priorities: FloatArray, out: npt.NDArray[np.int32] | None = None, first: int = 0
) -> npt.NDArray[np.int32]:
    """1-based ranks: highest priority first, NaN last, ties by experience.

    ``priorities`` has one row per weighting (a draw) and one column per experience, in id
    order. The ranks come back the other way round, one row per experience and one column
    per weighting, in ``out[:, first:first + weightings]`` when ``out`` is given.

    Each priority becomes a unique integer key (:func:`rank_keys`). Sorting the keys
    themselves, which NumPy does with SIMD instructions, gives the order a stable argsort
    would at a third of its cost, and a key's low bits name the experience at each position.
    """
    columns, n = priorities.shape
    keys, shift = rank_keys(priorities)
    keys.sort(axis=1)
    keys &= (1 << shift) - 1
    if out is None:
        out = np.empty((n, columns), dtype=np.int32)
        first = 0
    # Row r's rank in weighting c goes to out[r, first + c], through out's flat index.
    stride = out.shape[1]
    keys *= stride
    keys += np.arange(first, first + columns, dtype=np.int64)[:, None]
    np.put(out, keys, np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), (columns, n)))
    return out


def _weight_draws(vector: FloatArray, draws: int, concentration: float, seed: int) -> FloatArray:
    """``draws`` weight vectors (rows) around ``vector``: Dirichlet over its non-zero weights."""
    active = vector > 0
    sampled = np.zeros((draws, len(vector)))
    if active.sum() == 1:
        sampled[:, active] = 1.0
    else:
        alpha = concentration * vector[active] / vector[active].sum()
        sampled[:, active] = np.random.default_rng(seed).dirichlet(alpha, size=draws)
    return sampled


@dataclass(frozen=True)
class Scores:
    """The ranked table, the weights that produced it, and the scoring warnings."""

    table: pd.DataFrame
    weights: dict[str, float]
    warnings: tuple[Problem, ...]
    normalised: Normalised

    def priorities(self) -> dict[str, float]:
        """Experience id -> priority (NaN where it has none), as the ownership analysis,
        the maturity arc and the moments take them."""
        return dict(zip(self.table["id"], self.table["priority"].tolist(), strict=True))


def score(catalogue: Catalogue, *, weights: Mapping[str, float] | None = None) -> Scores:
    """Score and rank every experience; ``weights`` overrides the catalogue's, measure by measure."""
    resolved = resolve_weights(catalogue, weights)
    norm = normalise(catalogue)
    return Scores(rank(norm, resolved), resolved, norm.warnings, norm)


def _nearest_index(quantile: float, count: int) -> int:
    """The index of the ``quantile`` in ``count`` sorted values, as ``np.percentile``'s
    ``method="nearest"`` picks it (halves round to even)."""
    return int(np.around(quantile * (count - 1)))


def robustness(
    norm: Normalised,
    weights: Mapping[str, float],
    *,
    draws: int = DEFAULT_DRAWS,
    concentration: float = DEFAULT_CONCENTRATION,
    top_n: int = DEFAULT_TOP_N,
    seed: int = 0,
    evidence: bool = True,
) -> pd.DataFrame:
    """How sure each rank is when the weights wobble, and each value by its evidence.

    Draws ``draws`` weight vectors from a Dirichlet distribution centred on the chosen
    weights (``alpha = concentration x normalised weights``; at the default 50, a weight
    of 0.25 varies by about +/-0.06), ranks every experience under each, and reports per
    experience the 5th and 95th percentile rank and the share of draws in which it is in
    the top ``top_n``. ``stable_top_n`` is true where that share is at least 90 %.
    Weights of 0 stay 0: a measure the room switched off is not switched back on, and its
    values never wobble.

    With ``evidence`` (the default), in each draw every value also moves on its 0..1
    scale by a normal wobble of standard deviation :data:`WOBBLE` of its evidence (a
    guess 0.15, an estimate 0.06, a measurement 0.02), independently of the others. A
    moved value is not clipped to its scale: a wrong guess can be wrong past either end.
    Without, only the weights wobble (the ranges before evidence counted).
    Deterministic for a given ``seed``. Rows are in id order.
    """
    if draws < 1:
        raise UsageError(f"draws must be at least 1, not {draws}")
    if concentration <= 0:
        raise UsageError(f"concentration must be above 0, not {concentration:g}")
    if top_n < 1:
        raise UsageError(f"top N must be at least 1, not {top_n}")
    vector = np.array([weights[n] for n in MEASURES], dtype=np.float64)
    active = vector > 0
    if not active.any():
        raise UsageError("at least one weight must be above 0")
    sampled = _weight_draws(vector, draws, concentration, seed)

    # The draws are ranked a chunk at a time, so the working arrays stay small (and in
    # the cache) however many experiences there are; the ranks are kept as int32.
    # The five values' wobbles add up to one normal wobble of the priority (their
    # weighted sum), so each draw takes one standard normal per experience, not five.
    wobbles = np.random.default_rng((seed, 1)) if evidence else None
    ranks = np.empty((len(norm.ids), draws), dtype=np.int32)
    for start in range(0, draws, _CHUNK):
        chunk = sampled[start : start + _CHUNK]
        priorities = norm.weighted_means(chunk)
        if wobbles is not None:
            moved = norm.wobble_of_means(chunk)
            moved *= wobbles.standard_normal(moved.shape, dtype=np.float32)
            priorities += moved
        priorities *= 100.0
        _rank_positions(priorities, out=ranks, first=start)
    # One experience's ranks across the draws, sorted: the percentiles are two columns.
    ranks.sort(axis=1)
    low = ranks[:, _nearest_index(0.05, draws)]
    high = ranks[:, _nearest_index(0.95, draws)]
    in_top = np.count_nonzero(ranks <= top_n, axis=1) / draws
    return pd.DataFrame(
        {
            "id": pd.Series(np.array(norm.ids, dtype=object), dtype=object),
            "rank_p5": low.astype(np.int64),
            "rank_p95": high.astype(np.int64),
            "top_n_share": in_top,
            "stable_top_n": in_top >= STABLE_SHARE,
        }
    )
