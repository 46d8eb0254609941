"""Weights that last: the page address keeps the room's weights (``?weights=...``), so a
refresh or a shared link ranks the same way; checked through Streamlit's AppTest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from .conftest import SAMPLE, catalogue_dict, dump

SAMPLE_WEIGHTS: dict[str, float] = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["scoring"]["weights"]
DEEPEST = {
    e["name"]
    for e in yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["experiences"]
    if e.get("measures", {}).get("depth") == 5
}
DEPTH_ONLY = "reach:0,frequency:0,depth:1,cost:0,failure_demand:0"


def sliders(app: AppTest) -> dict[str, float]:
    return {s.key.removeprefix("weight_"): s.value for s in app.sidebar.slider}


def address(weights: dict[str, float]) -> str:
    return ",".join(f"{name}:{value:.2f}" for name, value in weights.items())


def notes(app: AppTest) -> str:
    return " ".join(w.value.replace("\\", "") for w in app.sidebar.warning)


@pytest.mark.parametrize("page", ["app.py", "pages/priorities.py", "pages/ownership.py"])
def test_a_link_with_weights_opens_every_page_ranked_by_them(
    board: Callable[..., AppTest], page: str
) -> None:
    app = board(query={"weights": DEPTH_ONLY}, page=page)
    assert sliders(app) == pytest.approx(
        {"reach": 0, "frequency": 0, "depth": 1, "cost": 0, "failure_demand": 0}
    )
    assert not app.sidebar.warning
    app.switch_page("pages/priorities.py").run()
    assert app.dataframe[0].value["name"].iloc[0] in DEEPEST


def test_moving_a_slider_writes_the_weights_into_the_address_and_reset_clears_them(
    board: Callable[..., AppTest],
) -> None:
    app = board(page="pages/priorities.py")
    assert "weights" not in app.query_params  # the catalogue's own weights need no address
    app.slider(key="weight_reach").set_value(0.5).run()
    assert app.query_params["weights"] == address(SAMPLE_WEIGHTS | {"reach": 0.5})
    app.switch_page("pages/ambition.py").run()  # a page switch keeps them
    assert app.query_params["weights"] == address(SAMPLE_WEIGHTS | {"reach": 0.5})
    app.button(key="reset_weights").click().run()
    assert "weights" not in app.query_params
    assert sliders(app) == pytest.approx(SAMPLE_WEIGHTS)


def test_a_link_is_read_with_the_address_form_the_board_writes(board: Callable[..., AppTest]) -> None:
    first = board(page="pages/priorities.py")
    for name, value in (("reach", 0.1), ("depth", 0.6), ("failure_demand", 0.05)):
        first.slider(key=f"weight_{name}").set_value(value).run()
    shared = first.query_params["weights"]
    second = board(query={"weights": shared}, page="pages/priorities.py")  # a new session
    assert sliders(second) == pytest.approx(sliders(first))
    assert second.dataframe[0].value["name"].tolist() == first.dataframe[0].value["name"].tolist()


def test_weights_in_the_address_that_cannot_be_used_are_ignored_with_a_note(
    board: Callable[..., AppTest],
) -> None:
    app = board(query={"weights": "reach:lots,speed:1,depth:0.5,cost:7,failure_demand:-1,junk"})
    assert not app.exception
    assert sliders(app) == pytest.approx(SAMPLE_WEIGHTS | {"depth": 0.5})
    shown = notes(app)
    for part in ("'lots'", "'speed'", "cost (7)", "'-1'", "'junk'"):
        assert part in shown, part
    app.slider(key="weight_reach").set_value(0.3).run()  # a moved slider settles it
    assert not app.sidebar.warning


def test_an_address_with_markdown_shows_it_as_text(board: Callable[..., AppTest]) -> None:
    app = board(query={"weights": "[click](www.example.com)"})
    assert not app.exception
    shown = " ".join(w.value for w in app.sidebar.warning)
    assert "\\[click\\]\\(www\u200b\\.example" in shown  # brackets escaped, the address no link


def test_a_catalogue_change_keeps_the_weights_unless_its_own_weights_change(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    path = tmp_path / "live.yaml"
    data = catalogue_dict()
    path.write_text(dump(data))
    app = board(path)
    own = sliders(app)
    app.slider(key="weight_depth").set_value(0.9).run()
    kept = own | {"depth": 0.9}

    data["organisation"] = "Test Energy plc"
    path.write_text(dump(data))
    app.run()
    assert app.title[0].value == "Test Energy plc"
    assert sliders(app) == pytest.approx(kept)
    assert app.query_params["weights"] == address(kept)

    data["scoring"] = {
        "weights": {"reach": 0.5, "frequency": 0.1, "depth": 0.1, "cost": 0.2, "failure_demand": 0.1}
    }
    path.write_text(dump(data))
    app.run()
    assert sliders(app) == pytest.approx(data["scoring"]["weights"])
    assert "weights" not in app.query_params
