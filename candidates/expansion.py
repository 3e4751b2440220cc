"""Candidate expansion zones adjoining the existing parks (001, §3.2, principle 1)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from candidates.base import CandidateSource
from candidates.schema import new_ground_row, park_attributes, park_polygons, to_table
from candidates.settings import CandidateSettings
from mca.core.errors import DataError

HA = 10_000.0


def expansion_zones(layers: dict[str, gpd.GeoDataFrame], settings: CandidateSettings) -> list[shapely.Geometry]:
    """Contiguous polygons where a park could be expanded, before numbering.

    Zone = everything within ``expansion_distance_m`` of a park, minus all parks, minus the
    built-up areas (``residential``, buffered by ``residential_buffer_m``) and, only when
    ``exclude_nature_in_generation``, minus Natura 2000 and NNN (buffered by
    ``exclusion_buffer_m``). By default nature stays in, so that the exclusion criteria flag
    and explain sites that touch it. The zone is split into its contiguous parts, parts larger
    than ``max_expansion_cell_ha`` are cut into grid cells (see :func:`cut_into_cells`) and
    parts below ``min_expansion_ha`` are dropped.
    """
    for name in ("parks", "residential"):
        if name not in layers:
            raise DataError(f"expansion zones need the '{name}' layer", source=name)
    parks = shapely.union_all(layers["parks"].geometry.values)
    removed = [parks, shapely.union_all(layers["residential"].geometry.values).buffer(settings.residential_buffer_m)]
    if settings.exclude_nature_in_generation:
        for name in ("natura2000", "nnn"):
            if name not in layers:
                raise DataError(f"removing nature needs the '{name}' layer", source=name)
            removed.append(shapely.union_all(layers[name].geometry.values).buffer(settings.exclusion_buffer_m))
    zone = parks.buffer(settings.expansion_distance_m).difference(shapely.union_all(removed))
    if settings.expansion_within_boundary and "boundary" in layers:
        zone = zone.intersection(shapely.union_all(layers["boundary"].geometry.values))
    pieces = [p for p in shapely.get_parts(zone) if p.area >= settings.min_expansion_ha * HA]
    if settings.max_expansion_cell_ha is not None:
        pieces = [
            cell
            for piece in pieces
            for cell in cut_into_cells(piece, settings.max_expansion_cell_ha, settings.min_expansion_ha)
        ]
    return [p for p in pieces if p.area >= settings.min_expansion_ha * HA]


def cut_into_cells(piece: shapely.Geometry, max_cell_ha: float, min_ha: float) -> list[shapely.Geometry]:
    """Cut ``piece`` along a square grid (cells of ``max_cell_ha``, aligned to the RD origin).

    Fragments below ``min_ha`` are merged, smallest first, into the neighbouring cell with which
    they share the longest border, so a cell that absorbs fragments exceeds ``max_cell_ha``; a
    fragment without such a neighbour stays as it is (and is dropped later if too small).
    """
    if piece.area <= max_cell_ha * HA:
        return [piece]
    side = math.sqrt(max_cell_ha * HA)
    xmin, ymin, xmax, ymax = piece.bounds
    cells: list[shapely.Geometry] = []
    for i in range(math.floor(xmin / side), math.ceil(xmax / side)):
        for j in range(math.floor(ymin / side), math.ceil(ymax / side)):
            part = piece.intersection(box(i * side, j * side, (i + 1) * side, (j + 1) * side))
            parts = shapely.get_parts(part)
            cells.extend(p for p in parts if p.geom_type == "Polygon" and p.area > 0)
    while True:
        small = [k for k, cell in enumerate(cells) if cell.area < min_ha * HA]
        merged = False
        for k in sorted(small, key=lambda k: cells[k].area):
            shared = [
                (cells[k].boundary.intersection(other.boundary).length, n) for n, other in enumerate(cells) if n != k
            ]
            length, n = max(shared, default=(0.0, -1))
            if length > 0:
                cells[n] = shapely.union(cells[n], cells[k])
                del cells[k]
                merged = True
                break
        if not merged:
            return cells


def expansion_sites(
    layers: dict[str, gpd.GeoDataFrame], parks: pd.DataFrame, settings: CandidateSettings
) -> gpd.GeoDataFrame:
    """``expansion`` sites ``EX-<park>-NN`` from :func:`expansion_zones`.

    park = the nearest park polygon; numbering per park from north-west to south-east.
    capacity_ha = area × net_to_gross (assumption); contiguous_ha = capacity_ha; capacity from
    ``expansion_available_from``. profile is the nearest park's; max_env_category is NaN (a new
    zone has no zoning yet; the criteria derive it from the distance to dwellings).
    """
    polygons = park_polygons(layers["parks"])
    zones = expansion_zones(layers, settings)
    nearest = [polygons.index[int(np.argmin(polygons.distance(zone).to_numpy()))] for zone in zones]
    order = sorted(
        range(len(zones)),
        key=lambda k: (nearest[k], -round(zones[k].centroid.y), round(zones[k].centroid.x)),
    )
    counters: dict[str, int] = {}
    rows = []
    nature = (
        "Natura 2000/NNN removed" if settings.exclude_nature_in_generation else "nature kept for the exclusion criteria"
    )
    for k in order:
        park_id = nearest[k]
        counters[park_id] = counters.get(park_id, 0) + 1
        attributes = park_attributes(parks, park_id)
        rows.append(
            new_ground_row(
                (f"EX-{park_id}-{counters[park_id]:02d}", f"Expansion {attributes['park_name']} {counters[park_id]}"),
                park_id,
                zones[k],
                zones[k].area / HA,
                attributes["profile"],
                settings,
                f"generated: within {settings.expansion_distance_m:g} m of a park, minus parks "
                f"and built-up areas, {nature} (assumptions); capacity = area × net/gross "
                f"{settings.net_to_gross:g} (assumption)",
            )
        )
    return to_table(rows)


SOURCE = CandidateSource(
    name="expansion",
    kind="expansion",
    prefix="EX",
    enable_flag="include_expansion",
    description="Expansion zones adjoining the existing parks (001 §3.2, principle 1).",
    build=lambda inputs: expansion_sites(inputs.layers, inputs.parks, inputs.settings),
)
