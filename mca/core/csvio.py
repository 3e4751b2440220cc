"""The one way frames become CSV: UTF-8, newline line ends, a fixed float format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CSV_FLOAT_FORMAT = "%.6g"
"""Six significant digits: enough for hectares and scores, short enough to read."""


def csv_text(frame: pd.DataFrame, *, float_format: str = CSV_FLOAT_FORMAT, index: bool = False) -> str:
    """``frame`` as CSV text; the same frame always gives the same text."""
    return str(frame.to_csv(index=index, float_format=float_format, lineterminator="\n"))


def write_csv(frame: pd.DataFrame, path: Path, *, float_format: str = CSV_FLOAT_FORMAT, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as `csv_text` and return the path."""
    Path(path).write_text(csv_text(frame, float_format=float_format, index=index), encoding="utf-8")
    return Path(path)
