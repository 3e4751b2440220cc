"""Access pressure: spare capacity on the route from a site to its motorway junction.

The route is the fastest path of `road_access` (predecessor tree of one multi-source Dijkstra
run). Per road link the headroom is capacity − current peak-hour volume; per site the minimum
headroom and the highest volume/capacity ratio along its route (001 §3.2: current pressure on
road access). The pressure expected after development is the allocation's road constraint, fed
by the criteria stage's ``road_links`` and ``site_routes`` outputs, which exist whenever the
road layers do, whatever the weights.
A site without a route (at the junction itself, or not connected) gets NaN.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from criteria.base import Context, Criterion, CriterionResult, site_index

NAME = "access_pressure"


class Params(BaseModel):
    """The access-pressure criterion has no parameters; routes follow `road_access`."""

    model_config = ConfigDict(extra="forbid")


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Minimum headroom (veh/h) and maximum V/C on each site's route to its junction."""
    ids = site_index(sites)
    network = ctx.road_network
    position, link = network.junction_routes(sites.geometry.values)
    on_route = network.links.iloc[link]
    per_site = (
        pd.DataFrame(
            {
                "position": position,
                "headroom": on_route["headroom_veh_h"].to_numpy(),
                "vc": on_route["volume_capacity"].to_numpy(),
            }
        )
        .groupby("position")
        .agg(headroom=("headroom", "min"), vc=("vc", "max"), n=("headroom", "size"))
    )
    per_site = per_site.reindex(np.arange(len(sites)))
    values = pd.DataFrame(
        {
            f"{NAME}_min_headroom_veh_h": per_site["headroom"].to_numpy(),
            f"{NAME}_max_vc": per_site["vc"].to_numpy(),
            f"{NAME}_route_links": per_site["n"].fillna(0).astype(int).to_numpy(),
        },
        index=ids,
    )
    return CriterionResult(values=values, primary=f"{NAME}_min_headroom_veh_h")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="veh/h",
    layers=("roads", "junctions"),
    description="Smallest spare peak-hour capacity (capacity − current volume, veh/h) on the fastest route "
    "from the site to its motorway junction, with the highest volume/capacity ratio on that route "
    "(001 §3.2: pressure on road access).",
    Params=Params,
    compute=compute,
)
