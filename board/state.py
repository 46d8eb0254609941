"""What every page works from: the catalogue, the live weights and the ranking, with
what is computed once per catalogue version kept apart from what each weighting needs."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from cxprio import CatalogueError, LoadedCatalogue
from cxprio.catalogue.model import MEASURES, Catalogue, Level
from cxprio.method.ambition import AmbitionReport, check_ambition
from cxprio.method.evidence import guessed_share
from cxprio.method.ownership import (
    Handoffs,
    OwnershipReport,
    Seam,
    analyse_ownership,
    priority_sources,
    raci_table,
)
from cxprio.method.scoring import FloatArray, Normalised, Ranking, Scores, normalise, ranked_table, robustness
from cxprio.outputs.tables import descendants, distinct_names, matching, table_makers
from cxprio.units import tier_words

from . import ranges
from .jobs import Jobs
from .ranges import RankRanges
from .record import Record

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A small, thread-safe memo of the last ``size`` values computed, for what one
    catalogue version computes per filter or per experience. A plain lookup: the board
    looks these up at every rerun, where a Streamlit cache would hash its arguments."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: K) -> V | None:
        """The value of ``key`` when it is kept, without computing anything."""
        with self._lock:
            return self._values.get(key)

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()  # outside the lock: two sessions may both compute it, once
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


@dataclass(frozen=True)
class Tree:
    """An experience and everything under it: the rows (id order) and their display columns."""

    rows: npt.NDArray[np.intp]
    columns: pa.Table  # experience (indented by depth), level, ambition


@dataclass(frozen=True)
class Prepared:
    """A catalogue version as the board keeps it, so a rerun only re-ranks: the loaded
    catalogue, its normalised measures and display columns, and memos of its filters
    and drill-downs."""

    loaded: LoadedCatalogue
    norm: Normalised  # with an ``owner_name`` column beside the core's
    columns: dict[str, pa.Array]  # the displayed text and flags, by experience in id order
    rows_by_id: dict[str, int]  # experience id -> its row
    names: list[str]  # by row
    triggers: npt.NDArray[np.intp]  # rows of the triggers
    trigger_ids: npt.NDArray[np.object_]  # their ids
    name_of: dict[str, str]  # experience id -> name
    label_of: dict[str, str]  # experience id -> name, told apart where names repeat: for pickers
    team_labels: dict[str | None, str]  # team id -> name, and None -> "All teams"
    _matches: Memo[tuple[Any, ...], npt.NDArray[np.bool_] | None] = field(
        default_factory=lambda: Memo(64), repr=False, compare=False
    )
    _trees: Memo[str, Tree] = field(default_factory=lambda: Memo(64), repr=False, compare=False)
    _kept: Memo[Hashable, Any] = field(default_factory=lambda: Memo(64), repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return self.loaded.sha256

    def matching(
        self, levels: tuple[str, ...], team: str | None, tiers: tuple[str, ...], search: str
    ) -> npt.NDArray[np.bool_] | None:
        """The id-order mask of :func:`cxprio.outputs.tables.matching` (None: every experience)."""
        return self._matches.get(
            (levels, team, tiers, search),
            lambda: matching(self.norm, levels=levels, team=team, tiers=tiers, search=search),
        )

    def keep(self, key: Hashable, compute: Callable[[], V]) -> V:
        """What ``compute`` returns, computed once for this catalogue version and kept
        under ``key`` (among the 64 most recently used): for what a page derives from the
        catalogue whatever the weights, such as the RACI table, or per filter. The key
        must name everything the result depends on besides the catalogue."""
        value: V = self._kept.get(key, compute)
        return value

    def tree(self, experience_id: str) -> Tree:
        """``experience_id`` and everything under it (see :class:`Tree`)."""
        return self._trees.get(experience_id, lambda: self._tree(experience_id))

    def _tree(self, experience_id: str) -> Tree:
        tree = descendants(self.norm.catalogue, experience_id)
        rows = np.array([self.rows_by_id[i] for i in tree["id"]], dtype=np.intp)
        indented = ["\u2003" * int(d) + str(n) for d, n in zip(tree["depth"], tree["name"], strict=True)]
        level = self.columns["level_label"].take(rows)
        ambition = self.columns["ambition_label"].take(rows)
        return Tree(rows, pa.table({"experience": indented, "level": level, "ambition": ambition}))


DISPLAYED = ("id", "name", "level", "ambition", "owner_name", "complete", "reach")


def prepare(loaded: LoadedCatalogue) -> Prepared:
    """The catalogue version's normalised measures and display columns, built once."""
    norm = normalise(loaded.catalogue)
    names = loaded.catalogue.team_names()
    info = norm.info.assign(
        owner_name=[names.get(owner, "—") if owner else "—" for owner in norm.info["owner"]]
    )
    # Arrow once per catalogue: tables go to the browser as Arrow, so a rerun then takes
    # the rows it shows without converting any strings again.
    table = pa.Table.from_pandas(info[list(DISPLAYED)], preserve_index=False)
    triggers = np.flatnonzero((info["level"] == Level.TRIGGER.value).to_numpy())
    return Prepared(
        loaded=loaded,
        norm=replace(norm, info=info),
        columns={name: table.column(name).combine_chunks() for name in DISPLAYED} | _labels(info),
        rows_by_id={experience_id: row for row, experience_id in enumerate(norm.ids)},
        names=[str(name) for name in info["name"]],
        triggers=triggers,
        trigger_ids=np.array(norm.ids, dtype=object)[triggers],
        name_of=dict(zip(norm.ids, (str(name) for name in info["name"]), strict=True)),
        label_of=distinct_names(loaded.catalogue),
        team_labels=_team_labels(names),
    )


def _labels(info: pd.DataFrame) -> dict[str, pa.Array]:
    """The level and the ambition as people write them ("Journey", "Distinct", "No
    ambition"), for the tables people read; filters and charts keep the values."""
    return {
        "level_label": pa.array([str(level).capitalize() for level in info["level"]], type=pa.string()),
        "ambition_label": pa.array([tier_words(a) for a in info["ambition"]], type=pa.string()),
    }


def _team_labels(names: dict[str, str]) -> dict[str | None, str]:
    labels: dict[str | None, str] = {None: "All teams"}
    labels.update(names)
    return labels


_ANALYSES: Jobs[tuple[str, tuple[float, ...]], OwnershipReport] = Jobs(
    "cxprio-ownership", 16, drop_queued=False
)
"""Ownership analyses by catalogue version and weighting, each computed once on a
background thread: the Overview asks for its weighting's once it is drawn, so the
Ownership and Decision rights pages find it done, or wait for the same computation."""


def _priorities(norm: Normalised, ranked: Ranking) -> dict[str, float]:
    """Experience id -> priority under a ranking's weights, as the ownership analysis takes them."""
    return dict(zip(norm.ids, ranked.priority.tolist(), strict=True))


def _raci(prepared: Prepared, report: OwnershipReport) -> pd.DataFrame:
    return prepared.keep("raci", lambda: raci_table(prepared.loaded.catalogue, report.decision_findings))


UNOWNED_SHOWN = 5
"""How many of the most risky unowned seams the Overview lists."""


@dataclass(frozen=True)
class SeamSummary:
    """What the Overview shows of the seams: the coverage and the most risky unowned seams
    (:data:`UNOWNED_SHOWN` of them, most risky first)."""

    coverage: float | None
    unowned: list[Seam]


@dataclass(frozen=True)
class Board:
    """The catalogue on screen, the live weights and the ranking under them.

    The ranking is kept as arrays (:class:`Ranking`); the ranked :attr:`table` is built
    the first time a page asks for it in a run.
    """

    prepared: Prepared
    weights: dict[str, float]
    ranked: Ranking
    stale: CatalogueError | None  # the newest version's errors, when showing the last good one
    record: Record = field(default_factory=lambda: Record(None))  # where it stands in the store

    @property
    def loaded(self) -> LoadedCatalogue:
        return self.prepared.loaded

    @property
    def sha256(self) -> str:
        return self.prepared.sha256

    @property
    def catalogue(self) -> Catalogue:
        return self.loaded.catalogue

    @property
    def norm(self) -> Normalised:
        return self.prepared.norm

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """Every experience ranked, as :func:`cxprio.method.scoring.rank` returns it (plus ``owner_name``)."""
        return ranked_table(self.norm, self.ranked)

    @functools.cached_property
    def priorities(self) -> dict[str, float]:
        """Experience id -> priority under these weights (see :func:`_priorities`)."""
        return _priorities(self.norm, self.ranked)

    @property
    def weight_key(self) -> tuple[float, ...]:
        return tuple(self.weights[m] for m in MEASURES)

    @functools.cached_property
    def scores(self) -> Scores:
        """The ranking as :func:`cxprio.method.scoring.score` returns it, built once per run."""
        return Scores(self.table.drop(columns=["owner_name"]), self.weights, self.norm.warnings, self.norm)

    def ambition(self) -> AmbitionReport:
        """The ambition report under these weights, kept for the catalogue version."""
        return self.prepared.keep(
            ("ambition", self.weight_key), lambda: check_ambition(self.catalogue, self.scores)
        )

    def seams(self) -> SeamSummary:
        """The seams' coverage and the most risky unowned seams under these weights, kept
        for the catalogue version; only the seams shown are made (see :class:`Handoffs`)."""

        def summary() -> SeamSummary:
            handoffs = self.prepared.keep("handoffs", lambda: Handoffs.of(self.catalogue))
            priorities = self.priorities
            sources = priority_sources(self.catalogue, priorities)
            return SeamSummary(
                handoffs.coverage(sources),
                handoffs.most_risky_unowned(priorities, sources, UNOWNED_SHOWN),
            )

        return self.prepared.keep(("seams", self.weight_key), summary)

    def ownership(self) -> OwnershipReport:
        """The whole ownership analysis under these weights (see :meth:`prefetch_ownership`)."""
        return self.prefetch_ownership().result()

    def drawn(self) -> None:
        """Say the page is drawn: the whole ownership analysis under these weights starts
        in the background, for the Ownership and Decision rights pages."""
        self.prefetch_ownership()

    def prefetch_ownership(self) -> Future[OwnershipReport]:
        """The ownership analysis under these weights, started in the background unless it
        was asked for already; the RACI table (see :meth:`raci`) is built with it."""
        prepared, ranked = self.prepared, self.ranked

        def work() -> OwnershipReport:  # the priorities too: a page asking again builds nothing
            report = analyse_ownership(prepared.loaded.catalogue, _priorities(prepared.norm, ranked))
            report.metrics  # noqa: B018  # computed here, not on the page that shows them
            _raci(prepared, report)
            return report

        return _ANALYSES.request((self.sha256, self.weight_key), work)

    def raci(self) -> pd.DataFrame:
        """The RACI table with each decision's defects (:func:`cxprio.method.ownership.raci_table`),
        kept for the catalogue version: roles and defects do not depend on the weights."""
        return _raci(self.prepared, self.ownership())

    def table_makers(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """Every table the board shows, by CSV name, each built when called (see
        :func:`cxprio.outputs.tables.table_makers`)."""
        return table_makers(self.catalogue, self.scores, self.ambition(), self.ownership())

    @functools.cached_property
    def guessed_share(self) -> FloatArray:
        """Per experience (id order), the share of its priority under these weights that
        comes from guessed values (:func:`cxprio.method.evidence.guessed_share`)."""
        return guessed_share(self.norm, self.weights)

    def ranges_key(self, top_n: int) -> Hashable:
        """What this weighting's rank ranges are known by (see :mod:`board.ranges`)."""
        return (self.sha256, self.weight_key, top_n)

    def known_ranges(self, top_n: int) -> Future[RankRanges] | None:
        """The rank ranges under nearby weights when they were asked for, done or not."""
        return ranges.jobs().peek(self.ranges_key(top_n))

    def ranges_work(self, top_n: int) -> Callable[[], pd.DataFrame]:
        """The work of this weighting's rank ranges, to run in the background."""
        norm, weights = self.norm, dict(self.weights)
        return lambda: robustness(norm, weights, top_n=top_n)

    def rank_ranges(self, top_n: int) -> Future[RankRanges]:
        """The rank ranges under nearby weights (one row per experience in id order),
        started in the background unless they are known: the future is done at once when
        they are."""
        return ranges.jobs().request(self.ranges_key(top_n), self.ranges_work(top_n))

    def matching(
        self,
        *,
        levels: Sequence[str] = (),
        team: str | None = None,
        tiers: Sequence[str] = (),
        search: str = "",
    ) -> npt.NDArray[np.intp]:
        """The rows that pass the filters (see :func:`cxprio.outputs.tables.matching`), by rank."""
        mask = self.prepared.matching(tuple(levels), team, tuple(tiers), search.strip())
        order = self.ranked.order
        return order if mask is None else order[mask[order]]

    def triggers(self) -> list[str]:
        """The ids of the triggers, highest priority first."""
        rows = self.prepared.triggers
        return list(self.prepared.trigger_ids[np.argsort(self.ranked.rank[rows])])

    def tree(self, experience_id: str) -> pa.Table:
        """The experience and everything under it with their rank and priority (see :class:`Tree`)."""
        tree = self.prepared.tree(experience_id)
        return tree.columns.append_column("rank", pa.array(self.ranked.rank[tree.rows])).append_column(
            "priority", pa.array(self.ranked.priority[tree.rows])
        )

    def view(
        self, rows: npt.NDArray[np.intp], columns: Sequence[str], spread: RankRanges | None = None
    ) -> pa.Table:
        """Those rows as an Arrow table of ``columns``: any of the displayed ones
        (:data:`DISPLAYED`), ``rank``, ``priority``, ``customer_value`` and
        ``business_value`` and, given rank ranges, ``rank_range`` and ``stable_top_n``."""
        indices = pa.array(rows)  # converted once for every column taken
        arrays: list[pa.Array] = []
        for name in columns:
            if name in self.prepared.columns:
                arrays.append(self.prepared.columns[name].take(indices))
            elif name in VALUES:
                arrays.append(pa.array(getattr(self.ranked, name)[rows]))
            elif name == "rank_range" and spread is not None:
                arrays.append(spread.text.take(indices))
            elif name == "stable_top_n" and spread is not None:
                arrays.append(pa.array(spread.stable[rows]))
            else:
                raise KeyError(f"no column {name!r} in the board's view")
        return pa.Table.from_arrays(arrays, names=list(columns))


VALUES = ("rank", "priority", "customer_value", "business_value")
"""The weighting's columns in :meth:`Board.view`."""
