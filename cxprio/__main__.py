"""``python -m cxprio`` and the ``cxprio`` command: see :mod:`cxprio.cli.main`."""

from __future__ import annotations

import sys

from cxprio.cli.main import main
from cxprio.startup import collect_less_often


def run() -> int:
    """The program's start: its one interpreter setting (see :mod:`cxprio.startup`: a
    large catalogue loads in a fraction of the time), then the command line."""
    collect_less_often()
    return main()


if __name__ == "__main__":
    sys.exit(run())
