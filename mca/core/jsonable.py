"""The one conversion of results into JSON: frames, numpy/pandas scalars, paths and sets."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """A JSON-friendly scalar: numpy types unwrapped, NaN and NA as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as a list of JSON-ready row dicts (column names as strings)."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def jsonable(value: Any) -> Any:
    """``value`` in plain JSON types, recursively.

    Mappings get string keys, lists/tuples stay lists, sets become sorted lists, frames become
    records, numpy/pandas scalars are unwrapped, NaN becomes None, paths and any other object
    become their text.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return records(value)
    if isinstance(value, (set, frozenset)):
        return [jsonable(v) for v in sorted(value, key=str)]
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return [jsonable(v) for v in list(value)]
    value = plain(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, PurePath):
        return str(value)
    return str(value)


def dumps(value: Any, *, sort_keys: bool = False, indent: int | None = 2) -> str:
    """``value`` as JSON text (UTF-8, not ASCII-escaped), after `jsonable`."""
    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False, sort_keys=sort_keys)
