"""Heerlen's share of the Parkstad demand by basis, and the demand met before the measured supply.

The forecast counts demand from 2022 (001, Bijlage 3) while the allocation uses the supply of
31-12-2023 (001, Tabel 6). Take-up in between already met part of the demand, and land under
option is taken out of the supply for the firms holding the options: both are netted out of the
first period's demand (settings ``net_take_up`` and ``net_optioned``) so nothing is counted twice.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict


class SourcedFigure(BaseModel):
    """A number with its unit and citation."""

    model_config = ConfigDict(extra="ignore")

    value: float
    unit: str = ""
    source: str


class ShareBasis(BaseModel):
    """Heerlen's and Parkstad's hectares on one basis (stock, available land)."""

    model_config = ConfigDict(extra="ignore")

    heerlen_ha: SourcedFigure
    parkstad_ha: SourcedFigure
    note: str = ""

    @property
    def share(self) -> float:
        """Heerlen's share on this basis."""
        return self.heerlen_ha.value / self.parkstad_ha.value


class ShareBases(BaseModel):
    """The bases other than past issuance (which comes from Tabel 7)."""

    model_config = ConfigDict(extra="ignore")

    stock: ShareBasis
    available_land: ShareBasis


class SupplyFigures(BaseModel):
    """Heerlen's supply at the forecast's start and at the measurement, and the part under option."""

    model_config = ConfigDict(extra="ignore")

    available_2021_ha: SourcedFigure
    available_2023_ha: SourcedFigure
    under_option_2023_ha: SourcedFigure
    forecast_start_year: SourcedFigure

    @property
    def take_up_ha(self) -> float:
        """Hectares taken up between the forecast's start and the supply measurement (never negative)."""
        return max(0.0, self.available_2021_ha.value - self.available_2023_ha.value)


def met_before_supply(supply: SupplyFigures | None, *, net_take_up: bool, net_optioned: bool) -> dict[str, float]:
    """Hectares of first-period demand already met: ``take_up`` and ``optioned`` (0 where not netted)."""
    if supply is None:
        return {"take_up": 0.0, "optioned": 0.0}
    return {
        "take_up": supply.take_up_ha if net_take_up else 0.0,
        "optioned": supply.under_option_2023_ha.value if net_optioned else 0.0,
    }


def split_subsegments(segments: pd.DataFrame, subsegments: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Segments with a share of a parent sector's hectares moved to each sub-sector (same size class, period).

    ``subsegments``: parent sector -> {sub-sector: share of the parent's hectares}; the shares of
    one parent sum to at most one. The total is unchanged.
    """
    if not subsegments:
        return segments
    parts = [segments]
    for parent, children in subsegments.items():
        rows = segments["sector"] == parent
        for child, share in children.items():
            parts.append(segments[rows].assign(sector=child, hectares=segments.loc[rows, "hectares"] * share))
        kept = 1.0 - sum(children.values())
        parts[0] = parts[0].assign(hectares=parts[0]["hectares"].where(~rows, parts[0]["hectares"] * kept))
    return pd.concat(parts, ignore_index=True)
