"""``python -m cxprio round ...``: a workshop round (docs/rounds.md) run from the command
line, with a facilitator's rights: open it, take scores, show the results, close it.

The work is in :mod:`cxprio.method.rounds`, the store's rounds modules and
:mod:`cxprio.outputs.rounds`, imported when a round command runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cxprio.cli.common import (
    EXIT_OK,
    Command,
    Parser,
    emit,
    open_store,
    out_argument,
    save_if_new,
    say,
    user_name,
)
from cxprio.errors import StoreError, UsageError

if TYPE_CHECKING:
    from cxprio.store.versions import Store


def _round_arguments(sub: Parser) -> None:
    from cxprio.catalogue.model import Level
    from cxprio.method.rounds.model import DEFAULT_MAX_PARTICIPANTS, MOST_PARTICIPANTS
    from cxprio.store.engine import DATABASE_URL_VARIABLE

    # The description names the variable, from the store's module: set once it is imported.
    sub.description = (
        "Workshop rounds (docs/rounds.md): many people score the same experiences, and "
        "the results go into the catalogue through the audited save. These commands work on "
        f"the store (${DATABASE_URL_VARIABLE}) with a facilitator's rights: they see every score, "
        "revealed or not."
    )
    steps = sub.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=Parser)
    opening = steps.add_parser(
        "open",
        help="open a round on the latest version; prints its join code on stdout",
        description="Open a round on the store's latest version and print its join code. Given PATH, "
        "the catalogue file is saved as the latest version first, when its text is not a version already.",
    )
    opening.add_argument(
        "path", nargs="?", metavar="PATH", help="a catalogue file to save as the latest version first"
    )
    opening.add_argument("--level", choices=[lv.value for lv in Level], help="only experiences of this level")
    opening.add_argument("--experiences", metavar="ID,...", help="only these experiences, in this order")
    opening.add_argument("--matching", metavar="TEXT", help="only experiences whose name or id holds TEXT")
    opening.add_argument(
        "--criteria",
        default="depth,ambition",
        metavar="C,...",
        help="what participants score: the facts reach:number, frequency:number, cost:number and "
        "failure_demand:number (each a number in its own unit: a fact is never a 1-5 judgement), depth "
        "(a 1-5 judgement) and ambition (a tier vote) (default: depth,ambition)",
    )
    opening.add_argument(
        "--weights-vote", action="store_true", help="participants also vote on the five weights"
    )
    opening.add_argument(
        "--closes",
        metavar="WHEN",
        help="stop taking scores then: ISO time, such as 2026-12-01T16:00 (UTC unless given)",
    )
    opening.add_argument("--title", default="", help="the round's title, shown to participants")
    opening.add_argument(
        "--max-participants",
        type=int,
        default=DEFAULT_MAX_PARTICIPANTS,
        metavar="N",
        help=f"how many people can join, 1 to {MOST_PARTICIPANTS:,} (default: {DEFAULT_MAX_PARTICIPANTS})",
    )
    opening.add_argument(
        "--author", metavar="NAME", help="who opens it (default: the user running the command)"
    )
    scoring = steps.add_parser("score", help="save one score", description="Save (or replace) one score.")
    scoring.add_argument("code", metavar="CODE", help="the round's join code")
    scoring.add_argument("--name", required=True, help="the participant (joins the round on first use)")
    scoring.add_argument("--experience", default="", metavar="ID", help="the experience (none for a weight)")
    scoring.add_argument(
        "--criterion",
        required=True,
        metavar="C",
        help="a measure, ambition, or weight:MEASURE for a weights vote",
    )
    scoring.add_argument(
        "--value",
        required=True,
        metavar="V",
        help="a number in the measure's unit, 1-5 for depth, or a tier; empty clears the score",
    )
    importing = steps.add_parser(
        "import",
        help="save the scores of a CSV file (participant,experience,criterion,value)",
        description="Save scores collected offline or in a spreadsheet: a CSV file with the columns "
        "participant,experience,criterion,value. Every row is checked first; one bad row saves nothing.",
    )
    importing.add_argument("code", metavar="CODE")
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    showing = steps.add_parser(
        "show",
        help="the results per experience and criterion, widest disagreement first",
        description="Per experience and criterion: n, median, quartiles (linear, as numpy.percentile), "
        "min, max, the interquartile range and its share of the criterion's range (spread), the "
        "ambition votes per tier, and the disagreement (the standard deviation as a share of the most "
        "it can be), widest disagreement first; and what closing would change.",
    )
    showing.add_argument("code", metavar="CODE")
    showing.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="csv: the raw scores"
    )
    out_argument(showing)
    ending = steps.add_parser("end", help="stop taking scores now, so the results hold still for the review")
    ending.add_argument("code", metavar="CODE")
    revealing = steps.add_parser(
        "reveal", help="reveal an experience's scores, or the whole round's, on the board"
    )
    revealing.add_argument("code", metavar="CODE")
    revealing.add_argument("--experience", metavar="ID", help="only this experience")
    closing = steps.add_parser(
        "close",
        help="close the round, saving the accepted results through the audited save",
        description="Close the round. The accepted results (medians; the ambition with most votes) that "
        "differ from today's values are saved as a new catalogue version whose reason names the round, "
        "each value noting where it came from; the round becomes read-only. A fact moved more than 3 "
        "times either way, or a reach above the organisation's customers, is implausible: it is saved "
        "only when --confirm names it too.",
    )
    closing.add_argument("code", metavar="CODE")
    closing.add_argument(
        "--accept",
        default="all",
        metavar="all|none|ID,...",
        help="which results to accept: all, none, or experiences (every result of each) and "
        "experience:criterion pairs, such as query-bill:reach (default: all)",
    )
    closing.add_argument(
        "--confirm",
        default="",
        metavar="all|ID:CRITERION,...",
        help="confirm implausible results among those accepted (round show lists them)",
    )
    closing.add_argument(
        "--author", metavar="NAME", help="who closes it (default: the user running the command)"
    )
    closing.add_argument("--snapshot", metavar="YYYY-Qn", help="then take a snapshot of this quarter")
    steps.add_parser("list", help="every round, newest first")


def _round(args: argparse.Namespace) -> int:
    from cxprio.outputs.rounds import rounds_table
    from cxprio.store.round_scores import import_scores, join_or_find, record
    from cxprio.store.rounds import end_scoring, get_round, list_rounds, reveal

    store = open_store()
    action = args.action
    if action == "open":
        return _round_open(store, args)
    if action == "list":
        listed = rounds_table(list_rounds(store))
        emit((listed.to_string(index=False) if len(listed) else "(no rounds yet)") + "\n", None)
        return EXIT_OK
    if action == "score":
        found = get_round(store, args.code)
        person = join_or_find(store, found, args.name)
        record(store, args.code, person, [(args.experience, args.criterion.strip().lower(), args.value)])
        say(
            f"saved: {person.name}, {args.experience or 'weights'}, {args.criterion} = {args.value or '(cleared)'}"
        )
        return EXIT_OK
    if action == "import":
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{args.file} cannot be read: {exc}") from None
        saved, joined = import_scores(store, args.code, text, source=str(args.file))
        say(f"saved {saved} score{'s' if saved != 1 else ''} from {args.file}; {joined} new participant(s)")
        return EXIT_OK
    if action == "show":
        return _round_show(store, args)
    if action == "end":
        ended = end_scoring(store, args.code)
        say(f"round {ended.code}: scoring ended; close it when the room has agreed")
        return EXIT_OK
    if action == "reveal":
        revealed = reveal(store, args.code, args.experience)
        say(
            f"round {revealed.code}: "
            + ("everything revealed" if args.experience is None else f"{args.experience} revealed")
        )
        return EXIT_OK
    return _round_close(store, args)


def _round_open(store: Store, args: argparse.Namespace) -> int:
    from cxprio.method.rounds.checks import parse_criteria, select_experiences
    from cxprio.store.rounds import open_round

    criteria = parse_criteria(args.criteria)
    closes = None
    if args.closes:
        try:
            closes = datetime.fromisoformat(args.closes)
        except ValueError:
            raise UsageError(
                f"--closes {args.closes!r} is not a time: write it as 2026-12-01T16:00"
            ) from None
    if args.path:
        save_if_new(store, Path(args.path))
    latest = store.latest()
    if latest is None:
        raise StoreError("the store holds no catalogue yet", "give the catalogue file: round open PATH")
    catalogue = store.catalogue(latest.id).catalogue
    ids = [i.strip() for i in args.experiences.split(",") if i.strip()] if args.experiences else None
    chosen = select_experiences(catalogue, level=args.level, ids=ids, contains=args.matching)
    opened = open_round(
        store,
        catalogue,
        latest.id,
        experiences=chosen,
        criteria=criteria,
        author=args.author or user_name(),
        title=args.title,
        weights_vote=args.weights_vote,
        closes_at=closes,
        max_participants=args.max_participants,
    )
    emit(opened.code + "\n", None)
    say(
        f"round {opened.code} opened on version {latest.id}: {len(chosen)} experiences, "
        f"{', '.join(criteria)}{', and a weights vote' if args.weights_vote else ''}. "
        f"Participants join with the join code {opened.code} on the board's Workshop rounds page "
        f"(/rounds?round={opened.code})"
    )
    return EXIT_OK


def _round_show(store: Store, args: argparse.Namespace) -> int:
    from cxprio.method.rounds.proposals import proposals
    from cxprio.method.rounds.summary import aggregate
    from cxprio.method.scoring import format_weights
    from cxprio.outputs.rounds import readable_results, scores_csv, weights_vote
    from cxprio.store.round_scores import participants, scores
    from cxprio.store.rounds import get_round

    found = get_round(store, args.code)
    rows = scores(store, found)
    if args.format == "csv":
        emit(scores_csv(rows), args.out)
        return EXIT_OK
    latest = store.latest()
    catalogue = store.catalogue(latest.id).catalogue if latest is not None else None
    summaries = aggregate(found, rows, catalogue)
    vote = weights_vote(rows, catalogue) if catalogue is not None and found.weights_vote else None
    offered = proposals(found, summaries, catalogue) if catalogue is not None and not found.closed else []
    people = participants(store, found)
    if args.format == "json":
        data = {
            "code": found.code,
            "title": found.title,
            "state": found.state(),
            "participants": len(people),
            "scores": len(rows),
            "aggregates": [a.as_dict() for a in summaries],
            "proposals": [
                {
                    "key": p.key,
                    "experience": p.experience,
                    "criterion": p.criterion,
                    "current": p.current,
                    "proposed": p.proposed,
                    "source": p.source,
                    "implausible": p.implausible or None,
                    "note": p.note or None,
                }
                for p in offered
            ],
            "weights": None if vote is None else {"voters": vote.voters, "median": vote.median},
        }
        emit(json.dumps(data, indent=2) + "\n", args.out)
        return EXIT_OK
    lines = [
        f"round {found.code}: {found.title} ({found.state()}), {len(people)} participants, {len(rows)} scores",
        "",
    ]
    names = {e.id: e.name for e in catalogue.experiences} if catalogue is not None else {}
    table = readable_results(summaries, found, names).assign(
        disagreement=lambda t: t["disagreement"].map(lambda d: f"{d:.2f}")
    )
    table.columns = ["Experience", "Criterion", "Scores", "Median", "Range or votes", "Disagreement"]
    lines.append(table.to_string(index=False) if len(table) else "(no scores yet)")
    if offered:
        lines += ["", "If accepted (round close CODE --accept KEY,...):"]
        for p in offered:
            flag = f"  [implausible: {p.implausible}; needs --confirm]" if p.implausible else ""
            lines.append(f"  {p.key}: {p.described(names.get(p.experience, p.experience))}{flag}")
    if vote is not None:
        lines += ["", f"weights vote ({vote.voters} voters), medians: {format_weights(vote.median)}"]
    emit("\n".join(lines) + "\n", args.out)
    return EXIT_OK


def _listed(text: str) -> str | list[str]:
    """``all``, ``none`` or a comma-separated list, as ``--accept`` and ``--confirm`` take it."""
    text = text.strip()
    return text if text in ("all", "none") else [i.strip() for i in text.split(",") if i.strip()]


def _round_close(store: Store, args: argparse.Namespace) -> int:
    from cxprio.method.rounds.proposals import Unconfirmed
    from cxprio.store.round_closing import close_round
    from cxprio.store.snapshots import parse_quarter, take_snapshot

    quarter = parse_quarter(args.snapshot) if args.snapshot else None
    author = args.author or user_name()
    confirm = _listed(args.confirm)
    try:
        closed = close_round(
            store,
            args.code,
            accept=_listed(args.accept),
            confirm=() if confirm == "none" else confirm,
            author=author,
        )
    except Unconfirmed as exc:
        keys = ",".join(p.key for p in exc.proposals)
        raise UsageError(
            f"{exc}. Check them, then add --confirm {keys}, or leave them out of --accept"
        ) from None
    for skipped in closed.skipped:
        say(f"not proposed: {skipped.described(closed.names.get(skipped.experience, skipped.experience))}")
    for accepted in closed.accepted:
        say(f"  {accepted.described(closed.names.get(accepted.experience, accepted.experience))}")
    say(closed.summary())
    if quarter is not None:
        taken = take_snapshot(store, quarter, author=author)
        say(f"snapshot of {taken.quarter} taken from version {taken.version_id}")
    return EXIT_OK


COMMANDS = {
    "round": Command(
        "round",
        "run a workshop round: open it, take scores, show the results, close it",
        _round_arguments,
        _round,
    )
}
