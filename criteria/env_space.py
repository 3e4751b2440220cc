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
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

VNG_CATEGORY_VALUE: dict[str, float] = {
    "1": 0.1,
    "2": 0.2,
    "3.1": 0.3,
    "3.2": 0.4,
    "4.1": 0.5,
    "4.2": 0.6,
    "5.1": 0.7,
    "5.2": 0.8,
    "5.3": 0.9,
    "6": 1.0,
}
"""Value of each VNG category on the ranking (no category fits: 0). Assumption: the categories are
an ordinal scale and every step up one category is worth the same (0.1), so 3.2 → 4.1 counts as
much as 4.1 → 4.2; their codes are labels, not numbers (issue 10)."""


class Params(BaseModel):
    """Parameters of the environmental-space criterion."""

    model_config = ConfigDict(extra="forbid")

    distance_m: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_DISTANCE_M),
        description="Indicative distance (m) to dwellings per environmental category "
        "(VNG Bedrijven en milieuzonering 2009, richtafstanden for a quiet residential area).",
    )
    category_values: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_CATEGORY_VALUE),
        description="Value (0..1) of each environmental category on the ranking; the criterion ranks on "
        "it, not on the category code. Assumption: equal steps of 0.1 per category (ordinal scale).",
    )
    exclude_unfit_sectors: bool = Field(
        True,
        description="Exclude a site for a sector whose min_env_category (mca.core.sectors) exceeds the site's "
        "category. Assumption: on, sectors need their minimum category.",
    )

    @model_validator(mode="after")
    def _every_category_valued(self) -> Params:
        missing = sorted(set(self.distance_m) - set(self.category_values), key=float)
        if missing:
            raise ValueError(f"category_values lacks categories {missing}")
        return self

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


def category_value(category: np.ndarray, values: dict[str, float]) -> np.ndarray:
    """The value of each category from the table ``values`` (0 where no category fits)."""
    by_number = {float(label): value for label, value in values.items()}
    return np.array([by_number.get(float(c), 0.0) if c > 0 else 0.0 for c in np.atleast_1d(category)])


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
            f"{NAME}_value": category_value(category, params.category_values),
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
        primary=f"{NAME}_value",
        exclusions=pd.concat(exclusions, ignore_index=True) if exclusions else empty_exclusions(),
        outputs={MAX_ENV_CATEGORY: values[f"{NAME}_category"]},
    )


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="value of the VNG category (table category_values)",
    layers=("residential",),
    description="Highest VNG environmental category (1 … 6) the distance to the nearest dwellings allows "
    "(VNG Bedrijven en milieuzonering 2009, richtafstanden), capped by the zoning category where known, "
    "ranked by the value of that category (table category_values, equal steps: assumption); "
    "excludes sectors whose minimum category does not fit.",
    Params=Params,
    compute=compute,
    provides=(MAX_ENV_CATEGORY,),
)
