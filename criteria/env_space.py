"""Environmental space: the highest VNG environmental category the distance to dwellings allows.

The VNG guide *Bedrijven en milieuzonering* (2009, richtafstandenlijst, "rustige woonwijk")
gives an indicative distance from an activity to a quiet residential area per environmental
category (the table `VNG_DISTANCE_M`, as transcribed in docs of this project: domain.md). The
distance from the site to the nearest dwellings thus caps the category it can host. Where the
candidate has a zoning cap (``max_env_category``), the lower of the two is the category.
Sectors whose minimum category (mca.core.sectors) does not fit are excluded for that sector.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from criteria.base import (
    Context,
    Criterion,
    CriterionResult,
    empty_exclusions,
    exclusion_frame,
    fmt_m,
    nearest_distance,
    site_index,
)
from mca.core.vocabulary import MAX_ENV_CATEGORY

NAME = "env_space"

VNG_DISTANCE_M: dict[str, float] = {
    "1": 10.0,
    "2": 30.0,
    "3.1": 50.0,
    "3.2": 100.0,
    "4.1": 200.0,
    "4.2": 300.0,
    "5.1": 500.0,
    "5.2": 700.0,
    "5.3": 1000.0,
    "6": 1500.0,
}
"""VNG Bedrijven en milieuzonering (2009), richtafstanden to a quiet residential area by category."""


class Params(BaseModel):
    """Parameters of the environmental-space criterion."""

    model_config = ConfigDict(extra="forbid")

    distance_m: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_DISTANCE_M),
        description="Indicative distance (m) to dwellings per environmental category "
        "(VNG Bedrijven en milieuzonering 2009, richtafstanden for a quiet residential area).",
    )
    exclude_unfit_sectors: bool = Field(
        True,
        description="Exclude a site for a sector whose min_env_category (mca.core.sectors) exceeds the site's "
        "category. Assumption: on, sectors need their minimum category.",
    )

    @field_validator("distance_m")
    @classmethod
    def _numeric_categories(cls, table: dict[str, float]) -> dict[str, float]:
        for label in table:
            try:
                float(label)
            except ValueError:
                raise ValueError(f"category '{label}' is not a number such as 3.1") from None
        return table


def category_for_distance(distance_m: np.ndarray, table: dict[str, float]) -> np.ndarray:
    """The highest category whose indicative distance is at most ``distance_m`` (0 when none fits)."""
    categories = sorted(table, key=float)
    numbers = np.array([float(c) for c in categories])
    required = np.array([table[c] for c in categories])
    best = np.zeros(len(np.atleast_1d(distance_m)))
    for number, need in zip(numbers, required, strict=True):
        best = np.where(np.asarray(distance_m) >= need, np.maximum(best, number), best)
    return best


def category_label(category: float) -> str:
    """'3.1' for 3.1, '2' for 2.0, 'none' for 0."""
    if not category > 0:
        return "none"
    return f"{category:g}"


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Distance to the nearest dwellings and the highest environmental category that fits."""
    ids = site_index(sites)
    distance, _ = nearest_distance(sites, ctx.layer("residential", needed_by=NAME))
    distance = np.where(np.isnan(distance), np.inf, distance)  # no dwellings in the layer: nothing caps
    by_distance = category_for_distance(distance, params.distance_m)
    zoning = (
        pd.to_numeric(sites["max_env_category"], errors="coerce").to_numpy(dtype=float)
        if "max_env_category" in sites.columns
        else np.full(len(sites), np.nan)
    )
    category = np.where(np.isnan(zoning), by_distance, np.minimum(by_distance, zoning))
    values = pd.DataFrame(
        {
            f"{NAME}_category": category,
            f"{NAME}_category_label": [category_label(c) for c in category],
            f"{NAME}_category_by_distance": by_distance,
            f"{NAME}_dwellings_m": np.where(np.isfinite(distance), distance, np.nan),
        },
        index=ids,
    )
    exclusions = []
    if params.exclude_unfit_sectors:
        for sector in ctx.sectors:
            unfit = np.flatnonzero(category < sector.min_env_category)
            reasons = [
                f"fits environmental category {category_label(category[p])} (dwellings at "
                f"{fmt_m(distance[p]) if np.isfinite(distance[p]) else 'none'}"
                f"{', zoning cap ' + category_label(zoning[p]) if not np.isnan(zoning[p]) else ''}); "
                f"{sector.id} needs {category_label(sector.min_env_category)}"
                for p in unfit
            ]
            exclusions.append(exclusion_frame(ids[unfit], NAME, sector.id, reasons))
    return CriterionResult(
        values=values,
        primary=f"{NAME}_category",
        exclusions=pd.concat(exclusions, ignore_index=True) if exclusions else empty_exclusions(),
        outputs={MAX_ENV_CATEGORY: values[f"{NAME}_category"]},
    )


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="VNG category",
    layers=("residential",),
    description="Highest VNG environmental category (1 … 6) the distance to the nearest dwellings allows "
    "(VNG Bedrijven en milieuzonering 2009, richtafstanden), capped by the zoning category where known; "
    "excludes sectors whose minimum category does not fit.",
    Params=Params,
    compute=compute,
    provides=(MAX_ENV_CATEGORY,),
)
