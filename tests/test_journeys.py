"""How experiences are carried: the maturity arc, automation's way back and moments that
matter, in the library, on the command line, on the board and in the pack; and the
catalogue's new fields refused at their line and column when wrong.

Expected rungs and findings are worked out by hand for each catalogue below, never by the
code under test."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from cxprio import parse_catalogue
from cxprio.catalogue.model import Catalogue
from cxprio.errors import CatalogueError
from cxprio.method.maturity import maturity, maturity_findings, rung, without_steps
from cxprio.method.moments import moments, perceived_words, worst_perceived
from cxprio.method.ownership import analyse_ownership
from cxprio.outputs.report import build, gather

from .conftest import ROOT, SAMPLE, load_dict

TEAMS = [{"id": t, "name": f"Team {t.upper()}"} for t in ("a", "b", "c")]


def step(name: str, team: str | None, **fields: Any) -> dict[str, Any]:
    return {"name": name, **({"team": team} if team else {}), **fields}


def experience(id: str, *steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "name": id.replace("-", " ").capitalize(),
        "level": "journey",
        "owner": "a",
    }
    data.update(fields)
    if steps:
        data["steps"] = list(steps)
    return {k: v for k, v in data.items() if v is not None}


def catalogue(*experiences: dict[str, Any]) -> Catalogue:
    # Through JSON: a measure used twice becomes two copies, not a YAML anchor (refused).
    data = {"version": 1, "organisation": "Own", "teams": TEAMS, "experiences": list(experiences)}
    return load_dict(json.loads(json.dumps(data))).catalogue


# Each experience's rung, worked out by hand from the definitions in the issue.
HAND_WORKED = [
    (experience("team-missing", step("s1", "a"), step("s2", None)), 1),
    (experience("no-owner", step("s1", "a"), step("s2", "b", handoff_owner="b"), owner=None), 1),
    (experience("seam-unowned", step("s1", "a"), step("s2", "b")), 2),
    (experience("seam-owned", step("s1", "a"), step("s2", "b", handoff_owner="b")), 3),
    (experience("owned-from-outside", step("s1", "a"), step("s2", "b", handoff_owner="c")), 3),
    (experience("one-team", step("s1", "a"), step("s2", "a")), 3),  # no seam: nothing to own
    (experience("personalised", step("s1", "a"), step("s2", "b", handoff_owner="b", personalised=True)), 4),
    (experience("personalised-one-team", step("s1", "a", personalised=True)), 4),
    (experience("personalised-seam-unowned", step("s1", "a", personalised=True), step("s2", "b")), 2),
    (experience("personalised-team-missing", step("s1", None, personalised=True), step("s2", "a")), 1),
    (experience("personalised-no-owner", step("s1", "a", personalised=True), owner=None), 1),
]


def test_each_experience_sits_on_the_rung_worked_out_by_hand() -> None:
    cat = catalogue(*(e for e, _ in HAND_WORKED), experience("no-steps"))
    assert {e.id: rung(e) for e in cat.experiences} == {
        **{e["id"]: expected for e, expected in HAND_WORKED},
        "no-steps": None,
    }
    assert without_steps(cat) == 1


def test_the_rungs_count_their_experiences_highest_priority_first() -> None:
    cat = catalogue(*(e for e, _ in HAND_WORKED))
    priorities = {"seam-owned": 10.0, "one-team": 30.0, "owned-from-outside": 20.0}
    rungs = {r.rung: r.experiences for r in maturity(cat, priorities)}
    assert rungs == {
        1: ("team-missing", "no-owner", "personalised-team-missing", "personalised-no-owner"),
        2: ("seam-unowned", "personalised-seam-unowned"),
        3: ("one-team", "owned-from-outside", "seam-owned"),
        4: ("personalised", "personalised-one-team"),
    }


def test_personalising_below_rung_3_is_a_finding_naming_the_step() -> None:
    cat = catalogue(*(e for e, _ in HAND_WORKED))
    found = maturity_findings(cat, {"personalised-seam-unowned": 40.0})
    assert sorted(f.experience or "" for f in found) == [
        "personalised-no-owner",
        "personalised-seam-unowned",
        "personalised-team-missing",
    ]
    by_id = {f.experience: f for f in found}
    assert "'s1'" in by_id["personalised-seam-unowned"].message
    assert "handoff" in by_id["personalised-seam-unowned"].message
    assert by_id["personalised-seam-unowned"].risk == 40.0  # high severity: the whole priority
    assert by_id["personalised-no-owner"].risk == 0.0


def test_an_automated_step_without_a_fallback_is_a_finding_costliest_first() -> None:
    cat = catalogue(
        experience("cheap", step("bot", "a", automated=True)),
        experience("dear", step("form", "a"), step("chat bot", "b", handoff_owner="b", automated=True)),
        experience("covered", step("bot", "a", automated=True, fallback="b")),
        experience("manual", step("call", "a")),
    )
    report = analyse_ownership(cat, {"cheap": 10.0, "dear": 80.0, "covered": 90.0})
    found = [f for f in report.all_findings if f.code == "AUTOMATION_NO_FALLBACK"]
    assert [f.experience for f in found] == ["dear", "cheap"]
    assert "step 2, 'chat bot' (Team B)" in found[0].message
    assert [f.risk for f in found] == [40.0, 5.0]  # medium severity: half the priority


def test_moments_that_matter_need_an_owner_a_perceive_measure_and_an_ambition() -> None:
    felt = {"name": "Effort", "kind": "perceive", "value": 3.0, "worst_tenth": 4.5, "better": "lower"}
    got = {"name": "Repeat calls", "kind": "receive", "value": 0.3, "bad_share": 0.1, "better": "lower"}
    cat = catalogue(
        experience("fine", matters=True, performance=[felt], ambition="distinct"),
        experience("unowned", matters=True, performance=[felt], owner=None, level="trigger"),
        experience("only-received", matters=True, performance=[got]),
        experience("uncompetitive", matters=True, performance=[felt], ambition="uncompetitive"),
        experience("ordinary", owner=None, ambition="uncompetitive"),  # not a moment that matters
    )
    found = {(f.code, f.experience) for f in analyse_ownership(cat, {}).all_findings}
    moment_findings = {pair for pair in found if pair[0].startswith("MOMENT_")}
    assert moment_findings == {
        ("MOMENT_NO_OWNER", "unowned"),
        ("MOMENT_NOT_PERCEIVED", "only-received"),
        ("MOMENT_UNCOMPETITIVE", "uncompetitive"),
    }
    # The sharper finding stands in for the general one; other experiences keep it.
    assert ("E2E_OWNER_MISSING", "unowned") not in found
    assert ("E2E_OWNER_MISSING", "ordinary") in found


def test_the_worst_perceive_measure_is_the_one_furthest_short_of_its_target() -> None:
    def measure(name: str, value: float, target: float | None, better: str = "higher") -> dict[str, Any]:
        data = {"name": name, "kind": "perceive", "value": value, "bad_share": 0.2, "better": better}
        return data | ({"target": target} if target is not None else {})

    cat = catalogue(
        experience(
            "several",
            matters=True,
            performance=[
                measure("No target", 1.0, None),
                measure("Satisfaction", 0.7, 0.8),  # 12.5% short
                measure("Effort", 3.0, 2.0, better="lower"),  # 50% short
                measure("Trust", 0.9, 0.8),  # beyond its target
            ],
        ),
        experience(
            "untargeted",
            matters=True,
            performance=[measure("First", 1.0, None), measure("Second", 0.1, None)],
        ),
        experience("unfelt", matters=True),
        experience(
            "met", matters=True, performance=[measure("Met", 0.9, 0.8), measure("Unknown", 0.5, None)]
        ),
    )
    worst = {e.id: worst_perceived(e) for e in cat.experiences}
    assert worst["several"] is not None and worst["several"].name == "Effort"
    assert worst["untargeted"] is not None and worst["untargeted"].name == "First"
    assert worst["unfelt"] is None
    assert worst["met"] is not None and worst["met"].name == "Unknown"  # not known to be fine
    assert perceived_words(worst["several"]) == "Effort 3: 20% bad, target 2"
    shared = worst["untargeted"].model_copy(update={"unit": "share", "target": 0.8})
    assert perceived_words(shared) == "First 100%: 20% bad, target 80%"
    assert perceived_words(None) == "Not measured"
    assert [m.experience for m in moments(cat, {"unfelt": 50.0})] == [
        "unfelt",
        "several",
        "untargeted",
        "met",
    ]


# --- the catalogue's new fields ------------------------------------------------------------

BASE = """\
version: 1
organisation: Own
teams:
  - {id: a, name: Team A}
  - {id: b, name: Team B}
experiences:
  - id: one
    name: One
    level: journey
    owner: a
"""


# The catalogue above ends on line 10; each case adds line 11 (and 12). A value YAML
# itself cannot read as meant is pointed at; a field of the wrong kind, at its key.
@pytest.mark.parametrize(
    ("lines", "line", "column", "field", "words"),
    [
        ("    matters: yes\n", 11, 14, "experiences[0].matters", "write matters: true or matters: false"),
        ('    matters: "true"\n', 11, 5, "experiences[0].matters", "expected true or false"),
        ("    evidence: {reach: sure}\n", 11, 16, "experiences[0].evidence.reach", "'measured', 'estimated' or 'guess'"),
        ("    evidence: {costs: guess}\n", 11, 16, "experiences[0].evidence.costs", "did you mean 'cost'"),
        ("    evidence: measured\n", 11, 5, "experiences[0].evidence", "expected a mapping"),
        ("    steps:\n      - {name: S, team: a, personalised: 1}\n", 12, 28, "experiences[0].steps[0].personalised",
         "expected true or false"),
        ("    steps:\n      - {name: S, team: a, automated: 'true'}\n", 12, 28, "experiences[0].steps[0].automated",
         "expected true or false"),
        ("    steps:\n      - {name: S, team: a, fallback: b}\n", 12, 9, "experiences[0].steps[0]",
         "add automated: true"),
        ("    steps:\n      - {name: S, team: a, automated: true, fallback: bb}\n", 12, 45,
         "experiences[0].steps[0].fallback", "did you mean 'b'"),
    ],
)  # fmt: skip
def test_each_new_field_is_refused_at_its_line_and_column(
    lines: str, line: int, column: int, field: str, words: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(BASE + lines, source="x.yaml")
    (error,) = caught.value.errors
    assert (error.line, error.column, error.field) == (line, column, field), error
    assert words in f"{error.message} {error.hint}", error


def test_the_sample_uses_every_new_field_where_northwind_would() -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    experiences = data["experiences"]
    kinds = {kind for e in experiences for kind in (e.get("evidence") or {}).values()}
    assert kinds == {"measured", "estimated", "guess"}
    assert any(e.get("matters") for e in experiences)
    steps = [s for e in experiences for s in e.get("steps", [])]
    assert any(s.get("personalised") for s in steps)
    assert any(s.get("automated") and s.get("fallback") for s in steps)
    assert any(s.get("automated") and not s.get("fallback") for s in steps)
    codes = {
        f.code for f in analyse_ownership(parse_catalogue(SAMPLE.read_bytes()).catalogue, {}).all_findings
    }
    assert {"PERSONALISED_TOO_SOON", "AUTOMATION_NO_FALLBACK", "MOMENT_NO_OWNER", "MOMENT_NOT_PERCEIVED",
            "MOMENT_UNCOMPETITIVE"} <= codes  # fmt: skip


# --- the command line ----------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxprio", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_maturity_on_the_command_line_counts_each_rung(tmp_path: Path) -> None:
    path = tmp_path / "hand.yaml"
    path.write_text(
        yaml.safe_dump(
            {"version": 1, "organisation": "Own", "teams": TEAMS,
             "experiences": [e for e, _ in HAND_WORKED] + [experience("no-steps")]},
            sort_keys=False,
        )
    )  # fmt: skip
    result = cli("maturity", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = {n: sorted(e["id"] for e, r in HAND_WORKED if r == n) for n in (1, 2, 3, 4)}
    assert {r["rung"]: sorted(r["experiences"]) for r in data["rungs"]} == expected
    assert [r["count"] for r in data["rungs"]] == [len(expected[n]) for n in (1, 2, 3, 4)]
    assert data["without_steps"] == 1
    assert {f["code"] for f in data["findings"]} == {"PERSONALISED_TOO_SOON"}
    text = cli("maturity", str(path))
    assert text.returncode == 0 and "2. Mapped journey" in text.stdout and "Seam unowned" in text.stdout


def test_moments_on_the_command_line_in_words_and_in_json() -> None:
    text = cli("moments")
    assert text.returncode == 0, text.stderr
    assert "Close an account after a death" in text.stdout and "Nobody" in text.stdout
    assert "MOMENT_" not in text.stdout  # titles for people
    data = json.loads(cli("moments", "--format", "json").stdout)
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["experiences"]
    assert {m["experience"] for m in data["moments"]} == {e["id"] for e in raw if e.get("matters")}
    bad = cli("moments", "missing.yaml")
    assert bad.returncode == 1 and "missing.yaml" in bad.stderr and "Traceback" not in bad.stderr


# --- the board and the pack ----------------------------------------------------------------


def test_the_overview_lists_the_moments_that_matter_with_owner_ambition_and_feeling(
    board: Callable[..., AppTest],
) -> None:
    app = board()
    (table,) = [t for t in app.table if "Moment that matters" in t.value.columns]
    shown = table.value.map(lambda text: text.replace("\\", ""))  # as read: Markdown's escapes gone
    rows = {row["Moment that matters"]: row for row in shown.to_dict(orient="records")}
    assert rows["Close an account after a death"]["Owner"] == "Nobody"
    assert rows["Leave Northwind"]["Ambition"] == "Uncompetitive"
    assert rows["Moving home"]["How it feels (worst measure)"].startswith("Customer effort 3.1")
    assert rows["Bereavement"]["How it feels (worst measure)"] == "Not measured"


def test_the_ownership_page_shows_how_many_sit_on_each_rung(board: Callable[..., AppTest]) -> None:
    app = board(page="pages/ownership.py")
    assert not app.exception
    (table,) = [t for t in app.table if "Which, highest priority first" in t.value.columns]
    counts = [int(c) for c in table.value["Experiences"]]
    cat = parse_catalogue(SAMPLE.read_bytes()).catalogue
    by_hand = [sum(1 for e in cat.experiences if rung(e) == n) for n in (1, 2, 3, 4)]  # rung is tested above
    assert counts == by_hand
    assert "Close an account after a death" in table.value["Which, highest priority first"].iloc[0].replace(
        "\\", ""
    )


def test_the_pack_shows_the_rungs_in_the_workbook_the_report_and_the_slides() -> None:
    workshop = gather(parse_catalogue(SAMPLE.read_bytes(), source="experiences.yaml"))
    cat = workshop.catalogue
    book = openpyxl.load_workbook(io.BytesIO(build(workshop, "xlsx")))
    sheet = book["Maturity arc"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Rung", "Maturity")
    assert {(r[2], r[0]) for r in rows[1:]} == {(e.id, rung(e)) for e in cat.experiences if e.steps}
    html = build(workshop, "html").decode("utf-8")
    assert '<section id="maturity">' in html and "Coordinated handoffs" in html
    from pptx import Presentation

    deck = Presentation(io.BytesIO(build(workshop, "pptx")))
    titles = [next(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    coordinated = sum(1 for e in cat.experiences if e.steps and (rung(e) or 0) >= 3)
    stepped = sum(1 for e in cat.experiences if e.steps)
    assert f"{coordinated} of {stepped} experiences with steps have every handoff owned" in titles


def test_an_experience_without_a_priority_comes_last_in_every_list(tmp_path: Path) -> None:
    felt = {"name": "Effort", "kind": "perceive", "value": 3.0, "worst_tenth": 4.5, "better": "lower"}
    measures = {  # the one without a priority first in the file, where a NaN key would leave it
        "unmeasured": {},
        "low": {"reach": 2000, "frequency": 1, "depth": 1, "cost": 20000, "failure_demand": 0.01},
        "high": {"reach": 900000, "frequency": 12, "depth": 5, "cost": 9000000, "failure_demand": 0.5},
    }
    experiences = [
        experience(id, step("s", "a"), matters=True, performance=[felt], measures=m)
        for id, m in measures.items()
    ]
    path = tmp_path / "nan.yaml"
    path.write_text(
        json.dumps({"version": 1, "organisation": "Own", "teams": TEAMS, "experiences": experiences})
    )
    cat = parse_catalogue(path.read_bytes()).catalogue
    priorities = {"low": 10.0, "high": 90.0, "unmeasured": float("nan")}
    assert [m.experience for m in moments(cat, priorities)] == ["high", "low", "unmeasured"]
    assert maturity(cat, priorities)[2].experiences == ("high", "low", "unmeasured")
    result = cli("moments", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)["moments"]  # strict JSON: no NaN
    assert [(m["experience"], m["priority"] is None) for m in listed] == [
        ("high", False),
        ("low", False),
        ("unmeasured", True),
    ]


def test_a_team_that_is_only_a_fallback_has_a_role() -> None:
    teams = [*TEAMS, {"id": "helpdesk", "name": "Helpdesk"}]
    data = {
        "version": 1,
        "organisation": "Own",
        "teams": teams,
        "experiences": [experience("bot", step("chat", "a", automated=True, fallback="helpdesk"))],
    }
    cat = load_dict(data).catalogue
    orphans = {t for f in analyse_ownership(cat, {}).all_findings if f.code == "ORPHAN_TEAM" for t in f.teams}
    assert orphans == {"b", "c"}  # teams a and helpdesk have roles


def test_the_overview_lists_ten_moments_and_offers_every_one_as_a_download(
    board: Callable[..., AppTest], tmp_path: Path
) -> None:
    from cxprio.catalogue.generate import generate_catalogue

    path = tmp_path / "generated.yaml"
    path.write_text(generate_catalogue(experiences=400, teams=20, seed=3))
    cat = parse_catalogue(path.read_bytes()).catalogue
    marked = sum(1 for e in cat.experiences if e.matters)
    assert marked > 10  # the generator marks about one in twenty
    app = board(path)
    (table,) = [t for t in app.table if "Moment that matters" in t.value.columns]
    assert len(table.value) == 10
    assert any(f"The 10 highest priorities of {marked} moments that matter." in c.value for c in app.caption)
    assert [b for b in app.get("download_button") if "every moment that matters" in b.proto.label]
