"""What concurrent writers must never lose, on SQLite and a real PostgreSQL: a round's
close counts exactly the scores stored before it; one new name scoring in ten threads is
one participant with every score; concurrent superseding snapshots all land, in turn;
control characters are refused before anything is written."""

from __future__ import annotations

import random
import re
import statistics
import threading
from pathlib import Path

import pytest

from cxprio import UsageError, parse_catalogue
from cxprio.catalogue.edit import Edit
from cxprio.catalogue.limits import PERSON_NAME_LENGTH, REASON_LENGTH
from cxprio.method.rounds.checks import parse_criteria
from cxprio.method.rounds.model import RoundError
from cxprio.store.imports import import_file
from cxprio.store.round_closing import close_round
from cxprio.store.round_scores import join, join_or_find, participants, record, scores
from cxprio.store.rounds import get_round, open_round
from cxprio.store.saving import save_edits
from cxprio.store.snapshots import list_snapshots, take_snapshot
from cxprio.store.versions import Store

from .conftest import SAMPLE

EXPERIENCES = ["query-a-bill", "move-out", "move-in"]
CONTROL = r"control character|NUL byte"


@pytest.fixture
def sample(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    import_file(store, path)
    return store


def opened(store: Store) -> str:
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    return open_round(
        store, catalogue, latest.id, experiences=EXPERIENCES, criteria=parse_criteria("depth"), author="Fran"
    ).code


def in_threads(count: int, work: object) -> list[BaseException]:
    """Run ``work(n)`` in ``count`` threads started together; the errors they raised."""
    errors: list[BaseException] = []
    together = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            together.wait()
            work(n)  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


def test_a_close_counts_exactly_the_scores_stored_before_it(sample: Store) -> None:
    store = sample
    code = opened(store)
    people = [join(store, code, f"P{n}") for n in range(20)]
    for person in people:  # everyone has scored once before the close starts
        record(store, code, person, [(e, "depth", 3) for e in EXPERIENCES])
    closing = threading.Event()
    refused: list[str] = []

    def scorer(n: int) -> None:
        rng = random.Random(n)
        while True:  # keep scoring until the round takes no more
            try:
                record(store, code, people[n], [(e, "depth", rng.randint(1, 5)) for e in EXPERIENCES])
            except RoundError as exc:
                refused.append(str(exc))
                return
            if closing.is_set() and len(refused) > 40:
                return

    def closer() -> object:
        closing.set()
        return close_round(store, code, accept="all", author="Fran")

    results: list[object] = []
    errors = in_threads(21, lambda n: scorer(n) if n < 20 else results.append(closer()))
    assert not errors, errors[:3]
    assert len(refused) == 20  # every scorer was told, none was ignored
    found = get_round(store, code)
    assert found.closed and len(results) == 1
    closed = results[0]
    accepted = {p.experience: p.proposed for p in closed.accepted}  # type: ignore[attr-defined]
    catalogue = parse_catalogue(store.text(found.version_id)).catalogue
    final = scores(store, found)
    for experience in EXPERIENCES:
        values = [s.value for s in final if s.experience == experience and s.value is not None]
        assert len(values) == 20
        median = statistics.median(values)  # from the scores as finally stored
        if median != catalogue.experience(experience).measures.depth:
            assert accepted[experience] == pytest.approx(median), (experience, sorted(values))
        else:
            assert experience not in accepted


def test_one_new_name_scoring_in_ten_threads_at_once_is_one_participant_with_every_score(
    sample: Store,
) -> None:
    store = sample
    code = opened(store)
    found = get_round(store, code)
    wanted = [(EXPERIENCES[n % 3], "depth", n % 5 + 1) for n in range(3)]

    def first_score(n: int) -> None:
        zoe = join_or_find(store, found, "Zoe New")
        record(store, code, zoe, [wanted[n % 3]])

    for _attempt in range(3):  # the race is a narrow one: run it a few times
        errors = in_threads(10, first_score)
        assert not errors, errors[:3]
    people = [p for p in participants(store, found) if p.name == "Zoe New"]
    assert len(people) == 1
    mine = {(s.experience, s.criterion): s.value for s in scores(store, found, of=people[0])}
    assert mine == {(e, c): float(v) for e, c, v in wanted}


def test_concurrent_superseding_snapshots_all_land_one_after_the_other(sample: Store) -> None:
    store = sample
    take_snapshot(store, "2026-Q4", author="Fran")
    errors = in_threads(6, lambda n: take_snapshot(store, "2026-Q4", author=f"E{n}", supersede=True))
    assert not errors, errors[:3]
    taken = [s for s in list_snapshots(store) if s.quarter == "2026-Q4"]
    assert sorted(s.generation for s in taken) == list(range(1, 8))
    assert sorted(s.author for s in taken[1:]) == [f"E{n}" for n in range(6)]


@pytest.mark.parametrize("text", ["a\x00b", "esc \x1b[31m red", "bell\x07"])
def test_control_characters_are_refused_before_anything_is_written(sample: Store, text: str) -> None:
    store = sample
    latest = store.latest()
    assert latest is not None
    teams = {t.id for t in parse_catalogue(store.text(latest.id)).catalogue.teams}
    edit = [Edit("move-out", "measures.depth", 1)]
    with pytest.raises(UsageError, match=CONTROL):
        save_edits(store, edit, started_from=latest.id, author="Ana", rationale=text, teams=teams)
    with pytest.raises(UsageError, match=CONTROL):
        save_edits(store, edit, started_from=latest.id, author=text, rationale="ok", teams=teams)
    code = opened(store)
    with pytest.raises(UsageError, match=CONTROL):
        join(store, code, text)
    with pytest.raises(UsageError, match=CONTROL):
        take_snapshot(store, "2026-Q4", author=text)
    assert store.history() == [latest] and participants(store, get_round(store, code)) == []
    assert list_snapshots(store) == []
    # A reason of several lines is a reason, not a control character.
    saved = save_edits(store, edit, started_from=latest.id, author="Ana", rationale="one\n\ttwo", teams=teams)
    assert saved.version.rationale == "one\n\ttwo"


@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u200e"], ids=["RLO", "RLI", "LRM"])
def test_bidirectional_controls_are_refused_before_anything_is_written(sample: Store, control: str) -> None:
    store = sample
    latest = store.latest()
    assert latest is not None
    teams = {t.id for t in parse_catalogue(store.text(latest.id)).catalogue.teams}
    edit = [Edit("move-out", "measures.depth", 1)]
    text = f"gnp{control}.exe"
    said = re.escape(f"bidirectional control character U+{ord(control):04X}")
    for options in (
        {"author": "Ana", "rationale": text},
        {"author": text, "rationale": "ok"},
        {"author": "Ana", "rationale": "ok", "edits": [Edit("move-out", "measures.depth", 1, note=text)]},
    ):
        with pytest.raises(UsageError, match=said):
            save_edits(store, options.pop("edits", edit), started_from=latest.id, teams=teams, **options)
    with pytest.raises(UsageError, match=said):
        take_snapshot(store, "2026-Q4", author=text)
    assert store.history() == [latest] and list_snapshots(store) == []


def test_text_longer_than_its_limit_is_refused_before_anything_is_written(sample: Store) -> None:
    store = sample
    latest = store.latest()
    assert latest is not None
    teams = {t.id for t in parse_catalogue(store.text(latest.id)).catalogue.teams}
    edit = [Edit("move-out", "measures.depth", 1)]
    reason, name = "r" * (REASON_LENGTH + 1), "n" * (PERSON_NAME_LENGTH + 1)
    with pytest.raises(UsageError, match=f"above the limit of {REASON_LENGTH}"):
        save_edits(store, edit, started_from=latest.id, author="Ana", rationale=reason, teams=teams)
    with pytest.raises(UsageError, match=f"above the limit of {PERSON_NAME_LENGTH}"):
        save_edits(store, edit, started_from=latest.id, author=name, rationale="ok", teams=teams)
    with pytest.raises(UsageError, match=f"above the limit of {REASON_LENGTH}"):
        save_edits(
            store, [Edit("move-out", "measures.depth", 1, note=reason)], started_from=latest.id,
            author="Ana", rationale="ok", teams=teams,
        )  # fmt: skip
    with pytest.raises(UsageError, match=f"above the limit of {PERSON_NAME_LENGTH}"):
        take_snapshot(store, "2026-Q4", author=name)
    assert store.history() == [latest] and list_snapshots(store) == []
    saved = save_edits(store, edit, started_from=latest.id, author="n" * 80, rationale="r" * 500, teams=teams)
    assert saved.version.rationale == "r" * REASON_LENGTH
