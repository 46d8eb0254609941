"""``python -m cxprio``: see :mod:`cxprio.cli.main`."""

from __future__ import annotations

import sys

from cxprio.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
