"""The pack's slides: what each one says, a message per slide as its title, on the
layout of :mod:`.deck`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cxprio.method.maturity import COORDINATED
from cxprio.outputs.report.deck import (
    BODY_TOP,
    FOOTER_PT,
    MARGIN,
    MUTED,
    SLIDE_HEAT_TEAMS,
    SLIDE_NAMED,
    SLIDE_WIDTH,
    TEXT_PT,
    Deck,
)
from cxprio.outputs.report.figures import png, rendered, seam_heat
from cxprio.outputs.report.files import steady_zip
from cxprio.outputs.report.pack import (
    TOP,
    Progress,
    Workshop,
    quiet,
)
from cxprio.units import weights_words

if TYPE_CHECKING:
    from cxprio.outputs.rounds import RoundRecord

SLIDE_RUNG_NAMES = 3
"""Experiences named on each rung of the maturity slide: more would break the table's rows."""


def _round_name(record: RoundRecord) -> str:
    """A round as a slide names it: by its title, as the room knew it."""
    return f"Round “{record.round.title}”" if record.round.title else "The workshop round"


def _count(number: int, thing: str, things: str | None = None) -> str:
    """``number`` with its thing, singular or plural: ``1 team``, ``1,204 experiences``."""
    return f"{number:,} {thing if number == 1 else things or thing + 's'}"


def pptx(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """A deck a leader can present as it is: a title slide, then one message per slide as
    its title: the top 10 with their ranges, the ambition board, priority against
    ambition, the value map, the unowned seams and where seam risk sits, the decisions to
    fix, the quarter's movement (with history) and a closed round's results (with one)."""
    say = progress or quiet
    say(0.3, "Drawing the charts as pictures")
    pngs = dict(rendered(workshop, "png"))
    say(0.8, "Writing the slides")
    deck = Deck(workshop, pngs)
    catalogue = workshop.catalogue
    deck.title_slide(
        [
            f"{_count(len(catalogue.experiences), 'experience')} and {_count(len(catalogue.teams), 'team')}, "
            f"from the catalogue {workshop.source}",
            f"Weights: {weights_words(workshop.weights)}",
        ]
    )

    top = workshop.top(TOP)
    # Stability is measured for the top N (10, or a quarter of a small catalogue): said of it.
    held = top.head(workshop.top_n)["stable_top_n"].fillna(False).astype(bool)
    if workshop.top_n == 1:
        said = "and stays first as the weights wobble" if bool(held.iloc[0]) else "but may not stay first"
    else:
        said = f"{int(held.sum())} of the top {workshop.top_n} stay there as the weights wobble"
    page = deck.slide(
        f"{top.iloc[0]['name']} leads; {said}"
        if workshop.top_n != 1
        else f"{top.iloc[0]['name']} leads {said}"
    )
    deck.table(
        page,
        top,
        {"rank": "Rank", "name": "Experience", "priority": "Priority", "range": "Rank range", "ambition": "Ambition"},
        numbers=("rank", "priority"),
    )  # fmt: skip
    experience_names = {e.id: e.name for e in workshop.catalogue.experiences}
    guessed = [experience_names.get(f.experience or "", "") for f in workshop.evidence[:3]]
    if len(workshop.evidence) > 3:
        guessed.append(f"{len(workshop.evidence) - 3} more")
    deck.write(
        deck.box(page, MARGIN, 6.4, SLIDE_WIDTH - 2 * MARGIN, 0.5),
        [f"Stable: in the top {workshop.top_n} in at least 9 of 10 weightings near the chosen one. "
         "Rank range: the 5th to 95th percentile rank as the weights and each value wobble."
         + (f" Resting on guesses (measure before committing): {', '.join(guessed)}." if guessed else "")],
        FOOTER_PT,
        colour=MUTED,
    )  # fmt: skip

    tiers = workshop.ambition.tiers
    over = [t for t in tiers if t.over_limit]
    uncompetitive = next((t for t in tiers if t.tier.label == "Uncompetitive"), None)
    if over:
        message = "; ".join(f"{t.tier.label} is over its limit, at {t.share:.0%}" for t in over)
    elif uncompetitive is not None and uncompetitive.count == 0:
        message = "Every tier is within its limit, but nothing is chosen as Uncompetitive"
    else:
        message = "Every ambition tier is within its limit"
    page = deck.slide(message)
    deck.picture(page, "ambition-tiers", left=MARGIN, width=7.6)
    lines = []
    for share in tiers:
        limit = f", limit {share.limit:.0%}" if share.limit is not None else ""
        lines.append(f"{share.tier.label}: {share.count:,} ({share.share:.0%}{limit})"
                     + (" over the limit" if share.over_limit else ""))  # fmt: skip
    deck.write(deck.box(page, 8.4, BODY_TOP + 0.3, SLIDE_WIDTH - 8.4 - MARGIN, 4.5), lines, TEXT_PT)

    findings = workshop.ambition.findings
    high_low = sum(1 for f in findings if f.code == "UNCOMPETITIVE_HIGH_PRIORITY")
    low_high = sum(1 for f in findings if f.code == "UNIQUE_LOW_PRIORITY")
    if high_low or low_high:
        parts = (
            [f"{_count(high_low, 'high priority', 'high priorities')} chosen Uncompetitive"]
            if high_low
            else []
        ) + (
            [f"{_count(low_high, 'low priority', 'low priorities')} aiming to be Unique"] if low_high else []
        )
        message = "; ".join(parts)
    else:
        message = "Ambition follows priority: no high priority aims low, no low one aims to be Unique"
    page = deck.slide(message)
    if not deck.picture(page, "priority-ambition"):
        from cxprio.outputs import charts

        # Fewer names stack fewer lines in a tier's row: the chart then fits at its size.
        points = charts.ambition_points(workshop.scores.table)
        for named in (SLIDE_NAMED, 3):
            deck.pngs["priority-ambition-slide"] = png(
                charts.readable(charts.priority_ambition(points, named=named).properties(width=900))
            )
            if deck.picture(page, "priority-ambition-slide"):
                break
        else:
            deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    table = workshop.scores.table
    customers = str(table.sort_values("customer_value", ascending=False, kind="stable")["name"].iloc[0])
    business = str(table.sort_values("business_value", ascending=False, kind="stable")["name"].iloc[0])
    page = deck.slide(
        f"{customers} matters most to customers, {business} to the business"
        if customers != business
        else f"{customers} matters most to customers and to the business"
    )
    if not deck.picture(page, "value-map"):
        deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    unowned = workshop.unowned_seams()
    if len(unowned):
        first = unowned.iloc[0]
        page = deck.slide(
            f"{_count(len(unowned), 'handoff')} between teams {'has' if len(unowned) == 1 else 'have'} no owner; "
            f"the riskiest is in {first['experience_name']}"
        )
        deck.table(
            page,
            unowned.head(TOP),
            {"experience_name": "Experience", "from_team_name": "From team", "to_team_name": "To team", "risk": "Risk"},
            numbers=("risk",),
        )  # fmt: skip
    else:
        deck.note(deck.slide("Every handoff between teams has an owner"), ["No unowned seams."])

    heat = seam_heat(workshop)
    if "seam-risk" in pngs and len(heat):
        worst = heat.iloc[0]
        page = deck.slide(
            f"Most seam risk sits where {worst['from_name']} hands customers to {worst['to_name']}"
        )
        if not deck.picture(page, "seam-risk"):
            from cxprio.outputs import charts

            deck.pngs["seam-risk-slide"] = png(
                charts.readable(charts.seam_heatmap(heat, limit=SLIDE_HEAT_TEAMS))
            )
            if not deck.picture(page, "seam-risk-slide"):
                deck.note(page, ["The heatmap is in the HTML report and the charts of this pack."])

    _maturity_slide(deck, workshop)

    decisions = workshop.ownership.decision_findings
    if decisions:
        names = {e.id: e.name for e in catalogue.experiences}
        kinds = pd.Series([f.title for f in decisions]).value_counts()
        page = deck.slide(
            f"{_count(len(decisions), 'decision-rights defect')} to fix; the commonest: {kinds.index[0].lower()}"
        )
        frame = pd.DataFrame(
            {
                "experience": [names.get(f.experience or "", "") for f in decisions[:TOP]],
                "decision": [f.decision or "" for f in decisions[:TOP]],
                "title": [f.title for f in decisions[:TOP]],
                "action": [f.action for f in decisions[:TOP]],
            }
        )
        deck.table(page, frame, {"experience": "Experience", "decision": "Decision", "title": "What is wrong",
                                 "action": "What to do"})  # fmt: skip
    elif any(e.decisions for e in catalogue.experiences):
        deck.note(deck.slide("Every decision has one team that decides and one that does the work"),
                  ["No decision-rights defects."])  # fmt: skip
    else:
        deck.note(deck.slide("No decision rights recorded yet"),
                  ["Add the decisions of each experience, and who decides them, to the catalogue."])  # fmt: skip

    if workshop.history is not None:
        history = workshop.history
        comparison = history.comparison
        parts = []
        if len(comparison.risers):
            parts.append(f"{comparison.risers.iloc[0]['name']} rose most")
        if len(comparison.fallers):
            parts.append(f"{comparison.fallers.iloc[0]['name']} fell most")
        page = deck.slide(
            f"Since {history.then}: " + (" and ".join(parts) if parts else "no experience changed rank")
        )
        if not deck.picture(page, "rank-movement"):
            deck.note(page, ["The chart is in the HTML report and the charts of this pack."])

    if workshop.round is not None:
        _round_slides(deck, workshop.round)
    return steady_zip(deck.save())


def _maturity_slide(deck: Deck, workshop: Workshop) -> None:
    """How many experiences sit on each rung of the maturity arc, and which lead each."""
    summary = workshop.rung_summary(SLIDE_RUNG_NAMES)
    stepped = int(summary["count"].sum())
    if not stepped:
        return
    coordinated = int(summary.loc[summary["rung"] >= COORDINATED, "count"].sum())
    page = deck.slide(
        f"{coordinated:,} of {_count(stepped, 'experience')} with steps {'has' if coordinated == 1 else 'have'} "
        "every handoff owned"
    )
    deck.table(page, summary, {"rung": "Rung", "rung_name": "Maturity", "count": "Experiences",
                               "examples": "Highest priorities"}, numbers=("rung", "count"))  # fmt: skip


def _round_slides(deck: Deck, record: RoundRecord) -> None:
    """The round's results: where the room disagreed, every score, and what it agreed."""
    results = record.results
    if len(results):
        widest = results.iloc[0]
        page = deck.slide(
            f"{_round_name(record)}: {record.participants} people scored; "
            f"they disagreed most on {widest['experience']}, {str(widest['criterion']).split(' (')[0].lower()}"
        )
        deck.table(
            page,
            results.head(TOP),
            {"experience": "Experience", "criterion": "Criterion", "n": "Scores", "median": "Median",
             "range": "Range or votes", "disagreement": "Disagreement"},
            numbers=("n", "disagreement"),
        )  # fmt: skip
    else:
        deck.note(deck.slide(f"{_round_name(record)}: nobody scored"), [record.about()])
    if "round-scores" in deck.pngs:
        page = deck.slide(f"{_round_name(record)}: every score, and where today's value stands")
        if not deck.picture(page, "round-scores"):
            deck.note(page, ["Every score is in the HTML report and the charts of this pack."])
    accepted = record.accepted
    page = deck.slide(
        f"{_round_name(record)}: the room agreed {_count(len(accepted), 'change')} to the catalogue"
        if len(accepted)
        else f"{_round_name(record)}: no value in the catalogue changed"
    )
    if len(accepted):
        deck.table(
            page, accepted.head(TOP), {"experience": "Experience", "what": "What", "was": "Was", "now": "Now"}
        )
    deck.write(deck.box(page, MARGIN, 6.2, SLIDE_WIDTH - 2 * MARGIN, 0.7), [record.about()], FOOTER_PT,
               colour=MUTED)  # fmt: skip
