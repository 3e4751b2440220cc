"""Nitrogen (stikstof): a SCREENING indicator of deposition on Natura 2000, per sector (exclusion).

001 §3.2 makes emissions (nitrogen) an excluding indicator. A permit decision needs an AERIUS
calculation; this criterion only screens. Its model is an assumption of this project:

    indicator [mol N/ha/yr] = emission_factor[sector emission class] × developed ha × K(d),
    K(d) = 1 / (1 + (d / d0)²),

with d the distance from the site to the nearest Natura 2000 area. The maximum over all areas
is taken (the deposition on the most affected habitat), and K falls with distance, so the
nearest area decides. A site is excluded for a sector when its indicator exceeds
``threshold_mol_ha_yr``. An ``aerius_csv`` (columns ``site_id, deposition_mol_ha_yr`` and
optionally ``sector``; no or empty sector = all sectors) replaces the screening value for the
sites it lists; the ``nitrogen_source`` column says which one was used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from criteria.base import (
    Context,
    Criterion,
    CriterionResult,
    development_ha,
    exclusion_frame,
    fmt_m,
    site_index,
)
from mca.core.errors import DataError
from mca.core.vocabulary import ALL_SECTORS

NAME = "nitrogen"
EmissionClass = Literal["low", "medium", "high"]


_DEFAULT_EMISSION_FACTORS: dict[EmissionClass, float] = {"high": 0.2, "medium": 0.05, "low": 0.01}


class Params(BaseModel):
    """Parameters of the nitrogen screening model."""

    model_config = ConfigDict(extra="forbid")

    emission_factor: dict[EmissionClass, float] = Field(
        default_factory=lambda: _DEFAULT_EMISSION_FACTORS.copy(),
        description="Screening deposition (mol N/ha/yr) on the edge of a Natura 2000 area per hectare "
        "developed, by sector emission class (mca.core.sectors). Assumption, not an AERIUS figure.",
    )
    decay_distance_m: float = Field(
        1000.0, gt=0, description="d0 of the kernel 1/(1+(d/d0)²): distance at which the indicator halves. Assumption."
    )
    threshold_mol_ha_yr: float = Field(
        0.1,
        ge=0,
        description="Indicator above which a site is excluded for the sector. Assumption: with the default "
        "factors a 10 ha logistics site is excluded within about 4.4 km of Natura 2000, consumer uses never.",
    )
    aerius_csv: Path | None = Field(
        None,
        description="AERIUS results (site_id, deposition_mol_ha_yr[, sector]) replacing the screening values; "
        "a relative path resolves against the scenario's folder.",
    )

    @field_validator("emission_factor")
    @classmethod
    def _every_class_non_negative(cls, factors: dict[str, float]) -> dict[str, float]:
        missing = [c for c in ("low", "medium", "high") if c not in factors]
        if missing:
            raise ValueError(f"give a factor for every emission class; missing: {', '.join(missing)}")
        if any(value < 0 for value in factors.values()):
            raise ValueError("emission factors cannot be negative")
        return factors


def kernel(distance_m: np.ndarray, decay_distance_m: float) -> np.ndarray:
    """Distance decay 1 / (1 + (d/d0)²): 1 at the area edge, 0.5 at d0."""
    return 1.0 / (1.0 + (np.asarray(distance_m, dtype=float) / decay_distance_m) ** 2)


def aerius_rows(table: pd.DataFrame, site_ids: pd.Index, sector_ids: list[str]) -> pd.DataFrame:
    """The AERIUS table checked, as rows ``site_id, sector, deposition_mol_ha_yr``.

    ``table`` has text columns and its file in ``attrs["source"]``; sector None = all sectors.
    """
    path = table.attrs.get("source", "aerius_csv")
    table = table.copy()
    for column in ("site_id", "deposition_mol_ha_yr"):
        if column not in table.columns:
            raise DataError(f"column '{column}' is missing", source=path, field=column)
    if "sector" not in table.columns:
        table["sector"] = None
    table["sector"] = table["sector"].where(table["sector"].notna() & (table["sector"].str.strip() != ""), None)
    deposition = pd.to_numeric(table["deposition_mol_ha_yr"], errors="coerce")
    if deposition.isna().any() or (deposition < 0).any():
        row = int(np.flatnonzero(deposition.isna() | (deposition < 0))[0]) + 2
        raise DataError(f"line {row}: deposition must be a number ≥ 0", source=path, field="deposition_mol_ha_yr")
    table["deposition_mol_ha_yr"] = deposition
    known = set(map(str, site_ids))
    unknown = sorted(set(table["site_id"]) - known)
    if unknown:
        raise DataError(f"unknown site_id(s): {', '.join(unknown[:5])}", source=path, field="site_id")
    bad_sectors = sorted(set(table["sector"].dropna()) - set(sector_ids))
    if bad_sectors:
        raise DataError(
            f"unknown sector(s) {', '.join(bad_sectors)}; known: {', '.join(sector_ids)}", source=path, field="sector"
        )
    return table[["site_id", "sector", "deposition_mol_ha_yr"]]


def _exclusion_rows(
    indicator: pd.DataFrame, aerius: pd.DataFrame, nearest_name: np.ndarray, distance: np.ndarray, threshold: float
) -> list[tuple[object, str, str]]:
    """(site_id, sector, reason) per site and sector whose indicator exceeds ``threshold``, sector by sector."""
    values, from_aerius, ids = indicator.to_numpy(), aerius.to_numpy(), indicator.index.to_numpy()
    rows = []
    for column, sector in enumerate(indicator.columns):
        for pos in np.flatnonzero(values[:, column] > threshold):
            if from_aerius[pos, column]:
                reason = (
                    f"AERIUS deposition {values[pos, column]:.2f} mol N/ha/yr exceeds the threshold {threshold:.2f}"
                )
            else:
                reason = (
                    f"screening nitrogen indicator {values[pos, column]:.2f} mol N/ha/yr "
                    f"on Natura 2000 '{nearest_name[pos]}' at {fmt_m(distance[pos])} exceeds the threshold "
                    f"{threshold:.2f} (screening model, not AERIUS)"
                )
            rows.append((ids[pos], sector, reason))
    return rows


def compute(sites: gpd.GeoDataFrame, ctx: Context, params: Params) -> CriterionResult:
    """Per sector the screening (or AERIUS) deposition indicator and the sector exclusions."""
    ids = site_index(sites)
    areas = ctx.layer("natura2000", needed_by=NAME)
    distance, nearest = ctx.nearest(sites, "natura2000", needed_by=NAME)  # shared with natura2000
    names = areas["name"].astype(str).to_numpy()
    decay = np.nan_to_num(kernel(distance, params.decay_distance_m), nan=0.0)  # no area at all: no deposition
    developed = development_ha(sites)
    sector_ids = [s.id for s in ctx.sectors]
    indicator = pd.DataFrame(
        {s.id: params.emission_factor[s.emission_class] * developed * decay for s in ctx.sectors}, index=ids
    )
    source = pd.DataFrame("screening", index=ids, columns=sector_ids)
    table = ctx.table(NAME, "aerius_csv")
    if table is not None:
        aerius = aerius_rows(table, ids, sector_ids)
        str_ids = pd.Index(ids.astype(str))
        # rows for all sectors first, so that sector-specific rows win
        for rows in (aerius[aerius["sector"].isna()], aerius[aerius["sector"].notna()]):
            for sector, group in rows.groupby(rows["sector"].fillna(ALL_SECTORS), sort=False):
                columns = sector_ids if sector == ALL_SECTORS else [sector]
                positions = str_ids.get_indexer(group["site_id"])
                deposition = group["deposition_mol_ha_yr"].to_numpy()
                for column in columns:
                    indicator.iloc[positions, indicator.columns.get_loc(column)] = deposition
                    source.iloc[positions, source.columns.get_loc(column)] = "aerius"

    values = indicator.add_prefix(f"{NAME}_")
    values[f"{NAME}_max"] = indicator.max(axis=1)
    values[f"{NAME}_distance_m"] = distance
    values[f"{NAME}_source"] = np.where((source == "aerius").any(axis=1), "aerius", "screening")

    nearest_name = np.where(nearest >= 0, names[nearest.clip(0)] if len(names) else "", "")
    over = _exclusion_rows(indicator, source == "aerius", nearest_name, distance, params.threshold_mol_ha_yr)
    exclusions = exclusion_frame([r[0] for r in over], NAME, [r[1] for r in over], [r[2] for r in over])
    return CriterionResult(values=values, primary=f"{NAME}_max", exclusions=exclusions)


CRITERION = Criterion(
    name=NAME,
    kind="exclusion",
    direction="min",
    unit="mol N/ha/yr",
    layers=("natura2000",),
    description="SCREENING indicator of nitrogen deposition on the nearest Natura 2000 area per sector "
    "(emission factor × developed ha × distance decay; assumption, not AERIUS), worst sector as the "
    "value; excludes a site for the sectors above the threshold (001 §3.2: nitrogen is excluding). "
    "AERIUS results replace it where given.",
    Params=Params,
    compute=compute,
    files=("aerius_csv",),
)
