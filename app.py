"""cxprio: the CX prioritisation and ambition board.

    streamlit run app.py                      # the sample catalogue
    streamlit run app.py -- path/to/file.yaml # another catalogue
    CXPRIO_CATALOGUE=path/to/file.yaml streamlit run app.py

This file only routes: page config, the shared loading and sidebar, then the pages.
"""

from __future__ import annotations

import streamlit as st

from pages.common import PAGES, load_board

navigation = st.navigation(
    [
        st.Page(PAGES["overview"], title="Overview", icon=":material/dashboard:", default=True),
        st.Page(PAGES["priorities"], title="Priorities", icon=":material/leaderboard:"),
        st.Page(PAGES["ambition"], title="Ambition board", icon=":material/view_kanban:"),
        st.Page(PAGES["ownership"], title="Ownership & seams", icon=":material/hub:"),
        st.Page(PAGES["decisions"], title="Decision rights", icon=":material/gavel:"),
        st.Page(PAGES["catalogue"], title="Catalogue", icon=":material/description:"),
    ]
)
st.set_page_config(page_title=f"{navigation.title} · cxprio", page_icon=":material/target:", layout="wide")
load_board()
navigation.run()
