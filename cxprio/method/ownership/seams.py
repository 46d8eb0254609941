"""Seams: the handoffs between teams inside one experience, who owns them, what they risk.

See :mod:`cxprio.method.ownership` for the definitions of seam, effective priority, risk and
coverage.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxprio.catalogue.model import Catalogue, Experience, Level
from cxprio.method.findings import Finding, Severity, severity_risk

UNOWNED_SEVERITY = 1.0
OUTSIDE_SEVERITY = 0.5


@dataclass(frozen=True, slots=True)
class Seam:
    """One handoff between two consecutive steps owned by different teams."""

    experience: str
    experience_name: str
    step: int  # index of the later step
    from_step: str
    to_step: str
    from_team: str
    to_team: str
    handoff_owner: str | None
    owned: bool
    outside: bool
    priority: float  # effective: its own, or a parent's where higher
    risk: float  # priority x severity
    own_priority: float | None = None  # the experience's own priority (None: it has none)
    priority_from: str | None = None  # the name of the ancestor whose priority it takes, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "experience": self.experience,
            "from_step": self.from_step,
            "to_step": self.to_step,
            "from_team": self.from_team,
            "to_team": self.to_team,
            "handoff_owner": self.handoff_owner,
            "owned": self.owned,
            "outside": self.outside,
            "priority": round(self.priority, 2),
            "own_priority": None if self.own_priority is None else round(self.own_priority, 2),
            "priority_from": self.priority_from,
            "risk": round(self.risk, 2),
        }


def effective_priorities(catalogue: Catalogue, priorities: Mapping[str, float]) -> dict[str, float]:
    """Each experience's priority, raised to its parent's effective priority where higher."""
    return {key: value for key, (value, _) in priority_sources(catalogue, priorities).items()}


def priority_sources(catalogue: Catalogue, priorities: Mapping[str, float]) -> dict[str, tuple[float, str]]:
    """Each experience's effective priority and the id of the experience it comes from:
    its own id, or the ancestor whose higher priority it inherits (ties keep its own)."""
    by_id = {e.id: e for e in catalogue.experiences}
    result: dict[str, tuple[float, str]] = {}

    def resolve(experience_id: str, depth: int = 0) -> tuple[float, str]:
        if experience_id in result:
            return result[experience_id]
        value = priorities.get(experience_id, 0.0)
        own = (0.0 if value is None or math.isnan(value) else float(value), experience_id)
        parent = by_id[experience_id].parent
        # Loading guarantees a tree of at most three levels; the depth guard is belt and braces.
        if parent is not None and parent in by_id and depth < 10:
            inherited = resolve(parent, depth + 1)
            if inherited[0] > own[0]:
                own = inherited
        result[experience_id] = own
        return own

    for experience_id in by_id:
        resolve(experience_id)
    return result


@dataclass(frozen=True)
class Handoffs:
    """Every seam of a catalogue as far as it does not depend on priorities: where it is,
    between which teams, who owns it and how severe leaving it unowned is. Built once per
    catalogue (:meth:`of`) and priced under each weighting: :meth:`seams` makes them all,
    while :meth:`coverage` and :meth:`most_risky_unowned` make only what they show, which
    the board's Overview asks for at every change of the weights."""

    experience: list[str]  # per seam, its experience's id
    experience_name: list[str]
    step: list[int]  # the index of the later step
    from_step: list[str]
    to_step: list[str]
    from_team: list[str]
    to_team: list[str]
    handoff_owner: list[str | None]
    outside: list[bool]
    severity: list[float]  # UNOWNED_SEVERITY, OUTSIDE_SEVERITY or 0
    names: dict[str, str]  # experience id -> name, for ``priority_from``

    @classmethod
    def of(cls, catalogue: Catalogue) -> Handoffs:
        found = cls([], [], [], [], [], [], [], [], [], [], {e.id: e.name for e in catalogue.experiences})
        for experience in catalogue.experiences:
            for index, before, after in experience.handoffs():
                assert before.team is not None and after.team is not None  # a seam has both
                owner = after.handoff_owner
                outside = owner is not None and owner not in (before.team, after.team, experience.owner)
                found.experience.append(experience.id)
                found.experience_name.append(experience.name)
                found.step.append(index)
                found.from_step.append(before.name)
                found.to_step.append(after.name)
                found.from_team.append(before.team)
                found.to_team.append(after.team)
                found.handoff_owner.append(owner)
                found.outside.append(outside)
                found.severity.append(
                    UNOWNED_SEVERITY if owner is None else OUTSIDE_SEVERITY if outside else 0.0
                )
        return found

    def __len__(self) -> int:
        return len(self.experience)

    def seams(self, priorities: Mapping[str, float], sources: Mapping[str, tuple[float, str]]) -> list[Seam]:
        """Every seam, with its ownership and risk, most risky first. ``sources`` is
        :func:`priority_sources` of the catalogue and ``priorities``, as for the methods below."""
        seams = [self._seam(i, priorities, sources) for i in range(len(self))]
        seams.sort(key=_most_risky_first)
        return seams

    def coverage(self, sources: Mapping[str, tuple[float, str]]) -> float | None:
        """:func:`seam_coverage` of :meth:`seams`, without making them."""
        if not len(self):
            return None
        priority = [sources[e][0] for e in self.experience]
        total = math.fsum(priority)
        if total <= 0:
            return sum(owner is not None for owner in self.handoff_owner) / len(self)
        owned = math.fsum(
            p for p, owner in zip(priority, self.handoff_owner, strict=True) if owner is not None
        )
        return owned / total

    def most_risky_unowned(
        self, priorities: Mapping[str, float], sources: Mapping[str, tuple[float, str]], count: int
    ) -> list[Seam]:
        """The first ``count`` unowned seams of :meth:`seams`, without making the others."""
        unowned = [i for i, owner in enumerate(self.handoff_owner) if owner is None]
        risk = {i: sources[self.experience[i]][0] * self.severity[i] for i in unowned}
        first = heapq.nsmallest(count, unowned, key=lambda i: (-risk[i], self.experience[i], self.step[i]))
        return [self._seam(i, priorities, sources) for i in first]

    def _seam(
        self, i: int, priorities: Mapping[str, float], sources: Mapping[str, tuple[float, str]]
    ) -> Seam:
        experience = self.experience[i]
        priority, source = sources[experience]
        own = priorities.get(experience)
        owner = self.handoff_owner[i]
        return Seam(
            experience=experience,
            experience_name=self.experience_name[i],
            step=self.step[i],
            from_step=self.from_step[i],
            to_step=self.to_step[i],
            from_team=self.from_team[i],
            to_team=self.to_team[i],
            handoff_owner=owner,
            owned=owner is not None,
            outside=self.outside[i],
            priority=priority,
            risk=priority * self.severity[i],
            own_priority=None if own is None or math.isnan(own) else float(own),
            priority_from=None if source == experience else self.names[source],
        )


def _most_risky_first(seam: Seam) -> tuple[float, str, int]:
    return (-seam.risk, seam.experience, seam.step)


def find_seams(
    catalogue: Catalogue,
    priorities: Mapping[str, float],
    sources: Mapping[str, tuple[float, str]] | None = None,
) -> list[Seam]:
    """Every seam of every experience, with its ownership and risk, most risky first.
    ``sources`` is :func:`priority_sources` of the same arguments, when already known."""
    sources = priority_sources(catalogue, priorities) if sources is None else sources
    return Handoffs.of(catalogue).seams(priorities, sources)


def seam_coverage(seams: Iterable[Seam]) -> float | None:
    """Share of priority-weighted seams that are owned (0..1); ``None`` when there are none.

    Seams of experiences with priority 0 count as one unit each, so a catalogue with no
    priorities still gets a plain share of owned seams. The sums are exact (``math.fsum``),
    so the result does not depend on the order of the seams.
    """
    seams = list(seams)
    if not seams:
        return None
    total = math.fsum(s.priority for s in seams)
    if total <= 0:
        return sum(s.owned for s in seams) / len(seams)
    return math.fsum(s.priority for s in seams if s.owned) / total


def seams_table(seams: Iterable[Seam], team_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The seams as a table for display and CSV, most risky first."""
    names = team_names or {}
    rows = [
        {
            "experience": s.experience,
            "experience_name": s.experience_name,
            "from_step": s.from_step,
            "to_step": s.to_step,
            "from_team": s.from_team,
            "to_team": s.to_team,
            "from_team_name": names.get(s.from_team, s.from_team),
            "to_team_name": names.get(s.to_team, s.to_team),
            "handoff_owner": s.handoff_owner,
            "owned": s.owned,
            "outside": s.outside,
            "own_priority": s.own_priority,
            "priority": s.priority,
            "priority_from": s.priority_from,
            "risk": s.risk,
        }
        for s in seams
    ]
    columns = [
        "experience", "experience_name", "from_step", "to_step", "from_team", "to_team",
        "from_team_name", "to_team_name", "handoff_owner", "owned", "outside", "own_priority",
        "priority", "priority_from", "risk",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def team_pair_risk(seams: Iterable[Seam]) -> pd.DataFrame:
    """Summed seam risk per (from team, to team) pair, with seam counts, most risky first."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0, 0])
    for seam in seams:
        entry = totals[(seam.from_team, seam.to_team)]
        entry[0] += seam.risk
        entry[1] += 1
        entry[2] += not seam.owned
    rows = [
        {"from_team": a, "to_team": b, "risk": v[0], "seams": int(v[1]), "unowned": int(v[2])}
        for (a, b), v in totals.items()
    ]
    table = pd.DataFrame(rows, columns=["from_team", "to_team", "risk", "seams", "unowned"])
    return table.sort_values(["risk", "from_team", "to_team"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def filter_seams(
    seams: Iterable[Seam],
    *,
    team: str | None = None,
    experience: str | None = None,
    unowned_only: bool = False,
) -> list[Seam]:
    """The seams from or to ``team``, of ``experience``, and only the unowned ones if
    asked, in the order given (``None`` and ``False`` keep everything)."""
    return [
        s
        for s in seams
        if (team is None or team in (s.from_team, s.to_team))
        and (experience is None or s.experience == experience)
        and (not unowned_only or not s.owned)
    ]


# --- findings about experiences ----------------------------------------------------------


def experience_findings(
    catalogue: Catalogue, seams: Iterable[Seam], effective: Mapping[str, float]
) -> list[Finding]:
    """``E2E_OWNER_MISSING``, ``SEAM_UNOWNED``, ``SEAM_OWNER_OUTSIDE``, ``STEP_UNASSIGNED``
    and ``PING_PONG`` findings, naming teams by their names."""
    findings: list[Finding] = []
    names = catalogue.team_names()
    for seam in seams:
        source, target = names.get(seam.from_team, seam.from_team), names.get(seam.to_team, seam.to_team)
        if not seam.owned:
            findings.append(
                Finding(
                    "SEAM_UNOWNED",
                    Severity.HIGH,
                    f"{seam.experience_name}: nobody owns the handoff from {source} "
                    f"({seam.from_step}) to {target} ({seam.to_step}); name a team to own it",
                    experience=seam.experience,
                    teams=(seam.from_team, seam.to_team),
                    risk=seam.risk,
                )
            )
        elif seam.outside:
            findings.append(
                Finding(
                    "SEAM_OWNER_OUTSIDE",
                    Severity.MEDIUM,
                    f"{seam.experience_name}: the handoff from {source} to {target} is owned by "
                    f"{names.get(seam.handoff_owner or '', seam.handoff_owner)}, which is in neither team nor owns the "
                    "experience",
                    experience=seam.experience,
                    teams=(seam.from_team, seam.to_team, seam.handoff_owner or ""),
                    risk=seam.risk,
                )
            )
    for experience in catalogue.experiences:
        priority = effective[experience.id]
        if experience.owner is None and experience.level in (Level.TRIGGER, Level.JOURNEY):
            findings.append(
                Finding(
                    "E2E_OWNER_MISSING",
                    Severity.HIGH,
                    f"{experience.name} ({experience.level.value}) has no end-to-end owner: "
                    "name the team accountable for the whole experience",
                    experience=experience.id,
                    risk=severity_risk(priority, Severity.HIGH),
                )
            )
        for index, step in enumerate(experience.steps):
            if step.team is None:
                findings.append(
                    Finding(
                        "STEP_UNASSIGNED",
                        Severity.MEDIUM,
                        f"{experience.name}: step {index + 1} ({step.name}) has no team",
                        experience=experience.id,
                        risk=severity_risk(priority, Severity.MEDIUM),
                    )
                )
        findings += _ping_pong(experience, priority, names)
    return findings


def _ping_pong(experience: Experience, priority: float, names: Mapping[str, str]) -> Iterator[Finding]:
    """One ``PING_PONG`` per return to a team the customer already left: A -> B -> A, and
    just as much A -> B -> C -> A. Consecutive steps of one team count as one visit."""
    visits: list[tuple[str, int]] = []  # (team, number of its first step), runs collapsed
    for number, step in enumerate(experience.steps, start=1):
        if step.team is not None and (not visits or visits[-1][0] != step.team):
            visits.append((step.team, number))
    last_visit: dict[str, int] = {}  # team -> index of its latest visit
    for index, (team, number) in enumerate(visits):
        if team in last_visit:
            route = [t for t, _ in visits[last_visit[team] : index + 1]]
            yield Finding(
                "PING_PONG",
                Severity.MEDIUM,
                f"{experience.name}: at step {number} the customer is handed back to "
                f"{names.get(team, team)}, which they already left "
                f"({' -> '.join(names.get(t, t) for t in route)}); can one team carry this part?",
                experience=experience.id,
                teams=tuple(dict.fromkeys(route)),
                risk=severity_risk(priority, Severity.MEDIUM),
            )
        last_visit[team] = index
