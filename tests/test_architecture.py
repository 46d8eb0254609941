"""The folders show the architecture, and the rules that make them mean something hold:
SQL only in the store, no streamlit in the domain package, no page or board module
reaching into the database, modules of a size a person can read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "cxprio"
LONGEST = 500
"""About how long a module may be before its docstring must say why it is longer."""


def imported_by(path: Path) -> set[str]:
    """The full names of every module ``path`` imports, at any depth of its code, a
    relative import resolved against ``path``'s package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]  # a module's, or __init__'s
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
    return found


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def test_only_the_store_speaks_sql() -> None:
    speaking = [
        str(p.relative_to(ROOT))
        for p in [*python_files("cxprio", "board", "pages"), ROOT / "app.py"]
        if not p.is_relative_to(PACKAGE / "store")
        and any(
            name == "sqlalchemy" or name.startswith(("sqlalchemy.", "alembic", "psycopg"))
            for name in imported_by(p)
        )
    ]
    assert speaking == []


def test_the_domain_package_never_imports_streamlit() -> None:
    drawing = [
        str(p.relative_to(ROOT))
        for p in python_files("cxprio")
        if any(name == "streamlit" or name.startswith("streamlit.") for name in imported_by(p))
    ]
    assert drawing == []


@pytest.mark.parametrize("folder", ["catalogue", "method"])
def test_the_catalogue_and_the_method_import_no_store_and_no_output(folder: str) -> None:
    reaching = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in python_files(f"cxprio/{folder}")
        for name in imported_by(p)
        if name.startswith(("cxprio.store", "cxprio.outputs", "cxprio.cli"))
    ]
    assert reaching == []


def test_a_long_module_says_why_it_is_long() -> None:
    unexplained = []
    for path in python_files("cxprio", "board"):
        lines = path.read_text(encoding="utf-8").count("\n")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LONGEST * 1.1 and "on purpose" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert unexplained == []


def test_pages_read_call_and_draw() -> None:
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in [ROOT / "app.py", *python_files("pages")]
        if (n := p.read_text(encoding="utf-8").count("\n")) > 170
    ]
    assert long == []
