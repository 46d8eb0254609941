"""The board's shared shell: which catalogue, cached loading, the weight sliders, errors.

Pages call :func:`current_board` and draw; everything they compute comes from ``cxprio``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import streamlit as st

from cxprio import CatalogueError, LoadedCatalogue, parse_catalogue
from cxprio.ambition import AmbitionReport, check_ambition
from cxprio.catalogue import DEFAULT_MAX_BYTES
from cxprio.errors import CatalogueReadError, Problem, ProblemLevel, UsageError
from cxprio.findings import Finding
from cxprio.model import MEASURES, Catalogue, Level
from cxprio.ownership import OwnershipReport, analyse_ownership
from cxprio.scoring import (
    Normalised,
    Ranking,
    Scores,
    normalise,
    ranked_table,
    ranking,
    resolve_weights,
    robustness,
)
from cxprio.tables import descendants, findings_table, matching

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config" / "experiences.yaml"
ENVIRONMENT_VARIABLE = "CXPRIO_CATALOGUE"

MEASURE_LABELS = {
    "reach": "Reach",
    "frequency": "Frequency",
    "depth": "Depth",
    "cost": "Cost",
    "failure_demand": "Failure demand",
}

LEVEL_COLOURS = {"trigger": "#1f4e79", "journey": "#2a9d8f", "moment": "#e76f51"}


def level_colour(title: str = "Level") -> alt.Color:
    """The same colour for each level on every chart."""
    return alt.Color(
        "level:N",
        title=title,
        scale=alt.Scale(domain=list(LEVEL_COLOURS), range=list(LEVEL_COLOURS.values())),
    )


SCATTER_COLUMNS = ("name", "level", "rank", "priority", "customer_value", "business_value", "reach")


@functools.cache
def scatter_spec() -> dict[str, object]:
    """The Priorities value map as a Vega-Lite spec without data, built and validated by
    Altair once per process: only the data changes from run to run."""
    chart = (
        alt.Chart()
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("customer_value:Q", title="Customer value (0-100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("business_value:Q", title="Business value (0-100)", scale=alt.Scale(domain=[0, 100])),
            size=alt.Size("reach:Q", title="Reach (customers a year)", scale=alt.Scale(range=[40, 900])),
            color=level_colour(),
            tooltip=[
                alt.Tooltip("name:N", title="Experience"),
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("priority:Q", title="Priority", format=".1f"),
                alt.Tooltip("customer_value:Q", title="Customer value", format=".1f"),
                alt.Tooltip("business_value:Q", title="Business value", format=".1f"),
                alt.Tooltip("reach:Q", title="Reach", format=","),
            ],
        )
        .properties(title="Top right: valuable to customers and to the business", height=460)
    )
    spec: dict[str, object] = chart.to_dict(validate=True)
    for key in ("data", "datasets", "$schema"):
        spec.pop(key, None)
    return spec


FINDING_COLUMNS = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "code": st.column_config.TextColumn("Finding", width="medium"),
    "experience": st.column_config.TextColumn("Experience", width="medium"),
    "teams": st.column_config.TextColumn("Teams", width="small"),
    "risk": st.column_config.NumberColumn("Risk", format="%.0f", width="small"),
    "message": st.column_config.TextColumn("What to do", width="large"),
}

PAGES = {
    "overview": "pages/overview.py",
    "priorities": "pages/priorities.py",
    "ambition": "pages/ambition.py",
    "ownership": "pages/ownership.py",
    "decisions": "pages/decisions.py",
    "catalogue": "pages/catalogue.py",
}

_UPLOAD = "uploaded_catalogue"  # session key: (name, bytes) of a catalogue chosen by upload
_LAST_GOOD = "last_good_catalogue"  # session key: source -> the last LoadedCatalogue that loaded
_WEIGHTS_FOR = "weights_for"  # session key: sha256 of the catalogue the sliders belong to
_BOARD = "_board"
_FILE_VERSION = "_file_version"  # session key: ((path, mtime_ns, size), sha256) of the file last read


def configured_path() -> Path:
    """``streamlit run app.py -- PATH``, else ``$CXPRIO_CATALOGUE``, else the sample."""
    if Path(sys.argv[0]).name == "app.py":
        arguments = [a for a in sys.argv[1:] if not a.startswith("-")]
        if arguments:
            return Path(arguments[0])
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE])
    return DEFAULT_PATH


def read_source() -> tuple[str, bytes]:
    """The name and bytes of the catalogue this session shows (an upload, or the file)."""
    upload = st.session_state.get(_UPLOAD)
    if upload is not None:
        name, content = upload
        return str(name), bytes(content)
    path = configured_path()
    try:
        size = path.stat().st_size
        if size > DEFAULT_MAX_BYTES:
            raise _read_problem(str(path), f"the file is {size / 1_048_576:.1f} MB, above the 20 MB limit")
        return str(path), path.read_bytes()
    except FileNotFoundError:
        raise _read_problem(str(path), "no such file: check the path given to the app") from None
    except OSError as exc:
        raise _read_problem(str(path), f"cannot read the file ({exc.strerror})") from None


def source_version() -> tuple[str, str]:
    """The name and content SHA-256 of the catalogue this session shows.

    The file is re-read and re-hashed only when its size or modification time changes,
    so a rerun after a slider move does not hash a large catalogue again.
    """
    upload = st.session_state.get(_UPLOAD)
    if upload is not None:
        return str(upload[0]), hashlib.sha256(upload[1]).hexdigest()
    path = configured_path()
    try:
        stat = path.stat()
    except OSError:
        name, content = read_source()  # raises the right message
        return name, hashlib.sha256(content).hexdigest()
    stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    known = st.session_state.get(_FILE_VERSION)
    if known is not None and known[0] == stamp:
        return str(path), str(known[1])
    name, content = read_source()
    sha256 = hashlib.sha256(content).hexdigest()
    st.session_state[_FILE_VERSION] = (stamp, sha256)
    return name, sha256


def _read_problem(source: str, message: str) -> CatalogueReadError:
    return CatalogueReadError([Problem(ProblemLevel.ERROR, message, file=source, code="read")])


# The catalogue is immutable (frozen models), so it is cached as a shared resource:
# st.cache_data would unpickle a fresh copy of a 10,000-experience catalogue on every rerun.
# The key is the source name and the content's SHA-256, so an edited file is reloaded.
@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load(source: str, sha256: str) -> LoadedCatalogue:
    name, content = read_source()
    if hashlib.sha256(content).hexdigest() != sha256:  # rewritten between stat and read
        raise _read_problem(name, "the file changed while it was being read: click anywhere to reload it")
    return parse_catalogue(content, source=name)


@dataclass(frozen=True)
class Prepared:
    """What the board keeps per catalogue version, so a rerun only re-ranks."""

    norm: Normalised  # with an ``owner_name`` column beside the core's
    columns: pa.Table  # the displayed text and flags, one row per experience in id order
    rows_by_id: dict[str, int]  # experience id -> its row
    names: list[str]  # by row
    triggers: npt.NDArray[np.intp]  # rows of the triggers


DISPLAYED = ("id", "name", "level", "ambition", "owner_name", "complete", "reach")


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepare(sha256: str, _loaded: LoadedCatalogue) -> Prepared:
    norm = normalise(_loaded.catalogue)
    names = _loaded.catalogue.team_names()
    info = norm.info.assign(
        owner_name=[names.get(owner, "—") if owner else "—" for owner in norm.info["owner"]]
    )
    # Arrow once per catalogue: tables go to the browser as Arrow, so a rerun then takes
    # the rows it shows without converting any strings again.
    columns = pa.Table.from_pandas(info[list(DISPLAYED)], preserve_index=False)
    return Prepared(
        norm=replace(norm, info=info),
        columns=columns,
        rows_by_id={experience_id: row for row, experience_id in enumerate(norm.ids)},
        names=[str(name) for name in info["name"]],
        triggers=np.flatnonzero((info["level"] == Level.TRIGGER.value).to_numpy()),
    )


# Read only, so shared as is: the page and its download read it several times a run.
@st.cache_resource(show_spinner=False, max_entries=64)
def _robustness(sha256: str, weights: tuple[float, ...], top_n: int, _norm: Normalised) -> pd.DataFrame:
    return robustness(_norm, dict(zip(MEASURES, weights, strict=True)), top_n=top_n)


@st.cache_resource(show_spinner=False, max_entries=16)
def _ownership(sha256: str, weights: tuple[float, ...], _board: Board) -> OwnershipReport:
    priorities = dict(zip(_board.norm.ids, _board.ranked.priority.tolist(), strict=True))
    return analyse_ownership(_board.catalogue, priorities)


@st.cache_resource(show_spinner=False, max_entries=64)
def _matching(
    sha256: str,
    levels: tuple[str, ...],
    team: str | None,
    tiers: tuple[str, ...],
    search: str,
    _norm: Normalised,
) -> npt.NDArray[np.bool_] | None:
    return matching(_norm, levels=levels, team=team, tiers=tiers, search=search)


@dataclass(frozen=True)
class Tree:
    """An experience and everything under it: the rows (id order) and their display columns."""

    rows: npt.NDArray[np.intp]
    columns: pa.Table  # experience (indented by depth), level, ambition


@st.cache_resource(show_spinner=False, max_entries=64)
def tree_under(sha256: str, experience_id: str, _prepared: Prepared) -> Tree:
    """The experience and everything under it, in tree order, cached per catalogue version."""
    tree = descendants(_prepared.norm.catalogue, experience_id)
    rows = np.array([_prepared.rows_by_id[i] for i in tree["id"]], dtype=np.intp)
    indented = ["\u2003" * int(d) + str(n) for d, n in zip(tree["depth"], tree["name"], strict=True)]
    ambition = _prepared.columns.column("ambition").take(rows)
    return Tree(
        rows, pa.table({"experience": indented, "level": tree["level"].tolist(), "ambition": ambition})
    )


@dataclass(frozen=True)
class Board:
    """What every page works from: the catalogue, the live weights and the ranking.

    The ranking is kept as arrays (:class:`Ranking`); the ranked :attr:`table` is built
    the first time a page asks for it in a run.
    """

    loaded: LoadedCatalogue
    sha256: str
    weights: dict[str, float]
    prepared: Prepared
    ranked: Ranking
    stale: CatalogueError | None  # the newest version's errors, when showing the last good one

    @property
    def catalogue(self) -> Catalogue:
        return self.loaded.catalogue

    @property
    def norm(self) -> Normalised:
        return self.prepared.norm

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """Every experience ranked, as :func:`cxprio.scoring.rank` returns it (plus ``owner_name``)."""
        return ranked_table(self.norm, self.ranked)

    @property
    def weight_key(self) -> tuple[float, ...]:
        return tuple(self.weights[m] for m in MEASURES)

    def ambition(self) -> AmbitionReport:
        scores = Scores(self.table, self.weights, self.norm.warnings, self.norm)
        return check_ambition(self.catalogue, scores)

    def ownership(self) -> OwnershipReport:
        return _ownership(self.sha256, self.weight_key, self)

    def robustness(self, top_n: int) -> pd.DataFrame:
        """Rank ranges under nearby weights, one row per experience in id order."""
        return _robustness(self.sha256, self.weight_key, top_n, self.norm)

    def matching(
        self,
        *,
        levels: Sequence[str] = (),
        team: str | None = None,
        tiers: Sequence[str] = (),
        search: str = "",
    ) -> npt.NDArray[np.intp]:
        """The rows that pass the filters (see :func:`cxprio.tables.matching`), by rank."""
        mask = _matching(self.sha256, tuple(levels), team, tuple(tiers), search.strip(), self.norm)
        order = self.ranked.order
        return order if mask is None else order[mask[order]]

    def tree(self, experience_id: str) -> pa.Table:
        """The experience and everything under it with their rank and priority (see :class:`Tree`)."""
        tree = tree_under(self.sha256, experience_id, self.prepared)
        return tree.columns.append_column("rank", pa.array(self.ranked.rank[tree.rows])).append_column(
            "priority", pa.array(self.ranked.priority[tree.rows])
        )

    def view(self, rows: npt.NDArray[np.intp], ranges_top_n: int | None = None) -> pa.Table:
        """Those rows as an Arrow table: the displayed columns, rank, priority, customer and
        business value, and, given a top N, the rank range and whether it is a stable top N."""
        ranked = self.ranked
        view = self.prepared.columns.take(rows)
        numbers: dict[str, Any] = {
            "rank": ranked.rank[rows],
            "priority": ranked.priority[rows],
            "customer_value": ranked.customer_value[rows],
            "business_value": ranked.business_value[rows],
        }
        if ranges_top_n is not None:
            spread = self.robustness(ranges_top_n)
            low, high = spread["rank_p5"].to_numpy()[rows], spread["rank_p95"].to_numpy()[rows]
            numbers["rank_range"] = [f"{a}–{b}" for a, b in zip(low.tolist(), high.tolist(), strict=True)]
            numbers["stable_top_n"] = spread["stable_top_n"].to_numpy()[rows]
        for name, values in numbers.items():
            view = view.append_column(name, pa.array(values))
        return view


def csv_download(
    label: str,
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    key: str,
    place: Any = None,
) -> None:
    """A download button whose CSV (and, given a function, whose table) is only built when
    someone clicks it."""
    (place or st).download_button(
        label,
        lambda: (frame if isinstance(frame, pd.DataFrame) else frame()).to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
    )


def show_findings(findings: list[Finding], columns: list[str], name: str) -> None:
    """Findings as a table, most important first, with a CSV download of all of them."""
    table = findings_table(findings)
    st.dataframe(
        table[columns],
        hide_index=True,
        width="stretch",
        column_config=FINDING_COLUMNS,
        key=f"{name}_findings",
    )
    csv_download("Download the findings (CSV)", table, f"{name}-findings.csv", f"download_{name}_findings")


def show_problems(problems: tuple[Problem, ...] | list[Problem], *, limit: int = 50) -> None:
    """Problems as a readable list: location, field, message and fix, as plain text."""
    errors = [p for p in problems if p.is_error]
    lines = []
    for problem in errors[:limit]:
        where = problem.location() + (f" · {problem.field}" if problem.field else "")
        fix = f"  \n  ↳ {problem.hint}" if problem.hint else ""
        lines.append(f"- **{plain(where)}**: {plain(problem.message)}{plain(fix)}")
    if len(errors) > limit:
        lines.append(f"- … and {len(errors) - limit} more")
    st.error("\n".join(lines), icon=":material/error:")


def plain(text: str) -> str:
    """Catalogue text is shown as text: neutralise Markdown (and so any HTML) in it."""
    specials = "\\`*_{}[]()#+-.!|<>~$"
    return "".join("\\" + c if c in specials else c for c in text)


def load_board() -> Board:
    """Load (or reuse) the catalogue, set up the weight sliders, and rank. Called by app.py.

    An invalid catalogue shows its errors; the last good one stays on the board if there
    is one, otherwise the page stops after the errors.
    """
    stale: CatalogueError | None = None
    try:
        source, sha256 = source_version()
        loaded = _load(source, sha256)
        st.session_state.setdefault(_LAST_GOOD, {})[source] = (loaded, sha256)
    except CatalogueError as exc:
        previous = st.session_state.get(_LAST_GOOD, {}).get(configured_source())
        if previous is None:
            st.title("The catalogue could not be loaded")
            st.write("Fix these problems in the file and the board reloads it on the next click:")
            show_problems(exc.problems)
            st.stop()
        loaded, sha256 = previous
        stale = exc
    weights = _weight_sliders(loaded, sha256)
    prepared = _prepare(sha256, loaded)
    board = Board(loaded, sha256, weights, prepared, ranking(prepared.norm, weights), stale)
    st.session_state[_BOARD] = board
    return board


def configured_source() -> str:
    upload = st.session_state.get(_UPLOAD)
    return str(upload[0]) if upload is not None else str(configured_path())


def current_board() -> Board:
    """The board app.py loaded for this run; shows the stale-catalogue warning if any."""
    # app.py leaves the board for exactly one page run; taking it tells the next run
    # whether app.py ran before the page (see _route_through_app).
    board: Board | None = st.session_state.pop(_BOARD, None)
    if board is None:
        _route_through_app()
        board = load_board()
        st.session_state.pop(_BOARD, None)
    if board.stale is not None:
        with st.container(border=True):
            st.warning(
                "The catalogue file has errors, so the board still shows the last version that "
                "loaded. Fix these and click anywhere to reload:",
                icon=":material/warning:",
            )
            show_problems(board.stale.problems, limit=10)
    return board


def _route_through_app() -> None:
    """Send this run through app.py when Streamlit ran a page on its own.

    Streamlit's older multipage mode treats any folder named ``pages/`` beside the main
    script as a list of standalone pages, and uses it for the very first session of a
    fresh server until ``st.navigation`` has been called once. A first visitor who opens
    a page's address directly (``/priorities``) would then get that page without app.py:
    no board, no wide layout, the wrong page list. Switching the old mode off and
    rerunning sends the run through app.py's navigation, which serves the same page.
    AppTest restores the old mode before every run, and a rerun would drop a clicked
    button's value there, so under AppTest the caller loads the board itself instead.
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    if not config.get_option("global.appTest"):  # looked up on the module: AppTest patches it there
        st.rerun()


def use_upload(name: str, content: bytes) -> None:
    """Show an uploaded catalogue on the board for the rest of this session."""
    st.session_state[_UPLOAD] = (name, content)


def forget_upload() -> None:
    st.session_state.pop(_UPLOAD, None)


def using_upload() -> bool:
    return st.session_state.get(_UPLOAD) is not None


def _reset_weights(weights: dict[str, float]) -> None:
    for name, value in weights.items():
        st.session_state[f"weight_{name}"] = float(value)


def _weight_sliders(loaded: LoadedCatalogue, sha256: str) -> dict[str, float]:
    defaults = loaded.catalogue.scoring.weights.as_dict()
    if st.session_state.get(_WEIGHTS_FOR) != sha256:
        _reset_weights(defaults)
        st.session_state[_WEIGHTS_FOR] = sha256
    top = max(1.0, *defaults.values())
    with st.sidebar:
        # Few elements, each carrying more: every one costs time at every slider move.
        st.markdown(
            f"**{plain(loaded.catalogue.organisation)}**  \n"
            f":gray[:small[Catalogue: {plain(Path(loaded.source).name)}]]"
        )
        st.markdown(
            "### Weights\n:gray[:small[How much each measure counts in the priority. "
            "Move them and every page re-ranks.]]"
        )
        weights = {
            name: st.slider(MEASURE_LABELS[name], 0.0, top, step=0.05, key=f"weight_{name}")
            for name in MEASURES
        }
        st.button(
            "Reset to the catalogue's weights",
            key="reset_weights",
            on_click=_reset_weights,
            args=(defaults,),
            icon=":material/restart_alt:",
            width="stretch",
        )
    try:
        return resolve_weights(loaded.catalogue, weights)
    except UsageError:
        st.sidebar.warning("Every weight is 0: using the catalogue's weights until one is raised.")
        return defaults
