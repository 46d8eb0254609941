"""Validation rules of the catalogue, one behaviour per test."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from cxprio import CatalogueError, parse_catalogue
from cxprio.catalogue.limits import FUNCTION_LENGTH, NAME_LENGTH, OUTCOME_LENGTH, UNIT_LENGTH

from .conftest import catalogue_dict, dump, load_dict


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CatalogueError) as exc:
        load_dict(data)
    assert all(e.line is not None for e in exc.value.errors), [e.format() for e in exc.value.errors]
    return [f"{e.field}: {e.message}" for e in exc.value.errors]


def test_the_small_catalogue_is_valid() -> None:
    loaded = load_dict(catalogue_dict())
    assert [e.id for e in loaded.catalogue.experiences] == ["moving-home", "move-out", "final-reading"]
    assert loaded.warnings == ()


def test_duplicate_experience_ids_are_refused() -> None:
    data = catalogue_dict()
    data["experiences"][2]["id"] = "moving-home"
    (error,) = errors_of(data)
    assert error.startswith("experiences[2].id") and "used twice" in error


def test_duplicate_team_ids_are_refused() -> None:
    data = catalogue_dict()
    data["teams"].append({"id": "billing", "name": "Billing again"})
    (error,) = errors_of(data)
    assert error.startswith("teams[3].id")


@pytest.mark.parametrize("bad_id", ["Moving Home", "moving_home!", "-leading", "trailing-", "a" * 80])
def test_ids_must_be_slug_like(bad_id: str) -> None:
    data = catalogue_dict()
    data["experiences"][2]["id"] = bad_id
    (error,) = errors_of(data)
    assert error.startswith("experiences[2].id") and "not a valid id" in error


@pytest.mark.parametrize(
    ("field", "value"),
    [("level", "jouney"), ("ambition", "world-class"), ("current", "best")],
)
def test_enumerated_fields_take_only_their_values(field: str, value: str) -> None:
    data = catalogue_dict()
    data["experiences"][0][field] = value
    (error,) = errors_of(data)
    assert error.startswith(f"experiences[0].{field}") and "expected" in error


def test_a_numeric_id_must_be_quoted() -> None:
    data = catalogue_dict()
    data["experiences"][2]["id"] = 2024
    (error,) = errors_of(data)
    assert "expected text" in error


def test_transform_must_be_log_or_linear() -> None:
    data = catalogue_dict(scoring={"scales": {"reach": {"min": 1, "max": 10, "transform": "sqrt"}}})
    (error,) = errors_of(data)
    assert error.startswith("scoring.scales.reach.transform")


def test_negative_weights_are_refused() -> None:
    (error,) = errors_of(catalogue_dict(scoring={"weights": {"reach": -0.1}}))
    assert error.startswith("scoring.weights.reach")


def test_all_zero_weights_are_refused() -> None:
    zero = dict.fromkeys(["reach", "frequency", "depth", "cost", "failure_demand"], 0)
    (error,) = errors_of(catalogue_dict(scoring={"weights": zero}))
    assert "at least one weight" in error


def test_weights_left_out_keep_their_defaults() -> None:
    weights = load_dict(catalogue_dict(scoring={"weights": {"depth": 1}})).catalogue.scoring.weights
    assert weights.depth == 1 and weights.reach == 0.25


def test_scale_min_must_be_below_max() -> None:
    (error,) = errors_of(catalogue_dict(scoring={"scales": {"depth": {"min": 5, "max": 1}}}))
    assert error.startswith("scoring.scales.depth") and "below max" in error


def test_log_scales_need_a_positive_min() -> None:
    (error,) = errors_of(
        catalogue_dict(scoring={"scales": {"reach": {"min": 0, "max": 10, "transform": "log"}}})
    )
    assert "log scale needs min above 0" in error


def test_a_scale_without_transform_keeps_the_measures_default() -> None:
    loaded = load_dict(catalogue_dict(scoring={"scales": {"reach": {"min": 10, "max": 1000}}}))
    assert loaded.catalogue.scoring.scales.reach.transform.value == "log"


@pytest.mark.parametrize(
    ("measure", "value"),
    [
        ("depth", 0),
        ("depth", 6),
        ("failure_demand", 1.5),
        ("reach", -1),
        ("cost", "lots"),
        ("frequency", True),
    ],
)
def test_measures_are_numbers_in_range(measure: str, value: Any) -> None:
    data = catalogue_dict()
    data["experiences"][1]["measures"][measure] = value
    (error,) = errors_of(data)
    assert error.startswith(f"experiences[1].measures.{measure}")


def test_a_missing_measure_is_a_warning_not_zero() -> None:
    data = catalogue_dict()
    del data["experiences"][1]["measures"]["depth"]
    loaded = load_dict(data)
    (warning,) = loaded.warnings
    assert warning.code == "measure-missing" and "depth" in warning.message
    assert warning.line is not None
    assert loaded.catalogue.experiences[1].measures.depth is None


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("owner",), "nobody"),
        (("steps", 0, "team"), "nobody"),
        (("steps", 1, "handoff_owner"), "nobody"),
        (("decisions", 0, "A"), "nobody"),
        (("decisions", 0, "R"), ["digital", "nobody"]),
    ],
)
def test_every_team_reference_must_exist(path: tuple[Any, ...], value: Any) -> None:
    data = catalogue_dict()
    target = data["experiences"][0]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    (error,) = errors_of(data)
    assert "unknown team 'nobody'" in error


def with_a_second_branch() -> dict[str, Any]:
    """The small catalogue plus a second trigger -> journey -> moment branch, so a parent
    can be taken from the other branch without making a loop."""
    data = catalogue_dict()
    data["experiences"] += [
        {"id": "bereavement", "name": "Bereavement", "level": "trigger"},
        {"id": "close-account", "name": "Close an account", "level": "journey", "parent": "bereavement"},
        {
            "id": "send-certificate",
            "name": "Send a certificate",
            "level": "moment",
            "parent": "close-account",
        },
    ]
    return data


@pytest.mark.parametrize(
    ("index", "parent", "expected"),
    [
        (0, "bereavement", "a trigger cannot sit under the trigger 'bereavement'"),
        (0, "close-account", "a trigger cannot sit under the journey 'close-account'"),
        (0, "send-certificate", "a trigger cannot sit under the moment 'send-certificate'"),
        (1, "close-account", "a journey cannot sit under the journey 'close-account'"),
        (1, "send-certificate", "a journey cannot sit under the moment 'send-certificate'"),
        (2, "send-certificate", "a moment cannot sit under the moment 'send-certificate'"),
    ],
)
def test_parents_follow_the_level_rules(index: int, parent: str, expected: str) -> None:
    data = with_a_second_branch()
    assert load_dict(data)  # the catalogue with the second branch is valid as it is
    data["experiences"][index]["parent"] = parent
    errors = errors_of(data)
    assert errors == [f"experiences[{index}].parent: {expected}"]  # that rule alone: no loop


def test_a_moment_may_sit_directly_under_a_trigger() -> None:
    data = catalogue_dict()
    data["experiences"][2]["parent"] = "moving-home"
    assert load_dict(data).catalogue.experiences[2].parent == "moving-home"


def test_parent_cycles_are_reported_once() -> None:
    data = catalogue_dict()
    data["experiences"][1]["level"] = "moment"
    data["experiences"][1]["parent"] = "final-reading"
    data["experiences"][2]["parent"] = "move-out"
    errors = errors_of(data)
    assert sum("loop" in e for e in errors) == 1


@pytest.mark.parametrize(
    "decision",
    [
        {"name": "No accountable", "R": ["digital"]},
        {"name": "Two accountables", "A": ["billing", "digital"], "R": ["digital"]},
        {"name": "Bare"},
    ],
)
def test_ill_formed_decisions_still_load(decision: dict[str, Any]) -> None:
    data = catalogue_dict()
    data["experiences"][0]["decisions"] = [decision]
    loaded = load_dict(data)
    assert loaded.catalogue.experiences[0].decisions[0].name == decision["name"]


def test_a_single_accountable_is_read_as_a_list_of_one() -> None:
    decision = load_dict(catalogue_dict()).catalogue.experiences[0].decisions[0]
    assert decision.accountable == ["billing"]
    assert decision.roles()["R"] == ["digital"]


def test_experiences_without_owner_steps_or_handoff_owner_load() -> None:
    data = catalogue_dict()
    del data["experiences"][0]["owner"]
    del data["experiences"][0]["steps"][1]["handoff_owner"]
    del data["experiences"][1]["owner"]
    loaded = load_dict(data)
    assert loaded.catalogue.experiences[0].owner is None
    assert loaded.catalogue.experiences[1].steps == []


def test_version_must_be_1() -> None:
    (error,) = errors_of(catalogue_dict(version=2))
    assert "version 2 is not supported" in error


def test_a_missing_required_field_points_at_its_mapping() -> None:
    data = catalogue_dict()
    del data["experiences"][1]["name"]
    (error,) = errors_of(data)
    assert error == "experiences[1].name: the required field 'name' is missing"


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\norganisation: Empty\nteams: []\nexperiences: []\n",
        "version: 1\norganisation: Empty\nteams:\n  - {id: a, name: A}\nexperiences:\n",
    ],
)
def test_a_catalogue_without_experiences_is_refused_at_the_line_of_the_list(text: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text.encode(), source="empty.yaml")
    problems = [p for p in caught.value.errors if p.path == ("experiences",)]
    assert len(problems) == 1
    expected_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("experiences:"))
    assert problems[0].line == expected_line
    assert "no experiences" in problems[0].message or "expected a list" in problems[0].message


def test_a_catalogue_without_the_experiences_key_is_refused() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(b"version: 1\norganisation: Empty\nteams: []\n", source="empty.yaml")
    assert any(p.field == "experiences" and "missing" in p.message for p in caught.value.errors)


def test_the_organisation_is_a_name_or_a_name_and_its_customer_count() -> None:
    short = load_dict(catalogue_dict()).catalogue.organisation
    assert (short.name, short.customers) == ("Test Energy", None)
    data = catalogue_dict(organisation={"name": "Test Energy", "customers": 1_200_000})
    full = load_dict(data).catalogue.organisation
    assert (full.name, full.customers) == ("Test Energy", 1_200_000)


@pytest.mark.parametrize(
    ("organisation", "expected"),
    [
        ({"name": "Test Energy", "customers": 0}, ("organisation.customers", "out of range")),
        ({"name": "Test Energy", "customers": 1.5}, ("organisation.customers", "expected a whole number")),
        (
            {"name": "Test Energy", "customers": 1200000.0},
            ("organisation.customers", "expected a whole number"),
        ),
        ({"name": "Test Energy", "customers": "many"}, ("organisation.customers", "expected a number")),
        ({"customers": 1000}, ("organisation.name", "'name' is missing")),
        ({"name": "Test Energy", "clients": 1000}, ("organisation.clients", "unknown field")),
        (12, ("organisation", "write the organisation's name")),
    ],
)
def test_a_wrong_organisation_is_refused_at_its_line(organisation: Any, expected: tuple[str, str]) -> None:
    (error,) = errors_of(catalogue_dict(organisation=organisation))
    field, words = expected
    assert error.startswith(f"{field}:") and words in error, error


def test_a_reach_above_the_customer_count_is_a_warning() -> None:
    data = catalogue_dict(organisation={"name": "Test Energy", "customers": 175_000})
    warnings = load_dict(data).warnings  # reach 180,000 for the first; 170,000 for the others
    assert [(w.field, w.code) for w in warnings] == [
        ("experiences[0].measures.reach", "reach-above-customers")
    ]
    assert "180,000 is more than the organisation's 175,000 customers" in warnings[0].message


# --- free text: no spoofing characters, a length limit each --------------------------------

FREE_TEXT: list[tuple[str, tuple[Any, ...], int]] = [
    ("organisation", ("organisation",), NAME_LENGTH),
    ("team name", ("teams", 0, "name"), NAME_LENGTH),
    ("team function", ("teams", 0, "function"), FUNCTION_LENGTH),
    ("experience name", ("experiences", 0, "name"), NAME_LENGTH),
    ("outcome", ("experiences", 0, "outcome"), OUTCOME_LENGTH),
    ("step name", ("experiences", 0, "steps", 0, "name"), NAME_LENGTH),
    ("decision name", ("experiences", 0, "decisions", 0, "name"), NAME_LENGTH),
    ("performance name", ("experiences", 0, "performance", 0, "name"), NAME_LENGTH),
    ("unit", ("experiences", 0, "performance", 0, "unit"), UNIT_LENGTH),
]
MARKER = "Marker"


def with_text(path: tuple[Any, ...], value: str) -> str:
    """The small catalogue with ``value`` at ``path``, and a performance measure to hold one."""
    data = catalogue_dict()
    data["experiences"][0]["performance"] = [
        {
            "name": "Effort",
            "kind": "perceive",
            "value": 3,
            "worst_tenth": 4,
            "better": "lower",
            "unit": "score",
        }
    ]
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return dump(data)


def line_of(text: str, value: str) -> int:
    """The line the YAML writer put ``value`` on, found in the text."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if value[:20] in line)


@pytest.mark.parametrize(("what", "path", "limit"), FREE_TEXT, ids=[f[0] for f in FREE_TEXT])
@pytest.mark.parametrize(
    "control", ["\u202e", "\u2066", "\u200f", "\u061c"], ids=["RLO", "LRI", "RLM", "ALM"]
)
def test_a_bidirectional_control_in_free_text_is_refused_at_its_line_and_field(
    what: str, path: tuple[Any, ...], limit: int, control: str
) -> None:
    text = with_text(path, f"{MARKER}gnp{control}.exe")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="spoof.yaml")
    (error,) = exc.value.errors
    field = ".".join(f"[{s}]" if isinstance(s, int) else s for s in path).replace(".[", "[")
    assert error.field == (field if what != "organisation" else "organisation.name")
    assert error.line == line_of(text, MARKER)
    assert f"U+{ord(control):04X}" in error.message and "bidirectional control" in error.message
    assert f"at character {len(MARKER) + 4}" in error.message
    assert "remove it" in error.hint


@pytest.mark.parametrize(("what", "path", "limit"), FREE_TEXT, ids=[f[0] for f in FREE_TEXT])
def test_free_text_longer_than_its_limit_is_refused_and_at_its_limit_loads(
    what: str, path: tuple[Any, ...], limit: int
) -> None:
    assert parse_catalogue(with_text(path, MARKER + "x" * (limit - len(MARKER))))
    text = with_text(path, MARKER + "x" * (limit + 1 - len(MARKER)))
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="long.yaml")
    (error,) = exc.value.errors
    assert error.line == line_of(text, MARKER) and error.file == "long.yaml"
    assert error.message == f"this text is {limit + 1:,} characters long, above the limit of {limit:,}"
    assert f"shorten it to {limit:,} characters or fewer" in error.hint


def test_a_control_character_written_as_an_escape_is_refused_in_a_name() -> None:
    text = dump(catalogue_dict()).replace("name: Moving home", 'name: "Moving\\x1b[31m home"')
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    (error,) = exc.value.errors
    assert error.field == "experiences[0].name" and "control character U+001B" in error.message


def test_an_outcome_of_several_lines_with_tabs_still_loads() -> None:
    text = dump(catalogue_dict()).replace(
        "  level: trigger\n", "  level: trigger\n  outcome: |\n    Move in\n    \twith energy sorted\n", 1
    )
    loaded = parse_catalogue(text)
    assert loaded.catalogue.experiences[0].outcome == "Move in\n\twith energy sorted\n"


def test_the_rule_for_a_catalogues_text_is_the_one_for_typed_text() -> None:
    """pydantic's pattern (in Rust) refuses exactly what texts.plain refuses, in any text
    of several lines: every character of the Basic Multilingual Plane, checked both ways."""
    from pydantic import Field, TypeAdapter, ValidationError

    from cxprio.texts import TEXT_PATTERN, problem_in

    adapter = TypeAdapter(Annotated[str, Field(pattern=TEXT_PATTERN)])
    differ = []
    for point in range(0x10000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        text = f"a{chr(point)}b"
        try:
            adapter.validate_python(text)
            by_pattern = True
        except ValidationError:
            by_pattern = False
        if by_pattern != (problem_in(text, lines=True) is None):
            differ.append(hex(point))
    assert differ == []
