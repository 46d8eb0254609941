"""What the board does first, before its libraries load: find the catalogue file and
start reading it in another process (:mod:`cxprio.readahead`).

On a freshly started server, the first page imports pandas, Altair, networkx and the
store's libraries (about a second) and then reads the catalogue (about a second more at
10,000 experiences); started here, the reading happens meanwhile, on another core.
This module imports nothing heavy, so :mod:`board` can run it before anything else.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path

from cxprio.readahead import ReadAhead
from cxprio.safeyaml import Document

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config" / "experiences.yaml"
ENVIRONMENT_VARIABLE = "CXPRIO_CATALOGUE"

_READING: list[ReadAhead] = []  # the one read-ahead of this process, until it is taken
_LOCK = threading.Lock()


def configured_path() -> Path:
    """``streamlit run app.py -- PATH``, else ``$CXPRIO_CATALOGUE``, else the sample."""
    if Path(sys.argv[0]).name == "app.py":
        arguments = [a for a in sys.argv[1:] if not a.startswith("-")]
        if arguments:
            return Path(arguments[0])
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE])
    return DEFAULT_PATH


def read_ahead() -> None:
    """Start reading the configured catalogue file in another process, once per process."""
    path = configured_path()
    if not path.is_file():
        return  # the page says what is wrong with it
    with _LOCK:
        if not _READING:
            started = ReadAhead.start(path)
            if started is not None:
                _READING.append(started)
                atexit.register(discard)  # a process that never loaded a page


def discard() -> None:
    """End a read-ahead nobody took (the board showed an upload or a stored version):
    its process holds the whole document in memory."""
    with _LOCK:
        reading = _READING.pop() if _READING else None
    if reading is not None:
        reading.close()


def take(source: str, content: bytes) -> tuple[Document | None, ReadAhead | None]:
    """The document read ahead for the file ``source`` when it holds ``content``, and
    the read-ahead to close once the document is validated; (None, None) when there is
    none (it was taken, or another file is shown)."""
    with _LOCK:
        reading = _READING.pop() if _READING else None
    if reading is None:
        return None, None
    if reading.path != Path(source).resolve():
        reading.close()
        return None, None
    return reading.document(content, file=source), reading
