"""Benchmark of an upload far too large: how fast and how lightly it is refused, and what
it does to the other visitors of the board meanwhile.

Run from the repository root:

    python bench/bench_upload.py            # prints the figures
    python bench/bench_upload.py --check    # also exits 1 if a target is missed

It generates a file at the size limit (20 MB) listing as many experiences as fit
(about 500,000, each an id, a name and a level) and measures:

* **validate**: ``python -m cxprio validate FILE`` in a process of its own, its time and
  its peak memory, beside the time the same process takes for the sample catalogue
  (starting Python and importing the libraries) and the time it takes only to count
  the file's YAML events. Targets: refused with exit 1 in at most 1.5x the time of
  starting and counting, and under 500 MB at its peak.
* **other values**: the same for files at the size limit that are nothing but values
  (empty mappings, one-key mappings, short words), which the reader refuses by their
  number; printed for scale beside a valid catalogue of 30,000 generated experiences
  (18.7 MB), which takes what it takes.
* **another visitor**: on a served board (``streamlit run app.py``, a generated
  catalogue of 1,000 experiences, in headless Chromium as ``bench_browser.py`` drives
  it), a visitor's Priorities page, from a weight change until it is drawn again, alone
  and while three other visitors upload the file at once (median of the reruns until
  the three are refused). Target: within 1.5x of the page alone. The server's memory
  before, at its peak and after is printed too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cxprio.catalogue.files import DEFAULT_MAX_BYTES  # noqa: E402
from cxprio.catalogue.generate import generate_catalogue, many_experiences  # noqa: E402

TIME_TARGET = 1.5  # x starting Python and counting the events
MEMORY_TARGET_MB = 500
PAGE_TARGET = 1.5  # x the page alone
UPLOADERS = 3
UPLOAD_BYTES = 19_900_000
REPEATS = 9

PEAK = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "cxprio", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "returncode": done.returncode,
    "first": (done.stderr.splitlines() or [""])[0][:160],
    "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""

COUNT = """
import sys, time, yaml
start = time.perf_counter()
text = open(sys.argv[1], encoding="utf-8").read()
loader = yaml.CSafeLoader(text)
events = 0
while not isinstance(loader.get_event(), yaml.StreamEndEvent):
    events += 1
print(events)
"""


def run_cli(*args: str) -> dict[str, object]:
    """``python -m cxprio ARGS`` in a process of its own: seconds, exit code, first line of
    its messages, peak memory (MB)."""
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    measured: dict[str, object] = json.loads(out)
    return measured


def counting_seconds(path: Path) -> float:
    """Seconds a process takes to start and only count the YAML events of ``path``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", COUNT, str(path)], capture_output=True, check=True)
    return time.perf_counter() - start


def flood(folder: Path, name: str, item: str) -> Path:
    """A file at the size limit that is nothing but ``item`` repeated in one list."""
    head = "version: 1\norganisation: Flood\nfoo: ["
    path = folder / f"{name}.yaml"
    path.write_text(head + item * ((DEFAULT_MAX_BYTES - len(head) - 2) // len(item)) + "]\n")
    return path


def words(folder: Path) -> Path:
    head = "version: 1\norganisation: Flood\nfoo: ["
    path = folder / "words.yaml"
    count = (DEFAULT_MAX_BYTES - len(head) - 2) // 6
    path.write_text(head + "".join(f"w{i % 4096:x}, " for i in range(count)) + "]\n")
    return path


def memory_mb(pid: int) -> tuple[float, float]:
    """The memory of process ``pid`` now and at its peak (MB)."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def another_visitor(folder: Path, oversized: Path) -> tuple[float, float, float, float, float, str]:
    """Median seconds of a visitor's Priorities rerun after a weight change, alone and
    while ``UPLOADERS`` other visitors each upload ``oversized``; the server's memory
    before the uploads, at its peak, and once they are answered (MB); how they were
    answered (refused, or told the board is busy checking another)."""
    from bench_browser import CHROMIUM, DRAWN, LAUNCH_ARGS, Runs, served, timed
    from playwright.sync_api import sync_playwright

    catalogue = folder / "catalogue-1000.yaml"
    catalogue.write_text(generate_catalogue(experiences=1000, teams=60, seed=1), encoding="utf-8")
    with served(catalogue, folder / "store.db") as (address, pid), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        visitor = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        visitor.set_default_timeout(300_000)
        runs = Runs(visitor)
        visitor.goto(f"{address}/priorities")
        visitor.get_by_text("the 5th to 95th percentile rank").first.wait_for()
        visitor.wait_for_function(DRAWN, polling=20)
        slider = visitor.locator('[data-testid="stSlider"]').filter(has_text="Reach").get_by_role("slider")
        slider.focus()
        moves = iter(["ArrowRight", "ArrowLeft"] * 1000)

        def rerun() -> float:
            return timed(lambda: slider.press(next(moves)), runs, lambda: None)

        for _ in range(3):  # warm-up: caches, lazily imported modules
            rerun()
        alone = statistics.median(rerun() for _ in range(REPEATS))
        before, _ = memory_mb(pid)
        uploaders = []
        for _ in range(UPLOADERS):
            page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            page.set_default_timeout(300_000)
            page.goto(f"{address}/catalogue")
            page.get_by_role("heading", name="Check another catalogue").wait_for()
            uploaders.append(page)
        for page in uploaders:  # as near at once as one driver can
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(oversized))
        during = []

        def answered(page: Any) -> str | None:
            for answer, text in (("refused", "above the limit of"), ("told busy", "busy checking another")):
                if page.get_by_text(text).count():
                    return answer
            return None

        while not all(answered(page) for page in uploaders):
            during.append(rerun())
        answers = Counter(answered(page) for page in uploaders)
        now, peak = memory_mb(pid)
        browser.close()
    told = ", ".join(f"{count} {answer}" for answer, count in sorted(answers.items()))
    return alone, statistics.median(during) if during else float("nan"), before, peak, now, told


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    missed = 0
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print("generating the files ...", file=sys.stderr)
        text, listed = many_experiences(max_bytes=DEFAULT_MAX_BYTES)
        everything = folder / "everything.yaml"
        everything.write_text(text, encoding="utf-8")
        rich = folder / "rich-30000.yaml"
        rich.write_text(generate_catalogue(experiences=30_000, teams=600, seed=1), encoding="utf-8")
        others = {
            "empty mappings": flood(folder, "mappings", "{}, "),
            "one-key mappings": flood(folder, "pairs", "{a: b}, "),
            "short words": words(folder),
        }

        print("timing validate ...", file=sys.stderr)
        sample = run_cli("validate")
        counted = counting_seconds(everything)
        refused = run_cli("validate", str(everything))
        size = everything.stat().st_size / 1_048_576
        print(f"validate of {size:.1f} MB listing {listed:,} experiences:")
        print(f"  {refused['first']}")
        verdicts = []
        ratio = float(refused["seconds"]) / counted  # type: ignore[arg-type]
        verdicts.append(refused["returncode"] == 1 and ratio <= TIME_TARGET)
        print(
            f"  refused (exit {refused['returncode']}) in {refused['seconds']:.2f} s; starting Python and "
            f"only counting its YAML events takes {counted:.2f} s: {ratio:.2f}x (target {TIME_TARGET}x) "
            f"{'ok' if verdicts[-1] else 'MISSED'}"
        )
        verdicts.append(float(refused["peak_mb"]) < MEMORY_TARGET_MB)  # type: ignore[arg-type]
        print(
            f"  peak memory {refused['peak_mb']:.0f} MB (target under {MEMORY_TARGET_MB} MB) "
            f"{'ok' if verdicts[-1] else 'MISSED'}; validate of the sample: {sample['seconds']:.2f} s, "
            f"{sample['peak_mb']:.0f} MB"
        )
        print("other files at the size limit (for scale):")
        for label, path in [*others.items(), ("a valid catalogue of 30,000 experiences", rich)]:
            measured = run_cli("validate", str(path))
            print(
                f"  {label:<40} exit {measured['returncode']}  {measured['seconds']:6.2f} s "
                f"{measured['peak_mb']:6.0f} MB"
            )

        print("timing another visitor's page ...", file=sys.stderr)
        # The browser refuses an upload above Streamlit's own limit (server.maxUploadSize,
        # 20 MB counted in millions of bytes) before the board sees it.
        uploaded = folder / "upload.yaml"
        uploaded.write_text(many_experiences(max_bytes=UPLOAD_BYTES)[0], encoding="utf-8")
        alone, during, before, peak, after, told = another_visitor(folder, uploaded)
        ratio = during / alone
        verdicts.append(ratio <= PAGE_TARGET)
        print(
            f"another visitor's Priorities rerun, while {UPLOADERS} other visitors each upload "
            f"{uploaded.stat().st_size / 1_000_000:.1f} MB:"
        )
        print(
            f"  alone {alone * 1000:.0f} ms, during the checks {during * 1000:.0f} ms: {ratio:.2f}x "
            f"(target {PAGE_TARGET}x) {'ok' if verdicts[-1] else 'MISSED'}"
        )
        print(f"  the uploads: {told}")
        print(f"  server memory: {before:.0f} MB before, {peak:.0f} MB at its peak, {after:.0f} MB after")
        missed = verdicts.count(False)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
