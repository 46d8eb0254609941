"""Closing a workshop round: the results the room agreed saved into the catalogue.

:func:`close_round` ends the round's scoring, reads the results from exactly the scores
stored, and saves the accepted ones (:func:`cxprio.method.rounds.proposals.to_accept`)
through the audited save (:func:`cxprio.store.saving.save_edits`), each value noting
where it came from, marking the round closed in the same transaction
(:func:`cxprio.store.rounds.mark_closed`). A closed round is read-only and keeps its raw
scores.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Connection

from cxprio.catalogue.edit import Edit
from cxprio.catalogue.limits import PERSON_NAME_LENGTH
from cxprio.errors import StoreError
from cxprio.method.rounds.checks import typed
from cxprio.method.rounds.model import Round, RoundError
from cxprio.method.rounds.proposals import Proposal, no_longer_measured, proposals, to_accept
from cxprio.method.rounds.summary import aggregate
from cxprio.store.round_scores import scores
from cxprio.store.rounds import end_scoring, get_round, mark_closed, reopen_scoring
from cxprio.store.saving import Saved, save_edits
from cxprio.store.versions import Store, Version


@dataclass(frozen=True, slots=True)
class Closed:
    """A round closed: the round, the version its accepted values made (``None`` when
    nothing was accepted), what was accepted, and the results that proposed nothing
    (with their ``note``)."""

    round: Round
    saved: Saved | None
    accepted: tuple[Proposal, ...]
    skipped: tuple[Proposal, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    """The experiences' names, to say what was accepted in words."""

    @property
    def count(self) -> int:
        """How many values were saved: the new version's audit rows."""
        return len(self.round.accepted)

    def summary(self) -> str:
        """What closing did, in one sentence."""
        if self.saved is None:
            return f"Round {self.round.code} closed; no value in the catalogue changed."
        return (
            f"Round {self.round.code} closed; {self.count} value{'s' if self.count != 1 else ''} "
            f"saved as version {self.saved.version.id}."
        )


def close_round(
    store: Store,
    code: str,
    *,
    accept: Collection[str] | str,
    author: str,
    confirm: Collection[str] | str = (),
    expected: Mapping[str, float | str] | None = None,
    file: Path | None = None,
    file_sha256: str | None = None,
) -> Closed:
    """Close the round and write the accepted results into the catalogue's latest
    version through the audited save; both land or neither. The version's reason names
    the round, and each changed value notes where it came from (``round ABC234: median
    of 5 numbers``).

    ``accept``: which results, as :func:`cxprio.method.rounds.proposals.chosen_proposals`
    reads it. Only results that differ from today's value are written. An accepted result
    that is implausible must also be in ``confirm`` (its ``experience:criterion`` key, or
    ``"all"``), else :class:`cxprio.method.rounds.proposals.Unconfirmed` and nothing is
    saved. ``expected``: the values the person reviewed, by key; when a late score has
    moved one since, the close is refused, so nothing is written that nobody saw. ``file`` and ``file_sha256``: the catalogue file
    to write back, as :func:`cxprio.store.saving.save_edits` takes them."""
    if not author.strip():
        raise RoundError("say who closes the round: it is recorded")
    typed(author, "name of who closes the round", limit=PERSON_NAME_LENGTH)
    found = get_round(store, code)
    if found.closed:
        raise RoundError(f"round {found.code} was closed already, at {found.closed_at:%Y-%m-%d %H:%M} UTC")
    # Scoring ends first, in a transaction that waits for every score being written: the
    # results are then read from exactly the scores stored, and a later one is refused
    # rather than kept and not counted. A close refused on the way opens scoring again.
    ending = found.scoring_open()
    if ending:
        end_scoring(store, code)
    try:
        return _close(store, found, accept, author, confirm, expected, file, file_sha256)
    except BaseException:
        if ending:
            reopen_scoring(store, found)
        raise


def _close(
    store: Store,
    found: Round,
    accept: Collection[str] | str,
    author: str,
    confirm: Collection[str] | str,
    expected: Mapping[str, float | str] | None,
    file: Path | None,
    file_sha256: str | None,
) -> Closed:
    code = found.code
    found = get_round(store, code)  # with scoring ended
    latest = store.latest()
    if latest is None:
        raise StoreError("the store holds no catalogue", "import one first")
    catalogue = store.catalogue(latest.id).catalogue
    offered = proposals(found, aggregate(found, scores(store, found), catalogue), catalogue)
    taken, skipped = to_accept(found, offered, accept, confirm, expected)
    accepted_keys = {p.experience for p in taken}
    edits = [Edit(p.experience, p.field, p.proposed, note=f"round {found.code}: {p.source}") for p in taken]
    edits += [
        Edit(
            experience,
            f"evidence.{measure}",
            "estimated",
            note=f"round {found.code}: the room's figure replaced a measurement",
        )
        for experience, measure in no_longer_measured(catalogue, taken)
    ]

    def mark(connection: Connection, version: Version | None) -> None:
        mark_closed(connection, found, author, version)

    saved: Saved | None = None
    if edits:
        experiences = len(accepted_keys)
        saved = save_edits(
            store,
            edits,
            started_from=latest.id,
            author=author.strip(),
            rationale=f"workshop round {found.code} ({found.title}): {len(taken)} result"
            f"{'s' if len(taken) != 1 else ''} the room agreed, for {experiences} experience"
            f"{'s' if experiences != 1 else ''}",
            teams={t.id for t in catalogue.teams},
            file=file,
            file_sha256=file_sha256,
            also=mark,
        )
    else:
        with store.transaction() as connection:
            mark(connection, None)
    names = {e.id: e.name for e in catalogue.experiences}
    return Closed(get_round(store, code), saved, taken, skipped, names)
