"""Turn frames and numpy/pandas scalars into plain JSON-ready Python values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """A JSON-friendly scalar: numpy types unwrapped, NaN and NA as None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as a list of JSON-ready row dicts (column names as strings)."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
