"""Workshop rounds on the board: what the three faces of the Workshop rounds page share.

The page (``pages/rounds.py``) has three faces:

- **the participant's** (``/rounds?round=CODE``, :mod:`.participant`): join with a name
  (or as the signed-in user) and score one experience at a time, each in one form;
- **the projector's** (``/rounds?round=CODE&view=projector``, :mod:`.projector`): no
  input at all; the join address and its QR code, who has joined and their progress,
  then the revealed results, widest disagreement first;
- **the facilitator's** (``/rounds``, :mod:`.facilitator`): open a round, present it,
  reveal, see the scores by name, review and close.

Everything a person enters is saved to the store at once
(:mod:`cxprio.store.round_scores`); the address keeps the participant's private key
(``&me=...``), so a refresh, a closed tab or a restarted server finds their place and
their scores. Nothing in the address makes anyone a facilitator: each run asks
:func:`board.access.editor`, which checks the editor's signed pass.
"""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from cxprio.catalogue.model import Catalogue
from cxprio.method.rounds.model import AMBITION, Round
from cxprio.method.rounds.summary import Aggregate
from cxprio.outputs import charts
from cxprio.outputs.rounds import dot_tables, readable_results
from cxprio.units import LABELS

from .access import settings

LIVE_SECONDS = 2.0
"""How often the projector and the facilitator's live figures refresh."""
REVEAL_SECONDS = 5.0
"""How often a participant's page looks for what has been revealed: less often than the
projector, as each refresh runs on a laptop someone is scoring on."""
RESULTS_SHOWN = 10
"""Results the projector shows (and draws), widest disagreement first: what fits a
1280x720 screen whole."""
ROUND_KEY = "round"
ME_KEY = "me"
VIEW_KEY = "view"
PROJECTOR = "projector"
PAGE_PATH = "rounds"
"""Where Streamlit serves ``pages/rounds.py``."""
REFUSED = "round_error"
"""Session key: the last refused request's reason, shown once (:func:`board.show.message_once`)."""
DONE = "round_done"
"""Session key: what the last open or close did, shown once after its rerun."""
DISAGREEMENT = st.column_config.ProgressColumn(
    "Disagreement",
    min_value=0.0,
    max_value=1.0,
    format="%.2f",
    help="How far apart the scores are: 0 when everyone agrees, 1 when the room is split at the two "
    "ends (the standard deviation as a share of the most it can be)",
)
"""How every table of a round shows the disagreement."""
CRITERION_NAMES = {**LABELS, AMBITION: "Ambition"}
RESULT_COLUMNS = ["Experience", "Criterion", "Scores", "Median", "Range or votes", "Disagreement"]


def board_address() -> str | None:
    """The board's own address as the browser sees it (``http://host:8501``), or the
    ``[cxprio] public_url`` setting when an operator gives one (behind a proxy, or for a
    laptop whose network name the room uses); ``None`` when neither is known."""
    configured = str(settings().get("public_url") or "").strip().rstrip("/")
    if configured:
        return configured
    url = st.context.url
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith(f"/{PAGE_PATH}"):
        path = path[: -len(PAGE_PATH) - 1]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def join_address(code: str) -> str:
    """The full address participants open to join round ``code``; relative when the
    board's own address is not known."""
    return f"{board_address() or ''}/{PAGE_PATH}?{urlencode({ROUND_KEY: code})}"


def projector_address(code: str, weights: str | None = None) -> str:
    """The projector's view of round ``code``, on the same board."""
    query = {ROUND_KEY: code, VIEW_KEY: PROJECTOR, **({"weights": weights} if weights else {})}
    return f"{board_address() or ''}/{PAGE_PATH}?{urlencode(query)}"


def loopback(address: str | None) -> bool:
    """Whether ``address`` names this computer only (``localhost``, ``127.0.0.1``), which
    no participant's laptop can open."""
    host = urlsplit(address or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def qr_png(address: str, *, scale: int = 8) -> bytes:
    """A QR code of ``address`` as a PNG (segno: a pure-Python, well-kept encoder)."""
    import segno

    buffer = io.BytesIO()
    segno.make(address, error="m", micro=False).save(buffer, kind="png", scale=scale, border=3)
    return buffer.getvalue()


def result_rows(
    summaries: Sequence[Aggregate], found: Round, names: Mapping[str, str], *, short: bool = False
) -> pd.DataFrame:
    """The results as the room reads them (:func:`cxprio.outputs.rounds.readable_results`), with
    the board's headings; ``short``: the criterion's name alone, as on the projector,
    whose chart says the units."""
    table = readable_results(summaries, found, names, short=short)
    table.columns = RESULT_COLUMNS
    return table


def results_table(
    place: Any, summaries: Sequence[Aggregate], found: Round, names: Mapping[str, str], key: str
) -> None:
    """The revealed results as a table, widest disagreement first, in ``place``."""
    place.dataframe(
        result_rows(summaries, found, names),
        hide_index=True,
        width="stretch",
        column_config={"Disagreement": DISAGREEMENT},
        key=key,
    )


def dots_chart(
    place: Any,
    summaries: Sequence[Aggregate],
    found: Round,
    catalogue: Catalogue,
    names: Mapping[str, str],
    key: str,
    *,
    width: int = 420,
) -> None:
    """The scores of ``summaries`` as anonymous dots (:func:`cxprio.outputs.charts.score_dots`),
    each panel ``width`` pixels wide beside its labels."""
    if not summaries:
        return
    dots, marks = dot_tables(summaries, found, catalogue, names)
    place.altair_chart(charts.readable(charts.score_dots(dots, marks, width=width)), key=key)
    place.caption("Each dot: how many people gave that score. Bar: the median. ◇: today's value.")
