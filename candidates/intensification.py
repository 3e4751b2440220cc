"""Candidate sites from intensifying existing parks (001, §3.1; vacancy from Kerncijfers)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from candidates.base import CandidateSource
from candidates.schema import cumulative_by_period, park_attributes, park_polygons, to_table
from candidates.settings import CandidateSettings
from mca.core.errors import DataError


def intensification_capacity(net_issued_ha: float, vacancy: float, settings: CandidateSettings) -> float:
    """Hectares of demand a park can absorb by intensification.

    capacity_ha = net_issued_ha × headroom × realisation_rate
                  + max(0, vacancy − frictional_vacancy) × net_issued_ha

    The first term is the extra development potential under current zoning (001 §3.1: 20–30 %)
    of which only a part is realised; the second is structural vacancy (Kerncijfers, Q1 2024)
    above the healthy frictional level, taken as reusable land in proportion to the issued
    area (assumption: vacancy is a floor-space share, used here as a land share).
    A missing vacancy counts as no structural vacancy.
    """
    if not np.isfinite(net_issued_ha) or net_issued_ha <= 0:
        return 0.0
    vacancy = vacancy if np.isfinite(vacancy) else 0.0
    densification = net_issued_ha * settings.intensification_headroom
    densification *= settings.intensification_realisation_rate
    return densification + max(0.0, vacancy - settings.frictional_vacancy) * net_issued_ha


def intensification_sites(
    parks_layer: gpd.GeoDataFrame, parks: pd.DataFrame, settings: CandidateSettings
) -> gpd.GeoDataFrame:
    """One ``intensification`` site (``IN-<park>``) per park with a positive capacity.

    The geometry is the whole park polygon. capacity_2030_ha = intensification_share_2030 ×
    capacity (assumption), all of it by 2040. contiguous_ha = min(capacity,
    intensification_max_contiguous_ha): intensification frees small plots, not XXL ones.
    """
    polygons = park_polygons(parks_layer)
    rows = []
    for park_id, park in parks.sort_index().iterrows():
        net_issued = float(park["net_issued_ha"]) if pd.notna(park["net_issued_ha"]) else np.nan
        vacancy = float(park["vacancy_q1_2024"]) if pd.notna(park["vacancy_q1_2024"]) else np.nan
        capacity = intensification_capacity(net_issued, vacancy, settings)
        if capacity <= 0:
            continue
        if park_id not in polygons.index:
            raise DataError(f"park '{park_id}' has no polygon", source="parks", field="park_id")
        attributes = park_attributes(parks, park_id)
        geometry = polygons[park_id]
        rows.append(
            {
                "site_id": f"IN-{park_id}",
                "name": f"{attributes['park_name']} - intensification",
                "kind": "intensification",
                "park": park_id,
                "geometry": geometry,
                "area_ha": geometry.area / 10_000,
                "capacity_ha": capacity,
                **cumulative_by_period(capacity, "2030", settings.intensification_share_2030),
                "contiguous_ha": min(capacity, settings.intensification_max_contiguous_ha),
                "profile": attributes["profile"],
                "max_env_category": attributes["max_env_category"],
                "source": (
                    f"net issued {net_issued:g} ha × headroom "
                    f"{settings.intensification_headroom:g} "
                    "(001 §3.1: 20-30 %) × realisation "
                    f"{settings.intensification_realisation_rate:g} (assumption) + vacancy "
                    f"{vacancy if np.isfinite(vacancy) else 0:g} (001, Kerncijfers Q1 2024) above "
                    f"frictional {settings.frictional_vacancy:g} (assumption)"
                ),
            }
        )
    return to_table(rows)


SOURCE = CandidateSource(
    name="intensification",
    kind="intensification",
    prefix="IN",
    enable_flag="include_intensification",
    description="Intensification of every park: headroom × realisation + structural vacancy (001 §3.1).",
    build=lambda inputs: intensification_sites(inputs.parks_layer, inputs.parks, inputs.settings),
)
