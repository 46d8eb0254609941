"""Bad input gets a clear error naming the file, line and field, and nothing else."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from cxprio import CatalogueError, CatalogueReadError, load_catalogue, parse_catalogue
from cxprio.catalogue import files
from cxprio.catalogue.limits import QUOTED_LENGTH
from cxprio.catalogue.safeyaml import DEFAULT_MAX_DEPTH, MAX_REFUSALS
from cxprio.errors import Problem

from .conftest import catalogue_dict, dump, within

GOOD_HEAD = "version: 1\norganisation: Test\nteams:\n  - {id: billing, name: Billing}\n"
ONE_EXPERIENCE = "experiences: [{id: x, name: X, level: moment}]\n"


def only_error(exc: pytest.ExceptionInfo[CatalogueError]) -> Problem:
    errors = exc.value.errors
    assert len(errors) == 1, [e.format() for e in errors]
    return errors[0]


def test_python_tags_are_refused_with_line_and_field() -> None:
    text = GOOD_HEAD + (
        "experiences:\n  - id: x\n    name: X\n    level: moment\n"
        "    outcome: !!python/object/apply:os.system ['echo hacked']\n"
    )
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="evil.yaml")
    error = only_error(exc)
    assert error.file == "evil.yaml"
    assert error.line == 9
    assert error.field == "experiences[0].outcome"
    assert "python/object/apply" in error.message
    assert "remove the tag" in error.hint


def test_a_refused_value_is_reported_once_and_the_other_errors_still_are() -> None:
    text = GOOD_HEAD + "experiences:\n  - id: !!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="evil.yaml")
    about_id = [e for e in exc.value.errors if e.field == "experiences[0].id"]
    assert [e.code for e in about_id] == ["yaml-tag"]  # not again as "expected text"
    missing = {e.field for e in exc.value.errors if "is missing" in e.message}
    assert missing == {"experiences[0].name", "experiences[0].level"}


def test_billion_laughs_is_refused_without_expanding_anything() -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    refusals = [e for e in exc.value.errors if e.code == "yaml-alias"]
    first = refusals[0]
    assert first.line == 1 and first.field == "a" and "anchors" in first.message
    # nine anchors and 8 x 9 aliases, each refused once; none was ever expanded
    assert sum("anchors" in e.message for e in refusals) == 9
    assert sum("aliases" in e.message for e in refusals) == 8 * 9


def test_an_alias_is_refused_naming_its_line() -> None:
    text = GOOD_HEAD.replace("{id: billing", "{id: &b billing") + ONE_EXPERIENCE
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    error = only_error(exc)
    assert error.line == 4 and error.field == "teams[0].id"
    assert "anchors" in error.message


def test_duplicate_keys_are_refused_naming_the_key_and_both_lines() -> None:
    text = "version: 1\norganisation: A\nteams: []\norganisation: B\n" + ONE_EXPERIENCE
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="dup.yaml")
    error = only_error(exc)
    assert "'organisation'" in error.message
    assert "lines 2 and 4" in error.message
    assert error.line == 4 and error.field == "organisation"


def test_duplicate_keys_inside_flow_mappings_are_refused() -> None:
    text = GOOD_HEAD.replace("name: Billing}", "name: Billing, name: Bills}") + ONE_EXPERIENCE
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    assert only_error(exc).field == "teams[0].name"


@pytest.mark.parametrize(
    ("text", "field", "word"),
    [
        ("experiences:\n  - {id: x, name: X, level: NO}\n", "experiences[0].level", "NO"),
        ("experiences:\n  - {id: on, name: X, level: moment}\n", "experiences[0].id", "on"),
        ("experiences:\n  - {id: x, name: yes, level: moment}\n", "experiences[0].name", "yes"),
    ],
)
def test_yaml_11_booleans_are_refused_with_a_fix(text: str, field: str, word: str) -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(GOOD_HEAD + text)
    error = only_error(exc)
    assert error.field == field
    assert error.line == 6
    assert f'"{word}"' in error.hint  # tells how to quote it


def test_a_number_of_more_digits_than_can_be_read_is_refused_at_its_line() -> None:
    digits = "9" * 5_000
    text = GOOD_HEAD + f"experiences:\n  - {{id: x, name: X, level: moment, measures: {{reach: {digits}}}}}\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    error = only_error(exc)
    assert (error.line, error.field, error.code) == (6, "experiences[0].measures.reach", "yaml-number")
    assert "5,000 digits" in error.message and digits not in error.message


def test_quoted_yaml_11_words_are_plain_text() -> None:
    text = GOOD_HEAD + 'experiences:\n  - {id: "on", name: "Yes please", level: moment}\n'
    loaded = parse_catalogue(text)
    assert loaded.catalogue.experiences[0].id == "on"


def test_numbers_read_as_people_write_them() -> None:
    text = GOOD_HEAD + (
        "experiences:\n  - id: x\n    name: X\n    level: moment\n"
        "    measures: {reach: 1e6, frequency: 010, cost: 2_000_000, depth: 3, failure_demand: .2}\n"
    )
    measures = parse_catalogue(text).catalogue.experiences[0].measures
    assert measures.reach == 1_000_000
    assert measures.frequency == 10  # not octal 8
    assert measures.cost == 2_000_000
    assert measures.failure_demand == pytest.approx(0.2)


def test_files_over_the_size_cap_are_refused_before_reading(tmp_path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 2000 + "\n" + dump(catalogue_dict()))
    with pytest.raises(CatalogueReadError) as exc:
        load_catalogue(path, max_bytes=1000)
    error = only_error(exc)
    assert "above the limit" in error.message and error.file == str(path)
    assert load_catalogue(path).catalogue.organisation.name == "Test Energy"  # default cap: 20 MB


DEEPEST = "version: 1\norganisation: Deep\ncolour: "
"""A file with no experiences, whose unknown field ``colour`` holds a value nested too deep."""


def deep_flow(levels: int) -> str:
    return "[" * levels + "]" * levels


def deep_block(levels: int) -> str:
    return "\n" + "".join("  " * level + "-\n" for level in range(1, levels + 1))


@pytest.mark.parametrize(
    ("value", "line", "column"),
    [
        # Counting the top mapping as level 1, the value of colour opens level 2: the
        # limit is passed by the bracket or dash that opens level DEFAULT_MAX_DEPTH + 1.
        (deep_flow(70), 3, len("colour: ") + DEFAULT_MAX_DEPTH),
        (deep_flow(1_500), 3, len("colour: ") + DEFAULT_MAX_DEPTH),  # past libyaml's own limit
        (deep_flow(100_000), 3, len("colour: ") + DEFAULT_MAX_DEPTH),
        (deep_block(80), 3 + DEFAULT_MAX_DEPTH, 2 * DEFAULT_MAX_DEPTH + 1),
        (deep_block(70)[:-1] + " " + deep_flow(3_000), 3 + DEFAULT_MAX_DEPTH, 2 * DEFAULT_MAX_DEPTH + 1),
    ],
    ids=["flow-70", "flow-1500", "flow-100000", "block-80", "block-then-flow-3000"],
)
def test_a_value_nested_too_deep_is_refused_where_the_limit_is_passed_and_hides_nothing(
    value: str, line: int, column: int
) -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(DEEPEST + value + "\n")
    found = [(e.line, e.column, e.code, e.field.split("[")[0]) for e in exc.value.errors]
    assert found == [
        (1, 1, "schema-missing", "experiences"),
        (3, 1, "schema-extra_forbidden", "colour"),
        (line, column, "yaml-depth", "colour"),
    ]


def test_every_value_nested_too_deep_is_refused_and_the_file_read_on() -> None:
    text = GOOD_HEAD.replace(
        "teams:", "colour: " + deep_flow(2_000) + "\nshade: " + deep_flow(1_200) + "\nteams:"
    )
    text += ONE_EXPERIENCE.replace("level: moment", "level: jorney")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    found = [(e.line, e.code) for e in exc.value.errors]
    assert found == [
        (3, "schema-extra_forbidden"),
        (3, "yaml-depth"),
        (4, "schema-extra_forbidden"),
        (4, "yaml-depth"),
        (7, "schema-enum"),
    ]


def test_block_nesting_past_libyamls_own_limit_is_refused_where_ours_is_passed() -> None:
    # libyaml cannot read on past 1,000 levels of block nesting: the reading stops there.
    value = "\n" + "".join(" " * level + "-\n" for level in range(1, 1_100))
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(DEEPEST + value)
    first = exc.value.errors[0]
    assert (first.line, first.column, first.code) == (
        3 + DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_DEPTH + 1,
        "yaml-depth",
    )
    assert "reading stopped" in exc.value.errors[-1].message


def test_non_utf8_bytes_are_refused_with_their_line() -> None:
    raw = (GOOD_HEAD + "experiences:\n  - {id: x, name: Caf\xe9, level: moment}\n").encode("latin-1")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(raw, source="latin.yaml")
    error = only_error(exc)
    assert error.line == 6 and "UTF-8" in error.message and "0xe9" in error.message


def test_bytes_that_are_not_utf8_are_reported_on_each_line_with_the_other_problems() -> None:
    text = GOOD_HEAD + (
        "experiences:\n"
        "  - {id: x, name: Café crème, level: moment}\n"
        "  - {id: y, name: Smörgåsbord, level: jorney}\n"
        "colour: red\n"
    )
    raw = text.encode("latin-1")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(raw, source="latin.yaml")
    lines = raw.split(b"\n")
    expected = []
    for number, line in enumerate(lines, 1):
        bad = [i for i, byte in enumerate(line) if byte > 0x7F]  # Latin-1: one character a byte
        if bad:
            expected.append((number, bad[0] + 1, "encoding", f"byte 0x{line[bad[0]]:02x}", len(bad) - 1))
    assert len(expected) == 2
    found = [e for e in exc.value.errors if e.code == "encoding"]
    assert [(e.line, e.column, e.code) for e in found] == [x[:3] for x in expected]
    for problem, (_, _, _, byte, more) in zip(found, expected, strict=True):
        assert byte in problem.message and (f"nor {more} more" in problem.message) == bool(more)
    others = [(e.line, e.code) for e in exc.value.errors if e.code != "encoding"]
    assert others == [(7, "schema-enum"), (8, "schema-extra_forbidden")]


def test_a_file_in_another_encoding_lists_its_first_lines_and_says_there_are_more() -> None:
    raw = ("\n".join(f"# ligne {i} é" for i in range(MAX_REFUSALS + 10)) + "\n").encode("latin-1")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(raw + dump(catalogue_dict()).encode())
    found = [e for e in exc.value.errors if e.code == "encoding"]
    assert [e.line for e in found[:-1]] == list(range(1, MAX_REFUSALS + 1))
    assert "only the first" in found[-1].message


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    raw = "\ufeff".encode() + dump(catalogue_dict()).encode()
    assert parse_catalogue(raw).catalogue.organisation.name == "Test Energy"


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_an_empty_file_is_refused_with_a_pointer_to_the_sample(text: str) -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    assert "empty" in only_error(exc).message or "mapping" in only_error(exc).message


def test_a_list_instead_of_a_mapping_is_refused() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue("- id: x\n- id: y\n")
    error = only_error(exc)
    assert "holds a list" in error.message and error.line == 1
    assert "version: 1" in error.hint


def test_unknown_fields_suggest_the_nearest_valid_name() -> None:
    data = catalogue_dict()
    data["experiences"][0]["ambtion"] = data["experiences"][0].pop("ambition")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(dump(data), source="typo.yaml")
    error = only_error(exc)
    assert error.field == "experiences[0].ambtion"
    assert "unknown field 'ambtion'" in error.message
    assert "did you mean 'ambition'" in error.hint
    assert error.line is not None and error.line > 1


def test_unknown_fields_in_nested_mappings_suggest_too() -> None:
    data = catalogue_dict()
    data["experiences"][0]["measures"]["failure-demand"] = data["experiences"][0]["measures"].pop(
        "failure_demand"
    )
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(dump(data))
    assert "did you mean 'failure_demand'" in only_error(exc).hint


def test_unknown_team_references_are_errors_with_a_suggestion() -> None:
    data = catalogue_dict()
    data["experiences"][0]["steps"][1]["team"] = "metring"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(dump(data))
    error = only_error(exc)
    assert error.field == "experiences[0].steps[1].team"
    assert "unknown team 'metring'" in error.message and "'metering'" in error.hint


def test_unknown_parent_is_an_error_at_its_line() -> None:
    data = catalogue_dict()
    data["experiences"][1]["parent"] = "moving-house"
    text = dump(data)
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    error = only_error(exc)
    assert error.field == "experiences[1].parent"
    assert "parent: moving-house" in text.splitlines()[error.line - 1]


def test_every_error_is_reported_at_once() -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    data["experiences"][1]["measures"]["depth"] = 9
    data["experiences"][2]["colour"] = "red"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(dump(data))
    fields = {e.field for e in exc.value.errors}
    assert fields == {"experiences[0].level", "experiences[1].measures.depth", "experiences[2].colour"}
    assert all(e.line for e in exc.value.errors)


def test_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue("version: 1\norganisation: [unclosed\nteams: []\n")
    error = only_error(exc)
    assert error.code == "yaml-syntax" and error.line is not None


def test_a_second_document_is_refused() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(dump(catalogue_dict()) + "---\nversion: 1\n")
    assert "more than one YAML document" in only_error(exc).message


def test_a_missing_file_is_a_read_error(tmp_path) -> None:
    with pytest.raises(CatalogueReadError) as exc:
        load_catalogue(tmp_path / "nope.yaml")
    assert "no such file" in only_error(exc).message


def test_messages_read_as_file_line_column_field() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(GOOD_HEAD + "experiences:\n  - {id: x, name: X, level: NO}\n", source="c.yaml")
    assert exc.value.errors[0].format().startswith("c.yaml:6:")
    assert "experiences[0].level" in exc.value.errors[0].format()


def test_a_list_as_a_mapping_key_is_refused() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue("version: 1\norganisation: X\n? [a, b]\n: 1\n")
    error = only_error(exc)
    assert error.code == "yaml-key" and error.line == 3


def test_a_number_as_a_key_is_read_as_text_and_reported_as_unknown_field() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(GOOD_HEAD + ONE_EXPERIENCE + "2024: true\n")
    assert only_error(exc).field == "2024" and "unknown field '2024'" in only_error(exc).message


def test_nested_values_keep_their_own_lines() -> None:
    text = GOOD_HEAD + (
        "experiences:\n"
        "  - id: x\n"
        "    name: X\n"
        "    level: moment\n"
        "    steps:\n"
        "      - {name: One, team: billing}\n"
        "      - name: Two\n"
        "        team: nobody\n"
    )
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    error = only_error(exc)
    assert error.field == "experiences[0].steps[1].team" and error.line == 12


# --- every error at once -----------------------------------------------------------------

BROKEN_EXPERIENCE = GOOD_HEAD + (
    "experiences:\n"  # line 5
    "  - id: moving-home\n"  # 6
    "    name: Moving home\n"  # 7
    "    level: jorney\n"  # 8
    "    owner: bilingg\n"  # 9
    "    ambition: yes\n"  # 10
)


def test_a_reader_refusal_does_not_hide_schema_and_reference_errors() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(BROKEN_EXPERIENCE, source="broken.yaml")
    found = [(e.line, e.field, e.code) for e in exc.value.errors]
    assert found == [
        (8, "experiences[0].level", "schema-enum"),
        (9, "experiences[0].owner", "unknown-team"),
        (10, "experiences[0].ambition", "yaml-bool"),
    ]


def test_refusals_come_in_file_order_with_the_other_errors() -> None:
    text = BROKEN_EXPERIENCE.replace("level: jorney", "level: !!str journey\n    current: on") + (
        "  - id: other\n    name: &n Other\n    level: trigger\n"
    )
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    lines = [e.line for e in exc.value.errors]
    assert lines == sorted(lines) and len(lines) == 4  # current: on, owner, ambition, anchor
    assert [e.code for e in exc.value.errors] == ["yaml-bool", "unknown-team", "yaml-bool", "yaml-alias"]


def test_a_duplicate_key_keeps_its_first_value_which_is_checked_too() -> None:
    text = GOOD_HEAD + "experiences:\n  - id: x\n    name: X\n    level: jorney\n    level: moment\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    assert [(e.line, e.code) for e in exc.value.errors] == [(8, "schema-enum"), (9, "yaml-duplicate-key")]


def test_a_syntax_error_after_a_refusal_reports_both() -> None:
    text = GOOD_HEAD + "experiences:\n  - {id: x, name: yes, level: moment}\n  - id: [unclosed\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    assert [e.code for e in exc.value.errors] == ["yaml-bool", "yaml-syntax"]


def test_reading_stops_after_too_many_refusals() -> None:
    text = (
        GOOD_HEAD
        + "experiences:\n"
        + "".join(f"  - {{id: e{i}, name: yes, level: moment}}\n" for i in range(MAX_REFUSALS + 50))
    )
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    errors = exc.value.errors
    assert len(errors) == MAX_REFUSALS + 1
    assert errors[-1].code == "yaml-too-many" and "stopped" in errors[-1].message


# --- only a regular file is read ---------------------------------------------------------


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    error = refusal_of(fifo)
    assert "named pipe" in error.message and error.file == str(fifo)
    assert "YAML file" in error.hint


def test_a_path_that_became_a_named_pipe_after_it_was_checked_is_refused_too(
    fifo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    regular = tmp_path / "regular.yaml"
    regular.write_text(dump(catalogue_dict()))
    real_stat = os.stat
    # The check before opening sees a regular file: the pipe arrives just after it.
    monkeypatch.setattr(
        files.os, "stat", lambda path, **options: real_stat(regular if path == fifo else path, **options)
    )
    assert "named pipe" in refusal_of(fifo).message


def refusal_of(path: Path | str) -> Problem:
    """The one problem of loading ``path``, which must be a read error (and never wait)."""
    try:
        within(30, lambda: load_catalogue(path))
    except CatalogueReadError as exc:
        assert len(exc.errors) == 1, exc.errors
        return exc.errors[0]
    raise AssertionError(f"{path} loaded")


@pytest.mark.parametrize(("kind", "word"), [("folder", "folder"), ("device", "device"), ("socket", "socket")])
def test_a_folder_a_device_and_a_socket_are_refused(tmp_path: Path, kind: str, word: str) -> None:
    path: Path | str = tmp_path / f"{kind}.yaml"
    listening = socket.socket(socket.AF_UNIX)
    if kind == "folder":
        Path(path).mkdir()
    elif kind == "device":
        path = "/dev/zero"  # would read for ever
    else:
        listening.bind(str(path))
    try:
        assert word in refusal_of(path).message
    finally:
        listening.close()


def test_a_link_to_a_catalogue_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text(dump(catalogue_dict()))
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert load_catalogue(link).catalogue.organisation.name == "Test Energy"


def test_a_link_to_a_named_pipe_is_refused(fifo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    assert "named pipe" in refusal_of(link).message


def test_a_save_never_waits_on_a_catalogue_file_that_became_a_named_pipe(fifo: Path) -> None:
    from cxprio.store.saving import replace_file

    assert within(30, lambda: replace_file(fifo, "version: 1\n", expected="0" * 64)) is False
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # left as it was
    assert [p.name for p in fifo.parent.iterdir()] == [fifo.name]  # no temporary file left


# --- how much a file may hold --------------------------------------------------------------


def experiences_text(count: int, *, before: str = "") -> str:
    return (
        GOOD_HEAD
        + before
        + "experiences:\n"
        + "".join(f"  - {{id: e{i}, name: E, level: moment}}\n" for i in range(count))
    )


def test_a_catalogue_of_more_experiences_than_the_limit_is_refused_naming_the_limit_and_the_count() -> None:
    text = experiences_text(25)
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="many.yaml", max_experiences=10)
    error = only_error(exc)
    assert error.message == "the catalogue has 25 experiences, above the limit of 10"
    eleventh = text.splitlines().index("  - {id: e10, name: E, level: moment}") + 1
    assert (error.line, error.column, error.field) == (eleventh, 5, "experiences[10]")
    assert "split it" in error.hint and error.code == "too-many-experiences"


def test_a_catalogue_at_the_limit_of_experiences_loads() -> None:
    loaded = parse_catalogue(experiences_text(10), max_experiences=10)
    assert len(loaded.catalogue.experiences) == 10


def test_problems_before_too_many_experiences_are_reported_with_it() -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(experiences_text(12, before="colour: yes\n"), max_experiences=10)
    assert [e.code for e in exc.value.errors] == ["yaml-bool", "too-many-experiences"]


def test_experiences_past_the_limit_are_counted_as_far_as_the_yaml_can_be_read() -> None:
    text = experiences_text(15) + "  - {id: [unclosed\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, max_experiences=10)
    assert only_error(exc).message == "the catalogue has at least 16 experiences, above the limit of 10"


def test_a_file_of_more_values_than_its_size_allows_is_refused_where_the_limit_is_passed() -> None:
    from cxprio.catalogue.limits import CONTAINER_WEIGHT, max_values

    text = "version: 1\norganisation: X\nflood: [" + "{}, " * 120 + "]\n"  # under 600 bytes
    limit = max_values(600)
    # Counted here: the top mapping, five scalars and the list before the first {}.
    before = CONTAINER_WEIGHT + 5 + CONTAINER_WEIGHT
    passing = (limit - before) // CONTAINER_WEIGHT  # the {} that passes the limit, from 0
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text, source="flood.yaml", max_bytes=600)
    error = only_error(exc)
    assert error.code == "yaml-too-many-values" and f"more than {limit:,} values" in error.message
    assert (error.line, error.column) == (3, len("flood: [") + 4 * passing + 1)
    assert error.field == f"flood[{passing}]"


@pytest.mark.parametrize("name", ["sample", "generated"])
def test_realistic_catalogues_hold_fewer_values_than_their_own_size_would_allow(name: str) -> None:
    from cxprio.catalogue.generate import generate_catalogue

    from .conftest import SAMPLE

    raw = (
        SAMPLE.read_bytes()
        if name == "sample"
        else generate_catalogue(experiences=2000, teams=60, seed=2).encode()
    )
    assert parse_catalogue(raw, max_bytes=len(raw)).catalogue.experiences


# --- what messages quote --------------------------------------------------------------------

LONG = "z" * 5_000


def longest_run(text: str, character: str = "z") -> int:
    """The most times ``character`` comes in a row in ``text``."""
    return max((len(part) for part in "".join(c if c == character else " " for c in text).split()), default=0)


@pytest.mark.parametrize(
    "experience",
    [
        f"{{id: x, name: X, level: {LONG}}}",  # a value not in a list of choices
        f"{{id: {LONG}, name: X, level: moment}}",  # not an id
        f"{{id: x, name: X, level: moment, owner: {LONG}}}",  # an unknown team
        f"{{id: x, name: X, level: moment, parent: {LONG}}}",  # an unknown parent
        f"{{id: x, name: X, level: moment, {LONG[:1000]}: 1}}",  # an unknown field (and its path)
        f"{{id: x, name: X, level: moment, measures: {{reach: !!int {LONG}}}}}",  # a value its tag refuses
        f"{{id: x, name: [{LONG[:1000]}, 2], level: moment}}",  # a list for a text: described, not quoted
        f"{{id: x, name: !<{LONG[:1000]}> X, level: moment}}",  # a tag
        f"{{id: x, name: &{LONG[:1000]} X, level: moment}}",  # an anchor
        f"{{id: x, name: X, level: moment, {LONG[:1000]}: 1, {LONG[:1000]}: 2}}",  # a duplicate key
    ],
    ids=["choice", "id", "team", "parent", "field", "tagged", "list", "tag", "anchor", "duplicate"],
)
def test_messages_quote_a_long_value_cut_short(experience: str) -> None:
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(GOOD_HEAD + "experiences:\n  - " + experience + "\n")
    for problem in exc.value.errors:
        shown = f"{problem.field} {problem.message} {problem.hint}"
        assert longest_run(shown) < QUOTED_LENGTH, shown[:300]
    quoting = [e for e in exc.value.errors if longest_run(f"{e.field} {e.message}")]
    assert all(longest_run(f"{e.field} {e.message}") == QUOTED_LENGTH - 1 for e in quoting)


def test_a_key_is_shown_with_its_invisible_characters_as_escapes() -> None:
    spoofed = "gnp\u202e.exe"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(GOOD_HEAD + f'experiences:\n  - {{id: x, name: X, level: moment, "{spoofed}": 1}}\n')
    error = only_error(exc)
    assert "unknown field" in error.message
    for shown in (error.field, error.message):
        assert "\u202e" not in shown and "\\u202e" in shown
