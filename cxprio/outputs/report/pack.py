"""Assembling the workshop pack: what it shows, computed once for every format.

:func:`gather` computes, for one catalogue and one weighting, the ranking with its rank
ranges and the top priorities that rest on guesses, the ambition check, the seams and decision-rights findings, and the quarter
comparison or a closed round when there is one, into a :class:`Workshop`; the format
modules (:mod:`.html`, :mod:`.workbook`, :mod:`.slides`, :mod:`.bundle`) only lay it out.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxprio.catalogue.loading import LoadedCatalogue
from cxprio.catalogue.model import Catalogue
from cxprio.method.ambition import AmbitionReport, check_ambition
from cxprio.method.compare import Comparison
from cxprio.method.evidence import evidence_findings
from cxprio.method.findings import Finding
from cxprio.method.maturity import RungCount, maturity, without_steps
from cxprio.method.ownership import (
    OwnershipReport,
    analyse_ownership,
    seams_table,
)
from cxprio.method.scoring import Scores, default_top_n, ranking, robustness, score
from cxprio.outputs.tables import rung_summary
from cxprio.store.snapshots import Snapshot, compare_quarters, quarters
from cxprio.store.versions import Store

if TYPE_CHECKING:
    from cxprio.outputs.rounds import RoundRecord


Progress = Callable[[float, str], None]
"""Called with the share done (0 to 1) and what is being done, for a progress bar."""

TOP = 10
"""Priorities on the slides and at the top of the report."""
REPORT_TOP = 25
"""Priorities listed in the HTML report."""
LISTED = 15
"""Seams and findings listed in the report and on the slides (the workbook has them all)."""
MOVERS_SHOWN = 5
"""Risers and fallers each named on the slope chart: with the top 10, a chart that fits a slide."""


@dataclass(frozen=True)
class Format:
    """One file of the pack: its name's suffix, MIME type and what it is."""

    suffix: str
    mime: str
    label: str


FORMATS: dict[str, Format] = {
    "html": Format(".html", "text/html", "Report (HTML, prints on A4)"),
    "xlsx": Format(
        ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Workbook (Excel)"
    ),
    "pptx": Format(
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Slides (PowerPoint)",
    ),
    "charts": Format("-charts.zip", "application/zip", "Charts (SVG and PNG) and the team graph (DOT)"),
    "zip": Format("-workshop-pack.zip", "application/zip", "Everything above, in one ZIP"),
}


def file_name(source: str, fmt: str) -> str:
    """A download name for ``fmt``: the catalogue file's name and the format's suffix."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePath(source).stem).strip("-") or "catalogue"
    return f"{stem}{FORMATS[fmt].suffix}"


@dataclass(frozen=True)
class History:
    """The quarter comparison the pack includes: ``then`` and ``now`` are quarter labels."""

    comparison: Comparison

    @property
    def then(self) -> str:
        return self.comparison.then

    @property
    def now(self) -> str:
        return self.comparison.now


@dataclass(frozen=True)
class Workshop:
    """Everything the pack shows, for one catalogue version and one weighting."""

    catalogue: Catalogue
    source: str  # the catalogue file's name, as the pack names it
    sha256: str
    scores: Scores
    ranges: pd.DataFrame  # cxprio.method.scoring.robustness, in the ranking's order
    top_n: int
    ambition: AmbitionReport
    ownership: OwnershipReport
    evidence: tuple[Finding, ...] = ()
    """The top priorities that rest on guesses (:func:`cxprio.method.evidence.evidence_findings`)."""
    history: History | None = None
    round: RoundRecord | None = None
    """A closed workshop round's results and what it changed, when one is chosen."""
    date: _dt.date = _dt.date(2000, 1, 1)
    """The pack's date, on its title slide and cover: :func:`gather` sets it."""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.scores.weights)

    @property
    def title(self) -> str:
        return f"{self.catalogue.organisation.name}: workshop pack"

    def file_name(self, fmt: str) -> str:
        """A download name for ``fmt`` (see :func:`file_name`)."""
        return file_name(self.source, fmt)

    def priorities(self) -> pd.DataFrame:
        """Every experience, best first, with the rank range and top-N share."""
        if "priorities" not in self._cache:
            table = self.scores.table.merge(self.ranges, on="id", how="left")
            ranges = ["rank_p5", "rank_p95", "top_n_share", "stable_top_n"]
            rest = [c for c in table.columns if c not in ranges and c != "rank"]
            self._cache["priorities"] = table[["rank", *ranges[:2], *rest, *ranges[2:]]]
        frame: pd.DataFrame = self._cache["priorities"]
        return frame

    def top(self, count: int) -> pd.DataFrame:
        """The ``count`` highest priorities, with ``range`` (the rank range as text, such as
        ``3–7``) and the ambition as its tier's label."""
        return (
            self.priorities()
            .head(count)
            .assign(
                range=lambda t: [f"{a}–{b}" for a, b in zip(t["rank_p5"], t["rank_p95"], strict=True)],
                ambition=lambda t: t["ambition"].fillna("no ambition").str.capitalize(),
                level=lambda t: t["level"].str.capitalize(),
            )
        )

    def seams(self) -> pd.DataFrame:
        """Every seam, riskiest first, with team names."""
        table = seams_table(self.ownership.seams, self.catalogue.team_names())
        return table.sort_values(["owned", "risk"], ascending=[True, False], kind="stable")

    def rungs(self) -> list[RungCount]:
        """Each rung of the maturity arc with its experiences, highest priority first
        (worked out once: the report, the slides and the workbook each show it)."""
        if "rungs" not in self._cache:
            self._cache["rungs"] = maturity(self.catalogue, self.scores.priorities())
        rungs: list[RungCount] = self._cache["rungs"]
        return rungs

    def rung_summary(self, named: int) -> pd.DataFrame:
        """One row per rung (:func:`cxprio.outputs.tables.rung_summary`), naming each rung's
        ``named`` highest priorities."""
        return rung_summary(self.catalogue, self.rungs(), named)

    def maturity_table(self) -> pd.DataFrame:
        """Every experience with steps and its rung, rung by rung, highest priority first."""
        priorities = self.scores.priorities()
        names = {e.id: e.name for e in self.catalogue.experiences}
        rows = [
            {"rung": r.rung, "rung_name": r.name, "id": e, "name": names[e], "priority": priorities.get(e)}
            for r in self.rungs()
            for e in r.experiences
        ]
        return pd.DataFrame(rows, columns=["rung", "rung_name", "id", "name", "priority"])

    def without_steps(self) -> int:
        """How many experiences have no steps, and so no rung."""
        return without_steps(self.catalogue)

    def unowned_seams(self) -> pd.DataFrame:
        """The unowned seams most worth fixing: riskiest first."""
        table = self.seams()
        return table[~table["owned"]]


def gather(
    loaded: LoadedCatalogue | Catalogue,
    *,
    sha256: str | None = None,
    weights: Mapping[str, float] | None = None,
    source: str | None = None,
    history: Comparison | None = None,
    round_record: RoundRecord | None = None,
    date: _dt.date | None = None,
    progress: Progress | None = None,
) -> Workshop:
    """Compute what the pack shows for a catalogue and a weighting (the catalogue's own
    where ``weights`` leaves a measure out). ``sha256`` is the catalogue text's (a loaded
    catalogue's own by default), named in the pack so a reader can tell which version it
    shows; ``history``: the quarter comparison to include; ``round_record``: a closed
    workshop round's results (:func:`cxprio.outputs.rounds.round_record`); ``date``: the pack's
    date (the round's closing day when there is one, else today)."""
    say = progress or quiet
    if sha256 is None:
        if not isinstance(loaded, LoadedCatalogue):
            raise ValueError("give the SHA-256 of the catalogue's text")
        sha256 = loaded.sha256
    catalogue = loaded.catalogue if isinstance(loaded, LoadedCatalogue) else loaded
    name = source or (loaded.source if isinstance(loaded, LoadedCatalogue) else "catalogue.yaml")
    say(0.02, "Ranking the experiences")
    scores = score(catalogue, weights=weights)
    top_n = default_top_n(len(catalogue.experiences))
    say(0.08, "Working out rank ranges")
    ranges = robustness(scores.normalised, scores.weights, top_n=top_n)
    guesses = evidence_findings(
        scores.normalised, ranking(scores.normalised, scores.weights), scores.weights, top_n=top_n
    )
    say(0.15, "Checking ambition")
    ambition = check_ambition(catalogue, scores)
    say(0.2, "Finding seams and decision-rights defects")
    ownership = analyse_ownership(catalogue, scores.priorities())
    return Workshop(
        catalogue=catalogue,
        source=PurePath(name).name,
        sha256=sha256,
        scores=scores,
        ranges=ranges,
        top_n=top_n,
        ambition=ambition,
        ownership=ownership,
        evidence=tuple(guesses),
        history=History(history) if history is not None else None,
        round=round_record,
        date=date or _pack_date(round_record),
    )


def _pack_date(record: RoundRecord | None) -> _dt.date:
    closed = record.round.closed_at if record is not None else None
    return closed.date() if closed is not None else _dt.date.today()


def quiet(_done: float, _doing: str) -> None:
    """A :data:`Progress` that says nothing, for a build without a progress bar."""
    return None


def newest_history(store: Store, found: Mapping[str, Snapshot] | None = None) -> Comparison | None:
    """The comparison of the two newest quarters with a snapshot, or ``None`` when the
    store has fewer than two. ``found``: :func:`cxprio.store.snapshots.quarters`, if read already."""
    found = quarters(store) if found is None else found
    if len(found) < 2:
        return None
    then, now = list(found)[-2:]
    return compare_quarters(store, then, now, found=found)
