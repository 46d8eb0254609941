"""Decision rights: the RACI matrix with its defects, the findings, accountability load."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from board import open_page
from board.charts import readable
from board.show import csv_download, decision_words, defect_titles, fit, plain, show_findings
from cxprio.method.ownership import (
    RACI_KEYS,
    accountability_load,
    find_decisions,
    raci_teams,
    select_decisions,
)
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
PAGE_ROWS = 50  # decisions drawn at once: a projector shows about 15, a laptop 30
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


def selected_and_teams(selected: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    return selected, raci_teams(selected)


with matrix_tab:
    if len(shown):
        filters = st.columns([3, 3, 3])
        which = filters[0].segmented_control(
            "Show",
            ["With a defect", "All decisions"],
            default="With a defect" if defective else "All decisions",
            key="raci_which",
        )
        team_labels = board.prepared.team_labels
        team = filters[1].selectbox(
            "Team involved", list(team_labels), format_func=team_labels.__getitem__, key="raci_team"
        )
        search = filters[2].text_input("Search", key="raci_search", placeholder="Experience or decision")
        # Experiences by name, as people know them (the CSV keeps their ids).
        labelled = kept(
            "raci-named", lambda: shown.assign(experience=shown["experience"].map(board.prepared.name_of))
        )
        matching, involved = kept(
            ("raci-selected", which, team, search),
            lambda: selected_and_teams(
                select_decisions(labelled, defective_only=which == "With a defect", team=team, search=search)
            ),
        )
        if matching.empty:
            st.info("No decision matches these filters.")
        else:
            pages = (len(matching) - 1) // PAGE_ROWS + 1
            page = 1
            if pages > 1:
                page = int(
                    st.number_input(
                        f"Page (of {pages})", min_value=1, max_value=pages, value=1, key="raci_page"
                    )
                )
            first = (page - 1) * PAGE_ROWS
            part = matching.iloc[first : first + PAGE_ROWS]
            st.caption(
                f"Decisions {first + 1:,}–{first + len(part):,} of {len(matching):,} matching "
                f"({len(shown):,} in all), defective first; the {len(involved)} teams they involve."
            )

            def highlight(defects: object) -> str:
                # The defect's own cell only: a style per cell of a 150-team row is sent for every cell.
                return "background-color: #fde2e2" if defects else ""

            part_teams = raci_teams(part)
            st.dataframe(
                part[[*RACI_KEYS, *part_teams]]
                .assign(defects=part["defects"].map(defect_titles))
                .style.map(highlight, subset=["defects"]),
                hide_index=True,
                width="stretch",
                height="content",  # at most PAGE_ROWS rows: every one seen, none cut
                column_config={
                    "experience": st.column_config.TextColumn(
                        "Experience", width=fit(part["experience"], heading="Experience"), pinned=True
                    ),
                    "decision": st.column_config.TextColumn(
                        "Decision", width=fit(part["decision"], heading="Decision"), pinned=True
                    ),
                    "defects": st.column_config.TextColumn(
                        "Defects", width=fit(part["defects"].map(defect_titles), heading="Defects")
                    ),
                    **{
                        team: st.column_config.TextColumn(
                            names.get(team, team), width=fit([names.get(team, team)])
                        )
                        for team in part_teams
                    },
                },
                key="raci_matrix",
            )
            csv_download(
                "Download these decisions (CSV)",
                matching,
                "raci-selected.csv",
                "download_raci_selected",
                board.weights,
            )
        csv_download(
            "Download the whole RACI matrix (CSV)", shown, "raci-matrix.csv", "download_raci", board.weights
        )
    else:
        st.info("The catalogue records no decisions yet: add 'decisions' to its experiences.")

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
    long = charted.melt(
        id_vars=["team", "name"], value_vars=["A", "R", "C", "I"], var_name="role", value_name="decisions"
    )
    long["role"] = long["role"].map(ROLES)
    chart = (
        alt.Chart(long[long["decisions"] > 0])
        .mark_bar()
        .encode(
            x=alt.X("decisions:Q", title="Decisions"),
            y=alt.Y(
                "name:N",
                title="Team",
                sort=list(charted["name"]),
                axis=alt.Axis(labelLimit=260, labelOverlap=False),
            ),
            color=alt.Color(
                "role:N",
                title="Role",
                sort=list(ROLES.values()),
                # Deciding and doing in strong colours, being asked and told in quiet ones; no
                # red, which would read as a fault.
                scale=alt.Scale(
                    domain=list(ROLES.values()), range=["#1f4e79", "#2a9d8f", "#e9c46a", "#cbd5e1"]
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Team"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("decisions:Q", title="Decisions"),
            ],
        )
        # A row per team, tall enough that no two team names touch.
        .properties(title="Decisions per team and role", height=alt.Step(28))
    )
    st.altair_chart(readable(chart), width="stretch")
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
