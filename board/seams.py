"""The Ownership & seams page's tables in words: names, not ids; "Nobody", not None;
figures as people write them. Built for the rows shown only: a large catalogue has
thousands of seams, and the downloads carry them all in machine form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cxprio.method.ownership import Seam

from .show import plain


def seam_priority(priority: float, parent: object, own: object) -> str:
    """A seam's priority in words, and whose it is when a parent's is higher."""
    if not isinstance(parent, str):
        return f"{priority:.0f}"
    mine = f"its own {own:.0f}" if isinstance(own, float) and own == own else "none of its own"  # NaN: none
    return f"{priority:.0f}, from {plain(parent)} ({mine})"


def costliest(worst: Sequence[Seam], names: Mapping[str, str]) -> pd.DataFrame:
    """The costliest unowned seams: experience, teams, the step handed into, risk."""
    return pd.DataFrame(
        {
            "Experience": [plain(s.experience_name) for s in worst],
            "From team": [plain(names.get(s.from_team, s.from_team)) for s in worst],
            "To team": [plain(names.get(s.to_team, s.to_team)) for s in worst],
            "Into step": [plain(s.to_step) for s in worst],
            "Risk": [f"{s.risk:.0f}" for s in worst],
        }
    )


def seams_words(listed: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows of :func:`cxprio.method.ownership.seams_table` in words; a seam that takes its
    parent's priority says whose."""
    return pd.DataFrame(
        {
            "Experience": listed["experience_name"].map(plain),
            "From team": listed["from_team_name"].map(plain),
            "To team": listed["to_team_name"].map(plain),
            "Into step": listed["to_step"].map(plain),
            "Handoff owner": [
                plain(names.get(owner, owner)) if isinstance(owner, str) else "Nobody"
                for owner in listed["handoff_owner"]
            ],
            # A seam takes its parent's priority when that is higher: say whose.
            "Seam priority": [
                seam_priority(priority, parent, own)
                for priority, parent, own in zip(
                    listed["priority"], listed["priority_from"], listed["own_priority"], strict=True
                )
            ],
            "Risk": [f"{r:.0f}" for r in listed["risk"]],
        }
    )


def bottlenecks_words(bottlenecks: pd.DataFrame) -> pd.DataFrame:
    """The teams' graph metrics in words."""
    return pd.DataFrame(
        {
            "Team": bottlenecks["name"].map(plain),
            "Betweenness": [f"{v:.2f}" for v in bottlenecks["betweenness"]],
            "Partner teams": bottlenecks["partners"].map("{:,}".format),
            "Seams in": bottlenecks["seams_in"].map("{:,}".format),
            "Seams out": bottlenecks["seams_out"].map("{:,}".format),
            "Unowned": bottlenecks["unowned_seams"].map("{:,}".format),
            "Single point of failure": ["Yes" if v else "No" for v in bottlenecks["articulation_point"]],
        }
    )
