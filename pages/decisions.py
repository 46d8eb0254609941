"""Decision rights: the RACI matrix with its defects, the findings, accountability load."""

from __future__ import annotations

import streamlit as st

from board import open_page, raci
from board.charts import readable
from board.show import decision_words, fit, plain, show_findings
from cxprio.method.ownership import (
    accountability_load,
    find_decisions,
)
from cxprio.outputs import charts
from cxprio.outputs.headings import ROLE_NAMES

board = open_page("Decision rights")
catalogue = board.catalogue
report = board.ownership()
names = catalogue.team_names()

st.title("Decision rights")
st.caption(
    "Who is Accountable (exactly one team), Responsible (at least one), Consulted and Informed "
    "(kept small) for each decision."
)

findings = report.decision_findings
# The roles and their defects do not depend on the weights: built once per catalogue version.
kept = board.prepared.keep
shown = board.raci()
defective = kept("raci-defective", lambda: int((shown["defects"] != "").sum()))

metrics = st.columns(3)
metrics[0].metric("Decisions", f"{len(shown):,}")
metrics[1].metric("With a defect", f"{defective:,}", help="Decisions with at least one RACI finding")
metrics[2].metric(
    "Owners without authority",
    sum(f.code == "OWNER_WITHOUT_AUTHORITY" for f in findings),
    help="Experiences whose owner is Accountable for none of their decisions",
)

ROLES = ROLE_NAMES  # A, R, C and I in words
DECISIONS_LISTED = 200  # decisions the picker lists at once; the search box narrows them

# The answer first: who decides X, in words, for the decision found.
if any(e.decisions for e in catalogue.experiences):
    find, pick = st.columns([2, 3])
    query = find.text_input(
        "Find a decision", key="decision_find", placeholder="Decision, experience or team"
    )
    found = find_decisions(catalogue, query, findings)  # milliseconds at 10,000 experiences
    if found:
        index = pick.selectbox(
            f"Decision ({len(found):,} found)" if query.strip() else "Decision",
            range(min(len(found), DECISIONS_LISTED)),
            format_func=lambda i: f"{found[i].decision.name} · {found[i].experience_name}",
            key="decision_pick",
        )
        chosen = found[index or 0]
        experience_id, experience_name, decision = chosen.experience, chosen.experience_name, chosen.decision
        st.markdown(decision_words(decision, experience_name, names))
        problems = [f for f in findings if f.experience == experience_id and f.decision == decision.name]
        for problem in problems:
            st.markdown(f":red[●] **{problem.title}**: {plain(problem.action)}")
        if not problems:
            st.markdown(":green[●] Well formed: one team decides, and the roles are clear.")
    else:
        st.info("No decision matches: try part of its name, its experience or a team.")

matrix_tab, findings_tab, load_tab = st.tabs(["RACI matrix", "Findings", "Accountability load"])
matrix_tab.caption("Decisions with a defect come first, the defect highlighted.")


with matrix_tab:
    raci.matrix(board, shown, defective, names)

with findings_tab:
    if findings:
        show_findings(
            board, findings, ["severity", "title", "experience", "teams", "risk", "message"], "decision"
        )
    else:
        st.success("Every decision has exactly one Accountable team and well-formed roles.")

with load_tab:
    load = kept("accountability", lambda: accountability_load(catalogue))
    CHART_TEAMS = 25  # bars a person at the back of the room can still read
    charted = load.head(CHART_TEAMS)
    if len(load) > CHART_TEAMS:
        st.caption(
            f"The {CHART_TEAMS} teams accountable for most decisions; the table below has all {len(load)}."
        )
    st.altair_chart(readable(charts.accountability(charted)), width="stretch")
    st.dataframe(
        load,
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn("Team", width=fit(load["name"], heading="Team")),
            "team": None,
            **{key: st.column_config.NumberColumn(role, width=120) for key, role in ROLES.items()},
        },
        key="accountability_load",
    )
