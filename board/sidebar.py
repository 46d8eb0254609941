"""The sidebar every page shares: links to the pages, the catalogue's name, and the
weight sliders that re-rank every page live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from cxprio import LoadedCatalogue, UsageError
from cxprio.model import MEASURES
from cxprio.scoring import resolve_weights

from .show import plain


@dataclass(frozen=True)
class PageLink:
    """One page of the board: its script (relative to app.py), label and icon."""

    script: str
    label: str
    icon: str


PAGES = {
    "overview": PageLink("app.py", "Overview", ":material/dashboard:"),
    "priorities": PageLink("pages/priorities.py", "Priorities", ":material/leaderboard:"),
    "ambition": PageLink("pages/ambition.py", "Ambition board", ":material/view_kanban:"),
    "ownership": PageLink("pages/ownership.py", "Ownership & seams", ":material/hub:"),
    "decisions": PageLink("pages/decisions.py", "Decision rights", ":material/gavel:"),
    "catalogue": PageLink("pages/catalogue.py", "Catalogue", ":material/description:"),
}
"""Every page, in the sidebar's order. Streamlit serves ``pages/NAME.py`` at ``/NAME``
and app.py at ``/``; its own page list is switched off (``client.showSidebarNavigation``)
so this one, with labels and icons, stands in its place."""

MEASURE_LABELS = {
    "reach": "Reach",
    "frequency": "Frequency",
    "depth": "Depth",
    "cost": "Cost",
    "failure_demand": "Failure demand",
}

_WEIGHTS = "weights"  # session key: {"for": sha256 of the catalogue, "values": measure -> weight}


def navigation() -> None:
    """Links to every page; Streamlit marks the page on screen."""
    with st.sidebar:
        for page in PAGES.values():
            st.page_link(page.script, label=page.label, icon=page.icon)


def _keep(name: str) -> None:
    st.session_state[_WEIGHTS]["values"][name] = st.session_state[f"weight_{name}"]


def _reset(defaults: dict[str, float]) -> None:
    st.session_state[_WEIGHTS]["values"] = dict(defaults)


def weight_sliders(loaded: LoadedCatalogue) -> dict[str, float]:
    """The weights the sliders show, resolved against the catalogue.

    The sliders start at the catalogue's weights, keep their values across pages for the
    session, and go back to the catalogue's when it changes or *Reset* is clicked.
    """
    # The session keeps the weights apart from the sliders: each page draws its own
    # sliders (Streamlit gives widgets on different pages different identities), and
    # each starts from the kept values; a moved slider writes its value back.
    defaults = loaded.catalogue.scoring.weights.as_dict()
    kept = st.session_state.get(_WEIGHTS)
    if kept is None or kept["for"] != loaded.sha256:
        kept = {"for": loaded.sha256, "values": dict(defaults)}
        st.session_state[_WEIGHTS] = kept
    for name in MEASURES:
        # Written every run, even when the key already holds the value: after a page
        # switch the key still holds the old page's value, but this page's slider is a
        # new widget that would otherwise start at its minimum.
        st.session_state[f"weight_{name}"] = float(kept["values"][name])
    top = max(1.0, *defaults.values())
    with st.sidebar:
        # Few elements, each carrying more: every one costs time at every slider move.
        st.markdown(f"**{plain(loaded.catalogue.organisation)}**")
        st.caption(f"Catalogue: {plain(Path(loaded.source).name)}")
        st.markdown(
            "### Weights\n:gray[:small[How much each measure counts in the priority. "
            "Move them and every page re-ranks.]]"
        )
        weights = {
            name: st.slider(
                MEASURE_LABELS[name], 0.0, top, step=0.05, key=f"weight_{name}", on_change=_keep, args=(name,)
            )
            for name in MEASURES
        }
        st.button(
            "Reset to the catalogue's weights",
            key="reset_weights",
            on_click=_reset,
            args=(defaults,),
            icon=":material/restart_alt:",
            width="stretch",
        )
    try:
        return resolve_weights(loaded.catalogue, weights)
    except UsageError:
        st.sidebar.warning("Every weight is 0: using the catalogue's weights until one is raised.")
        return defaults
