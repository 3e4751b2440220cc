"""Size and shape: contiguous area, compactness and whether an XXL plot fits (ranking).

001 Bijlage 3 splits demand into MKB (plots below 5 ha) and XXL (5 ha or more); a site whose
largest contiguous developable area is at least ``xxl_min_ha`` can take an XXL plot.
Compactness is the Polsby-Popper ratio 4πA/P² (1 for a circle, about 0.785 for a square,
near 0 for a long strip).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import Context, Criterion, CriterionResult, site_index

NAME = "size_shape"


class Params(BaseModel):
    """Parameters of the size-and-shape criterion."""

    model_config = ConfigDict(extra="forbid")

    xxl_min_ha: float = Field(5.0, gt=0, description="Smallest XXL plot (ha): 001 Bijlage 3 (XXL > 5 ha).")


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Contiguous ha (from the candidate, else the polygon area), Polsby-Popper compactness, XXL fit."""
    ids = site_index(sites)
    geoms = sites.geometry.values
    area = shapely.area(geoms)
    perimeter = shapely.length(geoms)
    contiguous = (
        pd.to_numeric(sites["contiguous_ha"], errors="coerce").to_numpy(dtype=float)
        if "contiguous_ha" in sites.columns
        else np.full(len(sites), np.nan)
    )
    contiguous = np.where(np.isnan(contiguous), area / 10_000.0, contiguous)
    values = pd.DataFrame(
        {
            f"{NAME}_contiguous_ha": contiguous,
            f"{NAME}_compactness": np.divide(
                4 * np.pi * area, perimeter**2, out=np.zeros(len(sites)), where=perimeter > 0
            ),
            f"{NAME}_xxl_fits": contiguous >= params.xxl_min_ha,
        },
        index=ids,
    )
    return CriterionResult(values=values, primary=f"{NAME}_contiguous_ha")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="ha",
    layers=(),
    description="Largest contiguous developable area (ha), with Polsby-Popper compactness (0–1) and "
    "whether an XXL plot fits (001 Bijlage 3: XXL ≥ 5 ha).",
    Params=Params,
    compute=compute,
)
