"""The candidate-site table: its columns, their meaning and a validation function.

Columns (one row per candidate site, GeoDataFrame in EPSG:28992, sorted by ``site_id``):

- ``site_id`` (str, unique): ``<prefix>-…`` with the prefix of the source that made the site
  (`candidates.SOURCES`): ``AV-<park>`` available plots, ``IN-<park>`` intensification,
  ``EX-<park>-NN`` expansion zones, ``US-<name>`` user-drawn sites.
- ``name`` (str): readable label.
- ``kind`` (str): the source's kind, one of `candidates.site_kinds()` (by default :data:`KINDS`).
- ``park`` (str): park_id the site belongs to or (expansion, user) lies nearest to.
- ``geometry`` (Polygon/MultiPolygon): the site; for ``available_plot`` and
  ``intensification`` a schematic stand-in (part of / whole park polygon).
- ``area_ha`` (float): area of the geometry in hectares.
- ``capacity_ha`` (float): net hectares the site can offer to new demand in total.
- ``capacity_2030_ha``, ``capacity_2040_ha`` (float): capacity available up to the end of each
  period of :data:`mca.core.sectors.PERIODS`, cumulative (non-decreasing; the last equals
  ``capacity_ha``).
- ``contiguous_ha`` (float): the largest single plot the site can host (≤ ``capacity_ha``);
  decides whether XXL (≥ 5 ha) demand fits.
- ``profile`` (str or None): profile of the park (001, §3.3).
- ``max_env_category`` (float, NaN where unknown): highest environmental category allowed.
- ``source`` (str): where the figures come from, with citations and assumptions.
"""

from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import numpy as np
import pandas as pd

from candidates.settings import CandidateSettings
from mca.core.errors import DataError
from mca.core.sectors import PERIODS
from mca.core.vocabulary import EXPANSION, SITE_KINDS

KINDS = SITE_KINDS
PERIOD_COLUMNS: tuple[str, ...] = tuple(f"capacity_{period}_ha" for period in PERIODS)
COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "kind",
    "park",
    "geometry",
    "area_ha",
    "capacity_ha",
    *PERIOD_COLUMNS,
    "contiguous_ha",
    "profile",
    "max_env_category",
    "source",
)
CRS = "EPSG:28992"
TOLERANCE_HA = 1e-6


def cumulative_by_period(capacity_ha: float, available_from: str, share_by_first: float = 1.0) -> dict[str, float]:
    """Cumulative capacity per period column for a site available from ``available_from``.

    In the first available period a share ``share_by_first`` is available; from the next
    period on everything is.
    """
    if available_from not in PERIODS:
        raise ValueError(f"available_from must be one of {', '.join(PERIODS)}")
    start = PERIODS.index(available_from)
    values = {}
    for i, column in enumerate(PERIOD_COLUMNS):
        if i < start:
            values[column] = 0.0
        elif i == start and i < len(PERIODS) - 1:
            values[column] = capacity_ha * share_by_first
        else:
            values[column] = capacity_ha
    return values


def empty_candidates() -> gpd.GeoDataFrame:
    """A candidate table without rows, with the schema's columns."""
    columns: dict[str, list[object]] = {c: [] for c in COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(columns, geometry=[], crs=CRS)[list(COLUMNS)]


def validate_candidates(
    sites: gpd.GeoDataFrame, source: str = "candidates", kinds: Collection[str] = KINDS
) -> gpd.GeoDataFrame:
    """Check ``sites`` against the schema; raise :class:`DataError` naming the first problem.

    Checks: all columns present, CRS EPSG:28992, unique non-empty site ids, known kinds,
    non-negative finite capacities, cumulative period capacities non-decreasing and ending at
    ``capacity_ha``, ``contiguous_ha`` ≤ ``capacity_ha``, polygonal non-empty geometries.
    Returns ``sites`` unchanged.
    """
    missing = [c for c in COLUMNS if c not in sites.columns]
    if missing:
        raise DataError(f"candidate table lacks column '{missing[0]}'", source=source, field=missing[0])
    if sites.crs is None or not sites.crs.equals(CRS):
        raise DataError(f"candidate geometries must be in {CRS}", source=source, field="geometry")
    if sites["site_id"].isna().any() or (sites["site_id"].astype(str) == "").any():
        raise DataError("empty site_id", source=source, field="site_id")
    duplicated = sites["site_id"][sites["site_id"].duplicated()]
    if len(duplicated):
        raise DataError(f"duplicate site_id '{duplicated.iloc[0]}'", source=source, field="site_id")
    unknown = sorted(set(sites["kind"]) - set(kinds))
    if unknown:
        raise DataError(f"unknown kind '{unknown[0]}'", source=source, field="kind")
    for column in ("area_ha", "capacity_ha", *PERIOD_COLUMNS, "contiguous_ha"):
        values = sites[column].to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            raise DataError(
                f"site {sites['site_id'].iloc[int(np.argmax(bad))]}: {column} must be a non-negative number",
                source=source,
                field=column,
            )
    previous = np.zeros(len(sites))
    for column in PERIOD_COLUMNS:
        current = sites[column].to_numpy(dtype=float)
        increasing = current + TOLERANCE_HA >= previous
        _require(sites, increasing, f"{column} decreases over the periods", source, column)
        previous = current
    capacity = sites["capacity_ha"].to_numpy(dtype=float)
    last = PERIOD_COLUMNS[-1]
    _require(sites, np.abs(previous - capacity) <= TOLERANCE_HA, f"{last} must equal capacity_ha", source, last)
    contiguous = sites["contiguous_ha"].to_numpy(dtype=float)
    _require(sites, contiguous <= capacity + TOLERANCE_HA, "contiguous_ha exceeds capacity_ha", source, "contiguous_ha")
    polygonal = sites.geom_type.isin(("Polygon", "MultiPolygon")).to_numpy()
    _require(
        sites,
        polygonal & ~sites.geometry.is_empty.to_numpy(),
        "geometry must be a non-empty (multi)polygon",
        source,
        "geometry",
    )
    return sites


def _require(sites: gpd.GeoDataFrame, ok: np.ndarray, message: str, source: str, field: str) -> None:
    if not ok.all():
        site = sites["site_id"].iloc[int(np.argmin(ok))]
        raise DataError(f"site {site}: {message}", source=source, field=field)


def to_table(rows: list[dict]) -> gpd.GeoDataFrame:
    """A candidate GeoDataFrame with exactly the schema's columns from row dicts."""
    if not rows:
        return empty_candidates()
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)[list(COLUMNS)]


def new_ground_row(
    ids: tuple[str, str],
    park_id: str,
    geometry: object,
    area_ha: float,
    profile: object,
    settings: CandidateSettings,
    source: str,
) -> dict[str, object]:
    """The row of a site on new ground (an expansion zone or joined grid cells) next to ``park_id``.

    ``ids`` is (site_id, name). Capacity is the area times the net/gross ratio, all available
    from ``settings.expansion_available_from`` and contiguous; the environmental category is left open (NaN).
    """
    site_id, name = ids
    capacity = area_ha * settings.net_to_gross
    return {
        "site_id": site_id,
        "name": name,
        "kind": EXPANSION,
        "park": park_id,
        "geometry": geometry,
        "area_ha": area_ha,
        "capacity_ha": capacity,
        **cumulative_by_period(capacity, settings.expansion_available_from),
        "contiguous_ha": capacity,
        "profile": profile,
        "max_env_category": np.nan,
        "source": source,
    }


def park_polygons(parks_layer: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """One (multi)polygon per park_id from the ``parks`` layer, indexed and sorted by park_id."""
    return parks_layer.dissolve(by="park_id").geometry.sort_index()


def park_attributes(parks: pd.DataFrame, park_id: str) -> dict[str, object]:
    """``name``, ``profile`` and ``max_env_category`` of a park from the park table."""
    row = parks.loc[park_id] if park_id in parks.index else pd.Series(dtype=object)
    name = row.get("name")
    profile = row.get("profile")
    return {
        "park_name": name if isinstance(name, str) else park_id,
        "profile": profile if isinstance(profile, str) else None,
        "max_env_category": float(row.get("max_env_category", np.nan)),
    }
