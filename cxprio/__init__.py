"""cxprio: prioritise customer experiences, choose an ambition for each, and find who owns them.

The package is the product's core and never imports streamlit. Start with
:func:`load_catalogue`, then :func:`score` and :func:`check_ambition`.
"""

from __future__ import annotations

from .catalogue import DEFAULT_CATALOGUE, LoadedCatalogue, load_catalogue, parse_catalogue
from .errors import CatalogueError, CatalogueReadError, CxprioError, Problem, UsageError
from .model import MEASURES, Catalogue, Experience, Level, Tier

__all__ = [
    "DEFAULT_CATALOGUE",
    "MEASURES",
    "Catalogue",
    "CatalogueError",
    "CatalogueReadError",
    "CxprioError",
    "Experience",
    "Level",
    "LoadedCatalogue",
    "Problem",
    "Tier",
    "UsageError",
    "load_catalogue",
    "parse_catalogue",
]

__version__ = "0.1.0"
