"""The README's promises: the quick-start commands exist and CI runs the test command."""

from __future__ import annotations

import re

from .conftest import ROOT


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_the_quick_start_has_two_one_line_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    run_app, run_tests = commands
    assert "requirements.txt" in run_app and "streamlit run app.py" in run_app
    assert "requirements-dev.txt" in run_tests and "pytest" in run_tests


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert quick_start_commands()[1] in ci.splitlines()


def test_the_catalogue_docs_cover_every_field_of_the_model() -> None:
    from cxprio.catalogue.model import Catalogue, Decision, Experience, Measures, Organisation, Step, Team

    docs = (ROOT / "docs" / "catalogue.md").read_text()
    for model in (Catalogue, Organisation, Team, Experience, Measures, Step, Decision):
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in docs, f"{model.__name__}.{name} is undocumented"


def test_the_catalogue_docs_give_every_limit_its_value() -> None:
    from cxprio.catalogue import limits

    docs = (ROOT / "docs" / "catalogue.md").read_text()
    table = docs.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in table.splitlines()
        if line.startswith("| ")
    }
    assert rows["file size"].startswith(f"{limits.MAX_BYTES // 1_048_576} MB")
    assert rows["experiences"] == f"{limits.MAX_EXPERIENCES:,}"
    assert rows["values"].startswith(f"one for every {limits.BYTES_PER_VALUE} bytes")
    assert f"({limits.max_values(limits.MAX_BYTES) / 1e6:.1f} million at 20 MB" in rows["values"]
    assert f"counts as {limits.CONTAINER_WEIGHT})" in rows["values"]
    assert rows["nesting"] == f"{limits.MAX_DEPTH} levels"
    assert rows["problems"] == f"{limits.MAX_REFUSALS}"
    for label, value in (
        ("a name", limits.NAME_LENGTH),
        ("`outcome`", limits.OUTCOME_LENGTH),
        ("`function`", limits.FUNCTION_LENGTH),
        ("`unit`", limits.UNIT_LENGTH),
        ("a person's name (typed)", limits.PERSON_NAME_LENGTH),
        ("a round's title (typed)", limits.TITLE_LENGTH),
        ("a reason or a note (typed)", limits.REASON_LENGTH),
        ("a value quoted in a message", limits.QUOTED_LENGTH),
    ):
        assert rows[label] == f"{value} characters", label


def test_every_finding_is_documented_with_the_title_people_read() -> None:
    from cxprio.method.findings import KINDS

    docs = "\n".join(path.read_text() for path in (ROOT / "docs").glob("*.md"))
    rows = {line.split("|")[1].strip(" `"): line for line in docs.splitlines() if line.startswith("| `")}
    for code, kind in KINDS.items():
        assert code in rows, f"{code} is not in a table of findings in docs/"
        assert kind.title in rows[code], f"{code}: docs/ does not give its title {kind.title!r}"
