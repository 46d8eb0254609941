"""Decision rights: RACI findings per decision, the decision x team matrix, and each
team's accountability load.

Conventions (RACI; RAPID and DACI share the single-decider rule): each decision has
exactly one Accountable team and at least one Responsible; Consulted and Informed are
kept small; a team holds one role per decision.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from cxprio.catalogue.model import Catalogue, Decision
from cxprio.method.findings import Finding, Severity, severity_risk

DEFAULT_MAX_CONSULTED = 4
RACI_KEYS = ("experience", "decision", "defects")
"""The columns of :func:`raci_table` before its one column per team."""


def decision_findings(
    catalogue: Catalogue,
    effective: Mapping[str, float],
    *,
    max_consulted: int = DEFAULT_MAX_CONSULTED,
) -> list[Finding]:
    """RACI findings per decision, and ``OWNER_WITHOUT_AUTHORITY`` per experience."""
    findings: list[Finding] = []
    names = catalogue.team_names()

    def named(teams: Iterable[str]) -> str:  # messages name teams as people know them
        return ", ".join(names.get(team, team) for team in teams)

    for experience in catalogue.experiences:
        priority = effective[experience.id]

        finding = partial(_experience_finding, experience.id, priority)
        for decision in experience.decisions:
            what = f"{experience.name}: '{decision.name}'"
            about = partial(finding, decision=decision.name)
            accountable = decision.accountable
            if not accountable:
                findings.append(
                    about(
                        "NO_ACCOUNTABLE", Severity.HIGH, f"{what} has no Accountable team: name exactly one"
                    )
                )
            elif len(set(accountable)) > 1:
                findings.append(
                    about(
                        "MANY_ACCOUNTABLE",
                        Severity.HIGH,
                        f"{what} has {len(set(accountable))} Accountable teams "
                        f"({named(accountable)}): exactly one team must decide",
                        accountable,
                    )
                )
            if not decision.responsible:
                findings.append(
                    about("NO_RESPONSIBLE", Severity.MEDIUM, f"{what} has no Responsible team to do the work")
                )
            if len(set(decision.consulted)) > max_consulted:
                findings.append(
                    about(
                        "TOO_MANY_CONSULTED",
                        Severity.LOW,
                        f"{what} consults {len(set(decision.consulted))} teams (more than "
                        f"{max_consulted}): keep Consulted to those whose input changes the decision",
                        decision.consulted,
                    )
                )
            conflicted = sorted(set(accountable) & (set(decision.consulted) | set(decision.informed)))
            if conflicted:
                findings.append(
                    about(
                        "ROLE_CONFLICT",
                        Severity.MEDIUM,
                        f"{what}: {named(conflicted)} is both Accountable and Consulted or "
                        "Informed; one role per team",
                        conflicted,
                    )
                )
            involved = set(accountable) | set(decision.responsible)
            if len(involved) > 1 and not decision.consulted and not decision.informed:
                findings.append(
                    about(
                        "SILENT_CROSS_TEAM",
                        Severity.LOW,
                        f"{what} involves {len(involved)} teams but consults and informs nobody",
                        sorted(involved),
                    )
                )
        if (
            experience.owner is not None
            and experience.decisions
            and not any(experience.owner in d.accountable for d in experience.decisions)
        ):
            findings.append(
                finding(
                    "OWNER_WITHOUT_AUTHORITY",
                    Severity.MEDIUM,
                    f"{experience.name} is owned by {named([experience.owner])}, which is Accountable for "
                    "none of its decisions: ownership without decision rights",
                    [experience.owner],
                )
            )
    return findings


def _experience_finding(
    experience: str,
    priority: float,
    code: str,
    severity: Severity,
    message: str,
    teams: Iterable[str] = (),
    decision: str | None = None,
) -> Finding:
    return Finding(
        code,
        severity,
        message,
        experience=experience,
        teams=tuple(teams),
        risk=severity_risk(priority, severity),
        decision=decision,
    )


def accountability_load(catalogue: Catalogue) -> pd.DataFrame:
    """Per team: decisions on which it is A, R, C and I, most Accountable first."""
    counts: dict[str, Counter[str]] = {team.id: Counter() for team in catalogue.teams}
    for experience in catalogue.experiences:
        for decision in experience.decisions:
            for letter, teams in decision.roles().items():
                for team in set(teams):
                    counts.setdefault(team, Counter())[letter] += 1
    names = catalogue.team_names()
    rows = [
        {"team": t, "name": names.get(t, t), "A": c["A"], "R": c["R"], "C": c["C"], "I": c["I"]}
        for t, c in counts.items()
    ]
    table = pd.DataFrame(rows, columns=["team", "name", "A", "R", "C", "I"])
    return table.sort_values(["A", "team"], ascending=[False, True]).reset_index(drop=True)


def decision_matrix(catalogue: Catalogue) -> pd.DataFrame:
    """Decision x team: the role letters each team holds (``""`` for none).

    One row per decision, indexed by ``experience`` and ``decision``; one column per team
    that holds any role, in catalogue order. A team holding several roles shows them all
    (``"AC"``), which is itself a finding.
    """
    team_order = [t.id for t in catalogue.teams]
    rows: list[dict[str, str]] = []
    index: list[tuple[str, str]] = []
    used: set[str] = set()
    for experience in catalogue.experiences:
        for decision in experience.decisions:
            roles: dict[str, str] = defaultdict(str)
            for letter, teams in decision.roles().items():
                for team in dict.fromkeys(teams):
                    roles[team] += letter
            used.update(roles)
            rows.append(roles)
            index.append((experience.id, decision.name))
    columns = [t for t in team_order if t in used] + sorted(used - set(team_order))
    # One block of text filled in place: a frame built from thousands of dicts (or
    # filled with fillna) costs ten times as much at 6,000 decisions x 300 teams.
    cells = np.full((len(rows), len(columns)), "", dtype=object)
    position = {team: column for column, team in enumerate(columns)}
    for row, roles in enumerate(rows):
        for team, letters in roles.items():
            cells[row, position[team]] = letters
    frame = pd.DataFrame(cells, columns=pd.Index(columns, dtype=object), dtype=object)
    frame.index = pd.MultiIndex.from_arrays(
        [[e for e, _ in index], [d for _, d in index]], names=["experience", "decision"]
    )
    return frame


def decision_defects(findings: Iterable[Finding]) -> dict[tuple[str, str], list[str]]:
    """``(experience, decision)`` -> the codes of its findings, for the decisions that have any."""
    defects: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        if finding.decision is not None:
            defects.setdefault((finding.experience or "", finding.decision), []).append(finding.code)
    return defects


def raci_table(catalogue: Catalogue, findings: Sequence[Finding]) -> pd.DataFrame:
    """The decision matrix as a flat table: ``experience, decision, defects`` (the codes
    of its findings, comma-separated, empty when well formed), then one column per team."""
    matrix = decision_matrix(catalogue).reset_index()
    defects = decision_defects(findings)
    matrix.insert(
        2,
        "defects",
        [
            ", ".join(defects.get((e, d), []))
            for e, d in zip(matrix["experience"], matrix["decision"], strict=True)
        ],
    )
    return matrix


def raci_teams(table: pd.DataFrame) -> list[str]:
    """The team columns of a :func:`raci_table` (or of some of its rows) in which at
    least one row holds a role, in the table's order."""
    return [c for c in table.columns if c not in RACI_KEYS and (table[c] != "").any()]


def select_decisions(
    table: pd.DataFrame,
    *,
    defective_only: bool = False,
    team: str | None = None,
    search: str = "",
) -> pd.DataFrame:
    """The rows of a :func:`raci_table` worth looking at, and only the teams they involve.

    Keeps the decisions with a defect (``defective_only``), that involve ``team``, or
    whose experience or decision contains ``search`` (case-insensitive); defective ones
    come first, then in the table's order. Team columns in which every kept row is empty
    are dropped, so a filtered view of 300 teams shows the handful that matter.
    """
    keep = pd.Series(True, index=table.index)
    if defective_only:
        keep &= table["defects"] != ""
    if team is not None:
        keep &= table[team] != "" if team in table.columns and team not in RACI_KEYS else False
    needle = search.strip().casefold()
    if needle:
        keep &= table["experience"].str.casefold().str.contains(needle, regex=False) | table[
            "decision"
        ].str.casefold().str.contains(needle, regex=False)
    kept = table[keep]
    kept = kept.iloc[(kept["defects"] == "").to_numpy().argsort(kind="stable")]
    return kept[[*RACI_KEYS, *raci_teams(kept)]].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class FoundDecision:
    """A decision and the experience it belongs to."""

    experience: str  # id
    experience_name: str
    decision: Decision


def find_decisions(
    catalogue: Catalogue, query: str = "", findings: Iterable[Finding] = ()
) -> list[FoundDecision]:
    """The decisions whose name, experience's name or any team's name (in any role)
    holds ``query`` (case-insensitive), in catalogue order; with no query, every decision,
    those with a finding in ``findings`` first: the ones worth a question."""
    names = catalogue.team_names()
    words = query.strip().lower()
    found = [
        FoundDecision(experience.id, experience.name, decision)
        for experience in catalogue.experiences
        for decision in experience.decisions
        if not words
        or words in decision.name.lower()
        or words in experience.name.lower()
        or any(words in names.get(team, team).lower() for role in decision.roles().values() for team in role)
    ]
    if not words:
        faulty = {(f.experience, f.decision) for f in findings if f.decision}
        found.sort(key=lambda item: (item.experience, item.decision.name) not in faulty)
    return found
