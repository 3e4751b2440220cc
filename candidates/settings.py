"""Settings of candidate-site generation (scenario section ``candidates:``).

Defaults are the Heerlen base case. Figures from a source cite it; every other default is an
assumption of this project and says so in its description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Period = Literal["2030", "2040"]


class CandidateSettings(BaseModel):
    """Which kinds of candidate sites to generate and how."""

    model_config = ConfigDict(extra="forbid")

    include_available_plots: bool = Field(
        default=True, description="Generate sites from the available plots per park (001, Tabel 6)"
    )
    include_intensification: bool = Field(default=True, description="Generate one intensification site per park")
    include_expansion: bool = Field(default=True, description="Generate expansion zones around the existing parks")
    include_user_sites: bool = Field(default=True, description="Read the polygons of user_sites")

    include_under_option: bool = Field(
        default=False,
        description="Count land under option as available (001, Tabel 6 lists 8.0 of 22.7 ha "
        "under option); default False is a choice (assumption): optioned land is taken",
    )
    available_from: Period = Field(
        default="2030", description="Period from which available plots can be issued (assumption)"
    )

    intensification_headroom: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="Extra development potential as a share of net issued land; 001 §3.1 gives "
        "20-30 %, the midpoint 25 % is an assumption",
    )
    intensification_realisation_rate: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the intensification headroom that is realised in practice (assumption)",
    )
    frictional_vacancy: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Healthy frictional vacancy; domain range 4-6 %, the midpoint 5 % is an assumption",
    )
    intensification_share_2030: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the intensification capacity realised by 2030, the rest by 2040 (assumption)",
    )
    intensification_max_contiguous_ha: float = Field(
        default=2.0,
        ge=0,
        description="Largest single plot intensification can free up on an existing park "
        "(assumption: densification yields small plots, no XXL plot)",
    )

    expansion_distance_m: float = Field(
        default=250.0,
        gt=0,
        description="Expansion zones lie within this distance of an existing park (assumption; "
        "001 §3.2: a new park should preferably adjoin an existing one)",
    )
    expansion_within_boundary: bool = Field(
        default=True,
        description="Clip expansion zones to the scenario's 'boundary' layer (the study municipality) "
        "when it has one; default True because the municipality can zone land only on its own "
        "territory (choice); no effect without a boundary layer",
    )
    exclusion_buffer_m: float = Field(
        default=0.0,
        ge=0,
        description="Buffer around Natura 2000 and NNN when they are removed in generation (assumption)",
    )
    residential_buffer_m: float = Field(
        default=0.0,
        ge=0,
        description="Buffer around built-up areas removed from expansion zones (assumption; "
        "environmental distances are handled by the criteria)",
    )
    exclude_nature_in_generation: bool = Field(
        default=False,
        description="Remove Natura 2000 and NNN from the expansion zones already in generation; "
        "default False so that the exclusion criteria flag and explain such sites (choice)",
    )
    min_expansion_ha: float = Field(
        default=3.0,
        ge=0,
        description="Expansion pieces smaller than this (gross ha) are dropped (assumption)",
    )
    max_expansion_cell_ha: float | None = Field(
        default=25.0,
        gt=0,
        description="Larger expansion pieces are cut into grid cells of about this size so that "
        "part of a zone can be opened; None keeps pieces whole (assumption)",
    )
    net_to_gross: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Net plot area per gross hectare of a new site (assumption; 001 "
        "Kerncijfers give 0.59-0.98 for the existing parks)",
    )
    expansion_available_from: Period = Field(
        default="2030",
        description="First period in which expansion zones can be issued; '2040' excludes them "
        "from the 2030 period (assumption)",
    )

    user_sites: list[Path] = Field(
        default_factory=list,
        description="GeoPackage/GeoJSON/Shapefile polygons drawn by the user; relative to the "
        "scenario file. Optional columns: name, park, capacity_ha, contiguous_ha, available_from",
    )
    user_available_from: Period = Field(
        default="2030",
        description="Default first period of user sites without an available_from (assumption)",
    )
    grid: GridSettings | None = Field(
        default=None,
        description="Grid mode: candidates from square cells of a region, aggregated to sites "
        "(candidates/grid.py); None = no grid sites",
    )


class GridSettings(BaseModel):
    """Grid mode (``candidates: grid: {cell_m: 100, within: boundary}``), see `candidates.grid`."""

    model_config = ConfigDict(extra="forbid")

    cell_m: float = Field(
        default=100.0, ge=10, description="Cell side in metres (assumption: 100 m, the Land Use Scanner's grid)"
    )
    within: str = Field(default="boundary", description="Layer whose polygons bound the grid")
    remove_layers: tuple[str, ...] = Field(
        default=("parks", "residential", "natura2000"),
        description="Cells overlapping these layers are not candidates (assumption: existing parks are "
        "covered by the other sources, built-up land and Natura 2000 are not available)",
    )
    remove_nnn_zones: tuple[str, ...] = Field(
        default=("goudgroen",),
        description="Cells overlapping these NNN zones are not candidates (assumption, as the nnn "
        "criterion's default excluded zones)",
    )
    plot_ha: float = Field(
        default=25.0,
        gt=0,
        description="Connected remaining cells are joined into sites of at most about this size "
        "(assumption, as max_expansion_cell_ha)",
    )
    min_site_ha: float = Field(default=1.0, ge=0, description="Sites smaller than this are dropped (assumption)")
