"""Loading a catalogue: read the file safely, validate it, and report every problem.

:func:`load_catalogue` (a path) and :func:`parse_catalogue` (bytes or text, such as an
upload) return a :class:`LoadedCatalogue`, or raise :class:`CatalogueError` with *all*
errors found, each naming the file, line, column and field and saying how to fix it.
Warnings (such as a missing measure) never stop loading; they travel with the result.
"""

from __future__ import annotations

import hashlib
import os
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

if typing.TYPE_CHECKING:
    from cxprio.catalogue.edit import Edited

# Reading the file (its size cap, UTF-8) is cxprio.catalogue.files'; the names stay
# importable from here, where callers load catalogues.
from cxprio.catalogue.files import DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES
from cxprio.catalogue.files import decode_text, read_error
from cxprio.catalogue.files import megabytes as megabytes
from cxprio.catalogue.files import read_catalogue_file as read_catalogue_file
from cxprio.catalogue.limits import MAX_EXPERIENCES, QUOTED_LENGTH, max_values
from cxprio.catalogue.model import FLAGS, Catalogue
from cxprio.catalogue.references import ALLOWED_PARENTS as ALLOWED_PARENTS
from cxprio.catalogue.references import check_references as check_references
from cxprio.catalogue.references import suggest
from cxprio.catalogue.safeyaml import DEFAULT_MAX_DEPTH, REFUSED, Document, format_path, read_yaml
from cxprio.errors import CatalogueError, Problem, ProblemLevel, in_file_order
from cxprio.method.scales import measure_warnings
from cxprio.texts import TEXT_PATTERN, problem_in, quoted

DEFAULT_CATALOGUE = Path("config/experiences.yaml")

DOCS = "docs/catalogue.md"


@dataclass(frozen=True)
class LoadedCatalogue:
    """A valid catalogue, the warnings found while loading it, and where it came from.

    The warnings include every measure that lies outside its scale (scoring clamps it),
    located in the file like any other problem.
    """

    catalogue: Catalogue
    source: str
    sha256: str
    warnings: tuple[Problem, ...]
    content: bytes = field(default=b"", repr=False, compare=False)
    """The bytes that loaded, so the catalogue on screen can be downloaded as it was read."""


def load_catalogue(
    path: str | os.PathLike[str] = DEFAULT_CATALOGUE,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_experiences: int = MAX_EXPERIENCES,
) -> LoadedCatalogue:
    """Read and validate the catalogue at ``path``.

    Raises :class:`CatalogueReadError` if the file is missing, not a regular file or
    larger than ``max_bytes``, and :class:`CatalogueError` listing every problem if it
    is invalid (bytes that are not UTF-8 among them).
    """
    raw = read_catalogue_file(path, max_bytes=max_bytes)
    return parse_catalogue(
        raw, source=str(path), max_bytes=max_bytes, max_depth=max_depth, max_experiences=max_experiences
    )


def parse_catalogue(
    content: bytes | str,
    *,
    source: str = "<catalogue>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_experiences: int = MAX_EXPERIENCES,
) -> LoadedCatalogue:
    """Validate a catalogue given as bytes or text; ``source`` names it in messages.

    A catalogue of more than ``max_experiences`` experiences, or of more values than a
    file of ``max_bytes`` may hold (:func:`cxprio.catalogue.limits.max_values`), is refused while
    its YAML is read, before anything is built from it.
    """
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > max_bytes:
        raise read_error(
            source,
            f"the catalogue is {megabytes(len(raw))}, above the limit of {megabytes(max_bytes)}",
            "split the catalogue or raise the limit",
        )
    text, undecoded = decode_text(raw, source)
    if not text.strip():
        raise read_error(
            source, "the file is empty", f"start from the sample config/experiences.yaml ({DOCS})"
        )
    try:
        document = read_yaml(
            text,
            file=source,
            max_depth=max_depth,
            max_values=max_values(max_bytes),
            listed={"experiences": max_experiences},
        )
    except CatalogueError as exc:
        raise CatalogueError(in_file_order([*undecoded, *exc.problems])) from None
    # Bytes that are not UTF-8 were read as U+FFFD: the rest of the file is checked too.
    refusals = [*undecoded, *map(_yes_or_no, document.refusals)]
    if not isinstance(document.data, dict):
        if document.data is REFUSED:
            raise CatalogueError(refusals)
        kind = "a list" if isinstance(document.data, list) else "a single value"
        raise CatalogueError(
            [
                *refusals,
                Problem(
                    ProblemLevel.ERROR,
                    f"the catalogue must be a mapping (version, organisation, teams, "
                    f"experiences), but this file holds {kind}",
                    file=source,
                    line=1,
                    hint=f"start the file with 'version: 1'; see {DOCS}",
                    code="not-a-mapping",
                ),
            ]
        )
    try:
        catalogue = Catalogue.model_validate(document.data)
    except ValidationError as exc:
        found = _references(document)
        # A refused value is reported once, by its refusal, not again by the schema.
        schema = [
            problem
            for problem in (_from_pydantic(error, document) for error in exc.errors())
            if not document.is_refused(problem.path)
        ]
        raise CatalogueError(in_file_order(_dedupe(refusals + schema + found))) from None
    problems = refusals + _references(document) + [_place(p, document) for p in measure_warnings(catalogue)]
    if any(p.is_error for p in problems):
        raise CatalogueError(in_file_order(problems))
    return LoadedCatalogue(
        catalogue=catalogue,
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        warnings=tuple(in_file_order(problems)),
        content=raw,
    )


def _references(document: Document) -> list[Problem]:
    """:func:`check_references` of the document's data, located in it."""
    return [_place(p, document) for p in check_references(document.data)]


def _place(problem: Problem, document: Document) -> Problem:
    position = document.locate(problem.path)
    line, column = position if position else (None, None)
    return replace(problem, file=document.file, line=line, column=column)


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


# --- pydantic errors in the user's words -------------------------------------------------


def _model_at(path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``, for suggesting field names."""
    model: Any = Catalogue
    for step in path:
        if isinstance(step, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = _fields_by_alias(model).get(step)
        if field is None:
            return None
        model = _innermost_model(field)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _fields_by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {(info.alias or name): info.annotation for name, info in model.model_fields.items()}


def _innermost_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _innermost_model(arg)
        if found is not None:
            return found
    return None


def _yes_or_no(problem: Problem) -> Problem:
    """An ambiguous ``yes``/``no`` given to a true-or-false field: the hint says to write
    true or false (quoting it, as for a text, would make it a text the field refuses)."""
    if problem.code != "yaml-bool" or not problem.path or problem.path[-1] not in FLAGS:
        return problem
    field = problem.path[-1]
    return replace(problem, hint=f"write {field}: true or {field}: false")


def _from_pydantic(error: Any, document: Document) -> Problem:
    loc = tuple(step for step in error["loc"] if isinstance(step, (str, int)))
    # pydantic appends validator names ("function-after[...]") to the location; drop them.
    loc = tuple(s for s in loc if not (isinstance(s, str) and ("[" in s or s.startswith("function-"))))
    kind = error["type"]
    value = error.get("input")
    message = error["msg"]
    hint = f"see {DOCS}"
    field = loc[-1] if loc else ""
    if kind == "missing":
        message = f"the required field {quoted(field)} is missing"
        hint = f"add '{field}:' here; see {DOCS}"
    elif kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        valid = sorted(_fields_by_alias(model)) if model else []
        message = f"unknown field {quoted(field)}"
        guess = suggest(str(field), valid)
        if guess:
            hint = f"did you mean {quoted(guess)}? Valid fields here: {', '.join(valid)}"
        elif valid:
            hint = f"remove it, or use one of: {', '.join(valid)}"
    elif kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        message = f"{quoted(value)} is not allowed here; expected {expected}"
        guess = suggest(str(value).lower(), choices) if isinstance(value, str) else None
        hint = f"did you mean {quoted(guess)}?" if guess else f"use one of: {expected}"
        if field == "version":
            message = f"version {quoted(value)} is not supported; this cxprio reads version 1"
            hint = "set 'version: 1'"
    elif kind == "string_type":
        message = f"expected text, got {_describe(value)}"
        hint = (
            f'put the value in quotes, such as "{value}"'
            if isinstance(value, (int, float)) and len(str(value)) <= QUOTED_LENGTH
            else "write it as text"
        )
    elif kind in ("int_type", "int_from_float") and not isinstance(value, str):
        message = f"expected a whole number, got {_describe(value)}"
        hint = "write a whole number such as 1200000 (no decimals, quotes, units or commas)"
    elif kind in ("float_type", "int_type", "float_parsing"):
        message = f"expected a number, got {_describe(value)}"
        hint = "write a plain number such as 1200 or 0.35 (no quotes, units or commas)"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        message = f"{quoted(value)} is out of range: {error['msg'].lower()}"
        hint = f"see the allowed range of {quoted(field)} in {DOCS}"
    elif kind in ("bool_type", "bool_parsing"):
        message = f"expected true or false, got {_describe(value)}"
        hint = f"write {field}: true or {field}: false, without quotes"
    elif kind in ("list_type",):
        message = f"expected a list, got {_describe(value)}"
        hint = "write a list, such as [a, b] or one '- item' per line"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of fields, got {_describe(value)}"
        hint = f"write 'key: value' pairs here; see {DOCS}"
    elif kind == "value_error":
        message = str(error.get("ctx", {}).get("error", message))
    elif kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == TEXT_PATTERN:
        message, hint = problem_in(str(value), lines=True) or ("this text holds a character it may not", hint)
        message = f"this text {message}"
    elif kind == "string_pattern_mismatch":
        message = f"{quoted(value)} is not a valid id"
        hint = (
            "use lowercase letters, digits and hyphens, starting and ending with a letter "
            "or digit, such as 'moving-home'"
        )
    elif kind == "too_short" and field == "experiences":
        message = "the catalogue has no experiences: there is nothing to prioritise"
        hint = "add at least one experience under 'experiences:'; config/experiences.yaml shows how"
    elif kind == "string_too_short":
        message = "this must not be empty"
        hint = "write a value, or remove the field if it is optional"
    elif kind == "string_too_long":
        limit = int(error.get("ctx", {}).get("max_length", 0))
        message = f"this text is {len(str(value)):,} characters long, above the limit of {limit:,}"
        hint = f"shorten it to {limit:,} characters or fewer; longer notes belong outside the catalogue"
    elif kind == "too_long" and field == "experiences":
        limit = int(error.get("ctx", {}).get("max_length", 0))
        message = f"the catalogue has {len(value):,} experiences, above the limit of {limit:,}"
        hint = f"split it into catalogues of at most {limit:,} experiences ({DOCS})"
    position = document.locate(loc)
    line, column = position if position else (None, None)
    return Problem(
        ProblemLevel.ERROR,
        message,
        file=document.file,
        line=line,
        column=column,
        field=format_path(loc),
        hint=hint,
        code=f"schema-{kind}",
        path=loc,
    )


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return f"{type(value).__name__} {quoted(value)}"


MEASURE_WARNINGS = frozenset({"measure-clamped", "measure-missing", "reach-above-customers"})
"""The codes of :func:`cxprio.method.scales.measure_warnings`: computed from the
catalogue, so :func:`after_edits` computes them again rather than moving them."""


def after_edits(before: LoadedCatalogue, edited: Edited) -> LoadedCatalogue | None:
    """The catalogue ``before`` with ``edited``'s changes (:func:`cxprio.catalogue.edit.apply_edits`
    of its text), as :func:`parse_catalogue` of the new text would load it, without
    reading the whole text again: the changed experiences (each checked already) put in,
    the warnings of the rest moved with the lines the edits added, and the measures'
    warnings of the changed ones located in their entries. None when a warning the edits
    may have changed cannot be carried over (the text then has to be parsed)."""
    catalogue = before.catalogue.replacing(edited.experiences)
    entries = sorted(edited.entries, key=lambda e: e.line)

    def moved(line: int) -> int | None:
        """Where a line outside the changed entries is now; None for one inside them."""
        shift = 0
        for entry in entries:
            if entry.line <= line < entry.line + entry.lines_before:
                return None
            if entry.line < line:
                shift += entry.lines_after - entry.lines_before
        return line + shift

    kept: list[Problem] = []
    placed: dict[tuple[str, tuple[str | int, ...]], Problem] = {}
    for warning in before.warnings:
        line = moved(warning.line) if warning.line is not None else None
        if warning.line is not None and line is None:
            if warning.code in MEASURE_WARNINGS:
                continue  # a changed experience's: found again below
            return None
        shifted = replace(warning, line=line)
        if warning.code in MEASURE_WARNINGS:
            placed[(warning.code, warning.path)] = shifted
        else:
            kept.append(shifted)
    index = {e.id: i for i, e in enumerate(catalogue.experiences) if e.id in edited.experiences}
    changed = {index[e.experience]: e for e in entries}
    documents: dict[int, Document] = {}
    for warning in measure_warnings(catalogue):
        experience = warning.path[1] if len(warning.path) > 1 else None
        if isinstance(experience, int) and experience in changed:
            entry = changed[experience]
            if experience not in documents:  # only the entries with a warning are read
                documents[experience] = read_yaml(entry.block, file=before.source)
            document = documents[experience]
            inner = warning.path[2:]
            position = document.locate((0, *inner) if isinstance(document.data, list) else inner)
            if position is None:
                return None
            start = entry.line + sum(e.lines_after - e.lines_before for e in entries if e.line < entry.line)
            kept.append(
                replace(warning, file=before.source, line=position[0] + start - 1, column=position[1])
            )
            continue
        found = placed.get((warning.code, warning.path))
        if found is None or found.message != warning.message:
            return None
        kept.append(found)
    text = edited.text.encode("utf-8")
    return LoadedCatalogue(
        catalogue=catalogue,
        source=before.source,
        sha256=hashlib.sha256(text).hexdigest(),
        warnings=tuple(in_file_order(kept)),
        content=text,
    )
