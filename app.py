"""cxprio: the CX prioritisation and ambition board. This script is its Overview page.

    streamlit run app.py                      # the sample catalogue
    streamlit run app.py -- path/to/file.yaml # another catalogue
    CXPRIO_CATALOGUE=path/to/file.yaml streamlit run app.py

The other pages are the scripts in ``pages/`` (Streamlit's multipage directory mode);
every page starts with :func:`board.open_page`, which draws the shared sidebar.
"""

from __future__ import annotations

import streamlit as st

from board import open_page, packs
from board.journeys import moments_table, moments_words
from board.ranges import wait_and_rerun
from board.show import csv_download, how_sure, plain, top_table
from board.sidebar import PAGES

TOP = 10  # the top the room argues about

board = open_page("Overview")
catalogue = board.catalogue
table = board.table
ambition = board.ambition()
seams = board.seams()  # the rest of the ownership analysis is not needed here

st.title(plain(catalogue.organisation.name))
st.caption(
    "Which customer experiences matter most, how good we choose to be at each, and who owns the "
    "handoffs between teams."
)

levels = table["level"].value_counts()
columns = st.columns(5)
columns[0].metric("Experiences", f"{len(table):,}", help="Triggers, journeys and moments in the catalogue")
columns[1].metric("Triggers", f"{int(levels.get('trigger', 0)):,}", help="Life events that start a need")
columns[2].metric("Journeys", f"{int(levels.get('journey', 0)):,}", help="Multi-stage experiences")
columns[3].metric("Moments", f"{int(levels.get('moment', 0)):,}", help="One-step interactions")
coverage = "–" if seams.coverage is None else f"{seams.coverage:.0%}"
columns[4].metric(
    "Seam coverage",
    coverage,
    help="Share of handoffs between teams that someone owns, weighted by priority",
)

# The top 10 first and whole, on a 1280x720 projector too: the table the room argues about.
left, right = st.columns([2, 1], gap="large")
with left:
    st.subheader("Top 10 priorities")
    # With their rank ranges when known; the page asks for them as its last step.
    known = board.known_ranges(TOP)
    spread = known.result() if known is not None and known.done() and known.exception() is None else None
    if known is None or not known.done():
        wait_and_rerun(board.ranges_key(TOP), board.ranges_work(TOP), "Rank ranges on their way…")
    shown = board.ranked.order[:TOP]
    # No "Stable" column here: the sentence under it says how many hold, Priorities which.
    st.table(top_table(board, shown, spread).drop(columns="Stable", errors="ignore"), hide_index=True)
    if spread is not None:
        st.markdown(
            how_sure(board.prepared.names, shown, spread, TOP, which=False, guessed=board.guessed_share)
        )
    warned = len(board.loaded.warnings)
    if warned:
        st.caption(
            f":orange[{warned:,} catalogue warning{'s' if warned != 1 else ''}], such as a missing "
            "measure: the Catalogue page lists them."
        )
    st.page_link(
        PAGES["priorities"].script,
        label="All priorities, filters and rank ranges",
        icon=":material/arrow_forward:",
    )
    # What the room takes away: report, workbook, slides and charts in one ZIP.
    packs.offer(board, "zip", key="overview_pack", label="Workshop pack")

with right:
    st.subheader("Ambition tiers")
    tiers = [*st.columns(2), *st.columns(2)]
    for column, share in zip(tiers, ambition.tiers, strict=True):
        limit = f" · limit {share.limit:.0%}" if share.limit is not None else ""
        column.metric(
            f"{share.tier.label}",
            f"{share.count}",
            delta=f"{share.share:.0%}{limit}",
            delta_color="inverse" if share.over_limit else "off",
            delta_arrow="off",
        )

    st.subheader("Most costly unowned seams")
    unowned = seams.unowned
    if unowned:
        teams = board.prepared.team_labels
        for seam in unowned:
            own = "none" if seam.own_priority is None else f"{seam.own_priority:.0f}"
            source = (
                f"its own priority ({own})"
                if seam.priority_from is None
                else f"the priority of {plain(seam.priority_from)} ({seam.priority:.0f}), above its own ({own})"
            )
            st.markdown(
                f"**{plain(seam.experience_name)}**: {plain(teams[seam.from_team])} → "
                f"{plain(teams[seam.to_team])} · risk {seam.risk:.0f}"
                + ("" if seam.priority_from is None else f", from {plain(seam.priority_from)}"),
                help=f"Nobody owns the handoff into '{plain(seam.to_step)}'. Its risk is {source}: "
                "a seam takes its parent's priority when that is higher.",
            )
    else:
        st.success("Every handoff between teams has an owner.")
    st.page_link(
        PAGES["ownership"].script, label="All seams and the team graph", icon=":material/arrow_forward:"
    )

    st.subheader("Ambition warnings")
    serious = [f for f in ambition.findings if f.severity.value in ("high", "medium")]
    if serious:
        for finding in serious[:5]:
            marker = ":red[●]" if finding.severity.value == "high" else ":orange[●]"
            st.markdown(f"{marker} {plain(finding.message)}")
        if len(serious) > 5:
            st.caption(f"and {len(serious) - 5} more")
    else:
        st.success("The ambition portfolio raises no warnings.")
    st.page_link(PAGES["ambition"].script, label="The ambition board", icon=":material/arrow_forward:")

st.subheader("Moments that matter")
moments, every_moment = moments_words(board)
if len(moments):
    st.table(moments, hide_index=True)
    if every_moment > len(moments):
        st.caption(f"The {len(moments)} highest priorities of {every_moment:,} moments that matter.")
        csv_download(
            "Download every moment that matters (CSV)",
            lambda: moments_table(board),
            "moments.csv",
            "download_moments",
            board.weights,
        )
else:
    st.info("No experience is marked as a moment that matters (matters: true in the catalogue).")

with st.expander("How to read this board"):
    st.markdown(
        "- **Priority** (0-100) blends five measures: how many customers an experience reaches, how "
        "often, how deeply it matters to them, what it costs or earns, and how much avoidable "
        "*failure demand* it creates. **Customer value** and **business value** are shown apart.\n"
        "- **Ambition** is where we choose to stand against competitors: *Unique*, *Distinct*, "
        "*Competitive* or deliberately *Uncompetitive*. Not everything can be Unique.\n"
        "- A **seam** is a handoff between two teams inside one experience. An unowned seam is "
        "where customers fall through the gaps: someone has to own it.\n"
        "- The sidebar weights change every ranking on every page; *Reset* restores the catalogue's."
    )

# The last step, once the page is on its way: what waited for it starts in the background
# (a new catalogue file's import into the store, the whole ownership analysis).
if known is None:
    board.rank_ranges(TOP)  # started once everything else is on screen
board.drawn()
