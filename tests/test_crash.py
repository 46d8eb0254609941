"""A save killed with SIGKILL at every step, in a real process: restarting completes it
(the version with its author and reason, the file rewritten from the store) or it never
happened (no version, the file as it was); no temporary file stays. On SQLite and on a
real PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from board import record
from cxprio.store.imports import import_file
from cxprio.store.versions import Store

from .conftest import ROOT, SAMPLE

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    import yaml

    import cxprio.store.saving as saving
    from cxprio.catalogue.edit import Edit
    from cxprio.store.versions import Store

    url, path, step, marker = sys.argv[1:5]

    def stop_here(*_args, **_kwargs):
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)  # killed here by the test

    if step == "temporary-written":
        os.replace = stop_here
    else:
        setattr(saving, {
            "drafting": "apply_edits",
            "version-written": "_held",
            "committed": "replace_file",
        }[step], stop_here)
    store = Store(url)
    saving.save_edits(
        store,
        [Edit("move-out", "measures.depth", 1)],
        started_from=1,
        author="Ana",
        rationale="cut short",
        teams={t["id"] for t in yaml.safe_load(Path(path).read_text())["teams"]},
        file=Path(path),
        file_sha256=None,
    )
    """
)

BEFORE_COMMIT = ("drafting", "version-written")


@pytest.mark.parametrize("step", ["drafting", "version-written", "committed", "temporary-written"])
def test_a_save_killed_at_any_step_is_completed_or_never_happened(
    url: str, tmp_path: Path, step: str
) -> None:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    store = Store(url)
    first = import_file(store, path).version
    store.close()
    marker = tmp_path / "here"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(path), step, str(marker)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():  # the child stops at the step and says so
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline, "the child never reached the step"
        time.sleep(0.02)  # the poll's interval
    if step == "temporary-written":
        assert [p.name for p in tmp_path.glob(".experiences.yaml.*.saving")], "the temporary file is there"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    restarted = Store(url)  # the board's restart: open the store, look at the file
    try:
        held = hashlib.sha256(path.read_bytes()).hexdigest()
        assert held == first.sha256  # the file is never half written
        where = record.sync(restarted, str(path), held)
        latest = restarted.latest()
        assert latest is not None and where.version == latest
        if step in BEFORE_COMMIT:
            assert latest.id == first.id
        else:
            assert latest.id == first.id + 1
            (row,) = restarted.audit(latest.id)
            assert (row.author, row.rationale, row.experience, row.new) == (
                "Ana",
                "cut short",
                "move-out",
                "1",
            )
        assert path.read_text(encoding="utf-8") == restarted.text(latest.id)
        assert not list(tmp_path.glob(".experiences.yaml.*")), "a temporary file was left behind"
    finally:
        restarted.close()
