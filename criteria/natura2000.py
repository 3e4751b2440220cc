"""Natura 2000: physical overlap with, and distance to, EU protected nature sites (exclusion).

001 §3.2 (principles of the design research): physical barriers such as nature are an
excluding indicator. A site is excluded for all sectors when it overlaps a Natura 2000 area or
lies within ``buffer_m`` of one. Indirect effects (nitrogen) are the `nitrogen` criterion.
"""

from __future__ import annotations

import geopandas as gpd
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import Context, Criterion, CriterionResult, protected_area_exclusions, protected_area_values

NAME = "natura2000"


class Params(BaseModel):
    """Parameters of the Natura 2000 criterion."""

    model_config = ConfigDict(extra="forbid")

    buffer_m: float = Field(
        0.0,
        ge=0,
        description="Sites closer than this to a Natura 2000 area are excluded too. Assumption: 0 m, "
        "only physical overlap excludes; external effects are screened by the nitrogen criterion.",
    )
    min_overlap_ha: float = Field(
        0.001,
        ge=0,
        description="Overlaps up to this area are treated as digitising slivers, not as overlap. "
        "Assumption: 0.001 ha (10 m²).",
    )


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Overlap (ha, share of the site) and distance (m) to the nearest Natura 2000 area."""
    areas = ctx.layer("natura2000", needed_by=NAME)
    nearest = ctx.nearest(sites, "natura2000", needed_by=NAME)  # shared with the nitrogen criterion
    values, largest, count = protected_area_values(sites, areas, NAME, nearest)
    exclusions = protected_area_exclusions(
        values,
        largest,
        count,
        prefix=NAME,
        criterion=NAME,
        label="Natura 2000",
        min_overlap_ha=params.min_overlap_ha,
        buffer_m=params.buffer_m,
    )
    return CriterionResult(values=values, primary=f"{NAME}_distance_m", exclusions=exclusions)


CRITERION = Criterion(
    name=NAME,
    kind="exclusion",
    direction="max",
    unit="m",
    layers=("natura2000",),
    description="Distance to the nearest Natura 2000 area (m; overlap in ha and share also reported). "
    "Excludes a site for all sectors when it overlaps an area or lies within the buffer (001 §3.2: "
    "nature is an excluding indicator).",
    Params=Params,
    compute=compute,
)
