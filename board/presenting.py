"""Presentation mode: any page as a projector shows it, with no sidebar and no controls.

One switch (the sidebar's *Presentation mode*) turns it on; the page address keeps it as
``?present=1``, so a refresh or a shared link presents too, and it stays on from page to
page for the session (the in-page links to other pages stay). *Leave presentation mode*,
in the page's bottom corner, turns it off.

The controls are hidden by one style sheet rather than by each page leaving them out:
the filters and choices made before presenting still shape what is shown, and a page
cannot forget a control.
"""

from __future__ import annotations

import streamlit as st

ADDRESS_KEY = "present"
"""The page address's key: ``?present=1`` presents."""

_SESSION = "presenting"  # session key: True while presenting

_HIDDEN = (
    ".stButton",
    ".stDownloadButton",
    ".stLinkButton",
    ".stFormSubmitButton",
    ".stSelectbox",
    ".stMultiSelect",
    ".stTextInput",
    ".stTextArea",
    ".stNumberInput",
    ".stCheckbox",
    ".stRadio",
    ".stSlider",
    ".stFileUploader",
    ".stSegmentedControl",
    ".stButtonGroup",
    ".stPills",
    ".stForm",
    ".stExpander",
    ".stPopover",
    ".stToggle",
)

STYLE = (
    "<style>\n"
    '[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], '
    '[data-testid="stExpandSidebarButton"] { display: none !important; }\n'
    + ", ".join(f".stElementContainer:has({name}):not(.st-key-leave_presentation)" for name in _HIDDEN)
    + ", "
    + ", ".join(f"{name}:not(.st-key-leave_presentation *)" for name in (".stExpander", ".stForm"))
    + " { display: none !important; }\n"
    # The way out waits in a corner, over the page rather than above its answer.
    ".st-key-leave_presentation { position: fixed; bottom: 0.5rem; right: 1.5rem; z-index: 999990;"
    " width: auto !important; background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem; }\n"
    "</style>"
)
"""What presenting hides: the sidebar and its opener, every widget, form and expander (a
control's whole slot, so no gap is left), but the way out."""


def on() -> bool:
    """Whether this page presents: the address says so, or the session turned it on on
    another page (the address is then made to say it again)."""
    if st.query_params.get(ADDRESS_KEY) == "1":
        st.session_state[_SESSION] = True
    presenting = bool(st.session_state.get(_SESSION))
    if presenting and st.query_params.get(ADDRESS_KEY) != "1":
        st.query_params[ADDRESS_KEY] = "1"
    return presenting


def _start() -> None:
    st.session_state[_SESSION] = True
    st.query_params[ADDRESS_KEY] = "1"


def _stop() -> None:
    st.session_state[_SESSION] = False
    st.query_params.pop(ADDRESS_KEY, None)


def switch() -> None:
    """The sidebar's switch into presentation mode."""
    st.sidebar.button(
        "Presentation mode",
        key="start_presentation",
        on_click=_start,
        icon=":material/present_to_all:",
        help="Hide the sidebar and every control, to project this page (and any other). "
        "The address keeps it: ?present=1.",
        width="stretch",
    )


def hide_controls() -> None:
    """While presenting: hide the sidebar and the controls, and offer the way out."""
    st.html(STYLE)
    st.button(
        "Leave presentation mode",
        key="leave_presentation",
        on_click=_stop,
        icon=":material/cancel_presentation:",
        type="tertiary",
    )
