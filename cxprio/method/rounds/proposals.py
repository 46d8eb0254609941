"""A workshop round's results as catalogue values, and which of them a close accepts.

:func:`proposals` turns the results (:mod:`cxprio.method.rounds.summary`) into
catalogue values where they differ from today's (a number's median, a depth judgement's
median, the ambition with the most votes, none on a tie), flagging a fact moved more
than :data:`~cxprio.method.rounds.model.IMPLAUSIBLE_RATIO` times either way, a reach
above the organisation's customers, or a fact whose evidence is ``measured``, as
implausible: it needs its own confirmation.
:func:`accepted_catalogue` is the catalogue as it would be with some accepted, and
:func:`to_accept` what a close accepts: the chosen results, each implausible one
confirmed, and none moved since the facilitator reviewed them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cxprio.catalogue.model import MEASURES, Catalogue, EvidenceKind, Tier
from cxprio.method.rounds.model import AMBITION, IMPLAUSIBLE_RATIO, JUDGEMENT, TIER, Round, RoundError
from cxprio.method.rounds.summary import Aggregate
from cxprio.texts import quoted
from cxprio.units import LABELS, is_fact, number, percent, relative_change, with_unit


@dataclass(frozen=True, slots=True)
class Proposal:
    """What accepting a round's result for one experience and criterion would write.

    ``proposed`` is ``None`` when the result proposes nothing, ``note`` then says why (a
    tied vote, an experience no longer in the catalogue). ``source`` says where the
    value comes from (``median of 5 numbers``); ``implausible`` why it needs its own
    confirmation, or is empty."""

    experience: str
    criterion: str
    field: str
    current: float | str | None
    proposed: float | str | None
    n: int
    disagreement: float
    source: str = ""
    implausible: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """``experience:criterion``: how a close names this one result."""
        return f"{self.experience}:{self.criterion}"

    @property
    def changes(self) -> bool:
        return self.proposed is not None and self.proposed != self.current

    def described(self, name: str | None = None) -> str:
        """The change in words, in the measure's unit, as the catalogue writes numbers:
        ``Reach: 320,000 -> 410,000 customers a year, +28%``; ``Ambition: Competitive ->
        Distinct``. ``name``: the experience's name, to start with."""
        label = "Ambition" if self.criterion == AMBITION else LABELS.get(self.criterion, self.criterion)
        start = f"{name}: {label.lower()}" if name else label
        if self.proposed is None:
            return f"{start}: {self.note}"
        if self.criterion == AMBITION:
            before = str(self.current).capitalize() if self.current else "none"
            return f"{start}: {before} → {str(self.proposed).capitalize()}"
        old = None if self.current is None else float(self.current)
        new = float(self.proposed)
        after = with_unit(self.criterion, new)
        if old is None:
            return f"{start}: not measured → {after}"
        change = relative_change(old, new) if is_fact(self.criterion) else ""
        return f"{start}: {number(old)} → {after}" + (f", {change}" if change else "")


def proposals(found: Round, summaries: Sequence[Aggregate], catalogue: Catalogue) -> list[Proposal]:
    """What accepting each summary would write into ``catalogue``, where it differs from
    today's value: a number's or a depth judgement's median, or the ambition with the
    most votes. A fact moved more than :data:`IMPLAUSIBLE_RATIO` times either way, or a
    reach above the organisation's customers, is marked ``implausible``. A result that
    proposes nothing says why in ``note``: a tied vote, an experience no longer in the
    catalogue, a fact asked as a 1-5 judgement (by a round opened before facts were
    asked only as numbers; a judgement is never written over a measurement). In the
    summaries' order."""
    known = {e.id: e for e in catalogue.experiences}
    customers = catalogue.organisation.customers
    made: list[Proposal] = []
    for summary in summaries:
        criterion = summary.criterion
        experience = known.get(summary.experience)

        if experience is None:
            made.append(_held(summary, "no longer in the catalogue"))
            continue
        if summary.kind == TIER:
            current = experience.ambition.value if experience.ambition else None
            majority = summary.majority
            if majority is None:
                made.append(_held(summary, "tied vote: decide in the room", current))
            elif majority != current:
                made.append(
                    Proposal(
                        summary.experience,
                        AMBITION,
                        AMBITION,
                        current,
                        majority,
                        summary.n,
                        summary.disagreement,
                        f"{summary.votes[majority]} of {summary.n} votes",
                    )
                )
            continue
        measured = getattr(experience.measures, criterion)
        current_value = None if measured is None else float(measured)
        if summary.kind == JUDGEMENT and is_fact(criterion):
            made.append(
                _held(
                    summary,
                    "asked as a 1-5 judgement, which is never written over a measured fact",
                    current_value,
                )
            )
            continue
        # Six decimals: a median of 0.1 and 0.2 is 0.15, not the 0.15000000000000002 of
        # floating point, in the catalogue as on screen.
        value = round(float(summary.median), 6)
        if value == current_value:
            continue
        made.append(
            Proposal(
                summary.experience,
                criterion,
                f"measures.{criterion}",
                current_value,
                value,
                summary.n,
                summary.disagreement,
                f"median of {summary.n} {'judgement' if summary.kind == JUDGEMENT else 'number'}"
                + ("s" if summary.n != 1 else "")
                + (" (1-5)" if summary.kind == JUDGEMENT else ""),
                implausible(
                    criterion,
                    current_value,
                    value,
                    customers=customers,
                    measured=experience.evidence.of(criterion) is EvidenceKind.MEASURED,
                ),
            )
        )
    return made


def _held(summary: Aggregate, note: str, current: float | str | None = None) -> Proposal:
    """A result that proposes nothing, and why (``note``)."""
    return Proposal(
        summary.experience, summary.criterion, "", current, None, summary.n, summary.disagreement, note=note
    )


def implausible(
    criterion: str, current: float | None, proposed: float, *, customers: int | None, measured: bool = False
) -> str:
    """Why a proposed value needs its own confirmation, or empty: today's value is
    ``measured`` (its evidence; a depth too): a room's figure never silently replaces a
    measurement; or, for a fact, more than :data:`IMPLAUSIBLE_RATIO` times today's value
    either way (to or from 0 included), or a reach above the organisation's ``customers``."""
    if measured and current is not None:  # a measured depth too: research, not a room
        return "; ".join(
            ["it would replace a measured value", *_fact_reasons(criterion, current, proposed, customers)]
        )
    return "; ".join(_fact_reasons(criterion, current, proposed, customers))


def _fact_reasons(criterion: str, current: float | None, proposed: float, customers: int | None) -> list[str]:
    """Why a fact's proposed value is implausible (see :func:`implausible`), none for a judgement."""
    if not is_fact(criterion):
        return []
    reasons: list[str] = []
    if current is not None:
        if current == 0 and proposed > 0:
            reasons.append("today's value is 0")
        elif current > 0 and proposed == 0:
            reasons.append("it would fall to 0")
        elif current > 0:
            ratio = proposed / current
            if ratio > IMPLAUSIBLE_RATIO:
                reasons.append(f"{number(float(f'{ratio:.3g}'))} times today's value")
            elif ratio < 1 / IMPLAUSIBLE_RATIO:
                reasons.append(f"{percent(ratio)} of today's value, less than a third")
    if criterion == "reach" and customers is not None and proposed > customers:
        reasons.append(f"more than the organisation's {number(customers)} customers")
    return reasons


def no_longer_measured(catalogue: Catalogue, taken: Sequence[Proposal]) -> list[tuple[str, str]]:
    """``(experience, measure)`` of each accepted result that replaces a value whose
    evidence is ``measured``: its evidence becomes ``estimated``, because the value is now
    the room's, and the rank ranges must not trust it as a measurement."""
    by_id = {e.id: e for e in catalogue.experiences}
    return [
        (p.experience, p.criterion)
        for p in taken
        if p.field == f"measures.{p.criterion}"
        and p.experience in by_id
        and by_id[p.experience].evidence.of(p.criterion) is EvidenceKind.MEASURED
    ]


def accepted_catalogue(catalogue: Catalogue, chosen: Sequence[Proposal]) -> Catalogue:
    """``catalogue`` as it would be with ``chosen`` accepted (for
    :func:`cxprio.outputs.rounds.preview`)."""
    updates: dict[str, dict[str, Any]] = {}
    for proposal in chosen:
        if proposal.changes:
            updates.setdefault(proposal.experience, {})[proposal.criterion] = proposal.proposed
    replaced = {}
    for experience in catalogue.experiences:
        changes = updates.get(experience.id)
        if not changes:
            continue
        measures = {m: float(v) for m, v in changes.items() if m in MEASURES and v is not None}
        update: dict[str, Any] = {"measures": experience.measures.model_copy(update=measures)}
        if isinstance(changes.get(AMBITION), str):
            update["ambition"] = Tier(changes[AMBITION])
        replaced[experience.id] = experience.model_copy(update=update)
    return catalogue.replacing(replaced)


class Unconfirmed(RoundError):
    """Accepted results that are implausible (:func:`implausible`) and were not
    confirmed on their own: nothing was saved."""

    def __init__(self, code: str, unconfirmed: Sequence[Proposal]) -> None:
        self.proposals = tuple(unconfirmed)
        listed = "; ".join(f"{p.described(p.experience)} ({p.implausible})" for p in unconfirmed)
        one = len(unconfirmed) == 1
        super().__init__(
            f"round {code}: {len(unconfirmed)} accepted value{'' if one else 's'} "
            f"need{'s its' if one else ' their'} own confirmation, as implausible: {listed}; "
            "nothing was saved"
        )


def chosen_proposals(
    found: Round, offered: Sequence[Proposal], accept: Collection[str] | str
) -> list[Proposal]:
    """The proposals ``accept`` names: ``"all"``, ``"none"``, or a list of experience ids
    (every result of each) and ``experience:criterion`` keys (one result). A name that is
    not in the round is refused (:class:`RoundError`)."""
    changing = [p for p in offered if p.changes]
    if isinstance(accept, str):
        if accept not in ("all", "none"):
            raise RoundError(f"accept 'all', 'none' or a list of experiences, not {quoted(accept)}")
        return changing if accept == "all" else []
    wanted = {a.strip() for a in accept if a.strip()}
    unknown = sorted(
        w
        for w in wanted
        if w.partition(":")[0] not in found.experiences
        or (":" in w and w.partition(":")[2] not in found.criteria)
    )
    if unknown:
        raise RoundError(
            f"not scored in round {found.code}: {', '.join(unknown)} (name an experience, or "
            "experience:criterion such as query-bill:reach)"
        )
    return [p for p in changing if p.experience in wanted or p.key in wanted]


def to_accept(
    found: Round,
    offered: Sequence[Proposal],
    accept: Collection[str] | str,
    confirm: Collection[str] | str,
    expected: Mapping[str, float | str] | None,
) -> tuple[tuple[Proposal, ...], tuple[Proposal, ...]]:
    """What closing ``found`` accepts of the ``offered`` proposals, and the results named
    in ``accept`` that propose nothing (with their ``note``): ``(taken, skipped)``.

    ``accept`` is read by :func:`chosen_proposals`. An accepted proposal that is
    implausible must also be in ``confirm`` (its key, or ``"all"``), else
    :class:`Unconfirmed`. ``expected``: the values the person reviewed, by key; when one
    has moved since (a late score), :class:`RoundError`, so nothing is written that
    nobody saw."""
    taken = tuple(chosen_proposals(found, offered, accept))
    confirmed = {p.key for p in taken} if confirm == "all" else set(confirm)
    unconfirmed = [p for p in taken if p.implausible and p.key not in confirmed]
    if unconfirmed:
        raise Unconfirmed(found.code, unconfirmed)
    if expected is not None:
        now = {p.key: p for p in taken}
        moved = [key for key, value in expected.items() if key not in now or now[key].proposed != value]
        if moved:
            raise RoundError(
                f"the results changed since you reviewed them (a late score): {', '.join(sorted(moved))}; "
                "review them again: nothing was saved"
            )
    named = (
        set(accept) if not isinstance(accept, str) else set(found.experiences) if accept == "all" else set()
    )
    skipped = tuple(p for p in offered if p.proposed is None and (p.experience in named or p.key in named))
    return taken, skipped
