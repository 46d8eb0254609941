"""Who may edit, tried as a careless operator and as a guesser would: access settings
that are present but wrong close editing on every page (never open it to everyone), and
wrong passcodes are slowed down, per browser session and per client address."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import cxprio.throttle
from cxprio.throttle import Throttle, seconds_words

from .conftest import SAMPLE, Clock, imported, sign_in

APP = str(Path(__file__).resolve().parent.parent / "app.py")
AUTH = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}

BROKEN: dict[str, tuple[dict[str, Any], dict[str, Any] | None, str]] = {
    "an empty passcode": ({"editor_passcode": ""}, None, "empty"),
    "a passcode of spaces": ({"editor_passcode": "   "}, None, "empty"),
    "a passcode that is a number": ({"editor_passcode": 0}, None, "not text"),
    "a passcode that is a list": ({"editor_passcode": ["a"]}, None, "not text"),
    "editors without [auth]": ({"editors": ["ana@example.org"]}, None, "no [auth]"),
    "[auth] without editors": ({}, AUTH, "no editors list"),
    "an empty editors list": ({"editors": []}, AUTH, "not a list"),
    "editors as one text": ({"editors": "ana@example.org"}, AUTH, "not a list"),
    "an editor that is not an address": ({"editors": ["ana"]}, AUTH, "e-mail address"),
    "both a passcode and editors": (
        {"editor_passcode": "s3cret-passcode", "editors": ["ana@example.org"]},
        AUTH,
        "keep one",
    ),
}


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(path))
    return path


def started(cxprio_settings: dict[str, Any], auth: dict[str, Any] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    if cxprio_settings:
        app.secrets["cxprio"] = cxprio_settings
    if auth is not None:
        app.secrets["auth"] = auth
    return app.run()


def editor_actions(app: AppTest) -> list[str]:
    """Whatever on the page would let someone edit, sign in to edit, or facilitate."""
    offered = [
        b.label for b in app.button if b.label in {"Save as a new version", "Open the round", "Sign in"}
    ]
    offered += [t.label for t in app.text_input if t.key in {"editor_name", "editor_passcode"}]
    return offered


@pytest.mark.parametrize("case", list(BROKEN))
def test_access_settings_present_but_wrong_close_every_editor_action(
    case: str,
    live: Path,
    own_store: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import board.access

    monkeypatch.setattr(board.access, "LOGGED", set())
    configured, auth, said = BROKEN[case]
    app = started(configured, auth)
    imported(own_store)
    for page in ("pages/edit.py", "pages/rounds.py", "pages/quarters.py", "app.py"):
        app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
        assert not editor_actions(app), (page, editor_actions(app))
        shown = [e.value for e in app.sidebar.error]
        assert any(said in text and "Editing is off" in text for text in shown), (page, shown)
        assert not any("Single-user mode" in c.value for c in app.sidebar.caption)
    app.switch_page("pages/edit.py").run()
    assert any(said in e.value and "secrets.toml" in e.value for e in app.main.error), app.main.error
    # a forged session state makes nobody an editor either
    app.session_state["editor_kept"] = "Mallory"
    app.run()
    assert not editor_actions(app)
    assert any(said in r.getMessage() for r in caplog.records if r.name == "cxprio.access"), caplog.records


def test_single_user_mode_only_without_any_access_setting_and_every_page_says_so(
    live: Path, own_store: str
) -> None:
    app = started({"public_url": "https://cxprio.example.org"})  # a [cxprio] section, nothing on access
    imported(own_store)
    for page in ("app.py", "pages/edit.py", "pages/rounds.py"):
        app.switch_page(page).run()
        assert any("Single-user mode" in c.value for c in app.sidebar.caption), page
        assert not app.sidebar.error
    app.switch_page("pages/edit.py").run()
    assert [t for t in app.text_input if t.key == "editor_name"]  # the editor gives a name only
    assert not [t for t in app.text_input if t.key == "editor_passcode"]


def test_a_good_passcode_setting_is_not_single_user_mode(live: Path, own_store: str) -> None:
    app = started({"editor_passcode": "s3cret-passcode"})
    imported(own_store)
    app.switch_page("pages/edit.py").run()
    assert [t for t in app.text_input if t.key == "editor_passcode"]
    assert not any("Single-user mode" in c.value for c in app.sidebar.caption)
    assert not app.sidebar.error


def test_wrong_passcodes_wait_after_five_and_the_right_one_is_not_checked_during_a_wait(
    live: Path, own_store: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import board.access

    clock = Clock()
    monkeypatch.setattr(board.access, "PASSCODES", Throttle(clock=clock))
    app = started({"editor_passcode": "s3cret-passcode"})
    imported(own_store)
    app.switch_page("pages/edit.py").run()
    for attempt in range(1, 6):  # five free
        sign_in(app, "Mallory", f"guess-{attempt}")
        errors = [e.value for e in app.error]
        assert errors == ["That passcode is not right."], (attempt, errors)
    sign_in(app, "Mallory", "guess-6")
    assert [e.value for e in app.error] == ["That passcode is not right. Try again in 1 second."]
    sign_in(app, "Mallory", "s3cret-passcode")  # right, but during the wait: not checked
    assert any("Too many wrong passcodes" in e.value for e in app.error)
    assert not any("Editing as" in c.value for c in app.sidebar.caption)
    clock.now += 1.0
    sign_in(app, "Mallory", "guess-7")  # the next wrong one waits twice as long
    assert [e.value for e in app.error] == ["That passcode is not right. Try again in 2 seconds."]
    clock.now += 1.5
    sign_in(app, "Mallory", "s3cret-passcode")
    assert any("Too many wrong passcodes" in e.value for e in app.error)
    clock.now += 0.5
    sign_in(app, "Ana", "s3cret-passcode")
    assert any("Editing as **Ana**" in c.value for c in app.sidebar.caption)
    wrong = [
        r for r in caplog.records if r.name == "cxprio.access" and "wrong editor passcode" in r.getMessage()
    ]
    assert len(wrong) == 7 and "7 wrong in a row" in wrong[-1].getMessage()


def test_wrong_passcodes_from_one_address_slow_down_every_session_from_it(
    live: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import board.access

    clock = Clock()
    monkeypatch.setattr(board.access, "PASSCODES", Throttle(clock=clock))
    monkeypatch.setattr(board.access, "client_address", lambda: "203.0.113.9")
    sessions = []
    for _ in range(6):  # a script that opens a new session for each guess
        app = started({"editor_passcode": "s3cret-passcode"})
        app.switch_page("pages/edit.py").run()
        sign_in(app, "Mallory", "guess")
        sessions.append(app)
    assert [e.value for e in sessions[-1].error] == ["That passcode is not right. Try again in 1 second."]
    fresh = started({"editor_passcode": "s3cret-passcode"})
    fresh.switch_page("pages/edit.py").run()
    sign_in(fresh, "Ana", "s3cret-passcode")
    assert any("Too many wrong passcodes" in e.value for e in fresh.error)
    monkeypatch.setattr(board.access, "client_address", lambda: "198.51.100.7")  # another address
    sign_in(fresh, "Ana", "s3cret-passcode")
    assert any("Editing as **Ana**" in c.value for c in fresh.sidebar.caption)


def test_a_throttle_doubles_its_waits_caps_them_forgets_and_keeps_few_keys() -> None:
    clock = Clock()
    guard = Throttle(free=5, first_wait=1.0, longest=60.0, forget_after=600.0, keep=3, clock=clock)
    waits = [guard.failed(["address:a"]) for _ in range(13)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert guard.wait(["session:x", "address:a"]) == 60
    assert guard.wait(["session:x"]) == 0
    clock.now += 60
    assert guard.wait(["address:a"]) == 0
    assert guard.failed(["address:a"]) == 60  # still counted: the run goes on
    clock.now += 601
    assert guard.failures("address:a") == 0 and guard.failed(["address:a"]) == 0  # a quiet spell forgets
    guard.succeeded(["address:a"])
    assert guard.failures("address:a") == 0
    for n in range(10):  # a flood of new addresses keeps only the newest three
        guard.failed([f"address:{n}"])
    assert [guard.failures(f"address:{n}") for n in range(10)] == [0] * 7 + [1] * 3


def test_seconds_read_as_people_say_them() -> None:
    assert [seconds_words(s) for s in (0.01, 1, 1.2, 59, 89, 90, 300)] == [
        "1 second",
        "1 second",
        "2 seconds",
        "59 seconds",
        "89 seconds",
        "2 minutes",
        "5 minutes",
    ]


def test_the_throttle_examples_hold() -> None:
    assert doctest.testmod(cxprio.throttle).failed == 0
