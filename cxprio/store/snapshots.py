"""Snapshots: a quarter frozen in the store, for the quarter-on-quarter view.

:func:`take_snapshot` freezes, under a label ``YYYY-Qn``: the catalogue version, the
weights and scales used, every experience's rank, priority, values, ambition, current
tier, measures and performance, the seam coverage and the number of findings of each
kind. Snapshots are append-only: a second snapshot of a quarter is refused unless it
says it supersedes the first, and the superseded one is kept (the newest of a quarter
is the one that counts). Two snapshots of one quarter taken at once cannot both land:
the store's unique (quarter, generation) decides.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cxprio.catalogue.limits import PERSON_NAME_LENGTH
from cxprio.catalogue.model import Catalogue
from cxprio.errors import StoreError, StoreUnavailable, UsageError
from cxprio.method.ambition import check_ambition
from cxprio.method.compare import Comparison, compare
from cxprio.method.ownership import analyse_ownership
from cxprio.method.scoring import score
from cxprio.store.schema import snapshots
from cxprio.store.versions import Store, aware
from cxprio.texts import plain, quoted

QUARTER = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One snapshot: its quarter, which of that quarter's it is, the catalogue version it
    froze, when, by whom, and the frozen figures (:func:`freeze`)."""

    id: int
    quarter: str
    generation: int
    version_id: int
    created_at: datetime
    author: str
    payload: dict[str, Any]


class SnapshotExists(StoreError):
    """The quarter has a snapshot already, and the new one does not say it supersedes it."""


def parse_quarter(text: str) -> str:
    """``text`` as a quarter label (``2026-Q4``); :class:`UsageError` saying the form otherwise."""
    label = text.strip().upper()
    if not QUARTER.fullmatch(label):
        raise UsageError(f"{quoted(text)} is not a quarter: write the year and the quarter, such as 2026-Q4")
    return label


def freeze(catalogue: Catalogue, weights: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The figures a snapshot keeps, as plain data (JSON)."""
    scores = score(catalogue, weights=weights)
    table = scores.table
    report = analyse_ownership(catalogue, scores.priorities())
    ambition = check_ambition(catalogue, scores)
    by_id = {e.id: e for e in catalogue.experiences}
    experiences = []
    for row in table.to_dict("records"):
        experience = by_id[str(row["id"])]
        experiences.append(
            {
                "id": experience.id,
                "name": experience.name,
                "level": experience.level.value,
                "parent": experience.parent,
                "owner": experience.owner,
                "rank": int(row["rank"]),
                "priority": float(row["priority"]),
                "customer_value": float(row["customer_value"]),
                "business_value": float(row["business_value"]),
                "ambition": experience.ambition.value if experience.ambition else None,
                "current": experience.current.value if experience.current else None,
                "measures": experience.measures.model_dump(mode="json"),
                "performance": [p.model_dump(mode="json") for p in experience.performance],
            }
        )
    findings = Counter(f.code for f in [*ambition.findings, *report.all_findings])
    return {
        "weights": dict(scores.weights),
        "scales": catalogue.scoring.scales.model_dump(mode="json"),
        "organisation": catalogue.organisation.name,
        "experiences": experiences,
        "seam_coverage": report.coverage,
        "seams": len(report.seams),
        "unowned_seams": sum(not s.owned for s in report.seams),
        "findings": dict(sorted(findings.items())),
    }


def take_snapshot(
    store: Store,
    quarter: str,
    *,
    author: str,
    supersede: bool = False,
    version_id: int | None = None,
    weights: Mapping[str, float] | None = None,
) -> Snapshot:
    """Freeze ``quarter`` from the latest version (or ``version_id``) under ``weights``
    (the catalogue's own by default). Raises :class:`SnapshotExists` when the quarter has
    one and ``supersede`` is not set, and :class:`UsageError` for a malformed quarter."""
    label = parse_quarter(quarter)
    plain(author, "author's name", limit=PERSON_NAME_LENGTH)
    version = store.version(version_id) if version_id is not None else store.latest()
    if version is None:
        raise StoreError("the store holds no catalogue yet", "import one first: open the board on its file")
    existing = [s for s in list_snapshots(store) if s.quarter == label]
    if existing and not supersede:  # said at once; the transaction checks again
        raise _exists(label, existing[-1])
    catalogue = store.catalogue(version.id).catalogue
    payload = freeze(catalogue, weights)
    payload["quarter"] = label
    payload["version"] = version.id
    body = zlib.compress(json.dumps(payload).encode("utf-8"))
    # The generation is read and written in one transaction; two supersedes at once that
    # both read the same one collide on (quarter, generation): the later tries again on
    # top of the other, so both land, one after the other.
    for _attempt in range(20):
        now = datetime.now(UTC)
        try:
            with store.transaction() as connection:
                newest = connection.execute(
                    sa.select(sa.func.max(snapshots.c.generation)).where(snapshots.c.quarter == label)
                ).scalar()
                if newest is not None and not supersede:
                    raise _exists(label, None)
                generation = (newest or 0) + 1
                try:
                    snapshot_id = connection.execute(
                        snapshots.insert()
                        .values(
                            quarter=label,
                            generation=generation,
                            version_id=version.id,
                            created_at=now,
                            author=author,
                            payload=body,
                        )
                        .returning(snapshots.c.id)
                    ).scalar_one()
                except sa.exc.IntegrityError:
                    raise _Collided from None
        except _Collided:
            if not supersede:
                raise _exists(label, None) from None
            continue
        break
    else:
        raise StoreUnavailable(
            f"the snapshots of {label} kept changing while this one was being taken", "try again in a moment"
        )
    return Snapshot(snapshot_id, label, generation, version.id, now, author, payload)


class _Collided(Exception):
    """Another snapshot of the quarter took this generation a moment before."""


def _exists(label: str, newest: Snapshot | None) -> SnapshotExists:
    if newest is None:
        return SnapshotExists(
            f"someone else took a snapshot of {label} at the same moment",
            "look at it; say --supersede to take a new one in its place",
        )
    return SnapshotExists(
        f"{label} has a snapshot already (taken {newest.created_at:%Y-%m-%d %H:%M} UTC by "
        f"{newest.author}, version {newest.version_id})",
        "say --supersede to take a new one in its place; the old one is kept",
    )


def list_snapshots(store: Store) -> list[Snapshot]:
    """Every snapshot, superseded ones too, oldest first (without their figures: see
    :func:`quarters` for those)."""
    with store.guard("read"), store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                snapshots.c.id,
                snapshots.c.quarter,
                snapshots.c.generation,
                snapshots.c.version_id,
                snapshots.c.created_at,
                snapshots.c.author,
            ).order_by(snapshots.c.id)
        ).all()
    return [_snapshot(r, {}) for r in rows]


def quarters(store: Store) -> dict[str, Snapshot]:
    """The snapshot that counts for each quarter (the newest), with its figures, in
    quarter order."""
    current: dict[str, int] = {}
    for snapshot in list_snapshots(store):
        current[snapshot.quarter] = snapshot.id
    if not current:
        return {}
    with store.guard("read"), store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(snapshots).where(snapshots.c.id.in_(list(current.values())))
        ).all()
    found = {r.quarter: _snapshot(r, json.loads(zlib.decompress(r.payload))) for r in rows}
    return {label: found[label] for label in sorted(found)}


def _snapshot(row: Any, payload: dict[str, Any]) -> Snapshot:
    created = aware(row.created_at)
    return Snapshot(row.id, row.quarter, row.generation, row.version_id, created, row.author, payload)


def compare_quarters(
    store: Store, then: str, now: str, *, found: Mapping[str, Snapshot] | None = None
) -> Comparison:
    """The quarter-on-quarter comparison of two quarters' snapshots (the newest of each),
    with the audit trail between their versions; :class:`UsageError` naming the quarters
    there are when one has no snapshot. ``found``: :func:`quarters`, when the caller has
    read them already (each holds every experience's figures)."""
    found = quarters(store) if found is None else found
    labels = [parse_quarter(then), parse_quarter(now)]
    missing = [label for label in labels if label not in found]
    if missing:
        have = ", ".join(found) or "none yet"
        raise UsageError(
            f"no snapshot of {' or '.join(missing)}; the quarters with one: {have} "
            "(take one with `python -m cxprio snapshot --quarter YYYY-Qn`)"
        )
    first, second = (found[label] for label in labels)
    low, high = sorted((first.version_id, second.version_id))
    between = [row for row in store.audit(after=low) if row.version_id <= high]
    return compare(first.payload, second.payload, between)
