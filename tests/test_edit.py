"""Edits in place (cxprio.catalogue.edit): only the edited values' text changes, the result is
checked by the catalogue's rules, and it reads back as the values asked for."""

from __future__ import annotations

import random
import textwrap

import pytest
import yaml

from cxprio import CatalogueError, UsageError, parse_catalogue
from cxprio.catalogue.edit import Edit, apply_edits, render
from cxprio.catalogue.generate import generate_catalogue
from cxprio.catalogue.model import MEASURES

from .conftest import SAMPLE

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
SAMPLE_TEAMS = {t["id"] for t in yaml.safe_load(SAMPLE_TEXT)["teams"]}

SMALL = textwrap.dedent(
    """\
    version: 1
    organisation: T
    teams:
      - {id: a, name: A}
      - {id: b, name: B}
    experiences:
      # the first one
      - id: x
        name: X  # a comment that stays
        level: trigger
        measures:
          reach: 100
          depth: 2
        steps:
          - name: s1
            team: a
          - {name: s2, team: b}

      # the second one
      - name: Y
        id: y
        level: trigger
        measures: {}
      - {id: z, name: Z, level: trigger}
    """
)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), "an edit of an existing value adds or removes no line"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_an_edit_changes_only_the_values_text_and_keeps_comments_and_layout() -> None:
    data = yaml.safe_load(SAMPLE_TEXT)
    target = data["experiences"][1]
    edited = apply_edits(
        SAMPLE_TEXT,
        [Edit(target["id"], "measures.depth", 3), Edit("moving-home", "steps[1].handoff_owner", "billing")],
        teams=SAMPLE_TEAMS,
    )
    lines = changed_lines(SAMPLE_TEXT, edited.text)
    assert len(lines) == 2
    (depth_before, depth_after), (owner_before, owner_after) = sorted(
        lines, key=lambda pair: "depth" in pair[0]
    )[::-1]
    assert depth_after == depth_before.replace(f"depth: {target['measures']['depth']}", "depth: 3")
    old_owner = data["experiences"][0]["steps"][1]["handoff_owner"]
    assert owner_after == owner_before.replace(f"handoff_owner: {old_owner}", "handoff_owner: billing")
    assert [(c.experience, c.field, c.new) for c in edited.changes] == [
        ("moving-home", "steps[1].handoff_owner", "billing"),
        (target["id"], "measures.depth", "3"),
    ]


def test_missing_keys_are_added_where_they_belong_in_block_and_inline_mappings() -> None:
    edited = apply_edits(
        SMALL,
        [
            Edit("x", "measures.cost", 5000),
            Edit("x", "ambition", "distinct"),
            Edit("x", "steps[0].handoff_owner", "b"),
            Edit("x", "steps[1].handoff_owner", "a"),
            Edit("y", "measures.reach", 7),
            Edit("z", "measures.depth", 4),
            Edit("z", "current", "unique"),
        ],
        teams={"a", "b"},
    )
    assert "# a comment that stays" in edited.text and "# the second one" in edited.text
    read = {e["id"]: e for e in yaml.safe_load(edited.text)["experiences"]}
    assert read["x"]["measures"] == {"reach": 100, "depth": 2, "cost": 5000}
    assert read["x"]["ambition"] == "distinct"
    assert [s.get("handoff_owner") for s in read["x"]["steps"]] == ["b", "a"]
    assert read["y"]["measures"] == {"reach": 7}
    assert read["z"]["measures"] == {"depth": 4} and read["z"]["current"] == "unique"
    parse_catalogue(edited.text)  # still a valid catalogue


def test_random_edits_read_back_as_the_values_set_and_change_nothing_else() -> None:
    text = generate_catalogue(experiences=300, teams=20, seed=3)
    data = yaml.safe_load(text)
    teams = [t["id"] for t in data["teams"]]
    pick = random.Random(11)
    edits = []
    expected = yaml.safe_load(text)
    by_id = {e["id"]: e for e in expected["experiences"]}
    for experience in pick.sample(data["experiences"], 40):
        measure = pick.choice(MEASURES)
        value = {"depth": pick.randint(1, 5), "failure_demand": round(pick.random(), 2)}.get(
            measure, pick.randint(1, 10**6)
        )
        tier = pick.choice(["unique", "distinct", "competitive", "uncompetitive"])
        owner = pick.choice(teams)
        edits += [
            Edit(experience["id"], f"measures.{measure}", value),
            Edit(experience["id"], "ambition", tier),
            Edit(experience["id"], "owner", owner),
        ]
        target = by_id[experience["id"]]  # the same change, made on the data PyYAML read
        target.setdefault("measures", {})[measure] = value
        target["ambition"] = tier
        target["owner"] = owner
    edited = apply_edits(text, edits, teams=set(teams))
    assert yaml.safe_load(edited.text) == expected


def test_a_value_the_rules_refuse_is_an_error_with_its_line_and_nothing_is_returned() -> None:
    with pytest.raises(CatalogueError) as refused:
        apply_edits(SMALL, [Edit("x", "measures.depth", 9)], teams={"a", "b"}, source="c.yaml")
    [problem] = refused.value.problems
    depth_line = [line.strip() for line in SMALL.splitlines()].index("depth: 2") + 1
    assert (problem.file, problem.line) == ("c.yaml", depth_line)
    assert "measures.depth" in problem.field and "5" in problem.message
    with pytest.raises(CatalogueError, match="unknown team 'nope'"):
        apply_edits(SMALL, [Edit("x", "owner", "nope")], teams={"a", "b"})


def test_what_cannot_be_edited_is_refused_before_anything_changes() -> None:
    with pytest.raises(UsageError, match="cannot be edited"):
        apply_edits(SMALL, [Edit("x", "name", "New name")], teams={"a"})
    with pytest.raises(UsageError, match="no experience 'nope'"):
        apply_edits(SMALL, [Edit("nope", "owner", "a")], teams={"a"})
    with pytest.raises(UsageError, match="has no steps"):
        apply_edits(SMALL, [Edit("y", "steps[0].handoff_owner", "a")], teams={"a"})


def test_clearing_a_value_writes_null_and_clearing_a_missing_one_changes_nothing() -> None:
    cleared = apply_edits(SMALL, [Edit("x", "measures.depth", None)], teams={"a"})
    assert yaml.safe_load(cleared.text)["experiences"][0]["measures"] == {"reach": 100, "depth": None}
    assert apply_edits(SMALL, [Edit("x", "ambition", None)], teams={"a"}).text == SMALL


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (0.35, "0.35"),
        (180000, "180000"),
        ("distinct", "distinct"),
        ("yes", '"yes"'),
        ("a b", '"a b"'),
        (None, "null"),
    ],
)
def test_values_are_written_so_they_read_back_the_same(value: object, text: str) -> None:
    assert render(value) == text  # type: ignore[arg-type]
    assert yaml.safe_load(f"v: {text}")["v"] == value
