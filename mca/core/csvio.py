"""The one way frames become CSV: UTF-8, newline line ends, a fixed float format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CSV_FLOAT_FORMAT = "%.12g"
"""Twelve significant digits (relative error at most 5e-13 per number): a run's allocation, shortfall,
rounding and demand hectares read back from CSV still satisfy placed + shortfall − rounding = demand to
1e-9 relative per segment and period (six digits did not: up to 5e-6 per number), while solver noise
such as 2.9999999999999996 still prints as 3. Exact round-trip needs ``"%.17g"`` (decision_matrix.csv)."""


def csv_text(frame: pd.DataFrame, *, float_format: str = CSV_FLOAT_FORMAT, index: bool = False) -> str:
    """``frame`` as CSV text; the same frame always gives the same text."""
    return str(frame.to_csv(index=index, float_format=float_format, lineterminator="\n"))


def write_csv(frame: pd.DataFrame, path: Path, *, float_format: str = CSV_FLOAT_FORMAT, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as `csv_text` and return the path."""
    Path(path).write_text(csv_text(frame, float_format=float_format, index=index), encoding="utf-8")
    return Path(path)
