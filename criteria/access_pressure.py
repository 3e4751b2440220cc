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
    """Minimum headroom (veh/h) and maximum V/C on each site's route to its junction.

    Folded along the time tree once per node (`ShortestPathTree.along_paths`) and read at each
    site's entry node: the links are those of `RoadNetwork.junction_routes`.
    """
    ids = site_index(sites)
    network = ctx.road_network
    tree = network.time_tree
    entry, _ = network.nearest_entry(sites.geometry.values, tree)
    routed = entry >= 0
    at_entry = entry.clip(0)
    # fmin/fmax skip NaN like a groupby min/max; a route of NaN only stays NaN
    headroom = tree.along_paths(network.links["headroom_veh_h"].to_numpy(dtype=float), np.fmin)
    vc = tree.along_paths(network.links["volume_capacity"].to_numpy(dtype=float), np.fmax)
    values = pd.DataFrame(
        {
            f"{NAME}_min_headroom_veh_h": np.where(routed, headroom[at_entry], np.nan),
            f"{NAME}_max_vc": np.where(routed, vc[at_entry], np.nan),
            f"{NAME}_route_links": np.where(routed, tree.depth[at_entry], 0),
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
