"""The board's shell: what every page of the Streamlit app shares.

The pages (``app.py`` for the Overview, ``pages/*.py`` for the rest) are Streamlit's own
multipage directory mode; each starts with :func:`open_page`, which sets the page up, draws the sidebar, loads the
catalogue and ranks it under the sliders' weights, and returns the :class:`Board` the
page draws from. Everything computed comes from
``cxprio``; this package only caches it and draws it.

Modules: :mod:`.startup` (which file, the interpreter's settings), :mod:`.source` (which
catalogue, loading), :mod:`.state` (the board and its caches), :mod:`.ranges` (rank
ranges in the background), :mod:`.sidebar` (pages and weights), :mod:`.presenting`
(presentation mode), :mod:`.show`
(text, problems, findings, downloads), :mod:`.charts`; and, so that a page reads as what
it shows in order, a module for its long parts: :mod:`.edit_form`, :mod:`.seams`,
:mod:`.raci`, :mod:`.quarters`, :mod:`.priorities`, :mod:`.ambition`, :mod:`.catalogue`,
and the workshop rounds' (:mod:`.rounds` and the modules it names).
"""

from __future__ import annotations

import streamlit as st

from cxprio import CatalogueError
from cxprio.method.scoring import ranking

from . import access, presenting, sidebar, source, startup
from .show import plain, sentence, show_problems
from .state import Board

__all__ = ["Board", "open_page"]

ROOM_STYLE = """<style>
/* Less blank margin above and beside the page, so a 1280x720 projector shows the page. */
[data-testid="stMainBlockContainer"] { padding: 0.5rem 2.5rem 4rem; }
/* The same above the sidebar's page links: the weights under them fit that screen too. */
[data-testid="stSidebarHeader"] { height: 2.25rem; margin-bottom: 0; }
[data-testid="stSidebarUserContent"] { padding-top: 0.25rem; }
</style>"""
"""The one style the board adds to Streamlit's: styles only, so it takes no space on the page."""

PAGE_ICON = "🎯"
"""The browser tab's icon. Streamlit draws an emoji in the page itself (a ``data:``
address); a ``:material/...:`` icon here would be fetched from Google's font server on
every page, which fails on an offline projector and tells that server who is looking.
The icons inside the pages come from the Material Symbols font Streamlit bundles, served
by the board itself."""


def open_page(title: str, *, controls: bool = True) -> Board:
    """Set up a page of the board titled ``title`` and return the board it draws from.

    With ``controls`` off (a projected round, a workshop participant's page), there is
    no sidebar: no weight sliders; the weights are the page address's, else the
    catalogue's. In presentation mode (:mod:`.presenting`) the sidebar and every control
    are hidden, and the weights are the session's.

    An invalid catalogue shows its errors: above the last version that loaded, when the
    session has one, or alone, and then the page stops.
    """
    startup.configure()
    st.set_page_config(
        page_title=f"{title} · cxprio",
        page_icon=PAGE_ICON,
        layout="wide",
        initial_sidebar_state="auto" if controls else "collapsed",
    )
    st.html(ROOM_STYLE)
    shown = controls and not presenting.on()
    if shown:
        sidebar.navigation()
        access.mode_line(closed_only=True)  # editing switched off: said first
    elif controls:
        presenting.hide_controls()
    try:
        prepared, stale, where = source.load()
    except CatalogueError as exc:
        st.title("The catalogue could not be loaded")
        st.write("Fix these problems in the file and the board reloads it on the next click:")
        show_problems(exc.problems)
        st.stop()
    if controls:
        weights = sidebar.weight_sliders(prepared.loaded, draw=shown)
        if shown:
            presenting.switch()
            access.mode_line(closed_only=False)
            sidebar.catalogue_line(prepared.loaded, where)
            editing = access.current()
            if editing is not None:
                access.signed_in_line(editing)
        access.keep_in_browser()
    else:
        weights = sidebar.address_weights(prepared.loaded)
    board = Board(prepared, weights, ranking(prepared.norm, weights), stale, where)
    if stale is not None:
        with st.container(border=True):
            st.warning(
                "The catalogue file has errors, so the board still shows the last version that "
                "loaded. Fix these and click anywhere to reload:",
                icon=":material/warning:",
            )
            show_problems(stale.problems, limit=10)
    if where.problem is not None:
        st.warning(
            f"The store cannot be used, so nothing can be saved: {plain(where.problem.message)}. "
            + (f"{sentence(where.problem.hint)}." if where.problem.hint else ""),
            icon=":material/cloud_off:",
        )
    return board
