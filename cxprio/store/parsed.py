"""A version's validated catalogue, kept beside its text: how it is written and read.

A catalogue's YAML is parsed and validated once, when its text enters the store (or,
for a version stored before this existed, when it is first read). What validation
made is kept as the model's own JSON, compressed, with the warnings found while
loading; reading it back is validated by pydantic-core, never unpickled, and takes a
fraction of reading the YAML again. The warnings keep the line and column they had in
the text, so messages still point into the file.

:data:`FORMAT` names the form: a kept catalogue of another form (a model that changed
since) is not trusted, and the text is parsed again, once.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pydantic import ValidationError

from cxprio.catalogue.loading import LoadedCatalogue
from cxprio.catalogue.model import Catalogue
from cxprio.errors import Problem, ProblemLevel

FORMAT = 1
"""The form of a kept catalogue. Raise it when :class:`Catalogue` changes in a way that
old JSON would not load as it should: every version is then parsed again, once."""


def encode(loaded: LoadedCatalogue) -> tuple[bytes, str]:
    """The catalogue (zlib of its JSON) and its warnings (JSON), as kept."""
    body = zlib.compress(loaded.catalogue.model_dump_json(by_alias=True).encode("utf-8"), 6)
    return body, json.dumps([_problem(p) for p in loaded.warnings], ensure_ascii=False)


def decode(body: bytes, warnings: str, *, text: str, source: str, sha256: str) -> LoadedCatalogue | None:
    """The catalogue kept as :func:`encode` made it, named ``source`` in its warnings;
    None when what was kept does not load (the model changed since): parse ``text``."""
    try:
        catalogue = Catalogue.model_validate_json(zlib.decompress(body))
        problems = tuple(_unproblem(p, source) for p in json.loads(warnings))
    except (ValidationError, zlib.error, ValueError, TypeError, KeyError):
        return None
    return LoadedCatalogue(
        catalogue=catalogue,
        source=source,
        sha256=sha256,
        warnings=problems,
        content=text.encode("utf-8"),
    )


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "level": problem.level.value,
        "message": problem.message,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "hint": problem.hint,
        "code": problem.code,
        "path": list(problem.path),
    }


def _unproblem(kept: dict[str, Any], source: str) -> Problem:
    return Problem(
        ProblemLevel(kept["level"]),
        kept["message"],
        file=source,
        line=kept["line"],
        column=kept["column"],
        field=kept["field"],
        hint=kept["hint"],
        code=kept["code"],
        path=tuple(kept["path"]),
    )
