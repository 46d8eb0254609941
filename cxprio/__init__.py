"""cxprio: prioritise customer experiences, choose an ambition for each, and find who owns them.

The package is the product's core and never imports streamlit. Start with
:func:`load_catalogue`, then :func:`score` and :func:`check_ambition`.

Importing the package is cheap: the names below that need pydantic or numpy load their
module when first used, so a command imports only what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cxprio.errors import CatalogueError, CatalogueReadError, CxprioError, Problem, UsageError

if TYPE_CHECKING:
    from cxprio.catalogue.loading import DEFAULT_CATALOGUE, LoadedCatalogue, load_catalogue, parse_catalogue
    from cxprio.catalogue.model import MEASURES, Catalogue, Experience, Level, Tier

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

_LAZY = {
    **dict.fromkeys(
        ("DEFAULT_CATALOGUE", "LoadedCatalogue", "load_catalogue", "parse_catalogue"), "catalogue.loading"
    ),
    **dict.fromkeys(("MEASURES", "Catalogue", "Experience", "Level", "Tier"), "catalogue.model"),
}


def __getattr__(name: str) -> Any:
    """The names of :data:`_LAZY`, imported from their module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
