"""Sectors, plot-size classes and planning periods shared by demand, criteria and allocation.

The sector split itself comes from 001 (Bijlage 3, conclusion of the demand forecast). The
per-sector attributes below (emission class, truck trips, minimum environmental category)
are **assumptions** of this project, not figures from the sources; they are labelled so in
every report and can be overridden in a scenario file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SizeClass = Literal["MKB", "XXL"]
SIZE_CLASSES: tuple[str, ...] = ("MKB", "XXL")
"""001 Bijlage 3: MKB = plots below 5 ha, XXL = plots of 5 ha or more."""

PERIODS: tuple[str, ...] = ("2030", "2040")
"""Planning periods by horizon year: '2030' = up to and including 2030, '2040' = 2031-2040."""


class Sector(BaseModel):
    """A demand sector and the attributes that siting and allocation need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    is_logistics: bool = False
    emission_class: Literal["low", "medium", "high"] = "medium"
    truck_trips_per_ha_day: float = Field(ge=0)
    min_env_category: float = Field(ge=1, le=6)
    high_nuisance: bool = False
    assumption: str = "attributes are project assumptions, not source figures"


DEFAULT_SECTORS: tuple[Sector, ...] = (
    Sector(
        id="wholesale_logistics",
        label="Groothandel & logistiek",
        is_logistics=True,
        emission_class="high",
        truck_trips_per_ha_day=40.0,
        min_env_category=3.2,
    ),
    Sector(
        id="production",
        label="Productie / industrie",
        emission_class="medium",
        truck_trips_per_ha_day=15.0,
        min_env_category=4.1,
        high_nuisance=True,
    ),
    Sector(
        id="construction_installation",
        label="Bouw & installatie",
        emission_class="medium",
        truck_trips_per_ha_day=12.0,
        min_env_category=3.1,
    ),
    Sector(
        id="consumer",
        label="Consumentgericht (diensten, perifere detailhandel, sport/recreatie)",
        emission_class="low",
        truck_trips_per_ha_day=6.0,
        min_env_category=2.0,
    ),
)


def segment_id(sector: str, size_class: str) -> str:
    """The identifier of a demand segment, e.g. ``production/XXL``."""
    return f"{sector}/{size_class}"
