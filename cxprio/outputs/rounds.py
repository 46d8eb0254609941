"""The tables of workshop rounds the board, the command line and the workshop pack show
(pandas): the dots of each result, how the ranking would move, the weights vote, who
has scored, who gave the lowest and highest score, the raw scores as CSV, rounds listed,
and a closed round's record.

:func:`facilitator_view` and :func:`round_record` read a round from the store
(:mod:`cxprio.store.rounds`, :mod:`cxprio.store.round_scores`) and compute what they
show in one go; the rest are made from what the caller has read. The values and
statistics behind them are in :mod:`cxprio.method.rounds`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from cxprio.catalogue.model import Catalogue, Tier
from cxprio.method.rounds.model import (
    AMBITION,
    JUDGEMENT,
    SCORE_COLUMNS,
    TIER,
    Participant,
    Round,
    RoundError,
    Score,
    as_given,
    criterion_label,
)
from cxprio.method.rounds.proposals import Proposal, accepted_catalogue, proposals
from cxprio.method.rounds.summary import Aggregate, aggregate, median_weights, weight_shares
from cxprio.method.scoring import Normalised, normalise, ranking
from cxprio.outputs.exports import csv_text
from cxprio.store.round_scores import participants, scores
from cxprio.store.rounds import get_round
from cxprio.store.versions import Store
from cxprio.units import LABELS, as_written, field_label, is_fact, number


def dot_tables(
    summaries: Sequence[Aggregate], found: Round, catalogue: Catalogue, names: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What :func:`cxprio.outputs.charts.score_dots` draws for ``summaries``, in their order:
    the dots (``label, panel, x, count``: how many gave each value, no names) and the
    marks (``label, panel, axis, median, today``)."""
    scales = catalogue.scoring.scales.as_dict()
    known = {e.id: e for e in catalogue.experiences}
    dots, marks = [], []
    for a in summaries:
        kind = found.criteria.get(a.criterion, a.kind)
        panel = criterion_label(a.criterion, kind)
        label = names.get(a.experience, a.experience)
        experience = known.get(a.experience)
        today: float | None = None
        if a.kind == TIER:
            axis = "tier"
            if experience is not None and experience.ambition is not None:
                today = float(experience.ambition.strength)
        else:
            axis = "judgement" if a.kind == JUDGEMENT else scales[a.criterion].transform.value
            measured = getattr(experience.measures, a.criterion) if experience is not None else None
            if measured is not None and not (a.kind == JUDGEMENT and is_fact(a.criterion)):
                today = float(measured)
        marks.append({"label": label, "panel": panel, "axis": axis, "median": a.median, "today": today})
        dots += [{"label": label, "panel": panel, "x": x, "count": n} for x, n in a.counts]
    return (
        pd.DataFrame(dots, columns=["label", "panel", "x", "count"]),
        pd.DataFrame(marks, columns=["label", "panel", "axis", "median", "today"]).astype(
            {"today": "float64"}
        ),
    )


def preview(
    catalogue: Catalogue,
    chosen: Sequence[Proposal],
    weights: Mapping[str, float],
    *,
    norm: Normalised | None = None,
) -> pd.DataFrame:
    """How the ranking moves if ``chosen`` are accepted: per experience whose rank or
    priority changes, ``id, name, rank_now, rank_then_accepted, moves, priority_now,
    priority_accepted``; biggest moves first. ``norm``: ``catalogue`` normalised, when
    the caller has it."""
    now = norm or normalise(catalogue)
    after = normalise(accepted_catalogue(catalogue, chosen))
    before_rank, after_rank = ranking(now, weights), ranking(after, weights)
    names = dict(zip(catalogue.columns.id, catalogue.columns.name, strict=True))
    table = pd.DataFrame(
        {
            "id": list(now.ids),
            "name": [names[i] for i in now.ids],
            "rank_now": before_rank.rank,
            "rank_accepted": after_rank.rank,
            "priority_now": before_rank.priority.round(1),
            "priority_accepted": after_rank.priority.round(1),
        }
    )
    table["moves"] = table["rank_now"] - table["rank_accepted"]
    changed = table[(table["moves"] != 0) | (table["priority_now"] != table["priority_accepted"])]
    order = changed["moves"].abs().sort_values(ascending=False, kind="stable").index
    return changed.loc[order].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class WeightsVote:
    """A round's weights vote: the median of each weight (each participant's weights
    taken as shares of their sum), and, for the top 10 under those medians, how many
    participants' own weights keep each experience in their top 10."""

    voters: int
    median: dict[str, float]
    top: pd.DataFrame  # rank, id, name, kept (participants), of (voters)


def weights_vote(
    rows: Sequence[Score], catalogue: Catalogue, *, top: int = 10, norm: Normalised | None = None
) -> WeightsVote | None:
    """The weights vote of a round's scores, ``None`` when nobody has voted. A
    participant's missing weights count as the catalogue's own."""
    shares = weight_shares(rows, catalogue.scoring.weights.as_dict())
    if not shares:
        return None
    median = median_weights(shares)
    norm = norm or normalise(catalogue)
    count = min(top, len(norm.ids))
    agreed = ranking(norm, median)
    leaders = agreed.order[:count]
    kept = np.zeros(len(norm.ids), dtype=int)
    for weights in shares:
        own = ranking(norm, weights)
        kept[own.order[:count]] += 1
    names = dict(zip(catalogue.columns.id, catalogue.columns.name, strict=True))
    table = pd.DataFrame(
        {
            "rank": np.arange(1, count + 1),
            "id": [norm.ids[i] for i in leaders],
            "name": [names[norm.ids[i]] for i in leaders],
            "kept": kept[leaders],
            "of": len(shares),
        }
    )
    return WeightsVote(len(shares), median, table)


def progress(found: Round, people: Sequence[Participant], rows: Sequence[Score]) -> pd.DataFrame:
    """Per participant, in joining order: ``name, scored, of, share, last``."""
    counted = Counter(r.participant_id for r in rows)
    last: dict[int, datetime] = {}
    for row in rows:
        last[row.participant_id] = max(last.get(row.participant_id, row.updated_at), row.updated_at)
    expected = found.expected()
    return pd.DataFrame(
        {
            "name": [p.name for p in people],
            "scored": [counted.get(p.id, 0) for p in people],
            "of": expected,
            "share": [min(1.0, counted.get(p.id, 0) / expected) if expected else 0.0 for p in people],
            "last": [last.get(p.id) for p in people],
        }
    )


def extremes(rows: Sequence[Score], summaries: Sequence[Aggregate]) -> pd.DataFrame:
    """Who gave the lowest and the highest score of each summary, for the facilitator's
    own screen (planning poker's convention: the two ends explain first). Per summary,
    in its order, where the scores differ: ``experience, criterion, lowest, low,
    highest, high`` (names joined by commas; the values as given)."""
    by_key: dict[tuple[str, str], list[Score]] = {}
    for row in rows:
        by_key.setdefault((row.experience, row.criterion), []).append(row)
    table = []
    for a in summaries:
        given = [r for r in by_key.get((a.experience, a.criterion), []) if r.value is not None or r.tier]
        if a.kind == TIER:
            strength = {t.value: float(t.strength) for t in Tier}
            placed = [(strength[r.tier], r) for r in given if r.tier]
        else:
            placed = [(float(r.value), r) for r in given if r.value is not None]
        if not placed or a.min == a.max:
            continue
        low, high = min(v for v, _ in placed), max(v for v, _ in placed)
        table.append(
            {
                "experience": a.experience,
                "criterion": a.criterion,
                "lowest": ", ".join(r.participant for v, r in placed if v == low),
                "low": next(as_given(r) for v, r in placed if v == low),
                "highest": ", ".join(r.participant for v, r in placed if v == high),
                "high": next(as_given(r) for v, r in placed if v == high),
            }
        )
    return pd.DataFrame(table, columns=["experience", "criterion", "lowest", "low", "highest", "high"])


@dataclass(frozen=True)
class FacilitatorView:
    """Everything the facilitator's live view shows, read and computed in one go: the
    round, who joined, every score, progress per participant, the revealed summaries
    (widest disagreement first), how the ranking would move if their results were
    accepted, and the weights vote once the whole round is revealed."""

    round: Round
    people: list[Participant]
    rows: list[Score]
    progress: pd.DataFrame
    revealed: list[Aggregate]
    moved: pd.DataFrame
    vote: WeightsVote | None


def facilitator_view(
    store: Store,
    code: str,
    catalogue: Catalogue,
    weights: Mapping[str, float],
    *,
    norm: Normalised | None = None,
) -> FacilitatorView:
    """The live view of round ``code`` (see :class:`FacilitatorView`); what a refresh of
    the projector costs (``bench/bench_workshop.py`` times it). ``norm``: the catalogue
    normalised, when the caller has it (the board does), else it is done here, once."""
    found = get_round(store, code)
    people = participants(store, found)
    rows = scores(store, found)
    revealed = [a for a in aggregate(found, rows, catalogue) if found.is_revealed(a.experience)]
    vote_due = found.weights_vote and found.revealed_all
    if norm is None and (revealed or vote_due):
        norm = normalise(catalogue)
    moved = (
        preview(catalogue, proposals(found, revealed, catalogue), weights, norm=norm)
        if revealed
        else pd.DataFrame()
    )
    vote = weights_vote(rows, catalogue, norm=norm) if vote_due else None
    return FacilitatorView(found, people, rows, progress(found, people, rows), revealed, moved, vote)


def scores_csv(rows: Sequence[Score]) -> str:
    """The raw scores as CSV (:data:`~cxprio.method.rounds.model.SCORE_COLUMNS` and when
    each was last changed), readable back by
    :func:`cxprio.store.round_scores.import_scores` once the last column is dropped. A
    name that a spreadsheet would run as a formula is written with a ``'`` before it
    (:func:`cxprio.outputs.exports.csv_text`), which ``import_scores`` drops."""
    table = pd.DataFrame(
        [
            {
                "participant": r.participant,
                "experience": r.experience,
                "criterion": r.criterion,
                "value": r.shown,
                "updated_at": f"{r.updated_at:%Y-%m-%dT%H:%M:%SZ}",
            }
            for r in rows
        ],
        columns=[*SCORE_COLUMNS, "updated_at"],
    )
    return csv_text(table, index=False)


def rounds_table(listed: Sequence[Round]) -> pd.DataFrame:
    """Rounds as a table: code, title, state, opened (UTC), by, experiences, criteria."""
    return pd.DataFrame(
        [
            {
                "code": r.code,
                "title": r.title,
                "state": r.state(),
                "opened": f"{r.created_at:%Y-%m-%d %H:%M}",
                "by": r.created_by,
                "experiences": len(r.experiences),
                "criteria": ", ".join("Ambition" if c == AMBITION else LABELS.get(c, c) for c in r.criteria),
                "version": "" if r.result_version_id is None else r.result_version_id,
            }
            for r in listed
        ],
        columns=["code", "title", "state", "opened", "by", "experiences", "criteria", "version"],
    )


@dataclass(frozen=True)
class RoundRecord:
    """What a closed round leaves for the record (the workshop pack): the round, how
    many took part, its results widest disagreement first (``results``: experience,
    criterion, n, median, range, disagreement, as people read them), their dots
    (:func:`dot_tables`), and every value it changed in the catalogue (``accepted``:
    experience, what, was, now)."""

    round: Round
    participants: int
    results: pd.DataFrame
    dots: tuple[pd.DataFrame, pd.DataFrame]
    accepted: pd.DataFrame

    @property
    def heading(self) -> str:
        return f"Workshop round {self.round.code}: {self.round.title}"

    def about(self) -> str:
        """Who, when, what was asked, and what it changed, in a sentence."""
        found = self.round
        asked = ", ".join(criterion_label(c, k) for c, k in found.criteria.items())
        closed = f"{found.closed_at:%d %b %Y}" if found.closed_at else "not closed"
        count = len(self.accepted)
        return (
            f"{self.participants} participant{'' if self.participants == 1 else 's'} scored "
            f"{len(found.experiences)} experience{'' if len(found.experiences) == 1 else 's'} on {asked}; "
            f"closed {closed} by {found.closed_by or 'nobody'}: "
            + (
                f"{count} value{'s' if count != 1 else ''} accepted into version {found.result_version_id}."
                if count
                else "no value in the catalogue changed."
            )
        )


RESULT_COLUMNS = ["experience", "criterion", "n", "median", "range", "disagreement"]


def readable_results(
    summaries: Sequence[Aggregate], found: Round, names: Mapping[str, str], *, short: bool = False
) -> pd.DataFrame:
    """The results as people read them, in their order (widest disagreement first):
    the experience's name, the criterion (``short``: its name alone; else with what was
    asked, ``Reach (customers a year)``), how many scored, the median and the range
    written as the catalogue writes numbers (a tier vote: the tier with most votes, and
    the votes), and the disagreement (0 to 1)."""
    rows = []
    for a in summaries:
        if a.kind == TIER:
            median = a.majority.capitalize() if a.majority else "Tied"
            spread = ", ".join(f"{t.capitalize()} {c}" for t, c in a.votes.items() if c)
        else:
            median = number(round(a.median, 6))
            low, high = number(round(a.min, 6)), number(round(a.max, 6))
            spread = low if low == high else f"{low} to {high}"
        label = (
            ("Ambition" if a.criterion == AMBITION else LABELS.get(a.criterion, a.criterion))
            if short
            else criterion_label(a.criterion, found.criteria.get(a.criterion, a.kind))
        )
        rows.append([names.get(a.experience, a.experience), label, a.n, median, spread, a.disagreement])
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def round_record(store: Store, code: str, catalogue: Catalogue) -> RoundRecord:
    """The record of closed round ``code`` (see :class:`RoundRecord`), with names from
    ``catalogue``; a round still open is refused: the record is what the room agreed."""
    found = get_round(store, code)
    if not found.closed:
        raise RoundError(f"round {found.code} is still open: close it first, then its results go in the pack")
    rows = scores(store, found)
    summaries = aggregate(found, rows, catalogue)
    names = {e.id: e.name for e in catalogue.experiences}
    results = readable_results(summaries, found, names).assign(
        disagreement=lambda t: t["disagreement"].map(lambda d: f"{d:.2f}")
    )
    accepted = pd.DataFrame(
        [
            {
                "experience": names.get(a["experience"], a["experience"]),
                "what": field_label(a["field"]),
                "was": as_written(a["old"], missing="none") if "old" in a else "",
                "now": as_written(a.get("new", a.get("value")), missing="none"),
            }
            for a in found.changed
        ],
        columns=["experience", "what", "was", "now"],
    )
    people = len({r.participant_id for r in rows})
    return RoundRecord(found, people, results, dot_tables(summaries[:10], found, catalogue, names), accepted)
