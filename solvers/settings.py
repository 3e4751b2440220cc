"""Settings of the allocation model (scenario section ``allocation:``).

Every default that is not a source figure is labelled an assumption in its description.
Objective terms are in "suitability hectares": one hectare placed on a site of suitability 1.0
is worth 1.0, so penalties and costs below are in the same unit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AllocationSettings(BaseModel):
    """How the demand allocation is solved and which policy rules apply."""

    model_config = ConfigDict(extra="forbid")

    solver: Literal["cbc", "highs"] = Field(
        "highs",
        description=(
            "MIP solver: CBC (via PuLP) or HiGHS (via highspy). Assumption: HiGHS. The last LPs, which "
            "pick the hectares among equal optima of the chosen plots, are solved by HiGHS either way."
        ),
    )
    time_limit_s: float = Field(120.0, gt=0, description="Time limit per solver call in seconds (assumption).")
    rel_gap: float = Field(
        0.001, ge=0, lt=1, description="Relative MIP gap at which the solver stops (assumption: 0.1 %)."
    )
    suitability_gap: float | None = Field(
        None,
        ge=0,
        description=(
            "Relative gap on the suitability term (Σ suit·x) at which the suitability phase may stop, "
            "besides rel_gap on the objective; None = rel_gap (assumption). The shortfall penalty "
            "inflates the objective, so rel_gap alone can hide a larger loss of suitability; a larger "
            "value (0.01) lets very large models stop at the rounded LP relaxation. Either way the "
            "result reports the gap reached on both."
        ),
    )
    threads: int | None = Field(None, ge=1, description="Solver threads; None = solver default (assumption).")
    xxl_min_ha: float = Field(
        5.0, gt=0, description="Minimum size of one XXL plot in hectares (001, Bijlage 3: XXL > 5 ha)."
    )
    xxl_max_plot_ha: float | None = Field(
        None,
        gt=0,
        description=(
            "Largest size of one XXL plot; None = a plot may fill the site's contiguous area "
            "(assumption). Only changes the reported plot count and how many plots are needed."
        ),
    )
    min_development_ha: float = Field(
        2.0,
        ge=0,
        description="Minimum hectares placed on an expansion site once it is opened (assumption).",
    )
    max_new_sites: int | None = Field(
        None, ge=0, description="Maximum number of expansion sites opened; None = no limit (assumption)."
    )
    fixed_cost_per_site: float = Field(
        0.0,
        ge=0,
        description="Objective cost of opening one expansion site, in suitability-hectares (assumption).",
    )
    ladder: Literal["strict", "weighted", "off"] = Field(
        "strict",
        description=(
            "Ladder voor duurzame verstedelijking (003, ordeningsprincipe 1): 'strict' first "
            "places as much as possible on available plots and intensification, then optimises "
            "suitability; 'weighted' charges expansion_penalty per expansion hectare; 'off' ignores it."
        ),
    )
    expansion_penalty: float = Field(
        0.25,
        ge=0,
        description="Objective cost per hectare on an expansion site when ladder='weighted' (assumption).",
    )
    shortfall_penalty: float = Field(
        100.0,
        gt=1,
        description=(
            "Objective cost per hectare of demand left unplaced (assumption); must exceed any "
            "suitability so that placing always beats a shortfall."
        ),
    )
    xxl_rounding: bool = Field(
        True,
        description=(
            "Let a whole XXL plot meet an XXL demand that is not a whole number of plots: per "
            "segment and period up to one minimum plot (xxl_min_ha) may be placed above the "
            "demand, reported as rounding. Without it, an XXL demand below one plot can never be "
            "placed (assumption: plots are indivisible, demand figures are not)."
        ),
    )
    rounding_penalty: float = Field(
        2.0,
        gt=1,
        description=(
            "Objective cost per hectare placed above an XXL demand (assumption); above any "
            "suitability, so rounding is only used to avoid a shortfall, and far below the "
            "shortfall penalty."
        ),
    )
    tie_break: float = Field(
        1e-4,
        ge=0,
        lt=0.01,
        description=(
            "Small objective weight that prefers earlier site ids and fewer XXL plots among "
            "otherwise equal allocations, so results are deterministic (assumption)."
        ),
    )
    regret: bool = Field(
        False,
        description=(
            "After solving, forbid each allocated site in turn and re-solve warm: its regret (the "
            "objective lost) shows near-equal alternatives. Off by default: one re-solve per "
            "allocated site, about ten times the solve time on Heerlen with HiGHS (assumption)."
        ),
    )
    rule_no_new_logistics: bool = Field(
        True,
        description=(
            "No logistics sector on parks flagged no_new_logistics (001, Tabel 1: "
            "'voorkomen logistieke herontwikkeling')."
        ),
    )
    rule_reserve_env_space: bool = Field(
        True,
        description=(
            "On parks flagged reserve_env_space only high-nuisance sectors (001, §3.3: keep "
            "milieuruimte on De Beitel/Baaks-Soureth, De Koumen, Wijngaardsweg)."
        ),
    )
    rule_env_category: bool = Field(
        True,
        description="A site's max_env_category must reach the sector's min_env_category (VNG distances).",
    )
    peak_hour_factor: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Share of a day's truck trips in the peak hour (assumption: 10 %).",
    )
    truck_pce: float = Field(
        2.0,
        gt=0,
        description="Passenger-car equivalents per truck (assumption: 2.0).",
    )

    @model_validator(mode="after")
    def _plot_sizes_consistent(self) -> AllocationSettings:
        if self.xxl_max_plot_ha is not None and self.xxl_max_plot_ha < self.xxl_min_ha:
            raise ValueError("xxl_max_plot_ha must be at least xxl_min_ha")
        return self

    def vehicles_per_ha(self, truck_trips_per_ha_day: float) -> float:
        """Peak-hour passenger-car equivalents per hectare of a sector."""
        return truck_trips_per_ha_day * self.peak_hour_factor * self.truck_pce
