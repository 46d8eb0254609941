"""A catalogue file made the store's latest version (:func:`import_file`): validated
first, compared with the latest value by value for the audit trail, and kept with its
validated catalogue, so nobody parses it again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxprio.errors import StaleVersion, StoreUnavailable
from cxprio.store.versions import ORIGIN_FILE, Store, Version

if TYPE_CHECKING:
    from cxprio.catalogue.loading import LoadedCatalogue


@dataclass(frozen=True, slots=True)
class Imported:
    """What :func:`import_file` did: the latest version now, and whether it is new."""

    version: Version
    created: bool
    changes: int = 0


IMPORT_AUTHOR = "file"
IMPORT_RATIONALE = "imported from file"


def import_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    known: Callable[[str], LoadedCatalogue | None] = lambda _sha256: None,
) -> Imported:
    """Make the catalogue file at ``path`` the latest version, when it differs from it.

    The file is validated first: an invalid file raises :class:`CatalogueError` with
    every problem, and the store is left as it was. Two processes importing the same
    file at once make one version between them. ``known`` gives the catalogues the
    caller has validated already, by SHA-256, so they are not parsed again.
    """
    from cxprio.catalogue.audit import field_changes
    from cxprio.catalogue.loading import DEFAULT_MAX_BYTES, parse_catalogue, read_catalogue_file

    limit = max_bytes or DEFAULT_MAX_BYTES
    source = str(path)
    raw = read_catalogue_file(path, max_bytes=limit)
    digest = hashlib.sha256(raw).hexdigest()
    loaded: LoadedCatalogue | None = None
    for _attempt in range(5):
        latest = store.latest()
        if latest is not None and digest == latest.sha256:
            return Imported(latest, False)
        loaded = loaded or known(digest) or parse_catalogue(raw, source=source, max_bytes=limit)
        before = None
        if latest is not None:
            before = (known(latest.sha256) or store.catalogue(latest.id)).catalogue
        found = field_changes(before, loaded.catalogue)
        try:
            version = store.commit(
                raw.decode("utf-8"),
                parent=latest.id if latest else None,
                author=IMPORT_AUTHOR,
                rationale=IMPORT_RATIONALE,
                origin=ORIGIN_FILE,
                source=source,
                field_changes=found,
                loaded=loaded,
            )
        except StaleVersion:
            continue  # someone saved meanwhile: compare with their version
        return Imported(version, True, len(found))
    raise StoreUnavailable(
        f"{source} could not be imported: the store kept changing under it", "try again in a moment"
    )
