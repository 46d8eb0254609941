"""A workshop round tried as a hostile participant would: a display name is one person's
in a round (signed in or not), so nobody sees another's hidden scores by taking their
name; a full round takes nobody new, even at the same instant; a participant's page
reads their own scores and what is revealed, nothing else; unknown join codes are
slowed down."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import board.participant
from board.participant import widget_key
from cxprio import parse_catalogue
from cxprio.method.rounds.checks import parse_criteria
from cxprio.method.rounds.model import DEFAULT_MAX_PARTICIPANTS, RoundError
from cxprio.store.imports import import_file
from cxprio.store.round_scores import join, join_or_find, participants, record, rejoin
from cxprio.store.rounds import get_round, open_round, reveal
from cxprio.store.versions import Store
from cxprio.throttle import Throttle

from .conftest import SAMPLE, Clock, store_cli
from .test_concurrency import in_threads
from .test_rounds_page import read

PAGE = "pages/rounds.py"
ROOT = Path(__file__).resolve().parent.parent
FIRST, SECOND = "query-a-bill", "moving-home"


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, path)
    monkeypatch.setenv("CXPRIO_CATALOGUE", str(path))
    return path


@pytest.fixture
def sample(store: Store, catalogue: Path) -> Store:
    """The sample catalogue in a store of each kind (for what needs no page)."""
    import_file(store, catalogue)
    return store


@pytest.fixture
def served(own_store: str, catalogue: Path) -> Iterator[Store]:
    """The sample catalogue in the store the board's pages use."""
    store = Store(own_store)
    import_file(store, catalogue)
    yield store
    store.close()


def opened(store: Store, *, most: int = DEFAULT_MAX_PARTICIPANTS, criteria: str = "depth") -> str:
    latest = store.latest()
    assert latest is not None
    parsed = parse_catalogue(store.text(latest.id)).catalogue
    return open_round(
        store,
        parsed,
        latest.id,
        experiences=[FIRST, SECOND],
        criteria=parse_criteria(criteria),
        author="Fran",
        max_participants=most,
    ).code


def session(code: str, user: dict[str, Any] | None = None) -> AppTest:
    """A participant's browser on the round's page, in sign-in mode; signed in as
    ``user`` or not signed in at all."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    app.secrets["cxprio"] = {"editors": ["fran@example.org"]}
    app.user = {"is_logged_in": True, **user} if user is not None else {"is_logged_in": False}
    app.run()
    app.switch_page(PAGE)
    app.query_params["round"] = code
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def typed_name(app: AppTest, name: str) -> AppTest:
    app.text_input(key="round_name").input(name)
    app.button(key="round_join_button").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def saved(app: AppTest, code: str, experience: str, depth: int) -> None:
    app.number_input(key=widget_key(code, experience, "depth")).set_value(depth)
    app.button(key=f"round_save_{code}").click().run()
    assert not app.exception, [e.value for e in app.exception]


def progress_text(app: AppTest) -> str:
    return " ".join(read(str(p.proto.text)) for p in app.get("progress"))


def test_a_name_typed_never_opens_a_signed_in_persons_hidden_scores(served: Store) -> None:
    code = opened(served)
    ana = session(code, {"email": "ana@example.org", "name": "Ana Smith"})
    saved(ana, code, FIRST, 5)
    assert "Ana Smith: 1 of 2" in progress_text(ana)
    mallory = typed_name(session(code), "ana smith")  # not signed in, the same name typed
    assert any("as 'ana smith' already" in read(e.value) for e in mallory.error), mallory.error
    assert not [n for n in mallory.number_input if n.value == 5]
    assert "me" not in mallory.query_params
    people = participants(served, get_round(served, code))
    assert [(p.name, p.identity) for p in people] == [("Ana Smith", "user:ana@example.org")]


def test_an_account_whose_name_is_taken_joins_under_its_name_and_address_and_sees_only_its_own(
    served: Store,
) -> None:
    code = opened(served)
    typed = typed_name(session(code), "Ben Ray")  # a room's laptop, first
    saved(typed, code, FIRST, 2)
    ben = session(code, {"email": "ben.ray@example.org", "name": "Ben Ray"})
    assert "Ben Ray (ben.ray@example.org): 0 of 2" in progress_text(ben), progress_text(ben)
    assert ben.number_input(key=widget_key(code, FIRST, "depth")).value != 2
    other = session(code, {"email": "b.ray@example.org", "name": "BEN RAY"})  # a second account, one name
    assert "BEN RAY (b.ray@example.org): 0 of 2" in progress_text(other)
    names = [p.name for p in participants(served, get_round(served, code))]
    assert len({n.casefold() for n in names}) == len(names) == 3


def test_scores_entered_for_someone_by_name_go_to_the_one_who_has_that_name(sample: Store) -> None:
    code = opened(sample)
    found = get_round(sample, code)
    ana = join(sample, code, "Ana Smith", user="ana@example.org")
    assert join_or_find(sample, found, "ANA SMITH").id == ana.id
    with pytest.raises(RoundError, match="already"):
        join(sample, code, "ana smith")


def test_a_full_round_takes_nobody_new_and_keeps_everyone_in_it(sample: Store) -> None:
    code = opened(sample, most=2)
    found = get_round(sample, code)
    assert found.max_participants == 2
    ana = join(sample, code, "Ana")
    join(sample, code, "Ben")
    with pytest.raises(RoundError, match=f"round {code} is full: it takes 2 participants"):
        join(sample, code, "Cleo")
    with pytest.raises(RoundError, match="is full"):
        join(sample, code, "Dee", user="dee@example.org")
    with pytest.raises(RoundError, match="is full"):
        join_or_find(sample, found, "Eve")
    assert join_or_find(sample, found, "ana").id == ana.id  # someone in it is still found
    assert rejoin(sample, code, ana.token) == ana
    record(sample, code, ana, [(FIRST, "depth", 3)])
    assert [p.name for p in participants(sample, found)] == ["Ana", "Ben"]


def test_a_round_for_one_says_so_in_words(sample: Store) -> None:
    code = opened(sample, most=1)
    join(sample, code, "Ana")
    with pytest.raises(RoundError, match="it takes 1 participant and they have joined"):
        join(sample, code, "Ben")


@pytest.mark.parametrize("most", [0, -1, 1001])
def test_a_cap_out_of_range_is_refused(sample: Store, most: int) -> None:
    with pytest.raises(RoundError, match="from 1 to 1,000 participants"):
        opened(sample, most=most)


def test_the_last_place_goes_to_one_of_ten_joining_at_once(sample: Store) -> None:
    code = opened(sample, most=4)
    join(sample, code, "Fran's colleague")
    joined: list[str] = []

    def one(n: int) -> None:
        joined.append(join(sample, code, f"Person {n}", user=f"p{n}@example.org" if n % 2 else None).name)

    errors = in_threads(10, one)
    assert len(joined) == 3 and len(errors) == 7, (joined, errors)
    assert all(isinstance(e, RoundError) and "is full" in str(e) for e in errors), errors
    assert len(participants(sample, get_round(sample, code))) == 4


def test_one_name_at_once_from_accounts_and_typed_is_still_one_name_each(sample: Store) -> None:
    code = opened(sample)
    joined: list[str] = []

    def one(n: int) -> None:
        joined.append(join(sample, code, "Sam Lee", user=f"sam{n}@example.org" if n % 2 else None).name)

    errors = in_threads(8, one)
    assert all(isinstance(e, RoundError) and "'Sam Lee' already" in str(e) for e in errors), errors
    people = participants(sample, get_round(sample, code))
    names = [p.name.casefold() for p in people]
    assert len(names) == len(set(names)) == len(joined), (names, errors)
    accounts = [p for p in people if p.identity.startswith("user:")]
    assert len(accounts) == 4 and len(people) - len(accounts) <= 1  # every account, at most one typed


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every read of a round's scores the participant's page makes, with its options."""
    made: list[dict[str, Any]] = []
    real = board.participant.scores

    def spy(store: Store, found: Any, **options: Any) -> Any:
        made.append(options)
        return real(store, found, **options)

    monkeypatch.setattr(board.participant, "scores", spy)
    yield made


def test_a_participants_page_reads_their_own_scores_and_what_is_revealed_only(
    served: Store, calls: list[dict[str, Any]]
) -> None:
    code = opened(served)
    found = get_round(served, code)
    for n in range(5):
        record(served, code, join(served, code, f"Other {n}"), [(FIRST, "depth", 1), (SECOND, "depth", 5)])
    reveal(served, code, FIRST)
    ana = typed_name(session(code), "Ana")
    me = next(p for p in participants(served, found) if p.name == "Ana")
    saved(ana, code, FIRST, 4)
    saved(ana, code, SECOND, 2)
    assert any("You have scored every experience" in s.value for s in ana.success)
    assert calls
    for options in calls:
        own = options.get("of") is not None and options["of"].id == me.id
        revealed_only = options.get("experiences") is not None and set(options["experiences"]) <= {FIRST}
        assert own or revealed_only, options
    assert any(o.get("experiences") == [FIRST] for o in calls)  # the revealed results were read


def test_unknown_join_codes_wait_after_five_and_even_a_right_code_waits(
    served: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(board.participant, "JOIN_CODES", Throttle(clock=clock))
    code = opened(served)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page(PAGE)

    def tried(typed: str) -> list[str]:
        app.query_params["round"] = typed
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return [read(e.value) for e in app.error]

    for n in range(6):
        shown = tried(f"ZZZZZ{n}")
        assert any("no round with the code" in e for e in shown), (n, shown)
    assert any("Too many unknown join codes" in e and "1 second" in e for e in tried(code))
    assert not [t for t in app.text_input if t.key == "round_name"]
    clock.now += 1
    assert not tried(code)  # the wait is over: the right code opens the join form
    assert [t for t in app.text_input if t.key == "round_name"]
    assert any(
        "no round with the code" in e for e in tried("ZZZZZ9")
    )  # a right code does not clear the count
    assert any("Too many unknown join codes" in e and "2 seconds" in e for e in tried(code))


def test_the_command_line_sets_and_refuses_a_cap(url: str, catalogue: Path) -> None:
    done = store_cli(url, "round", "open", str(catalogue), "--max-participants", "3", "--author", "Fran")
    assert done.returncode == 0, done.stderr
    store = Store(url)
    assert get_round(store, done.stdout.strip()).max_participants == 3
    store.close()
    refused = store_cli(url, "round", "open", "--max-participants", "0", "--author", "Fran")
    assert refused.returncode == 2 and "from 1 to 1,000 participants" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
