"""Settings of the demand forecast (scenario section ``demand:``).

Defaults are the Heerlen base case. Source figures cite 001 (Bijlage 3); point values chosen
inside a source range, and every other choice that is not printed in a source, carry the word
ASSUMPTION in their description and are repeated in the forecast's ``assumptions`` list.

Sector ids are checked against ``mca.core.sectors.DEFAULT_SECTORS`` unless the caller passes other
ids in the validation context: ``DemandSettings.model_validate(data, context={"sector_ids":
[...]})``.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from mca.core.sectors import DEFAULT_SECTORS, SIZE_CLASSES

SHARE_TOLERANCE = 1e-6
"""Largest allowed deviation of a set of shares from a sum of one."""

Method = Literal["method1", "method2", "conclusion", "explicit"]

SECTOR_SHARE_RANGES: dict[str, tuple[float, float]] = {
    "wholesale_logistics": (0.40, 0.50),
    "production": (0.20, 0.25),
    "construction_installation": (0.15, 0.20),
    "consumer": (0.10, 0.10),
}
"""Sector shares of the Parkstad demand, 001, Bijlage 3 (Conclusie vraagraming)."""

XXL_SHARE_MIN = 0.50
"""001, Bijlage 3 (Conclusie vraagraming): XXL (> 5 ha) is 'meer dan 50 %' of the demand."""


def check_shares(shares: dict[str, float], what: str) -> dict[str, float]:
    """Raise ``ValueError`` unless all shares are finite, non-negative and sum to one."""
    for key, value in shares.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{what} share of {key!r} is {value}; shares must be >= 0")
    total = math.fsum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} shares sum to {total:.6g}; they must sum to 1")
    return shares


def _known_sector_ids(info: ValidationInfo) -> set[str]:
    context = info.context or {}
    ids = context.get("sector_ids")
    return set(ids) if ids is not None else {s.id for s in DEFAULT_SECTORS}


def _check_sector_ids(keys: set[str], info: ValidationInfo) -> None:
    unknown = sorted(keys - _known_sector_ids(info))
    if unknown:
        known = ", ".join(sorted(_known_sector_ids(info)))
        raise ValueError(f"unknown sector(s) {', '.join(unknown)}; known sectors: {known}")


def _check_size_classes(shares: dict[str, float]) -> None:
    unknown = sorted(set(shares) - set(SIZE_CLASSES))
    if unknown:
        raise ValueError(f"unknown size class(es) {', '.join(unknown)}; use {', '.join(SIZE_CLASSES)}")


class Method1Settings(BaseModel):
    """Method 1: past issuance times (1 - intensification), 001 Bijlage 3 (Methode 1)."""

    model_config = ConfigDict(extra="forbid")

    issuance_first_year: int = Field(
        2011, description="First year of past issuance summed from 001, Tabel 7 (2011 t/m 2020)."
    )
    issuance_last_year: int = Field(
        2020,
        description="Last year of past issuance summed from 001, Tabel 7. 001 sums the ten full "
        "years 2011 t/m 2020 (57.17 ha); 2021 covers three quarters only.",
    )
    intensification: dict[str, float] = Field(
        default_factory=lambda: {"intensification_30": 0.30, "intensification_10": 0.10},
        description="Variant name -> intensification of land use, 10-30 % (001, Bijlage 3, Methode 1, "
        "uitgangspunten provincie Limburg).",
    )

    @field_validator("intensification")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one intensification variant")
        for name, fraction in value.items():
            if not 0 <= fraction < 1:
                raise ValueError(f"intensification {name!r} is {fraction}; it must lie in [0, 1)")
        return value

    @model_validator(mode="after")
    def _period(self) -> Method1Settings:
        if self.issuance_first_year > self.issuance_last_year:
            raise ValueError("issuance_first_year must not be after issuance_last_year")
        return self


class Method2Settings(BaseModel):
    """Method 2: jobs x location-type preference x terreinquotient - issued area (001, Tabel 10)."""

    model_config = ConfigDict(extra="forbid")

    base_jobs: float = Field(105_736, gt=0, description="Total jobs in Parkstad in 2021 (001, Tabel 8).")
    growth_rates: dict[str, float] = Field(
        default_factory=lambda: {"wlo_laag": -0.005, "wlo_hoog": -0.0005},
        description="Variant name -> annual job growth rate: WLO Laag -0.5 %/yr, WLO Hoog -0.05 %/yr "
        "(001, Bijlage 3, Methode 2, Werkgelegenheid).",
    )
    growth_years: int = Field(
        10,
        ge=0,
        description="Years of growth applied to the 2021 jobs. 10 (the 2021 figure to the end of 2030) "
        "reproduces 001, Tabel 10 (100,570 and 105,210 jobs); 9 would give 101,072 and 105,261.",
    )
    location_share: float = Field(
        0.26,
        gt=0,
        le=1,
        description="Share of all jobs located on business parks in 2030, locatietypevoorkeur "
        "(001, Bijlage 3, Methode 2 and Tabel 10).",
    )
    terrain_quotient_m2: float | None = Field(
        None,
        gt=0,
        description="m2 of business-park land per job in 2030 (terreinquotient). None = the 2015 "
        "quotient of 001, Tabel 9, computed as 949 ha / 24,071 jobs = 394.25 m2, which 001 adopts "
        "for 2030 and prints as 394 (001, Tabel 10); only the unrounded value reproduces both 37 "
        "and 84 ha of Tabel 10 with ordinary rounding. A flat 394 gives 36.2 and 83.8 ha.",
    )
    issued_ha: float = Field(
        994, ge=0, description="Net issued business-park area in Parkstad in 2021, up to Q3 (001, Tabel 9)."
    )

    @field_validator("growth_rates")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one growth-rate variant")
        for name, rate in value.items():
            if not -1 < rate < 1:
                raise ValueError(f"growth rate {name!r} is {rate}; give a fraction per year, e.g. -0.005")
        return value


class DemandSettings(BaseModel):
    """Parameters of the Parkstad demand forecast and its translation to Heerlen segments."""

    model_config = ConfigDict(extra="forbid")

    method: Method = Field(
        "conclusion",
        description="Estimate that the allocation places: method1, method2, conclusion (001's "
        "concluding range 50-70 ha) or explicit. ASSUMPTION: the base case uses 001's conclusion.",
    )
    variant: str = Field(
        "high",
        description="Variant of `method` used for the allocation (e.g. intensification_30, wlo_hoog, "
        "low, high). ASSUMPTION: 'high' (70 ha Parkstad to 2030); 001 expects past issuance to "
        "underestimate demand, and it matches 002's ~70 ha for Heerlen to 2040.",
    )
    explicit_parkstad_2030_ha: float | None = Field(
        None, ge=0, description="Parkstad demand to 2030 in ha when method = explicit (user input)."
    )
    method1: Method1Settings = Field(default_factory=Method1Settings)
    method2: Method2Settings = Field(default_factory=Method2Settings)
    conclusion_parkstad_2030_ha: dict[str, float] = Field(
        default_factory=lambda: {"low": 50.0, "high": 70.0},
        description="Variant -> Parkstad demand to 2030 in ha (001, Bijlage 3, Conclusie vraagraming).",
    )
    addition_2031_2040_ha: float = Field(
        40.0, ge=0, description="Additional Parkstad demand 2031-2040 in ha (001, Bijlage 3, Doorkijk naar 2040)."
    )
    municipal_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Share of the Parkstad demand that falls to Heerlen. None = Heerlen's share of past "
        "issuance over the Method 1 period, computed from 001, Tabel 7 (36.18 / 57.17 = 0.633). "
        "ASSUMPTION: demand follows past issuance (001: the regional demand is 'grotendeels' also "
        "Heerlen's).",
    )
    municipal_share_basis: Literal["issuance", "stock", "available_land"] = Field(
        "issuance",
        description="Basis of Heerlen's share when municipal_share is None: 'issuance' (001, Tabel 7: "
        "63.3 %, the upper end), 'stock' (issued area, 001 Tabel 4 / Tabel 9: 34.5 %) or 'available_land' "
        "(land available on 31-12-2021, 001 Bijlage 3: 44 of 55.9 ha = 78.7 %). ASSUMPTION: issuance.",
    )
    net_take_up: bool = Field(
        True,
        description="Subtract from the first period the take-up between the forecast's start (2022) and "
        "the supply measurement (31-12-2023): 44 - 22.7 = 21.3 ha (001, Bijlage 3 and Tabel 6), so "
        "2022-2023 demand is not counted twice. Default True: the supply is that of 2023 (choice).",
    )
    net_optioned: bool = Field(
        True,
        description="Subtract the 8.0 ha under option (001, Tabel 6) from the first period: the land is "
        "taken out of the supply (candidates.include_under_option = false) because firms hold it, so their "
        "demand is met. Set False together with candidates.include_under_option = true (choice).",
    )
    transformed_ha: float = Field(
        0.0,
        ge=0,
        description="Business land a scenario transforms to other uses; added to the first period's demand "
        "(policy rule COMP-transform, 001 §3.2: transformation only 'tenzij de ruimte elders gecompenseerd "
        "kan worden'). Default 0: no transformation.",
    )
    subsegments: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Parent sector -> {sub-sector: share of its hectares}, e.g. medtech/value-added logistics "
        "within wholesale & logistics (001 §3.2: 'medtech logistiek in plaats van alle logistiek'); the share "
        "is an ASSUMPTION of the scenario. Sub-sectors must be scenario sectors.",
    )
    sector_shares: dict[str, float] = Field(
        default_factory=lambda: {
            "wholesale_logistics": 0.475,
            "production": 0.24,
            "construction_installation": 0.185,
            "consumer": 0.10,
        },
        description="Sector id -> share of demand. 001, Bijlage 3 gives ranges 40-50 / 20-25 / 15-20 / "
        "10 %, whose midpoints sum to 95 %. ASSUMPTION: consumer fixed at 10 %, the other 90 % spread "
        "in proportion to the range midpoints, rounded to half a point: 47.5 / 24 / 18.5 / 10 %.",
    )
    size_shares: dict[str, float] = Field(
        default_factory=lambda: {"MKB": 0.45, "XXL": 0.55},
        description="Size class -> share of demand, all sectors. 001, Bijlage 3: XXL (> 5 ha) 'meer dan "
        "50 %', the rest MKB. ASSUMPTION: XXL 55 %, MKB 45 %.",
    )
    size_shares_by_sector: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Optional per-sector size-class shares overriding size_shares (user input; 001 gives "
        "no per-sector split).",
    )

    @field_validator("sector_shares")
    @classmethod
    def _sector_shares(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        _check_sector_ids(set(value), info)
        return check_shares(value, "sector")

    @field_validator("subsegments")
    @classmethod
    def _subsegments(cls, value: dict[str, dict[str, float]], info: ValidationInfo) -> dict[str, dict[str, float]]:
        for parent, children in value.items():
            _check_sector_ids({parent, *children}, info)
            shares = list(children.values())
            if any(not 0 <= share <= 1 for share in shares) or math.fsum(shares) > 1 + SHARE_TOLERANCE:
                raise ValueError(f"sub-segment shares of {parent!r} must lie in [0, 1] and sum to at most 1")
        return value

    @field_validator("size_shares")
    @classmethod
    def _size_shares(cls, value: dict[str, float]) -> dict[str, float]:
        _check_size_classes(value)
        return check_shares(value, "size class")

    @field_validator("size_shares_by_sector")
    @classmethod
    def _size_shares_by_sector(
        cls, value: dict[str, dict[str, float]], info: ValidationInfo
    ) -> dict[str, dict[str, float]]:
        _check_sector_ids(set(value), info)
        for sector, shares in value.items():
            _check_size_classes(shares)
            check_shares(shares, f"size class ({sector})")
        return value

    @field_validator("conclusion_parkstad_2030_ha")
    @classmethod
    def _conclusion(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one conclusion variant")
        for name, hectares in value.items():
            if not math.isfinite(hectares) or hectares < 0:
                raise ValueError(f"conclusion variant {name!r} is {hectares} ha; it must be >= 0")
        return value

    @model_validator(mode="after")
    def _variant_exists(self) -> DemandSettings:
        if self.method == "explicit":
            if self.explicit_parkstad_2030_ha is None:
                raise ValueError("method 'explicit' needs explicit_parkstad_2030_ha")
            return self
        variants = self.variants(self.method)
        if self.variant not in variants:
            raise ValueError(
                f"variant {self.variant!r} is not a variant of {self.method}; choose one of {', '.join(variants)}"
            )
        return self

    def variants(self, method: Method) -> list[str]:
        """The variant names of one method."""
        if method == "method1":
            return list(self.method1.intensification)
        if method == "method2":
            return list(self.method2.growth_rates)
        if method == "conclusion":
            return list(self.conclusion_parkstad_2030_ha)
        return ["explicit"]

    def size_shares_for(self, sector: str) -> dict[str, float]:
        """The size-class shares that apply to one sector."""
        return self.size_shares_by_sector.get(sector, self.size_shares)
