"""What every file of the pack shares: plain values from table cells, and ZIPs whose
bytes do not depend on the clock (the same catalogue and weights give the same bytes)."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
"""The time stamp of every file inside a ZIP-based format, so the bytes do not depend on the clock."""
_FIXED_ISO = "2000-01-01T00:00:00Z"


def zip_files(files: Mapping[str, bytes]) -> bytes:
    """``files`` (name: bytes) as a ZIP, in that order, every entry dated :data:`FIXED_TIME`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def steady_zip(data: bytes) -> bytes:
    """An Office file (a ZIP) rewritten with fixed time stamps, inside and out."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_ISO.encode() + m.group(3),
                    content,
                )
            files[info.filename] = content
    return zip_files(files)


# --- plain values for files ----------------------------------------------------------------


def plain_value(value: Any) -> Any:
    """A table value as a plain Python value: numbers stay numbers, missing is None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def plain_rows(frame: pd.DataFrame) -> Iterable[list[Any]]:
    """``frame``'s rows as lists of :func:`plain_value`, read column by column (faster than row by row)."""
    columns = [frame[c].tolist() for c in frame.columns]
    for row in zip(*columns, strict=True):
        yield [plain_value(v) for v in row]
