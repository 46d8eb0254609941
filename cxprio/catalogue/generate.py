"""Synthetic catalogues for tests and benchmarks: realistic in shape, valid by construction.

:func:`generate_catalogue` returns YAML text for a made-up energy retailer with the asked
number of experiences and teams. About 8 % are triggers, 35 % journeys and the rest
moments; journeys sit under triggers and moments under journeys. Consecutive steps often
stay in one team and otherwise move to a neighbouring one, as real handoffs do. About a
quarter of seams have no handoff owner, a few triggers and journeys have no end-to-end
owner and a few decisions have two Accountables, so every finding has something to find.
The same seed gives the same text.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from cxprio.catalogue.model import DEFAULT_SCALES, MEASURES
from cxprio.errors import UsageError

_FUNCTIONS = ("operations", "digital", "field", "finance", "customer-service", "product", "risk")
_TEAM_WORDS = (
    "Billing",
    "Metering",
    "Payments",
    "Onboarding",
    "Collections",
    "Digital Channels",
    "Contact Centre",
    "Field Service",
    "Smart Meter",
    "Complaints",
    "Pricing",
    "Credit Risk",
    "Vulnerability Care",
    "Moving Home",
    "Switching",
    "Data Platform",
    "Marketing",
    "Sales",
)
_TRIGGERS = (
    "Moving home",
    "Bereavement",
    "Financial difficulty",
    "Having a baby",
    "Retiring",
    "Buying an electric car",
    "Installing solar panels",
    "Starting a business",
    "Leaving home",
    "Illness in the family",
)
_JOURNEY_VERBS = ("Switch", "Set up", "Change", "Close", "Review", "Transfer", "Dispute", "Renew")
_JOURNEY_OBJECTS = (
    "tariff",
    "payment plan",
    "direct debit",
    "smart meter",
    "account",
    "supply",
    "home move",
    "debt repayment",
    "priority services",
    "export tariff",
)
_MOMENT_VERBS = ("Submit", "Update", "Check", "Download", "Report", "Confirm", "Request", "Pay")
_MOMENT_OBJECTS = (
    "meter reading",
    "address",
    "bill",
    "payment",
    "fault",
    "balance",
    "statement",
    "contact details",
    "refund",
    "appointment",
)
_STEP_VERBS = ("Ask", "Verify", "Record", "Approve", "Notify", "Schedule", "Calculate", "Send")
_STEP_OBJECTS = ("request", "identity", "reading", "change", "customer", "visit", "charge", "letter")
_TIERS = ("unique", "distinct", "competitive", "uncompetitive")
_TIER_WEIGHTS = (0.07, 0.2, 0.56, 0.17)


def _pick(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    return words[int(rng.integers(0, len(words)))]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML string


def _flow(mapping: dict[str, Any]) -> str:
    parts = []
    for key, value in mapping.items():
        if isinstance(value, list):
            parts.append(f"{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            parts.append(f"{key}: {_scalar(value)}")
    return "{" + ", ".join(parts) + "}"


def generate_catalogue(
    *, experiences: int = 200, teams: int = 20, seed: int = 0, organisation: str = "Synthetic Energy"
) -> str:
    """YAML text of a valid synthetic catalogue with ``experiences`` experiences and ``teams`` teams."""
    if experiences < 1:
        raise UsageError(f"--experiences must be at least 1, not {experiences}")
    if teams < 2:
        raise UsageError(f"--teams must be at least 2, not {teams}")
    rng = np.random.default_rng(seed)
    # The fields added later draw from their own stream, so a seed's catalogue keeps the
    # measures, teams and steps it always had.
    later = np.random.default_rng([seed, 1])
    team_ids = [
        f"t{i:03d}-{_TEAM_WORDS[i % len(_TEAM_WORDS)].lower().replace(' ', '-')}" for i in range(teams)
    ]
    lines = [
        "# Synthetic catalogue made by: python -m cxprio generate "
        f"--experiences {experiences} --teams {teams} --seed {seed}",
        "version: 1",
        f"organisation: {_scalar(organisation)}",
        "teams:",
    ]
    for i, team_id in enumerate(team_ids):
        name = f"{_TEAM_WORDS[i % len(_TEAM_WORDS)]} {i // len(_TEAM_WORDS) + 1}"
        lines.append(
            "  - " + _flow({"id": team_id, "name": name, "function": _FUNCTIONS[i % len(_FUNCTIONS)]})
        )
    lines.append("experiences:")

    n_triggers = max(1, round(experiences * 0.08))
    n_journeys = max(0, min(experiences - n_triggers, round(experiences * 0.35)))
    levels = ["trigger"] * n_triggers + ["journey"] * n_journeys
    levels += ["moment"] * (experiences - len(levels))
    ids: list[str] = []
    for index, level in enumerate(levels):
        if level == "trigger":
            name = _TRIGGERS[index % len(_TRIGGERS)]
            parent = None
        elif level == "journey":
            name = f"{_pick(rng, _JOURNEY_VERBS)} {_pick(rng, _JOURNEY_OBJECTS)}"
            parent = ids[int(rng.integers(0, n_triggers))] if rng.random() < 0.9 else None
        else:
            name = f"{_pick(rng, _MOMENT_VERBS)} {_pick(rng, _MOMENT_OBJECTS)}"
            pool = n_journeys if n_journeys else n_triggers
            offset = n_triggers if n_journeys else 0
            parent = ids[offset + int(rng.integers(0, pool))] if rng.random() < 0.9 else None
        experience_id = f"{name.lower().replace(' ', '-')}-{index}"
        ids.append(experience_id)
        lines += _experience(rng, later, experience_id, name, level, parent, team_ids)
    return "\n".join(lines) + "\n"


def _measures(rng: np.random.Generator, level: str) -> dict[str, Any]:
    reach_centre = {"trigger": 5.0, "journey": 5.3, "moment": 5.7}[level]
    freq_centre = {"trigger": -0.5, "journey": 0.2, "moment": 0.7}[level]
    values: dict[str, Any] = {
        "reach": int(10 ** rng.normal(reach_centre, 0.5)),
        "frequency": round(float(10 ** rng.normal(freq_centre, 0.4)), 2),
        "depth": int(rng.integers(1, 6)) if level != "trigger" else int(rng.integers(3, 6)),
        "cost": int(10 ** rng.normal(6.0, 0.6)),
        "failure_demand": round(float(rng.beta(2, 6) * 0.6), 3),
    }
    for name in MEASURES:  # inside the default scales, so nothing is clamped
        scale = DEFAULT_SCALES[name]
        values[name] = type(values[name])(min(max(values[name], scale.min), scale.max))
    if rng.random() < 0.03:  # an honest gap in the data now and then
        del values[MEASURES[int(rng.integers(0, len(MEASURES)))]]
    return values


def _evidence(later: np.random.Generator) -> dict[str, str]:
    """Where each measure comes from; most catalogues say it for some measures only."""
    kinds = ("measured", "estimated", "guess")
    return {m: kinds[int(later.choice(3, p=(0.45, 0.3, 0.25)))] for m in MEASURES if later.random() < 0.6}


def _experience(
    rng: np.random.Generator,
    later: np.random.Generator,
    experience_id: str,
    name: str,
    level: str,
    parent: str | None,
    team_ids: list[str],
) -> list[str]:
    teams = len(team_ids)
    home = int(rng.integers(0, teams))
    owner = team_ids[home] if level == "moment" or rng.random() > 0.06 else None
    ambition = _TIERS[int(rng.choice(4, p=_TIER_WEIGHTS))] if rng.random() > 0.03 else None
    lines = [
        f"  - id: {experience_id}",
        f"    name: {_scalar(name)}",
        f"    level: {level}",
        f"    parent: {_scalar(parent)}",
        f"    outcome: {_scalar(name + ' done right first time')}",
    ]
    if owner:
        lines.append(f"    owner: {owner}")
    lines.append(f"    measures: {_flow(_measures(rng, level))}")
    if evidence := _evidence(later):
        lines.append(f"    evidence: {_flow(evidence)}")
    if later.random() < 0.05:
        lines.append("    matters: true")
    if ambition:
        lines.append(f"    ambition: {ambition}")
        current = _TIERS[min(3, max(0, _TIERS.index(ambition) + int(rng.integers(-1, 2))))]
        lines.append(f"    current: {current}")
    n_steps = {"trigger": (2, 5), "journey": (3, 7), "moment": (1, 3)}[level]
    lines.append("    steps:")
    team = home
    previous = home
    involved = {home}
    for step in range(int(rng.integers(*n_steps))):
        if step and rng.random() < 0.55:
            team = int((team + rng.integers(-3, 4)) % teams)  # a neighbouring team
        involved.add(team)
        spec: dict[str, Any] = {
            "name": f"{_pick(rng, _STEP_VERBS)} {_pick(rng, _STEP_OBJECTS)}",
            "team": team_ids[team],
        }
        if step and team != previous and rng.random() < 0.75:
            spec["handoff_owner"] = team_ids[team if rng.random() < 0.6 else previous]
        if later.random() < 0.05:
            spec["personalised"] = True
        if later.random() < 0.15:
            spec["automated"] = True
            if later.random() < 0.6:
                spec["fallback"] = team_ids[int(later.integers(0, teams))]
        lines.append("      - " + _flow(spec))
        previous = team
    if level != "moment":
        lines.append("    decisions:")
        members = sorted(involved)
        for d in range(int(rng.integers(1, 3))):
            accountable = [team_ids[home]]
            if rng.random() < 0.05:
                accountable.append(team_ids[(home + 1) % teams])
            roles: dict[str, Any] = {
                "name": f"Change how we {name.lower()} ({d + 1})",
                "A": accountable[0] if len(accountable) == 1 else accountable,
                "R": [team_ids[m] for m in members[: max(1, math.ceil(len(members) / 2))]],
            }
            consulted = [team_ids[m] for m in members if team_ids[m] not in accountable][:3]
            if consulted:
                roles["C"] = consulted
            lines.append("      - " + _flow(roles))
    return lines


def many_experiences(*, max_bytes: int) -> tuple[str, int]:
    """YAML text of as many experiences as fit in ``max_bytes``, each the least a valid
    one holds (an id, a name and a level), and how many that is: the most experiences a
    file of that size can list, for checking the limits on reading one."""
    head = "version: 1\norganisation: Many Experiences\nexperiences:\n"
    lines, size, count = [head], len(head), 0
    while True:
        line = f"  - {{id: e{count}, name: E, level: moment}}\n"
        if size + len(line) > max_bytes:
            return "".join(lines), count
        lines.append(line)
        size += len(line)
        count += 1
