"""What a board server sets up once: which catalogue file it shows, and the two
interpreter settings that measurably earn their place (:func:`configure`): the
collector's threshold (:func:`cxprio.startup.collect_less_often`) and
:data:`SWITCH_INTERVAL`.

Nothing here runs on import: :func:`board.open_page`, which every page (``app.py``
among them) calls first, calls :func:`configure`.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from cxprio.startup import collect_less_often

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config" / "experiences.yaml"
ENVIRONMENT_VARIABLE = "CXPRIO_CATALOGUE"

SWITCH_INTERVAL = 0.001
"""Seconds a thread holding the interpreter lock runs before another waiting for it may
take it (Python's default: 0.005). Background work (the ownership analysis of 10,000
experiences holds the interpreter for half a second) and the server's web thread share
one lock; at the default, the web thread waited up to 5 ms after every message it sent,
which made a page drawn while the analysis ran 0.3 s slower at that size. The analysis
loses well under 1 % of its speed."""

_CONFIGURED = threading.Event()


def configure() -> None:
    """Set the collector's threshold and :data:`SWITCH_INTERVAL` for this server
    process, once; see each for its reason."""
    if _CONFIGURED.is_set():
        return
    _CONFIGURED.set()
    collect_less_often()
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))


def configured_path() -> Path:
    """``streamlit run app.py -- PATH``, else ``$CXPRIO_CATALOGUE``, else the sample."""
    if Path(sys.argv[0]).name == "app.py":
        arguments = [a for a in sys.argv[1:] if not a.startswith("-")]
        if arguments:
            return Path(arguments[0])
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE])
    return DEFAULT_PATH
