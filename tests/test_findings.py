"""Finding kinds: every code the method can raise has a plain title and a "what to do"."""

from __future__ import annotations

import re
from pathlib import Path

from cxprio.method.findings import KINDS, Finding, Severity

PACKAGE = Path(__file__).resolve().parent.parent / "cxprio"


def raised_codes() -> set[str]:
    """The codes the package's sources raise, read from the text (not from KINDS): an
    upper-case string literal first in a Finding(...) or a finding helper's call, or the
    module constant a ``code=`` names."""
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'(?:Finding|finding|about)\(\s*"([A-Z][A-Z0-9_]+)"', text))
        for constant in re.findall(r"code=([A-Z][A-Z0-9_]+)\b", text):
            codes.update(re.findall(rf'^{constant} = "([A-Z0-9_]+)"$', text, flags=re.MULTILINE))
    return codes


def test_every_code_the_method_raises_has_a_title_and_an_action() -> None:
    codes = raised_codes()
    assert len(codes) >= 20  # the reading above found the findings at all
    missing = sorted(codes - set(KINDS))
    assert not missing, f"findings without a plain title: {missing}"


def test_titles_and_actions_are_plain_words() -> None:
    for code, kind in KINDS.items():
        for text in (kind.title, kind.action):
            assert text and text[0].isupper(), code
            assert not re.search(r"[A-Z]{2,}_|_[a-z]+|\bNone\b", text), (code, text)
        assert kind.action.endswith("."), code
        assert len(kind.title) <= 40, code  # a title fits a table cell on a projector


def test_a_finding_reads_by_its_title_and_keeps_its_code_for_machines() -> None:
    finding = Finding("SEAM_UNOWNED", Severity.HIGH, "Moving home: nobody owns the handoff")
    assert finding.title == "Handoff nobody owns"
    assert finding.action == "Name a team to own the handoff."
    assert finding.as_dict()["code"] == "SEAM_UNOWNED"
    assert finding.as_dict()["title"] == "Handoff nobody owns"
