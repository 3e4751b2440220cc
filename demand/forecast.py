"""Demand forecast for business-park land, after 001 Bijlage 3 (Vraagraming, Stec Groep 2022).

Parkstad Limburg's demand to 2030 is estimated by two methods and concluded by 001:

* **Method 1** (historical issuance): issuance 2011-2020 from 001 Tabel 7 (57.17 ha) times
  (1 - intensification), 10-30 % -> 51.5 and 40.0 ha; 001 prints "circa 40 tot 50 hectare".
* **Method 2** (employment, 001 Tabellen 8-10): jobs 2030 = 105,736 x (1 + g)^10, jobs on parks
  = jobs x 26 %, land = jobs on parks x terreinquotient, demand = land - 994 ha issued (2021).
* **Conclusion**: 50-70 ha to 2030, plus about 40 ha for 2031-2040 (001, Conclusie vraagraming).

Reproducing Tabel 10 (37 and 84 ha). Ten years of growth (the 2021 figure to the end of
2030, "aan het eind van 2030") gives 100,567 / 105,208 jobs and 26,147 / 27,354 jobs on parks,
the printed 100,570 / 105,210 and 26,150 / 27,350. With a flat 394 m2/job the extra demand is
36.2 ha (WLO laag) and 83.8 ha (WLO hoog): ordinary rounding gives 36, not the printed 37.
001 sets the 2030 quotient back to the 2015 level of Tabel 9, printed as 394 m2 but computed
as 949 ha / 24,071 jobs = 394.25 m2. With that unrounded value the results are 36.9 and 84.4
ha, i.e. 37 and 84 with ordinary rounding, one rule for both scenarios and the same rounding
as Method 1. That is the default (``Method2Settings.terrain_quotient_m2 = None``). Rounding up
a flat-394 result would also give 37 and 84 but would turn Method 1's 40.0 into 41, so it is
not used. Results are kept unrounded; reports round for display.

Heerlen's part is the Parkstad figure times its share of past issuance (001 Tabel 7:
36.18 / 57.17), computed from the table. The 2031-2040 addition is split the same way. The
demand to place is split into segments (sector x size class x period) by ``demand.split``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from demand.settings import SECTOR_SHARE_RANGES, XXL_SHARE_MIN, DemandSettings
from demand.split import split_segments
from demand.supply import ShareBases, SupplyFigures, met_before_supply, split_subsegments
from mca.core.errors import DataError, UserError

PARKSTAD = "Parkstad Limburg"
HEERLEN = "Heerlen"


class IssuanceTable(BaseModel):
    """001, Tabel 7: net hectares issued per municipality and year."""

    model_config = ConfigDict(extra="ignore")

    source: str
    years: list[int]
    partial_years: dict[int, str] = {}
    printed_total_years: tuple[int, int]
    issuance: dict[str, list[float]]
    printed_row_totals: dict[str, float]
    printed_parkstad_by_year: list[float]
    printed_parkstad_total: float

    @model_validator(mode="after")
    def _shape(self) -> IssuanceTable:
        for municipality, values in self.issuance.items():
            if len(values) != len(self.years):
                raise ValueError(f"{municipality}: {len(values)} values for {len(self.years)} years")
            if any(v < 0 for v in values):
                raise ValueError(f"{municipality}: negative issuance")
        if len(self.printed_parkstad_by_year) != len(self.years):
            raise ValueError("printed_parkstad_by_year must have one value per year")
        return self

    def total(self, municipality: str | None, first_year: int, last_year: int) -> float:
        """Issuance summed over ``first_year..last_year`` for one municipality (None = Parkstad)."""
        missing = [y for y in range(first_year, last_year + 1) if y not in self.years]
        if missing:
            raise UserError(
                f"years {missing[0]}-{missing[-1]} are not in Tabel 7 ({self.years[0]}-{self.years[-1]})",
                field="method1.issuance_first_year/issuance_last_year",
            )
        if municipality is not None and municipality not in self.issuance:
            raise DataError(
                f"no row {municipality!r}; Tabel 7 has {', '.join(self.issuance)}", field="tabel_7.issuance"
            )
        rows = self.issuance.values() if municipality is None else [self.issuance[municipality]]
        index = [self.years.index(y) for y in range(first_year, last_year + 1)]
        return math.fsum(row[i] for row in rows for i in index)


class SourcedValue(BaseModel):
    """A figure with its citation."""

    model_config = ConfigDict(extra="ignore")

    value: float
    source: str


class Tabel9(BaseModel):
    """001, Tabel 9: jobs on business parks and issued area, 2015 and 2021."""

    model_config = ConfigDict(extra="ignore")

    source: str
    jobs_on_parks: dict[int, float]
    issued_ha: dict[int, float]
    terrain_quotient_m2: dict[int, float]

    @field_validator("jobs_on_parks")
    @classmethod
    def _has_2015(cls, value: dict[int, float]) -> dict[int, float]:
        if value.get(2015, 0) <= 0:
            raise ValueError("needs a positive 2015 value")
        return value


class Tabel10(BaseModel):
    """001, Tabel 10: the printed Method 2 figures per WLO scenario."""

    model_config = ConfigDict(extra="ignore")

    source: str
    wlo_laag: dict[str, float]
    wlo_hoog: dict[str, float]


class CrossCheck002(BaseModel):
    """002's figure for Heerlen's business-land need to 2030/2040."""

    model_config = ConfigDict(extra="ignore")

    heerlen_ha_2030_2040: SourcedValue


class DemandSource(BaseModel):
    """The parts of ``data/heerlen/demand_source.yaml`` the forecast computes with."""

    model_config = ConfigDict(extra="ignore")

    tabel_7: IssuanceTable
    tabel_9: Tabel9
    tabel_10: Tabel10
    cross_check_002: CrossCheck002
    share_bases: ShareBases | None = None
    supply: SupplyFigures | None = None


def tabel_7_disagreements(table: IssuanceTable) -> list[str]:
    """Printed totals of Tabel 7 that differ (> 0.005 ha) from the sums of its yearly values."""
    first, last = table.printed_total_years
    found = []
    for municipality, printed in table.printed_row_totals.items():
        summed = table.total(municipality, first, last)
        if abs(summed - printed) > 0.005:
            found.append(f"{municipality}: printed total {printed} ha, yearly values sum to {summed:.2f} ha")
    for year, printed in zip(table.years, table.printed_parkstad_by_year):
        summed = table.total(None, year, year)
        if abs(summed - printed) > 0.005:
            found.append(f"{PARKSTAD} {year}: printed {printed} ha, municipalities sum to {summed:.2f} ha")
    summed = table.total(None, first, last)
    if abs(summed - table.printed_parkstad_total) > 0.005:
        found.append(f"{PARKSTAD}: printed total {table.printed_parkstad_total} ha, sum {summed:.2f} ha")
    return found


def method1(issuance_ha: float, intensification: float) -> float:
    """Method 1: future demand = past issuance x (1 - intensification) (001, Bijlage 3)."""
    return issuance_ha * (1.0 - intensification)


@dataclass(frozen=True)
class Method2Result:
    """Method 2 with its intermediate figures (the rows of 001, Tabel 10)."""

    total_jobs: float
    jobs_on_parks: float
    required_ha: float
    extra_ha: float


def method2(
    base_jobs: float,
    growth_rate: float,
    years: int,
    location_share: float,
    terrain_quotient_m2: float,
    issued_ha: float,
) -> Method2Result:
    """Method 2: jobs x (1+g)^years x location share x m2/job, minus the issued area (001, Tabel 10)."""
    total_jobs = base_jobs * (1.0 + growth_rate) ** years
    jobs_on_parks = total_jobs * location_share
    required_ha = jobs_on_parks * terrain_quotient_m2 / 10_000.0
    return Method2Result(total_jobs, jobs_on_parks, required_ha, required_ha - issued_ha)


def municipal_share(table: IssuanceTable, municipality: str, first_year: int, last_year: int) -> float:
    """The municipality's share of Parkstad's issuance over a period (001, Tabel 7)."""
    parkstad = table.total(None, first_year, last_year)
    if parkstad <= 0:
        raise UserError(f"no issuance in Tabel 7 in {first_year}-{last_year}", field="method1.issuance_first_year")
    return table.total(municipality, first_year, last_year) / parkstad


def terrain_quotient_2015(tabel_9: Tabel9) -> float:
    """m2 per job on business parks in 2015, unrounded: issued area / jobs on parks (001, Tabel 9)."""
    return tabel_9.issued_ha[2015] * 10_000.0 / tabel_9.jobs_on_parks[2015]


@dataclass(frozen=True)
class Estimate:
    """One method and variant: Parkstad and Heerlen hectares per horizon."""

    method: str
    variant: str
    parkstad_2030_ha: float
    parkstad_2031_2040_ha: float
    heerlen_2030_ha: float
    heerlen_2031_2040_ha: float
    details: dict[str, float] = field(default_factory=dict)

    @property
    def parkstad_2040_ha(self) -> float:
        """Parkstad demand to 2040, cumulative."""
        return self.parkstad_2030_ha + self.parkstad_2031_2040_ha

    @property
    def heerlen_2040_ha(self) -> float:
        """Heerlen demand to 2040, cumulative."""
        return self.heerlen_2030_ha + self.heerlen_2031_2040_ha


@dataclass(frozen=True)
class Forecast:
    """Result of :func:`forecast`."""

    settings: DemandSettings
    heerlen_share: float
    estimates: tuple[Estimate, ...]
    allocation: Estimate
    to_place: dict[str, float]
    """Heerlen hectares the allocation places, by period ('2030', '2040' = 2031-2040)."""
    segments: pd.DataFrame
    parameters: dict[str, float]
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    cross_checks: tuple[dict[str, Any], ...]

    @property
    def total_heerlen_ha(self) -> float:
        """Total Heerlen hectares to place (the sum of the segments)."""
        return math.fsum(self.to_place.values())

    def estimate(self, method: str, variant: str) -> Estimate:
        """The estimate of one method and variant."""
        for candidate in self.estimates:
            if (candidate.method, candidate.variant) == (method, variant):
                return candidate
        raise KeyError(f"{method}/{variant}")


def forecast(settings: DemandSettings, source: DemandSource) -> Forecast:
    """Run both methods and the conclusion, and split the chosen estimate into segments.

    ``source`` holds the source figures (read by `mca.inputs.demand_source`).
    """
    first, last = settings.method1.issuance_first_year, settings.method1.issuance_last_year
    issuance_ha = source.tabel_7.total(None, first, last)
    share = settings.municipal_share
    if share is None:
        share = basis_share(settings, source) or municipal_share(source.tabel_7, HEERLEN, first, last)
    quotient = settings.method2.terrain_quotient_m2 or terrain_quotient_2015(source.tabel_9)

    estimates = _estimates(settings, issuance_ha, share, quotient)
    if settings.method == "explicit":
        chosen = _estimate(settings, "explicit", "explicit", settings.explicit_parkstad_2030_ha or 0.0, share, {})
        estimates.append(chosen)
    else:
        chosen = next(e for e in estimates if (e.method, e.variant) == (settings.method, settings.variant))

    met = met_before_supply(source.supply, net_take_up=settings.net_take_up, net_optioned=settings.net_optioned)
    first_period = chosen.heerlen_2030_ha - met["take_up"] - met["optioned"] + settings.transformed_ha
    to_place = {"2030": max(0.0, first_period), "2040": chosen.heerlen_2031_2040_ha}
    segments = split_segments(to_place, settings.sector_shares, settings.size_shares, settings.size_shares_by_sector)
    segments = split_subsegments(segments, settings.subsegments)
    parameters = {
        "parkstad_issuance_ha": issuance_ha,
        "heerlen_issuance_ha": source.tabel_7.total(HEERLEN, first, last),
        "heerlen_share": share,
        "terrain_quotient_m2": quotient,
        "addition_2031_2040_ha": settings.addition_2031_2040_ha,
        "take_up_netted_ha": met["take_up"],
        "optioned_netted_ha": met["optioned"],
        "transformed_ha": settings.transformed_ha,
    }
    return Forecast(
        settings=settings,
        heerlen_share=share,
        estimates=tuple(estimates),
        allocation=chosen,
        to_place=to_place,
        segments=segments,
        parameters=parameters,
        assumptions=tuple(_assumptions(settings, chosen, share, quotient) + supply_notes(settings, met, share)),
        sources=(
            source.tabel_7.source,
            "001, Bijlage 3, Tabel 8",
            source.tabel_9.source,
            source.tabel_10.source,
            "001, Bijlage 3, Conclusie vraagraming (50-70 ha to 2030, 40 ha 2031-2040, sector and size split)",
            source.cross_check_002.heerlen_ha_2030_2040.source,
        ),
        cross_checks=tuple(_cross_checks(source, estimates, chosen)),
    )


def _estimate(
    settings: DemandSettings, method: str, variant: str, parkstad_2030: float, share: float, details: dict[str, float]
) -> Estimate:
    addition = settings.addition_2031_2040_ha
    return Estimate(method, variant, parkstad_2030, addition, share * parkstad_2030, share * addition, details)


def _estimates(settings: DemandSettings, issuance_ha: float, share: float, quotient: float) -> list[Estimate]:
    """Every variant of Method 1, Method 2 and the conclusion."""
    m2 = settings.method2
    estimates = [
        _estimate(
            settings,
            "method1",
            name,
            method1(issuance_ha, fraction),
            share,
            {"issuance_ha": issuance_ha, "intensification": fraction},
        )
        for name, fraction in settings.method1.intensification.items()
    ]
    for name, rate in m2.growth_rates.items():
        result = method2(m2.base_jobs, rate, m2.growth_years, m2.location_share, quotient, m2.issued_ha)
        details = {
            "growth_rate": rate,
            "total_jobs": result.total_jobs,
            "jobs_on_parks": result.jobs_on_parks,
            "required_ha": result.required_ha,
            "issued_ha": m2.issued_ha,
            "terrain_quotient_m2": quotient,
        }
        estimates.append(_estimate(settings, "method2", name, result.extra_ha, share, details))
    estimates += [
        _estimate(settings, "conclusion", name, hectares, share, {})
        for name, hectares in settings.conclusion_parkstad_2030_ha.items()
    ]
    return estimates


def _cross_checks(source: DemandSource, estimates: list[Estimate], chosen: Estimate) -> list[dict[str, Any]]:
    """The chosen Heerlen total against 002, and Method 2 against the printed Tabel 10."""
    reference = source.cross_check_002.heerlen_ha_2030_2040
    checks: list[dict[str, Any]] = [
        {
            "name": "Heerlen demand to 2040 (cumulative) vs 002's Heerlen need to 2030/2040",
            "source": reference.source,
            "reference_ha": reference.value,
            "forecast_ha": chosen.heerlen_2040_ha,
            "difference_ha": chosen.heerlen_2040_ha - reference.value,
        }
    ]
    printed = {"wlo_laag": source.tabel_10.wlo_laag["extra_ha"], "wlo_hoog": source.tabel_10.wlo_hoog["extra_ha"]}
    checks += [
        {
            "name": f"Parkstad method2/{e.variant} to 2030 vs 001, Tabel 10",
            "source": source.tabel_10.source,
            "reference_ha": printed[e.variant],
            "forecast_ha": e.parkstad_2030_ha,
            "difference_ha": e.parkstad_2030_ha - printed[e.variant],
        }
        for e in estimates
        if e.method == "method2" and e.variant in printed
    ]
    return checks


def overall_xxl_share(settings: DemandSettings) -> float:
    """The XXL share of all demand, after per-sector size splits (001 states it for the whole)."""
    return sum(
        share * settings.size_shares_for(sector).get("XXL", 0.0) for sector, share in settings.sector_shares.items()
    )


def _size_note(settings: DemandSettings) -> str:
    """The size-class split in effect, overall and per sector where the scenario sets one."""
    overall = overall_xxl_share(settings)
    if not settings.size_shares_by_sector:
        detail = ", ".join(f"{size} {value:.1%}" for size, value in settings.size_shares.items())
        return f"ASSUMPTION: size classes {detail} for every sector (001: XXL more than 50 %)."
    detail = "; ".join(
        f"{sector} XXL {settings.size_shares_for(sector).get('XXL', 0.0):.0%}" for sector in settings.sector_shares
    )
    return f"ASSUMPTION: size classes per sector ({detail}), XXL {overall:.1%} overall (001: XXL more than 50 %)."


def _assumptions(settings: DemandSettings, chosen: Estimate, share: float, quotient: float) -> list[str]:
    """The assumptions in effect, each stated with its value."""
    m1, m2 = settings.method1, settings.method2
    notes = [
        f"ASSUMPTION: the allocation places {chosen.method}/{chosen.variant} = {chosen.parkstad_2030_ha:.1f} ha "
        f"for Parkstad to 2030 plus {chosen.parkstad_2031_2040_ha:.1f} ha for 2031-2040.",
        (
            f"ASSUMPTION: Heerlen takes {share:.1%} of the Parkstad demand, its share of issuance "
            f"{m1.issuance_first_year}-{m1.issuance_last_year} (001, Tabel 7)."
            if settings.municipal_share is None
            else f"ASSUMPTION: Heerlen takes {share:.1%} of the Parkstad demand (scenario value)."
        ),
        "ASSUMPTION: the 2031-2040 demand has the same sector and size split as to 2030 "
        "(001 gives one split for the regional demand).",
        "ASSUMPTION: sector shares "
        + ", ".join(f"{sector} {value:.1%}" for sector, value in settings.sector_shares.items())
        + " (point values inside 001's ranges unless noted).",
        _size_note(settings),
        f"Method 2 uses {quotient:.2f} m2/job and {m2.growth_years} years of growth"
        + (
            " (001, Tabel 9 2015 quotient unrounded; the convention that reproduces 001, Tabel 10)."
            if m2.terrain_quotient_m2 is None and m2.growth_years == 10
            else " (scenario values)."
        ),
        "Demand excludes supra-local demand (bovenlokale vraag) and part of it may be met in the "
        "existing stock (001, Bijlage 3); the allocation's candidate sites include that stock.",
    ]
    for sector, value in settings.sector_shares.items():
        low, high = SECTOR_SHARE_RANGES.get(sector, (-math.inf, math.inf))
        if not low - 1e-9 <= value <= high + 1e-9:
            notes.append(
                f"ASSUMPTION: sector share {sector} = {value:.1%} lies outside 001's range {low:.0%}-{high:.0%}."
            )
    xxl = overall_xxl_share(settings)
    if xxl <= XXL_SHARE_MIN:
        notes.append(f"ASSUMPTION: overall XXL share {xxl:.1%} is not above 001's 'more than 50 %'.")
    if chosen.heerlen_2030_ha < 0:
        notes.append(f"{chosen.method}/{chosen.variant} gives negative demand to 2030; 0 ha is placed for 2030.")
    return notes


def basis_share(settings: DemandSettings, source: DemandSource) -> float | None:
    """Heerlen's share on the stock or available-land basis; None for issuance (computed from Tabel 7)."""
    if settings.municipal_share_basis == "issuance" or source.share_bases is None:
        return None
    return getattr(source.share_bases, settings.municipal_share_basis).share


def supply_notes(settings: DemandSettings, met: dict[str, float], share: float) -> list[str]:
    """What the demand nets out and on which basis Heerlen's share rests, for the assumptions table."""
    notes = [f"Heerlen's share {share:.1%} rests on its share of {settings.municipal_share_basis.replace('_', ' ')}."]
    if met["take_up"]:
        notes.append(
            f"{met['take_up']:.1f} ha taken up in 2022-2023 (supply 44 -> 22.7 ha, 001 Bijlage 3 and Tabel 6) "
            "is netted out of the 2030 demand (setting net_take_up; assumption: the fall is take-up)."
        )
    if met["optioned"]:
        notes.append(
            f"{met['optioned']:.1f} ha under option (001, Tabel 6) is netted out of the 2030 demand: the land "
            "is left out of the supply for the firms that hold it (setting net_optioned)."
        )
    if settings.transformed_ha:
        notes.append(f"{settings.transformed_ha:g} ha transformed to other uses is added to the 2030 demand.")
    return notes
