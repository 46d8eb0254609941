"""The store's participants and scores of workshop rounds: joining a round, finding a
participant again, saving scores (one at a time, or a scores file), and reading them.

Participants join with the code and a name (:func:`join`), or as the signed-in user, and
every score they enter is written to the store at once (:func:`record`): one score per
participant, experience and criterion, a new value replacing the old. Every value is
checked first (:func:`cxprio.method.rounds.checks.check`); the round's row is read in
the same transaction, so a score never lands in a round that has closed
(:func:`cxprio.store.rounds.open_row`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from cxprio.method.rounds.checks import (
    check,
    check_room,
    free_name,
    read_scores,
    scores_file,
    shown_name,
    typed,
)
from cxprio.method.rounds.model import Participant, Round, RoundError, Score, identity_of
from cxprio.outputs.exports import read_back
from cxprio.store.rounds import get_round, open_row, read_round
from cxprio.store.schema import round_participants, round_scores
from cxprio.store.versions import Store, aware
from cxprio.texts import quoted


def join(store: Store, code: str, name: str, *, user: str | None = None) -> Participant:
    """Join the round as ``name``; with ``user`` (a signed-in account), as that account,
    which finds its own earlier place.

    Nobody shares a display name within a round, signed in or not: a name typed that is
    taken is refused (the one who joined first comes back with their link); a signed-in
    account whose name is taken joins under its name and e-mail address. A full round
    (:attr:`Round.max_participants`) takes nobody new."""
    shown = shown_name(name, "give your name to join: the facilitator sees who has scored")
    typed(user or "", "account's e-mail")
    identity = identity_of(shown, user)
    with store.transaction() as connection:
        found = _joining(connection, code)
        existing = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.identity == identity
            )
        ).first()
        if existing is not None and user:
            return _participant(existing)
        taken = _names_taken(connection, found)
        if user and shown.casefold() in taken:
            shown = free_name(f"{shown} ({user.strip()})", taken)
        if existing is not None or shown.casefold() in taken:
            raise RoundError(
                f"someone has joined round {found.code} as {quoted(shown)} already: "
                "join under another name (add an initial), or, if that was you, open the "
                "personal link you were given when you joined"
            )
        check_room(found, taken)
        try:
            participant_id = _new_participant(connection, found.id, identity, shown)
        except sa.exc.IntegrityError:  # the same name at the same moment (PostgreSQL)
            raise RoundError(f"someone has joined round {found.code} as {quoted(shown)} already") from None
        row = connection.execute(
            sa.select(round_participants).where(round_participants.c.id == participant_id)
        ).one()
    return _participant(row)


def _joining(connection: Connection, code: str) -> Round:
    """The round, open for joining, its row locked for update on PostgreSQL (SQLite has
    one writer anyway): joins to one round go one at a time, so two people cannot take
    one name, or the last place, at the same moment."""
    read_round(connection, code, lock="update")  # before any shared lock: no deadlock
    return open_row(connection, code, for_scores=False)


def _names_taken(connection: Connection, found: Round) -> set[str]:
    """The display names in the round, folded (as
    :func:`cxprio.method.rounds.checks.shown_name` compares them)."""
    names = connection.execute(
        sa.select(round_participants.c.name).where(round_participants.c.round_id == found.id)
    ).scalars()
    return {str(name).casefold() for name in names}


def _new_participant(connection: Connection, round_id: int, identity: str, name: str) -> int:
    """Add a participant (with a new private token); their id."""
    return int(
        connection.execute(
            round_participants.insert()
            .values(
                round_id=round_id,
                identity=identity,
                name=name,
                token=secrets.token_urlsafe(18),
                joined_at=datetime.now(UTC),
            )
            .returning(round_participants.c.id)
        ).scalar_one()
    )


def join_or_find(store: Store, found: Round, name: str) -> Participant:
    """The participant of this name, joining them first if they are new: for scores a
    facilitator enters for others (the command line, a scores file), where a name is a
    person, not a claim to a place. Several first scores of one new name at once make
    one participant between them (the insert does nothing when the name is there)."""
    shown = shown_name(name, "give the participant's name: the facilitator sees who has scored")
    identity = identity_of(shown)
    with store.transaction() as connection:
        _joining(connection, found.code)
        already = connection.execute(
            sa.select(round_participants).where(round_participants.c.round_id == found.id)
        ).all()
        same = [row for row in already if str(row.name).casefold() == shown.casefold()]
        if same:  # whoever has this name, signed in or not
            return _participant(same[0])
        check_room(found, {str(row.name).casefold() for row in already})
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(round_participants)
            .values(
                round_id=found.id,
                identity=identity,
                name=shown,
                token=secrets.token_urlsafe(18),
                joined_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["round_id", "identity"])
        )
        row = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.identity == identity
            )
        ).one()
    return _participant(row)


def rejoin(store: Store, code: str, token: str) -> Participant | None:
    """The participant whose private link holds ``token``, in this round; else ``None``."""
    if not token:
        return None
    found = get_round(store, code)
    with store.reading() as connection:
        row = connection.execute(
            sa.select(round_participants).where(
                round_participants.c.round_id == found.id, round_participants.c.token == token
            )
        ).first()
    return _participant(row) if row is not None else None


def participants(store: Store, found: Round) -> list[Participant]:
    """Everyone who has joined the round, in the order they joined."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(round_participants)
            .where(round_participants.c.round_id == found.id)
            .order_by(round_participants.c.id)
        ).all()
    return [_participant(row) for row in rows]


def record(
    store: Store,
    code: str,
    participant: Participant,
    entries: Iterable[tuple[str, str, Any]],
) -> int:
    """Save ``(experience, criterion, value)`` scores of ``participant``, all or none,
    once committed (with the other scores being saved at that moment:
    :meth:`cxprio.store.versions.Store.batched`); returns how many. Refuses (:class:`RoundError`) a closed round,
    one past its closing time, a participant of another round, and any bad value; a
    value of ``None`` removes that score."""
    items = list(entries)

    def write(connection: Connection) -> int:
        found = open_row(connection, code)
        if participant.round_id != found.id:
            raise RoundError(f"{participant.name} is not in round {found.code}: join it first")
        checked = [(e, c, *check(found, e, c, v)) for e, c, v in items]
        _write(connection, found.id, participant.id, checked)
        return len(items)

    return store.batched(write)


def _write(
    connection: Connection,
    round_id: int,
    participant_id: int,
    checked: Sequence[tuple[str, str, float | None, str | None]],
) -> None:
    now = datetime.now(UTC)
    cleared = [(e, c) for e, c, value, tier in checked if value is None and tier is None]
    kept = [
        {
            "round_id": round_id,
            "participant_id": participant_id,
            "experience": e,
            "criterion": c,
            "value": value,
            "tier": tier,
            "updated_at": now,
        }
        for e, c, value, tier in checked
        if value is not None or tier is not None
    ]
    for experience, criterion in cleared:
        connection.execute(
            round_scores.delete().where(
                round_scores.c.round_id == round_id,
                round_scores.c.participant_id == participant_id,
                round_scores.c.experience == experience,
                round_scores.c.criterion == criterion,
            )
        )
    if kept:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(round_scores)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["round_id", "participant_id", "experience", "criterion"],
                set_={
                    "value": statement.excluded.value,
                    "tier": statement.excluded.tier,
                    "updated_at": statement.excluded.updated_at,
                },
            ),
            kept,
        )


def import_scores(store: Store, code: str, text: str, *, source: str = "<scores>") -> tuple[int, int]:
    """Save the scores of a CSV file (columns ``participant,experience,criterion,value``:
    scores collected offline or in a spreadsheet), all or none, in one transaction;
    participants join by name as they first appear. A ``'`` before a cell starting with a
    formula's character, as :func:`cxprio.outputs.rounds.scores_csv` writes it, is
    dropped (:func:`cxprio.outputs.exports.read_back`). Every bad row is reported with its
    line (:class:`RoundError`, :func:`cxprio.method.rounds.checks.read_scores`); returns
    ``(scores, new participants)``."""
    # A ' that a file of ours put before a formula's character goes (cxprio.outputs.exports).
    lines = ([read_back(c.strip()) for c in cells] for cells in scores_file(text, source))
    found = get_round(store, code)
    rows = read_scores(found, lines, source)
    created = 0
    with store.transaction() as connection:
        found = open_row(connection, code)
        people = {
            row.identity: row.id
            for row in connection.execute(
                sa.select(round_participants.c.identity, round_participants.c.id).where(
                    round_participants.c.round_id == found.id
                )
            )
        }
        by_person: dict[int, list[tuple[str, str, float | None, str | None]]] = {}
        for name, experience, criterion, number, tier in rows:
            identity = identity_of(name)
            if identity not in people:
                people[identity] = _new_participant(connection, found.id, identity, name)
                created += 1
            by_person.setdefault(people[identity], []).append((experience, criterion, number, tier))
        for person, checked in by_person.items():
            _write(connection, found.id, person, checked)
    return len(rows), created


def scores(
    store: Store,
    found: Round,
    *,
    of: Participant | None = None,
    experiences: Sequence[str] | None = None,
) -> list[Score]:
    """Every score of the round, with its participant's name, in entry order; ``of``:
    one participant's only (their own page reads no one else's); ``experiences``: only
    those experiences' (what is revealed)."""
    query = (
        sa.select(
            round_participants.c.name,
            round_scores.c.experience,
            round_scores.c.criterion,
            round_scores.c.value,
            round_scores.c.tier,
            round_scores.c.updated_at,
            round_scores.c.participant_id,
        )
        .join(round_participants, round_participants.c.id == round_scores.c.participant_id)
        .where(round_scores.c.round_id == found.id)
        .order_by(round_scores.c.id)
    )
    if of is not None:
        query = query.where(round_scores.c.participant_id == of.id)
    if experiences is not None:
        query = query.where(round_scores.c.experience.in_(list(experiences)))
    with store.reading() as connection:
        rows = connection.execute(query).all()
    return [
        Score(n, e, c, value, tier, aware(updated), person) for n, e, c, value, tier, updated, person in rows
    ]


def _participant(row: Any) -> Participant:
    return Participant(row.id, row.round_id, row.name, row.identity, row.token, aware(row.joined_at))
