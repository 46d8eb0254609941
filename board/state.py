"""What every page works from: the catalogue, the live weights and the ranking, with
what is computed once per catalogue version kept apart from what each weighting needs."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import streamlit as st

from cxprio import CatalogueError, LoadedCatalogue
from cxprio.ambition import AmbitionReport, check_ambition
from cxprio.model import MEASURES, Catalogue, Level
from cxprio.ownership import OwnershipReport, analyse_ownership
from cxprio.scoring import Normalised, Ranking, Scores, normalise, ranked_table, robustness
from cxprio.tables import descendants, every_table, matching

from . import ranges


@dataclass(frozen=True)
class Prepared:
    """What the board keeps per catalogue version, so a rerun only re-ranks."""

    norm: Normalised  # with an ``owner_name`` column beside the core's
    columns: pa.Table  # the displayed text and flags, one row per experience in id order
    rows_by_id: dict[str, int]  # experience id -> its row
    names: list[str]  # by row
    triggers: npt.NDArray[np.intp]  # rows of the triggers
    name_of: dict[str, str]  # experience id -> name, for selectbox labels
    team_labels: dict[str | None, str]  # team id -> name, and None -> "All teams"


DISPLAYED = ("id", "name", "level", "ambition", "owner_name", "complete", "reach")


@st.cache_resource(show_spinner=False, max_entries=8)
def prepare(sha256: str, _loaded: LoadedCatalogue) -> Prepared:
    """The catalogue version's normalised measures and display columns, built once."""
    norm = normalise(_loaded.catalogue)
    names = _loaded.catalogue.team_names()
    info = norm.info.assign(
        owner_name=[names.get(owner, "—") if owner else "—" for owner in norm.info["owner"]]
    )
    # Arrow once per catalogue: tables go to the browser as Arrow, so a rerun then takes
    # the rows it shows without converting any strings again.
    columns = pa.Table.from_pandas(info[list(DISPLAYED)], preserve_index=False)
    return Prepared(
        norm=replace(norm, info=info),
        columns=columns,
        rows_by_id={experience_id: row for row, experience_id in enumerate(norm.ids)},
        names=[str(name) for name in info["name"]],
        triggers=np.flatnonzero((info["level"] == Level.TRIGGER.value).to_numpy()),
        name_of=dict(zip(norm.ids, (str(name) for name in info["name"]), strict=True)),
        team_labels=_team_labels(names),
    )


def _team_labels(names: dict[str, str]) -> dict[str | None, str]:
    labels: dict[str | None, str] = {None: "All teams"}
    labels.update(names)
    return labels


@st.cache_resource(show_spinner=False, max_entries=16)
def _ownership(sha256: str, weights: tuple[float, ...], _board: Board) -> OwnershipReport:
    priorities = dict(zip(_board.norm.ids, _board.ranked.priority.tolist(), strict=True))
    return analyse_ownership(_board.catalogue, priorities)


@st.cache_resource(show_spinner=False, max_entries=64)
def _matching(
    sha256: str,
    levels: tuple[str, ...],
    team: str | None,
    tiers: tuple[str, ...],
    search: str,
    _norm: Normalised,
) -> npt.NDArray[np.bool_] | None:
    return matching(_norm, levels=levels, team=team, tiers=tiers, search=search)


@dataclass(frozen=True)
class Tree:
    """An experience and everything under it: the rows (id order) and their display columns."""

    rows: npt.NDArray[np.intp]
    columns: pa.Table  # experience (indented by depth), level, ambition


@st.cache_resource(show_spinner=False, max_entries=64)
def _tree_under(sha256: str, experience_id: str, _prepared: Prepared) -> Tree:
    tree = descendants(_prepared.norm.catalogue, experience_id)
    rows = np.array([_prepared.rows_by_id[i] for i in tree["id"]], dtype=np.intp)
    indented = ["\u2003" * int(d) + str(n) for d, n in zip(tree["depth"], tree["name"], strict=True)]
    ambition = _prepared.columns.column("ambition").take(rows)
    return Tree(
        rows, pa.table({"experience": indented, "level": tree["level"].tolist(), "ambition": ambition})
    )


@dataclass(frozen=True)
class Board:
    """The catalogue on screen, the live weights and the ranking under them.

    The ranking is kept as arrays (:class:`Ranking`); the ranked :attr:`table` is built
    the first time a page asks for it in a run.
    """

    loaded: LoadedCatalogue
    weights: dict[str, float]
    prepared: Prepared
    ranked: Ranking
    stale: CatalogueError | None  # the newest version's errors, when showing the last good one

    @property
    def sha256(self) -> str:
        return self.loaded.sha256

    @property
    def catalogue(self) -> Catalogue:
        return self.loaded.catalogue

    @property
    def norm(self) -> Normalised:
        return self.prepared.norm

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """Every experience ranked, as :func:`cxprio.scoring.rank` returns it (plus ``owner_name``)."""
        return ranked_table(self.norm, self.ranked)

    @property
    def weight_key(self) -> tuple[float, ...]:
        return tuple(self.weights[m] for m in MEASURES)

    @functools.cached_property
    def scores(self) -> Scores:
        """The ranking as :func:`cxprio.scoring.score` returns it, built once per run."""
        return Scores(self.table.drop(columns=["owner_name"]), self.weights, self.norm.warnings, self.norm)

    def ambition(self) -> AmbitionReport:
        return check_ambition(self.catalogue, self.scores)

    def ownership(self) -> OwnershipReport:
        return _ownership(self.sha256, self.weight_key, self)

    def every_table(self) -> dict[str, pd.DataFrame]:
        """Every table the board shows, by CSV name (see :func:`cxprio.tables.every_table`)."""
        return every_table(self.catalogue, self.scores, self.ambition(), self.ownership())

    def rank_ranges(self, top_n: int) -> Future[pd.DataFrame]:
        """Rank ranges under nearby weights (one row per experience in id order), computed
        in the background: the future is done at once when they are known already."""
        norm, weights = self.norm, dict(self.weights)
        return ranges.jobs().request(
            (self.sha256, self.weight_key, top_n), lambda: robustness(norm, weights, top_n=top_n)
        )

    def matching(
        self,
        *,
        levels: Sequence[str] = (),
        team: str | None = None,
        tiers: Sequence[str] = (),
        search: str = "",
    ) -> npt.NDArray[np.intp]:
        """The rows that pass the filters (see :func:`cxprio.tables.matching`), by rank."""
        mask = _matching(self.sha256, tuple(levels), team, tuple(tiers), search.strip(), self.norm)
        order = self.ranked.order
        return order if mask is None else order[mask[order]]

    def tree(self, experience_id: str) -> pa.Table:
        """The experience and everything under it with their rank and priority (see :class:`Tree`)."""
        tree = _tree_under(self.sha256, experience_id, self.prepared)
        return tree.columns.append_column("rank", pa.array(self.ranked.rank[tree.rows])).append_column(
            "priority", pa.array(self.ranked.priority[tree.rows])
        )

    def view(self, rows: npt.NDArray[np.intp], spread: pd.DataFrame | None = None) -> pa.Table:
        """Those rows as an Arrow table: the displayed columns, rank, priority, customer and
        business value, and, given rank ranges, the range and whether it is a stable top N."""
        ranked = self.ranked
        view = self.prepared.columns.take(rows)
        numbers: dict[str, Any] = {
            "rank": ranked.rank[rows],
            "priority": ranked.priority[rows],
            "customer_value": ranked.customer_value[rows],
            "business_value": ranked.business_value[rows],
        }
        if spread is not None:
            low, high = spread["rank_p5"].to_numpy()[rows], spread["rank_p95"].to_numpy()[rows]
            numbers["rank_range"] = [f"{a}–{b}" for a, b in zip(low.tolist(), high.tolist(), strict=True)]
            numbers["stable_top_n"] = spread["stable_top_n"].to_numpy()[rows]
        for name, values in numbers.items():
            view = view.append_column(name, pa.array(values))
        return view
