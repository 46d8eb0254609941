"""The store's workshop rounds: opening one, finding it, ending its scoring, revealing
it, and marking it closed (the tables ``rounds``, ``round_participants`` and
``round_scores`` of :mod:`cxprio.store.versions`). What a round is and what it accepts
are in :mod:`cxprio.method.rounds`; its participants and scores in
:mod:`cxprio.store.round_scores`; closing it into the catalogue in
:mod:`cxprio.store.round_closing`.

Nothing is kept only in a browser or a server's memory, so a closed tab or a restarted
server loses nothing. The library enforces nothing about who looks at the scores (the
board does); it records what is revealed (:func:`reveal`).

Concurrency: a score is written in one small transaction that first reads the round's
row (``FOR SHARE`` on PostgreSQL, :func:`open_row`); closing takes that row for update
(:func:`mark_closed`), so no score lands after a round has closed, and the unique
(round, participant, experience, criterion) makes each score exist once however many
write at once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cxprio.catalogue.model import Catalogue
from cxprio.errors import StoreError
from cxprio.method.rounds.checks import check_opening
from cxprio.method.rounds.model import ALL, DEFAULT_MAX_PARTICIPANTS, Round, RoundError, new_code, normal_code
from cxprio.store.schema import changes as change_rows
from cxprio.store.schema import rounds
from cxprio.store.versions import TRANSACTION_CACHE, Store, Version, aware
from cxprio.texts import quoted


def open_round(
    store: Store,
    catalogue: Catalogue,
    version_id: int,
    *,
    experiences: Sequence[str],
    criteria: Mapping[str, str],
    author: str,
    title: str = "",
    weights_vote: bool = False,
    closes_at: datetime | None = None,
    max_participants: int = DEFAULT_MAX_PARTICIPANTS,
) -> Round:
    """Open a round on version ``version_id`` (whose catalogue is ``catalogue``), taking
    at most ``max_participants`` people; what it records is checked first
    (:func:`cxprio.method.rounds.checks.check_opening`)."""
    now = datetime.now(UTC)
    heading, closes_at = check_opening(
        catalogue,
        experiences=experiences,
        criteria=criteria,
        author=author,
        title=title,
        closes_at=closes_at,
        max_participants=max_participants,
        now=now,
    )
    with store.transaction() as connection:
        taken = True
        while taken:  # 32^6 codes: a second draw is rare, a third rarer still
            code = new_code()
            taken = (
                connection.execute(sa.select(rounds.c.id).where(rounds.c.code == code)).first() is not None
            )
        connection.execute(
            rounds.insert().values(
                code=code,
                title=heading,
                version_id=version_id,
                created_at=now,
                created_by=author.strip(),
                experiences=json.dumps(list(experiences)),
                criteria=json.dumps(dict(criteria)),
                weights_vote=weights_vote,
                closes_at=closes_at,
                revealed="[]",
                max_participants=max_participants,
            )
        )
    return get_round(store, code)


def get_round(store: Store, code: str) -> Round:
    """The round with this join code; :class:`RoundError` saying so if there is none."""
    with store.reading() as connection:
        return read_round(connection, code)


def read_round(connection: Connection, code: str, *, lock: str | None = None) -> Round:
    """The round with this join code, read on ``connection``; with ``lock`` (``share`` or
    ``update``), its row locked so on PostgreSQL (SQLite has one writer anyway)."""
    query = sa.select(rounds).where(rounds.c.code == normal_code(code))
    if lock is not None and connection.dialect.name == "postgresql":
        query = query.with_for_update(read=lock == "share")
    row = connection.execute(query).first()
    if row is None:
        raise RoundError(
            f"there is no round with the code {quoted(code.strip())}: check the code with the facilitator"
        )
    return _round(row)


def list_rounds(store: Store) -> list[Round]:
    """Every round, newest first."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(rounds).order_by(rounds.c.id.desc())).all()
    return [_round(row) for row in rows]


def open_row(connection: Connection, code: str, *, for_scores: bool = True) -> Round:
    """The round, read in the caller's transaction with a shared lock on PostgreSQL (so
    a close waits for scores being written, and scores after it see it closed), and
    refused when it takes no more scores."""
    # Read once per transaction: a group commit (Store.batched) writes many people's
    # scores to one round in one transaction, which holds the lock from the first read.
    seen: dict[str, Round] = connection.info.setdefault(TRANSACTION_CACHE, {})
    wanted = normal_code(code)
    if wanted in seen:
        found = seen[wanted]
    else:
        found = seen[wanted] = read_round(connection, code, lock="share")
    if found.closed:
        raise RoundError(
            f"round {found.code} was closed at {found.closed_at:%Y-%m-%d %H:%M} UTC: it takes no more "
            + ("scores" if for_scores else "participants")
            + "; its results are read-only"
        )
    if not found.scoring_open():
        raise RoundError(
            f"round {found.code} stopped taking scores at {found.closes_at:%Y-%m-%d %H:%M} UTC; "
            "the facilitator reviews and closes it"
        )
    return found


def end_scoring(store: Store, code: str) -> Round:
    """Stop taking scores now (the closing time becomes now), so the results hold still
    while the facilitator reviews them; the round stays open to close."""
    with store.transaction() as connection:
        found = read_round(connection, code, lock="update")
        if found.closed:
            raise RoundError(f"round {found.code} is closed already")
        if found.scoring_open():
            connection.execute(
                rounds.update().where(rounds.c.id == found.id).values(closes_at=datetime.now(UTC))
            )
    return get_round(store, code)


def reveal(store: Store, code: str, experience: str | None = None) -> Round:
    """Reveal one experience's scores, or (``None``) the whole round's."""
    with store.transaction() as connection:
        found = read_round(connection, code, lock="update")
        if found.closed:
            raise RoundError(f"round {found.code} is closed: everything in it is revealed and read-only")
        if experience is not None and experience not in found.experiences:
            raise RoundError(f"{quoted(experience)} is not scored in round {found.code}")
        shown = {ALL} if experience is None else set(found.revealed) | {experience}
        connection.execute(
            rounds.update().where(rounds.c.id == found.id).values(revealed=json.dumps(sorted(shown)))
        )
    return get_round(store, code)


def reopen_scoring(store: Store, found: Round) -> None:
    """Put back the closing time a refused close ended early, unless the round closed."""
    with contextlib.suppress(StoreError), store.transaction() as connection:
        connection.execute(
            rounds.update()
            .where(rounds.c.id == found.id, rounds.c.closed_at.is_(None))
            .values(closes_at=found.closes_at)
        )


def mark_closed(connection: Connection, found: Round, author: str, version: Version | None) -> None:
    """Mark ``found`` closed by ``author``, in the caller's transaction, with the values
    ``version`` changed (``None``: no value changed), everything revealed. The round's row
    is taken for update on PostgreSQL; a round someone else closed a moment ago is
    refused (:class:`RoundError`)."""
    query = sa.select(rounds.c.closed_at).where(rounds.c.id == found.id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    if connection.execute(query).scalar() is not None:
        raise RoundError(f"round {found.code} was closed by someone else a moment ago")
    written = (
        connection.execute(
            sa.select(change_rows.c.experience, change_rows.c.field, change_rows.c.old, change_rows.c.new)
            .where(change_rows.c.version_id == version.id)
            .order_by(change_rows.c.id)
        ).all()
        if version is not None
        else []
    )
    connection.execute(
        rounds.update()
        .where(rounds.c.id == found.id)
        .values(
            closed_at=datetime.now(UTC),
            closed_by=author.strip(),
            accepted=json.dumps([row._asdict() for row in written]),
            result_version_id=version.id if version is not None else None,
            revealed=json.dumps([ALL]),
        )
    )


def _round(row: Any) -> Round:
    accepted = json.loads(row.accepted) if row.accepted else []
    return Round(
        id=row.id,
        code=row.code,
        title=row.title,
        version_id=row.version_id,
        created_at=aware(row.created_at),
        created_by=row.created_by,
        experiences=tuple(json.loads(row.experiences)),
        criteria=json.loads(row.criteria),
        weights_vote=bool(row.weights_vote),
        closes_at=aware(row.closes_at) if row.closes_at else None,
        revealed=frozenset(json.loads(row.revealed)),
        closed_at=aware(row.closed_at) if row.closed_at else None,
        closed_by=row.closed_by,
        accepted=tuple(f"{a['experience']}.{a['field']}" for a in accepted),
        result_version_id=row.result_version_id,
        changed=tuple(accepted),
        max_participants=row.max_participants or DEFAULT_MAX_PARTICIPANTS,
    )
