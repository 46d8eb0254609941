"""Saving edits (cxprio.saving): the store and the catalogue file change together or not
at all, a save from an old version is refused, and a file changed on disk is never
overwritten. On SQLite and on a real PostgreSQL (see the ``url`` fixture)."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from cxprio import CatalogueError, UsageError
from cxprio.edit import Edit
from cxprio.errors import StaleVersion
from cxprio.saving import FileChanged, save_edits
from cxprio.store import Store, Version, import_file

from .conftest import BASE, dump

TEAMS = {t["id"] for t in BASE["teams"]}
DEPTH = Edit("move-out", "measures.depth", 2)


@pytest.fixture
def catalogue(store: Store, tmp_path: Path) -> tuple[Path, Version]:
    """The small catalogue as a file, imported as the store's first version."""
    path = tmp_path / "catalogue.yaml"
    path.write_text("# kept comment\n" + dump(BASE), encoding="utf-8")
    return path, import_file(store, path).version


def left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_save_writes_the_version_and_the_file_together(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    saved = save_edits(
        store,
        [DEPTH],
        started_from=first.id,
        author="ana",
        rationale="re-scored in Q4",
        teams=TEAMS,
        file=path,
    )
    assert saved.wrote_file
    text = path.read_text(encoding="utf-8")
    assert text == store.text(saved.version.id)
    assert text.startswith("# kept comment\n")
    expected = copy.deepcopy(BASE)
    expected["experiences"][1]["measures"]["depth"] = 2
    assert yaml.safe_load(text) == expected
    rows = store.audit(saved.version.id)
    assert [(r.author, r.rationale, r.experience, r.field, r.old, r.new) for r in rows] == [
        ("ana", "re-scored in Q4", "move-out", "measures.depth", "4", "2")
    ]
    assert left_behind(path.parent) == []


def test_the_second_of_two_editors_from_one_version_is_refused(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    save_edits(store, [DEPTH], started_from=first.id, author="ana", rationale="one", teams=TEAMS, file=path)
    after_first = path.read_text(encoding="utf-8")
    with pytest.raises(StaleVersion):
        save_edits(
            store,
            [Edit("move-out", "ambition", "unique")],
            started_from=first.id,
            author="ben",
            rationale="two",
            teams=TEAMS,
            file=path,
        )
    assert path.read_text(encoding="utf-8") == after_first
    assert len(store.history()) == 2
    assert left_behind(path.parent) == []


def test_a_file_changed_on_disk_is_never_overwritten(store: Store, catalogue: tuple[Path, Version]) -> None:
    path, first = catalogue
    pulled = path.read_text(encoding="utf-8").replace("Test Energy", "Pulled Energy")
    path.write_text(pulled, encoding="utf-8")  # a git pull the board has not read yet
    with pytest.raises(FileChanged):
        save_edits(store, [DEPTH], started_from=first.id, author="ana", rationale="x", teams=TEAMS, file=path)
    assert path.read_text(encoding="utf-8") == pulled
    assert len(store.history()) == 1
    assert left_behind(path.parent) == []


def _fail(*_args: object, **_kwargs: object) -> None:
    raise OSError("the disk is full")


@pytest.mark.parametrize("step", ["write", "fsync", "replace", "commit"])
def test_a_save_interrupted_at_any_step_leaves_file_and_store_as_they_were(
    store: Store, catalogue: tuple[Path, Version], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path, first = catalogue
    before = path.read_bytes()
    if step == "write":
        monkeypatch.setattr("cxprio.saving.os.fdopen", _fail)
    elif step == "fsync":
        monkeypatch.setattr("cxprio.saving.os.fsync", _fail)
    elif step == "replace":
        monkeypatch.setattr("cxprio.saving.os.replace", _fail)
    else:

        @sa.event.listens_for(store.engine, "commit")
        def refuse(_connection: object) -> None:
            raise OSError("the database went away")

    with pytest.raises(OSError):
        save_edits(store, [DEPTH], started_from=first.id, author="ana", rationale="x", teams=TEAMS, file=path)
    if step == "commit":
        sa.event.remove(store.engine, "commit", refuse)
    assert path.read_bytes() == before
    assert [v.id for v in Store(store.url).history()] == [first.id]
    assert left_behind(path.parent) == []


def test_a_save_needs_a_reason_a_change_and_values_the_rules_allow(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    before = path.read_bytes()

    def attempt(edit: Edit, rationale: str) -> None:
        save_edits(
            store, [edit], started_from=first.id, author="ana", rationale=rationale, teams=TEAMS, file=path
        )

    with pytest.raises(UsageError, match="say why"):
        attempt(DEPTH, "  ")
    with pytest.raises(UsageError, match="nothing to save"):
        attempt(Edit("move-out", "measures.depth", 4), "the same value")
    with pytest.raises(CatalogueError):
        attempt(Edit("move-out", "measures.depth", 7), "too deep")
    assert path.read_bytes() == before and len(store.history()) == 1


def test_without_a_file_the_save_goes_to_the_store_alone(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    before = path.read_bytes()
    saved = save_edits(store, [DEPTH], started_from=first.id, author="ana", rationale="x", teams=TEAMS)
    assert not saved.wrote_file and saved.version.source is None
    assert path.read_bytes() == before
    assert os.path.exists(path)
