"""Adjacency: how much of a site's boundary it shares with existing business parks (ranking).

001 §3.2, first principle: a new park preferably adjoins an existing one, to reuse its
(underground) infrastructure. The shared boundary is the part of the site's outline that lies
within ``snap_tolerance_m`` of a park polygon (a site inside a park shares all of it); where
the contact ends, the first ``snap_tolerance_m`` of the edges leaving it count as well. The
primary value is the shared share of the site perimeter (0–1); the shared length (m) and the
distance to the nearest park (m) are reported too, so sites that do not touch can still be told
apart.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import Context, Criterion, CriterionResult, nearest_distance, site_index

NAME = "adjacency"


class Params(BaseModel):
    """Parameters of the adjacency criterion."""

    model_config = ConfigDict(extra="forbid")

    snap_tolerance_m: float = Field(
        1.0,
        ge=0,
        description="Boundary parts this close to a park count as shared (digitising gaps). Assumption: 1 m.",
    )


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Shared boundary length (m) and share with existing parks, and the distance to the nearest park."""
    ids = site_index(sites)
    parks = ctx.layer("parks", needed_by=NAME)
    geoms = sites.geometry.values
    boundary = shapely.boundary(geoms)
    perimeter = shapely.length(boundary)
    shared = np.zeros(len(sites))
    nearest_park = np.full(len(sites), None, dtype=object)
    if len(parks):
        site_pos, park_pos = parks.sindex.query(geoms, predicate="dwithin", distance=params.snap_tolerance_m)
        if len(site_pos):
            park_zone = shapely.buffer(parks.geometry.values, params.snap_tolerance_m)
            length = shapely.length(shapely.intersection(boundary[site_pos], park_zone[park_pos]))
            np.add.at(shared, site_pos, length)
        distance, nearest = nearest_distance(sites, parks)
        park_ids = parks["park_id"].to_numpy()
        found = nearest >= 0
        nearest_park[found] = park_ids[nearest[found]]
    else:
        distance = np.full(len(sites), np.nan)
    shared = np.minimum(shared, perimeter)  # parks overlapping each other would count twice
    values = pd.DataFrame(
        {
            f"{NAME}_shared_share": np.divide(shared, perimeter, out=np.zeros(len(sites)), where=perimeter > 0),
            f"{NAME}_shared_m": shared,
            f"{NAME}_distance_m": distance,
            f"{NAME}_nearest_park": nearest_park,
        },
        index=ids,
    )
    return CriterionResult(values=values, primary=f"{NAME}_shared_share")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="share of perimeter",
    layers=("parks",),
    description="Share of the site perimeter shared with existing business parks (0–1), with the shared "
    "length (m) and the distance to the nearest park (m) (001 §3.2: adjoin an existing park).",
    Params=Params,
    compute=compute,
)
