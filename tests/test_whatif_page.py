"""The Priorities page's what-if, through Streamlit's AppTest: the room chooses an
experience, reads in words which weight would move it across the top-10 line, and one
click puts that weight on the sliders and re-ranks the board as the sentence said."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "pages/priorities.py"


def opened(board: Callable[..., AppTest]) -> AppTest:
    """The Priorities page with its what-if tab open, as a click on the tab opens it."""
    app = board(page=PAGE)
    app.session_state["priorities_tab"] = "What would move it"
    return app.run()


def said(app: AppTest) -> list[str]:
    return [m.value.replace("\\", "") for m in app.markdown]


def rank_on_the_page(app: AppTest, name: str) -> int:
    table = app.dataframe[0].value  # the ranked table: the first on the page
    return int(table.loc[table["name"] == name, "rank"].iloc[0])


def test_the_what_if_is_worked_out_only_while_its_tab_is_open(board: Callable[..., AppTest]) -> None:
    app = board(page=PAGE)  # the first tab open: every slider move reruns this page
    assert not [s for s in app.selectbox if s.key == "whatif_experience"]
    app.session_state["priorities_tab"] = "What would move it"
    assert app.run().selectbox(key="whatif_experience").value == "complaint-progress-update"


def test_the_experience_just_outside_the_top_10_is_chosen_and_its_moves_said_in_words(
    board: Callable[..., AppTest],
) -> None:
    app = opened(board)
    assert app.selectbox(key="whatif_experience").value == "complaint-progress-update"
    shown = said(app)
    assert "**Get an update on a complaint is #11, outside the top 10.**" in shown
    assert "Frequency at 0.25 instead of 0.15 puts it at #10" in shown
    assert "No weight of Reach from 0 to 1 moves it into the top 10" in shown
    assert not any("complaint-progress-update" in line for line in shown)  # its name, never its id


def test_apply_sets_the_slider_and_the_ranking_moves_as_the_sentence_said(
    board: Callable[..., AppTest],
) -> None:
    app = opened(board)
    name = "Get an update on a complaint"
    assert rank_on_the_page(app, name) == 11
    app.button(key="whatif_apply_frequency").click().run()
    assert not app.exception
    assert app.slider(key="weight_frequency").value == pytest.approx(0.25)
    assert rank_on_the_page(app, name) == 10
    assert "frequency:0.25" in app.query_params["weights"]
    assert app.selectbox(key="whatif_experience").value == "complaint-progress-update"  # still chosen
    assert f"**{name} is #10, inside the top 10.**" in said(app)


def test_an_experience_no_weight_moves_gets_a_sentence_per_measure_and_no_button(
    board: Callable[..., AppTest],
) -> None:
    app = opened(board)
    app.selectbox(key="whatif_experience").set_value("financial-difficulty").run()
    shown = said(app)
    assert "**Financial difficulty is #1, inside the top 10.**" in shown
    for label in ("Reach", "Frequency", "Depth", "Cost", "Failure demand"):
        assert f"No weight of {label} from 0 to 1 moves it out of the top 10" in shown
    assert not [b for b in app.button if b.key and b.key.startswith("whatif_apply_")]


def test_the_what_if_follows_the_stable_top_n_chosen(board: Callable[..., AppTest]) -> None:
    app = opened(board)
    app.number_input(key="top_n").set_value(5).run()
    app.selectbox(key="whatif_experience").set_value("query-a-bill").run()
    assert "**Query a bill is #6, outside the top 5.**" in said(app)
