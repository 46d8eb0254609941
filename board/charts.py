"""Chart parts the pages share; they live in :mod:`cxprio.outputs.charts`, so the workshop pack
draws the same charts."""

from cxprio.outputs.charts import (
    LEVEL_COLOURS,
    READABLE,
    SCATTER_COLUMNS,
    level_colour,
    readable,
    scatter_spec,
)

__all__ = ["LEVEL_COLOURS", "READABLE", "SCATTER_COLUMNS", "level_colour", "readable", "scatter_spec"]
