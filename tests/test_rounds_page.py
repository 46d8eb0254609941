"""The Workshop rounds page through AppTest: a facilitator opens a round, participants
score one experience at a time in one form, nothing shows before the reveal, the
results come widest disagreement first, and the facilitator closes only what they
ticked into the catalogue; and what a participant cannot do."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from board.participant import widget_key
from cxprio import parse_catalogue
from cxprio.store.round_scores import participants, scores
from cxprio.store.rounds import get_round
from cxprio.store.versions import Store

from .conftest import SAMPLE, imported, sign_in

PAGE = "pages/rounds.py"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, path)
    return path


def facilitator(board: Callable[..., AppTest], catalogue: Path, url: str) -> AppTest:
    app = board(catalogue)
    imported(url)
    app.switch_page(PAGE).run()
    sign_in(app, "Fran")
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_on_page(app: AppTest, criteria: tuple[str, ...] = ("reach", "depth", "ambition")) -> str:
    app.text_input(key="round_title").input("Q4 workshop")
    app.radio(key="round_which").set_value("A chosen list")
    app.multiselect(key="round_listed").set_value(["query-a-bill", "moving-home", "move-in"])
    app.multiselect(key="round_criteria").set_value(list(criteria))
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
        [t.value for t in app.title],
        app.exception,
    )
    app.text_input(key="round_name").input(name)
    app.button(key="round_join_button").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def score(app: AppTest, code: str, experience: str, values: dict[str, Any]) -> AppTest:
    """Fill ``experience``'s form (it must be on screen) and save it with one action."""
    for criterion, value in values.items():
        key = widget_key(code, experience, criterion)
        if criterion == "ambition":
            app.radio(key=key).set_value(value)
        else:
            app.number_input(key=key).set_value(value)
    app.button(key=f"round_save_{code}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def read(text: str) -> str:
    """Markdown text as it reads on screen: the escapes of plain text taken out."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def close_button(app: AppTest, code: str) -> Any:
    """The round's close button (its key names the table it closes)."""
    (found,) = [b for b in app.button if (b.key or "").startswith(f"round_close_{code}_")]
    return found


def tick(app: AppTest, code: str, change: str) -> None:
    """Tick the review table's row that says ``change``, as a click in its box would."""
    (editor,) = [e for e in app.data_editor if e.key and e.key.startswith(f"round_review_{code}")]
    row = list(editor.value["Change"]).index(change)
    app.session_state[editor.key] = {
        "edited_rows": {row: {"accept": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()


def on_screen(app: AppTest) -> str:
    return next(read(h.value) for h in app.subheader if " of " in h.value)


def table_with(app: AppTest, column: str) -> pd.DataFrame | None:
    for frame in [*app.dataframe, *app.table]:
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
    assert list(found.experiences) == ["query-a-bill", "moving-home", "move-in"]
    assert dict(found.criteria) == {"reach": "number", "depth": "judgement", "ambition": "tier"}

    ana = participant(board, catalogue, code, "Ana")
    ben = participant(board, catalogue, code, "Ben")
    assert ana.query_params["me"] and ana.query_params["me"] != ben.query_params["me"]
    # Each fact with today's value and its unit beside it; depth and ambition today too.
    captions = [read(c.value) for c in ana.caption]
    assert "today: 320,000 customers a year" in captions and "today: Distinct" in captions
    assert on_screen(ana) == "1 of 3: Query a bill"
    score(ana, code, "query-a-bill", {"reach": 410_000, "depth": 4, "ambition": "unique"})
    assert on_screen(ana) == "2 of 3: Moving home"  # the next one comes up by itself
    assert any("Saved your scores of Query a bill" in read(s.value) for s in ana.success)
    assert "Ana: 1 of 3 experiences scored" in ana.get("progress")[0].proto.text
    score(ben, code, "query-a-bill", {"reach": 300_000, "depth": 4, "ambition": "unique"})
    score(ana, code, "moving-home", {"reach": 180_000, "depth": 1})  # ambition left open
    stored = sorted((s.participant, s.experience, s.criterion, s.shown) for s in scores(store, found))
    assert stored == sorted(
        [
            ("Ana", "query-a-bill", "reach", "410000"),
            ("Ana", "query-a-bill", "depth", "4"),
            ("Ana", "query-a-bill", "ambition", "unique"),
            ("Ben", "query-a-bill", "reach", "300000"),
            ("Ben", "query-a-bill", "depth", "4"),
            ("Ben", "query-a-bill", "ambition", "unique"),
            ("Ana", "moving-home", "reach", "180000"),
            ("Ana", "moving-home", "depth", "1"),
        ]
    )
    assert on_screen(ana) == "3 of 3: Move into a new home"  # moving home is not complete

    # Hidden until revealed: neither the participants nor the facilitator show a figure.
    ben.run()
    host.run()
    for app in (ben, host):
        assert table_with(app, "Median") is None
        assert any("Nothing revealed yet" in c.value for c in app.caption)
    progress = table_with(host, "scored")
    assert progress is not None and dict(zip(progress["name"], progress["scored"], strict=True)) == {
        "Ana": 5,
        "Ben": 3,
    }

    host.button(key=f"round_reveal_all_{code}").click().run()
    results = table_with(host, "Median")
    assert results is not None and "Participant" not in results.columns  # anonymous
    first = results.iloc[0]  # moving home's depth, one judgement, is no disagreement: reach's is
    assert list(results["Disagreement"]) == sorted(results["Disagreement"], reverse=True)
    reach = results[
        (results["Experience"] == "Query a bill") & (results["Criterion"].str.startswith("Reach"))
    ]
    assert reach.iloc[0]["Median"] == "355,000" and reach.iloc[0]["Range or votes"] == "300,000 to 410,000"
    assert first["Disagreement"] > 0
    charts = host.get("arrow_vega_lite_chart") or host.get("vega_lite_chart")
    assert charts  # the dots are drawn
    ben.run()
    assert table_with(ben, "Median") is not None  # revealed to participants too

    # Review and close: nothing ticked at first; tick one value; it alone is written.
    editors = [e for e in host.data_editor if e.key and e.key.startswith(f"round_review_{code}")]
    assert editors, "the review table"
    review = editors[0].value
    assert not review["accept"].any()  # nothing ticked by default
    changes = list(review["Change"])
    assert "Query a bill: reach: 320,000 → 355,000 customers a year, +11%" in changes
    assert "Query a bill: ambition: Distinct → Unique" in changes
    tick(host, code, "Query a bill: reach: 320,000 → 355,000 customers a year, +11%")
    close = close_button(host, code)
    assert close.label == "Close the round and save 1 value"
    close.click().run()
    assert not host.exception, [e.value for e in host.exception]
    closed = get_round(store, code)
    assert closed.closed and closed.closed_by == "Fran" and closed.result_version_id is not None
    after = store.latest()
    assert after is not None and after.id == closed.result_version_id
    audit = store.audit(after.id)
    assert [(r.experience, r.field, r.old, r.new, r.note) for r in audit] == [
        ("query-a-bill", "measures.reach", "320000", "355000", f"round {code}: median of 2 numbers")
    ]
    assert f"workshop round {code}" in after.rationale
    said = [read(s.value) for s in host.success]
    assert said == [f"Round {code} closed; 1 value saved as version {after.id}."]  # one message, one count
    assert any(f"version {after.id} holds what it changed" in read(i.value) for i in host.info)
    written = parse_catalogue(catalogue.read_text()).catalogue.experience("query-a-bill")
    assert (
        written.measures.reach == 355_000
        and written.ambition is not None
        and written.ambition.value == "distinct"
    )
    assert "reach: 355000," in catalogue.read_text()
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


def test_an_implausible_value_needs_its_own_tick(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    host = facilitator(board, catalogue, own_store)
    code = open_on_page(host, ("reach",))
    for name in ("Ana", "Ben"):
        score(participant(board, catalogue, code, name), code, "query-a-bill", {"reach": 5_000_000})
    host.button(key=f"round_reveal_all_{code}").click().run()
    (editor,) = [e for e in host.data_editor if e.key and e.key.startswith(f"round_review_{code}")]
    review = editor.value
    assert "implausible" in review.iloc[0]["Check"] and "15.6 times today's value" in review.iloc[0]["Check"]
    tick(host, code, review.iloc[0]["Change"])
    latest = Store(own_store).latest()
    close_button(host, code).click().run()
    assert any("needs its own confirmation" in e.value for e in host.error)
    assert Store(own_store).latest() == latest and not get_round(Store(own_store), code).closed
    host.checkbox(key=f"round_confirm_{code}_query-a-bill:reach").check().run()
    close_button(host, code).click().run()
    assert get_round(Store(own_store), code).closed
    assert (
        parse_catalogue(catalogue.read_text()).catalogue.experience("query-a-bill").measures.reach
        == 5_000_000
    )


def test_a_late_score_after_the_ticks_saves_nothing_and_shows_the_results_again(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    host = facilitator(board, catalogue, own_store)
    code = open_on_page(host, ("reach", "depth"))
    ana = participant(board, catalogue, code, "Ana")
    score(ana, code, "query-a-bill", {"reach": 400_000, "depth": 3})
    host.button(key=f"round_reveal_all_{code}").click().run()
    tick(host, code, "Query a bill: reach: 320,000 → 400,000 customers a year, +25%")
    assert close_button(host, code).label == "Close the round and save 1 value"
    ticked = close_button(host, code)
    # Ben saves while the facilitator reaches for the button: another result moves.
    score(participant(board, catalogue, code, "Ben"), code, "query-a-bill", {"depth": 1})
    latest = Store(own_store).latest()
    ticked.click().run()
    assert not get_round(Store(own_store), code).closed and Store(own_store).latest() == latest
    assert any("The results changed since you last looked" in w.value for w in host.warning)
    assert close_button(host, code).label == "Close the round, changing nothing"  # nothing ticked now
    host.button(key=f"round_end_{code}").click().run()  # end scoring: the results hold still
    assert not get_round(Store(own_store), code).scoring_open()
    assert not [b for b in host.button if b.key == f"round_end_{code}"]


def test_a_name_taken_is_refused_and_a_personal_link_finds_its_scores_after_a_restart(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    code = open_on_page(facilitator(board, catalogue, own_store))
    ana = participant(board, catalogue, code, "Ana")
    score(ana, code, "query-a-bill", {"depth": 4})
    twin = participant(board, catalogue, code, "ana")
    assert any("joined round" in e.value and "already" in e.value for e in twin.error)
    assert "me" not in twin.query_params
    again = board(catalogue)  # a new server session: only the address is left
    again.switch_page(PAGE)
    again.query_params.update({"round": code, "me": ana.query_params["me"]})
    again.run()
    assert not again.exception
    assert not [t for t in again.text_input if t.key == "round_name"]  # no join form: known
    assert on_screen(again) == "1 of 3: Query a bill"  # not complete: reach and ambition are open
    assert again.number_input(key=widget_key(code, "query-a-bill", "depth")).value == 4
    score(again, code, "query-a-bill", {"depth": 2})
    assert [s.shown for s in scores(Store(own_store), get_round(Store(own_store), code))] == ["2"]


def test_a_participant_cannot_facilitate_by_address_or_session_state(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    code = open_on_page(facilitator(board, catalogue, own_store))
    ana = participant(board, catalogue, code, "Ana")
    score(ana, code, "query-a-bill", {"depth": 2})
    # Without the round in the address: the facilitator's page, which asks for the passcode.
    intruder = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    intruder.secrets["cxprio"] = {"editor_passcode": "s3cret"}
    intruder.run()
    intruder.switch_page(PAGE)
    intruder.session_state["round_chosen"] = code
    intruder.session_state["editor_name"] = "Ana"
    intruder.session_state["editor_kept"] = "Ana"
    intruder.query_params.update({"reveal": "1", "view": "facilitate"})
    intruder.run()
    assert not intruder.exception
    assert not [b for b in intruder.button if (b.key or "").startswith("round_reveal")]
    assert not [b for b in intruder.button if (b.key or "").startswith("round_close")]
    assert table_with(intruder, "scored") is None
    assert not any(code in m.value for m in intruder.markdown)
    assert not get_round(Store(own_store), code).revealed
    # A participant's page shows neither names nor others' scores before a reveal.
    ben = participant(board, catalogue, code, "Ben")
    texts = " ".join([m.value for m in ben.markdown] + [c.value for c in ben.caption])
    assert "Ana" not in texts and table_with(ben, "Median") is None


def test_the_projector_view_has_no_input_and_no_names_with_scores(
    board: Callable[..., AppTest], catalogue: Path, own_store: str
) -> None:
    host = facilitator(board, catalogue, own_store)
    code = open_on_page(host, ("depth", "ambition"))
    for name, depth in (("Ana", 5), ("Ben", 5), ("Caro", 5), ("Dev", 5), ("Eli", 1)):
        score(participant(board, catalogue, code, name), code, "query-a-bill", {"depth": depth})
    screen = board(catalogue)
    screen.switch_page(PAGE)
    screen.query_params.update({"round": code, "view": "projector"})
    screen.run()
    assert not screen.exception, [e.value for e in screen.exception]
    inputs = (
        "text_input",
        "number_input",
        "selectbox",
        "multiselect",
        "radio",
        "checkbox",
        "slider",
        "button",
    )
    assert all(len(getattr(screen, kind)) == 0 for kind in inputs), [
        (kind, len(getattr(screen, kind))) for kind in inputs
    ]
    assert not screen.sidebar.children or all(len(getattr(screen.sidebar, k)) == 0 for k in inputs)
    assert any(m.label == "Joined" for m in screen.metric)
    shown = " ".join(m.value for m in screen.markdown)
    assert f"rounds?round={code}" in shown  # how to join
    assert table_with(screen, "Median") is None  # nothing revealed, nothing shown
    host.button(key=f"round_reveal_all_{code}").click().run()
    screen.run()
    results = table_with(screen, "Median")
    assert results is not None and next(iter(results["Experience"])) == "Query a bill"
    assert "▮▮▮▮▯ 0.80" in set(results["Disagreement"])  # the lone voice: four 5s and a 1
    texts = " ".join(
        [str(v) for v in results.to_numpy().ravel()]
        + [m.value for m in screen.markdown]
        + [c.value for c in screen.caption]
    )
    assert not any(name in texts for name in ("Ana", "Ben", "Caro", "Dev", "Eli"))  # no name beside a score


def test_the_weights_vote_on_the_page_and_its_median_for_the_room(
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
    assert table_with(host, "In how many people's top 10") is None  # hidden until all is revealed
    host.button(key=f"round_reveal_all_{code}").click().run()
    top = table_with(host, "In how many people's top 10")
    assert top is not None and len(top) == 10 and set(top["Voters"]) == {3}
    shares = [[w / sum(b) for w in b] for b in ballots.values()]
    expected_reach = sorted(s[0] for s in shares)[1]  # the median of three
    medians = table_with(host, "Reach")
    assert medians is not None and medians.iloc[0]["Reach"] == f"{expected_reach:.0%}"


def test_with_sign_in_a_participant_joins_as_their_account_and_comes_back_to_it(
    catalogue: Path, own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxprio.method.rounds.checks import parse_criteria
    from cxprio.store.imports import import_file
    from cxprio.store.rounds import open_round

    store = Store(own_store)
    import_file(store, catalogue)
    latest = store.latest()
    assert latest is not None
    parsed = parse_catalogue(catalogue.read_text()).catalogue
    first = parsed.experiences[0].id
    code = open_round(
        store, parsed, latest.id, experiences=[first], criteria=parse_criteria("depth"), author="Fran"
    ).code

    def session() -> AppTest:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
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
    one = session()
    assert not [t for t in one.text_input if t.key == "round_name"]  # no name to type
    score(one, code, first, {"depth": 4})
    again = session()  # another laptop, the same account, no personal link
    assert any("You have scored every experience" in s.value for s in again.success)
    again.button(key=f"round_change_{code}").click().run()
    assert again.number_input(key=widget_key(code, first, "depth")).value == 4
    people = participants(store, get_round(store, code))
    assert [(p.name, p.identity) for p in people] == [("Ana Lima", "user:ana@example.org")]
    store.close()
