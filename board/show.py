"""Showing things on the board: catalogue text as plain text, problems, findings, and
CSV downloads built only when someone clicks."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from cxprio.catalogue.model import Decision
from cxprio.errors import Problem, StoreError
from cxprio.method.evidence import GUESSED_MOST
from cxprio.method.findings import KINDS, Finding
from cxprio.outputs.exports import csv_text
from cxprio.outputs.tables import findings_table, with_weights
from cxprio.texts import field_words
from cxprio.units import as_written, tier_words

if TYPE_CHECKING:
    from cxprio.store.versions import Store

    from .ranges import RankRanges
    from .state import Board

FINDING_LABELS = {
    "severity": "Severity",
    "title": "Finding",
    "experience": "Experience",
    "teams": "Teams",
    "risk": "Risk",
    "message": "What we found",
    "action": "What to do",
}
"""The headings of the findings, shown as tables that wrap (every word of the advice)."""

MEASURE_INPUTS: dict[str, tuple[str, float, float | None, float, str]] = {
    "reach": ("Reach (customers a year)", 0.0, None, 1000.0, "%.0f"),
    "frequency": ("Frequency (times a year)", 0.0, None, 0.5, "%g"),
    "depth": ("Depth (1-5)", 1.0, 5.0, 0.5, "%g"),
    "cost": ("Cost (a year)", 0.0, None, 10000.0, "%.0f"),
    "failure_demand": ("Failure demand (share)", 0.0, 1.0, 0.01, "%.2f"),
}
"""How a measure is typed on the board: label, smallest, largest, step, format."""

PRIORITY = st.column_config.ProgressColumn("Priority", min_value=0, max_value=100, format="%.1f", width=110)

RANKED_COLUMNS: dict[str, Any] = {
    "rank": st.column_config.NumberColumn("Rank", width=60),
    "rank_range": st.column_config.TextColumn(
        "Range", width=75, help="5th-95th percentile rank under nearby weights and values"
    ),
    "name": st.column_config.TextColumn("Experience", width=360),
    "level_label": st.column_config.TextColumn("Level", width=90),
    "priority": PRIORITY,
    "customer_value": st.column_config.NumberColumn("Customer", format="%.1f", help="Customer value (0-100)"),
    "business_value": st.column_config.NumberColumn("Business", format="%.1f", help="Business value (0-100)"),
    "ambition_label": st.column_config.TextColumn("Ambition", width=130),
    "owner_name": st.column_config.TextColumn("Owner", width=260),
}
"""The ranked table's columns (see :func:`ranked_columns`)."""

TREE_COLUMNS: dict[str, Any] = {
    "experience": st.column_config.TextColumn("Trigger → journeys → moments", width=420),
    "level": st.column_config.TextColumn("Level", width=90),
    "rank": st.column_config.NumberColumn("Rank", width=70),
    "ambition": st.column_config.TextColumn("Ambition", width=130),
    "priority": PRIORITY,
}
"""The drill-down's columns: an experience and everything under it."""


def gap_table(gaps: pd.DataFrame, way: str) -> pd.DataFrame:
    """Rows of :func:`cxprio.method.ambition.delivery_gap` (with ``gap`` made positive) as a
    table that wraps: the experience, its aim, where it is today, and how far off."""
    return pd.DataFrame(
        {
            "Experience": [plain(str(n)) for n in gaps["name"]],
            "Aim": [tier_words(a) for a in gaps["ambition"]],
            "Today": [tier_words(c) for c in gaps["current"]],
            "Tiers " + ("short" if way == "short" else "above"): [f"{g}" for g in gaps["gap"]],
        }
    )


def decision_words(decision: Decision, experience: str, names: Mapping[str, str]) -> str:
    """Who decides, in words: the decision, its experience, and each role's teams."""

    def teams(ids: Sequence[str]) -> str:
        # Commas, not "and": team names hold "and" themselves.
        return ", ".join(plain(names.get(t, t)) for t in dict.fromkeys(ids)) if ids else "nobody"

    return (
        f"**{plain(decision.name)}** ({plain(experience)})  \n"
        f"**Accountable**: {teams(decision.accountable)}  \n"
        f"**Responsible**: {teams(decision.responsible)}  \n"
        f"**Consulted**: {teams(decision.consulted)}  \n"
        f"**Informed**: {teams(decision.informed)}"
    )


def defect_titles(codes: str) -> str:
    """A RACI row's comma-separated finding codes as their plain titles."""
    return ", ".join(KINDS[code].title if code in KINDS else code for code in codes.split(", ") if code)


CHARACTER_PX = 7.5
"""A generous width of one character in a table cell (Streamlit's grid draws 14 px
Source Sans, about 6.5 px a character on average, 9 px for the widest capitals): a
column this wide per character, with its padding, does not cut ordinary text."""


def fit(texts: Iterable[object], *, heading: str = "", least: int = 60, most: int = 520) -> int:
    """A table column's width in pixels that shows its ``heading`` and the longest of
    ``texts`` whole, with the cell's padding and the heading's sort arrow (within
    ``least`` and ``most``)."""
    longest = max((len(str(t)) for t in [heading, *texts]), default=0)
    return int(min(most, max(least, round(longest * CHARACTER_PX) + 24)))


def mover_table(movers: pd.DataFrame) -> pd.DataFrame:
    """Risers or fallers (:class:`cxprio.method.compare.Comparison`) as a table that wraps: the
    experience, its rank then and now, and the reasons recorded for its changes."""
    return pd.DataFrame(
        {
            "Experience": movers["name"].map(plain),
            # No-break spaces: "10 → 41" never splits over two lines.
            "Rank": [
                f"{a:,}\u00a0→\u00a0{b:,}"
                for a, b in zip(movers["rank_then"], movers["rank_now"], strict=True)
            ],
            "Why": [
                sentence(why) if isinstance(why, str) and why else "No reason recorded"
                for why in movers["why"]
            ],
        }
    )


def performance_table(performance: pd.DataFrame, then: str, now: str) -> pd.DataFrame:
    """Performance then and now (:class:`cxprio.method.compare.Comparison`) as a table that wraps."""
    return pd.DataFrame(
        {
            "Experience": performance["name"].map(plain),
            "Measure": performance["measure"].map(plain),
            then: performance["value_then"].map(as_written),
            now: performance["value_now"].map(as_written),
            "Target": performance["target"].map(as_written),
            "Got worse": ["Yes" if worse else "No" for worse in performance["worse"]],
        }
    )


def words_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def top_table(board: Board, rows: npt.NDArray[np.intp], spread: RankRanges | None) -> pd.DataFrame:
    """The top of the ranking as a table that wraps, so no name is cut on a projector:
    rank, rank range and whether it is stable (given the ranges), name, priority, ambition."""
    ranked, names = board.ranked, board.prepared.names
    ambition = board.prepared.columns["ambition_label"].take(rows).to_pylist()
    table: dict[str, list[str]] = {"Rank": [f"{r}" for r in ranked.rank[rows]]}
    if spread is not None:
        table["Range"] = spread.text.take(rows).to_pylist()
        table["Stable"] = ["Yes" if s else "No" for s in spread.stable[rows]]
    table["Experience"] = [plain(names[r]) for r in rows]
    table["Priority"] = [
        f"{p:.0f}" if p == p else "Not scored" for p in ranked.priority[rows]
    ]  # NaN: no measures
    table["Ambition"] = ambition
    return pd.DataFrame(table)


def how_sure(
    names: Sequence[str],
    shown: npt.NDArray[np.intp],
    spread: RankRanges,
    top_n: int,
    *,
    which: bool = True,
    guessed: npt.NDArray[np.float64] | None = None,
) -> str:
    """In words, how far the top ``top_n`` holds when the weights and the values wobble:
    which of it could drop out, and which experiences below could come in (without
    ``which``, only how many stay); given ``guessed`` (each experience's share of its
    priority from guessed values, id order), which of the ranks shown rest on guesses."""
    low = spread.frame["rank_p5"].to_numpy()
    unstable = [int(r) for r in shown if not spread.stable[r]]
    inside = set(int(r) for r in shown)
    rising = [int(r) for r in np.flatnonzero(low <= top_n) if int(r) not in inside]
    stable = len(shown) - len(unstable)
    text = (
        f"**How sure:** {stable} of the top {len(shown)} stay in the top {top_n} "
        "under nearby weights and values"
    )
    resting = _on_guesses(names, shown, guessed)
    if not which:
        return text + resting + "."
    if unstable:
        text += f"; {words_list([plain(names[r]) for r in unstable[:5]])} could drop out"
        if len(unstable) > 5:
            text += f" (and {len(unstable) - 5} more)"
    if rising:
        rising.sort(key=lambda r: int(low[r]))
        text += f"; {words_list([plain(names[r]) for r in rising[:3]])} could come in"
    return text + resting + "."


GUESSES_NAMED = 3
"""Ranks resting on guesses named in the "how sure" sentence; the rest are counted."""


def _on_guesses(
    names: Sequence[str], shown: npt.NDArray[np.intp], guessed: npt.NDArray[np.float64] | None
) -> str:
    """``; #8 Close an account after a death rests on guesses: measure it before the room
    commits`` (the finding's advice), for the ranks shown whose priority comes mostly from
    guessed values (empty when none does)."""
    if guessed is None:
        return ""
    resting = [(place, int(r)) for place, r in enumerate(shown, start=1) if guessed[r] > GUESSED_MOST]
    if not resting:
        return ""
    named = [f"#{place} {plain(names[r])}" for place, r in resting[:GUESSES_NAMED]]
    more = len(resting) - len(named)
    if more:
        named.append(f"{more} more")
    return (
        f"; {words_list(named)} {'rests' if len(resting) == 1 else 'rest'} on guesses: measure "
        f"{'it' if len(resting) == 1 else 'them'} before the room commits"
    )


def ranked_columns(top_n: int) -> dict[str, Any]:
    """The ranked table's columns, with the stable top N named for ``top_n``."""
    return RANKED_COLUMNS | {
        "stable_top_n": st.column_config.CheckboxColumn(
            f"Top {top_n}", width=75, help=f"Stays in the top {top_n} in 90 % of draws"
        )
    }


_ESCAPED = {ord(c): "\\" + c for c in string.punctuation}
_NO_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?<=@)")
"""Where GitHub-flavoured Markdown would start a link by itself (``https://``, ``www.``,
an e-mail address): a zero-width space there leaves the text as it reads, with no link."""


def plain(text: str) -> str:
    """Catalogue and user text as plain text in Streamlit's Markdown: every ASCII
    punctuation character is backslash-escaped (CommonMark shows it literally) and a
    zero-width space breaks every address Markdown would turn into a link by itself, so
    no link, image, emphasis, HTML, LaTeX, emoji shortcode or ``:colour[...]`` directive
    can come from it; line breaks become spaces. Never put the result inside a directive
    such as ``:gray[...]``, where escapes are shown as they are."""
    return _NO_AUTOLINK.sub("\u200b", " ".join(text.split())).translate(_ESCAPED)


NO_RERUN: Final = "ignore"
"""A download button's ``on_click``: a download changes nothing on the page, so it never
reruns it. With the default (a rerun on every click), the rerun can start while the file
is being built, and Streamlit then drops the message that carries the file's address:
the button spins for ever and nothing downloads."""


def store_or_stop(board: Board, what: str) -> Store:
    """The board's store; without one (the database cannot be used: the page says why at
    its top), say that ``what`` cannot be shown, and stop the page."""
    if board.record.store is None:
        st.info(f"The store cannot be used, so there {what} (see above).", icon=":material/cloud_off:")
        st.stop()
    return board.record.store


@contextmanager
def store_trouble() -> Iterator[None]:
    """A store error raised inside it (a database that went down, hung or read-only
    while the page ran) shown as the page's message, and the page stopped there: never
    Streamlit's own error box."""
    try:
        yield
    except StoreError as problem:
        st.error(sentence(str(problem)), icon=":material/cloud_off:")
        st.stop()


def keep_message(key: str, message: str) -> None:
    """Keep ``message`` under ``key`` in the session, to show after the next rerun
    (:func:`message_once`): what a save or a refusal in a callback has to say."""
    st.session_state[key] = message


def message_once(key: str) -> str | None:
    """The message kept under ``key``, once: it is gone after this."""
    message = st.session_state.pop(key, None)
    return message if isinstance(message, str) else None


def sentence(text: str) -> str:
    """``text`` as plain text (:func:`plain`) starting with a capital letter: the core's
    messages start in lower case, to read well after a file name."""
    return plain(text[:1].upper() + text[1:])


def csv_download(
    label: str,
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    key: str,
    weights: Mapping[str, float] | None,
    place: Any = None,
) -> None:
    """A download button whose CSV (and, given a function, whose table) is only built when
    someone clicks it. Given ``weights``, every row ends with the weights the figures come
    from (:func:`cxprio.outputs.tables.with_weights`); ``None`` is for a table that has them already
    or needs none. No text in it runs as a formula (:func:`cxprio.outputs.exports.csv_text`)."""

    def csv() -> bytes:
        table = frame if isinstance(frame, pd.DataFrame) else frame()
        if weights is not None:
            table = with_weights(table, weights)
        return csv_text(table, index=False).encode("utf-8")

    (place or st).download_button(
        label,
        csv,
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click=NO_RERUN,
    )


FINDINGS_SHOWN = 20
"""Findings shown in full on the page, most important first; the rest are a click away."""
FINDINGS_LISTED = 100
"""Findings listed in the expander below them (the first 20 included), most important
first; the download has them all. An expander sends its table with the page, opened or
not, and a table that wraps is drawn cell by cell: a hundred keeps a page quick."""

ROWS_DRAWN = 1000
"""Rows a long table draws, first ones first; its download always has every row. More is
more than anyone scrolls through in a room, and slows every page that shows it."""


CHOICES_LISTED = 200
"""Experiences a picker lists at once. Above that a search box narrows them: a list of
thousands is sent to the browser at every run and nobody scrolls through it."""


def pick_experience(
    place: Any,
    label: str,
    ids: Sequence[str],
    names: Mapping[str, str],
    key: str,
    *,
    everything: str | None = None,
) -> str | None:
    """A selectbox of experiences by name, in the order of ``ids``; with ``everything``,
    a first option of that name that picks none (``None``). Of more than
    :data:`CHOICES_LISTED` experiences, a search box above it (key ``{key}_find``) keeps
    those whose name or id holds the text, and the first :data:`CHOICES_LISTED` are listed."""
    listed = list(ids)
    if len(listed) > CHOICES_LISTED:
        query = place.text_input(
            f"Find {label.lower()}",
            key=f"{key}_find",
            placeholder="Name or id",
            help=f"{len(listed):,} to choose from: the first {CHOICES_LISTED} are listed, "
            "type part of a name or id to find the others",
        )
        words = query.strip().lower()
        if words:
            listed = [e for e in listed if words in e.lower() or words in names[e].lower()]
        if not listed:
            place.caption(f"No experience matches {plain(query)}.")
        listed = listed[:CHOICES_LISTED]
    options: list[str | None] = [None, *listed] if everything is not None else list(listed)
    chosen: str | None = place.selectbox(
        label,
        options,
        format_func=lambda e: everything if e is None else names[e],
        key=key,
    )
    return chosen


def rows_drawn_note(
    drawn: int, total: int, what: str, narrow: str = "narrow them with the filters, or "
) -> None:
    """Under a table cut to its first ``drawn`` rows: say so, and where the rest are."""
    if total > drawn:
        st.caption(f"The first {drawn:,} of {total:,} {what}: {narrow}download them all.")


def show_findings(board: Board, findings: list[Finding], columns: list[str], name: str) -> None:
    """The most important findings as a table that wraps its text, so the advice is read
    whole on a projector, with plain titles, experiences and teams by name and what to do;
    all of them in an expander when there are more, and as a CSV download (with codes and
    ids, and the weights)."""
    names, teams = board.prepared.name_of, board.prepared.team_labels
    table = findings_table(findings)
    columns = [*columns, "action"]
    readable = table[columns].assign(
        **({"severity": table["severity"].str.capitalize()} if "severity" in columns else {}),
        **(
            {"experience": table["experience"].map(lambda e: names.get(e, e))}
            if "experience" in columns
            else {}
        ),
        **(
            {"teams": table["teams"].map(lambda t: ", ".join(teams.get(x, x) for x in t.split(", ") if x))}
            if "teams" in columns
            else {}
        ),
    )

    def wrapping(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                FINDING_LABELS[column]: rows[column].map(lambda v: f"{v:.0f}")
                if column == "risk"
                else rows[column].map(lambda v: plain(str(v)))
                for column in columns
            }
        )

    st.table(wrapping(readable.head(FINDINGS_SHOWN)), hide_index=True)
    if len(readable) > FINDINGS_SHOWN:
        with st.expander(f"{len(readable):,} findings in all (the {FINDINGS_SHOWN} above come first)"):
            st.table(wrapping(readable.iloc[FINDINGS_SHOWN:FINDINGS_LISTED]), hide_index=True)
            rows_drawn_note(FINDINGS_LISTED, len(readable), "findings", narrow="")
    csv_download(
        "Download the findings (CSV)",
        table,
        f"{name}-findings.csv",
        f"download_{name}_findings",
        board.weights,
    )


def visible(problem: Problem) -> Problem:
    """``problem`` as a visitor of the board sees it: the catalogue named by its file
    name, never by the path where the server keeps it."""
    return replace(problem, file=PurePath(problem.file).name) if problem.file else problem


def show_problems(
    problems: tuple[Problem, ...] | list[Problem], *, limit: int = 50, total: int | None = None
) -> None:
    """Problems as a readable list: location, field, message and fix, as plain text.
    ``total``: how many errors there are in all, when ``problems`` holds only the first."""
    errors = [p for p in problems if p.is_error]
    lines = []
    for problem in errors[:limit]:
        where = visible(problem).location() + (f" · {field_words(problem.field)}" if problem.field else "")
        fix = f"  \n  ↳ {plain(problem.hint)}" if problem.hint else ""  # on a line of its own
        lines.append(f"- **{plain(where)}**: {plain(problem.message)}{fix}")
    total = len(errors) if total is None else total
    if total > min(len(errors), limit):
        lines.append(f"- … and {total - min(len(errors), limit):,} more")
    st.error("\n".join(lines), icon=":material/error:")
