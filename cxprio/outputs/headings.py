"""Tables as people read them: headings in words, tiers and levels as people write them,
teams and experiences by name.

The CSV downloads and the JSON keep the machine form (``rank_p5``, ``distinct``,
``SEAM_UNOWNED``, team ids), which scripts and spreadsheets join on; the workbook of the
workshop pack, opened by people, goes through :func:`for_people`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from cxprio.units import LABELS, tier_words

HEADINGS: dict[str, str] = {
    "rank": "Rank",
    "rung": "Rung",
    "rung_name": "Maturity",
    "examples": "Experiences",
    "rank_p5": "Rank range from",
    "rank_p95": "Rank range to",
    "id": "Id",
    "name": "Experience",
    "level": "Level",
    "parent": "Part of",
    "owner": "Owner",
    "ambition": "Ambition",
    "current": "Today",
    "priority": "Priority",
    "customer_value": "Customer value",
    "business_value": "Business value",
    "complete": "All five measures",
    "missing": "Missing measures",
    "reach": "Reach",
    "frequency": "Frequency",
    "depth": "Depth",
    "cost": "Cost",
    "failure_demand": "Failure demand",
    "top_n_share": "Share of draws in the top",
    "stable_top_n": "Stable in the top",
    "tier": "Tier",
    "count": "Experiences",
    "share": "Share",
    "limit": "Limit",
    "over_limit": "Over its limit",
    "severity": "Severity",
    "title": "Finding",
    "experience": "Experience",
    "experience_name": "Experience",
    "teams": "Teams",
    "risk": "Risk",
    "message": "What we found",
    "action": "What to do",
    "kind": "About",
    "from_step": "From step",
    "to_step": "Into step",
    "from_team_name": "From team",
    "to_team_name": "To team",
    "handoff_owner": "Handoff owner",
    "owned": "Owned",
    "outside": "Owned from outside",
    "own_priority": "Own priority",
    "priority_from": "Priority taken from",
    "decision": "Decision",
    "defects": "Defects",
    "rank_then": "Rank then",
    "rank_now": "Rank now",
    "rise": "Places risen",
    "priority_then": "Priority then",
    "priority_now": "Priority now",
    "why": "Why",
    "criterion": "Criterion",
    "n": "Scores",
    "median": "Median",
    "range": "Range",
    "disagreement": "Disagreement",
    "what": "What",
    "was": "Was",
    "now": "Now",
}
"""Each machine column's heading in words; a column not listed reads with its
underscores as spaces."""

MACHINE_ONLY = ("code", "from_team", "to_team")
"""Columns a person does not need beside their words: the finding's code (its title is
there) and team ids (the names are)."""

TIER_COLUMNS = ("ambition", "current", "tier")
TEAM_COLUMNS = ("owner", "handoff_owner")
ROLE_NAMES = {"A": "Accountable", "R": "Responsible", "C": "Consulted", "I": "Informed"}


def heading(column: object) -> str:
    """A column's heading in words."""
    text = str(column)
    return HEADINGS.get(text, text.replace("_", " ").capitalize())


def _tier(value: object) -> object:
    """A tier in words; anything else (a figure, an empty cell) as it is."""
    words = tier_words(value, none="")
    return words or value


def for_people(
    frame: pd.DataFrame,
    teams: Mapping[str, str],
    experiences: Mapping[str, str],
    codes: Mapping[str, str] | None = None,
    *,
    team_columns: Collection[str] = (),
) -> pd.DataFrame:
    """``frame`` as people read it: headings in words, tiers (``distinct`` -> Distinct),
    levels and severities capitalised, team ids by name, experience ids by name where no
    name column sits beside them, finding codes (given ``codes``: code -> title) by title,
    and :data:`MACHINE_ONLY` columns left out. ``team_columns`` are a RACI matrix's
    columns of one team each: headed by the team's name, their roles in words (a team's
    id never renames any other column, whatever it is)."""
    shown = frame.drop(columns=[c for c in MACHINE_ONLY if c in frame.columns])
    changes: dict[str, pd.Series] = {}
    for column in shown.columns:
        values = shown[column]
        if column in TIER_COLUMNS:
            changes[column] = values.map(_tier)
        elif column in ("level", "severity", "kind"):
            changes[column] = values.map(lambda v: v.capitalize() if isinstance(v, str) else v)
        elif column in TEAM_COLUMNS:
            changes[column] = values.map(lambda t: teams.get(t, t) if isinstance(t, str) else t)
        elif column == "teams":
            changes[column] = values.map(
                lambda t: ", ".join(teams.get(x, x) for x in t.split(", ") if x) if isinstance(t, str) else t
            )
        elif column == "parent" or (
            column == "experience" and not {"name", "experience_name"} & set(shown.columns)
        ):
            changes[column] = values.map(lambda e: experiences.get(e, e) if isinstance(e, str) else e)
        elif column == "missing":  # "failure_demand, depth" -> "failure demand, depth"
            changes[column] = values.map(
                lambda m: (
                    ", ".join(LABELS.get(x, x).lower() for x in m.split(", ") if x)
                    if isinstance(m, str)
                    else m
                )
            )
        elif column == "defects" and codes is not None:
            changes[column] = values.map(
                lambda d: ", ".join(codes.get(c, c) for c in d.split(", ") if c) if isinstance(d, str) else d
            )
        elif column in team_columns:  # a RACI matrix's team column: its roles ("AC") in words
            changes[column] = values.map(
                lambda r: ", ".join(ROLE_NAMES.get(x, x) for x in r) if isinstance(r, str) else r
            )
    shown = shown.assign(**changes) if changes else shown
    named = {c: teams.get(str(c), str(c)) if c in team_columns else heading(c) for c in shown.columns}
    if "experience" in named and {"name", "experience_name"} & set(named):
        named["experience"] = "Experience id"  # its name sits beside it
    return shown.rename(columns=named)
