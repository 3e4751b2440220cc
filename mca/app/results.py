"""The result of one scenario run: everything the reports need, nothing they must recompute."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

ROUNDING_ITEM = "XXL rounding above demand (ha)"
"""Summary item: hectares placed above demand to make whole XXL plots."""


@dataclass
class RunResult:
    """All outputs of one scenario run, in plain frames and dicts.

    Frames (all keyed by ``site_id`` where they concern sites):

    - ``sites``: candidate sites (GeoDataFrame, EPSG:28992) with the candidate columns, the raw
      criterion values, ``score``, ``rank`` (NaN when excluded), ``excluded`` and
      ``exclusion_reasons``, per-sector suitability columns ``suit_<sector>`` and the allocated
      hectares ``allocated_ha``.
    - ``ranking``: the ranked list (``site_id, name, kind, park, rank, score, excluded,
      exclusion_reasons``, ``contrib_<criterion>`` and ``vs_<criterion>`` columns).
    - ``exclusions``: ``site_id, criterion, sector, reason``.
    - ``segments``: the demand to place, ``sector, size_class, period, hectares``.
    - ``allocation``: ``site_id, sector, size_class, period, hectares``.
    - ``shortfall``: ``sector, size_class, period, hectares, explanation``.
    - ``acceptability``: SMAA rank acceptability, site × rank (columns ``1..k``), may be None.
    - ``assumptions``: ``item, value, basis`` where basis is a citation or "assumption".
    """

    scenario_name: str
    scenario_path: Path | None
    scenario: dict[str, Any]
    sites: gpd.GeoDataFrame
    ranking: pd.DataFrame
    exclusions: pd.DataFrame
    segments: pd.DataFrame
    demand: dict[str, Any]
    allocation: pd.DataFrame
    shortfall: pd.DataFrame
    allocation_summary: dict[str, Any]
    assumptions: pd.DataFrame
    parks: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame]
    schematic: bool
    criteria_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    acceptability: pd.DataFrame | None = None
    central_weights: pd.DataFrame | None = None
    solver: dict[str, Any] = field(default_factory=dict)
    input_files: list[Path] = field(default_factory=list)
    timings: dict[str, float | bool] = field(default_factory=dict)
    """Wall-clock (and CPU) seconds per step; written to ``timings.json`` only, never into hashed outputs."""


def summary_items(summary: pd.DataFrame) -> dict[str, float]:
    """Hectares per site kind and period as flat items, e.g. ``{"expansion 2030 (ha)": 12.5}``."""
    return {
        f"{row.kind} {row.period} (ha)": round(float(row.hectares), 6)
        for row in summary.sort_values(["period", "kind"]).itertuples(index=False)
    }
