"""Shared test helpers: tiny catalogues written to tmp_path."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from streamlit.testing.v1 import AppTest

from cxprio import LoadedCatalogue, parse_catalogue
from cxprio.store.versions import Store, Version

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "config" / "experiences.yaml"

BASE: dict[str, Any] = {
    "version": 1,
    "organisation": "Test Energy",
    "teams": [
        {"id": "billing", "name": "Billing"},
        {"id": "digital", "name": "Digital"},
        {"id": "metering", "name": "Metering"},
    ],
    "experiences": [
        {
            "id": "moving-home",
            "name": "Moving home",
            "level": "trigger",
            "owner": "billing",
            "measures": {
                "reach": 180000,
                "frequency": 1,
                "depth": 5,
                "cost": 2400000,
                "failure_demand": 0.35,
            },
            "ambition": "distinct",
            "current": "competitive",
            "steps": [
                {"name": "Tell us", "team": "digital"},
                {"name": "Final read", "team": "metering", "handoff_owner": "metering"},
            ],
            "decisions": [{"name": "Process", "A": "billing", "R": ["digital"]}],
        },
        {
            "id": "move-out",
            "name": "Move out",
            "level": "journey",
            "parent": "moving-home",
            "owner": "billing",
            "measures": {"reach": 170000, "frequency": 1, "depth": 4, "cost": 1800000, "failure_demand": 0.3},
            "ambition": "competitive",
        },
        {
            "id": "final-reading",
            "name": "Give a final reading",
            "level": "moment",
            "parent": "move-out",
            "owner": "metering",
            "measures": {"reach": 170000, "frequency": 1, "depth": 3, "cost": 300000, "failure_demand": 0.3},
            "ambition": "uncompetitive",
        },
    ],
}


PAGES = [  # every page of the board, in the sidebar's order
    "app.py",
    "pages/priorities.py",
    "pages/ambition.py",
    "pages/ownership.py",
    "pages/decisions.py",
    "pages/catalogue.py",
    "pages/edit.py",
    "pages/history.py",
    "pages/quarters.py",
    "pages/rounds.py",
    "pages/pack.py",
]


@pytest.fixture(autouse=True)
def sample_untouched(request: pytest.FixtureRequest) -> Iterator[None]:
    """The repository's sample catalogue is the same after every test: a board keeps its
    file as a mirror of its store, so a test that runs one on the sample with a store
    holding other versions would rewrite it (and every later test would read that)."""
    before = SAMPLE.read_bytes()
    yield
    after = SAMPLE.read_bytes()
    if after != before:
        SAMPLE.write_bytes(before)
        pytest.fail(f"{request.node.nodeid} changed {SAMPLE}: run the board on a copy of it")


@pytest.fixture(autouse=True)
def own_store(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every test its own empty store (a SQLite file), never the repository's data/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'cxprio.db'}"
    monkeypatch.setenv("CXPRIO_DATABASE_URL", url)
    return url


def catalogue_dict(**changes: Any) -> dict[str, Any]:
    """A deep copy of the small valid catalogue, with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text (dedented) to a file and return its path."""

    def _write(text: str, name: str = "catalogue.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


class Clock:
    """A clock a test moves by hand (for throttles): never a sleep."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe where a catalogue file should be. Whatever a regression left waiting
    on it is let go at the end (a writer opens it and closes it at once), so the test
    fails rather than leaving a thread blocked."""
    path = tmp_path / "catalogue.yaml"
    os.mkfifo(path)
    yield path
    release(path)


def release(path: Path) -> None:
    """Let a reader waiting on the named pipe ``path`` go: it reads an empty file."""
    try:
        writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # nobody is reading it, or it is no longer a pipe
        return
    os.close(writer)


def within(seconds: float, work: Callable[[], Any], *, pipe: Path | None = None) -> Any:
    """``work()``, run in a thread: a read that would wait for ever fails the test after
    ``seconds`` instead of hanging it. Given the named ``pipe`` it waits on, the reader is
    let go first (:func:`release`), for work that cannot be left behind, such as an
    AppTest run, which joins its script's thread."""
    import threading

    done: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if pipe is not None:
            release(pipe)
            thread.join(seconds)
        pytest.fail(f"still waiting after {seconds:.0f} s")
    if failed:
        raise failed[0]
    return done[0]


def sign_in(app: AppTest, name: str, passcode: str | None = None) -> AppTest:
    """Give the editor's form a name (and a passcode) and submit it, as a person would."""
    if passcode is not None:
        app.text_input(key="editor_passcode").input(passcode)
    app.text_input(key="editor_name").input(name)
    app.button(key="editor_sign_in").click().run()
    return app


def load_dict(data: dict[str, Any]) -> LoadedCatalogue:
    return parse_catalogue(dump(data), source="test.yaml")


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Start the app through AppTest on a catalogue (and, given one, with a page address
    query), optionally switched to a page."""

    def start(
        catalogue: Path = SAMPLE, page: str | None = None, query: dict[str, str] | None = None
    ) -> AppTest:
        monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        app.query_params.update(query or {})
        app.run()
        assert not app.exception, app.exception
        if page:
            app.switch_page(page)
            app.run()
        return app

    return start


# --- stores: every store test runs on SQLite and on a real PostgreSQL ---------------

POSTGRES = os.environ.get("CXPRIO_TEST_POSTGRES_URL", "")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped after; skipped (with
    the reason printed) without a server, unless CXPRIO_REQUIRE_POSTGRES is set."""
    if not POSTGRES:
        reason = "no PostgreSQL: set CXPRIO_TEST_POSTGRES_URL (.ci/run starts a server and sets it)"
        if os.environ.get("CXPRIO_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL tests are required here but there is {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"cxprio_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked ``postgresql_at_scale`` runs on SQLite with the quick suite and on
    PostgreSQL with the tests at scale (``pytest -m scale``, which CI runs too)."""
    for item in items:
        params = getattr(item, "callspec", None)
        if (
            item.get_closest_marker("postgresql_at_scale")
            and params
            and params.params.get("url") == "postgresql"
        ):
            item.add_marker(pytest.mark.scale)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with postgres_database() as address:
        yield address


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = Store(url)
    yield opened
    opened.close()


def store_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cxprio ARGS`` as a user runs it, on the store at ``url``."""
    return subprocess.run(
        [sys.executable, "-m", "cxprio", *args],
        cwd=ROOT,
        env={**os.environ, "CXPRIO_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def imported(url: str, sha256: str | None = None, limit: float = 60.0) -> Version:
    """The store's latest version once the board's background import has written it (the
    one with ``sha256``, when given): the one place the tests wait for an import. The
    import runs in another thread or process with no event to wait on, so the store is
    polled until the condition holds or ``limit`` seconds pass."""
    store = Store(url)
    deadline = time.monotonic() + limit
    try:
        while True:
            latest = store.latest()
            if latest is not None and (sha256 is None or latest.sha256 == sha256):
                return latest
            if time.monotonic() > deadline:
                pytest.fail(f"the board did not import its catalogue in {limit:.0f} s (latest: {latest})")
            time.sleep(0.05)  # the poll's interval, not a wait for a result
    finally:
        store.close()


# --- a store after a quarter: the board as a leadership room has it ---------------


def _cli(url: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cxprio", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "CXPRIO_DATABASE_URL": url, "HOME": str(ROOT)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def after_a_quarter(folder: Path) -> tuple[Path, str]:
    """In ``folder``, a copy of the sample and a store after a quarter, as a leadership
    room has them: two snapshots (the second after some depths and an ambition moved), a
    round revealed and a round closed. Returns the catalogue file and the store's address."""
    catalogue = folder / "experiences.yaml"
    shutil.copy(SAMPLE, catalogue)
    url = f"sqlite:///{folder / 'cxprio.db'}"
    _cli(url, "snapshot", "--quarter", "2026-Q3", "--author", "Ana", str(catalogue))
    text = catalogue.read_text(encoding="utf-8")
    count = 0

    def flip(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        depth = int(match.group(2))
        return match.group(1) + str(6 - depth if count % 3 == 0 else depth)

    moved = re.sub(r"(measures: \{reach: \d+, frequency: [\d.]+, depth: )(\d)", flip, text)
    moved = moved.replace("ambition: competitive", "ambition: distinct", 1)  # and a choice changed
    catalogue.write_text(moved, encoding="utf-8")
    _cli(url, "snapshot", "--quarter", "2026-Q4", "--author", "Ben", str(catalogue))
    for title, close in (("Depth check", True), ("Q4 depth", False)):
        code = _cli(url, "round", "open", "--title", title, "--criteria", "depth", "--level", "journey")
        ids = [e["id"] for e in yaml.safe_load(text)["experiences"] if e.get("level") == "journey"]
        rows = "participant,experience,criterion,value\n" + "".join(
            f"{who},{experience},depth,{1 + (n + len(who)) % 5}\n"
            for n, experience in enumerate(ids[:6])
            for who in ("Ana", "Ben", "=Chloe", "Dev")
        )
        scores = folder / f"{code}.csv"
        scores.write_text(rows, encoding="utf-8")
        _cli(url, "round", "import", code, str(scores))
        _cli(url, "round", "reveal", code)
        if close:
            _cli(url, "round", "close", code, "--accept", "all", "--author", "Ana")
    return catalogue, url


# --- the browser tests' served board and Chromium (tests/browsing.py) -------------------
# Here, so every browser test module gets its own (module scope) without importing them.


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from .browsing import _require_browser, serve

    _require_browser()
    with serve() as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from .browsing import CHROMIUM, LAUNCH_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 2400}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(45_000)
    yield tab
    context.close()
