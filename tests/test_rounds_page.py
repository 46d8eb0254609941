"""The Workshop rounds page through AppTest: a facilitator opens a round, two
participants score on their own, nothing shows before the reveal, the facilitator sees
the results widest disagreement first and closes the round into the catalogue; and what
a participant cannot do."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from board.rounds import widget_key
from cxprio import parse_catalogue
from cxprio.rounds import get_round, participants, scores
from cxprio.store import Store

from .conftest import SAMPLE, imported

PAGE = "pages/rounds.py"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, path)
    return path


def facilitator(board: Callable[..., AppTest], catalogue: Path, url: str) -> AppTest:
    app = board(catalogue)
    imported(url)
    app.switch_page(PAGE).run()
    app.text_input(key="editor_name").input("Fran").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_on_page(app: AppTest) -> str:
    app.text_input(key="round_title").input("Q4 workshop")
    app.radio(key="round_which").set_value("One level")
    app.selectbox(key="round_level").set_value("journey")
    app.multiselect(key="round_criteria").set_value(["reach", "depth", "ambition"])
    app.button(key="round_open_button").click().run()
    assert not app.exception, [e.value for e in app.exception]
    code = str(app.session_state["round_chosen"])
    assert any(code in m.value for m in app.markdown)  # the join code, large
    return code


def participant(board: Callable[..., AppTest], catalogue: Path, code: str, name: str) -> AppTest:
    app = board(catalogue)
    app.switch_page(PAGE)
    app.query_params["round"] = code
    app.run()
    assert [t for t in app.text_input if t.key == "round_name"], (
        [e.value for e in app.error],
        [i.value for i in app.info],
        [t.value for t in app.title],
        app.exception,
    )
    app.text_input(key="round_name").input(name)
    app.button(key="round_join_button").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def give(app: AppTest, code: str, experience: str, criterion: str, value: object) -> AppTest:
    app.button_group(key=widget_key(code, experience, criterion)).set_value(value).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table_with(app: AppTest, column: str) -> pd.DataFrame | None:
    for frame in app.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame) and column in value.columns:
            return value
    return None


def test_a_round_from_opening_to_the_catalogue(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    host = facilitator(board, catalogue, own_store)
    code = open_on_page(host)
    store = Store(own_store)
    found = get_round(store, code)
    journeys = [
        e.id
        for e in parse_catalogue(catalogue.read_text()).catalogue.experiences
        if e.level.value == "journey"
    ]
    assert list(found.experiences) == journeys and list(found.criteria) == ["reach", "depth", "ambition"]
    calm, torn = found.experiences[0], found.experiences[1]

    ana = participant(board, catalogue, code, "Ana")
    ben = participant(board, catalogue, code, "Ben")
    assert ana.query_params["me"] and ana.query_params["me"] != ben.query_params["me"]
    give(ana, code, calm, "reach", 3)
    give(ana, code, calm, "ambition", "Distinct")
    give(ben, code, calm, "reach", 3)
    for app in (ana, ben):  # to the second experience
        next(b for b in app.button if b.label == "Next").click().run()
    give(ana, code, torn, "reach", 1)
    give(ben, code, torn, "reach", 5)
    stored = sorted((s.participant, s.experience, s.criterion, s.shown) for s in scores(store, found))
    assert stored == sorted(
        [
            ("Ana", calm, "reach", "3"),
            ("Ana", calm, "ambition", "distinct"),
            ("Ben", calm, "reach", "3"),
            ("Ana", torn, "reach", "1"),
            ("Ben", torn, "reach", "5"),
        ]
    )
    assert "3 of" in ana.get("progress")[0].proto.text  # their own progress

    # Hidden until revealed: neither the participants nor the projector show a figure.
    ben.run()
    host.run()
    for app in (ben, host):
        assert table_with(app, "Median") is None
        assert any("Nothing revealed yet" in c.value for c in app.caption)
    progress = table_with(host, "scored")
    assert progress is not None and dict(zip(progress["name"], progress["scored"], strict=True)) == {
        "Ana": 3,
        "Ben": 2,
    }

    next(b for b in host.button if b.label == "Reveal the whole round").click().run()
    results = table_with(host, "Median")
    assert results is not None
    assert (
        next(iter(results["Experience"]))
        == parse_catalogue(catalogue.read_text()).catalogue.experience(torn).name
    )
    assert results.iloc[0]["Median"] == "3" and results.iloc[0]["Range"] == "1–5"  # widest first
    assert "Participant" not in results.columns  # anonymous on the projector
    charts = host.get("vega_lite_chart")
    assert charts and "Where the room disagrees" in charts[0].proto.spec  # and drawn
    ben.run()
    assert table_with(ben, "Median") is not None  # revealed to participants too

    latest = store.latest()
    assert latest is not None
    host.button(key=f"round_close_{code}").click().run()
    assert not host.exception, [e.value for e in host.exception]
    closed = get_round(store, code)
    assert closed.closed and closed.closed_by == "Fran" and closed.result_version_id is not None
    after = store.latest()
    assert (
        after is not None
        and after.id == closed.result_version_id
        and f"workshop round {code}" in after.rationale
    )
    changed = {(r.experience, r.field) for r in store.audit(after.id)}
    assert (calm, "ambition") in changed or (calm, "measures.reach") in changed
    assert parse_catalogue(catalogue.read_text()).catalogue.experience(calm).ambition.value == "distinct"  # type: ignore[union-attr]
    downloads = [b.proto for b in host.get("download_button")]
    assert downloads and all(b.ignore_rerun for b in downloads)  # the raw scores, without a rerun
    late = board(catalogue)
    late.switch_page(PAGE)
    late.query_params["round"] = code
    late.run()
    assert any("closed" in i.value for i in late.info)  # a closed round takes nobody new
    assert (
        not [t for t in late.text_input if t.key == "round_name"] and table_with(late, "Median") is not None
    )
    store.close()


def test_a_name_taken_is_refused_and_a_personal_link_finds_its_scores_after_a_restart(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    code = open_on_page(facilitator(board, catalogue, own_store))
    ana = participant(board, catalogue, code, "Ana")
    first = get_round(Store(own_store), code).experiences[0]
    give(ana, code, first, "depth", 4)
    twin = participant(board, catalogue, code, "ana")
    assert any("joined round" in e.value and "already" in e.value for e in twin.error)
    assert "me" not in twin.query_params
    again = board(catalogue)  # a new server session: only the address is left
    again.switch_page(PAGE)
    again.query_params.update({"round": code, "me": ana.query_params["me"]})
    again.run()
    assert not again.exception
    assert not [t for t in again.text_input if t.key == "round_name"]  # no join form: known
    assert again.button_group(key=widget_key(code, first, "depth")).value == 4
    give(again, code, first, "depth", 2)
    assert [s.shown for s in scores(Store(own_store), get_round(Store(own_store), code))] == ["2"]


def test_a_participant_cannot_facilitate_by_address_or_session_state(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    code = open_on_page(facilitator(board, catalogue, own_store))
    ana = participant(board, catalogue, code, "Ana")
    first = get_round(Store(own_store), code).experiences[0]
    give(ana, code, first, "reach", 2)
    # Without the round in the address: the facilitator's page, which asks for the passcode.
    intruder = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    intruder.secrets["cxprio"] = {"editor_passcode": "s3cret"}
    intruder.run()
    intruder.switch_page(PAGE)
    intruder.session_state["round_chosen"] = code
    intruder.session_state["editor_name"] = "Ana"
    intruder.query_params.update({"reveal": "1", "view": "facilitate"})
    intruder.run()
    assert not intruder.exception
    labels = [b.label for b in intruder.button]
    assert "Reveal the whole round" not in labels and f"round_close_{code}" not in [
        b.key for b in intruder.button
    ]
    assert table_with(intruder, "scored") is None
    assert not any(code in m.value for m in intruder.markdown)
    assert not get_round(Store(own_store), code).revealed
    # A participant's page shows neither names nor others' scores before a reveal.
    ben = participant(board, catalogue, code, "Ben")
    texts = " ".join([m.value for m in ben.markdown] + [c.value for c in ben.caption])
    assert "Ana" not in texts and table_with(ben, "Median") is None


def test_the_weights_vote_on_the_page_and_its_median_on_the_projector(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    host = facilitator(board, catalogue, own_store)
    host.checkbox(key="round_weights_vote").check()
    code = open_on_page(host)
    ballots = {
        "Ana": [0.6, 0.1, 0.1, 0.1, 0.1],
        "Ben": [0.2, 0.2, 0.2, 0.2, 0.2],
        "Caro": [0.1, 0.1, 0.6, 0.1, 0.1],
    }
    for name, ballot in ballots.items():
        app = participant(board, catalogue, code, name)
        for measure, weight in zip(
            ("reach", "frequency", "depth", "cost", "failure_demand"), ballot, strict=True
        ):
            app.slider(key=f"round_weight_{code}_{measure}").set_value(weight)
        next(b for b in app.button if b.label == "Save my weights").click().run()
        assert not app.exception and not app.error, [e.value for e in app.error]
    stored = [
        s
        for s in scores(Store(own_store), get_round(Store(own_store), code))
        if s.criterion.startswith("weight:")
    ]
    assert len(stored) == 15
    host.run()
    assert table_with(host, "Reach") is None  # hidden until the whole round is revealed
    next(b for b in host.button if b.label == "Reveal the whole round").click().run()
    medians = table_with(host, "Reach")
    assert medians is not None
    shares = [[w / sum(b) for w in b] for b in ballots.values()]
    expected_reach = sorted(s[0] for s in shares)[1]  # the median of three
    assert medians.iloc[0]["Reach"] == f"{expected_reach:.0%}"
    top = table_with(host, "In how many people's top 10")
    assert top is not None and len(top) == 10 and set(top["Voters"]) == {3}


def test_with_sign_in_a_participant_joins_as_their_account_and_comes_back_to_it(
    catalogue: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxprio.rounds import open_round, parse_criteria
    from cxprio.store import import_file

    store = Store(own_store)
    import_file(store, catalogue)
    latest = store.latest()
    assert latest is not None
    parsed = parse_catalogue(catalogue.read_text()).catalogue
    code = open_round(
        store,
        parsed,
        latest.id,
        experiences=[parsed.experiences[0].id],
        criteria=parse_criteria("depth"),
        author="Fran",
    ).code

    def session() -> AppTest:
        app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        app.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
        app.secrets["cxprio"] = {"editors": ["fran@example.org"]}
        app.user = {"is_logged_in": True, "email": "ana@example.org", "name": "Ana Lima"}
        app.run()
        app.switch_page(PAGE)
        app.query_params["round"] = code
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    monkeypatch.setenv("CXPRIO_CATALOGUE", str(catalogue))
    first = session()
    assert not [t for t in first.text_input if t.key == "round_name"]  # no name to type
    give(first, code, parsed.experiences[0].id, "depth", 4)
    again = session()  # another laptop, the same account, no personal link
    assert again.button_group(key=widget_key(code, parsed.experiences[0].id, "depth")).value == 4
    people = participants(store, get_round(store, code))
    assert [(p.name, p.identity) for p in people] == [("Ana Lima", "user:ana@example.org")]
    store.close()
