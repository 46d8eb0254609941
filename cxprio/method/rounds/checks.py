"""What a workshop round accepts, checked: the criteria and experiences it is opened
on, who opens it, participants' names, the values they give, and a scores file.

Every refusal is a :class:`~cxprio.method.rounds.model.RoundError` saying what is wrong
and how to go on. A fact is asked for as a number in its unit, never as a 1-5
judgement (:func:`parse_criteria`); a number must lie within the catalogue's own limits
for its measure (:func:`check`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cxprio.catalogue.limits import PERSON_NAME_LENGTH, TITLE_LENGTH
from cxprio.catalogue.model import MEASURES, Catalogue, Level, Tier
from cxprio.errors import UsageError
from cxprio.method.rounds.model import (
    AMBITION,
    CRITERIA,
    DEFAULT_MAX_PARTICIPANTS,
    JUDGEMENT,
    JUDGEMENT_RANGE,
    MAX_IMPORT_BYTES,
    MAX_NAME,
    MOST_PARTICIPANTS,
    NUMBER,
    NUMBER_LIMITS,
    SCORE_COLUMNS,
    TIER,
    WEIGHT,
    Round,
    RoundError,
    kind_of,
)
from cxprio.texts import plain, problem_in, quoted
from cxprio.units import UNITS, is_fact


def parse_criteria(text: str | Sequence[str]) -> dict[str, str]:
    """``reach:number,depth,ambition`` as ``{criterion: kind}`` (see :func:`kind_of`). A
    fact must be written with ``:number``: a bare ``reach`` (once a 1-5 judgement) is
    refused, saying so, rather than silently asked in another way."""
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [t.strip() for t in text]
    chosen: dict[str, str] = {}
    for item in filter(None, items):
        name, _, kind = item.partition(":")
        name, kind = name.strip().lower().replace("-", "_").replace(" ", "_"), kind.strip().lower()
        if name not in CRITERIA:
            raise RoundError(f"{quoted(name)} is not a criterion: use any of {_criteria_help()}")
        if name == AMBITION and kind not in ("", TIER):
            raise RoundError("ambition is voted as a tier: write just 'ambition'")
        if is_fact(name) and kind != NUMBER:
            raise RoundError(
                f"{name} is a measured fact ({UNITS[name]}): a round asks for it as a number in its "
                f"unit, never as a 1-5 judgement: write {name}:number"
            )
        if name in ("depth",) and kind not in ("", JUDGEMENT):
            raise RoundError("depth is a judgement from 1 to 5: write just 'depth'")
        chosen[name] = kind_of(name)
    check_criteria(chosen)
    return chosen


def _criteria_help() -> str:
    return ", ".join(f"{c}:number" if is_fact(c) else c for c in CRITERIA)


def check_criteria(criteria: Mapping[str, str]) -> None:
    """Refuse an empty choice, an unknown criterion, or a kind a criterion cannot take
    (a fact as a judgement among them)."""
    if not criteria:
        raise RoundError(
            "a round needs at least one criterion, such as reach:number,depth,ambition",
        )
    for name, kind in criteria.items():
        if name not in CRITERIA:
            raise RoundError(f"{quoted(name)} is not a criterion: use any of {_criteria_help()}")
        if kind != kind_of(name):
            raise RoundError(
                f"{quoted(name)} cannot be scored as {quoted(kind)}: the facts are numbers in their unit, "
                "depth a 1-5 judgement, ambition a tier vote"
            )


def select_experiences(
    catalogue: Catalogue,
    *,
    level: str | None = None,
    ids: Sequence[str] | None = None,
    contains: str | None = None,
) -> list[str]:
    """The experiences a round scores, in catalogue order: all of them, those of one
    level, those whose name or id holds ``contains``, or the listed ``ids`` (in their
    order); refuses an unknown level or id, and an empty choice."""
    known = {e.id: e for e in catalogue.experiences}
    if ids:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise RoundError(
                f"not in the catalogue: {', '.join(unknown[:10])}",
            )
        chosen = list(dict.fromkeys(ids))
    else:
        if level is not None and level not in {lv.value for lv in Level}:
            raise RoundError(f"{quoted(level)} is not a level: use {', '.join(lv.value for lv in Level)}")
        needle = (contains or "").strip().lower()
        chosen = [
            e.id
            for e in catalogue.experiences
            if (level is None or e.level.value == level)
            and (not needle or needle in e.name.lower() or needle in e.id)
        ]
    if not chosen:
        raise RoundError("no experience matches: choose a level, a filter or a list that has some")
    return chosen


def check_opening(
    catalogue: Catalogue,
    *,
    experiences: Sequence[str],
    criteria: Mapping[str, str],
    author: str,
    title: str,
    closes_at: datetime | None,
    max_participants: int,
    now: datetime,
) -> tuple[str, datetime | None]:
    """What opening a round at ``now`` would record, checked: its title (a dated one when
    none is given) and its closing time (UTC when given without a zone; refused when it
    has passed). Refuses a missing or bad facilitator's name or title, a cap outside 1 to
    :data:`MOST_PARTICIPANTS`, an unknown or empty choice of experiences, and criteria
    :func:`check_criteria` refuses."""
    if not author.strip():
        raise RoundError("say who opens the round: it is recorded")
    if isinstance(max_participants, bool) or not 1 <= max_participants <= MOST_PARTICIPANTS:
        raise RoundError(
            f"a round takes from 1 to {MOST_PARTICIPANTS:,} participants, not {max_participants}: "
            f"give a number in that range (the default is {DEFAULT_MAX_PARTICIPANTS})"
        )
    typed(author, "facilitator's name", limit=PERSON_NAME_LENGTH)
    typed(title, "round's title", limit=TITLE_LENGTH)
    select_experiences(catalogue, ids=list(experiences))  # every id known, not empty
    check_criteria(criteria)
    if closes_at is not None:
        closes_at = closes_at if closes_at.tzinfo else closes_at.replace(tzinfo=UTC)
        if closes_at <= now:
            raise RoundError(f"the closing time {closes_at:%Y-%m-%d %H:%M} UTC has passed: give a later one")
    return title.strip() or f"Round of {now:%Y-%m-%d %H:%M} UTC", closes_at


def free_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted 2``, ``wanted 3``...: the first not taken."""
    shown, n = wanted[:MAX_NAME], 1
    while shown.casefold() in taken:
        n += 1
        shown = f"{wanted[: MAX_NAME - len(str(n)) - 1]} {n}"
    return shown


def check_room(found: Round, taken: set[str]) -> None:
    if len(taken) >= found.max_participants:
        raise RoundError(
            f"round {found.code} is full: it takes {found.max_participants:,} "
            f"participant{'' if found.max_participants == 1 else 's'} and "
            f"{'they have' if found.max_participants == 1 else 'all have'} joined. Ask the facilitator "
            "to open another round for the others"
        )


def shown_name(name: str, missing: str) -> str:
    """A participant's name as the round keeps it: no control character, spaces folded,
    at most :data:`MAX_NAME` characters; :class:`RoundError` saying ``missing`` if empty."""
    shown = typed(" ".join(name.split()), "name", limit=MAX_NAME)
    if not shown:
        raise RoundError(missing)
    return shown


def typed(value: str, what: str, *, limit: int | None = None) -> str:
    """``value`` when :func:`cxprio.texts.plain` allows it (no control or bidirectional
    character, at most ``limit`` characters), else :class:`RoundError` saying why."""
    try:
        return plain(value, what, limit=limit)
    except UsageError as refused:
        raise RoundError(str(refused)) from None


def check(found: Round, experience: str, criterion: str, value: Any) -> tuple[float | None, str | None]:
    """A score as it is stored, ``(value, tier)``, or :class:`RoundError` saying what is
    wrong: an experience or criterion the round does not ask for, a value out of range.
    ``None`` (or an empty text) clears a score."""
    if criterion.startswith(WEIGHT):
        measure = criterion.removeprefix(WEIGHT)
        if not found.weights_vote:
            raise RoundError(f"round {found.code} has no weights vote")
        if measure not in MEASURES or experience:
            raise RoundError(
                f"{quoted(criterion)} is not a weight: use weight:{', weight:'.join(MEASURES)}, with no experience"
            )
        number = _number(value, criterion)
        if number is not None and not 0 <= number <= 1:
            raise RoundError(f"{criterion}: {number:g} is out of range: a weight is between 0 and 1")
        return number, None
    if experience not in found.experiences:
        raise RoundError(
            f"{quoted(experience)} is not scored in round {found.code}: its experiences are {', '.join(found.experiences[:8])}{'...' if len(found.experiences) > 8 else ''}"
        )
    kind = found.criteria.get(criterion)
    if kind is None:
        raise RoundError(
            f"round {found.code} does not ask for {quoted(criterion)}: it asks for {', '.join(found.criteria)}"
        )
    if kind == TIER:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, None
        tier = str(value).strip().lower()
        if tier not in {t.value for t in Tier}:
            raise RoundError(f"{quoted(value)} is not a tier: vote {', '.join(t.value for t in Tier)}")
        return None, tier
    number = _number(value, criterion)
    if number is None:
        return None, None
    low, high = JUDGEMENT_RANGE if kind == JUDGEMENT else NUMBER_LIMITS[criterion]
    if number < low or (high is not None and number > high):
        allowed = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        what = "a judgement" if kind == JUDGEMENT else f"{criterion} as a number"
        raise RoundError(f"{criterion}: {number:g} is out of range: {what} is {allowed}")
    return number, None


def _number(value: Any, criterion: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number") from None
    if not math.isfinite(number):
        raise RoundError(f"{criterion}: {quoted(value)} is not a number that can be stored")
    return number


def scores_file(text: str, source: str) -> Iterator[list[str]]:
    """The rows of a scores file (:data:`SCORE_COLUMNS`) after its header, read as they
    are asked for; refuses a file over :data:`MAX_IMPORT_BYTES` and one whose first line
    is not those columns."""
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise RoundError(f"{source} is over {MAX_IMPORT_BYTES // 1_048_576} MB: split it")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != SCORE_COLUMNS:
        raise RoundError(
            f"{source}:1: the columns are {','.join(header) or 'missing'}: the first line must be "
            f"{','.join(SCORE_COLUMNS)}"
        )
    return reader


def read_scores(
    found: Round, lines: Iterable[list[str]], source: str
) -> list[tuple[str, str, str, float | None, str | None]]:
    """The scores of a scores file's ``lines`` (:func:`scores_file`), each as
    ``(participant, experience, criterion, value, tier)``, checked for ``found``
    (:func:`check`). Each cell of ``lines`` is as people typed it: stripped, and without
    the ``'`` a file of ours put before a formula's character
    (:func:`cxprio.outputs.exports.read_back`, which the caller applies). Every bad row is
    reported with its line, all in one :class:`RoundError`; a file with no score is
    refused too."""
    problems: list[str] = []
    rows: list[tuple[str, str, str, float | None, str | None]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in enumerate(lines, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(SCORE_COLUMNS):
            problems.append(
                f"{source}:{line}: {len(cells)} cells where 4 are expected ({','.join(SCORE_COLUMNS)})"
            )
            continue
        name, experience, criterion, value = cells
        name = " ".join(name.split())
        if not name:
            problems.append(f"{source}:{line}: participant: empty: give the participant's name")
            continue
        wrong = problem_in(name, limit=MAX_NAME)
        if wrong is not None:
            problems.append(f"{source}:{line}: participant: {wrong[0]}: {wrong[1]}")
            continue
        key = (name.casefold(), experience, criterion)
        if key in seen:
            problems.append(
                f"{source}:{line}: the same participant, experience and criterion as line {seen[key]}: keep one"
            )
            continue
        seen[key] = line
        try:
            number, tier = check(found, experience, criterion, value)
        except RoundError as exc:
            problems.append(f"{source}:{line}: {exc}")
            continue
        if number is None and tier is None:
            problems.append(f"{source}:{line}: value: empty: give a value")
            continue
        rows.append((name, experience, criterion, number, tier))
    if problems:
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise RoundError(
            f"{len(problems)} bad row{'s' if len(problems) != 1 else ''} in {source}; nothing was saved:\n"
            + "\n".join(problems[:50])
            + more
        )
    if not rows:
        raise RoundError(f"{source} holds no scores: nothing was saved")
    return rows
