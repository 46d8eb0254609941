"""The board facing a catalogue that is hostile or broken, through Streamlit's AppTest: a
path that is not a file, an upload far too large, messages that must not tell every
visitor where the server keeps its files."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from board import source
from cxprio.catalogue import checking
from cxprio.catalogue.files import DEFAULT_MAX_BYTES
from cxprio.catalogue.generate import many_experiences
from cxprio.catalogue.limits import MAX_EXPERIENCES, OUTCOME_LENGTH, QUOTED_LENGTH
from cxprio.store.round_scores import participants
from cxprio.store.rounds import get_round
from cxprio.store.versions import Store

from .conftest import ROOT, SAMPLE, catalogue_dict, dump, release, sign_in, within

WAIT = 60
"""Seconds a run of the board may take: a page that waits on a named pipe fails the test
(AppTest's own timeout cannot: it then waits for the script's thread, which is waiting
on the pipe)."""


def start(monkeypatch: pytest.MonkeyPatch, catalogue: Path, page: str | None = None) -> AppTest:
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=2 * WAIT)
    within(WAIT, app.run, pipe=catalogue)
    assert not app.exception, app.exception
    if page:
        app.switch_page(page).run()
    return app


def shown_errors(app: AppTest) -> str:
    """Every error box on the page, as plain text."""
    return " ".join(e.value for e in app.error).replace("\\", "")


# --- a catalogue path that is not a regular file ----------------------------------------------


def test_a_board_whose_catalogue_is_a_named_pipe_says_so_without_waiting(
    monkeypatch: pytest.MonkeyPatch, fifo: Path
) -> None:
    app = start(monkeypatch, fifo)
    assert app.title[0].value == "The catalogue could not be loaded"
    assert "named pipe (FIFO), not a regular file" in shown_errors(app)


def test_a_catalogue_file_replaced_by_a_named_pipe_leaves_the_last_good_board(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(dump(catalogue_dict()), encoding="utf-8")
    kept = tmp_path / "kept.yaml"
    shutil.copy(path, kept)
    app = start(monkeypatch, path)
    assert app.title[0].value == "Test Energy"
    path.unlink()
    os.mkfifo(path)
    try:
        within(WAIT, app.run, pipe=path)  # every visitor's next click
        assert not app.exception
        assert app.title[0].value == "Test Energy"  # the last version that loaded
        assert "named pipe (FIFO)" in shown_errors(app)
    finally:
        release(path)
    path.unlink()
    shutil.copy(kept, path)
    app.run()
    assert not app.exception and app.title[0].value == "Test Energy"
    assert "named pipe" not in shown_errors(app)


# --- uploads: one at a time, refused early when far too large ----------------------------------


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.file_uploader(key="upload").upload(name, content, "application/yaml")
    return within(WAIT, app.run)


def test_an_upload_of_too_many_experiences_is_refused_apart_naming_the_limit_and_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text, _ = many_experiences(max_bytes=DEFAULT_MAX_BYTES)
    listed = text.count("\n  - {id: ")  # counted here, not by the generator

    def not_here(content: bytes, *, source: str) -> None:
        raise AssertionError("an upload was checked in the server's own process")

    monkeypatch.setattr(checking, "check", not_here)  # the child's own is untouched
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    upload(app, "everything.yaml", text.encode())
    assert not app.exception
    shown = shown_errors(app)
    assert f"the catalogue has {listed:,} experiences, above the limit of {MAX_EXPERIENCES:,}" in shown
    assert "use_upload" not in [b.key for b in app.button]  # nothing to switch to
    app.switch_page("app.py").run()
    assert app.title[0].value == "Northwind Energy"  # the board is unchanged


def test_an_upload_that_is_not_utf8_shows_each_such_line_with_its_other_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = catalogue_dict()
    data["experiences"][1]["level"] = "jorney"
    text = dump(data).replace("name: Moving home", "name: Déménager")
    raw = text.encode("latin-1")
    accented = next(n for n, line in enumerate(text.splitlines(), 1) if "Déménager" in line)
    wrong = next(n for n, line in enumerate(text.splitlines(), 1) if "jorney" in line)
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    upload(app, "latin.yaml", raw)
    shown = shown_errors(app)
    assert f"latin.yaml:{accented}:" in shown and "not UTF-8 text here (byte 0xe9" in shown
    assert f"latin.yaml:{wrong}:" in shown and "'jorney' is not allowed here" in shown


def test_while_another_upload_is_checked_an_upload_is_told_the_board_is_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(source, "UPLOAD_WAIT", 0.05)
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    with source._CHECKING:  # another session's upload, being checked
        upload(app, "other.yaml", dump(catalogue_dict()).encode())
    assert not app.exception
    assert any("busy checking another upload" in w.value for w in app.warning)
    assert not app.success and "use_upload" not in [b.key for b in app.button]
    within(WAIT, app.button(key="check_again").click().run)  # once it is done
    assert any("other.yaml is valid" in s.value.replace("\\", "") for s in app.success)


def test_using_an_upload_waits_for_the_upload_being_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    data = catalogue_dict(organisation="Waiting Energy")  # a version no other test has loaded
    upload(app, "waiting.yaml", dump(data).encode())
    app.button(key="use_upload").click()
    ran = threading.Event()
    with source._CHECKING:
        running = threading.Thread(target=lambda: (app.run(), ran.set()), daemon=True)
        running.start()
        assert not ran.wait(0.5), "the upload was loaded while another was being checked"
    assert ran.wait(WAIT)
    running.join(WAIT)
    assert not app.exception
    app.switch_page("app.py").run()
    assert app.title[0].value == "Waiting Energy"


# --- what messages tell every visitor ----------------------------------------------------------


def page_text(app: AppTest) -> str:
    """Everything the page sends the browser, as text: every element's message, without
    the backslashes that keep Markdown from reading punctuation."""
    return "\n".join(
        str(node.proto) for part in (app.main, app.sidebar) for node in part if getattr(node, "proto", None)
    ).replace("\\", "")


PAGES = [
    "app.py",
    "pages/priorities.py",
    "pages/ambition.py",
    "pages/ownership.py",
    "pages/decisions.py",
    "pages/catalogue.py",
]


def test_a_broken_catalogue_is_named_to_visitors_by_its_file_name_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    path = tmp_path / "broken-catalogue.yaml"
    path.write_text(dump(data), encoding="utf-8")
    app = start(monkeypatch, path)
    assert app.title[0].value == "The catalogue could not be loaded"
    shown = page_text(app)
    assert "broken-catalogue.yaml:" in shown and "jorney" in shown
    assert str(tmp_path) not in shown


@pytest.mark.parametrize("page", PAGES)
def test_no_page_tells_visitors_where_the_server_keeps_the_catalogue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str
) -> None:
    path = tmp_path / "where.yaml"
    path.write_text(dump(catalogue_dict(organisation="Where Energy")), encoding="utf-8")
    app = start(monkeypatch, path, page=page)
    path.write_text(dump(catalogue_dict(version=2)), encoding="utf-8")  # broken: the last good shows
    within(WAIT, app.run)
    assert not app.exception
    shown = page_text(app)
    assert "where.yaml" in shown and "version 2 is not supported" in shown
    assert str(tmp_path) not in shown


def test_a_long_value_from_a_file_that_is_not_a_catalogue_is_quoted_cut_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "x" * 10_000
    key = "k" * 1_000  # YAML keeps a key written in line under 1,024 characters
    text = f"version: 1\norganisation: Not a catalogue\n{key}: 1\nexperiences:\n  - {{id: a, name: A, level: {long}}}\n"
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    upload(app, "notes.yaml", text.encode())
    shown = shown_errors(app)
    assert "unknown field" in shown and "is not allowed here" in shown
    assert max(len(run) for run in shown.split()) < 2 * QUOTED_LENGTH  # nothing long shown back
    assert "x" * (QUOTED_LENGTH - 1) in shown and "x" * QUOTED_LENGTH not in shown
    assert "k" * (QUOTED_LENGTH - 1) in shown and "k" * QUOTED_LENGTH not in shown


# --- spoofed and unbounded text -----------------------------------------------------------------


def test_a_catalogue_with_a_spoofed_name_is_refused_on_the_board_at_its_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = catalogue_dict()
    data["experiences"][0]["name"] = "Invoice gnp\u202e.exe"
    text = dump(data)
    path = tmp_path / "spoof.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Invoice" in row)
    app = start(monkeypatch, path)
    assert app.title[0].value == "The catalogue could not be loaded"
    shown = shown_errors(app)
    assert f"spoof.yaml:{line}:" in shown and "Experience 1, name" in shown  # the field in words
    assert "bidirectional control character U+202E" in shown
    assert "\u202e" not in page_text(app)


def test_an_upload_with_an_outcome_too_long_is_refused_with_its_line_and_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = catalogue_dict()
    data["experiences"][1]["outcome"] = "o" * 10_000
    text = dump(data)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "ooo" in row)
    app = start(monkeypatch, SAMPLE, page="pages/catalogue.py")
    upload(app, "long.yaml", text.encode())
    shown = shown_errors(app)
    assert f"long.yaml:{line}:" in shown and "Experience 2, outcome" in shown
    assert f"10,000 characters long, above the limit of {OUTCOME_LENGTH}" in shown
    assert f"shorten it to {OUTCOME_LENGTH} characters or fewer" in shown
    assert "use_upload" not in [b.key for b in app.button]


def test_an_editor_cannot_sign_in_under_a_spoofed_name(monkeypatch: pytest.MonkeyPatch) -> None:
    app = start(monkeypatch, SAMPLE, page="pages/edit.py")
    sign_in(app, "Ana\u202enaS")
    assert not app.exception
    assert any("bidirectional control character U+202E" in e.value.replace("\\", "") for e in app.error)
    assert "editor_sign_out" not in [b.key for b in app.button]  # not signed in


def test_a_participant_cannot_join_a_round_under_a_spoofed_name(
    board: Callable[..., AppTest], tmp_path: Path, own_store: str
) -> None:
    from .test_rounds_page import PAGE, facilitator, open_on_page

    catalogue = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, catalogue)
    code = open_on_page(facilitator(board, catalogue, own_store))
    app = board(catalogue)
    app.switch_page(PAGE)
    app.query_params["round"] = code
    app.run()
    app.text_input(key="round_name").input("Ana\u202enaS")
    app.button(key="round_join_button").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("bidirectional control character U+202E" in e.value.replace("\\", "") for e in app.error)
    assert participants(Store(own_store), get_round(Store(own_store), code)) == []
