"""The command line, run as a user runs it: ``python -m cxprio ...`` in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxprio.catalogue.files import DEFAULT_MAX_BYTES
from cxprio.catalogue.generate import many_experiences
from cxprio.catalogue.limits import MAX_EXPERIENCES

from .conftest import ROOT, SAMPLE, catalogue_dict, dump


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxprio", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_validate_defaults_to_the_sample_catalogue() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("config/experiences.yaml: valid: ")
    assert "warning" in result.stderr  # the sample has honest gaps


HEAVY = ("pandas", "numpy", "sqlalchemy", "networkx", "altair")
"""What checking a file while editing it must not wait for: the board's and the store's libraries."""


def imported(*args: str) -> set[str]:
    """Every module ``python -m cxprio ARGS`` imports, read from ``-X importtime`` on stderr."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cxprio", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.mark.parametrize("args", [("validate", "config/experiences.yaml"), ("--help",)])
def test_validate_and_the_parser_import_no_pandas_numpy_sqlalchemy_networkx_or_altair(
    args: tuple[str, ...],
) -> None:
    modules = imported(*args)
    assert "cxprio.cli.main" in modules  # the report lists what the command imported
    if args[0] == "validate":
        assert "cxprio.catalogue.loading" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_validate_prints_every_error_with_file_and_line_and_exits_1(tmp_path: Path) -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    data["experiences"][1]["owner"] = "bilingg"
    path = tmp_path / "bad.yaml"
    path.write_text(dump(data))
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{path}:" in result.stderr
    assert "experiences[0].level" in result.stderr and "did you mean 'journey'" in result.stderr
    assert "experiences[1].owner" in result.stderr and "did you mean 'billing'" in result.stderr
    assert "2 errors" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_python_tag_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("version: 1\norganisation: !!python/object/apply:os.system ['touch pwned']\n")
    result = run("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:2:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "pwned").exists()


def test_validate_json_lists_warnings_with_lines() -> None:
    result = run("validate", "--format", "json")
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["experiences"] >= 41
    assert all(w["line"] for w in report["warnings"])


def test_a_missing_file_exits_1_with_a_message() -> None:
    result = run("validate", "no/such/file.yaml")
    assert result.returncode == 1 and "no such file" in result.stderr


def test_validate_refuses_a_named_pipe_at_once_naming_it_as_typed(fifo: Path) -> None:
    # A read that waited for a writer would never return: the timeout fails the test.
    result = run("validate", fifo.name, cwd=fifo.parent, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{fifo.name}: error: this is a named pipe (FIFO), not a regular file")
    assert str(fifo.parent) not in result.stderr  # the path as typed, never made absolute


PEAK = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "cxprio", *sys.argv[1:]], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"returncode": done.returncode, "stderr": done.stderr, "peak_mb": peak}))
"""
"""``python -m cxprio ARGS`` in a process of its own, and the most memory it held (MB)."""


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A file at the size limit listing as many experiences as fit, and how many."""
    text, _ = many_experiences(max_bytes=DEFAULT_MAX_BYTES)
    path = tmp_path_factory.mktemp("everything") / "everything.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n  - {id: ")  # counted here, not by the generator


def test_validate_refuses_a_catalogue_of_too_many_experiences_naming_the_limit_and_the_count(
    everything: tuple[Path, int],
) -> None:
    path, listed = everything
    assert listed > 10 * MAX_EXPERIENCES
    result = subprocess.run(
        [sys.executable, "-c", PEAK, "validate", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    measured = json.loads(result.stdout)
    assert measured["returncode"] == 1, measured["stderr"]
    first = measured["stderr"].splitlines()[0]
    assert first.startswith(f"{path.name}:{MAX_EXPERIENCES + 4}:5: error: experiences[{MAX_EXPERIENCES}]: ")
    assert f"the catalogue has {listed:,} experiences, above the limit of {MAX_EXPERIENCES:,}" in first
    assert "1 error: the catalogue was not loaded" in measured["stderr"]
    # Counted, not built: a fraction of the 1.7 GB that building them all took.
    assert measured["peak_mb"] < 500


def test_validate_reports_a_value_nested_too_deep_with_the_files_other_problems(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\norganisation: Deep\ncolour: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = run("validate", str(path))
    assert result.returncode == 1
    located = [line.split(": error: ")[0] for line in result.stderr.splitlines() if ": error: " in line]
    column = len("colour: ") + 64  # the bracket that opens level 65, the top mapping being 1
    assert located == [f"{path}:1:1", f"{path}:3:1", f"{path}:3:{column}"]
    assert "'experiences' is missing" in result.stderr and "unknown field 'colour'" in result.stderr
    assert "nested more than 64 levels" in result.stderr and "3 errors" in result.stderr


def test_validate_names_the_file_as_typed_and_quotes_a_long_value_cut_short(tmp_path: Path) -> None:
    folder = tmp_path / "catalogues"
    folder.mkdir()
    (folder / "notes.yaml").write_text(
        "version: 1\norganisation: Notes\nexperiences:\n  - {id: a, name: A, level: " + "z" * 10_000 + "}\n"
    )
    result = run("validate", "catalogues/notes.yaml", cwd=tmp_path)
    assert result.returncode == 1
    column = len("  - {id: a, name: A, ") + 1  # where the key starts
    assert result.stderr.startswith(f"catalogues/notes.yaml:4:{column}: error: experiences[0].level: 'zzz")
    assert str(tmp_path) not in result.stderr  # the path as typed, never made absolute
    assert "z" * 59 + "…'" in result.stderr and "z" * 60 not in result.stderr


def test_validate_refuses_a_spoofed_name_and_an_outcome_too_long_at_their_lines(tmp_path: Path) -> None:
    data = catalogue_dict()
    data["teams"][0]["name"] = "gnp\u202e.exe"
    data["experiences"][0]["outcome"] = "o" * 10_000
    text = dump(data)
    path = tmp_path / "spoof.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    spoofed = next(n for n, line in enumerate(lines, 1) if "gnp" in line)
    long = next(n for n, line in enumerate(lines, 1) if "ooo" in line)
    result = run("validate", str(path))
    assert result.returncode == 1 and "2 errors" in result.stderr
    assert (
        f"{path}:{spoofed}:" in result.stderr
        and "teams[0].name: this text holds the bidirectional" in result.stderr
    )
    assert (
        f"{path}:{long}:" in result.stderr
        and "experiences[0].outcome: this text is 10,000 characters" in result.stderr
    )
    assert "\u202e" not in result.stderr


def test_usage_errors_exit_2() -> None:
    assert run("score", "--weights", "reech=0.3").returncode == 2
    assert run("score", "--weights", "depth=-1").returncode == 2
    assert run("score", "--top", "0").returncode == 2
    assert run("frobnicate").returncode == 2
    assert "'reech' is not a measure: did you mean reach?" in run("score", "--weights", "reech=0.3").stderr


@pytest.mark.parametrize("size", ["inf", "nan", "-1", "0", "lots"])
def test_a_size_limit_that_is_not_a_size_is_a_usage_error_in_words(size: str) -> None:
    result = run("validate", "config/experiences.yaml", "--max-mb", size)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "_megabytes" not in result.stderr
    assert "--max-mb" in result.stderr


def test_all_zero_weights_are_a_usage_error() -> None:
    result = run("score", "--weights", "reach=0,frequency=0,depth=0,cost=0,failure_demand=0")
    assert result.returncode == 2 and "at least one weight" in result.stderr


def test_score_json_has_the_documented_fields() -> None:
    result = run("score", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["experiences"]
    assert {"id", "name", "level", "rank", "priority", "customer_value", "business_value", "complete"} <= set(
        rows[0]
    )
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["priority"] >= rows[-1]["priority"]


def test_score_weights_change_the_order() -> None:
    weights = "reach=0,frequency=0,depth=1,cost=0,failure_demand=0"
    rows = json.loads(run("score", "--format", "json", "--weights", weights).stdout)["experiences"]
    assert all(r["depth"] == 5 for r in rows[:5])


def test_score_filters_by_level_and_top() -> None:
    rows = json.loads(run("score", "--format", "json", "--level", "journey", "--top", "3").stdout)[
        "experiences"
    ]
    assert len(rows) == 3 and {r["level"] for r in rows} == {"journey"}


def test_score_csv_goes_to_out_file(tmp_path: Path) -> None:
    out = tmp_path / "ranked.csv"
    result = run("score", "--format", "csv", "--out", str(out))
    assert result.returncode == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["rank"] == "1" and len(rows) >= 41


def test_score_table_with_robustness_shows_rank_ranges() -> None:
    result = run("score", "--robustness", "--draws", "100", "--top", "5")
    assert result.returncode == 0, result.stderr
    assert "rank_p5" in result.stdout and "stable_top_n" in result.stdout
    assert "weight draws" in result.stderr  # progress goes to stderr


def test_ambition_json_has_findings_and_tiers() -> None:
    report = json.loads(run("ambition", "--format", "json").stdout)
    assert {t["tier"] for t in report["tiers"]} == {"unique", "distinct", "competitive", "uncompetitive"}
    assert {"code", "severity", "experience", "message"} <= set(report["findings"][0])


def test_ambition_table_lists_tiers_and_findings() -> None:
    result = run("ambition")
    assert result.returncode == 0
    assert "Uncompetitive" in result.stdout and "UNDER_DELIVERING" in result.stdout


def test_generate_writes_a_valid_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "gen.yaml"
    result = run("generate", "--experiences", "120", "--teams", "9", "--seed", "5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    check = run("validate", str(out))
    assert check.returncode == 0, check.stderr
    assert "120 experiences, 9 teams" in check.stdout


def test_generate_to_stdout_is_deterministic() -> None:
    first = run("generate", "--experiences", "30", "--teams", "4", "--seed", "1").stdout
    assert first == run("generate", "--experiences", "30", "--teams", "4", "--seed", "1").stdout
    assert first != run("generate", "--experiences", "30", "--teams", "4", "--seed", "2").stdout


def test_max_mb_caps_the_file_size() -> None:
    result = run("validate", "--max-mb", "0.001")
    assert result.returncode == 1 and "above the limit" in result.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("cxprio ")
    help_text = run("--help").stdout
    assert "Exit codes" in help_text and "validate" in help_text


@pytest.mark.parametrize("command", ["validate", "score", "ambition"])
def test_commands_work_from_another_directory_with_an_explicit_path(command: str, tmp_path: Path) -> None:
    assert run(command, str(SAMPLE), cwd=tmp_path).returncode == 0


def test_seams_json_has_coverage_seams_and_findings_sorted_by_risk() -> None:
    result = run("seams", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert 0 < data["coverage"] < 1
    keys = {"experience", "from_step", "to_step", "from_team", "to_team", "handoff_owner", "owned", "risk"}
    assert keys <= set(data["seams"][0])
    risks = [s["risk"] for s in data["seams"]]
    assert risks == sorted(risks, reverse=True)
    assert {"SEAM_UNOWNED", "MOMENT_NO_OWNER", "AUTOMATION_NO_FALLBACK"} <= {
        f["code"] for f in data["findings"]
    }


def test_seams_filters_by_team_experience_and_ownership() -> None:
    data = json.loads(run("seams", "--format", "json", "--team", "billing", "--unowned-only").stdout)
    assert data["seams"] and all(
        not s["owned"] and "billing" in (s["from_team"], s["to_team"]) for s in data["seams"]
    )
    data = json.loads(run("seams", "--format", "json", "--experience", "moving-home").stdout)
    assert {s["experience"] for s in data["seams"]} == {"moving-home"}


def test_seams_with_an_unknown_id_is_a_usage_error_with_a_suggestion() -> None:
    result = run("seams", "--experience", "moving-hom")
    assert result.returncode == 2 and "did you mean 'moving-home'" in result.stderr


def test_seams_dot_gives_the_team_graph_or_one_experience_as_swimlanes() -> None:
    graph = run("seams", "--format", "dot").stdout
    assert graph.startswith("// weights: reach:") and "\ndigraph teams {" in graph and "->" in graph
    lanes = run("seams", "--format", "dot", "--experience", "moving-home").stdout
    assert lanes.startswith("// weights: reach:") and '\ndigraph "moving-home" {' in lanes
    assert "subgraph cluster_" in lanes


def test_seams_table_and_csv() -> None:
    table = run("seams").stdout
    assert "\n\nSeam coverage" in table and "UNOWNED" in table
    rows = list(csv.DictReader(io.StringIO(run("seams", "--format", "csv").stdout)))
    assert rows and {"experience", "from_team", "to_team", "risk"} <= set(rows[0])


def test_decisions_json_has_findings_and_a_matrix() -> None:
    data = json.loads(run("decisions", "--format", "json").stdout)
    assert "MANY_ACCOUNTABLE" in {f["code"] for f in data["findings"]}
    first = data["matrix"][0]
    assert first["experience"] == "moving-home" and first["roles"]["cx-office"] == "A"


def test_decisions_table_and_consulted_limit() -> None:
    default = run("decisions").stdout
    assert "TOO_MANY_CONSULTED" in default
    assert "TOO_MANY_CONSULTED" not in run("decisions", "--max-consulted", "10").stdout


def test_validate_json_carries_every_problem_of_an_invalid_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "version: 1\norganisation: Test\nteams:\n  - {id: billing, name: Billing}\nexperiences:\n"
        "  - id: moving-home\n    name: Moving home\n    level: jorney\n    owner: bilingg\n    ambition: yes\n"
    )
    result = run("validate", str(path), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert [(e["line"], e["field"]) for e in data["errors"]] == [
        (8, "experiences[0].level"),
        (9, "experiences[0].owner"),
        (10, "experiences[0].ambition"),
    ]
    assert all(e["file"] == str(path) and e["hint"] for e in data["errors"])
    assert "3 errors" in result.stderr


def test_validate_json_of_an_unreadable_file_carries_the_read_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nowhere.yaml"), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["errors"][0]["message"] == "no such file"


def test_tables_writes_every_table_as_csv_in_one_zip(tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "tables.zip"
    result = run("tables", "--weights", "depth=0.9", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        weights = {
            r["measure"]: float(r["weight"])
            for r in csv.DictReader(io.StringIO(bundle.read("weights.csv").decode()))
        }
        priorities = list(csv.DictReader(io.StringIO(bundle.read("priorities.csv").decode())))
        raci = list(csv.DictReader(io.StringIO(bundle.read("raci-matrix.csv").decode())))
    assert names == [
        "weights.csv", "priorities.csv", "ambition-tiers.csv", "ambition-findings.csv",
        "seams.csv", "ownership-findings.csv", "decision-findings.csv", "raci-matrix.csv",
    ]  # fmt: skip
    assert weights["depth"] == 0.9
    scored = list(
        csv.DictReader(io.StringIO(run("score", "--weights", "depth=0.9", "--format", "csv").stdout))
    )
    assert [r["id"] for r in priorities] == [r["id"] for r in scored]
    assert any(r["defects"] == "MANY_ACCOUNTABLE" for r in raci)


def test_tables_gives_the_same_bytes_for_the_same_catalogue_and_weights(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert run("tables", "--out", str(first)).returncode == 0
    assert run("tables", "--out", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_decisions_table_names_each_decisions_defects() -> None:
    result = run("decisions", "--format", "json")
    matrix = json.loads(result.stdout)["matrix"]
    findings = json.loads(result.stdout)["findings"]
    # Independently: every decision named by a finding has exactly those codes as defects.
    expected: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        if finding["decision"]:
            expected.setdefault((finding["experience"], finding["decision"]), []).append(finding["code"])
    shown = {(r["experience"], r["decision"]): r["defects"] for r in matrix if r["defects"]}
    assert shown == expected and shown


GIVEN_WEIGHTS = "reach:0.40,frequency:0.10,depth:0.25,cost:0.10,failure_demand:0.15"


@pytest.mark.parametrize(
    "command",
    [
        ["score"],
        ["score", "--format", "csv"],
        ["whatif", "--experience", "moving-home"],
        ["ambition"],
        ["seams"],
        ["seams", "--format", "csv"],
        ["seams", "--format", "dot"],
        ["decisions"],
    ],
)
def test_every_text_output_says_which_weights_it_used(command: list[str]) -> None:
    # Written as the board's address writes them; `=` reads as well as `:`.
    given = GIVEN_WEIGHTS.replace("depth:", "depth=")
    result = run(*command, "--weights", given)
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    if command[-1] == "csv":
        assert first.endswith(",weights")
        assert rest and all(line.endswith(f'"{GIVEN_WEIGHTS}"') for line in rest)
    else:
        assert GIVEN_WEIGHTS in first


@pytest.mark.parametrize("command", ["score", "ambition", "seams", "decisions"])
def test_every_json_output_carries_its_weights(command: str) -> None:
    result = run(command, "--format", "json", "--weights", "depth:0.5")
    sample = yaml.safe_load(SAMPLE.read_text())["scoring"]["weights"]
    assert json.loads(result.stdout)["weights"] == sample | {"depth": 0.5}


def test_the_tables_zip_records_the_weights_in_every_table(tmp_path: Path) -> None:
    out = tmp_path / "tables.zip"
    assert run("tables", "--weights", GIVEN_WEIGHTS, "--out", str(out)).returncode == 0
    with zipfile.ZipFile(out) as bundle:
        for name in bundle.namelist():
            frame = pd.read_csv(bundle.open(name), keep_default_na=False)
            if name == "weights.csv":
                written = ",".join(
                    f"{m}:{w:.2f}" for m, w in zip(frame["measure"], frame["weight"], strict=True)
                )
                assert written == GIVEN_WEIGHTS
            else:
                assert list(frame.columns)[-1] == "weights", name
                assert set(frame["weights"]) <= {GIVEN_WEIGHTS}, name


# --- --out writes a regular file, and nothing else -----------------------------------------


def refused(out: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """The command with ``--out out``, which must be refused with one line and exit 2.
    The subprocess's timeout is the guard against a CLI that opens a named pipe (it
    would wait for a reader for ever): the test fails rather than hangs."""
    result = run(*command, "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(out) in lines[0] and "not a regular file" in lines[0] and "nothing was written" in lines[0]
    assert "give the path of a new file" in lines[0]
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result


def left_alone(folder: Path, before: set[str]) -> None:
    """No temporary file, no new file: the folder holds what it held."""
    assert {p.name for p in folder.iterdir()} == before


@pytest.mark.parametrize(
    "command", [["score", "--format", "csv"], ["seams", "--format", "csv"], ["tables"], ["report"]]
)
def test_out_refuses_a_named_pipe_without_opening_it(tmp_path: Path, command: list[str]) -> None:
    import os
    import stat

    pipe = tmp_path / "scores.csv"
    os.mkfifo(pipe)
    result = refused(pipe, *command)
    assert "is a named pipe" in result.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    left_alone(tmp_path, {"scores.csv"})


def test_out_refuses_a_symbolic_link_and_leaves_it_and_its_file(tmp_path: Path) -> None:
    import os

    target = tmp_path / "kept.csv"
    target.write_text("rank,name\n1,kept\n")
    link = tmp_path / "scores.csv"
    link.symlink_to(target)
    result = refused(link, "score", "--format", "csv")
    assert f"is a symbolic link (to {target})" in result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "rank,name\n1,kept\n"
    left_alone(tmp_path, {"kept.csv", "scores.csv"})


def test_out_refuses_a_directory_with_a_message_not_an_internal_error(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "old.csv").write_text("kept\n")
    result = refused(folder, "score", "--format", "csv")
    assert "is a directory" in result.stderr
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == ["old.csv"]
    left_alone(tmp_path, {"reports"})


def test_out_refuses_a_device(tmp_path: Path) -> None:
    import os
    import stat

    if os.geteuid() != 0:
        pytest.skip("making a device file needs root; the named pipe, link and directory tests run")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    result = refused(device, "score", "--format", "csv")
    assert "is a device" in result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode) and os.lstat(device).st_rdev == os.makedev(1, 3)
    left_alone(tmp_path, {"null"})


def test_out_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    # The catalogue does not exist: a refused --out is said first, with nothing read.
    result = refused(folder, "score", str(tmp_path / "nowhere.yaml"), "--format", "csv")
    assert "nowhere.yaml" not in result.stderr


def test_out_replaces_a_regular_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "ranked.csv"
    out.write_text("stale line\n" * 10_000)
    result = run("score", "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("rank,id,name,") and "stale line" not in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranked.csv"]  # no temporary file left


@pytest.mark.parametrize(
    "where",
    [
        "file/ranked.csv",  # a folder that is a file
        "r" * 250 + ".csv",  # a name the file system takes, but not the temporary file's beside it
    ],
)
def test_out_that_cannot_be_written_is_a_usage_error_not_an_internal_error(
    tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder\n")
    out = tmp_path / where
    result = run("score", "--format", "csv", "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert str(out) in result.stderr and "give another path" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert blocker.read_text() == "a file, not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
