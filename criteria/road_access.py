"""Road access: network distance and travel time from a site to the nearest motorway junction.

A site enters the network at the road end point (graph node) nearest to its polygon, on a
road that is not a motorway (among equally near nodes, e.g. several inside the site, the one
closest to a junction); the straight-line leg from the polygon to that node is driven at
``access_speed_kmh``. From there the shortest path by length gives the network distance and the
fastest path by free-flow speed the travel time, both from one multi-source Dijkstra run from
all junctions (`criteria.network`). The straight-line distance to the nearest junction is
reported alongside, so a long detour shows. Sites with no road connection to any junction get
NaN.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import Context, Criterion, CriterionResult, nearest_distance, site_index

NAME = "road_access"


class Params(BaseModel):
    """Parameters of the road-access criterion."""

    model_config = ConfigDict(extra="forbid")

    access_speed_kmh: float = Field(
        30.0, gt=0, description="Speed on the straight access leg from the site to the road network. Assumption."
    )


def _along(distance: np.ndarray, entry: np.ndarray) -> np.ndarray:
    """Tree distance at each entry node; NaN where there is no entry or no path to a junction."""
    value = np.where(entry >= 0, distance[entry.clip(0)], np.nan)
    return np.where(np.isfinite(value), value, np.nan)


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Network distance (m), travel time (min) and straight-line distance (m) to the nearest junction."""
    ids = site_index(sites)
    network = ctx.road_network
    length_entry, length_leg_m = network.nearest_entry(sites.geometry.values, network.length_tree)
    time_entry, time_leg_m = network.nearest_entry(sites.geometry.values, network.time_tree)
    network_m = _along(network.length_tree.distance, length_entry) + length_leg_m
    time_min = _along(network.time_tree.distance, time_entry) + time_leg_m / (params.access_speed_kmh * 1000.0 / 60.0)
    junction_node = np.where(time_entry >= 0, network.time_tree.junction_node[time_entry.clip(0)], -1)
    straight_m, _ = nearest_distance(sites, ctx.layer("junctions", needed_by=NAME))
    values = pd.DataFrame(
        {
            f"{NAME}_network_m": network_m,
            f"{NAME}_time_min": time_min,
            f"{NAME}_straight_m": straight_m,
            f"{NAME}_access_leg_m": time_leg_m,
            f"{NAME}_junction": network.junction_ids.reindex(junction_node).to_numpy(),
        },
        index=ids,
    )
    values[f"{NAME}_detour_factor"] = values[f"{NAME}_network_m"] / values[f"{NAME}_straight_m"].where(
        values[f"{NAME}_straight_m"] > 0
    )
    return CriterionResult(values=values, primary=f"{NAME}_time_min")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="min",
    unit="min",
    layers=("roads", "junctions"),
    description="Free-flow travel time (min) from the site to the nearest motorway junction over the road "
    "network, with the network distance (m), the straight-line distance (m) and their ratio (001 §3.2: "
    "road access of the location).",
    Params=Params,
    compute=compute,
)
