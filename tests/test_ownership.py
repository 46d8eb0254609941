"""Ownership: seams, coverage, every finding (present and absent), graph metrics, DOT."""

from __future__ import annotations

import random
import re
from typing import Any

import pandas as pd
import pytest
import yaml

from cxprio import load_catalogue
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.model import Catalogue
from cxprio.method.findings import Finding
from cxprio.method.ownership import (
    Handoffs,
    accountability_load,
    analyse_ownership,
    decision_defects,
    decision_matrix,
    effective_priorities,
    filter_findings,
    filter_seams,
    find_decisions,
    find_seams,
    graph_metrics,
    priority_sources,
    raci_table,
    riskiest_teams,
    seam_coverage,
    select_decisions,
    swimlane_dot,
    team_graph,
    team_graph_dot,
    team_pair_risk,
)
from cxprio.method.scoring import score

from .conftest import SAMPLE, load_dict

TEAMS = [{"id": t, "name": f"Team {t.upper()}"} for t in ("a", "b", "c", "d", "e")]


def step(name: str, team: str | None, owner: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name}
    if team:
        data["team"] = team
    if owner:
        data["handoff_owner"] = owner
    return data


def experience(id: str, *steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id, "name": id.replace("-", " ").title(), "level": "moment", "owner": "a"}
    data.update(fields)
    data["steps"] = list(steps)
    return data


def catalogue(*experiences: dict[str, Any], teams: list[dict[str, Any]] | None = None) -> Catalogue:
    return load_dict(
        {"version": 1, "organisation": "Own", "teams": teams or TEAMS, "experiences": list(experiences)}
    ).catalogue


def findings_of(cat: Catalogue) -> list[Finding]:
    return analyse_ownership(cat, {}).all_findings


def codes(cat: Catalogue, priorities: dict[str, float] | None = None, **options: Any) -> list[str]:
    report = analyse_ownership(cat, priorities or {}, **options)
    return [f.code for f in report.all_findings]


# --- seams and coverage ------------------------------------------------------------------


def test_consecutive_steps_of_different_teams_make_a_seam() -> None:
    cat = catalogue(experience("x", step("1", "a"), step("2", "a"), step("3", "b", "b"), step("4", "c")))
    seams = find_seams(cat, {"x": 50})
    assert [(s.from_team, s.to_team, s.owned) for s in sorted(seams, key=lambda s: s.step)] == [
        ("a", "b", True),
        ("b", "c", False),
    ]


def test_a_one_step_experience_has_no_seam() -> None:
    assert find_seams(catalogue(experience("x", step("1", "a"))), {}) == []


def test_seam_risk_is_priority_times_severity() -> None:
    cat = catalogue(
        experience("x", step("1", "a"), step("2", "b"), step("3", "c", "e"), step("4", "d", "c")),
    )
    risks = {s.to_team: s.risk for s in find_seams(cat, {"x": 80})}
    assert risks == {"b": 80.0, "c": 40.0, "d": 0.0}  # unowned, owned from outside, owned inside


def test_the_experience_owner_is_inside_every_seam() -> None:
    cat = catalogue(experience("x", step("1", "b"), step("2", "c", "a"), owner="a"))
    (seam,) = find_seams(cat, {"x": 60})
    assert seam.owned and not seam.outside and seam.risk == 0


def test_a_moment_inherits_its_parents_higher_priority() -> None:
    cat = catalogue(
        experience("trip", level="trigger"),
        experience("jour", level="journey", parent="trip"),
        experience("mom", step("1", "a"), step("2", "b"), parent="jour"),
    )
    effective = effective_priorities(cat, {"trip": 90, "jour": 40, "mom": 10})
    assert effective == {"trip": 90, "jour": 90, "mom": 90}
    (seam,) = find_seams(cat, {"trip": 90, "jour": 40, "mom": 10})
    assert seam.risk == 90
    # Where the figure comes from, for the board to say: the trigger's priority, not its own.
    assert (seam.own_priority, seam.priority, seam.priority_from) == (10, 90, "Trip")
    assert priority_sources(cat, {"trip": 90, "jour": 40, "mom": 10})["jour"] == (90, "trip")


def test_a_seam_with_the_highest_priority_of_its_line_keeps_its_own() -> None:
    cat = catalogue(
        experience("jour", level="journey"),
        experience("mom", step("1", "a"), step("2", "b"), parent="jour"),
    )
    (seam,) = find_seams(cat, {"jour": 40, "mom": 70})
    assert (seam.own_priority, seam.priority, seam.priority_from, seam.risk) == (70, 70, None, 70)
    (tied,) = find_seams(cat, {"jour": 70, "mom": 70})
    assert tied.priority_from is None  # a tie is its own


def test_seam_coverage_matches_a_hand_computation() -> None:
    # x (priority 60): a->b owned, b->c unowned; y (priority 20): a->c owned
    # coverage = (60 + 20) / (60 + 60 + 20) = 80 / 140
    cat = catalogue(
        experience("x", step("1", "a"), step("2", "b", "b"), step("3", "c")),
        experience("y", step("1", "a"), step("2", "c", "c")),
    )
    assert seam_coverage(find_seams(cat, {"x": 60, "y": 20})) == pytest.approx(80 / 140)


def test_coverage_is_none_without_seams_and_a_plain_share_without_priorities() -> None:
    assert seam_coverage([]) is None
    cat = catalogue(experience("x", step("1", "a"), step("2", "b", "b"), step("3", "c")))
    assert seam_coverage(find_seams(cat, {})) == 0.5


def test_handoffs_price_only_what_the_overview_shows_as_a_hand_computation_says() -> None:
    # Unowned seams and their risk (effective priority x 1.0):
    #   p (journey, 30): a->b (step 1)                 risk 30
    #   m (moment under p, own 10, takes p's 30): a->c  risk 30, from p
    #   q (journey, 50): a->b (step 1), b->c (step 2)  risk 50, 50
    #   r (journey, 0): a->d                            risk 0
    # Owned: q's c->d (inside, risk 0). Coverage = 50 / (30 + 30 + 50 + 50 + 0 + 50) = 50 / 210.
    # Most risky first, ties by experience id, then step: q/1, q/2, m/1, p/1, r/1.
    cat = catalogue(
        experience("p", step("1", "a"), step("2", "b"), level="journey"),
        experience("m", step("1", "a"), step("2", "c"), parent="p"),
        experience("q", step("1", "a"), step("2", "b"), step("3", "c"), step("4", "d", "d"), level="journey"),
        experience("r", step("1", "a"), step("2", "d"), level="journey"),
    )
    priorities = {"p": 30.0, "m": 10.0, "q": 50.0, "r": 0.0}
    handoffs = Handoffs.of(cat)
    sources = priority_sources(cat, priorities)
    assert handoffs.coverage(sources) == pytest.approx(50 / 210)
    top = handoffs.most_risky_unowned(priorities, sources, 4)
    assert [(s.experience, s.step, s.risk) for s in top] == [
        ("q", 1, 50),
        ("q", 2, 50),
        ("m", 1, 30),
        ("p", 1, 30),
    ]
    assert (top[2].own_priority, top[2].priority_from) == (10.0, "P")
    assert len(handoffs.most_risky_unowned(priorities, sources, 10)) == 5
    assert Handoffs.of(catalogue(experience("x", step("1", "a")))).coverage({}) is None


def test_handoffs_agree_with_every_seam_on_a_large_catalogue() -> None:
    generated = load_dict(yaml.safe_load(generate_catalogue(experiences=600, teams=40, seed=3))).catalogue
    rng = random.Random(5)
    # Few distinct priorities, so ties between experiences and steps are common.
    priorities = {e.id: float(rng.choice([0, 10, 25, 25, 60, 90])) for e in generated.experiences}
    sources = priority_sources(generated, priorities)
    every = find_seams(generated, priorities, sources)
    handoffs = Handoffs.of(generated)
    assert len(handoffs) == len(every) > 100
    assert handoffs.coverage(sources) == seam_coverage(every)
    unowned = [s for s in every if not s.owned]
    assert handoffs.most_risky_unowned(priorities, sources, 25) == unowned[:25]


def test_team_pair_risk_sums_over_seams() -> None:
    cat = catalogue(
        experience("x", step("1", "a"), step("2", "b")),
        experience("y", step("1", "a"), step("2", "b")),
    )
    pairs = team_pair_risk(find_seams(cat, {"x": 30, "y": 20}))
    assert pairs.iloc[0].to_dict() == {
        "from_team": "a",
        "to_team": "b",
        "risk": 50.0,
        "seams": 2,
        "unowned": 2,
    }


# --- findings: each present, each absent on a clean case -----------------------------------

CLEAN_DECISION = {"name": "Rules", "A": "a", "R": ["b"], "C": ["c"]}


def clean(**fields: Any) -> dict[str, Any]:
    data = experience(
        "clean",
        step("1", "a"),
        step("2", "b", "b"),
        step("3", "c", "c"),
        level="journey",
        decisions=[CLEAN_DECISION],
    )
    data.update(fields)
    return data


def test_the_clean_case_has_no_findings() -> None:
    teams = [t for t in TEAMS if t["id"] in ("a", "b", "c")]
    assert codes(catalogue(clean(), teams=teams)) == []


@pytest.mark.parametrize("level", ["trigger", "journey"])
def test_a_trigger_or_journey_without_owner_is_reported(level: str) -> None:
    data = clean(level=level)
    del data["owner"]
    data["decisions"] = []
    assert "E2E_OWNER_MISSING" in codes(catalogue(data))


def test_a_moment_without_owner_is_not_an_e2e_finding() -> None:
    data = clean(level="moment")
    del data["owner"]
    assert "E2E_OWNER_MISSING" not in codes(catalogue(data))


def test_an_unowned_seam_is_reported_with_its_risk() -> None:
    cat = catalogue(clean(steps=[step("1", "a"), step("2", "b")]))
    report = analyse_ownership(cat, {"clean": 70})
    (finding,) = [f for f in report.findings if f.code == "SEAM_UNOWNED"]
    assert finding.risk == 70 and finding.teams == ("a", "b")
    assert "SEAM_UNOWNED" not in codes(catalogue(clean()))


def test_a_handoff_owner_outside_the_seam_is_reported() -> None:
    assert "SEAM_OWNER_OUTSIDE" in codes(catalogue(clean(steps=[step("1", "a"), step("2", "b", "d")])))
    assert "SEAM_OWNER_OUTSIDE" not in codes(catalogue(clean(steps=[step("1", "a"), step("2", "b", "a")])))


def test_a_step_without_team_is_reported_and_makes_no_seam() -> None:
    cat = catalogue(clean(steps=[step("1", "a"), step("2", None), step("3", "b")]))
    assert "STEP_UNASSIGNED" in codes(cat)
    assert find_seams(cat, {}) == []
    assert "STEP_UNASSIGNED" not in codes(catalogue(clean()))


def ping_pongs(teams: list[str | None]) -> list[Finding]:
    steps = [step(str(n), team, team) for n, team in enumerate(teams, start=1)]
    extra = [{"id": t, "name": t.title()} for t in ("care", "retention", "billing")]
    return [
        f for f in findings_of(catalogue(clean(steps=steps), teams=TEAMS + extra)) if f.code == "PING_PONG"
    ]


def test_a_handoff_back_and_forth_is_a_ping_pong() -> None:
    (finding,) = ping_pongs(["a", "b", "b", "a"])  # b's two steps are one visit
    assert finding.teams == ("a", "b")  # ids for machines, names for people:
    assert "handed back to Team A" in finding.message and "(Team A -> Team B -> Team A)" in finding.message


def test_any_return_to_a_team_already_left_is_a_ping_pong() -> None:
    (finding,) = ping_pongs(["care", "retention", "billing", "care"])
    assert finding.teams == ("care", "retention", "billing")
    assert "step 4" in finding.message and "Care -> Retention -> Billing -> Care" in finding.message


def test_findings_name_teams_by_their_names_not_their_ids() -> None:
    cat = catalogue(
        clean(steps=[step("1", "a"), step("2", "b")]),  # unowned
        experience("o", step("1", "a"), step("2", "b", "d"), owner="c"),  # owned from outside
    )
    messages = " ".join(f.message for f in findings_of(cat) if f.code.startswith("SEAM_"))
    assert "from Team A (1) to Team B (2)" in messages
    assert "is owned by Team D, which is in neither team" in messages
    assert "from a " not in messages and "owned by d," not in messages


@pytest.mark.parametrize(
    ("teams", "returns"),
    [
        (["a", "b", "c"], 0),
        (["a", "a", "b", "b"], 0),
        (["a", "b", "a", "b"], 2),  # back to a, then back to b
        (["a", "b", "a", "c", "a"], 2),  # back to a twice
        (["a", "b", "c", "b", "a"], 2),  # back to b, then back to a
        (["a", None, "a"], 0),  # a step without a team is no visit
        (["a", "b", None, "a"], 1),
    ],
)
def test_ping_pong_is_reported_once_per_return(teams: list[str | None], returns: int) -> None:
    # Independent count: a visit is a maximal run of one team among the steps with a
    # team; a return is a visit to a team that had an earlier visit.
    present = [t for t in teams if t]
    visits = [t for i, t in enumerate(present) if i == 0 or t != present[i - 1]]
    assert returns == sum(t in visits[:i] for i, t in enumerate(visits))
    assert len(ping_pongs(teams)) == returns


@pytest.mark.parametrize(
    ("decision", "code"),
    [
        ({"name": "D", "R": ["b"], "C": ["c"]}, "NO_ACCOUNTABLE"),
        ({"name": "D", "A": ["a", "b"], "R": ["b"], "C": ["c"]}, "MANY_ACCOUNTABLE"),
        ({"name": "D", "A": "a", "C": ["c"]}, "NO_RESPONSIBLE"),
        ({"name": "D", "A": "a", "R": ["b"], "C": ["b", "c", "d", "e", "a"]}, "TOO_MANY_CONSULTED"),
        ({"name": "D", "A": "a", "R": ["b"], "C": ["a"]}, "ROLE_CONFLICT"),
        ({"name": "D", "A": "a", "R": ["b"], "I": ["a"]}, "ROLE_CONFLICT"),
        ({"name": "D", "A": "a", "R": ["b"]}, "SILENT_CROSS_TEAM"),
    ],
)
def test_each_raci_defect_is_reported(decision: dict[str, Any], code: str) -> None:
    assert code in codes(catalogue(clean(decisions=[decision])))
    assert code not in codes(catalogue(clean()))


def test_the_consulted_limit_is_configurable() -> None:
    decision = {"name": "D", "A": "a", "R": ["b"], "C": ["c", "d", "e"]}
    assert "TOO_MANY_CONSULTED" in codes(catalogue(clean(decisions=[decision])), max_consulted=2)
    assert "TOO_MANY_CONSULTED" not in codes(catalogue(clean(decisions=[decision])))


def test_a_decision_within_one_team_needs_no_consulted() -> None:
    decision = {"name": "D", "A": "a", "R": ["a"]}
    assert "SILENT_CROSS_TEAM" not in codes(catalogue(clean(decisions=[decision])))


def test_an_owner_accountable_for_none_of_its_decisions_is_reported() -> None:
    decision = {"name": "D", "A": "b", "R": ["b"], "C": ["c"]}
    assert "OWNER_WITHOUT_AUTHORITY" in codes(catalogue(clean(decisions=[decision])))
    assert "OWNER_WITHOUT_AUTHORITY" not in codes(catalogue(clean()))
    assert "OWNER_WITHOUT_AUTHORITY" not in codes(catalogue(clean(decisions=[])))


def test_a_team_with_no_role_is_an_orphan() -> None:
    found = analyse_ownership(catalogue(clean()), {}).findings
    orphans = sorted(f.teams[0] for f in found if f.code == "ORPHAN_TEAM")
    assert orphans == ["d", "e"]


def test_accountability_overload_follows_the_documented_rule() -> None:
    teams = [{"id": t, "name": t} for t in "abcdefg"]
    experiences = [
        clean(id=f"x{i}", decisions=[{"name": "D", "A": "a", "R": ["b"], "C": ["c"]}]) for i in range(5)
    ] + [
        clean(id=f"y{t}", owner=t, decisions=[{"name": "D", "A": t, "R": ["b"], "C": ["c"]}]) for t in "defg"
    ]
    report = analyse_ownership(catalogue(*experiences, teams=teams), {})
    overloaded = [f.teams for f in report.findings if f.code == "ACCOUNTABILITY_OVERLOAD"]
    assert overloaded == [("a",)]  # 5 decisions, median 1
    balanced = [
        clean(id=f"y{t}", owner=t, decisions=[{"name": "D", "A": t, "R": ["b"], "C": ["c"]}]) for t in "adefg"
    ]
    report = analyse_ownership(catalogue(*balanced, teams=teams), {})
    assert "ACCOUNTABILITY_OVERLOAD" not in [f.code for f in report.findings]


def test_findings_are_sorted_most_costly_first() -> None:
    cat = catalogue(
        experience("low", step("1", "a"), step("2", "b")),
        experience("high", step("1", "a"), step("2", "c")),
    )
    report = analyse_ownership(cat, {"low": 10, "high": 90})
    risks = [f.risk for f in report.all_findings]
    assert risks == sorted(risks, reverse=True)
    assert report.all_findings[0].experience == "high"


def test_the_decision_matrix_shows_role_letters() -> None:
    decision = {"name": "D", "A": "a", "R": ["b", "a"], "C": ["c"]}
    matrix = decision_matrix(catalogue(clean(decisions=[decision])))
    row = matrix.loc[("clean", "D")]
    assert row["a"] == "AR" and row["b"] == "R" and row["c"] == "C"
    assert list(matrix.columns) == ["a", "b", "c"]


def test_accountability_load_counts_roles_per_team() -> None:
    load = accountability_load(catalogue(clean())).set_index("team")
    assert load.loc["a", "A"] == 1 and load.loc["b", "R"] == 1 and load.loc["d", "A"] == 0


# --- the graph ---------------------------------------------------------------------------


def chain() -> Catalogue:
    # a - b - c as a path, d - e joined to c in a triangle, plus an isolated team f
    teams = [*TEAMS, {"id": "f", "name": "F"}]
    return catalogue(
        experience("ab", step("1", "a"), step("2", "b")),
        experience("bc", step("1", "b"), step("2", "c", "c")),
        experience("cd", step("1", "c"), step("2", "d")),
        experience("de", step("1", "d"), step("2", "e")),
        experience("ec", step("1", "e"), step("2", "c")),
        teams=teams,
    )


def test_the_team_graph_has_one_edge_per_seam() -> None:
    cat = chain()
    graph = team_graph(cat, find_seams(cat, {}))
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 5
    assert graph["b"]["c"][0]["owned"] is True


def test_articulation_points_bridges_and_isolated_teams() -> None:
    cat = chain()
    metrics = graph_metrics(team_graph(cat, find_seams(cat, {})))
    assert metrics.articulation_points == ("b", "c")
    assert metrics.bridges == (("a", "b"), ("b", "c"))
    assert metrics.isolated == ("f",)
    assert not metrics.approximate_betweenness


def test_betweenness_finds_the_bottleneck_and_ignores_risk() -> None:
    cat = chain()
    metrics = graph_metrics(team_graph(cat, find_seams(cat, {"ab": 100, "cd": 1})))
    teams = metrics.teams.set_index("team")
    assert metrics.teams.iloc[0]["team"] == "c"  # every path from a or b to d or e runs through c
    same = graph_metrics(team_graph(cat, find_seams(cat, {"ab": 1, "cd": 100}))).teams.set_index("team")
    assert teams["betweenness"].equals(same["betweenness"])  # risk never acts as a distance
    assert teams.loc["c", "partners"] == 3 and teams.loc["c", "unowned_seams"] == 2


# --- DOT ---------------------------------------------------------------------------------

DOT_STATEMENT = re.compile(r'^\s*(?:"(?:[^"\\]|\\.)*"|\w+)(?:\s*->\s*(?:"(?:[^"\\]|\\.)*"|\w+))?\s*\[.*\];$')


def parse_dot(text: str) -> dict[str, Any]:
    """A structural check: balanced braces, well-formed statements, nodes, edges, clusters."""
    assert text.count("{") == text.count("}")
    nodes, edges, clusters = set(), [], 0
    quoted = r'"((?:[^"\\]|\\.)*)"|(\w+)'
    for line in text.splitlines()[1:-1]:
        line = line.strip()
        if line.startswith(("graph [", "node [", "edge [", "label=", "}")):
            continue
        if line.startswith("subgraph cluster_"):
            clusters += 1
            continue
        assert DOT_STATEMENT.match(line), line
        ends = [a or b for a, b in re.findall(quoted, line.split("[", 1)[0])]
        if "->" in line:
            edges.append((ends[0], ends[1], line))
        else:
            nodes.add(ends[0])
    return {"nodes": nodes, "edges": edges, "clusters": clusters}


def test_the_team_graph_dot_parses_and_marks_unowned_and_articulation_points() -> None:
    cat = chain()
    graph = team_graph(cat, find_seams(cat, {"ab": 50}))
    dot = parse_dot(team_graph_dot(graph, graph_metrics(graph)))
    assert dot["nodes"] == {"a", "b", "c", "d", "e", "f"}
    assert len(dot["edges"]) == 5
    unowned = [e for e in dot["edges"] if "dashed" in e[2]]
    assert {(a, b) for a, b, _ in unowned} == {("a", "b"), ("c", "d"), ("d", "e"), ("e", "c")}
    text = team_graph_dot(graph, graph_metrics(graph))
    assert re.search(r'"c" \[.*peripheries=2', text) and not re.search(r'"a" \[.*peripheries=2', text)


def test_dot_labels_are_escaped() -> None:
    teams = [{"id": "a", "name": 'The "A" team \\ ops'}, {"id": "b", "name": "B"}]
    cat = catalogue(experience("x", step('Say "hi"', "a"), step("2", "b")), teams=teams)
    graph = team_graph(cat, find_seams(cat, {}))
    text = team_graph_dot(graph)
    assert '\\"A\\" team \\\\ ops' in text
    parse_dot(text)
    parse_dot(swimlane_dot(cat.experiences[0], cat.team_names()))


def test_swimlanes_have_a_cluster_per_team_and_mark_seams() -> None:
    cat = catalogue(experience("x", step("1", "a"), step("2", "b", "b"), step("3", "b"), step("4", "c")))
    text = swimlane_dot(cat.experiences[0], cat.team_names())
    dot = parse_dot(text)
    assert dot["clusters"] == 3 and len(dot["nodes"]) == 4 and len(dot["edges"]) == 3
    styles = [line for _, _, line in dot["edges"]]
    assert "owned by Team B" in styles[0]
    assert "unowned seam" in styles[2] and "dashed" in styles[2]
    assert "unowned" not in styles[1]


def test_the_worked_example_in_the_docs_holds() -> None:
    teams = [{"id": t, "name": t} for t in ("digital", "metering", "billing", "cx-office")]
    cat = catalogue(
        experience(
            "moving-home",
            step("Tell us you are moving", "digital"),
            step("Final meter read", "metering", "metering"),
            step("Final bill", "billing"),
            step("Check the bill", "metering", "digital"),
            level="trigger",
            owner="cx-office",
            decisions=[{"name": "Change the process", "A": ["cx-office", "billing"], "R": ["digital"]}],
        ),
        experience(
            "submit-reading",
            step("Enter the reading", "digital"),
            step("Validate it", "metering", "metering"),
            parent="moving-home",
            owner="metering",
        ),
        teams=teams,
    )
    report = analyse_ownership(cat, {"moving-home": 68.2, "submit-reading": 40.2})
    assert report.coverage == pytest.approx(0.75)
    assert [round(s.risk, 1) for s in report.seams] == [68.2, 34.1, 0.0, 0.0]
    assert [(f.code, round(f.risk, 1)) for f in report.all_findings] == [
        ("MANY_ACCOUNTABLE", 68.2),
        ("SEAM_UNOWNED", 68.2),
        ("PING_PONG", 34.1),
        ("SEAM_OWNER_OUTSIDE", 34.1),
        ("SILENT_CROSS_TEAM", 17.1),
    ]


# --- one rule, one place: the filters and summaries the board and the CLI share ----------


def three_experiences() -> Catalogue:
    return catalogue(
        experience("x", step("1", "a"), step("2", "b", "b"), step("3", "c")),
        experience("y", step("1", "b"), step("2", "d")),
        experience("z", step("1", "c"), step("2", "e", "e")),
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {("x", "a", "b"), ("x", "b", "c"), ("y", "b", "d"), ("z", "c", "e")}),
        ({"team": "b"}, {("x", "a", "b"), ("x", "b", "c"), ("y", "b", "d")}),
        ({"experience": "x"}, {("x", "a", "b"), ("x", "b", "c")}),
        ({"unowned_only": True}, {("x", "b", "c"), ("y", "b", "d")}),
        ({"team": "c", "unowned_only": True}, {("x", "b", "c")}),
        ({"team": "e", "experience": "x"}, set()),
    ],
)
def test_the_seam_filter_keeps_what_it_names(
    options: dict[str, Any], expected: set[tuple[str, str, str]]
) -> None:
    seams = find_seams(three_experiences(), {"x": 90, "y": 50, "z": 10})
    kept = filter_seams(seams, **options)
    assert {(s.experience, s.from_team, s.to_team) for s in kept} == expected
    assert kept == [s for s in seams if s in kept]  # the order (most risky first) is kept


def test_the_findings_filter_keeps_an_experiences_and_a_teams_findings() -> None:
    report = analyse_ownership(three_experiences(), {"x": 90, "y": 50, "z": 10})
    about_y = filter_findings(report.findings, experience="y")
    assert about_y and all(f.experience == "y" for f in about_y)
    with_d = filter_findings(report.findings, team="d")
    assert [f.code for f in with_d] == ["SEAM_UNOWNED"] and with_d[0].experience == "y"


def test_riskiest_teams_rank_teams_by_the_risk_of_their_seams() -> None:
    report = analyse_ownership(three_experiences(), {"x": 90, "y": 50, "z": 10})
    # By hand: unowned seams carry their priority (x: b->c 90, y: b->d 50), owned inside 0.
    # b: 90 + 50 = 140, c: 90, d: 50; a and e carry only owned seams (risk 0), by id.
    assert riskiest_teams(report.metrics, 10) == ["b", "c", "d", "a", "e"]
    assert riskiest_teams(report.metrics, 2) == ["b", "c"]


def test_graph_metrics_are_computed_once_and_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import cxprio.method.ownership as ownership

    seeds: list[int] = []
    real = ownership.graph_metrics

    def counted(graph: Any, *, seed: int = 0) -> Any:
        seeds.append(seed)
        return real(graph, seed=seed)

    monkeypatch.setattr(ownership, "graph_metrics", counted)
    report = analyse_ownership(three_experiences(), {"x": 90, "y": 50, "z": 10}, seed=3)
    assert seeds == []
    first = report.metrics
    assert report.metrics is first and seeds == [3]
    assert riskiest_teams(first, 3) == ["b", "c", "d"]


def test_riskiest_teams_leave_out_teams_without_seams() -> None:
    cat = catalogue(experience("x", step("1", "a"), step("2", "b")))  # c, d, e take no part
    assert riskiest_teams(analyse_ownership(cat, {"x": 10}).metrics, 10) == ["a", "b"]


def test_decision_defects_and_the_raci_table_name_each_defective_decision() -> None:
    cat = catalogue(
        experience(
            "x",
            step("1", "a"),
            decisions=[
                {"name": "Fine", "A": "a", "R": ["b"], "I": ["c"]},
                {"name": "Two deciders", "A": ["a", "b"], "R": ["b"], "I": ["c"]},
                {"name": "Nobody decides", "R": ["b"], "C": ["c"]},
            ],
        )
    )
    findings = analyse_ownership(cat, {"x": 50}).decision_findings
    assert decision_defects(findings) == {
        ("x", "Two deciders"): ["MANY_ACCOUNTABLE"],
        ("x", "Nobody decides"): ["NO_ACCOUNTABLE"],
    }
    table = raci_table(cat, findings)
    assert list(table.columns[:3]) == ["experience", "decision", "defects"]
    assert dict(zip(table["decision"], table["defects"], strict=True)) == {
        "Fine": "",
        "Two deciders": "MANY_ACCOUNTABLE",
        "Nobody decides": "NO_ACCOUNTABLE",
    }
    assert table.loc[table["decision"] == "Two deciders", ["a", "b", "c"]].iloc[0].tolist() == [
        "A",
        "AR",
        "I",
    ]


def test_the_raci_table_of_a_catalogue_without_decisions_is_empty_with_its_columns() -> None:
    table = raci_table(catalogue(experience("x", step("1", "a"))), [])
    assert table.empty and list(table.columns) == ["experience", "decision", "defects"]


RACI = pd.DataFrame(
    {
        "experience": ["Moving home", "Moving home", "Paying", "Paying"],
        "decision": ["Set the date", "Refund", "Write off", "Fee"],
        "defects": ["", "NO_ACCOUNTABLE", "", "MANY_ACCOUNTABLE"],
        "a": ["A", "", "A", "A"],
        "b": ["R", "R", "", "A"],
        "c": ["", "", "I", ""],
        "d": ["", "", "", ""],
    }
)


def test_select_decisions_puts_defective_first_and_drops_teams_no_row_involves() -> None:
    every = select_decisions(RACI)
    assert list(every["decision"]) == ["Refund", "Fee", "Set the date", "Write off"]
    assert list(every.columns) == ["experience", "decision", "defects", "a", "b", "c"]  # d holds no role
    defective = select_decisions(RACI, defective_only=True)
    assert list(defective["decision"]) == ["Refund", "Fee"]
    assert list(defective.columns) == [
        "experience",
        "decision",
        "defects",
        "a",
        "b",
    ]  # c only informs a fine one


def test_select_decisions_by_team_and_by_search() -> None:
    assert list(select_decisions(RACI, team="c")["decision"]) == ["Write off"]
    assert select_decisions(RACI, team="d").empty
    assert select_decisions(RACI, team="unknown").empty
    assert list(select_decisions(RACI, search="  MOVING ")["decision"]) == ["Refund", "Set the date"]
    assert list(select_decisions(RACI, search="fee")["decision"]) == ["Fee"]
    assert list(select_decisions(RACI, search="pay", defective_only=True, team="b")["decision"]) == ["Fee"]


def test_a_decision_is_found_by_its_name_its_experience_or_a_team_and_the_faulty_come_first() -> None:
    catalogue = load_catalogue(SAMPLE).catalogue
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    teams = {t["id"]: t["name"] for t in raw["teams"]}
    every = [(e["id"], d["name"]) for e in raw["experiences"] for d in e.get("decisions", [])]
    assert [(f.experience, f.decision.name) for f in find_decisions(catalogue)] != [] and len(every) > 5

    def involves(decision: dict[str, Any], name: str) -> bool:
        ids = [
            t
            for key in "ARCI"
            for t in ([decision[key]] if isinstance(decision.get(key), str) else decision.get(key, []))
        ]
        return any(name.lower() in teams[t].lower() for t in ids)

    by_experience = next(  # an experience's name that no decision or team name holds
        e["name"]
        for e in raw["experiences"]
        if e.get("decisions")
        and not any(
            e["name"].lower() in d["name"].lower() for x in raw["experiences"] for d in x.get("decisions", [])
        )
    )
    for query in ("pricing", "MOVING", "rules", by_experience):
        expected = [
            (e["id"], d["name"])
            for e in raw["experiences"]
            for d in e.get("decisions", [])
            if query.lower() in d["name"].lower() or query.lower() in e["name"].lower() or involves(d, query)
        ]
        assert [(f.experience, f.decision.name) for f in find_decisions(catalogue, query)] == expected, query
    table = score(catalogue).table
    faulty = analyse_ownership(
        catalogue, dict(zip(table["id"], table["priority"], strict=True))
    ).decision_findings
    first = find_decisions(catalogue, "", faulty)
    flagged = {(f.experience, f.decision) for f in faulty if f.decision}
    marks = [(f.experience, f.decision.name) in flagged for f in first]
    assert any(marks) and marks == sorted(marks, reverse=True)  # every faulty one before the rest
