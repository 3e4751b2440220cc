"""Natuurnetwerk Nederland (NNN): overlap with, and distance to, the nature network (exclusion).

In Limburg the NNN layer has two zones: the goudgroene natuurzone (the NNN proper) and the
zilvergroene natuurzone (nature values where development can be allowed with compensation).
By default only overlap with goudgroen excludes (assumption, following the provincial
"nee, tenzij" regime for goudgroen; not a figure from the seed documents). Overlap with
zilvergroen is reported, so a scenario can exclude it by adding the zone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import (
    Context,
    Criterion,
    CriterionResult,
    nearest_distance,
    protected_area_exclusions,
    protected_area_values,
)

NAME = "nnn"


class Params(BaseModel):
    """Parameters of the NNN criterion."""

    model_config = ConfigDict(extra="forbid")

    excluded_zones: tuple[str, ...] = Field(
        ("goudgroen",),
        description="NNN zones whose overlap (or buffer) excludes a site. Assumption: goudgroen only; "
        "zilvergroen allows development with compensation.",
    )
    buffer_m: float = Field(
        0.0, ge=0, description="Sites closer than this to an excluded zone are excluded too. Assumption: 0 m."
    )
    min_overlap_ha: float = Field(
        0.001,
        ge=0,
        description="Overlaps up to this area are digitising slivers, not overlap. Assumption: 0.001 ha (10 m²).",
    )


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Overlap and distance over all NNN zones; exclusions for the excluded zones only.

    The distance to an excluded zone only matters within the buffer, so that search stops there
    (none without a buffer).
    """
    areas = ctx.layer("nnn", needed_by=NAME)
    values, _, _ = protected_area_values(sites, areas, NAME)
    excluded_areas = areas[areas["zone"].astype(str).isin(params.excluded_zones)]
    within_buffer = (
        nearest_distance(sites, excluded_areas, max_distance=params.buffer_m)
        if params.buffer_m > 0
        else (np.full(len(sites), np.nan), np.full(len(sites), -1, dtype=np.int64))
    )
    zone_values, largest, count = protected_area_values(sites, excluded_areas, f"{NAME}_excluded_zone", within_buffer)
    exclusions = protected_area_exclusions(
        zone_values,
        largest,
        count,
        prefix=f"{NAME}_excluded_zone",
        criterion=NAME,
        label=f"NNN ({'/'.join(params.excluded_zones)})",
        min_overlap_ha=params.min_overlap_ha,
        buffer_m=params.buffer_m,
    )
    values[f"{NAME}_excluded_zone_overlap_ha"] = zone_values[f"{NAME}_excluded_zone_overlap_ha"]
    return CriterionResult(values=values, primary=f"{NAME}_distance_m", exclusions=exclusions)


CRITERION = Criterion(
    name=NAME,
    kind="exclusion",
    direction="max",
    unit="m",
    layers=("nnn",),
    description="Distance to the nearest NNN area of any zone (m; overlap in ha and share also reported). "
    "Excludes a site for all sectors when it overlaps an excluded zone (default goudgroen, assumption).",
    Params=Params,
    compute=compute,
)
