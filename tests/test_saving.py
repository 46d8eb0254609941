"""Saving edits (cxprio.saving): the store and the catalogue file change together or not
at all, a save from an old version is refused, and a file changed on disk is never
overwritten. On SQLite and on a real PostgreSQL (see the ``url`` fixture)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from cxprio import CatalogueError, UsageError
from cxprio.edit import Edit
from cxprio.errors import StaleVersion
from cxprio.saving import FileChanged, Saved, save_edits
from cxprio.store import Store, Version, import_file

from .conftest import BASE, dump

TEAMS = {t["id"] for t in BASE["teams"]}
DEPTH = Edit("move-out", "measures.depth", 2)


def save(store: Store, edits: list[Edit], **options: Any) -> Saved:
    """:func:`save_edits` as Ana saves on the small catalogue, with ``options`` changed."""
    return save_edits(store, edits, **{"author": "ana", "rationale": "x", "teams": TEAMS, **options})


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
    saved = save(
        store,
        [DEPTH],
        started_from=first.id,
        rationale="re-scored in Q4",
        file=path,
        file_sha256=first.sha256,
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
    save(store, [DEPTH], started_from=first.id, rationale="one", file=path, file_sha256=first.sha256)
    after_first = path.read_text(encoding="utf-8")
    with pytest.raises(StaleVersion):
        save(
            store,
            [Edit("move-out", "ambition", "unique")],
            started_from=first.id,
            author="ben",
            rationale="two",
            file=path,
            file_sha256=first.sha256,
        )
    assert path.read_text(encoding="utf-8") == after_first
    assert len(store.history()) == 2
    assert left_behind(path.parent) == []


def test_a_file_changed_on_disk_is_never_overwritten(store: Store, catalogue: tuple[Path, Version]) -> None:
    path, first = catalogue
    pulled = path.read_text(encoding="utf-8").replace("Test Energy", "Pulled Energy")
    path.write_text(pulled, encoding="utf-8")  # a git pull the board has not read yet
    with pytest.raises(FileChanged):
        save(store, [DEPTH], started_from=first.id, file=path, file_sha256=first.sha256)
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
        save(store, [DEPTH], started_from=first.id, file=path, file_sha256=first.sha256)
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
        save(store, [edit], started_from=first.id, rationale=rationale, file=path)

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
    saved = save(store, [DEPTH], started_from=first.id)
    assert not saved.wrote_file and saved.version.source is None
    assert path.read_bytes() == before
    assert os.path.exists(path)


def test_onto_the_latest_a_save_lands_when_newer_versions_changed_other_values(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    _path, first = catalogue
    save(store, [DEPTH], started_from=first.id, rationale="a")
    other = Edit("move-out", "ambition", "unique")
    with pytest.raises(StaleVersion):  # as asked: from version 1, which is no longer the latest
        save(store, [other], started_from=first.id, author="ben", rationale="b")
    saved = save(store, [other], started_from=first.id, author="ben", rationale="b", onto_latest=True)
    entry = yaml.safe_load(store.text(saved.version.id))["experiences"][1]
    assert (entry["measures"]["depth"], entry["ambition"]) == (2, "unique")
    with pytest.raises(StaleVersion):  # the same value changed since: never applied over it
        save(
            store,
            [Edit("move-out", "measures.depth", 3)],
            started_from=first.id,
            author="cy",
            rationale="c",
            onto_latest=True,
        )
    assert len(store.history()) == 3


def test_twenty_editors_saving_onto_the_latest_at_once_all_land(store: Store, tmp_path: Path) -> None:
    import threading

    from cxprio.generate import generate_catalogue

    path = tmp_path / "catalogue.yaml"
    path.write_text(generate_catalogue(experiences=100, teams=10, seed=2), encoding="utf-8")
    start = import_file(store, path).version
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    teams = {t["id"] for t in data["teams"]}
    wanted = {e["id"]: 1 if e["measures"].get("depth") != 1 else 2 for e in data["experiences"]}
    chunks = [list(wanted)[n::20] for n in range(20)]
    errors: list[BaseException] = []
    together = threading.Barrier(20)

    def editor(ids: list[str]) -> None:
        try:
            together.wait()
            for experience in ids:
                edit = Edit(experience, "measures.depth", wanted[experience])
                save(
                    store,
                    [edit],
                    started_from=start.id,
                    author="x",
                    rationale="y",
                    teams=teams,
                    onto_latest=True,
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=editor, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    latest = store.latest()
    assert latest is not None and latest.id == start.id + 100
    final = {e["id"]: e["measures"]["depth"] for e in yaml.safe_load(store.text(latest.id))["experiences"]}
    assert final == wanted


def test_a_file_the_store_itself_wrote_since_it_was_read_is_written_again(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue  # two sessions of one server both read the file at version 1
    save(store, [DEPTH], started_from=first.id, rationale="a", file=path, file_sha256=first.sha256)
    saved = save(
        store,
        [Edit("move-out", "ambition", "unique")],
        started_from=first.id,
        author="ben",
        rationale="b",
        file=path,
        file_sha256=first.sha256,
        onto_latest=True,
    )
    assert saved.wrote_file and path.read_text(encoding="utf-8") == store.text(saved.version.id)
