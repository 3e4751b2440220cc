"""Candidate sites from the land available for issue right away (001, Tabel 6)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from candidates.base import CandidateSource
from candidates.schema import cumulative_by_period, park_attributes, park_polygons, to_table
from candidates.settings import CandidateSettings
from mca.core.errors import DataError

BISECTION_STEPS = 60


def available_plot_sites(
    parks_layer: gpd.GeoDataFrame, parks: pd.DataFrame, settings: CandidateSettings
) -> gpd.GeoDataFrame:
    """One ``available_plot`` site (``AV-<park>``) per park with land available for issue.

    capacity_ha = available_ha − available_under_option_ha, or available_ha when
    ``include_under_option`` (001, Tabel 6, REBIS 2023). contiguous_ha = capacity_ha
    (assumption: the available land of a park is one plot unless known otherwise). The geometry
    is schematic: the strip at the east side of the park polygon with the capacity's area.
    """
    polygons = park_polygons(parks_layer)
    rows = []
    for park_id, park in parks.sort_index().iterrows():
        available = float(park["available_ha"]) if pd.notna(park["available_ha"]) else 0.0
        under_option = park["available_under_option_ha"]
        under_option = float(under_option) if pd.notna(under_option) else 0.0
        capacity = available if settings.include_under_option else available - under_option
        if capacity <= 0:
            continue
        if park_id not in polygons.index:
            raise DataError(
                f"park '{park_id}' has available land but no polygon",
                source="parks",
                field="park_id",
            )
        geometry = edge_piece(polygons[park_id], capacity * 10_000)
        attributes = park_attributes(parks, park_id)
        option_note = (
            "land under option included (setting)"
            if settings.include_under_option
            else f"{under_option:g} ha under option excluded (choice, assumption)"
        )
        rows.append(
            {
                "site_id": f"AV-{park_id}",
                "name": f"{attributes['park_name']} - available plots",
                "kind": "available_plot",
                "park": park_id,
                "geometry": geometry,
                "area_ha": geometry.area / 10_000,
                "capacity_ha": capacity,
                **cumulative_by_period(capacity, settings.available_from),
                "contiguous_ha": capacity,
                "profile": attributes["profile"],
                "max_env_category": attributes["max_env_category"],
                "source": f"001, Tabel 6 (REBIS 2023): {available:g} ha available, "
                f"{option_note}; one contiguous plot (assumption); geometry schematic",
            }
        )
    return to_table(rows)


def edge_piece(polygon: shapely.Geometry, area_m2: float) -> shapely.Geometry:
    """The part of ``polygon`` east of a vertical line, with (about) ``area_m2`` m².

    The cut line is found by bisection; the whole polygon is returned when it is smaller.
    """
    if area_m2 >= polygon.area:
        return polygon
    xmin, ymin, xmax, ymax = polygon.bounds
    low, high = xmin, xmax
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        if polygon.intersection(box(middle, ymin, xmax, ymax)).area > area_m2:
            low = middle
        else:
            high = middle
    piece = polygon.intersection(box(low, ymin, xmax, ymax))
    return piece if not np.isclose(piece.area, 0) else polygon


SOURCE = CandidateSource(
    name="available_plots",
    kind="available_plot",
    prefix="AV",
    enable_flag="include_available_plots",
    description="Land available for issue right away, one site per park (001, Tabel 6).",
    build=lambda inputs: available_plot_sites(inputs.parks_layer, inputs.parks, inputs.settings),
)
