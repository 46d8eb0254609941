"""What-if: the smallest weight change that moves an experience into the top N, or out of it.

A room argues about weights because it cares whether *its* experience makes the top 10.
:func:`what_if` answers that directly: for each measure, the weight nearest to today's
that moves the chosen experience across the top-N line, with every other weight as it is.

Only weights the board's sliders can be set to are tried: multiples of
:data:`WEIGHT_STEP` from 0 to the sliders' top (:func:`slider_top`, :func:`weight_grid`),
so every move can be applied with one click. A weighting whose weights are all 0 is
skipped: it ranks nothing. Ranks are the ranking's own (:func:`cxprio.method.scoring.rank_keys`),
ties broken by id as everywhere else.

"Nearest" is the smallest distance from today's weight; at equal distance the smaller
weight wins, since turning a measure down is the change a room finds easier to agree.
"""

from __future__ import annotations

import bisect
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxprio.catalogue.model import MEASURES
from cxprio.errors import UsageError
from cxprio.method.scoring import FloatArray, Normalised, default_top_n, rank_keys
from cxprio.texts import quoted
from cxprio.units import LABELS, number

WEIGHT_STEP = 0.05
"""The sliders' step: every weight a what-if tries is a multiple of it."""
_CHUNK = 64  # weightings ranked at once: the working arrays stay small at any catalogue size
_SAME = 1e-9  # weights closer than this are the same weight (0.1 + 0.2 is 0.3)


def slider_top(weights: Mapping[str, float]) -> float:
    """The highest weight a slider offers, for a catalogue with these weights: 1, or the
    catalogue's largest weight when that is above 1 (relative weights may be written as
    3, 2, 1)."""
    return max(1.0, *(float(w) for w in weights.values()))


def weight_grid(top: float) -> tuple[float, ...]:
    """Every weight a slider can be set to: 0, 0.05, 0.10, ... up to ``top``, each rounded
    to two decimals as the slider writes it (so 0.35 is ``0.35``, not ``0.35000000000000003``)."""
    steps = math.floor(top / WEIGHT_STEP + _SAME)
    return tuple(round(i * WEIGHT_STEP, 2) for i in range(steps + 1))


@dataclass(frozen=True)
class Move:
    """One measure's answer: the weight it ``needed`` (None when no weight on the grid
    moves the experience) instead of today's ``weight``, and the ``rank`` it then gives."""

    measure: str
    weight: float
    needed: float | None
    rank: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "weight": self.weight, "needed": self.needed, "rank": self.rank}


@dataclass(frozen=True)
class WhatIf:
    """Where ``experience`` (an id) stands under ``weights``: its ``rank``, whether it is
    ``inside`` the top ``top``, and one :class:`Move` per measure, in the measures' order,
    that would take it to the other side; ``highest`` is the top of the weights tried."""

    experience: str
    rank: int
    top: int
    inside: bool
    weights: dict[str, float]
    moves: tuple[Move, ...]
    highest: float

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``experience, rank, top, inside, weights, moves``."""
        return {
            "experience": self.experience,
            "rank": self.rank,
            "top": self.top,
            "inside": self.inside,
            "weights": dict(self.weights),
            "moves": [move.as_dict() for move in self.moves],
        }


def weight_words(value: float) -> str:
    """A weight as the sliders show it: two decimals (``0.20``), more only where it has them;
    ``0`` for none."""
    if value == 0:
        return "0"
    two = f"{value:.2f}"
    return two if float(two) == value else repr(value)


def standing_words(result: WhatIf, name: str) -> str:
    """Where the experience stands, in words: ``Query a bill is #6, inside the top 10.``"""
    side = "inside" if result.inside else "outside"
    return f"{name} is #{result.rank}, {side} the top {result.top}."


def move_words(result: WhatIf, move: Move) -> str:
    """One measure's answer in words: ``Failure demand at 0.35 instead of 0.20 puts it at
    #9``, or ``No weight of Reach from 0 to 1 moves it into the top 10``."""
    label = LABELS.get(move.measure, move.measure)
    if move.needed is None:
        way = "out of" if result.inside else "into"
        return f"No weight of {label} from 0 to {number(result.highest)} moves it {way} the top {result.top}"
    return f"{label} at {weight_words(move.needed)} instead of {weight_words(move.weight)} puts it at #{move.rank}"


def experience_row(norm: Normalised, experience_id: str) -> int:
    """The row of ``experience_id`` in ``norm``; a :class:`UsageError` naming it, with the
    nearest id, when the catalogue has none of that id."""
    row = bisect.bisect_left(norm.ids, experience_id)  # the rows are in id order
    if row < len(norm.ids) and norm.ids[row] == experience_id:
        return row
    close = difflib.get_close_matches(experience_id, norm.ids, n=1)
    hint = f"; did you mean {quoted(close[0])}?" if close else ""
    raise UsageError(f"no experience with id {quoted(experience_id)} in the catalogue{hint}")


def what_if(
    norm: Normalised,
    weights: Mapping[str, float],
    experience_id: str,
    *,
    top_n: int | None = None,
) -> WhatIf:
    """For each measure, the weight nearest to today's on the sliders' grid that moves
    ``experience_id`` into the top ``top_n`` when it is outside, or out of it when it is
    inside, every other weight as in ``weights``; see the module's docstring for the rules.

    ``top_n`` defaults to :func:`cxprio.method.scoring.default_top_n` of the catalogue's
    size. The grid runs to :func:`slider_top` of the catalogue's own weights, as the
    sliders do, whatever ``weights`` holds.
    """
    count = len(norm.ids)
    top = default_top_n(count) if top_n is None else top_n
    if top < 1:
        raise UsageError(f"top N must be at least 1, not {top}")
    row = experience_row(norm, experience_id)
    today = np.array([float(weights[name]) for name in MEASURES], dtype=np.float64)
    if not today.any():
        raise UsageError("at least one weight must be above 0")
    highest = slider_top(norm.catalogue.scoring.weights.as_dict())
    grid = np.array(weight_grid(highest), dtype=np.float64)

    # Row 0 is today's weighting; then, measure by measure, each grid weight in its place.
    tried = np.repeat(today[None, :], 1 + len(MEASURES) * len(grid), axis=0)
    for column in range(len(MEASURES)):
        start = 1 + column * len(grid)
        tried[start : start + len(grid), column] = grid
    ranks = _ranks_of(norm, tried, row)
    rank = int(ranks[0])
    inside = rank <= top

    moves = []
    for column, name in enumerate(MEASURES):
        start = 1 + column * len(grid)
        theirs = ranks[start : start + len(grid)]
        rows = tried[start : start + len(grid)]
        crosses = (theirs <= top) != inside
        crosses &= rows.any(axis=1)  # all weights 0: no ranking at all
        crosses &= np.abs(grid - today[column]) > _SAME  # today's weight is no move
        if not crosses.any():
            moves.append(Move(name, float(today[column]), None, None))
            continue
        candidates = np.flatnonzero(crosses)
        distance = np.round(np.abs(grid[candidates] - today[column]), 9)  # 0.25-0.2 == 0.2-0.15
        best = candidates[np.lexsort((grid[candidates], distance))[0]]
        moves.append(Move(name, float(today[column]), float(grid[best]), int(theirs[best])))
    return WhatIf(
        experience_id, rank, top, inside, {n: float(weights[n]) for n in MEASURES}, tuple(moves), highest
    )


def _ranks_of(norm: Normalised, weightings: FloatArray, row: int) -> npt.NDArray[np.int64]:
    """The rank of experience ``row`` under each weighting (rows of ``weightings``): one
    plus how many experiences have a smaller key, as the ranking orders them. Counting
    rather than sorting: only one experience's rank is wanted."""
    ranks = np.empty(len(weightings), dtype=np.int64)
    for start in range(0, len(weightings), _CHUNK):
        priorities = norm.weighted_means(weightings[start : start + _CHUNK])
        priorities *= 100.0  # as the ranking scales them, so ties fall on the same steps
        keys, _ = rank_keys(priorities)
        ranks[start : start + _CHUNK] = 1 + np.count_nonzero(keys < keys[:, row : row + 1], axis=1)
    return ranks
