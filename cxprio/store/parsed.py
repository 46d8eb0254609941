"""A version's validated catalogue, kept beside its text: how it is written and read.

A catalogue's YAML is parsed and validated once: when a file is imported, or by the
first reader of a version stored without it (a save, whose saving process holds the
catalogue it made from the version before and writes only the change). What validation
made is kept as the model's own JSON, compressed, with the warnings found while
loading; reading it back is validated by pydantic-core, never unpickled, and takes a
fraction of reading the YAML again. The warnings keep the line and column they had in
the text, so messages still point into the file.

:data:`FORMAT` names the form: the model's JSON schema (its fields and their defaults)
and :data:`RULES`. A kept catalogue of another form (from a release that changed a
default, say) is not used: the text is parsed again, once, and kept in the new form.

Only the newest versions keep theirs (at most :data:`KEPT_VERSIONS`, and every version
a snapshot or a workshop round names that kept one): those are the ones read again.
Keeping is written in the background, for the newest two versions only when saves come
faster than it: a burst of twenty saves writes a few catalogues, not twenty. An older
version read again (for an export of history, say) is parsed again.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

from pydantic import ValidationError

from cxprio.catalogue.loading import LoadedCatalogue
from cxprio.catalogue.model import Catalogue
from cxprio.errors import Problem, ProblemLevel

RULES = 1
"""Raise when the warnings' rules change (:func:`cxprio.method.scales.measure_warnings`,
:mod:`cxprio.catalogue.references`): kept warnings are then found again."""

FORMAT = (
    f"{RULES}-"
    + hashlib.sha256(
        json.dumps(Catalogue.model_json_schema(by_alias=True), sort_keys=True).encode("utf-8")
    ).hexdigest()[:32]
)
"""The form of a kept catalogue (see the module's text)."""

KEPT_VERSIONS = 3
"""The newest versions that keep their catalogue, besides those snapshots and rounds
name: a save's own, and the ones before it that a save a moment later merges onto."""


def encode(loaded: LoadedCatalogue) -> tuple[bytes, bytes]:
    """The catalogue and its warnings, each zlib of its JSON, as kept."""
    body = zlib.compress(loaded.catalogue.model_dump_json(by_alias=True).encode("utf-8"), 6)
    warnings = json.dumps([_problem(p) for p in loaded.warnings], ensure_ascii=False)
    return body, zlib.compress(warnings.encode("utf-8"), 6)


def decode(body: bytes, warnings: bytes, *, text: str, source: str, sha256: str) -> LoadedCatalogue | None:
    """The catalogue kept as :func:`encode` made it, named ``source`` in its warnings;
    None when what was kept does not load (the model changed since): parse ``text``."""
    try:
        catalogue = Catalogue.model_validate_json(zlib.decompress(body))
        problems = tuple(_unproblem(p, source) for p in json.loads(zlib.decompress(warnings)))
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
