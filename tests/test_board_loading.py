"""The board facing a catalogue that is hostile or broken, through Streamlit's AppTest: a
path that is not a file, an upload far too large, messages that must not tell every
visitor where the server keeps its files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT, catalogue_dict, dump, release, within

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
