"""Outputs of the demand forecast: JSON-ready dict, planner tables (rich) and segment CSV."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from demand.forecast import Estimate, Forecast
from mca.core.csvio import csv_text
from mca.core.sectors import DEFAULT_SECTORS

METHOD_LABELS = {
    "method1": "Methode 1 – historische uitgifte (past issuance)",
    "method2": "Methode 2 – werkgelegenheid (employment, WLO)",
    "conclusion": "Conclusie vraagraming (001's conclusion)",
    "explicit": "Opgegeven (explicit scenario value)",
}
PERIOD_LABELS = {"2030": "t/m 2030 (to 2030)", "2040": "2031–2040"}
_SECTOR_LABELS = {sector.id: sector.label for sector in DEFAULT_SECTORS}


def _estimate_dict(estimate: Estimate, used: bool) -> dict[str, Any]:
    return {
        "method": estimate.method,
        "variant": estimate.variant,
        "used_for_allocation": used,
        "parkstad_2030_ha": estimate.parkstad_2030_ha,
        "parkstad_2031_2040_ha": estimate.parkstad_2031_2040_ha,
        "parkstad_2040_ha": estimate.parkstad_2040_ha,
        "heerlen_2030_ha": estimate.heerlen_2030_ha,
        "heerlen_2031_2040_ha": estimate.heerlen_2031_2040_ha,
        "heerlen_2040_ha": estimate.heerlen_2040_ha,
        "details": dict(estimate.details),
    }


def forecast_to_dict(fc: Forecast) -> dict[str, Any]:
    """The forecast as plain JSON-ready data; hectares unrounded."""
    return {
        "settings": fc.settings.model_dump(mode="json"),
        "heerlen_share": fc.heerlen_share,
        "parameters": dict(fc.parameters),
        "estimates": [_estimate_dict(e, e is fc.allocation) for e in fc.estimates],
        "allocation": {"method": fc.allocation.method, "variant": fc.allocation.variant},
        "to_place_ha": dict(fc.to_place),
        "total_heerlen_ha": fc.total_heerlen_ha,
        "segments": [
            {"sector": r.sector, "size_class": r.size_class, "period": r.period, "hectares": float(r.hectares)}
            for r in fc.segments.itertuples(index=False)
        ],
        "cross_checks": [dict(check) for check in fc.cross_checks],
        "assumptions": list(fc.assumptions),
        "sources": list(fc.sources),
    }


def forecast_table(fc: Forecast) -> list[Table]:
    """Tables for a planner: estimates per method, segments to place, cross-checks."""
    return [_estimates_table(fc), _segments_table(fc), _checks_table(fc)]


def _estimates_table(fc: Forecast) -> Table:
    """Parkstad and Heerlen hectares per method and variant; the one used is starred."""
    table = Table(
        title="Vraagraming bedrijventerreinen (demand forecast), netto ha",
        caption=f"Aandeel Heerlen (Heerlen share) {fc.heerlen_share:.1%}; * = gebruikt voor allocatie (used)",
    )
    for column in ("methode (method)", "variant"):
        table.add_column(column)
    for column in (
        "Parkstad t/m 2030",
        "Parkstad 2031–2040",
        "Heerlen t/m 2030",
        "Heerlen 2031–2040",
        "Heerlen t/m 2040",
    ):
        table.add_column(column, justify="right")
    for e in fc.estimates:
        hectares = (
            e.parkstad_2030_ha,
            e.parkstad_2031_2040_ha,
            e.heerlen_2030_ha,
            e.heerlen_2031_2040_ha,
            e.heerlen_2040_ha,
        )
        marker = "*" if e is fc.allocation else ""
        table.add_row(METHOD_LABELS[e.method], f"{e.variant}{marker}", *(f"{v:.1f}" for v in hectares))
    return table


def _segments_table(fc: Forecast) -> Table:
    """Heerlen's demand to place per sector, size class and period."""
    pivot = fc.segments.pivot_table(
        index=["sector", "size_class"], columns="period", values="hectares", aggfunc="sum", sort=False
    )
    table = Table(
        title="Te plaatsen vraag Heerlen per segment (demand to place by segment), netto ha",
        caption=f"Totaal (total) {fc.total_heerlen_ha:.1f} ha",
    )
    table.add_column("sector")
    table.add_column("grootteklasse (size class)")
    for period in pivot.columns:
        table.add_column(PERIOD_LABELS.get(period, period), justify="right")
    for (sector, size), row in pivot.iterrows():
        table.add_row(_SECTOR_LABELS.get(sector, sector), size, *(f"{v:.1f}" for v in row))
    return table


def _checks_table(fc: Forecast) -> Table:
    """The forecast against other sources' figures."""
    table = Table(title="Controles (cross-checks)")
    for column in ("controle (check)", "bron (source)"):
        table.add_column(column)
    for column in ("bron ha", "raming ha (forecast)", "verschil (difference)"):
        table.add_column(column, justify="right")
    for check in fc.cross_checks:
        table.add_row(
            check["name"],
            check["source"],
            f"{check['reference_ha']:.0f}",
            f"{check['forecast_ha']:.1f}",
            f"{check['difference_ha']:+.1f}",
        )
    return table


def segments_csv(fc: Forecast) -> str:
    """The segments as CSV: ``sector,size_class,period,hectares``."""
    return csv_text(fc.segments, float_format="%.6f")
