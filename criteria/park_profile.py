"""Park profile: the profile of the park a site belongs to (categorical, ranking).

001 §3.3 gives every Heerlen park one of four profiles (industrieel, (medisch) logistiek, regulier,
gemengd; `mca.core.vocabulary.PROFILES`) and asks to steer firms to the park whose profile fits them.
The candidates carry their park's profile (`candidates`: the nearest park's for an expansion zone); a
site in no park has the category ``none``. The category is the raw value; its value score comes from
the declared table ``scoring.value_tables.park_profile`` (`mca.scoring.valuetables`), with values per
sector for the sectors' suitability, never from min-max over codes. Opt-in: it runs only when a
scenario enables it (docs/scenarios.md).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from criteria.base import Context, Criterion, CriterionResult, site_index
from mca.core.errors import DataError
from mca.core.vocabulary import PROFILES

NAME = "park_profile"
NO_PROFILE = "none"
"""Category of a site in no park (or in a park without a profile)."""


class Params(BaseModel):
    """Parameters of the park-profile criterion."""

    model_config = ConfigDict(extra="forbid")

    profiles: tuple[str, ...] = Field(
        PROFILES,
        min_length=1,
        description="The profiles a park may have (001, §3.3 profile table).",
    )


def profile_category(profiles: pd.Series) -> np.ndarray:
    """The profile of each site as a category word, ``none`` where it has none."""
    text = profiles.astype(object).where(profiles.notna(), "").astype(str).str.strip().str.lower()
    return np.where(text == "", NO_PROFILE, text).astype(object)


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """The profile category of each site's park."""
    ids = site_index(sites)
    profiles = sites["profile"] if "profile" in sites.columns else pd.Series(None, index=sites.index, dtype=object)
    category = profile_category(profiles.reset_index(drop=True))
    unknown = sorted(set(category) - {*params.profiles, NO_PROFILE})
    if unknown:
        raise DataError(
            f"park profiles {unknown} are not among {list(params.profiles)}; add them to park_profile.params.profiles "
            "and to scoring.value_tables.park_profile",
            source="candidates",
            field="profile",
        )
    return CriterionResult(values=pd.DataFrame({f"{NAME}_category": category}, index=ids), primary=f"{NAME}_category")


CRITERION = Criterion(
    name=NAME,
    kind="ranking",
    direction="max",
    unit="category (industrieel / logistiek / regulier / gemengd / none), valued by scoring.value_tables.park_profile",
    layers=(),
    description="Profile of the site's park (001 §3.3: industrieel, (medisch) logistiek, regulier, gemengd; none "
    "outside parks), ranked by the value of that profile in the declared table scoring.value_tables.park_profile, "
    "per sector for the suitability (assumptions argued from 001 §3.3 and Tabel 1).",
    Params=Params,
    compute=compute,
    enabled_by_default=False,
)
"""The criterion, off by default: see docs/scenarios.md ("Categorical criteria")."""
