"""Read the small CSV tables a criterion may name (e.g. AERIUS results) as text columns."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from mca.core.errors import DataError


def read_table(path: Path, *, field: str) -> pd.DataFrame:
    """The CSV at ``path`` with every column as text; ``field`` names the setting in errors.

    The frame's ``attrs["source"]`` holds the path, so that the criterion checking its columns
    can name the file.
    """
    if not path.is_file():
        raise DataError("file not found", source=path, field=field)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 text file", source=path, field=field) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", source=path, field=field) from None
    if "\x00" in text:
        raise DataError("not a text file (it holds NUL bytes)", source=path, field=field)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read as CSV: {' '.join(str(exc).split())}", source=path, field=field) from None
    table.attrs["source"] = str(path)
    return table
