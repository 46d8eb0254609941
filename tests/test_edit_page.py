"""The Edit page through AppTest: a save changes the file's values only, re-ranks the
board and shows in the history; a save from an older version is refused, and offered
again on top of the latest when it touches other fields; viewers never reach a form."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from cxprio import load_catalogue
from cxprio.method.scoring import score
from cxprio.store.versions import Store

from .conftest import SAMPLE, imported, sign_in

RAW = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, path)
    return path


def editing(board: Callable[..., AppTest], catalogue: Path, url: str, name: str, experience: str) -> AppTest:
    """A session on the Edit page, signed as ``name``, on ``experience``."""
    app = board(catalogue)
    imported(url)
    app.switch_page("pages/edit.py").run()
    sign_in(app, name)
    app.selectbox(key="edit_experience").set_value(experience).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def submit(app: AppTest, values: dict[str, object], why: str) -> AppTest:
    experience = app.selectbox(key="edit_experience").value
    for field, value in values.items():
        key = f"edit_{experience}_{field}"
        if field.startswith(("measures.", "performance[")):
            app.number_input(key=key).set_value(value)
        else:
            app.selectbox(key=key).set_value(value)
    app.text_area(key="edit_rationale").input(why)
    next(b for b in app.button if b.label == "Save as a new version").click()
    return app.run()


def test_a_saved_measure_changes_only_its_value_in_the_file_reranks_and_is_in_the_history(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    before_text = catalogue.read_text(encoding="utf-8")
    before = score(load_catalogue(catalogue).catalogue).table.set_index("id")["rank"]
    target = str(before.idxmax())  # the last-ranked experience, pushed up by the edit
    app = editing(board, catalogue, own_store, "Ana", target)
    submit(app, {"measures.depth": 5.0, "measures.failure_demand": 0.6}, "re-scored in the Q4 session")
    assert not app.exception, [e.value for e in app.exception]
    assert any("Saved as version 2" in s.value for s in app.success)

    after_text = catalogue.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before_text.splitlines(), after_text.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and "depth: 5" in changed[0][1] and "failure_demand: 0.6" in changed[0][1]
    entry = next(e for e in yaml.safe_load(after_text)["experiences"] if e["id"] == target)
    assert (entry["measures"]["depth"], entry["measures"]["failure_demand"]) == (5, 0.6)

    history = app.table[-1].value.apply(lambda column: column.str.replace("\\", "", regex=False))
    assert list(history["Version"]) == ["2", "2", "1"]  # newest first; version 1 added it
    history = history[history["Version"] == "2"]
    assert set(history["Field"]) == {"Depth", "Failure demand"}  # in words
    assert set(history["Why"]) == {"re-scored in the Q4 session"} and set(history["Who"]) == {"Ana"}

    expected = score(load_catalogue(catalogue).catalogue).table.set_index("id")["rank"]
    assert expected[target] < before[target]
    app.switch_page("pages/priorities.py").run()
    ranks = dict(zip(app.dataframe[0].value["name"], app.dataframe[0].value["rank"], strict=True))
    name = next(e["name"] for e in RAW["experiences"] if e["id"] == target)
    assert ranks[name] == expected[target]


def test_a_save_from_an_older_version_of_other_values_goes_on_top_and_says_so(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    target = RAW["experiences"][3]["id"]
    first = editing(board, catalogue, own_store, "Ana", target)
    second = editing(board, catalogue, own_store, "Ben", target)  # both start from version 1
    submit(first, {"measures.depth": 1.0}, "shallower")
    assert any("Saved as version 2" in s.value for s in first.success)

    submit(second, {"ambition": "unique"}, "we want to lead here")
    assert not second.error, [e.value for e in second.error]
    said = " ".join(s.value for s in second.success)
    assert "Saved as version 3" in said and "Ana saved other values meanwhile (version 2)" in said
    entry = next(
        e for e in yaml.safe_load(catalogue.read_text(encoding="utf-8"))["experiences"] if e["id"] == target
    )
    assert (entry["measures"]["depth"], entry["ambition"]) == (1, "unique")  # both changes kept


def test_a_save_of_the_same_value_names_it_and_lands_only_when_put_over_theirs(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    target = RAW["experiences"][3]["id"]
    first = editing(board, catalogue, own_store, "Ana", target)
    second = editing(board, catalogue, own_store, "Ben", target)
    submit(first, {"measures.depth": 1.0}, "shallower")
    submit(second, {"measures.depth": 2.0}, "a bit deeper")
    warning = " ".join(w.value for w in second.warning).replace("\\", "")
    assert "Depth to 1 by Ana (version 2)" in warning
    assert Store(own_store).latest().id == 2  # type: ignore[union-attr]
    assert second.number_input(key=f"edit_{target}_measures.depth").value == 2.0  # what Ben typed is kept
    next(b for b in second.button if b.label == "Put my values over theirs").click().run()
    assert any("Saved as version 3" in s.value for s in second.success)
    entry = next(
        e for e in yaml.safe_load(catalogue.read_text(encoding="utf-8"))["experiences"] if e["id"] == target
    )
    assert entry["measures"]["depth"] == 2


def test_experiences_of_one_name_are_told_apart_and_the_one_picked_is_the_one_saved(
    board: Callable[..., AppTest], tmp_path: Path, own_store: str
) -> None:
    data = copy.deepcopy(RAW)
    parents = [e for e in data["experiences"] if e.get("level") == "trigger"][:3]
    twins = []
    for index, parent in enumerate(parents):
        twin = copy.deepcopy(next(e for e in data["experiences"] if e["id"] == "bereavement"))
        twin.update(id=f"bereavement-{index}", parent=parent["id"], level="journey")
        twin.pop("steps", None), twin.pop("decisions", None)
        twins.append(twin)
    data["experiences"].extend(twins)
    path = tmp_path / "experiences.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    app = editing(board, path, own_store, "Ana", "bereavement-1")
    options = app.selectbox(key="edit_experience").options
    labels = [o for o in options if o.startswith("Bereavement")]
    assert len(labels) == len(set(labels)) == 4
    assert f"Bereavement (under {parents[1]['name']}, bereavement-1)" in labels
    submit(app, {"measures.depth": 1.0}, "shallower")
    assert any("Saved as version 2" in s.value for s in app.success), [e.value for e in app.error]
    saved = {
        e["id"]: e["measures"]["depth"]
        for e in yaml.safe_load(path.read_text(encoding="utf-8"))["experiences"]
    }
    assert saved["bereavement-1"] == 1 and saved["bereavement-0"] == saved["bereavement"] != 1
    assert app.selectbox(key="edit_experience").value == "bereavement-1"


def test_with_the_store_down_the_form_and_what_was_typed_stay(
    board: Callable[..., AppTest], catalogue: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = RAW["experiences"][3]["id"]
    app = editing(board, catalogue, own_store, "Ana", target)
    key = f"edit_{target}_measures.depth"
    app.number_input(key=key).set_value(1.0)
    app.text_area(key="edit_rationale").input("shallower")
    monkeypatch.setenv(
        "CXPRIO_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none"
    )  # nothing listens
    next(b for b in app.button if b.label == "Save as a new version").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.number_input(key=key).value == 1.0 and app.text_area(key="edit_rationale").value == "shallower"
    assert any("cannot be reached" in w.value for w in app.warning) or any(
        "unreachable" in e.value for e in app.error
    )
    assert Store(own_store).latest().id == 1  # type: ignore[union-attr]
    monkeypatch.setenv("CXPRIO_DATABASE_URL", own_store)  # it is back
    next(b for b in app.button if b.label == "Save as a new version").click().run()
    assert any("Saved as version 2" in s.value for s in app.success), [e.value for e in app.error]


def form_shown(app: AppTest) -> bool:
    return any(b.label == "Save as a new version" for b in app.button) or len(app.number_input) > 0


def test_with_a_passcode_a_viewer_never_reaches_the_form(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    app.secrets["cxprio"] = {"editor_passcode": "s3cret-passcode"}
    app.run()
    imported(own_store)
    app.switch_page("pages/edit.py").run()
    assert not form_shown(app)
    for key in (
        "editor",
        "can_edit",
        "edit_base",
        "editor_name",
        "editor_kept",
        "cxprio_editor",
    ):  # tampering with the state
        app.session_state[key] = "Mallory"
    app.query_params["edit"] = "1"
    app.run()
    assert not form_shown(app)
    sign_in(app, "Ana", "guess")
    assert not form_shown(app) and any("not right" in e.value for e in app.error)
    sign_in(app, "Ana", "s3cret-passcode")
    assert form_shown(app)


def test_an_editor_who_gave_the_passcode_stays_one_on_every_page_until_signing_out(
    catalogue: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    app.secrets["cxprio"] = {"editor_passcode": "s3cret-passcode"}
    app.run()
    imported(own_store)
    app.switch_page("pages/edit.py").run()
    sign_in(app, "Ana", "s3cret-passcode")
    assert form_shown(app)
    for page in ("pages/quarters.py", "pages/rounds.py", "app.py", "pages/edit.py"):
        app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
        assert not [t for t in app.text_input if t.key == "editor_passcode"], page  # not asked again
    assert form_shown(app)
    assert any("Editing as **Ana**" in c.value for c in app.sidebar.caption)
    app.switch_page("pages/rounds.py").run()
    assert any(b.label == "Open the round" for b in app.button)  # a facilitator there too
    app.sidebar.button(key="editor_sign_out").click().run()
    app.switch_page("pages/edit.py").run()
    assert not form_shown(app) and [t for t in app.text_input if t.key == "editor_passcode"]
    sign_in(app, "Ana", "s3cret-passcode")
    assert form_shown(app)
    app.secrets["cxprio"] = {"editor_passcode": "a-new-passcode"}  # the operator changes it
    app.run()
    assert not form_shown(app)  # the old passcode no longer makes an editor


def test_a_performance_figure_is_edited_like_a_measure(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    target = next(e for e in RAW["experiences"] if e.get("performance"))
    app = editing(board, catalogue, own_store, "Ana", target["id"])
    old = target["performance"][0]["value"]
    submit(app, {"performance[0].value": old + 0.5}, "measured again in October")
    assert any("Saved as version 2" in s.value for s in app.success)
    entry = next(
        e
        for e in yaml.safe_load(catalogue.read_text(encoding="utf-8"))["experiences"]
        if e["id"] == target["id"]
    )
    assert entry["performance"][0] == {**target["performance"][0], "value": old + 0.5}
    rows = [(r.field, r.old, r.new) for r in Store(own_store).audit(2)]
    assert rows == [("performance[0].value", f"{old:g}", f"{old + 0.5:g}")]


def test_quarter_on_quarter_takes_snapshots_and_shows_what_moved_and_why(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    app = board(catalogue)
    imported(own_store)
    app.switch_page("pages/quarters.py").run()
    assert any("0 quarters frozen" in i.value for i in app.info)
    sign_in(app, "Ana")
    app.text_input(key="snapshot_quarter").input("2026-q3").run()
    app.button(key="snapshot_take").click().run()
    assert any("Snapshot of 2026-Q3 taken from version 1" in s.value for s in app.success)
    app.button(key="snapshot_take").click().run()  # the same quarter again
    assert any("has a snapshot already" in e.value for e in app.error)

    # A re-scoring session: the last experience made as deep as can be, with a reason.
    before = score(load_catalogue(catalogue).catalogue).table.set_index("id")["rank"]
    target = str(before.idxmax())
    editor = editing(board, catalogue, own_store, "Ben", target)
    submit(editor, {"measures.depth": 5.0, "measures.failure_demand": 0.6}, "October workshop")
    after = score(load_catalogue(catalogue).catalogue).table.set_index("id")["rank"]

    app.text_input(key="snapshot_quarter").input("2026-Q4").run()
    app.button(key="snapshot_take").click().run()
    assert not app.exception, [e.value for e in app.exception]
    risers = next(t.value for t in app.table if "Why" in t.value.columns)  # the first: risers
    top = risers.iloc[0].str.replace("\\", "")
    name = next(e["name"] for e in RAW["experiences"] if e["id"] == target)
    moved = f"{before[target]:,}\u00a0→\u00a0{after[target]:,}"
    assert (top["Experience"], top["Rank"], top["Why"]) == (name, moved, "October workshop")
    history = next(d.value for d in app.dataframe if "2026-Q3" in d.value.columns)
    assert list(history.columns) == ["name", "2026-Q3", "2026-Q4"]  # one column a quarter


def test_with_sign_in_only_an_allowed_address_reaches_the_form(
    catalogue: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def session(user: dict[str, object]) -> AppTest:
        app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        app.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
        app.secrets["cxprio"] = {"editors": ["Ana@Example.org"]}
        app.user = user
        app.run()
        imported(own_store)
        app.switch_page("pages/edit.py").run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))  # the board fixture is not used here
    out = session({"is_logged_in": False})
    assert not form_shown(out) and any(b.label == "Sign in" for b in out.button)
    other = session({"is_logged_in": True, "email": "mallory@example.org", "name": "Mallory"})
    assert not form_shown(other) and any("can read the board but not edit" in i.value for i in other.info)
    ana = session({"is_logged_in": True, "email": "ana@example.org", "name": "Ana"})
    assert form_shown(ana)


def test_a_pass_holds_its_name_only_signed_with_the_passcode_and_until_it_ends() -> None:
    import base64
    import hashlib
    import hmac
    import json

    from board.access import name_on, pass_for

    key, other = b"k" * 32, b"o" * 32
    token = pass_for("Ana Lima", key, now=1_000_000.0, hours=12)
    assert name_on(token, key, now=1_000_000.0 + 11 * 3600) == "Ana Lima"
    assert name_on(token, key, now=1_000_000.0 + 12 * 3600) is None  # ended
    assert name_on(token, other, now=1_000_000.0) is None  # another passcode
    body, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"name": "Mallory", "ends": 2_000_000}).encode()).decode()
    assert name_on(f"{forged}.{signature}", key, now=1_000_000.0) is None  # a name swapped in
    resigned = hmac.new(key, forged.encode(), hashlib.sha256).hexdigest()
    assert name_on(f"{forged}.{resigned}", key, now=1_000_000.0) == "Mallory"  # only the key signs
    for garbage in ("", ".", "x.y", "no-dot", f"{body}.", f".{signature}", "é.é"):
        assert name_on(garbage, key, now=1_000_000.0) is None
