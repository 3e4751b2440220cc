"""Value functions: raw criterion values → value scores in [0, 1].

Meaning of a value score: **1 = as good as it gets for this criterion, 0 = unacceptable or the
worst case considered**. After a value function every criterion is "higher is better", so
aggregation only ever sees benefit criteria on a common [0, 1] scale.

Two kinds of scale:

- *Absolute* (``linear``, ``piecewise``, ``categorical``): thresholds fixed by the analyst in the
  criterion's own unit. A site's value score does not depend on which other sites are candidates.
- *Relative* (``minmax``, the default when no value function is configured): the best value among
  the non-excluded candidate sites scores 1 and the worst 0. The score of a site therefore **depends
  on the candidate set** — adding or excluding a site can change the scores of all others.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mca.core.errors import UserError

Direction = Literal["max", "min"]


class LinearValueFunction(BaseModel):
    """Linear between two thresholds in the criterion's unit: worst → 0, best → 1, clipped.

    The order of the thresholds gives the direction: ``worst < best`` for a criterion where higher
    is better, ``worst > best`` where lower is better (e.g. worst 5000 m, best 500 m).
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["linear"] = "linear"
    worst: float = Field(description="Raw value that scores 0 (and anything beyond it).")
    best: float = Field(description="Raw value that scores 1 (and anything beyond it).")

    @model_validator(mode="after")
    def _distinct(self) -> LinearValueFunction:
        if self.worst == self.best:
            raise ValueError("worst and best must differ")
        return self


class PiecewiseValueFunction(BaseModel):
    """Piecewise linear through breakpoints ``(x, y)``; constant beyond the first and last x.

    May be non-monotone (e.g. an ideal plot size with lower scores on both sides).
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["piecewise"] = "piecewise"
    points: list[tuple[float, Annotated[float, Field(ge=0, le=1)]]] = Field(
        min_length=2, description="Breakpoints [raw value, score in 0..1], raw values increasing."
    )

    @field_validator("points")
    @classmethod
    def _increasing(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        xs = [x for x, _ in points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError("breakpoint x values must be strictly increasing")
        return points


def _category_key(value: object) -> str:
    """Text key of a category value; ``3``, ``3.0`` and ``"3"`` all give ``"3"``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    text = str(value).strip()
    try:
        return _category_key(float(text))
    except ValueError:
        return text


class CategoricalValueFunction(BaseModel):
    """A score per category value (e.g. environmental category ``"4.1"`` → 0.8)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["categorical"] = "categorical"
    mapping: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        min_length=1, description="Category value → score in 0..1."
    )
    default: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Score of categories not in the mapping; None = error.",
    )

    @field_validator("mapping", mode="before")
    @classmethod
    def _normalise_keys(cls, mapping: object) -> object:
        if isinstance(mapping, dict):
            return {_category_key(key): value for key, value in mapping.items()}
        return mapping


class MinMaxValueFunction(BaseModel):
    """Relative scale: best non-excluded candidate → 1, worst → 0 (candidate-set dependent)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["minmax"] = "minmax"


ValueFunctionSpec = Annotated[
    LinearValueFunction | PiecewiseValueFunction | CategoricalValueFunction | MinMaxValueFunction,
    Field(discriminator="type"),
]


def apply_value_function(
    series: pd.Series,
    spec: ValueFunctionSpec,
    direction: Direction,
    *,
    reference: pd.Series | None = None,
) -> pd.Series:
    """Value scores in [0, 1] for the raw values in ``series`` (its name is the criterion).

    ``direction`` is the criterion's own direction; a linear function whose thresholds point the
    other way is refused. ``reference`` holds the values that define the min-max range (the
    non-excluded sites; default: ``series`` itself); values outside it are clipped. A constant
    reference gives every site 1 (the criterion does not discriminate). Missing raw values stay NaN.
    """
    criterion = str(series.name)
    values = pd.to_numeric(series, errors="coerce") if spec.type != "categorical" else series
    if isinstance(spec, LinearValueFunction):
        if (spec.best > spec.worst) != (direction == "max"):
            raise UserError(
                f"linear value function has worst={spec.worst:g}, best={spec.best:g}, "
                f"which contradicts direction '{direction}'",
                source="scoring.value_functions",
                field=criterion,
            )
        scores = (values - spec.worst) / (spec.best - spec.worst)
    elif isinstance(spec, PiecewiseValueFunction):
        xs, ys = zip(*spec.points)
        scores = pd.Series(np.interp(values, xs, ys), index=series.index)
        scores[values.isna()] = np.nan
    elif isinstance(spec, CategoricalValueFunction):
        keys = series.map(lambda v: None if pd.isna(v) else _category_key(v))
        unknown = sorted(set(keys.dropna()) - set(spec.mapping))
        if unknown and spec.default is None:
            raise UserError(
                f"no score for categories {unknown}; add them to the mapping or set a default",
                source="scoring.value_functions",
                field=criterion,
            )
        scores = keys.map(lambda k: np.nan if k is None else spec.mapping.get(k, spec.default))
    else:
        ref = pd.to_numeric(series if reference is None else reference, errors="coerce").dropna()
        low, high = (ref.min(), ref.max()) if len(ref) else (np.nan, np.nan)
        if not len(ref) or high == low:
            scores = pd.Series(np.where(values.isna(), np.nan, 1.0), index=series.index)
        elif direction == "max":
            scores = (values - low) / (high - low)
        else:
            scores = (high - values) / (high - low)
    return pd.Series(scores, index=series.index, name=series.name, dtype=float).clip(0.0, 1.0)
