"""Workshop rounds (cxprio.method.rounds, the store's rounds, round_scores and
round_closing, cxprio.outputs.rounds): opening, joining, scoring, hiding, summarising,
closing through the audited save; concurrency on SQLite and on a real PostgreSQL.

Expected figures come from an independent computation: quartiles from
``statistics.quantiles(..., method="inclusive")`` (the same linear interpolation as
``numpy.percentile``'s default, computed another way), rankings from ``score()`` of a
catalogue edited through its YAML text.
"""

from __future__ import annotations

import math
import random
import re
import statistics
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxprio import parse_catalogue
from cxprio.catalogue.edit import Edit, apply_edits
from cxprio.catalogue.limits import PERSON_NAME_LENGTH, TITLE_LENGTH
from cxprio.catalogue.model import MEASURES
from cxprio.method.rounds.checks import parse_criteria, select_experiences
from cxprio.method.rounds.model import RoundError
from cxprio.method.rounds.proposals import proposals
from cxprio.method.rounds.summary import aggregate
from cxprio.method.scoring import score
from cxprio.outputs.rounds import preview, scores_csv, weights_vote
from cxprio.store.imports import import_file
from cxprio.store.round_closing import close_round
from cxprio.store.round_scores import import_scores, join, participants, record, rejoin, scores
from cxprio.store.rounds import get_round, list_rounds, open_round, reveal
from cxprio.store.schema import round_scores
from cxprio.store.versions import Store

from .conftest import SAMPLE, store_cli


def hand_quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


@pytest.fixture
def sample(store: Store, tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    import_file(store, path)
    yield store, path


def opened(store: Store, **options: object) -> str:
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    kwargs: dict = {
        "experiences": select_experiences(catalogue, level="journey")[:6],
        "criteria": parse_criteria("reach:number,depth,failure_demand:number,ambition"),
        "author": "Fran",
        "title": "Q4 workshop",
        **options,
    }
    return open_round(store, catalogue, latest.id, **kwargs).code


def test_a_round_has_a_short_code_found_however_it_is_typed(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    assert len(code) == 6 and not set(code) & set("01OI")
    typed = f" {code[:3].lower()}-{code[3:]} "
    found = get_round(store, typed)
    assert found.code == code and found.title == "Q4 workshop" and found.state() == "open"
    assert found.criteria == {
        "reach": "number",
        "depth": "judgement",
        "failure_demand": "number",
        "ambition": "tier",
    }
    with pytest.raises(RoundError, match="no round with the code"):
        get_round(store, "ZZZZZZ")


@pytest.mark.parametrize("fact", ["reach", "frequency", "cost", "failure_demand"])
@pytest.mark.parametrize("written", ["{fact}", "{fact}:judgement", "{fact}:guess"])
def test_a_fact_is_asked_only_as_a_number_in_its_unit(fact: str, written: str) -> None:
    with pytest.raises(RoundError) as refused:
        parse_criteria(f"depth,{written.format(fact=fact)},ambition")
    assert f"write {fact}:number" in str(refused.value) and "measured fact" in str(refused.value)
    assert parse_criteria(f"{fact}:number") == {fact: "number"}


def test_depth_is_a_judgement_and_ambition_a_tier_vote() -> None:
    assert parse_criteria("depth, Ambition") == {"depth": "judgement", "ambition": "tier"}
    assert parse_criteria("depth:judgement") == {"depth": "judgement"}
    with pytest.raises(RoundError, match="depth is a judgement from 1 to 5: write just 'depth'"):
        parse_criteria("depth:number")
    with pytest.raises(RoundError, match="write just 'ambition'"):
        parse_criteria("ambition:number")


def test_criteria_and_choices_are_checked(sample: tuple[Store, Path]) -> None:
    with pytest.raises(RoundError, match="not a criterion"):
        parse_criteria("reach:number,happiness")
    with pytest.raises(RoundError, match="at least one"):
        parse_criteria(" , ")
    store, _ = sample
    latest = store.latest()
    assert latest is not None
    with pytest.raises(RoundError, match="cannot be scored as 'judgement'"):  # past the parser too
        open_round(
            store,
            parse_catalogue(store.text(latest.id)).catalogue,
            latest.id,
            experiences=["query-a-bill"],
            criteria={"reach": "judgement"},
            author="Fran",
        )
    catalogue = parse_catalogue(SAMPLE.read_text()).catalogue
    with pytest.raises(RoundError, match="not in the catalogue: nope"):
        select_experiences(catalogue, ids=["nope"])
    with pytest.raises(RoundError, match="not a level"):
        select_experiences(catalogue, level="galaxy")
    assert select_experiences(catalogue) == [e.id for e in catalogue.experiences]
    moments = select_experiences(catalogue, level="moment")
    assert moments == [e.id for e in catalogue.experiences if e.level.value == "moment"]


def test_the_same_name_cannot_join_twice_but_its_owner_comes_back(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    ana = join(store, code, "  Ana   Lima ")
    assert ana.name == "Ana Lima"
    with pytest.raises(RoundError, match="as 'ANA LIMA' already"):
        join(store, code, "ANA LIMA")
    assert rejoin(store, code, ana.token) == ana
    assert rejoin(store, code, "not-a-token") is None
    signed = join(store, code, "Ben", user="ben@example.org")
    assert join(store, code, "Ben B", user="BEN@example.org") == signed  # the account's own place
    assert [p.name for p in participants(store, get_round(store, code))] == ["Ana Lima", "Ben"]
    with pytest.raises(RoundError, match="give your name"):
        join(store, code, "   ")


def test_bad_scores_are_refused_and_nothing_of_the_batch_is_stored(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    first = found.experiences[0]
    ana = join(store, code, "Ana")
    bad = [
        ((first, "depth", 6), "out of range: a judgement is from 1 to 5"),
        ((first, "depth", 0.5), "out of range"),
        ((first, "reach", -1), "reach as a number is 0 or more"),
        ((first, "failure_demand", 1.5), "failure_demand as a number is from 0 to 1"),
        ((first, "failure_demand", "lots"), "not a number"),
        ((first, "failure_demand", "nan"), "not a number that can be stored"),
        ((first, "cost", 3), "does not ask for 'cost'"),
        (("not-here", "reach", 3), "is not scored in round"),
        ((first, "ambition", "legendary"), "not a tier"),
        (("", "weight:reach", 0.3), "no weights vote"),
    ]
    for entry, message in bad:
        with pytest.raises(RoundError, match=message):
            record(store, code, ana, [(first, "reach", 3), entry])  # a good score before the bad
    assert scores(store, found) == []
    record(store, code, ana, [(first, "reach", 3), (first, "ambition", "Distinct")])
    record(store, code, ana, [(first, "reach", 4)])  # a change replaces, never adds
    stored = {(s.experience, s.criterion): s.shown for s in scores(store, found)}
    assert stored == {(first, "reach"): "4", (first, "ambition"): "distinct"}
    record(store, code, ana, [(first, "reach", None)])  # cleared
    assert {(s.experience, s.criterion) for s in scores(store, found)} == {(first, "ambition")}


def test_a_closed_round_or_one_past_its_time_takes_no_scores(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store, closes_at=datetime.now(UTC) + timedelta(hours=1))
    ana = join(store, code, "Ana")
    first = get_round(store, code).experiences[0]
    with store.engine.begin() as connection:  # the clock moves past the closing time
        connection.execute(
            sa.text("UPDATE rounds SET closes_at = :t"), {"t": datetime.now(UTC) - timedelta(minutes=1)}
        )
    with pytest.raises(RoundError, match="stopped taking scores"):
        record(store, code, ana, [(first, "reach", 3)])
    with pytest.raises(RoundError, match="stopped taking scores"):
        join(store, code, "Ben")
    close_round(store, code, accept="none", author="Fran")
    with pytest.raises(RoundError, match="was closed at"):
        record(store, code, ana, [(first, "reach", 3)])
    with pytest.raises(RoundError, match="closed already"):
        close_round(store, code, accept="none", author="Fran")
    with pytest.raises(RoundError, match="closed"):
        reveal(store, code)
    with pytest.raises(RoundError, match="has passed"):
        opened(store, closes_at=datetime.now(UTC) - timedelta(minutes=1))


def test_reveal_one_experience_then_the_round(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    assert not any(found.is_revealed(e) for e in found.experiences)
    one = reveal(store, code, found.experiences[1])
    assert [e for e in found.experiences if one.is_revealed(e)] == [found.experiences[1]]
    assert not one.revealed_all
    with pytest.raises(RoundError, match="not scored"):
        reveal(store, code, "nope")
    assert reveal(store, code).revealed_all


def test_aggregates_match_a_hand_computation_widest_disagreement_first(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    calm, torn = found.experiences[0], found.experiences[1]
    judgements = {"Ana": (3, 1), "Ben": (3, 5), "Caro": (4, 2), "Dev": (3, 5), "Eli": (3, 4)}
    for name, (on_calm, on_torn) in judgements.items():
        person = join(store, code, name)
        record(store, code, person, [(calm, "depth", on_calm), (torn, "depth", on_torn)])
    record(
        store,
        code,
        join(store, code, "Fay"),
        [(torn, "ambition", "unique"), (calm, "ambition", "competitive")],
    )
    record(
        store,
        code,
        rejoin(store, code, participants(store, found)[0].token),
        [(torn, "ambition", "distinct")],
    )  # type: ignore[arg-type]
    summaries = aggregate(found, scores(store, found))
    assert summaries[0].experience == torn  # the wider disagreement first
    by_key = {(a.experience, a.criterion): a for a in summaries}
    for experience, column in ((calm, 0), (torn, 1)):
        values = [float(v[column]) for v in judgements.values()]
        q1, median, q3 = hand_quartiles(values)
        got = by_key[(experience, "depth")]
        assert (got.n, got.min, got.max) == (5, min(values), max(values))
        assert math.isclose(got.median, median) and math.isclose(got.q1, q1) and math.isclose(got.q3, q3)
        assert math.isclose(got.spread, (q3 - q1) / 4)
        assert math.isclose(got.disagreement, hand_disagreement(values, 4))
        assert dict(got.counts) == {v: values.count(v) for v in set(values)}
    votes = by_key[(torn, "ambition")]
    assert dict(votes.votes) == {"unique": 1, "distinct": 1, "competitive": 0, "uncompetitive": 0}
    assert votes.majority is None  # a tie is for the room to decide
    assert by_key[(calm, "ambition")].majority == "competitive"


def hand_disagreement(values: list[float], width: float) -> float:
    """The population standard deviation as a share of half the range, by hand."""
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / (width / 2)


def test_one_voice_far_from_the_rest_comes_before_a_mild_split(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    dissent, mild = found.experiences[0], found.experiences[1]
    for name, (lone, split) in {"A": (5, 3), "B": (5, 3), "C": (5, 4), "D": (5, 4), "E": (1, 4)}.items():
        record(store, code, join(store, code, name), [(dissent, "depth", lone), (mild, "depth", split)])
    summaries = aggregate(found, scores(store, found))
    assert [a.experience for a in summaries] == [dissent, mild]
    first, second = summaries
    assert math.isclose(first.disagreement, 0.8) and math.isclose(
        second.disagreement, hand_disagreement([3, 3, 4, 4, 4], 4)
    )
    assert first.spread == 0 < second.spread  # the interquartile range alone would not hear her


def test_the_two_ends_are_named_for_the_facilitator_with_their_scores(sample: tuple[Store, Path]) -> None:
    from cxprio.outputs.rounds import extremes

    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    first, second = found.experiences[:2]
    for name, depth, reach in (
        ("Ana", 5, 410_000),
        ("Ben", 5, 410_000),
        ("Caro", 1, 90_000),
        ("Dev", 3, 410_000),
    ):
        record(
            store,
            code,
            join(store, code, name),
            [(first, "depth", depth), (first, "reach", reach), (second, "depth", 2)],
        )
    summaries = aggregate(found, scores(store, found))
    ends = extremes(scores(store, found), summaries)
    rows = {(r.experience, r.criterion): (r.lowest, r.low, r.highest, r.high) for r in ends.itertuples()}
    assert rows == {
        (first, "depth"): ("Caro", "1", "Ana, Ben", "5"),
        (first, "reach"): ("Caro", "90,000", "Ana, Ben, Dev", "410,000"),
    }  # the second experience, where all agree, has no ends to ask


def test_numbers_disagree_on_their_scale_whatever_the_unit(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    first = found.experiences[0]
    for name, reach in (("A", 1000), ("B", 1_000_000)):
        record(store, code, join(store, code, name), [(first, "reach", reach)])
    (got,) = aggregate(found, scores(store, found))
    low, high = math.log(1000), math.log(5_000_000)  # the default reach scale, log
    placed = [(math.log(v) - low) / (high - low) for v in (1000, 1_000_000)]
    assert math.isclose(got.disagreement, hand_disagreement(placed, 1))


def test_a_proposal_is_made_only_where_the_result_differs_from_today(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store, experiences=["query-a-bill", "moving-home"])
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    found = get_round(store, code)
    for name, reach, depth, tier in (
        ("A", 410_000, 3, "distinct"),
        ("B", 400_000, 3, "distinct"),
        ("C", 420_000, 4, "unique"),
    ):
        record(
            store,
            code,
            join(store, code, name),
            [
                ("query-a-bill", "reach", reach),
                ("query-a-bill", "depth", depth),
                ("query-a-bill", "ambition", tier),
            ],
        )
    record(store, code, join(store, code, "D"), [("moving-home", "depth", 2)])
    offered = proposals(found, aggregate(found, scores(store, found), catalogue), catalogue)
    # Depth 3 and ambition distinct are today's values: nothing is proposed for them.
    assert [(p.key, p.current, p.proposed) for p in offered] == [
        ("query-a-bill:reach", 320_000.0, 410_000.0),
        ("moving-home:depth", 5.0, 2.0),
    ] or [(p.key, p.current, p.proposed) for p in offered] == [
        ("moving-home:depth", 5.0, 2.0),
        ("query-a-bill:reach", 320_000.0, 410_000.0),
    ]
    reach = next(p for p in offered if p.criterion == "reach")
    assert reach.described() == "Reach: 320,000 → 410,000 customers a year, +28%"
    assert reach.source == "median of 3 numbers" and reach.implausible == ""
    depth = next(p for p in offered if p.criterion == "depth")
    assert depth.described("Moving home") == "Moving home: depth: 5 → 2 of 5"
    assert depth.source == "median of 1 judgement (1-5)"


@pytest.mark.parametrize(
    ("today", "proposed", "flagged"),
    [
        (100.0, 300.0, False),  # three times: the edge, still plausible
        (100.0, 301.0, True),
        (300.0, 100.0, False),
        (300.0, 99.0, True),
        (0.0, 5.0, True),
        (40.0, 0.0, True),
        (None, 50.0, False),
    ],
)
def test_a_fact_moved_more_than_three_times_is_implausible(
    today: float | None, proposed: float, flagged: bool
) -> None:
    from cxprio.method.rounds.proposals import implausible

    assert bool(implausible("cost", today, proposed, customers=None)) is flagged
    assert implausible("depth", today, proposed, customers=None) == ""  # a judgement is the room's own


def test_a_reach_above_the_organisations_customers_is_implausible() -> None:
    from cxprio.method.rounds.proposals import implausible

    assert "more than the organisation's 1,200,000 customers" in implausible(
        "reach", 1_000_000, 1_300_000, customers=1_200_000
    )
    assert implausible("reach", 1_000_000, 1_200_000, customers=1_200_000) == ""
    assert implausible("reach", 1_000_000, 1_300_000, customers=None) == ""
    assert implausible("frequency", 1, 2, customers=1) == ""  # the count bounds reach only


def test_a_room_never_silently_replaces_a_measured_fact() -> None:
    from cxprio.method.rounds.proposals import implausible

    said = implausible("cost", 100_000, 110_000, customers=None, measured=True)
    assert said == "it would replace a measured value"
    assert implausible("cost", 100_000, 110_000, customers=None, measured=False) == ""
    assert implausible("cost", None, 110_000, customers=None, measured=True) == ""  # nothing measured yet
    assert implausible("depth", 3, 4, customers=None, measured=True) == "it would replace a measured value"
    assert implausible("depth", 3, 4, customers=None, measured=False) == ""  # a judgement is the room's


def test_a_fact_judged_1_to_5_by_an_old_round_is_never_written_over_the_measurement(
    sample: tuple[Store, Path],
) -> None:
    store, path = sample
    code = opened(store, experiences=["query-a-bill"])
    with store.engine.begin() as connection:  # as a round opened before facts were numbers
        connection.execute(
            sa.text("UPDATE rounds SET criteria = :c WHERE code = :code"),
            {"c": '{"reach": "judgement", "depth": "judgement"}', "code": code},
        )
    for name in ("A", "B", "C", "D"):
        record(
            store, code, join(store, code, name), [("query-a-bill", "reach", 5), ("query-a-bill", "depth", 4)]
        )
    before = store.latest()
    assert before is not None
    closed = close_round(store, code, accept="all", author="Fran", file=path, file_sha256=before.sha256)
    assert closed.saved is not None
    after = parse_catalogue(store.text(closed.saved.version.id)).catalogue.experience("query-a-bill")
    assert (after.measures.reach, after.measures.depth) == (320_000, 4)
    assert [(p.criterion, p.note) for p in closed.skipped] == [
        ("reach", "asked as a 1-5 judgement, which is never written over a measured fact")
    ]
    assert [(r.field, r.new) for r in store.audit(closed.saved.version.id)] == [("measures.depth", "4")]


def test_closing_writes_only_the_accepted_changed_values_as_the_catalogue_writes_them(
    sample: tuple[Store, Path],
) -> None:
    store, path = sample
    code = opened(store, experiences=["query-a-bill", "moving-home", "move-in"])
    found = get_round(store, code)
    plan = {  # reach (number), failure demand (number), depth (judgement), ambition
        "Ana": (400_000, 0.5, 4, "unique"),
        "Ben": (410_000, 0.4, 4, "unique"),
        "Caro": (450_000, 0.45, 2, "distinct"),
    }
    for name, (reach, demand, depth, tier) in plan.items():
        record(
            store,
            code,
            join(store, code, name),
            [(e, "reach", reach) for e in found.experiences]
            + [("query-a-bill", "failure_demand", demand), ("query-a-bill", "depth", depth)]
            + [("query-a-bill", "ambition", tier), ("moving-home", "ambition", tier)],
        )
    before = store.latest()
    assert before is not None
    catalogue = parse_catalogue(store.text(before.id)).catalogue
    closed = close_round(
        store,
        code,
        accept=["query-a-bill:reach", "query-a-bill:depth", "moving-home"],
        author="Fran",
        file=path,
        file_sha256=before.sha256,
    )
    assert closed.round.closed and closed.round.closed_by == "Fran" and closed.round.revealed_all
    assert closed.saved is not None and closed.round.result_version_id == closed.saved.version.id
    saved = closed.saved.version.id
    after = parse_catalogue(store.text(saved)).catalogue
    median_reach = statistics.median(p[0] for p in plan.values())
    bill, home, move_in = (after.experience(e) for e in ("query-a-bill", "moving-home", "move-in"))
    assert bill.measures.reach == median_reach and bill.measures.depth == 4
    assert (
        bill.measures.failure_demand == catalogue.experience("query-a-bill").measures.failure_demand
    )  # not ticked
    assert bill.ambition == catalogue.experience("query-a-bill").ambition  # not ticked
    assert (
        home.measures.reach == median_reach and home.ambition is not None and home.ambition.value == "unique"
    )
    assert move_in == catalogue.experience("move-in")  # not ticked at all
    text = path.read_text()
    assert parse_catalogue(text).catalogue == after  # the file is written too
    assert f"reach: {int(median_reach)}," in text and f"{float(median_reach)}" not in text  # not 410000.0
    audit = store.audit(saved)
    assert sorted((r.experience, r.field, r.old, r.new) for r in audit) == sorted(
        [
            ("query-a-bill", "measures.reach", "320000", "410000"),
            ("query-a-bill", "measures.depth", "3", "4"),
            ("moving-home", "measures.reach", "180000", "410000"),
            ("moving-home", "ambition", "distinct", "unique"),
        ]
    )
    assert all(f"workshop round {code}" in r.rationale and r.author == "Fran" for r in audit)
    notes = {(r.experience, r.field): r.note for r in audit}
    assert notes[("query-a-bill", "measures.reach")] == f"round {code}: median of 3 numbers"
    assert notes[("query-a-bill", "measures.depth")] == f"round {code}: median of 3 judgements (1-5)"
    assert notes[("moving-home", "ambition")] == f"round {code}: 2 of 3 votes"
    assert closed.count == len(audit) == 4 and len(closed.round.accepted) == 4
    assert closed.summary() == f"Round {code} closed; 4 values saved as version {saved}."
    with pytest.raises(RoundError, match="closed"):
        record(store, code, participants(store, found)[0], [("query-a-bill", "reach", 1)])
    assert len(scores(store, found)) == 3 * 7  # the raw scores stay
    assert (
        scores_csv(scores(store, found)).splitlines()[0]
        == "participant,experience,criterion,value,updated_at"
    )


def test_an_implausible_value_needs_its_own_confirmation(sample: tuple[Store, Path]) -> None:
    from cxprio.method.rounds.proposals import Unconfirmed

    store, _ = sample  # the sample states 1,200,000 customers
    code = opened(store, experiences=["query-a-bill", "moving-home"])
    for name in ("A", "B", "C", "D"):  # far above today's 320,000, and above 1.2 million customers
        record(
            store,
            code,
            join(store, code, name),
            [("query-a-bill", "reach", 5_000_000), ("moving-home", "reach", 200_000)],
        )
    latest = store.latest()
    with pytest.raises(Unconfirmed) as refused:
        close_round(store, code, accept="all", author="Fran")
    assert [p.key for p in refused.value.proposals] == ["query-a-bill:reach"]
    message = str(refused.value)
    assert "320,000 → 5,000,000 customers a year" in message and "15.6 times today's value" in message
    assert "more than the organisation's 1,200,000 customers" in message
    assert store.latest() == latest and not get_round(store, code).closed  # nothing saved
    closed = close_round(store, code, accept="all", confirm=["query-a-bill:reach"], author="Fran")
    assert closed.saved is not None
    changed = {(r.experience, r.new) for r in store.audit(closed.saved.version.id)}
    assert changed == {("query-a-bill", "5000000"), ("moving-home", "200000")}


def test_a_measured_fact_is_replaced_only_when_confirmed(sample: tuple[Store, Path]) -> None:
    from cxprio.method.rounds.proposals import Unconfirmed

    store, _ = (
        sample  # the sample's financial difficulty has a measured reach, 95,000; query a bill's is estimated
    )
    code = opened(store, experiences=["financial-difficulty", "query-a-bill"])
    for name in ("A", "B", "C"):
        record(
            store,
            code,
            join(store, code, name),
            [("financial-difficulty", "reach", 100_000), ("query-a-bill", "reach", 330_000)],
        )
    latest = store.latest()
    with pytest.raises(Unconfirmed) as refused:
        close_round(store, code, accept="all", author="Fran")
    assert [p.key for p in refused.value.proposals] == ["financial-difficulty:reach"]
    assert "it would replace a measured value" in str(refused.value)
    assert store.latest() == latest and not get_round(store, code).closed  # nothing saved
    closed = close_round(store, code, accept="all", confirm=["financial-difficulty:reach"], author="Fran")
    assert closed.saved is not None
    changed = {(r.experience, r.field, r.new) for r in store.audit(closed.saved.version.id)}
    assert changed == {
        ("financial-difficulty", "measures.reach", "100000"),
        ("financial-difficulty", "evidence.reach", "estimated"),  # the room's now, not a measurement
        ("query-a-bill", "measures.reach", "330000"),  # an estimate already: its evidence stays
    }
    after = store.catalogue(closed.saved.version.id).catalogue
    assert after.experience("financial-difficulty").evidence.reach == "estimated"


def test_a_late_score_after_the_review_refuses_the_close(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store, experiences=["query-a-bill"])
    record(store, code, join(store, code, "A"), [("query-a-bill", "reach", 400_000)])
    late = join(store, code, "B")
    record(store, code, late, [("query-a-bill", "reach", 300_000)])  # median 350,000 at the review
    record(store, code, late, [("query-a-bill", "reach", 500_000)])  # then changed: median 450,000
    latest = store.latest()

    def close_as_reviewed() -> None:  # the facilitator reviewed a median of 350,000
        with pytest.raises(RoundError, match="changed since you reviewed them"):
            close_round(
                store,
                code,
                accept=["query-a-bill:reach"],
                expected={"query-a-bill:reach": 350_000},
                author="Fran",
            )

    close_as_reviewed()
    assert store.latest() == latest and not get_round(store, code).closed
    # A late score that brings the median back to today's value: nothing to propose any
    # more, and the reviewed value is not written either.
    record(store, code, late, [("query-a-bill", "reach", 240_000)])  # median 320,000: today's
    close_as_reviewed()
    assert not get_round(store, code).closed


def test_a_median_is_written_as_people_write_it_not_with_floating_point_noise(
    sample: tuple[Store, Path],
) -> None:
    store, path = sample
    code = opened(store, experiences=["move-in"])  # failure demand 0.3 today
    for name, share in (("A", 0.1), ("B", 0.2)):  # 0.1 + 0.2 is not 0.3 in binary
        record(store, code, join(store, code, name), [("move-in", "failure_demand", share)])
    latest = store.latest()
    assert latest is not None
    closed = close_round(store, code, accept="all", author="Fran", file=path, file_sha256=latest.sha256)
    assert closed.saved is not None
    assert [(r.field, r.new) for r in store.audit(closed.saved.version.id)] == [
        ("measures.failure_demand", "0.15")
    ]
    assert "failure_demand: 0.15}" in path.read_text() or "failure_demand: 0.15," in path.read_text()


def test_a_tied_ambition_is_skipped_and_accepting_nothing_changes_nothing(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    first = get_round(store, code).experiences[0]
    record(store, code, join(store, code, "Ana"), [(first, "ambition", "unique")])
    record(store, code, join(store, code, "Ben"), [(first, "ambition", "competitive")])
    latest = store.latest()
    closed = close_round(store, code, accept="all", author="Fran")
    assert closed.saved is None and [p.experience for p in closed.skipped] == [first]
    assert store.latest() == latest
    assert closed.round.closed and closed.round.result_version_id is None


def test_a_failed_save_leaves_the_round_open(sample: tuple[Store, Path]) -> None:
    store, path = sample
    code = opened(store)
    first = get_round(store, code).experiences[0]
    record(store, code, join(store, code, "Ana"), [(first, "depth", 1)])
    latest = store.latest()
    assert latest is not None
    path.write_text(path.read_text() + "\n# changed outside the board meanwhile\n")
    with pytest.raises(Exception, match="changed outside the board"):
        close_round(store, code, accept="all", author="Fran", file=path, file_sha256=latest.sha256)
    assert not get_round(store, code).closed and store.latest() == latest


def test_the_preview_equals_scoring_the_catalogue_with_the_values_saved(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    for name, judgement in (("Ana", 1), ("Ben", 1), ("Caro", 2)):
        record(store, code, join(store, code, name), [(e, "depth", judgement) for e in found.experiences])
    latest = store.latest()
    assert latest is not None
    text = store.text(latest.id)
    catalogue = parse_catalogue(text).catalogue
    weights = catalogue.scoring.weights.as_dict()
    offered = proposals(found, aggregate(found, scores(store, found), catalogue), catalogue)
    moved = preview(catalogue, offered, weights)
    edited = apply_edits(
        text,
        [Edit(p.experience, p.field, p.proposed) for p in offered if p.changes],
        teams={t.id for t in catalogue.teams},
    )
    then = score(catalogue, weights=weights).table.set_index("id")["rank"]
    now = score(parse_catalogue(edited.text).catalogue, weights=weights).table.set_index("id")["rank"]
    expected = {i: (int(then[i]), int(now[i])) for i in then.index if then[i] != now[i]}
    assert expected  # the test means something: ranks do move
    got = {r.id: (r.rank_now, r.rank_accepted) for r in moved.itertuples() if r.moves}
    assert got == expected


def test_the_weights_vote_gives_medians_and_how_many_keep_each_top_experience(
    sample: tuple[Store, Path],
) -> None:
    store, _ = sample
    code = opened(store, weights_vote=True)
    found = get_round(store, code)
    ballots = {
        "Ana": [0.4, 0.1, 0.2, 0.1, 0.2],
        "Ben": [0.1, 0.1, 0.1, 0.6, 0.1],
        "Caro": [0.5, 0.5, 1, 0, 0.5],  # shares of the sum: 0.2, 0.2, 0.4, 0, 0.2
    }
    for name, ballot in ballots.items():
        record(
            store,
            code,
            join(store, code, name),
            [("", f"weight:{m}", w) for m, w in zip(MEASURES, ballot, strict=True)],
        )
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    vote = weights_vote(scores(store, found), catalogue)
    assert vote is not None and vote.voters == 3
    shares = [[w / sum(b) for w in b] for b in ballots.values()]
    assert vote.median == {
        m: round(statistics.median(s[i] for s in shares), 4) for i, m in enumerate(MEASURES)
    }
    agreed = score(catalogue, weights=vote.median).table
    assert list(vote.top["id"]) == list(agreed["id"][:10])
    tops = [
        set(score(catalogue, weights=dict(zip(MEASURES, s, strict=True))).table["id"][:10]) for s in shares
    ]
    assert list(vote.top["kept"]) == [sum(i in t for t in tops) for i in agreed["id"][:10]]
    with pytest.raises(RoundError, match="between 0 and 1"):
        record(store, code, participants(store, found)[0], [("", "weight:reach", 2)])


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Ana\u202enaS", "bidirectional control character U+202E"),
        ("A" * (PERSON_NAME_LENGTH + 1), f"{PERSON_NAME_LENGTH + 1} characters long, above the limit of "),
    ],
    ids=["spoofed", "too-long"],
)
def test_a_name_that_reads_otherwise_or_is_too_long_is_refused_wherever_a_round_takes_one(
    sample: tuple[Store, Path], name: str, said: str
) -> None:
    store, _ = sample
    code = opened(store)
    first = get_round(store, code).experiences[0]
    with pytest.raises(RoundError, match=re.escape(said)):
        join(store, code, name)
    with pytest.raises(RoundError, match=re.escape("scores.csv:2: participant: ")) as refused:
        import_scores(
            store,
            code,
            f"participant,experience,criterion,value\n{name},{first},reach,3\n",
            source="scores.csv",
        )
    assert said in str(refused.value)
    with pytest.raises(RoundError, match=re.escape(said)):
        opened(store, author=name)
    with pytest.raises(RoundError, match=re.escape(said)):
        close_round(store, code, accept="none", author=name)
    assert participants(store, get_round(store, code)) == []


def test_a_round_title_longer_than_its_limit_is_refused(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    with pytest.raises(RoundError, match=f"above the limit of {TITLE_LENGTH}"):
        opened(store, title="T" * (TITLE_LENGTH + 1))


def test_a_scores_file_is_checked_row_by_row_and_saved_whole(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    first, second = found.experiences[:2]
    bad = (
        "participant,experience,criterion,value\n"
        f"Ana,{first},reach,3\n"
        f"Ana,{first},reach,4\n"
        f",{first},reach,3\n"
        f"Ben,nowhere,reach,3\n"
        f"Ben,{second},depth,9\n"
        f"Ben,{second}\n"
        f"Ben,{second},ambition,\n"
    )
    with pytest.raises(RoundError) as refused:
        import_scores(store, code, bad, source="scores.csv")
    message = str(refused.value)
    assert "6 bad rows in scores.csv; nothing was saved" in message
    for line in (
        "scores.csv:3: the same participant",
        "scores.csv:4: participant: empty",
        "scores.csv:5: 'nowhere'",
        "scores.csv:6: depth: 9 is out of range",
        "scores.csv:7: 2 cells",
        "scores.csv:8: value: empty",
    ):
        assert line in message
    assert scores(store, found) == []
    with pytest.raises(RoundError, match="the first line must be participant,experience,criterion,value"):
        import_scores(store, code, "name,score\nAna,3\n")
    good = f"\ufeffParticipant,Experience,Criterion,Value\nAna,{first},reach,3\nBen,{first},ambition,Unique\nAna,{second},depth,4.5\n"
    assert import_scores(store, code, good) == (3, 2)
    assert import_scores(store, code, f"participant,experience,criterion,value\nana,{first},reach,5\n") == (
        1,
        0,
    )
    stored = sorted((s.participant, s.experience, s.criterion, s.shown) for s in scores(store, found))
    assert stored == sorted(
        [("Ana", first, "reach", "5"), ("Ben", first, "ambition", "unique"), ("Ana", second, "depth", "4.5")]
    )


def test_a_restarted_server_finds_every_score(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    first = get_round(store, code).experiences[0]
    ana = join(store, code, "Ana")
    record(store, code, ana, [(first, "reach", 2)])
    again = Store(store.url)  # another process, as after a restart
    try:
        assert rejoin(again, code, ana.token) == ana
        assert [(s.participant, s.shown) for s in scores(again, get_round(again, code))] == [("Ana", "2")]
    finally:
        again.close()


def test_twenty_participants_scoring_at_once_each_score_stored_once(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    latest = store.latest()
    assert latest is not None
    catalogue = parse_catalogue(store.text(latest.id)).catalogue
    chosen = [e.id for e in catalogue.experiences][:25]
    code = open_round(
        store,
        catalogue,
        latest.id,
        experiences=chosen,
        criteria=parse_criteria("reach:number,depth"),
        author="Fran",
    ).code
    people = [join(store, code, f"Participant {n:02d}") for n in range(20)]
    rng = random.Random(7)
    planned = {
        p.name: [(e, c, rng.randint(1, 5)) for e in chosen for c in ("reach", "depth")] for p in people
    }
    failures: list[BaseException] = []
    start = threading.Barrier(len(people))

    def participate(person: object) -> None:
        try:
            start.wait()
            for entry in planned[person.name]:  # type: ignore[attr-defined]
                record(store, code, person, [entry])  # type: ignore[arg-type]
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=participate, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    found = get_round(store, code)
    stored = scores(store, found)
    assert len(stored) == 20 * 50
    assert sorted((s.participant, s.experience, s.criterion, int(s.value or 0)) for s in stored) == sorted(
        (name, e, c, v) for name, entries in planned.items() for e, c, v in entries
    )
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(round_scores)).scalar_one()
    assert rows == 1000
    for got in aggregate(found, stored):
        values = [
            float(v)
            for entries in planned.values()
            for e, c, v in entries
            if (e, c) == (got.experience, got.criterion)
        ]
        q1, median, q3 = hand_quartiles(values)
        assert (
            got.n == 20
            and math.isclose(got.median, median)
            and math.isclose(got.q1, q1)
            and math.isclose(got.q3, q3)
        )
        assert (got.min, got.max) == (min(values), max(values))


def test_no_score_lands_after_the_round_closes(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    people = [join(store, code, f"P{n}") for n in range(6)]
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_scoring(person: object) -> None:
        value = 1
        while not stop.is_set():
            try:
                record(store, code, person, [(found.experiences[0], "reach", value)])  # type: ignore[arg-type]
            except RoundError:
                return  # closed: refused, as it should be
            except BaseException as exc:
                failures.append(exc)
                return
            value = value % 5 + 1

    threads = [threading.Thread(target=keep_scoring, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while len(scores(store, found)) < len(people) and datetime.now(UTC) < deadline:
        threading.Event().wait(0.01)  # until every participant has one score in
    closed = close_round(store, code, accept="none", author="Fran")
    for thread in threads:
        thread.join(timeout=30)
    stop.set()
    assert not failures, failures[:3]
    assert closed.round.closed_at is not None
    late = [s for s in scores(store, found) if s.updated_at > closed.round.closed_at]
    assert late == []


def cli_score(
    url: str, code: str, experience: str, name: str, value: str
) -> subprocess.CompletedProcess[str]:
    """``round score`` on the command line: ``name`` scores ``experience``'s reach."""
    return store_cli(
        url,
        "round",
        "score",
        code,
        "--name",
        name,
        "--experience",
        experience,
        "--criterion",
        "reach",
        "--value",
        value,
    )


@pytest.mark.postgresql_at_scale
def test_the_command_line_runs_a_round_start_to_end(url: str, tmp_path: Path) -> None:
    import json

    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())

    def open_with(criteria: str) -> subprocess.CompletedProcess[str]:
        return store_cli(
            url,
            "round",
            "open",
            str(path),
            "--level",
            "journey",
            "--criteria",
            criteria,
            "--title",
            "CLI round",
        )

    judged = open_with("reach,depth,ambition")  # a fact as a 1-5 judgement
    assert judged.returncode == 2 and not judged.stdout
    assert "reach is a measured fact" in judged.stderr and "write reach:number" in judged.stderr
    opened_run = open_with("reach:number,depth,ambition")
    assert opened_run.returncode == 0, opened_run.stderr
    code = opened_run.stdout.strip()
    assert len(code) == 6 and "join code" in opened_run.stderr
    store = Store(url)
    try:
        found = get_round(store, code)
        assert len(list_rounds(store)) == 1  # the refused open opened nothing
        first, second = found.experiences[:2]
        for name, value in (("Ana", "150000"), ("Ben", "200000"), ("Caro", "180000")):
            run = cli_score(url, code, first, name, value)
            assert run.returncode == 0, run.stderr
        refused = cli_score(url, code, first, "Ana", "-7")
        assert refused.returncode == 2 and "out of range" in refused.stderr and not refused.stdout
        scores_file = tmp_path / "offline.csv"
        scores_file.write_text(
            "participant,experience,criterion,value\n"
            f"Dev,{first},reach,100000\nDev,{first},ambition,unique\nDev,{second},reach,9000000\n"
        )
        assert store_cli(url, "round", "import", code, str(scores_file)).returncode == 0
        bad_file = tmp_path / "bad.csv"
        bad_file.write_text(f"participant,experience,criterion,value\nEve,{first},depth,11\n")
        bad = store_cli(url, "round", "import", code, str(bad_file))
        assert bad.returncode == 2 and f"{bad_file}:2: depth: 11 is out of range" in bad.stderr
        shown = store_cli(url, "round", "show", code, "--format", "json")
        assert shown.returncode == 0, shown.stderr
        data = json.loads(shown.stdout)
        reach = next(a for a in data["aggregates"] if a["criterion"] == "reach" and a["experience"] == first)
        values = [150_000.0, 200_000.0, 180_000.0, 100_000.0]
        q1, median, q3 = hand_quartiles(values)
        assert (reach["n"], reach["min"], reach["max"]) == (4, 100_000, 200_000)
        assert (
            math.isclose(reach["median"], median)
            and math.isclose(reach["q1"], q1)
            and math.isclose(reach["q3"], q3)
        )
        low, high = math.log(1000), math.log(5_000_000)
        placed = [(math.log(v) - low) / (high - low) for v in values]
        assert math.isclose(reach["disagreement"], hand_disagreement(placed, 1), rel_tol=1e-5)
        assert next(a for a in data["aggregates"] if a["criterion"] == "ambition")["votes"]["unique"] == 1
        flagged = {p["key"]: p["implausible"] for p in data["proposals"]}
        assert flagged[f"{second}:reach"] and flagged[f"{first}:reach"] is None
        table = store_cli(url, "round", "show", code)
        assert table.returncode == 0 and first in table.stdout and "implausible" in table.stdout
        latest = store.latest()
        unconfirmed = store_cli(url, "round", "close", code, "--accept", "all", "--author", "Fran")
        assert unconfirmed.returncode == 2 and "needs its own confirmation" in unconfirmed.stderr
        assert f"--confirm {second}:reach" in unconfirmed.stderr
        assert store.latest() == latest and not get_round(store, code).closed
        ended = store_cli(url, "round", "end", code)
        assert ended.returncode == 0 and "scoring ended" in ended.stderr
        late = cli_score(url, code, first, "Eve", "150000")
        assert late.returncode == 2 and "stopped taking scores" in late.stderr
        closed = store_cli(
            url, "round", "close", code, "--accept", "all", "--confirm", f"{second}:reach", "--author", "Fran"
        )
        assert closed.returncode == 0, closed.stderr
        after = store.latest()
        assert after is not None and f"workshop round {code}" in after.rationale
        written = store.audit(after.id)
        assert f"{len(written)} values saved as version {after.id}" in closed.stderr
        assert {(r.experience, r.field, r.new) for r in written} >= {
            (first, "measures.reach", str(int(median))),
            (second, "measures.reach", "9000000"),
        }
        again = cli_score(url, code, first, "Ana", "3")
        assert again.returncode == 2 and "closed" in again.stderr
        unknown = store_cli(url, "round", "show", "QQQQQQ")
        assert unknown.returncode == 2 and "no round with the code" in unknown.stderr
    finally:
        store.close()


def test_quartiles_are_numpys_linear_percentiles() -> None:
    import numpy as np

    from cxprio.method.rounds.summary import quartiles

    rng = random.Random(5)
    for size in (1, 2, 3, 4, 7, 20, 33):
        values = [rng.choice([1, 2, 2.5, 3, 4, 5, 120000.0]) for _ in range(size)]
        expected = np.percentile(values, [25, 50, 75])
        assert np.allclose(quartiles(values), expected)


def test_in_one_group_commit_a_refused_score_undoes_only_itself(sample: tuple[Store, Path]) -> None:
    store, _ = sample
    code = opened(store)
    found = get_round(store, code)
    people = [join(store, code, f"P{n}") for n in range(12)]
    start = threading.Barrier(len(people))
    outcome: dict[str, str] = {}

    def score_once(index: int) -> None:
        start.wait()
        try:  # odd participants give an impossible judgement, at the same moment as the rest
            record(store, code, people[index], [(found.experiences[0], "depth", 9 if index % 2 else 3)])
            outcome[people[index].name] = "saved"
        except RoundError:
            outcome[people[index].name] = "refused"

    threads = [threading.Thread(target=score_once, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == {p.name: "refused" if i % 2 else "saved" for i, p in enumerate(people)}
    assert sorted(s.participant for s in scores(store, found)) == sorted(p.name for p in people[::2])
