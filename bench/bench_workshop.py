"""Benchmark of workshop rounds: many participants saving scores at once, and the
facilitator's live view.

On SQLite and (when ``CXPRIO_TEST_POSTGRES_URL`` names a server, as in CI) on
PostgreSQL, it prints:

- **save throughput and p95 latency**: 20 participants (threads sharing one store, as
  sessions share a server) each save 50 scores, one at a time, starting together; a save
  is timed from the call until its transaction has committed. Every score is then
  checked to be stored once. Target: p95 under 50 ms on SQLite.
- **facilitator view refresh**: one refresh of the live view (read the round, who has
  joined and every score; summarise; the ranking if the results were accepted; the
  weights vote) with 20 participants who scored 50 experiences on all six criteria and
  voted on the weights, everything revealed, on a generated catalogue of 1,000
  experiences; median of 20 refreshes. Target: under 200 ms.
- **click to saved, in a browser**: the served board on the sample catalogue, 20
  participants in headless Chromium (one browser context each, all on this machine's
  two cores with the server) scoring 5 experiences on 3 criteria (reach as a number,
  depth, the ambition), the ambition with a click and the numbers typed; a save is timed
  from the Enter (in the depth field) that submits the experience's form until the page
  shows it saved (its progress, or the thanks after the last). Two ways:

  - *a room scoring at once*: the 20 start together and each reads and thinks before
    each experience (a seeded 2 to 6 s, far quicker than a real room) and types at a
    person's pace. Targets: p50 under 300 ms, p95 under 1 s.
  - *all at the same instant*: the 20 press Enter on each experience within the same
    moment, which no room does; printed to show the worst case, with no target.

  Needs Chromium (skipped, saying so, without it).

    python bench/bench_workshop.py            # figures; exit 0
    python bench/bench_workshop.py --check    # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import database  # noqa: E402

from cxprio import parse_catalogue  # noqa: E402
from cxprio.catalogue.generate import generate_catalogue  # noqa: E402
from cxprio.catalogue.model import MEASURES  # noqa: E402
from cxprio.method.rounds.checks import parse_criteria  # noqa: E402
from cxprio.method.rounds.model import CRITERIA, kind_of  # noqa: E402
from cxprio.outputs.rounds import facilitator_view  # noqa: E402
from cxprio.store.imports import import_file  # noqa: E402
from cxprio.store.round_scores import join, record, scores  # noqa: E402
from cxprio.store.rounds import get_round, open_round, reveal  # noqa: E402
from cxprio.store.versions import Store  # noqa: E402

PARTICIPANTS = 20
SCORES_EACH = 50
EXPERIENCES = 50
SAVE_TARGET = 0.050  # p95, seconds, on SQLite
VIEW_TARGET = 0.200  # median, seconds
REFRESHES = 20
CLICK_P50_TARGET = 0.300  # seconds
CLICK_P95_TARGET = 1.0
ROOM_EXPERIENCES = ["query-a-bill", "moving-home", "move-in", "change-tariff", "resolve-a-complaint"]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepared(url: str, folder: Path) -> tuple[Store, str, list[str]]:
    """A store holding a generated catalogue of 1,000 experiences, and a round open on
    50 of them with all six criteria and a weights vote."""
    path = folder / "catalogue.yaml"
    if not path.exists():
        path.write_text(generate_catalogue(experiences=1000, teams=60, seed=5), encoding="utf-8")
    store = Store(url)
    import_file(store, path)
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    chosen = [e.id for e in catalogue.experiences][:EXPERIENCES]
    code = open_round(
        store,
        catalogue,
        latest.id,
        experiences=chosen,
        criteria={c: kind_of(c) for c in CRITERIA},
        author="bench",
        weights_vote=True,
    ).code
    return store, code, chosen


def saves(url: str, folder: Path) -> tuple[float, float, float, int]:
    """20 participants saving 50 scores each at once: (throughput per second, p95,
    median, scores stored)."""
    store, code, chosen = prepared(url, folder)
    people = [join(store, code, f"Participant {n:02d}") for n in range(PARTICIPANTS)]
    timings: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(PARTICIPANTS + 1)

    def participate(index: int) -> None:
        rng = random.Random(index)
        person = people[index]
        mine = []
        start.wait()
        for n in range(SCORES_EACH):
            experience = chosen[n % len(chosen)]
            began = time.perf_counter()
            record(store, code, person, [(experience, "reach", rng.randint(1_000, 500_000))])
            mine.append(time.perf_counter() - began)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=participate, args=(i,)) for i in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    stored = len(scores(store, get_round(store, code)))
    store.close()
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return len(timings) / took, p95, statistics.median(timings), stored


def refresh(url: str, folder: Path) -> float:
    """Median seconds of one facilitator view refresh (see the module's text)."""
    store, code, chosen = prepared(url, folder)
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    weights = catalogue.scoring.weights.as_dict()
    rng = random.Random(1)
    for n in range(PARTICIPANTS):
        person = join(store, code, f"Participant {n:02d}")
        entries: list[tuple[str, str, object]] = [
            (e, c, rng.random() * 0.6 if c == "failure_demand" else rng.randint(1, 5))
            for e in chosen
            for c in MEASURES
        ]
        entries += [
            (e, "ambition", rng.choice(["unique", "distinct", "competitive", "uncompetitive"]))
            for e in chosen
        ]
        entries += [("", f"weight:{m}", rng.choice([0.1, 0.2, 0.3])) for m in MEASURES]
        record(store, code, person, entries)
    reveal(store, code)
    facilitator_view(store, code, catalogue, weights)  # warm: imports, first connection
    timings = []
    for _ in range(REFRESHES):
        began = time.perf_counter()
        view = facilitator_view(store, code, catalogue, weights)
        timings.append(time.perf_counter() - began)
    assert len(view.rows) == PARTICIPANTS * (EXPERIENCES * 6 + len(MEASURES))
    store.close()
    return statistics.median(timings)


def clicks(folder: Path, *, in_step: bool) -> tuple[list[float], list[float]]:
    """For 20 participants in Chromium scoring at once (see the module's text), sorted:
    seconds from each Enter that saves an experience's form to the page showing it
    saved, and to the server's answer arriving (its run finished: the rest is the
    browser drawing it, on the same two cores). ``in_step``: all press Enter at the
    same instant, else at a person's pace."""
    import asyncio

    from bench_browser import CHROMIUM, LAUNCH_ARGS, server  # type: ignore[import-not-found]
    from playwright.async_api import async_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    folder.mkdir(parents=True, exist_ok=True)
    catalogue = folder / "experiences.yaml"
    catalogue.write_bytes((ROOT / "config" / "experiences.yaml").read_bytes())
    database_file = folder / "room.db"
    store = Store(f"sqlite:///{database_file}")
    import_file(store, catalogue)
    latest = store.latest()
    assert latest is not None
    code = open_round(
        store,
        parse_catalogue(store.text(latest.id)).catalogue,
        latest.id,
        experiences=ROOM_EXPERIENCES,
        criteria=parse_criteria("reach:number,depth,ambition"),
        author="bench",
    ).code
    store.close()
    timings: list[float] = []
    answers: list[float] = []
    count = len(ROOM_EXPERIENCES)

    async def participant(
        browser: object, name: str, joined: asyncio.Barrier, ready: asyncio.Barrier, base: str
    ) -> None:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        page = await context.new_page()
        page.set_default_timeout(120_000)
        finished: list[float] = []  # when each of the board's script runs ended, as received

        def frame(payload: bytes | str) -> None:
            if (
                isinstance(payload, bytes)
                and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished"
            ):
                finished.append(time.perf_counter())

        page.on("websocket", lambda socket: socket.on("framereceived", frame))
        await page.goto(f"{base}/rounds?round={code}")
        await page.get_by_role("textbox", name="Your name").fill(name)
        await page.keyboard.press("Enter")
        await page.get_by_text(f"{name}: 0 of").first.wait_for()
        await joined.wait()
        rng = random.Random(name)
        pace = 0 if in_step else 60  # milliseconds between keys
        for index in range(count):
            await page.get_by_text(f"{index + 1} of {count}:").first.wait_for()
            if not in_step:
                await asyncio.sleep(rng.uniform(2.0, 6.0))  # reading and thinking: the room's pace
            # The ambition first, with a click: then Enter in the depth field saves the form,
            # with no Tab to the button, whose place a busy page may not have drawn yet.
            await page.get_by_test_id("stRadioGroup").get_by_text("Distinct", exact=True).click()
            await page.get_by_role("spinbutton", name="Reach (customers a year)").click()
            await page.keyboard.type(str(rng.randint(50, 500) * 1000), delay=pace)
            await page.keyboard.press("Tab")
            await page.keyboard.type(str(rng.randint(1, 5)), delay=pace)
            saved = (
                page.get_by_text(f"{name}: {index + 1} of {count} experiences scored")
                if index + 1 < count
                else page.get_by_text("You have scored every experience")
            )
            if in_step:
                await ready.wait()
            began = time.perf_counter()
            await page.keyboard.press("Enter")
            await saved.first.wait_for()
            timings.append(time.perf_counter() - began)
            for _poll in range(400):  # the run's end may be read just after what it drew
                if any(t > began for t in finished):
                    break
                await asyncio.sleep(0.005)
            answers.append(min((t for t in finished if t > began), default=float("nan")) - began)
        await context.close()

    async def room(base: str) -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            joined, ready = asyncio.Barrier(PARTICIPANTS), asyncio.Barrier(PARTICIPANTS)
            await asyncio.gather(
                *(participant(browser, f"P{n:02d}", joined, ready, base) for n in range(PARTICIPANTS))
            )
            await browser.close()

    with server(catalogue, database_file) as base:
        asyncio.run(room(base))
    check = Store(f"sqlite:///{database_file}")
    stored = len(scores(check, get_round(check, code)))
    check.close()
    if stored != PARTICIPANTS * count * 3:
        raise SystemExit(f"bench_workshop: only {stored} of {PARTICIPANTS * count * 3} scores were stored")
    return sorted(timings), sorted(answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("CXPRIO_TEST_POSTGRES_URL") else [])
    if len(kinds) == 1:
        say("bench_workshop: PostgreSQL skipped (set CXPRIO_TEST_POSTGRES_URL to include it)")
    missed = 0
    lines = [
        f"Workshop rounds: {PARTICIPANTS} participants saving {SCORES_EACH} scores each at once; "
        f"the facilitator's view with {PARTICIPANTS} participants x {EXPERIENCES} experiences"
    ]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for kind in kinds:
            say(f"{kind}: {PARTICIPANTS} participants saving ...")
            with database(kind, folder) as url:
                rate, p95, median, stored = saves(url, folder)
            whole = (
                "every score stored once" if stored == PARTICIPANTS * SCORES_EACH else f"ONLY {stored} STORED"
            )
            missed += stored != PARTICIPANTS * SCORES_EACH
            if kind == "sqlite":
                verdict = "ok" if p95 < SAVE_TARGET else "MISSED"
                missed += p95 >= SAVE_TARGET
                target = f"target p95 < {SAVE_TARGET * 1000:.0f} ms  {verdict}"
            else:
                target = "(no target)"
            lines.append(
                f"  {kind:10} save: {rate:6.0f} scores/s, p95 {p95 * 1000:5.1f} ms, median {median * 1000:5.1f} ms, "
                f"{whole}   {target}"
            )
            say(f"{kind}: facilitator view ...")
            with database(kind, folder) as url:
                took = refresh(url, folder)
            verdict = "ok" if took < VIEW_TARGET else "MISSED"
            missed += took >= VIEW_TARGET
            lines.append(
                f"  {kind:10} facilitator view refresh: {took * 1000:5.0f} ms (median of {REFRESHES})"
                f"   target < {VIEW_TARGET * 1000:.0f} ms  {verdict}"
            )
        if not Path(os.environ.get("CXPRIO_CHROMIUM", "/usr/bin/chromium")).exists():
            say("bench_workshop: click to saved skipped: no Chromium (apt-get install -y chromium)")
        else:
            for in_step in (False, True):
                how = "all at the same instant" if in_step else "a room scoring at once"
                say(f"browser: {PARTICIPANTS} participants, {len(ROOM_EXPERIENCES)} experiences, {how} ...")
                timings, answers = clicks(folder / ("in-step" if in_step else "room"), in_step=in_step)
                p50 = statistics.median(timings)
                p95 = timings[int(0.95 * (len(timings) - 1))]
                if in_step:
                    target = "(no target: no room does this)"
                else:
                    verdict = "ok" if p50 < CLICK_P50_TARGET and p95 < CLICK_P95_TARGET else "MISSED"
                    missed += verdict != "ok"
                    target = (
                        f"target p50 < {CLICK_P50_TARGET * 1000:.0f} ms, p95 < {CLICK_P95_TARGET * 1000:.0f} ms  "
                        + verdict
                    )
                lines.append(
                    f"  browser    click to saved, {how}, {len(timings)} saves by {PARTICIPANTS} participants: "
                    f"p50 {p50 * 1000:4.0f} ms, p95 {p95 * 1000:4.0f} ms, max {timings[-1] * 1000:4.0f} ms   {target}"
                )
                lines.append(
                    f"             of which the server's answer arrived after: p50 "
                    f"{statistics.median(answers) * 1000:4.0f} ms, p95 {answers[int(0.95 * (len(answers) - 1))] * 1000:4.0f} ms"
                )
    print("\n".join(lines))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
