"""The board and the store, through AppTest: the board shows the store's latest version,
a changed catalogue file becomes a new version, a broken file or a database that is down
never empties the board."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxprio.catalogue import loading
from cxprio.catalogue.audit import FieldChange
from cxprio.store.imports import import_file
from cxprio.store.versions import Store

from .conftest import BASE, catalogue_dict, dump, imported


def written(folder: Path) -> Path:
    """The small test catalogue, as a file in ``folder``."""
    path = folder / "catalogue.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    return path


def sha_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_board_imports_its_catalogue_file_into_the_store(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path
) -> None:
    path = written(tmp_path)
    app = board(path)
    assert app.title[0].value == BASE["organisation"]
    first = imported(own_store, sha_of(path))
    assert (first.origin, first.source, first.rationale) == ("file", str(path), "imported from file")

    changed = copy.deepcopy(BASE)
    changed["experiences"][2]["ambition"] = "competitive"
    path.write_text(dump(changed), encoding="utf-8")
    app.run()
    second = imported(own_store, sha_of(path))
    assert second.parent_id == first.id
    store = Store(own_store)
    rows = [(r.experience, r.field, r.old, r.new) for r in store.audit(second.id)]
    store.close()
    assert rows == [("final-reading", "ambition", "uncompetitive", "competitive")]


def test_a_fresh_server_shows_the_file_the_store_holds_without_parsing_it(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = written(tmp_path)
    store = Store(own_store)
    import_file(store, str(path))  # a server before this one imported it
    store.close()
    parsed: list[str] = []
    real = loading.read_yaml  # every parse of a whole catalogue, the board's or the store's
    monkeypatch.setattr(
        loading, "read_yaml", lambda text, *a, **k: parsed.append("yaml") or real(text, *a, **k)
    )
    st.cache_resource.clear()
    app = board(path)
    assert app.title[0].value == BASE["organisation"]
    assert parsed == []
    assert any("Version 1" in c.value for c in app.sidebar.caption)


def test_the_board_shows_the_latest_version_not_the_older_file(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path
) -> None:
    path = written(tmp_path)
    store = Store(own_store)
    imported = store.commit(
        path.read_text(encoding="utf-8"), parent=None, author="file", origin="file", source=str(path)
    )
    store.commit(dump(catalogue_dict(organisation="Saved On The Board")), parent=imported.id, author="ana")
    store.close()
    app = board(path)  # the file is as last imported: the store's newer version is shown
    assert app.title[0].value == "Saved On The Board"
    assert not app.warning
    assert any("Version 2" in c.value and "by ana" in c.value for c in app.sidebar.caption)


def test_a_broken_file_leaves_the_stores_latest_version_on_screen_with_the_errors(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path
) -> None:
    path = written(tmp_path)
    board(path)
    imported(own_store, sha_of(path))
    broken = copy.deepcopy(BASE)
    broken["experiences"][0]["level"] = "jorney"
    path.write_text(dump(broken), encoding="utf-8")
    fresh = board(path)  # a new visitor, as after a restart: the store remembers
    assert fresh.title[0].value == BASE["organisation"]
    assert any("last version that loaded" in w.value for w in fresh.warning)
    assert "jorney" in " ".join(e.value for e in fresh.error)
    store = Store(own_store)
    assert len(store.history()) == 1  # nothing written for the broken file
    store.close()


def test_a_database_that_is_down_leaves_the_file_on_screen_and_says_so(
    board: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CXPRIO_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/cxprio")
    path = written(tmp_path)
    app = board(path)
    assert not app.exception
    assert app.title[0].value == BASE["organisation"]
    # As it reads: the Markdown escapes that keep the text plain taken out.
    warning = " ".join(w.value for w in app.warning).replace("\\", "").replace("\u200b", "")
    assert "The store cannot be used" in warning and "127.0.0.1" in warning and "nobody@" in warning


def test_the_history_page_lists_versions_and_changes_newest_first(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path
) -> None:
    path = written(tmp_path)
    board(path)
    first = imported(own_store, sha_of(path))
    store = Store(own_store)
    store.commit(
        dump(catalogue_dict(organisation="Test Energy")).replace("depth: 4", "depth: 2"),
        parent=first.id,
        author="ana",
        rationale="re-scored",
        field_changes=[FieldChange("move-out", "measures.depth", "4", "2")],
    )
    store.close()
    app = board(path, page="pages/history.py")
    assert not app.exception, [e.value for e in app.exception]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "Versions": "2",
        "Values changed": str(len(BASE["experiences"]) + 1),
        "Edited on the board": "1",
    }
    versions, changes = app.table[0].value, app.table[1].value  # tables that wrap, in words
    assert list(versions["Version"]) == ["2", "1"]
    assert list(versions["Values changed"]) == ["1", f"{len(BASE['experiences']):,}"]
    assert tuple(changes.iloc[0][["Field", "Was", "Now"]]) == ("Depth", "4", "2")
    app.text_input(key="history_search").input("depth").run()
    assert [why.replace("\\", "") for why in app.table[1].value["Why"]] == ["re-scored"]
    app.text_input(key="history_search").input("").run()
    app.segmented_control(key="history_origins").set_value(["file"]).run()
    assert set(app.table[1].value["Field"]) == {"Added"}


def test_a_replica_with_an_older_copy_of_the_file_shows_the_latest_and_never_brings_it_back(
    board: Callable[..., AppTest], own_store: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "replica-a" / "catalogue.yaml"  # the replica that saved
    elsewhere.parent.mkdir()
    elsewhere.write_text(dump(BASE), encoding="utf-8")
    store = Store(own_store)
    first = import_file(store, elsewhere).version
    store.commit(dump(catalogue_dict(organisation="Saved On Replica A")), parent=first.id, author="ana")
    store.close()
    app = board(written(tmp_path))  # this replica's own copy still holds version 1's text
    assert app.title[0].value == "Saved On Replica A"
    assert any("Version 2" in c.value for c in app.sidebar.caption)
    store = Store(own_store)
    assert len(store.history()) == 2  # the old text was not imported again
    store.close()
