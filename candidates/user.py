"""Candidate sites drawn by the user (GeoPackage, GeoJSON or Shapefile polygons)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from candidates.base import CandidateSource, SourceInputs
from candidates.schema import (
    TOLERANCE_HA,
    cumulative_by_period,
    empty_candidates,
    park_attributes,
    park_polygons,
    to_table,
)
from candidates.settings import CandidateSettings
from mca.core.errors import DataError
from mca.core.sectors import PERIODS

HA = 10_000.0
LADDER_KINDS = ("reuse", "intensification", "expansion")
"""What a drawn site may declare itself to be on the Ladder voor duurzame verstedelijking (003)."""


def slug(text: str) -> str:
    """A readable identifier part: lower case, runs of other characters become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


def user_site_candidates(
    path: Path, sites: gpd.GeoDataFrame, parks_layer: gpd.GeoDataFrame, parks: pd.DataFrame, settings: CandidateSettings
) -> gpd.GeoDataFrame:
    """``user`` sites ``US-<name>`` from the polygons ``sites`` read from ``path`` (EPSG:28992).

    Optional columns: ``name`` (default: file name and row number), ``park`` (default: the
    nearest park), ``capacity_ha`` (default: area × net_to_gross, assumption),
    ``contiguous_ha`` (default: the capacity of the largest polygon part),
    ``available_from`` (a period of mca.core.sectors.PERIODS; default ``user_available_from``) and
    ``ladder_kind`` (reuse, intensification or expansion; default expansion), kept as a column.
    """
    polygons = park_polygons(parks_layer)
    rows = []
    for number, (_, site) in enumerate(sites.iterrows(), start=1):
        name = site.get("name")
        name = str(name) if isinstance(name, str) and name.strip() else f"{path.stem} {number}"
        geometry = site.geometry
        area = geometry.area / HA
        park_id = _park_of(site, name, polygons, path)
        capacity = _number(site, "capacity_ha", name, path, area * settings.net_to_gross)
        largest = max(part.area for part in shapely.get_parts(geometry)) / HA
        contiguous = _number(site, "contiguous_ha", name, path, capacity * min(1.0, largest / area))
        if contiguous > capacity + TOLERANCE_HA:
            raise DataError(
                f"site '{name}': contiguous_ha {contiguous:g} exceeds capacity_ha {capacity:g}",
                source=path,
                field="contiguous_ha",
            )
        available_from = _period(site, name, path, settings.user_available_from)
        attributes = park_attributes(parks, park_id)
        rows.append(
            {
                "site_id": f"US-{slug(name)}",
                "name": name,
                "kind": "user",
                "park": park_id,
                "geometry": geometry,
                "area_ha": area,
                "capacity_ha": capacity,
                **cumulative_by_period(capacity, available_from),
                "contiguous_ha": contiguous,
                "profile": attributes["profile"],
                "max_env_category": np.nan,
                "ladder_kind": _ladder_kind(site, name, path),
                "source": f"user site from {path}"
                + (
                    ""
                    if pd.notna(site.get("capacity_ha"))
                    else f"; capacity = area × net/gross {settings.net_to_gross:g} (assumption)"
                ),
            }
        )
    _refuse_duplicate_ids([row["site_id"] for row in rows], path)
    return to_table(rows).assign(ladder_kind=[row["ladder_kind"] for row in rows])


def _refuse_duplicate_ids(ids: list[str], path: Path) -> None:
    """A DataError naming the file when two drawn sites would get the same site id."""
    twice = sorted({site_id for site_id in ids if ids.count(site_id) > 1})
    if twice:
        raise DataError(
            f"two sites get the id {twice[0]} (their names differ only in case or punctuation); "
            "give each site a distinct name",
            source=path,
            field="name",
        )


def _ladder_kind(site: pd.Series, name: str, path: Path) -> str:
    """The Ladder kind a drawn site declares (column ``ladder_kind``): reuse, intensification or expansion (default).

    A team-drawn polygon is new ground unless the team says it reuses or intensifies existing
    business land (issue 11: a drawn greenfield must not jump ahead as reuse).
    """
    value = site.get("ladder_kind")
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return "expansion"
    text = str(value).strip().lower()
    if text not in LADDER_KINDS:
        raise DataError(
            f"site '{name}': ladder_kind must be one of {', '.join(LADDER_KINDS)}, not {value!r}",
            source=path,
            field="ladder_kind",
        )
    return text


def _number(site: pd.Series, column: str, name: str, path: Path, default: float) -> float:
    value = site.get(column)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = np.nan
    if not np.isfinite(number) or number < 0:
        raise DataError(
            f"site '{name}': {column} must be a non-negative number, not {value!r}",
            source=path,
            field=column,
        )
    return number


def _period(site: pd.Series, name: str, path: Path, default: str) -> str:
    value = site.get("available_from")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    whole = isinstance(value, (int, float, np.number)) and float(value).is_integer()
    text = str(int(value)) if whole else str(value).strip()
    if text not in PERIODS:
        raise DataError(
            f"site '{name}': available_from must be one of {', '.join(PERIODS)}, not {value!r}",
            source=path,
            field="available_from",
        )
    return text


def user_sites(inputs: SourceInputs) -> gpd.GeoDataFrame:
    """The ``user`` sites of every file of ``settings.user_sites``, in the order of the files."""
    parts = [
        user_site_candidates(path, drawn, inputs.parks_layer, inputs.parks, inputs.settings)
        for path, drawn in inputs.user_sites
    ]
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_candidates()
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)


SOURCE = CandidateSource(
    name="user_sites",
    kind="user",
    prefix="US",
    enable_flag="include_user_sites",
    description="Polygons drawn by the design team (GeoPackage, GeoJSON or Shapefile).",
    build=user_sites,
)


def _park_of(site: pd.Series, name: str, polygons: gpd.GeoSeries, path: Path) -> str:
    """The park a drawn site names (checked), else the nearest park."""
    park_id = site.get("park")
    if isinstance(park_id, str) and park_id:
        if park_id not in polygons.index:
            raise DataError(f"site '{name}': unknown park '{park_id}'", source=path, field="park")
        return park_id
    return str(polygons.index[int(np.argmin(polygons.distance(site.geometry).to_numpy()))])
