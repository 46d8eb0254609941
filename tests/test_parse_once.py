"""A version's YAML is parsed once, ever: the store keeps the validated catalogue beside
the text (:meth:`cxprio.store.versions.Store.catalogue`), and every reader takes it from
there. Each test counts the YAML reads (:func:`cxprio.catalogue.loading.read_yaml`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxprio import parse_catalogue
from cxprio.catalogue import loading
from cxprio.store import parsed as kept
from cxprio.store.imports import import_file
from cxprio.store.snapshots import take_snapshot
from cxprio.store.versions import Store

from .conftest import SAMPLE


class Reads:
    """How many times the YAML reader read a whole catalogue (not one entry of it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = loading.read_yaml

        def counted(text: str, *args: object, **kwargs: object) -> object:
            self.count += "\nexperiences:" in text
            return real(text, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loading, "read_yaml", counted)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A store in the SQLite file ``tmp_path / "cxprio.db"``."""
    opened = Store(f"sqlite:///{tmp_path / 'cxprio.db'}")
    yield opened
    opened.close()


def kept_rows(store: Store) -> list[tuple[int, str]]:
    """(version, form) of every catalogue the store keeps, once it has written them."""
    store.flush()
    with store.engine.connect() as connection:
        return [
            tuple(r) for r in connection.execute(sa.text("SELECT version_id, format FROM catalogue_parsed"))
        ]


def test_an_import_keeps_the_catalogue_and_a_fresh_reader_does_not_parse_it(
    store: Store, reads: Reads, tmp_path: Path
) -> None:
    version = import_file(store, SAMPLE).version
    assert reads.count == 1  # the import's own parse of the new text
    assert kept_rows(store) == [(version.id, kept.FORMAT)]
    fresh = Store(store.url)  # another server: nothing in memory
    try:
        loaded = fresh.catalogue(version.id, source="experiences.yaml")
    finally:
        fresh.close()
    assert reads.count == 1
    expected = parse_catalogue(SAMPLE.read_bytes(), source="experiences.yaml")
    assert loaded.catalogue == expected.catalogue
    assert loaded.warnings == expected.warnings  # located in the text, named by the reader
    assert loaded.warnings and loaded.warnings[0].line is not None
    assert loaded.content == SAMPLE.read_bytes()


def test_a_version_kept_without_its_catalogue_is_parsed_once_then_kept(store: Store, reads: Reads) -> None:
    version = store.commit(SAMPLE.read_text(encoding="utf-8"), parent=None, author="ana")
    assert kept_rows(store) == []  # an old version, or an edit of part of the text
    store.catalogue(version.id)
    assert (reads.count, kept_rows(store)) == (1, [(version.id, kept.FORMAT)])
    fresh = Store(store.url)
    try:
        fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert reads.count == 1


def test_a_catalogue_kept_in_another_form_is_parsed_again_and_replaced(store: Store, reads: Reads) -> None:
    version = import_file(store, SAMPLE).version
    store.flush()  # the catalogue is kept in the background
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE catalogue_parsed SET format = :f"), {"f": "0-an-older-form"})
    fresh = Store(store.url)
    try:
        fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert (reads.count, kept_rows(store)) == (
        2,
        [(version.id, "0-an-older-form"), (version.id, kept.FORMAT)],
    )
    fresh = Store(store.url)
    try:
        fresh.catalogue(version.id)  # the new form's, kept beside the old one's
    finally:
        fresh.close()
    assert reads.count == 2


def test_a_kept_catalogue_that_no_longer_loads_is_not_trusted(store: Store, reads: Reads) -> None:
    version = import_file(store, SAMPLE).version
    store.flush()  # the catalogue is kept in the background
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE catalogue_parsed SET catalogue = :b"), {"b": b"not zlib"})
    fresh = Store(store.url)
    try:
        loaded = fresh.catalogue(version.id)
    finally:
        fresh.close()
    assert reads.count == 2
    again = Store(store.url)
    try:
        again.catalogue(version.id)  # what the reader parsed replaced what would not load
    finally:
        again.close()
    assert reads.count == 2
    assert loaded.catalogue == parse_catalogue(SAMPLE.read_bytes()).catalogue


def test_a_snapshot_and_a_second_import_read_the_kept_catalogue(
    store: Store, reads: Reads, tmp_path: Path
) -> None:
    import_file(store, SAMPLE)
    store.flush()  # the import keeps its catalogue in the background; a reader before then parses
    fresh = Store(store.url)
    try:
        take_snapshot(fresh, "2026-Q3", author="ana")
        assert reads.count == 1
        changed = tmp_path / "experiences.yaml"
        changed.write_text(SAMPLE.read_text(encoding="utf-8").replace("Northwind Energy", "Southwind Energy"))
        import_file(fresh, changed)  # compares with the latest: kept, not parsed again
    finally:
        fresh.close()
    assert reads.count == 2


def test_a_read_only_store_still_gives_the_catalogue(
    sqlite_store: Store, reads: Reads, tmp_path: Path
) -> None:
    version = sqlite_store.commit(SAMPLE.read_text(encoding="utf-8"), parent=None, author="ana")
    sqlite_store.close()
    path = tmp_path / "cxprio.db"
    path.chmod(0o444)
    read_only = Store(f"sqlite:///{path}", migrate=False)
    try:
        loaded = read_only.catalogue(version.id)
    finally:
        read_only.close()
        path.chmod(0o644)
    assert loaded.catalogue.organisation.name == "Northwind Energy"
    reopened = Store(f"sqlite:///{path}", migrate=False)
    try:
        assert (reads.count, kept_rows(reopened)) == (1, [])
    finally:
        reopened.close()


# --- an edit's version: made from the version before, as a full parse would load it ------

from cxprio.catalogue.edit import Edit, apply_edits  # noqa: E402
from cxprio.catalogue.generate import generate_catalogue  # noqa: E402
from cxprio.catalogue.loading import after_edits  # noqa: E402
from cxprio.store.saving import save_edits  # noqa: E402

from .conftest import BASE, dump  # noqa: E402

BLOCK = dump(
    {
        **BASE,
        "organisation": {"name": BASE["organisation"], "customers": 300_000},
        "experiences": [
            {**e, "measures": {k: v for k, v in e["measures"].items() if k != "cost"}}
            if i in (0, len(BASE["experiences"]) - 1)
            else e
            for i, e in enumerate(BASE["experiences"])
        ],
    }
)
"""The small catalogue in block style (an added key is a new line), the first and last
experiences without their cost and the organisation's customers given: warnings of every
kind, above and below the entries the edits change."""


def edit_cases() -> list[tuple[str, str, list[Edit]]]:
    generated = generate_catalogue(experiences=60, teams=8, seed=3)
    ids = [e["id"] for e in __import__("yaml").safe_load(generated)["experiences"]]
    base_ids = [e["id"] for e in BASE["experiences"]]
    return [
        (
            "sample: a measure filled in, one out of scale",
            SAMPLE.read_text(encoding="utf-8"),
            [
                Edit("update-contact-details", "measures.failure_demand", 0.2),
                Edit("move-out", "measures.reach", 9_000_000),
            ],
        ),
        (
            "sample: a measure taken out",
            SAMPLE.read_text(encoding="utf-8"),
            [
                Edit("move-out", "measures.depth", None),
                Edit("update-contact-details", "ambition", "competitive"),
            ],
        ),
        (
            "block: lines added above other warnings",
            BLOCK,
            [
                Edit(base_ids[1], "current", "distinct"),
                Edit(base_ids[0], "measures.cost", 50_000),
                Edit(base_ids[1], "measures.reach", 400_000),
            ],
        ),
        (
            "block: a missing measure stays missing, a line added",
            BLOCK,
            [Edit(base_ids[0], "current", "competitive"), Edit(base_ids[2], "measures.frequency", None)],
        ),
        (
            "generated: edits far apart",
            generated,
            [
                Edit(ids[3], "measures.reach", 12),
                Edit(ids[40], "measures.frequency", None),
                Edit(ids[59], "ambition", "unique"),
            ],
        ),
    ]


@pytest.mark.parametrize("case", range(5))
def test_an_edits_catalogue_is_what_a_full_parse_of_the_new_text_loads(case: int) -> None:
    _what, text, edits = edit_cases()[case]
    before = parse_catalogue(text, source="catalogue.yaml")
    edited = apply_edits(text, edits, teams={t.id for t in before.catalogue.teams}, source="catalogue.yaml")
    made = after_edits(before, edited)
    expected = parse_catalogue(edited.text, source="catalogue.yaml")
    assert made is not None
    assert made.catalogue == expected.catalogue
    assert made.warnings == expected.warnings
    assert made.sha256 == expected.sha256 and made.content == expected.content


def test_a_save_holds_its_versions_catalogue_made_from_the_one_before(
    store: Store, reads: Reads, tmp_path: Path
) -> None:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    first = import_file(store, path).version
    store.catalogue(first.id)
    saved = save_edits(
        store,
        [Edit("update-contact-details", "measures.failure_demand", 0.2)],
        started_from=first.id,
        author="ana",
        rationale="measured",
        teams={t.id for t in store.catalogue(first.id).catalogue.teams},
        file=path,
        file_sha256=first.sha256,
    )
    held = store.catalogue(saved.version.id)  # in this process: made, not parsed
    assert reads.count == 1  # the import's parse only
    assert (saved.version.id, kept.FORMAT) not in kept_rows(store)  # a save writes only its change
    expected = parse_catalogue(path.read_bytes())
    assert held.catalogue == expected.catalogue and held.warnings == ()
    fresh = Store(store.url)
    try:
        fresh.catalogue(saved.version.id)  # another process parses it once, and keeps it
    finally:
        fresh.close()
    assert (saved.version.id, kept.FORMAT) in kept_rows(store)


def test_only_recent_versions_and_those_snapshots_name_keep_their_catalogue(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    first = import_file(store, path).version
    take_snapshot(store, "2026-Q3", author="ana")  # names the first version
    latest = first
    for depth in (2, 3, 4, 5, 1):
        latest = save_edits(
            store,
            [Edit("move-out", "measures.depth", depth)],
            started_from=latest.id,
            author="ana",
            rationale="measured",
            teams={t.id for t in store.catalogue(first.id).catalogue.teams},
            file=path,
            file_sha256=latest.sha256,
        ).version
    fresh = Store(store.url)  # another process reads the newest: parses it once, keeps it
    try:
        fresh.catalogue(latest.id)
    finally:
        fresh.close()
    for old in range(first.id + 1, latest.id - kept.KEPT_VERSIONS + 1):
        with store.engine.begin() as connection:  # as if kept by readers when they were new
            connection.execute(
                sa.text(
                    "INSERT INTO catalogue_parsed SELECT :v, format, catalogue, warnings FROM catalogue_parsed WHERE version_id = :f"
                ),
                {"v": old, "f": first.id},
            )
    fresh = Store(store.url)
    try:
        fresh.catalogue(latest.id - 1)  # a keep trims what is too old and not named
    finally:
        fresh.close()
    held = {version for version, _form in kept_rows(store)}
    assert held == {first.id, latest.id - 1, latest.id}  # the snapshot's and the newest


def test_the_tables_the_store_declares_are_the_ones_its_migrations_make(url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cxprio.store.schema import metadata

    Store(url).close()  # migrated to the newest revision
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), metadata
            )
    finally:
        engine.dispose()
    assert differences == []


def test_two_catalogues_are_equal_by_their_fields_whether_or_not_their_columns_were_made() -> None:
    first, second = (parse_catalogue(SAMPLE.read_bytes()).catalogue for _ in range(2))
    first.columns  # noqa: B018  # made for one of the two only
    assert first == second
    fewer = first.model_copy(update={"experiences": first.experiences[:1]})
    assert fewer.columns.id == [first.experiences[0].id]  # made again, not the original's
    assert fewer != first
