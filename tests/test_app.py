"""The board as a user meets it, through Streamlit's AppTest: every page, the weight
sliders, the filters, and checking another catalogue."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from board.ranges import jobs
from cxprio import load_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.model import MEASURES
from cxprio.method.scoring import DEFAULT_TOP_N, robustness, score

from .conftest import PAGES, SAMPLE, catalogue_dict, dump
from .test_words import cut_names, problems_in, texts

TITLES = [
    "Northwind Energy",
    "Priorities",
    "Ambition board",
    "Ownership & seams",
    "Decision rights",
    "Catalogue",
    "Edit an experience",
    "History",
    "Quarter on quarter",
    "Workshop rounds",
    "Workshop pack",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "generated-1000.yaml"
    path.write_text(generate_catalogue(experiences=1000, teams=40, seed=11))
    return path


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "generated-10000.yaml"
    path.write_text(generate_catalogue(experiences=10_000, teams=300, seed=5))
    return path


@pytest.mark.parametrize(("page", "title"), list(zip(PAGES, TITLES, strict=True)))
def test_every_page_runs_on_the_sample(board: Callable[..., AppTest], page: str, title: str) -> None:
    app = board(page=page)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title


@pytest.mark.parametrize(("page", "title"), list(zip(PAGES[1:], TITLES[1:], strict=True)))
@pytest.mark.scale
def test_every_page_works_at_10000_experiences_and_300_teams(
    board: Callable[..., AppTest], large: Path, page: str, title: str
) -> None:
    app = board(large, page=page)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title
    assert not app.error, [e.value for e in app.error]
    # In words at this size too: no code, None, field path or machine weights; no name cut.
    problems = [p for where, text in texts(app) for p in problems_in(text, where, str(large.parent))]
    assert not problems, "\n".join(problems[:20])
    assert not cut_names(app), cut_names(app)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_generated_catalogue_of_1000(
    board: Callable[..., AppTest], generated: Path, page: str
) -> None:
    app = board(generated, page=page)
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize(
    "page",
    [
        p
        for p in PAGES
        if p not in ("app.py", "pages/edit.py", "pages/quarters.py", "pages/pack.py", "pages/rounds.py")
    ],
)  # with downloads from the start (the pack page's come once a file is made: tests/test_report.py;
# the rounds page's once a round is open: tests/test_rounds_page.py)
def test_no_download_button_reruns_the_page(board: Callable[..., AppTest], page: str) -> None:
    # A rerun started by the click can drop the message with the built file's address
    # (the button then spins for ever): every download must leave the page alone.
    buttons = [b.proto for b in board(page=page).get("download_button")]
    assert buttons, f"{page} has no download"
    rerunning = [b.label for b in buttons if not b.ignore_rerun]
    assert not rerunning, f"these downloads rerun {page}: {rerunning}"


def ranking(app: AppTest):  # type: ignore[no-untyped-def]
    """The ranked table: the first table on the Priorities page (AppTest finds tables by
    position, not by key)."""
    return app.dataframe[0].value


RAW_SAMPLE = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))  # counted here, not by cxprio


def test_the_overview_shows_counts_and_coverage(board: Callable[..., AppTest]) -> None:
    app = board()
    metrics = {m.label: m.value for m in app.metric}
    experiences = RAW_SAMPLE["experiences"]
    assert metrics["Experiences"] == str(len(experiences))
    for level in ("trigger", "journey", "moment"):
        assert metrics[f"{level.capitalize()}s"] == str(sum(e["level"] == level for e in experiences))
    assert metrics["Seam coverage"].endswith("%")


@pytest.mark.parametrize("page", PAGES)
def test_the_sliders_show_the_catalogues_weights_on_every_page(
    board: Callable[..., AppTest], page: str
) -> None:
    app = board(page=page)
    shown = {s.key.removeprefix("weight_"): s.value for s in app.sidebar.slider}
    assert shown == pytest.approx(RAW_SAMPLE["scoring"]["weights"])
    assert not app.sidebar.warning  # no "every weight is 0" on a path a user takes


def test_a_weight_moved_on_one_page_stays_on_the_next(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    app.slider(key="weight_reach").set_value(0.9).run()
    for page in ("pages/ambition.py", "app.py", "pages/priorities.py"):
        app.switch_page(page).run()
        assert app.slider(key="weight_reach").value == pytest.approx(0.9), page


def test_depth_alone_puts_the_deepest_experience_first(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    before = ranking(app)["name"].tolist()
    for measure in ("reach", "frequency", "cost", "failure_demand"):
        app.slider(key=f"weight_{measure}").set_value(0.0)
    app.slider(key="weight_depth").set_value(1.0)
    app.run()
    after = ranking(app)
    assert after["name"].tolist() != before
    from cxprio import load_catalogue

    catalogue = load_catalogue(SAMPLE).catalogue
    deepest = {e.name for e in catalogue.experiences if e.measures.depth == 5}
    assert after["name"].iloc[0] in deepest
    top = app.table[0].value  # the answer above the tabs: the top 10, first row first
    assert top["Experience"].iloc[0].replace("\\", "") == after["name"].iloc[0]


def test_reset_restores_the_catalogues_weights(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    original = ranking(app)["name"].tolist()
    app.slider(key="weight_reach").set_value(1.0).run()
    assert ranking(app)["name"].tolist() != original
    app.button(key="reset_weights").click().run()
    assert app.slider(key="weight_reach").value == pytest.approx(0.25)
    assert ranking(app)["name"].tolist() == original


def test_all_zero_weights_warn_and_keep_ranking(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    before = ranking(app)["name"].tolist()
    assert not any("Every weight is 0" in w.value for w in app.sidebar.warning)
    for measure in ("reach", "frequency", "depth", "cost", "failure_demand"):
        app.slider(key=f"weight_{measure}").set_value(0.0)
    app.run()
    assert not app.exception
    assert any("Every weight is 0" in w.value for w in app.sidebar.warning)
    assert ranking(app)["name"].tolist() == before  # ranked by the catalogue's weights meanwhile


def test_the_level_filter_keeps_only_that_level(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    app.multiselect(key="filter_level").set_value(["journey"]).run()
    shown = ranking(app)
    journeys = {e["name"] for e in RAW_SAMPLE["experiences"] if e["level"] == "journey"}
    assert set(shown["name"]) == journeys and len(shown) == len(journeys)


def test_search_and_team_filters(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    from cxprio import load_catalogue

    catalogue = load_catalogue(SAMPLE).catalogue
    expected = {e.name for e in catalogue.experiences if "bill" in f"{e.id} {e.name} {e.outcome}".lower()}
    app.text_input(key="filter_search").input("Bill").run()
    assert set(ranking(app)["name"]) == expected and len(expected) >= 5
    app.text_input(key="filter_search").input("").run()
    app.selectbox(key="filter_team").set_value("data-platform").run()
    involved = {
        e["name"]
        for e in RAW_SAMPLE["experiences"]
        if "data-platform"
        in yaml.safe_dump(
            {k: e.get(k) for k in ("owner", "steps", "decisions")}  # any role the team holds
        )
    }
    assert set(ranking(app)["name"]) == involved and involved


def until_ranges_show(app: AppTest, limit: float = 60.0) -> None:
    """Rerun the page until its rank ranges, computed in the background, are drawn."""
    deadline = time.monotonic() + limit
    while "rank_range" not in ranking(app).columns:
        assert time.monotonic() < deadline, "the rank ranges never appeared"
        app.run()


def test_the_tier_filter_and_rank_ranges(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    app.multiselect(key="filter_tier").set_value(["unique"]).run()
    until_ranges_show(app)
    shown = ranking(app)
    assert set(shown["ambition_label"]) == {"Unique"}  # as people write it
    assert {"rank_range", "stable_top_n"} <= set(shown.columns)
    app.toggle(key="show_ranges").set_value(False).run()
    assert "rank_range" not in ranking(app).columns


def test_an_invalid_pasted_catalogue_shows_errors_and_leaves_the_board(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/catalogue.py")
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    app.text_area(key="pasted_yaml").input(dump(data))
    app.button(key="check_pasted").click().run()
    errors = " ".join(e.value for e in app.error).replace("\\", "")
    assert "pasted.yaml" in errors and "Experience 1, level" in errors and "journey" in errors
    app.switch_page("app.py").run()
    assert app.title[0].value == "Northwind Energy"


def test_checking_an_empty_box_or_a_paste_cut_at_the_limit_says_so(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/catalogue.py")
    assert not app.warning
    app.button(key="check_pasted").click().run()
    assert any("The box is empty" in w.value for w in app.warning)
    limit = app.text_area(key="pasted_yaml").max_chars
    assert limit and limit < 25_000_000  # far below what the connection carries
    app.text_area(key="pasted_yaml").input("#" * limit).run()
    assert any(f"limit of {limit:,} characters" in w.value for w in app.warning)
    assert not any("The box is empty" in w.value for w in app.warning)


def test_a_valid_pasted_catalogue_can_replace_the_board_for_the_session(
    board: Callable[..., AppTest],
) -> None:
    app = board(page="pages/catalogue.py")
    app.text_area(key="pasted_yaml").input(dump(catalogue_dict()))
    app.button(key="check_pasted").click().run()
    assert any("is valid" in s.value for s in app.success)
    app.button(key="use_upload").click().run()
    app.switch_page("app.py").run()
    assert app.title[0].value == "Test Energy"
    app.switch_page("pages/catalogue.py").run()
    app.button(key="back_to_file").click().run()
    app.switch_page("app.py").run()
    assert app.title[0].value == "Northwind Energy"


def test_an_invalid_catalogue_file_shows_its_errors_without_a_traceback(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\norganisation: Broken\nexperiences:\n  - {id: x, name: X, level: NO}\n")
    app = board(path)
    assert not app.exception
    assert app.title[0].value == "The catalogue could not be loaded"
    assert "broken.yaml:4" in app.error[0].value.replace("\\", "")


def test_a_file_that_turns_invalid_keeps_the_last_good_catalogue(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    path = tmp_path / "live.yaml"
    path.write_text(dump(catalogue_dict()))
    app = board(path)
    assert app.title[0].value == "Test Energy"
    path.write_text(dump(catalogue_dict()).replace("level: trigger", "level: triger"))
    app.run()
    assert not app.exception
    assert app.title[0].value == "Test Energy"  # still the last good one
    assert any("last version that loaded" in w.value for w in app.warning)


def test_a_new_session_after_the_file_broke_sees_the_last_good_board_and_the_errors(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    path = tmp_path / "shared.yaml"
    good = dump(catalogue_dict())
    path.write_text(good)
    assert board(path).title[0].value == "Test Energy"
    broken = good.replace("level: trigger", "level: triger")
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if "triger" in text)
    path.write_text(broken)
    for page in ("app.py", "pages/priorities.py"):
        visitor = board(path, page=page)  # a new session: it never saw the good version
        assert not visitor.exception
        assert visitor.title[0].value == ("Test Energy" if page == "app.py" else "Priorities")
        assert any("last version that loaded" in w.value for w in visitor.warning)
        errors = " ".join(e.value for e in visitor.error).replace("\\", "")
        assert f"shared.yaml:{line}" in errors and "triger" in errors


def test_catalogue_text_is_shown_as_text_not_html(board: Callable[..., AppTest], tmp_path: Path) -> None:
    data = catalogue_dict(organisation="<script>alert(1)</script> **Bold** Energy")
    data["experiences"][0]["name"] = "<img src=x onerror=alert(1)>"
    path = tmp_path / "html.yaml"
    path.write_text(dump(data))
    app = board(path, page="pages/ambition.py")
    assert not app.exception
    rendered = " ".join(m.value for m in app.markdown)
    assert "<img" not in rendered.replace("\\<img", "")
    assert "\\<img" in rendered


def test_uploading_an_invalid_catalogue_shows_its_errors_and_leaves_the_board(
    board: Callable[..., AppTest],
) -> None:
    app = board(page="pages/catalogue.py")
    data = catalogue_dict()
    data["experiences"][1]["owner"] = "bilingg"
    app.file_uploader(key="upload").upload("team-draft.yaml", dump(data).encode(), "application/yaml")
    app.run()
    errors = " ".join(e.value for e in app.error).replace("\\", "")
    assert (
        "team-draft.yaml:" in errors
        and "unknown team 'bilingg'" in errors
        and "did you mean 'billing'" in errors
    )
    assert "use_upload" not in [b.key for b in app.button]  # nothing to switch to
    app.switch_page("app.py").run()
    assert app.title[0].value == "Northwind Energy"


def test_uploading_a_valid_catalogue_can_be_switched_to(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/catalogue.py")
    app.file_uploader(key="upload").upload("other.yaml", dump(catalogue_dict()).encode(), "application/yaml")
    app.run()
    assert any("other.yaml is valid" in s.value.replace("\\", "") for s in app.success)
    app.button(key="use_upload").click().run()
    app.switch_page("pages/priorities.py").run()
    assert set(ranking(app)["name"]) == {"Moving home", "Move out", "Give a final reading"}


@pytest.mark.scale
def test_rank_ranges_show_on_a_catalogue_of_10000_too(board: Callable[..., AppTest], large: Path) -> None:
    path = large
    app = board(path, page="pages/priorities.py")
    assert app.toggle(key="show_ranges").value  # on by default at any size
    until_ranges_show(app)
    shown = ranking(app)
    # The ranges on screen are the core's, for the experience on each row.
    scores = score(load_catalogue(path).catalogue)
    spread = robustness(scores.normalised, scores.weights).set_index("id")
    ids = scores.table.set_index("rank").loc[shown["rank"], "id"]
    expected = [f"{spread.at[i, 'rank_p5']}–{spread.at[i, 'rank_p95']}" for i in ids]
    assert list(shown["rank_range"]) == expected
    assert list(shown["stable_top_n"]) == list(spread.loc[ids, "stable_top_n"])
    # Not one range repeated down the table (with each value wobbling by its evidence, no
    # experience of 10,000 may hold its top-10 place: the stable column can be all "no").
    assert len(set(shown["rank_range"])) > 1 and not shown["stable_top_n"].all()


def test_the_page_asks_for_new_rank_ranges_and_shows_them_once_ready(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/priorities.py")
    until_ranges_show(app)
    app.slider(key="weight_depth").set_value(0.95).run()
    # A new weighting: the table is drawn at once, without ranges, and they are asked for.
    assert "rank_range" not in ranking(app).columns
    assert any("nearby weightings" in caption.value for caption in app.caption)
    weights = {name: app.slider(key=f"weight_{name}").value for name in MEASURES}
    assert weights["depth"] == 0.95
    key = (load_catalogue(SAMPLE).sha256, tuple(weights[m] for m in MEASURES), DEFAULT_TOP_N)
    assert jobs().peek(key) is not None
    until_ranges_show(app)


def test_a_deleted_catalogue_file_keeps_the_last_good_board_without_an_error(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    path = tmp_path / "live.yaml"
    path.write_text(dump(catalogue_dict()))
    app = board(path, page="pages/catalogue.py")
    assert app.title[0].value == "Catalogue"
    path.unlink()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Catalogue"
    assert any("last version that loaded" in w.value for w in app.warning)
    assert "no such file" in " ".join(e.value for e in app.error)


@pytest.mark.scale
def test_decision_rights_at_scale_show_a_page_of_defective_decisions_and_only_their_teams(
    board: Callable[..., AppTest], large: Path
) -> None:
    app = board(large, page="pages/decisions.py")
    raw = yaml.safe_load(large.read_text(encoding="utf-8"))
    decisions = [d for e in raw["experiences"] for d in e.get("decisions", [])]
    table = app.dataframe[0].value
    assert 0 < len(table) <= 50
    assert (table["defects"] != "").all()  # the default: decisions with a defect
    team_columns = [c for c in table.columns if c not in ("experience", "decision", "defects")]
    roles: dict[tuple[str, str], set[str]] = {}
    for e in raw["experiences"]:  # names may repeat in a generated catalogue: every team of them
        for d in e.get("decisions", []):
            roles.setdefault((e["name"], d["name"]), set()).update(
                t for k in "ARCI" for t in _as_list(d.get(k)) if t
            )
    involved = set().union(
        *(roles[(e, d)] for e, d in zip(table["experience"], table["decision"], strict=True))
    )
    assert set(team_columns) <= involved and len(team_columns) < len(raw["teams"])  # not all 300
    assert all((table[c] != "").any() for c in team_columns)  # each column has a role on screen
    # One team's decisions, by its name in the list.
    team = raw["teams"][7]
    app.selectbox(key="raci_team").set_value(team["id"]).run()
    app.segmented_control(key="raci_which").set_value("All decisions").run()
    involving = [d for d in decisions if any(team["id"] in _as_list(d.get(k)) for k in "ARCI")]
    table = app.dataframe[0].value
    assert len(table) == min(50, len(involving)) and len(involving) > 0
    assert (table[team["id"]] != "").all()
    assert any(f"of {len(involving):,} matching" in c.value for c in app.caption)


@pytest.mark.scale
def test_a_large_catalogue_draws_the_first_1000_seams_and_says_so(
    board: Callable[..., AppTest], large: Path
) -> None:
    raw = yaml.safe_load(large.read_text(encoding="utf-8"))
    seams = sum(  # consecutive steps of two different teams
        1
        for e in raw["experiences"]
        for before, after in itertools.pairwise(e.get("steps", []))
        if before.get("team") and after.get("team") and before["team"] != after["team"]
    )
    assert seams > 1000
    app = board(large, page="pages/ownership.py")
    table = seam_table(app)
    assert len(table) == 100  # a table that wraps, every name whole; the download has them all
    risks = [int(r) for r in table["Risk"]]
    assert risks == sorted(risks, reverse=True)
    assert any(f"The first 100 of {seams:,} matching seams" in c.value for c in app.caption)


def seam_table(app: AppTest) -> pd.DataFrame:
    """The All seams tab's table (the costliest unowned seams above it have no owner column)."""
    table: pd.DataFrame = next(t.value for t in app.table if "Handoff owner" in t.value.columns)
    return table.apply(lambda column: column.str.replace("\\", "", regex=False))


def _seams_per_experience(raw: dict[str, object]) -> dict[str, int]:
    """Experience id -> its seams (consecutive steps of two different teams), counted
    from the YAML as read, for experiences with at least one."""
    counts = {
        e["id"]: sum(
            1
            for before, after in itertools.pairwise(e.get("steps", []))
            if before.get("team") and after.get("team") and before["team"] != after["team"]
        )
        for e in raw["experiences"]  # type: ignore[attr-defined]
    }
    return {e: n for e, n in counts.items() if n}


@pytest.mark.scale
def test_a_large_catalogue_lists_200_experiences_to_pick_and_a_search_finds_the_others(
    board: Callable[..., AppTest], large: Path
) -> None:
    raw = yaml.safe_load(large.read_text(encoding="utf-8"))
    seams = _seams_per_experience(raw)
    assert len(seams) > 200
    app = board(large, page="pages/ownership.py")
    for key, first in (("seam_experience", 1), ("swimlane_experience", 0)):
        assert len(app.selectbox(key=key).options) == first + 200
    # One far down the list, found by its id, filters the seam table to its seams.
    listed = app.selectbox(key="seam_experience").options
    names = {e["id"]: e["name"] for e in raw["experiences"]}
    hidden = next(e for e in reversed(list(seams)) if not any(o.startswith(names[e]) for o in listed))
    app.text_input(key="seam_experience_find").set_value(hidden).run()
    assert any(o.startswith(names[hidden]) for o in app.selectbox(key="seam_experience").options)
    app.selectbox(key="seam_experience").set_value(hidden).run()
    table = seam_table(app)
    assert len(table) == seams[hidden]
    assert set(table["Experience"]) == {names[hidden]}
    app.text_input(key="swimlane_experience_find").set_value("no such experience anywhere").run()
    assert any("No experience matches" in c.value for c in app.caption)
    assert not app.exception


def test_a_small_catalogue_lists_every_experience_with_seams_and_no_search(
    board: Callable[..., AppTest],
) -> None:
    seams = _seams_per_experience(RAW_SAMPLE)
    app = board(page="pages/ownership.py")
    names = {e["id"]: e["name"] for e in RAW_SAMPLE["experiences"]}
    options = app.selectbox(key="seam_experience").options
    assert options[0] == "All experiences"
    assert sorted(options[1:]) == sorted(names[e] for e in seams)
    assert not [t for t in app.text_input if t.key and t.key.endswith("_find")]


def _chart_rows(app: AppTest, title: str) -> pd.DataFrame:
    """The data of the chart with ``title``, as the browser receives it."""
    import pyarrow as pa

    for chart in app.get("vega_lite_chart"):
        if title in chart.proto.spec:
            frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
            return pd.concat(frames, ignore_index=True)
    raise AssertionError(f"no chart titled {title!r}")


@pytest.mark.scale
def test_a_large_catalogue_bands_the_ambition_chart_and_draws_the_first_1000_gaps(
    board: Callable[..., AppTest], large: Path
) -> None:
    raw = yaml.safe_load(large.read_text(encoding="utf-8"))
    strength = {"unique": 3, "distinct": 2, "competitive": 1, "uncompetitive": 0}
    short = sum(
        1
        for e in raw["experiences"]
        if e.get("ambition") and e.get("current") and strength[e["ambition"]] > strength[e["current"]]
    )
    measured = sum(
        1 for e in raw["experiences"] if any(v is not None for v in (e.get("measures") or {}).values())
    )
    assert short > 1000 and measured > 1000
    app = board(large, page="pages/ambition.py")
    assert not app.exception
    bands = _chart_rows(app, "High priorities should not sit low")
    assert len(bands) < 400  # tiers x levels x 20 bands at most, not one row per experience
    assert bands["experiences"].sum() == measured
    assert any(f"{measured:,} experiences are too many to draw one by one" in c.value for c in app.caption)
    (listed,) = [x for x in app.expander if "findings in all" in x.label]
    total = int(listed.label.split()[0].replace(",", ""))
    assert total > 100 and len(listed.table[0].value) == 80  # the most important 100, after the first 20
    assert any(f"The first 100 of {total:,} findings" in c.value for c in listed.caption)
    under = next(d.value for d in app.dataframe if "gap" in d.value.columns)  # the first: under
    assert len(under) == 1000 and list(under["gap"]) == sorted(under["gap"], reverse=True)
    assert any(f"The first 1,000 of {short:,} under-delivering" in c.value for c in app.caption)


def test_a_small_catalogue_draws_every_experience_on_the_ambition_chart(
    board: Callable[..., AppTest],
) -> None:
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    app = board(page="pages/ambition.py")
    points = _chart_rows(app, "High priorities should not sit low")  # the dots' rows and the labels'
    assert sorted(set(points["name"])) == sorted(e["name"] for e in raw["experiences"])


@pytest.mark.scale
def test_the_catalogue_page_lists_the_first_50_warnings_in_one_list_and_counts_the_rest(
    board: Callable[..., AppTest], large: Path
) -> None:
    raw = yaml.safe_load(large.read_text(encoding="utf-8"))
    incomplete = [  # one warning per experience that lacks a measure
        e["id"] for e in raw["experiences"] if any((e.get("measures") or {}).get(m) is None for m in MEASURES)
    ]
    assert len(incomplete) > 50
    app = board(large, page="pages/catalogue.py")
    (expander,) = [x for x in app.expander if "warnings (the catalogue still loads)" in x.label]
    assert expander.label.startswith(f"{len(incomplete):,} warnings")
    (listed,) = [m.value for m in expander.markdown]
    lines = listed.splitlines()
    assert len(lines) == 51 and lines[-1] == f"- … and {len(incomplete) - 50:,} more in the download"
    names = {e["id"]: e["name"] for e in raw["experiences"]}
    assert (
        [  # each warning names its experience, as people know it
            re.search(r"\*\*: (.+?) has no ", line).group(1).replace("\\", "") for line in lines[:50]
        ]
        == [names[i] for i in incomplete[:50]]
    )


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_the_stable_top_n_of_a_small_catalogue_does_not_tick_every_row(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    data = catalogue_dict()
    count = len(data["experiences"])
    path = tmp_path / "small.yaml"
    path.write_text(dump(data))
    app = board(path, page="pages/priorities.py")
    assert app.number_input(key="top_n").value == max(1, count // 4)
    until_ranges_show(app)
    assert 0 < ranking(app)["stable_top_n"].sum() < count


def test_seam_risks_say_where_their_priority_comes_from(board: Callable[..., AppTest]) -> None:
    table = score(load_catalogue(SAMPLE).catalogue).table.set_index("id")
    parent = {e["id"]: e.get("parent") for e in RAW_SAMPLE["experiences"]}
    name = {e["id"]: e["name"] for e in RAW_SAMPLE["experiences"]}

    def source(node: str) -> tuple[float, str]:  # the highest priority up the line, nearest on a tie
        best = (float(table.loc[node, "priority"]), node)
        while parent[node] is not None:
            node = parent[node]
            if float(table.loc[node, "priority"]) > best[0]:
                best = (float(table.loc[node, "priority"]), node)
        return best

    app = board(page="pages/ownership.py")
    seams = seam_table(app)
    by_name = {v: k for k, v in name.items()}
    inherited = 0
    for shown_name, said in zip(seams["Experience"], seams["Seam priority"], strict=True):
        experience = by_name[shown_name]
        priority, origin = source(experience)
        own = float(table.loc[experience, "priority"])
        expected = f"{priority:.0f}" + (
            "" if origin == experience else f", from {name[origin]} (its own {own:.0f})"
        )
        assert said == expected
        inherited += origin != experience
    assert inherited  # the sample has seams that take a parent's priority

    overview = board()
    unowned = [m.value for m in overview.markdown if "· risk" in m.value]
    assert unowned and any(", from " in line for line in unowned)
