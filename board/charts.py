"""Chart parts the pages share; they live in :mod:`cxprio.charts`, so the workshop pack
draws the same charts."""

from cxprio.charts import LEVEL_COLOURS, READABLE, SCATTER_COLUMNS, level_colour, readable, scatter_spec

__all__ = ["LEVEL_COLOURS", "READABLE", "SCATTER_COLUMNS", "level_colour", "readable", "scatter_spec"]
