"""Spatial criteria: registry and evaluation of candidate sites.

Every module of this package that exposes ``CRITERION`` (a `criteria.base.Criterion`) is a
criterion; adding one is adding a module. `evaluate` runs the enabled criteria of a
`criteria.settings.CriteriaSettings` on the candidate sites and joins their results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from criteria.base import Context, Criterion, empty_exclusions, site_index
from criteria.registry import get, registry
from criteria.settings import CriteriaSettings
from mca.core.sectors import DEFAULT_SECTORS, Sector
from mca.core.vocabulary import LINK_COLUMNS, ROAD_LINKS, ROUTE_COLUMNS, SITE_ROUTES

__all__ = [
    "CriteriaSettings",
    "Criterion",
    "Evaluation",
    "evaluate",
    "get",
    "registry",
    "road_outputs",
    "table_settings",
]


@dataclass(frozen=True)
class Evaluation:
    """Joined results of all enabled criteria.

    ``values``: one row per site (index ``site_id``, input order), columns prefixed by criterion;
    ``primary``: criterion → ranking column; ``exclusions``: ``site_id, criterion, sector, reason``
    (sector ``"*"`` = all sectors); ``meta``: per criterion kind, direction, unit, primary,
    description and the parameters used; ``outputs``: what the criteria provide to later stages
    by name (`mca.core.vocabulary`), with the road links and routes whenever the road layers exist.
    """

    values: pd.DataFrame
    primary: dict[str, str]
    exclusions: pd.DataFrame
    meta: pd.DataFrame
    outputs: Mapping[str, pd.Series | pd.DataFrame] = field(default_factory=dict)

    def ranking_matrix(self) -> tuple[pd.DataFrame, dict[str, str]]:
        """The raw values of the ranking criteria (their primary columns) and their directions."""
        ranking = [name for name in self.primary if self.meta.loc[name, "kind"] == "ranking"]
        raw = pd.DataFrame({name: self.values[self.primary[name]] for name in ranking}, index=self.values.index)
        return raw, {name: str(self.meta.loc[name, "direction"]) for name in ranking}

    def with_exclusions(self, rows: pd.DataFrame) -> Evaluation:
        """The evaluation with ``rows`` added to its exclusions."""
        if rows.empty:
            return self
        return replace(self, exclusions=pd.concat([self.exclusions, rows], ignore_index=True))

    @property
    def links(self) -> pd.DataFrame:
        """Road links with their headroom (empty without road layers)."""
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in LINK_COLUMNS})
        return self.outputs.get(ROAD_LINKS, empty)

    @property
    def routes(self) -> pd.DataFrame:
        """The links on each site's route to its junction (empty without road layers)."""
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ROUTE_COLUMNS})
        return self.outputs.get(SITE_ROUTES, empty)


def evaluate(
    sites: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame],
    settings: CriteriaSettings | None = None,
    sectors: Iterable[Sector] = DEFAULT_SECTORS,
    progress: Callable[[str], None] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Evaluation:
    """Run the enabled criteria on ``sites`` (candidate schema) with the given layers and sectors.

    ``tables`` holds the tables the criteria's file parameters name (``"<criterion>.<parameter>"``).
    """
    settings = settings if settings is not None else CriteriaSettings()
    ids = site_index(sites)
    ctx = Context(layers=layers, sectors=tuple(sectors), tables=dict(tables or {}))
    enabled = settings.enabled_criteria()
    values, primary, exclusions, meta = [], {}, [empty_exclusions()], []
    outputs: dict[str, pd.Series | pd.DataFrame] = dict(road_outputs(sites, ctx))
    for number, criterion in enumerate(enabled, start=1):
        if progress is not None:
            progress(f"criterion {criterion.name} ({number}/{len(enabled)})")
        params = settings.params_for(criterion.name)
        result = criterion.run(sites, ctx, params)
        values.append(result.values.reindex(ids))
        primary[criterion.name] = result.primary
        exclusions.append(result.exclusions)
        outputs.update(result.outputs)
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
        outputs=outputs,
        meta=pd.DataFrame(
            meta, columns=["criterion", "kind", "direction", "unit", "primary", "description", "params"]
        ).set_index("criterion"),
    )


def road_outputs(sites: gpd.GeoDataFrame, ctx: Context) -> dict[str, pd.DataFrame]:
    """The road links and each site's route to its junction, when the road layers are loaded.

    They feed the allocation's road constraint, which thus depends on the road layers and not on
    whether a road criterion is weighted.
    """
    if not ctx.has_roads or len(sites) == 0:
        return {}
    network = ctx.road_network
    position, link = network.junction_routes(sites.geometry.values)
    ids = site_index(sites).to_numpy()
    return {
        ROAD_LINKS: network.links[list(LINK_COLUMNS)].copy(),
        SITE_ROUTES: pd.DataFrame({"site_id": ids[position], "link_id": link}),
    }


def table_settings(settings: CriteriaSettings) -> dict[str, Path]:
    """The tables the enabled criteria's file parameters name: ``"<criterion>.<parameter>"`` → path."""
    found: dict[str, Path] = {}
    for criterion in settings.enabled_criteria():
        params = settings.params_for(criterion.name)
        for parameter in criterion.files:
            path = getattr(params, parameter)
            if path is not None:
                found[f"{criterion.name}.{parameter}"] = Path(path)
    return found
