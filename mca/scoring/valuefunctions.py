"""Value functions: raw criterion values → value scores in [0, 1].

Meaning of a value score: **1 = as good as it gets for this criterion, 0 = unacceptable or the
worst case considered**. After a value function every criterion is "higher is better", so
aggregation only ever sees benefit criteria on a common [0, 1] scale.

Two kinds of scale:

- *Absolute* (``linear``, ``piecewise``, ``categorical``): thresholds fixed by the analyst in the
  criterion's own unit. A site's value score does not depend on which other sites are candidates.
  A ``categorical`` function is a declared value table (category → value, each value cited or
  labelled an assumption); category scales (NNN zone, park profile) are scored only through one.
- *Relative* (``minmax``, the default when no value function is configured): the best value among
  the non-excluded candidate sites scores 1 and the worst 0. The score of a site therefore **depends
  on the candidate set** — adding or excluding a site can change the scores of all others.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

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


UNSOURCED = "assumption: value given in the scenario without a source"
"""Basis of a table value that names no source of its own."""


def _split_sources(table: object) -> tuple[object, dict[str, str]]:
    """A table whose entries are numbers or ``{value, source}`` as (category → value, category → source)."""
    if not isinstance(table, dict):
        return table, {}
    values, sources = {}, {}
    for category, entry in table.items():
        key = _category_key(category)
        if isinstance(entry, dict) and set(entry) <= {"value", "source"}:
            values[key] = entry.get("value")
            if "source" in entry:
                sources[key] = entry["source"]
        else:
            values[key] = entry
    return values, sources


def _keyed(table: object) -> dict[str, object]:
    """``table`` with its keys as category keys (empty for anything but a mapping)."""
    return {_category_key(k): v for k, v in table.items()} if isinstance(table, dict) else {}


class CategoricalValueFunction(BaseModel):
    """A declared value table: one value per category (e.g. NNN zone ``"zilvergroen"`` → 0.5).

    The table is applied as it stands, never min-max-scaled over codes or candidates: relabelling the
    categories (with the table) changes nothing. Each value has a basis: its entry in ``sources`` (a
    citation, document and table or section, or a text starting with "assumption"), else ``source``.
    ``by_sector`` overrides values for one sector's ranking and suitability. In a scenario an entry may
    be given as ``{value: 0.5, source: "..."}``.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["categorical"] = "categorical"
    mapping: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        min_length=1, description="Category value → score in 0..1 (rankings without a sector)."
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Category → citation or 'assumption: why' of its value."
    )
    source: str = Field(UNSOURCED, min_length=1, description="Basis of every value without its own source.")
    by_sector: dict[str, dict[str, Annotated[float, Field(ge=0, le=1)]]] = Field(
        default_factory=dict, description="Sector id → category → score replacing the mapping for that sector."
    )
    sector_sources: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Sector id → category → citation or 'assumption: why'."
    )
    default: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Score of categories not in the mapping; None = error.",
    )

    @model_validator(mode="before")
    @classmethod
    def _entries_with_sources(cls, data: object) -> object:
        """Split ``{value, source}`` entries of the mapping and the sector tables into values and sources."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "mapping" in data:
            data["mapping"], found = _split_sources(data["mapping"])
            data["sources"] = found | _keyed(data.get("sources"))
        by_sector, given_sources = data.get("by_sector") or {}, data.get("sector_sources") or {}
        if not isinstance(by_sector, dict) or not isinstance(given_sources, dict):
            return data  # not a mapping: the field validation names the error
        given = {str(s): _keyed(t) for s, t in given_sources.items()}
        tables, sector_sources = {}, {}
        for sector, table in by_sector.items():
            tables[str(sector)], found = _split_sources(table)
            sector_sources[str(sector)] = found | given.pop(str(sector), {})
        data["by_sector"] = tables
        data["sector_sources"] = {s: t for s, t in (sector_sources | given).items() if t}
        return data

    @model_validator(mode="after")
    def _known_categories(self) -> CategoricalValueFunction:
        known = set(self.mapping)
        tables: list[tuple[str, dict[str, Any]]] = [("sources", self.sources)]
        tables += [(f"by_sector.{s}", t) for s, t in self.by_sector.items()]
        tables += [(f"sector_sources.{s}", t) for s, t in self.sector_sources.items()]
        for where, table in tables:
            unknown = sorted(set(table) - known)
            if unknown:
                raise ValueError(f"{where} names categories {unknown} that the mapping does not value")
        return self

    def table(self, sector: str | None = None) -> dict[str, float]:
        """Category → value for ``sector`` (its overrides on the mapping; None: the mapping)."""
        return {**self.mapping, **self.by_sector.get(sector or "", {})}

    def basis(self, category: str, sector: str | None = None) -> str:
        """The citation or assumption behind the value of ``category`` for ``sector``."""
        key = _category_key(category)
        sector_table = self.by_sector.get(sector or "", {})
        if key in sector_table:
            return self.sector_sources.get(sector or "", {}).get(key, self.source)
        return self.sources.get(key, self.source)


def _table_scores(series: pd.Series, spec: CategoricalValueFunction, sector: str | None) -> pd.Series:
    """The table value of each category in ``series`` (NaN where missing); unknown categories need a default."""
    table = spec.table(sector)
    keys = series.map(lambda v: None if pd.isna(v) else _category_key(v))
    unknown = sorted(set(keys.dropna()) - set(table))
    if unknown and spec.default is None:
        raise UserError(
            f"no score for categories {unknown}; add them to the mapping or set a default",
            source="scoring.value_functions",
            field=str(series.name),
        )
    return keys.map(lambda k: np.nan if k is None else table.get(k, spec.default))


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
    sector: str | None = None,
) -> pd.Series:
    """Value scores in [0, 1] for the raw values in ``series`` (its name is the criterion).

    ``direction`` is the criterion's own direction; a linear function whose thresholds point the
    other way is refused. ``reference`` holds the values that define the min-max range (the
    non-excluded sites; default: ``series`` itself); values outside it are clipped. A constant
    reference gives every site 1 (the criterion does not discriminate). Missing raw values stay NaN.
    ``sector`` selects a categorical table's values for that sector (`CategoricalValueFunction.by_sector`).
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
        scores = _table_scores(series, spec, sector)
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
