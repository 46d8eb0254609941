"""Rules across a catalogue, checked on the data as read from the file, before and apart
from the schema (:mod:`cxprio.catalogue.model`): ids used twice, unknown teams and parents,
parents of the wrong level, and loops of parents. So these errors are reported together
with the schema's.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from cxprio.catalogue.model import STEP_TEAMS
from cxprio.catalogue.safeyaml import format_path
from cxprio.errors import Problem, ProblemLevel
from cxprio.texts import quoted

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "trigger": frozenset(),
    "journey": frozenset({"trigger"}),
    "moment": frozenset({"journey", "trigger"}),
}
"""The levels of experience (:class:`cxprio.catalogue.model.Level`'s values) and which levels each
may sit under (DOMAIN.md: journeys sit under a trigger, moments under a journey or a
trigger; triggers are the top of the tree)."""


def _error(path: tuple[str | int, ...], message: str, hint: str, code: str) -> Problem:
    return Problem(ProblemLevel.ERROR, message, field=format_path(path), hint=hint, code=code, path=path)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``, when one is close enough to be a likely typo."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def check_references(data: Any) -> list[Problem]:
    """Errors in how ids refer to each other: duplicates, unknown teams and parents,
    parents of the wrong level, and cycles.

    Works on the raw data, not the validated model, so these errors are reported together
    with schema errors; values of the wrong type are skipped (the schema reports them).
    """
    if not isinstance(data, dict):
        return []
    teams = [t for t in _items(data, "teams")]
    experiences = [e for e in _items(data, "experiences")]
    problems: list[Problem] = []
    problems += _duplicates("teams", [_text(t.get("id")) for _, t in teams], [i for i, _ in teams], "team")
    problems += _duplicates(
        "experiences", [_text(e.get("id")) for _, e in experiences], [i for i, _ in experiences], "experience"
    )
    team_ids = {tid for _, t in teams if (tid := _text(t.get("id")))}
    by_id: dict[str, dict[str, Any]] = {}
    for _, experience in experiences:  # with duplicate ids, the first one counts
        if (eid := _text(experience.get("id"))) is not None:
            by_id.setdefault(eid, experience)
    for index, experience in experiences:
        base: tuple[str | int, ...] = ("experiences", index)
        if not _all_teams_known(experience, team_ids):  # the slow, precise pass only when needed
            for path, team in _team_references(experience):
                if team not in team_ids:
                    problems.append(_unknown_team(base + path, team, team_ids))
        if experience.get("parent") is not None:
            problems += _parent_problems(base, experience, by_id)
    problems += _cycles(experiences)
    return problems


def _items(data: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _duplicates(section: str, ids: list[str | None], indexes: list[int], what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, item_id in zip(indexes, ids, strict=True):
        if item_id is None:
            continue
        if item_id in first:
            yield Problem(
                ProblemLevel.ERROR,
                f"the {what} id {quoted(item_id)} is used twice ({section}[{first[item_id]}] and "
                f"{section}[{index}])",
                field=f"{section}[{index}].id",
                hint=f"give each {what} its own id",
                code="duplicate-id",
                path=(section, index, "id"),
            )
        else:
            first[item_id] = index


def _all_teams_known(experience: dict[str, Any], team_ids: set[str]) -> bool:
    """True when every team id the experience names is a known team (the common case)."""
    owner = experience.get("owner")
    if isinstance(owner, str) and owner not in team_ids:
        return False
    steps = experience.get("steps")
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, dict):
                for key in STEP_TEAMS:
                    team = step.get(key)
                    if isinstance(team, str) and team not in team_ids:
                        return False
    decisions = experience.get("decisions")
    if isinstance(decisions, list):
        for decision in decisions:
            if isinstance(decision, dict):
                for letter in ("A", "R", "C", "I"):
                    teams = decision.get(letter)
                    if isinstance(teams, str):
                        teams = [teams]
                    if isinstance(teams, list) and not team_ids.issuperset(
                        t for t in teams if isinstance(t, str)
                    ):
                        return False
    return True


def _team_references(experience: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if (owner := _text(experience.get("owner"))) is not None:
        yield ("owner",), owner
    steps = experience.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        for key in STEP_TEAMS:
            if (team := _text(step.get(key))) is not None:
                yield ("steps", i, key), team
    decisions = experience.get("decisions")
    for i, decision in enumerate(decisions if isinstance(decisions, list) else []):
        if not isinstance(decision, dict):
            continue
        for letter in ("A", "R", "C", "I"):
            teams = decision.get(letter)
            if isinstance(teams, str):  # a single team written without a list
                yield ("decisions", i, letter), teams
            elif isinstance(teams, list):
                for j, team in enumerate(teams):
                    if isinstance(team, str):
                        yield ("decisions", i, letter, j), team


def _unknown_team(path: tuple[str | int, ...], team: str, known: set[str]) -> Problem:
    guess = suggest(team, known)
    hint = f"did you mean {quoted(guess)}?" if guess else "add the team under 'teams:' or correct the id"
    return _error(path, f"unknown team {quoted(team)}", hint, "unknown-team")


def _level(experience: dict[str, Any]) -> str | None:
    level = experience.get("level")
    return level if isinstance(level, str) and level in ALLOWED_PARENTS else None


def _parent_problems(
    base: tuple[str | int, ...], experience: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> Iterator[Problem]:
    parent_id = _text(experience.get("parent"))
    if parent_id is None:
        return
    path = (*base, "parent")
    parent = by_id.get(parent_id)
    if parent is None:
        guess = suggest(parent_id, by_id)
        hint = f"did you mean {quoted(guess)}?" if guess else "use the id of a trigger or journey, or null"
        yield _error(path, f"unknown parent experience {quoted(parent_id)}", hint, "unknown-parent")
        return
    level, parent_level = _level(experience), _level(parent)
    if level is None or parent_level is None or parent is experience:
        return  # a bad level is a schema error; self-parenting is reported as a loop
    allowed = ALLOWED_PARENTS[level]
    if parent_level not in allowed:
        if allowed:
            kinds = " or ".join(sorted(allowed))
            hint = f"a {level} sits under a {kinds}; change the parent or the level"
        else:
            hint = "a trigger is the top of the tree: set 'parent: null'"
        yield _error(
            path, f"a {level} cannot sit under the {parent_level} {quoted(parent_id)}", hint, "parent-level"
        )


def _cycles(experiences: list[tuple[int, dict[str, Any]]]) -> Iterator[Problem]:
    parent_of: dict[str, str | None] = {}
    index_of: dict[str, int] = {}
    for index, experience in experiences:
        if (eid := _text(experience.get("id"))) is not None:
            parent_of.setdefault(eid, _text(experience.get("parent")))
            index_of.setdefault(eid, index)
    reported: set[str] = set()
    settled: set[str] = set()  # nodes whose ancestry is known to end (or was reported)
    for start in parent_of:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in settled and node not in seen:
            seen.append(node)
            node = parent_of[node]
        settled.update(seen)
        if node is not None and node in seen:
            loop = seen[seen.index(node) :]
            if not reported.intersection(loop):
                reported.update(loop)
                path = ("experiences", index_of[node], "parent")
                yield _error(
                    path,
                    f"parents form a loop: {' -> '.join([*loop, node])}",
                    "an experience cannot be its own ancestor; point one parent elsewhere",
                    "parent-cycle",
                )
