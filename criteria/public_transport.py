"""Public transport: straight-line distance to the nearest rail station and to any stop (ranking).

003 (Ladder voor duurzame verstedelijking): new development at the edge of the built-up area
preferably has multimodal access. The primary value is the distance to the nearest stop of any
kind; NaN where the layer has no stop of that kind.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from pydantic import BaseModel, ConfigDict

from criteria.base import Context, Criterion, CriterionResult, nearest_distance, site_index

NAME = "public_transport"


class Params(BaseModel):
    """The public-transport criterion has no parameters."""

    model_config = ConfigDict(extra="forbid")


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Distance (m) to the nearest rail station and to the nearest stop of any kind."""
    ids = site_index(sites)
    stations = ctx.layer("stations", needed_by=NAME)
    any_m, any_pos = nearest_distance(sites, stations)
    rail_m, _ = nearest_distance(sites, stations[stations["kind"].astype(str) == "rail"])
    values = pd.DataFrame(
        {
            f"{NAME}_any_stop_m": any_m,
            f"{NAME}_rail_m": rail_m,
            f"{NAME}_nearest_stop": stations["name"].to_numpy()[any_pos.clip(0)] if len(stations) else None,
        },
        index=ids,
    )
    return CriterionResult(values=values, primary=f"{NAME}_any_stop_m")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="min",
    unit="m",
    layers=("stations",),
    description="Straight-line distance (m) to the nearest public-transport stop of any kind, with the "
    "distance to the nearest rail station (003: multimodal access).",
    Params=Params,
    compute=compute,
)
