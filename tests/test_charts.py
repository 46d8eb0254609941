"""The charts (cxprio.outputs.charts) name what they show, and every word on them reads from the
back of a room: checked on the specs and on the drawn SVG."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import vl_convert

from cxprio import parse_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.method.ownership import analyse_ownership, team_pair_risk
from cxprio.method.scoring import score
from cxprio.outputs import charts
from cxprio.outputs.report import svg

from .conftest import SAMPLE

SIZE_KEYS = re.compile(r"^(fontSize|labelFontSize|titleFontSize|subtitleFontSize)$")


@pytest.fixture(scope="module")
def ranked() -> pd.DataFrame:
    return score(parse_catalogue(SAMPLE.read_bytes()).catalogue).table


@pytest.fixture(scope="module")
def top_ten(ranked: pd.DataFrame) -> set[str]:
    """The ten best ranks' names, from the scores alone."""
    return set(ranked.sort_values("priority", ascending=False)["name"].head(10))


def layers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield spec
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []):
            yield from layers(part)


def mark_type(layer: dict[str, Any]) -> str | None:
    mark = layer.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def text_layer_names(spec: dict[str, Any]) -> set[str]:
    """Every value of the text field of every text layer that brings its own rows, or
    every name in the chart's data when a text layer filters the chart's own rows."""
    found: set[str] = set()
    for layer in layers(spec):
        if mark_type(layer) != "text":
            continue
        field = layer["encoding"]["text"]["field"]
        data = layer.get("data") or spec.get("data")
        rows = spec["datasets"][data["name"]]
        found |= {str(row[field]) for row in rows}
    return found


def drawn_text(chart: Any) -> set[str]:
    """Every piece of text in the chart drawn as SVG."""
    text = svg(charts.readable(chart))
    return {re.sub(r"&amp;", "&", t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", text)}


def test_the_value_map_names_the_top_ten_beside_their_dots(ranked: pd.DataFrame, top_ten: set[str]) -> None:
    chart = charts.value_map(ranked)
    assert any(mark_type(layer) == "text" for layer in layers(chart.to_dict()))
    assert top_ten <= drawn_text(chart)
    eleventh = ranked.sort_values("priority", ascending=False)["name"].iloc[10]
    assert eleventh not in drawn_text(chart)


def test_the_value_map_spec_the_board_fills_labels_the_top_ten_too(
    ranked: pd.DataFrame, top_ten: set[str]
) -> None:
    spec = charts.scatter_spec()
    text = [layer for layer in layers(spec) if mark_type(layer) == "text"]
    assert text and all(layer["encoding"]["text"]["field"] == "name" for layer in text)
    # Drawn as the board draws it: the page's rows given to the spec as its one dataset.
    rows = ranked[list(charts.SCATTER_COLUMNS)].to_dict("records")
    drawn = vl_convert.vegalite_to_svg({**spec, "data": {"values": rows}})
    assert top_ten <= {t.replace("&amp;", "&") for t in re.findall(r"<text[^>]*>([^<]*)</text>", drawn)}
    assert len(re.findall(r'<path[^>]*aria-roledescription="circle"', drawn)) == len(rows)


@pytest.mark.parametrize("limit", [charts.POINT_LIMIT, 10], ids=["every-dot", "in-bands"])
def test_the_ambition_chart_names_the_top_ten(ranked: pd.DataFrame, top_ten: set[str], limit: int) -> None:
    chart = charts.priority_ambition(charts.ambition_points(ranked), limit=limit)
    assert text_layer_names(chart.to_dict()) == top_ten
    assert top_ten <= drawn_text(chart)


def movement() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["Moving home", "Query a bill", "Bereavement", "Leave Northwind"],
            "rank_then": [1, 2, 3, 40],
            "rank_now": [2, 1, 45, 3],
            "rise": [-1, 1, -42, 37],
            "why": ["", "", "", ""],
        }
    )


def test_the_slope_chart_names_each_line_at_both_ends_with_its_rank() -> None:
    points = charts.slope_points(movement(), "2026-Q3", "2026-Q4")
    chart = charts.rank_movement(points, "2026-Q3", "2026-Q4", "Movement")
    spec = chart.to_dict()
    texts = [layer for layer in layers(spec) if mark_type(layer) == "text"]
    assert len(texts) == 2
    drawn = drawn_text(chart)
    for name, then, now in (("Moving home", 1, 2), ("Bereavement", 3, 45), ("Leave Northwind", 40, 3)):
        assert f"{name} {then}" in drawn and f"{now} {name}" in drawn
    assert {"2026-Q3", "2026-Q4"} <= drawn  # the quarters in full


def test_the_slope_chart_has_a_row_per_rank_at_least_twenty_pixels_apart() -> None:
    points = charts.slope_points(movement(), "2026-Q3", "2026-Q4")
    spec = charts.rank_movement(points, "2026-Q3", "2026-Q4", "Movement").to_dict()
    rows = {row["row"] for row in spec["datasets"][spec["layer"][0]["data"]["name"]]}
    assert rows == {1, 2, 3, 4}
    assert spec["height"] / len(rows) >= 20


@pytest.fixture(scope="module")
def forty_teams() -> pd.DataFrame:
    catalogue = parse_catalogue(generate_catalogue(experiences=300, teams=40, seed=1)).catalogue
    priorities = dict(zip(*(score(catalogue).table[c] for c in ("id", "priority")), strict=True))
    pairs = team_pair_risk(analyse_ownership(catalogue, priorities).seams)
    names = catalogue.team_names()
    return pairs.assign(from_name=pairs["from_team"].map(names), to_name=pairs["to_team"].map(names))


def test_the_heatmap_shows_the_thirty_riskiest_teams_every_one_named(forty_teams: pd.DataFrame) -> None:
    teams = set(forty_teams["from_team"]) | set(forty_teams["to_team"])
    assert len(teams) > 30
    total: dict[str, float] = dict.fromkeys(teams, 0.0)
    for row in forty_teams.itertuples():
        total[row.from_team] += row.risk
        total[row.to_team] += row.risk
    riskiest = sorted(teams, key=lambda t: (-total[t], t))[:30]
    chart = charts.seam_heatmap(forty_teams)
    spec = chart.to_dict()
    shown = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert set(shown["from_team"]) | set(shown["to_team"]) <= set(riskiest)
    expected = forty_teams[forty_teams["from_team"].isin(riskiest) & forty_teams["to_team"].isin(riskiest)]
    assert len(shown) == len(expected)
    assert "30 riskiest of" in spec["title"]
    for channel in ("x", "y"):
        assert spec["encoding"][channel]["axis"]["labelOverlap"] is False
    drawn = drawn_text(chart)
    assert set(shown["from_name"]) | set(shown["to_name"]) <= drawn


def test_a_heatmap_of_few_teams_shows_them_all(forty_teams: pd.DataFrame) -> None:
    few = forty_teams.head(6)
    spec = charts.seam_heatmap(few).to_dict()
    assert len(spec["datasets"][spec["data"]["name"]]) == 6 and "riskiest" not in spec["title"]


def every_chart(ranked: pd.DataFrame, heat: pd.DataFrame) -> dict[str, Any]:
    from cxprio.outputs.report import gather

    workshop = gather(parse_catalogue(SAMPLE.read_bytes()))
    from cxprio.outputs.report import chart_specs

    found = dict(chart_specs(workshop))
    points = charts.slope_points(movement(), "2026-Q3", "2026-Q4")
    found["rank-movement"] = charts.readable(charts.rank_movement(points, "2026-Q3", "2026-Q4", "Movement"))
    found["seam-risk-40"] = charts.readable(charts.seam_heatmap(heat))
    found["in-bands"] = charts.readable(charts.priority_ambition(charts.ambition_points(ranked), limit=10))
    return found


def sizes(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if SIZE_KEYS.match(key):
                yield f"{path}.{key}", value
            yield from sizes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from sizes(value, f"{path}[{index}]")


def test_every_text_on_every_chart_is_at_least_fourteen_pixels(
    ranked: pd.DataFrame, forty_teams: pd.DataFrame
) -> None:
    for name, chart in every_chart(ranked, forty_teams).items():
        spec = chart.to_dict()
        config = spec["config"]
        for part, key in (("axis", "labelFontSize"), ("axis", "titleFontSize"), ("legend", "labelFontSize"),
                          ("legend", "titleFontSize"), ("title", "fontSize"), ("text", "fontSize")):  # fmt: skip
            assert config[part][key] >= 14, (name, part, key)
        found = [(path, size) for path, size in sizes(spec) if not path.startswith(".datasets")]
        assert found, name
        small = [(path, size) for path, size in found if size < 14]
        assert not small, (name, small)


def test_readable_raises_a_small_text_mark_and_leaves_the_chart_it_was_given(ranked: pd.DataFrame) -> None:
    import altair as alt

    small = alt.Chart(ranked).mark_text(fontSize=9).encode(x="priority:Q", text="name:N")
    assert charts.readable(small).to_dict()["mark"]["fontSize"] == 14
    assert small.to_dict()["mark"]["fontSize"] == 9


def test_an_experience_without_an_ambition_sits_on_a_row_called_no_ambition(ranked: pd.DataFrame) -> None:
    some = ranked.copy()
    some.loc[some.index[0], "ambition"] = None
    chart = charts.priority_ambition(charts.ambition_points(some))
    drawn = drawn_text(chart)
    assert "No ambition" in drawn and "None" not in drawn


def test_a_filtered_value_map_names_the_best_ten_of_what_it_draws(ranked: pd.DataFrame) -> None:
    moments = ranked[ranked["level"] == "moment"].sort_values("rank")
    assert not set(moments["rank"].head(10)) <= set(range(1, 11))  # not the catalogue's top 10
    spec = charts.scatter_spec()
    rows = moments[list(charts.SCATTER_COLUMNS)].to_dict("records")
    drawn = vl_convert.vegalite_to_svg({**spec, "data": {"values": rows}})
    names = {t.replace("&amp;", "&") for t in re.findall(r"<text[^>]*>([^<]*)</text>", drawn)}
    assert set(moments["name"].head(10)) <= names
    assert not set(moments["name"].iloc[10:]) & names
