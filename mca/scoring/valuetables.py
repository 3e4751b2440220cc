"""The declared value tables of the categorical criteria (issue 10), each value cited or an assumption.

A category scale (NNN zone, park profile) is scored through one of these tables, never min-max over
category codes: the criterion gives the category as its raw value, the table its value score. They
are the defaults of `mca.scoring.settings.ScoringSettings.value_tables`; a scenario replaces a table by
naming the criterion there (or in ``value_functions``). The category words are the ones the criterion
modules produce (``criteria/nnn_zone.py``, ``criteria/park_profile.py``); tests check both agree.
No source document gives these values: every one is an assumption of this project, argued from the
cited text. ``none`` is the category of a site that touches no NNN zone, or lies in no park.
"""

from __future__ import annotations

import pandas as pd

from mca.scoring.valuefunctions import CategoricalValueFunction

NNN_ZONE_VALUES: dict[str, tuple[float, str]] = {
    "none": (1.0, "assumption: no NNN zone at the site or within the buffer, so no nature claim on it"),
    "zilvergroen": (
        0.5,
        "assumption: the zilvergroene natuurzone allows development with compensation (the nnn criterion's "
        "reading of the provincial regime, not a figure of the seed documents): halfway",
    ),
    "goudgroen": (
        0.0,
        "assumption: goudgroen is the NNN proper ('nee, tenzij'); 001 §3.2 (principle 3) makes nature a "
        "physical barrier, so a site touching it or within the buffer scores worst",
    ),
}
"""NNN zone → (value, basis). Without sector-specific values."""

_LOGISTICS = (
    "001 §3.3 profile table: (medisch) logistiek = 'concentratie van grootschalige bedrijven in (medische) logistiek'"
)
_INDUSTRIAL = (
    "001 §3.3 profile table: industrieel = 'hogere milieucategorieën en/of ruimte voor circulaire activiteiten'"
)
_REGULAR = "001 §3.3 profile table: regulier = 'divers bedrijventerrein met hoofdzakelijk mkb'"
_MIXED = (
    "001 §3.3 profile table: gemengd = 'in het stedelijk weefsel met een deel gemengde functies' "
    "(bedrijfswoningen, retail, kantoren)"
)
_NO_PARK = "assumption: a site in no park has no profile to build on"

PARK_PROFILE_VALUES: dict[str, dict[str, tuple[float, str]]] = {
    "wholesale_logistics": {
        "logistiek": (
            0.75,
            f"assumption: {_LOGISTICS}; below 1 because 001 §3.2 prefers medtech logistics to all logistics",
        ),
        "regulier": (0.5, f"assumption: {_REGULAR}; fits, no cluster"),
        "industrieel": (
            0.25,
            "assumption: 001 Tabel 1 (De Beitel/Baaks Soureth): 'voorkomen logistieke herontwikkeling'",
        ),
        "gemengd": (0.0, f"assumption: {_MIXED}; heavy traffic among dwellings"),
        "none": (0.0, _NO_PARK),
    },
    "medtech_logistics": {
        "logistiek": (1.0, f"assumption: {_LOGISTICS}; 001 Tabel 1 (Avantis/Trilandis): strengthen medtech"),
        "regulier": (0.5, f"assumption: {_REGULAR}; fits, no cluster"),
        "industrieel": (
            0.25,
            "assumption: 001 Tabel 1 (De Beitel/Baaks Soureth): 'voorkomen logistieke herontwikkeling'",
        ),
        "gemengd": (0.25, f"assumption: {_MIXED}; fewer trucks than generic logistics"),
        "none": (0.0, _NO_PARK),
    },
    "production": {
        "industrieel": (1.0, f"assumption: {_INDUSTRIAL}"),
        "regulier": (0.5, f"assumption: {_REGULAR}; fits, no cluster"),
        "logistiek": (0.25, f"assumption: {_LOGISTICS}; not its profile"),
        "gemengd": (0.0, f"assumption: {_MIXED}; nuisance among dwellings"),
        "none": (0.0, _NO_PARK),
    },
    "construction_installation": {
        "regulier": (1.0, f"assumption: {_REGULAR}"),
        "industrieel": (0.5, f"assumption: {_INDUSTRIAL}; fits, keeps room for heavier firms"),
        "gemengd": (0.5, f"assumption: {_MIXED}; small firms fit, yards less so"),
        "logistiek": (0.25, f"assumption: {_LOGISTICS}; not its profile"),
        "none": (0.0, _NO_PARK),
    },
    "consumer": {
        "gemengd": (1.0, f"assumption: {_MIXED}"),
        "regulier": (0.75, f"assumption: {_REGULAR}"),
        "logistiek": (0.0, f"assumption: {_LOGISTICS}; not its profile"),
        "industrieel": (0.0, f"assumption: {_INDUSTRIAL}; not its profile"),
        "none": (0.0, _NO_PARK),
    },
}
"""Sector → park profile → (value, basis). The ranking without a sector uses the mean over these sectors."""


def _table(values: dict[str, tuple[float, str]]) -> tuple[dict[str, float], dict[str, str]]:
    return {c: v for c, (v, _) in values.items()}, {c: s for c, (_, s) in values.items()}


def park_profile_table() -> CategoricalValueFunction:
    """Park profile values: per sector from `PARK_PROFILE_VALUES`, without a sector their mean."""
    sectors = list(PARK_PROFILE_VALUES)
    categories = list(PARK_PROFILE_VALUES[sectors[0]])
    mean = {c: sum(PARK_PROFILE_VALUES[s][c][0] for s in sectors) / len(sectors) for c in categories}
    by_sector, sector_sources = {}, {}
    for sector, values in PARK_PROFILE_VALUES.items():
        by_sector[sector], sector_sources[sector] = _table(values)
    return CategoricalValueFunction(
        mapping=mean,
        source=f"assumption: mean of the values for the sectors {', '.join(sectors)}",
        by_sector=by_sector,
        sector_sources=sector_sources,
    )


def default_value_tables() -> dict[str, CategoricalValueFunction]:
    """Criterion → its declared value table (the defaults of ``scoring.value_tables``)."""
    mapping, sources = _table(NNN_ZONE_VALUES)
    return {
        "nnn_zone": CategoricalValueFunction(mapping=mapping, sources=sources),
        "park_profile": park_profile_table(),
    }


def value_table_rows(tables: dict[str, CategoricalValueFunction]) -> pd.DataFrame:
    """Every value of ``tables`` with its basis: ``criterion, sector, category, value, basis``.

    ``sector`` is empty for the values used without a sector; the rows are what an assumptions
    table or a reviewer needs to recompute the value scores of a categorical criterion.
    """
    rows = []
    for criterion, spec in sorted(tables.items()):
        for sector in ["", *sorted(spec.by_sector)]:
            for category, value in spec.table(sector or None).items():
                rows.append((criterion, sector, category, value, spec.basis(category, sector or None)))
    return pd.DataFrame(rows, columns=["criterion", "sector", "category", "value", "basis"])
