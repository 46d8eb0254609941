"""The command line, ``python -m cxprio``: see :func:`.main.main` and ``docs/cli.md``."""
