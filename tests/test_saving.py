"""Saving edits (cxprio.store.saving): the store is the truth and the catalogue file its
mirror; a save from an old version goes on top when nobody changed the same values and
is refused when somebody did; a file changed outside is never overwritten; a save cut
at any step is completed or rolled back, never half made. On SQLite and on a real
PostgreSQL (see the ``url`` fixture)."""

from __future__ import annotations

import copy
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from cxprio import CatalogueError, UsageError
from cxprio.catalogue.edit import Edit
from cxprio.errors import StaleVersion
from cxprio.store.imports import import_file
from cxprio.store.saving import FileChanged, SameValues, Saved, clean_temporary, mirror, save_edits
from cxprio.store.versions import Store, Version

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


def test_a_second_editor_from_one_version_goes_on_top_when_the_values_differ(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    save(store, [DEPTH], started_from=first.id, rationale="one", file=path, file_sha256=first.sha256)
    saved = save(
        store,
        [Edit("move-out", "ambition", "unique")],
        started_from=first.id,
        author="ben",
        rationale="two",
        file=path,
        file_sha256=first.sha256,
    )
    assert saved.version.id == 3 and [v.id for v in saved.merged_over] == [2]
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["experiences"][1]
    assert (entry["measures"]["depth"], entry["ambition"]) == (2, "unique")  # both kept
    assert path.read_text(encoding="utf-8") == store.text(3)
    (row,) = store.audit(3)
    assert (row.author, row.rationale, row.field) == ("ben", "two", "ambition")
    assert row.note == "made on version 1, applied on top of version 2"
    assert left_behind(path.parent) == []


def test_a_second_editor_of_the_same_value_is_refused_unless_they_put_theirs_over(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    save(store, [DEPTH], started_from=first.id, rationale="one", file=path, file_sha256=first.sha256)
    after_first = path.read_text(encoding="utf-8")
    mine = [Edit("move-out", "measures.depth", 3), Edit("move-out", "ambition", "unique")]
    with pytest.raises(SameValues) as refused:
        save(store, mine, started_from=first.id, author="ben", rationale="two", file=path)
    assert [(r.field, r.new, r.author) for r in refused.value.clashes] == [("measures.depth", "2", "ana")]
    assert "move-out measures.depth to 2 (version 2, by ana)" in str(refused.value)
    assert path.read_text(encoding="utf-8") == after_first and len(store.history()) == 2
    saved = save(store, mine, started_from=first.id, author="ben", rationale="two", file=path, overwrite=True)
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["experiences"][1]
    assert saved.version.id == 3 and (entry["measures"]["depth"], entry["ambition"]) == (3, "unique")
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


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_file_write_that_fails_after_the_commit_is_completed_from_the_store(
    store: Store, catalogue: tuple[Path, Version], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path, first = catalogue
    before = path.read_bytes()
    with monkeypatch.context() as broken:
        broken.setattr(
            {
                "write": "cxprio.store.saving.os.fdopen",
                "fsync": "cxprio.store.saving.os.fsync",
                "replace": "cxprio.store.saving.os.replace",
            }[step],
            _fail,
        )
        saved = save(store, [DEPTH], started_from=first.id, file=path, file_sha256=first.sha256)
    assert not saved.wrote_file and path.read_bytes() == before  # the store has it; the file is behind
    assert left_behind(path.parent) == []
    assert [(r.author, r.rationale) for r in store.audit(saved.version.id)] == [("ana", "x")]
    assert mirror(store, saved.version, path, first.sha256)  # what the board does when it next looks
    assert path.read_text(encoding="utf-8") == store.text(saved.version.id)


def test_a_commit_that_fails_leaves_file_and_store_as_they_were(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    path, first = catalogue
    before = path.read_bytes()

    @sa.event.listens_for(store.engine, "commit")
    def refuse(_connection: object) -> None:
        raise OSError("the database went away")

    with pytest.raises(OSError):
        save(store, [DEPTH], started_from=first.id, file=path, file_sha256=first.sha256)
    sa.event.remove(store.engine, "commit", refuse)
    assert path.read_bytes() == before
    assert [v.id for v in Store(store.url).history()] == [first.id]
    assert left_behind(path.parent) == []


def test_a_save_keeps_the_file_mode(store: Store, catalogue: tuple[Path, Version]) -> None:
    path, first = catalogue
    path.chmod(0o640)  # neither the default of a new file (0644 here) nor of a temporary one (0600)
    save(store, [DEPTH], started_from=first.id, file=path, file_sha256=first.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path.chmod(0o644)
    save(store, [Edit("move-out", "ambition", "unique")], started_from=2, file=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text(encoding="utf-8") == store.text(3)


def test_a_catalogue_that_is_a_link_stays_a_link_and_its_file_gets_the_save(
    store: Store, catalogue: tuple[Path, Version], tmp_path: Path
) -> None:
    real, first = catalogue
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    link = mounted / "experiences.yaml"
    link.symlink_to(real)  # as a configuration mount links its files
    saved = save(store, [DEPTH], started_from=first.id, file=link, file_sha256=first.sha256)
    assert saved.wrote_file
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == store.text(saved.version.id)
    assert left_behind(mounted) == [] and left_behind(real.parent) == []


def test_temporary_files_of_a_process_that_is_gone_are_cleaned_up(tmp_path: Path) -> None:
    target = tmp_path / "catalogue.yaml"
    target.write_text("x", encoding="utf-8")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead, alive = int(gone.stdout), os.getppid()
    left = tmp_path / f".catalogue.yaml.{dead}.abc123.saving"
    running = tmp_path / f".catalogue.yaml.{alive}.def456.saving"
    other = tmp_path / f".other.yaml.{dead}.abc123.saving"
    for path in (left, running, other):
        path.write_text("half a save", encoding="utf-8")
    assert clean_temporary(target) == [left]
    assert not left.exists() and running.exists() and other.exists() and target.exists()


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


def test_a_save_lands_on_the_latest_when_newer_versions_changed_other_values(
    store: Store, catalogue: tuple[Path, Version]
) -> None:
    _path, first = catalogue
    save(store, [DEPTH], started_from=first.id, rationale="a")
    other = Edit("move-out", "ambition", "unique")
    saved = save(store, [other], started_from=first.id, author="ben", rationale="b")
    entry = yaml.safe_load(store.text(saved.version.id))["experiences"][1]
    assert (entry["measures"]["depth"], entry["ambition"]) == (2, "unique")
    with pytest.raises(StaleVersion):  # the same value changed since: never applied over it
        save(
            store, [Edit("move-out", "measures.depth", 3)], started_from=first.id, author="cy", rationale="c"
        )
    assert len(store.history()) == 3


def test_twenty_editors_saving_onto_the_latest_at_once_all_land(store: Store, tmp_path: Path) -> None:
    import threading

    from cxprio.catalogue.generate import generate_catalogue

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
    )
    assert saved.wrote_file and path.read_text(encoding="utf-8") == store.text(saved.version.id)
