"""The sidebar every page shares: links to the pages, the catalogue's name, and the
weight sliders that re-rank every page live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from cxprio import LoadedCatalogue, UsageError
from cxprio.catalogue.model import MEASURES
from cxprio.method.scoring import format_weights, parse_weights, resolve_weights
from cxprio.method.whatif import WEIGHT_STEP, slider_top
from cxprio.units import LABELS

from .record import Record
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
    "edit": PageLink("pages/edit.py", "Edit", ":material/edit:"),
    "history": PageLink("pages/history.py", "History", ":material/history:"),
    "quarters": PageLink("pages/quarters.py", "Quarter on quarter", ":material/compare_arrows:"),
    "rounds": PageLink("pages/rounds.py", "Workshop rounds", ":material/groups:"),
    "pack": PageLink("pages/pack.py", "Workshop pack", ":material/inventory_2:"),
}
"""Every page, in the sidebar's order. Streamlit serves ``pages/NAME.py`` at ``/NAME``
and app.py at ``/``; its own page list is switched off (``client.showSidebarNavigation``)
so this one, with labels and icons, stands in its place."""


def navigation() -> None:
    """Links to every page, side by side as they fit, so the weights below them are on
    the first screen at 1280x720; Streamlit marks the page on screen."""
    with st.sidebar, st.container(horizontal=True, gap="small"):
        for page in PAGES.values():
            st.page_link(page.script, label=page.label, icon=page.icon, width="content")


MEASURE_LABELS = LABELS
"""Each weight slider's label: the measure's name (:data:`cxprio.units.LABELS`)."""

ADDRESS_KEY = "weights"
"""The page address keeps weights that differ from the catalogue's as
``?weights=reach:0.40,frequency:0.10,...`` (:func:`cxprio.method.scoring.format_weights`)."""

_WEIGHTS = "weights"  # session key: the session's _Kept weights


@dataclass
class _Kept:
    """The weights a session ranks by, kept apart from the sliders: each page draws its
    own sliders (Streamlit gives widgets on different pages different identities), each
    starts from these, and a moved slider writes its value back."""

    defaults: dict[str, float]  # the catalogue's weights these were set against
    values: dict[str, float]
    address: str | None  # the address's weights as last read or written
    notes: list[str]  # what was ignored in the address, shown until a slider moves


def _keep(name: str) -> None:
    kept: _Kept = st.session_state[_WEIGHTS]
    kept.values[name] = st.session_state[f"weight_{name}"]
    kept.notes = []


def _reset() -> None:
    kept: _Kept = st.session_state[_WEIGHTS]
    kept.values, kept.notes = dict(kept.defaults), []


def apply_weight(name: str, value: float) -> None:
    """Set the weight of measure ``name`` to ``value`` for the session, as if its slider
    had been moved there: a button's callback (a what-if's *Apply*). The next run draws
    the slider there, re-ranks every page and writes the weights into the address."""
    kept: _Kept = st.session_state[_WEIGHTS]
    kept.values[name] = float(value)
    kept.notes = []


def from_address(text: str, defaults: dict[str, float], top: float) -> tuple[dict[str, float], list[str]]:
    """The weights an address asks for, over the catalogue's, and a note for each part
    ignored: one that does not read as ``measure:weight`` (see
    :func:`cxprio.method.scoring.parse_weights`), or a weight above the sliders' ``top``."""
    given, notes = parse_weights(text)
    for name, value in list(given.items()):
        if value > top:
            notes.append(f"the weight of {name} ({value:g}) is above the sliders' top ({top:g})")
            del given[name]
    return defaults | given, notes


def _kept_weights(defaults: dict[str, float], top: float) -> _Kept:
    """The session's weights: the address's when it brings new ones (a shared link, a
    refresh), else the session's, else the catalogue's; back to the catalogue's when its
    own weights change. The address is then made to say them."""
    kept: _Kept | None = st.session_state.get(_WEIGHTS)
    if kept is None or kept.defaults != defaults:
        # Any other catalogue change (a fixed typo, a new experience) keeps the weights.
        kept = _Kept(dict(defaults), dict(defaults), None if kept is None else kept.address, [])
        st.session_state[_WEIGHTS] = kept
    address = st.query_params.get(ADDRESS_KEY)
    if address is not None and address != kept.address:
        kept.values, kept.notes = from_address(address, defaults, top)
    # Written back when it differs, as after a page switch, which clears the address.
    wanted = None if kept.values == defaults else format_weights(kept.values)
    if address != wanted:
        if wanted is None:
            del st.query_params[ADDRESS_KEY]
        else:
            st.query_params[ADDRESS_KEY] = wanted
    kept.address = wanted
    return kept


def address_weights(loaded: LoadedCatalogue) -> dict[str, float]:
    """The weights the page address asks for, over the catalogue's, read without drawing
    a slider (a page with no controls: what it cannot use is ignored)."""
    defaults = loaded.catalogue.scoring.weights.as_dict()
    wanted, _ = from_address(st.query_params.get(ADDRESS_KEY, ""), defaults, slider_top(defaults))
    try:
        return resolve_weights(loaded.catalogue, wanted)
    except UsageError:
        return defaults


def version_line(where: Record) -> str:
    """Where the catalogue on screen stands in the store, in a few words."""
    if where.version is not None:
        v = where.version
        return f"Version {v.id}, {v.created_at:%d %b %Y %H:%M} UTC, by {v.author}"
    if where.importing:
        return "Saving the file's changes as a new version…"
    return "Not in the store"


def catalogue_line(loaded: LoadedCatalogue, where: Record) -> None:
    """In the sidebar, under the weights: the organisation, the catalogue's file name
    (never its folder) and its version in the store."""
    with st.sidebar:
        st.markdown(f"**{plain(loaded.catalogue.organisation.name)}**")
        st.caption(f"Catalogue: {plain(Path(loaded.source).name)}  \n{plain(version_line(where))}")


def weight_sliders(loaded: LoadedCatalogue, *, draw: bool = True) -> dict[str, float]:
    """The weights the sliders show, resolved against the catalogue.

    The sliders start at the page address's weights, else the catalogue's. They keep
    their values across pages and catalogue changes for the session, and go back to the
    catalogue's when its own weights change or *Reset* is clicked. The address says the
    weights whenever they differ from the catalogue's, so a refresh or a shared link
    shows the same ranking; what it holds that cannot be used is ignored, with a note.
    Without ``draw`` (presentation mode) no slider is drawn and the session's weights rank.
    """
    defaults = loaded.catalogue.scoring.weights.as_dict()
    top = slider_top(defaults)  # the what-if tries the same weights (cxprio.method.whatif)
    kept = _kept_weights(defaults, top)
    if not draw:
        try:
            return resolve_weights(loaded.catalogue, kept.values)
        except UsageError:
            return defaults
    for name in MEASURES:
        # Written every run, even when the key already holds the value: after a page
        # switch the key still holds the old page's value, but this page's slider is a
        # new widget that would otherwise start at its minimum.
        st.session_state[f"weight_{name}"] = float(kept.values[name])
    with st.sidebar:
        # Few elements, each carrying more: every one costs time at every slider move.
        st.subheader(
            "Weights",
            help="How much each measure counts in the priority. Move them and every page re-ranks; "
            "the page address keeps them, to reload or share.",
        )
        # Two to a row: the five fit the first screen of a 1280x720 projector under the links.
        slots = [*st.columns(2), *st.columns(2), *st.columns(2)]
        weights = {
            name: slot.slider(
                MEASURE_LABELS[name],
                0.0,
                top,
                step=WEIGHT_STEP,
                key=f"weight_{name}",
                on_change=_keep,
                args=(name,),
            )
            for slot, name in zip(slots, MEASURES, strict=False)
        }
        st.button(
            "Reset to the catalogue's weights",
            key="reset_weights",
            on_click=_reset,
            icon=":material/restart_alt:",
            width="stretch",
        )
        if kept.notes:
            st.warning(
                "Ignored in the page address: " + "; ".join(plain(note) for note in kept.notes) + ".",
                icon=":material/link_off:",
            )
    try:
        return resolve_weights(loaded.catalogue, weights)
    except UsageError:
        st.sidebar.warning("Every weight is 0: using the catalogue's weights until one is raised.")
        return defaults
