"""NNN zone: the most restrictive NNN zone a site touches or lies within a buffer of (categorical, ranking).

In Limburg the NNN layer has two zones: the goudgroene natuurzone (the NNN proper, "nee, tenzij")
and the zilvergroene natuurzone (development possible with compensation); see `criteria.nnn`, which
excludes overlap with goudgroen. This criterion ranks what the exclusion leaves: the category is
``goudgroen`` when the site touches or lies within ``buffer_m`` of a goudgroen area, else
``zilvergroen`` likewise, else ``none``. The category is the raw value; its value score comes from the
declared table ``scoring.value_tables.nnn_zone`` (`mca.scoring.valuetables`), never from min-max over
codes. Opt-in: it runs only when a scenario enables it (docs/scenarios.md).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from criteria.base import Context, Criterion, CriterionResult, nearest_distance, site_index
from mca.core.errors import DataError

NAME = "nnn_zone"
NO_ZONE = "none"
"""Category of a site with no NNN zone at it or within the buffer."""


class Params(BaseModel):
    """Parameters of the NNN-zone criterion."""

    model_config = ConfigDict(extra="forbid")

    zones: tuple[str, ...] = Field(
        ("goudgroen", "zilvergroen"),
        min_length=1,
        description="The NNN zones of the layer's 'zone' column, most restrictive first. Assumption: goudgroen "
        "('nee, tenzij') before zilvergroen (development with compensation).",
    )
    buffer_m: float = Field(
        100.0,
        ge=0,
        description="A zone within this distance of a site counts as touching it. Assumption: 100 m, where "
        "noise, light and disturbance of a business park reach into nature; not a source figure.",
    )

    @field_validator("zones")
    @classmethod
    def _distinct_zones(cls, zones: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(zones)) != len(zones) or NO_ZONE in zones:
            raise ValueError(f"zones must be distinct and must not include '{NO_ZONE}'")
        return zones


def zone_category(distances: dict[str, np.ndarray], zones: tuple[str, ...], buffer_m: float) -> np.ndarray:
    """Per site the first of ``zones`` (most restrictive first) within ``buffer_m``, else ``none``."""
    n = len(next(iter(distances.values()))) if distances else 0
    category = np.full(n, NO_ZONE, dtype=object)
    for zone in reversed(zones):
        near = np.nan_to_num(distances[zone], nan=np.inf) <= buffer_m
        category[near] = zone
    return category


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """The NNN zone category of each site and its distance to each zone."""
    ids = site_index(sites)
    areas = ctx.layer("nnn", needed_by=NAME)
    zone_of_area = areas["zone"].astype(str).to_numpy() if len(areas) else np.array([], dtype=str)
    unknown = sorted(set(zone_of_area) - set(params.zones))
    if unknown:
        raise DataError(
            f"NNN zones {unknown} are not ranked; add them to nnn_zone.params.zones (most restrictive first) "
            "and to scoring.value_tables.nnn_zone",
            source="nnn",
            field="zone",
        )
    distances = {zone: nearest_distance(sites, areas[zone_of_area == zone])[0] for zone in params.zones}
    values = pd.DataFrame({f"{NAME}_category": zone_category(distances, params.zones, params.buffer_m)}, index=ids)
    for zone in params.zones:
        values[f"{NAME}_{zone}_m"] = distances[zone]
    return CriterionResult(values=values, primary=f"{NAME}_category")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="category (none / zilvergroen / goudgroen), valued by scoring.value_tables.nnn_zone",
    layers=("nnn",),
    description="Most restrictive NNN zone the site touches or lies within buffer_m of (goudgroen, zilvergroen, "
    "none; buffer 100 m: assumption), ranked by the value of that category in the declared table "
    "scoring.value_tables.nnn_zone (none 1, zilvergroen 0.5, goudgroen 0: assumptions).",
    Params=Params,
    compute=compute,
    enabled_by_default=False,
)
"""The criterion, off by default: see docs/scenarios.md ("Categorical criteria")."""
