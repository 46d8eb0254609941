"""The workshop pack: what people take out of the room.

:func:`gather` computes, once, everything the pack shows for one catalogue and one
weighting (the ranking with its rank ranges, the ambition check, the seams and
decision-rights findings, and the quarter comparison when the store has one);
:func:`build` turns that into one of the :data:`FORMATS`:

* ``xlsx``: an Excel workbook, a sheet per table, the weights on a cover sheet;
* ``html``: a self-contained report (charts inline as SVG, no external reference),
  laid out for A4 paper and for a phone;
* ``pptx``: a short slide deck a leader can present as it is;
* ``charts``: a ZIP of every chart as SVG and PNG, with the team graph as Graphviz DOT;
* ``zip``: all of the above in one ZIP (the board's "Workshop pack").

The same catalogue text, weights, history and date give the same bytes, whoever builds
them (the board or ``python -m cxprio report``): nothing in a file depends on the clock
but the pack's date, set once by :func:`gather` (today, or the day a chosen round closed).
Charts are rendered by ``vl-convert-python``, which needs no browser.

The modules, by format:

- :mod:`.pack`: the :class:`Workshop` that :func:`gather` assembles, and the formats;
- :mod:`.figures`: the charts, rendered to SVG and PNG;
- :mod:`.files`: plain cell values, and ZIPs with fixed time stamps;
- :mod:`.workbook`: the Excel workbook;
- :mod:`.html`: the HTML report;
- :mod:`.deck` and :mod:`.slides`: the slides' layout, and what they say;
- :mod:`.bundle`: the ZIPs of charts and of everything, and :func:`build`.

Callers import from this package, not from its modules.
"""

from __future__ import annotations

from cxprio.outputs.report.bundle import build, chart_files, pack
from cxprio.outputs.report.deck import column_widths
from cxprio.outputs.report.figures import chart_specs, png, svg
from cxprio.outputs.report.html import headline, html_report
from cxprio.outputs.report.pack import (
    FORMATS,
    Format,
    History,
    Progress,
    Workshop,
    file_name,
    gather,
    newest_history,
)
from cxprio.outputs.report.slides import pptx
from cxprio.outputs.report.workbook import workbook_tables, xlsx

__all__ = [
    "FORMATS",
    "Format",
    "History",
    "Progress",
    "Workshop",
    "build",
    "chart_files",
    "chart_specs",
    "column_widths",
    "file_name",
    "gather",
    "headline",
    "html_report",
    "newest_history",
    "pack",
    "png",
    "pptx",
    "svg",
    "workbook_tables",
    "xlsx",
]
