"""Spatial criteria: registry and evaluation of candidate sites.

Every module of this package that exposes ``CRITERION`` (a `criteria.base.Criterion`) is a
criterion; adding one is adding a module. `evaluate` runs the enabled criteria of a
`criteria.settings.CriteriaSettings` on the candidate sites and joins their results.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable

import geopandas as gpd
import pandas as pd

from criteria.base import LINK_COLUMNS, ROUTE_COLUMNS, Context, Criterion, empty_exclusions, site_index
from criteria.settings import CriteriaSettings
from mca.errors import UserError
from mca.sectors import DEFAULT_SECTORS, Sector

__all__ = ["Criterion", "CriteriaSettings", "Evaluation", "evaluate", "get", "registry"]


@cache
def registry() -> dict[str, Criterion]:
    """All criteria of this package by name, in alphabetical order."""
    found: dict[str, Criterion] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        criterion = getattr(module, "CRITERION", None)
        if isinstance(criterion, Criterion):
            found[criterion.name] = criterion
    return dict(sorted(found.items()))


def get(name: str) -> Criterion:
    """The criterion called ``name``; a UserError listing the known ones if there is none."""
    known = registry()
    if name not in known:
        raise UserError(
            f"unknown criterion '{name}'; known criteria: {', '.join(known)}", source="criteria", field=name
        )
    return known[name]


@dataclass(frozen=True)
class Evaluation:
    """Joined results of all enabled criteria.

    ``values``: one row per site (index ``site_id``, input order), columns prefixed by criterion;
    ``primary``: criterion → ranking column; ``exclusions``: ``site_id, criterion, sector, reason``
    (sector ``"*"`` = all sectors); ``links`` / ``routes``: road links and the links on each
    site's route to its junction (empty without the access_pressure criterion); ``meta``: per
    criterion kind, direction, unit, primary, description and the parameters used.
    """

    values: pd.DataFrame
    primary: dict[str, str]
    exclusions: pd.DataFrame
    links: pd.DataFrame
    routes: pd.DataFrame
    meta: pd.DataFrame


def evaluate(
    sites: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame],
    settings: CriteriaSettings | None = None,
    sectors: Iterable[Sector] = DEFAULT_SECTORS,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Run the enabled criteria on ``sites`` (candidate schema) with the given layers and sectors."""
    settings = settings if settings is not None else CriteriaSettings()
    ids = site_index(sites)
    ctx = Context(layers=layers, sectors=tuple(sectors))
    enabled = settings.enabled_criteria()
    values, primary, exclusions, meta = [], {}, [empty_exclusions()], []
    links = pd.DataFrame({c: pd.Series(dtype=float) for c in LINK_COLUMNS})
    routes = pd.DataFrame({c: pd.Series(dtype=object) for c in ROUTE_COLUMNS})
    for number, criterion in enumerate(enabled, start=1):
        if progress is not None:
            progress(f"criterion {criterion.name} ({number}/{len(enabled)})")
        params = settings.params_for(criterion.name)
        result = criterion.run(sites, ctx, params)
        values.append(result.values.reindex(ids))
        primary[criterion.name] = result.primary
        exclusions.append(result.exclusions)
        if result.links is not None:
            links = result.links
        if result.routes is not None:
            routes = result.routes
        meta.append(
            {
                "criterion": criterion.name,
                "kind": criterion.kind,
                "direction": criterion.direction,
                "unit": criterion.unit,
                "primary": result.primary,
                "description": criterion.description,
                "params": params.model_dump(mode="json"),
            }
        )
    joined = pd.concat(values, axis=1) if values else pd.DataFrame(index=ids)
    return Evaluation(
        values=joined,
        primary=primary,
        exclusions=pd.concat([e for e in exclusions if len(e)] or [empty_exclusions()], ignore_index=True),
        links=links,
        routes=routes,
        meta=pd.DataFrame(meta, columns=["criterion", "kind", "direction", "unit", "primary", "description", "params"])
        .set_index("criterion"),
    )
