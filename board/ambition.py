"""The Ambition board's two long tabs: the four tiers as columns of cards, and the
experiences delivering under or over their ambition."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from cxprio.catalogue.model import Tier
from cxprio.method.ambition import TierShare
from cxprio.units import tier_words

from .show import ROWS_DRAWN, fit, plain, rows_drawn_note

CARDS_PER_TIER = 12
"""Cards drawn in a tier's column; the Priorities page, filtered by ambition, lists them all."""


def tier_cards(table: pd.DataFrame, tiers: Sequence[TierShare]) -> None:
    """A column per tier, a card per experience (the first :data:`CARDS_PER_TIER` of
    ``table``, the ranked table, so by rank): its name, rank, level, priority and today's tier."""
    by_tier = {tier: table[table["ambition"] == tier.value] for tier in Tier}
    for column, share in zip(st.columns(4, gap="medium"), tiers, strict=True):
        with column:
            st.subheader(share.tier.label)
            rows = by_tier[share.tier]
            for row in rows.head(CARDS_PER_TIER).itertuples(index=False):
                with st.container(border=True):
                    st.markdown(f"**{plain(str(row.name))}**")
                    today = f" · today {tier_words(row.current)}" if isinstance(row.current, str) else ""
                    priority = float(row.priority)  # type: ignore[arg-type]
                    scored = f"priority {priority:.0f}" if priority == priority else "not scored"  # NaN: none
                    st.caption(f"#{row.rank} · {str(row.level).capitalize()} · {scored}{today}")
            if len(rows) > CARDS_PER_TIER:
                st.caption(
                    f"and {len(rows) - CARDS_PER_TIER:,} more: filter Priorities by ambition to see them all"
                )


def delivery_grids(short: pd.DataFrame, above: pd.DataFrame) -> None:
    """Side by side, the experiences delivering less than their ambition and those
    delivering more (:func:`cxprio.method.ambition.worst_gaps`), the first
    :data:`ROWS_DRAWN` of each."""
    under, over = st.columns(2, gap="large")
    for place, rows, what, key in (
        (under, short, "under", "under_delivering"),
        (over, above, "over", "over_delivering"),
    ):
        with place:
            st.markdown(
                "**Under-delivering: a case to invest**"
                if what == "under"
                else "**Over-delivering: a candidate for savings**"
            )
            st.dataframe(
                rows.head(ROWS_DRAWN).assign(
                    ambition=lambda g: g["ambition"].map(tier_words),
                    current=lambda g: g["current"].map(tier_words),
                )[["name", "ambition", "current", "gap"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "name": st.column_config.TextColumn(
                        "Experience", width=fit(rows["name"].head(ROWS_DRAWN), heading="Experience")
                    ),
                    "ambition": st.column_config.TextColumn("Aim", width=120),
                    "current": st.column_config.TextColumn("Today", width=120),
                    "gap": st.column_config.NumberColumn(
                        "Tiers short" if what == "under" else "Tiers above", width=100
                    ),
                },
                key=key,
            )
            rows_drawn_note(ROWS_DRAWN, len(rows), f"{what}-delivering experiences", narrow="")
