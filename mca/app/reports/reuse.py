"""Drawings reused when the data they draw are unchanged (``mca run``, inside `mca.app.run_cache.reusing_drawings`).

A drawing that need not change with what a workshop changes most (the weights) — the
exclusions, criteria and demand maps and charts; the allocation and answer maps, the
allocation and acceptability charts while the hectares per site (or the SMAA result) stay the
same — is drawn from
a *view* of the run: a copy of the `RunResult` holding only the fields and columns it draws,
everything else emptied. The image is a function of that view, the output language, the code,
the software and matplotlib's settings, so it is kept by the SHA-256 of all of them
(`mca.app.run_cache.DrawingStore`) and copied back byte for byte the next time they are the
same. Because the drawing itself only ever sees the view, an image cannot be reused for data
that differ from what it shows; the tests hold that a drawing from its view is the drawing from
the whole run. Outside a `reusing_drawings` block (``--no-cache``, ``write_all`` called
directly) everything is drawn.

The suitability map and the stability chart change with every weight set, but they too are
drawn from a view: like the exclusions and criteria maps and the acceptability chart, their
views hold nothing of the allocation, so `mca.app.reports.draw_ahead` draws them from the run
before its allocation, while it is solved, and the writing of the whole run copies them.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
from matplotlib import rcParams

from mca.app.i18n import Language
from mca.app.reports.tables import SITE_LABEL_COLUMNS
from mca.app.results import RunResult
from mca.app.run_cache import drawing_store

EXCLUSIONS_SITE_COLUMNS = ["site_id", "geometry", "excluded", "kind", "name"]
"""The site columns the exclusions map draws (outlines, colours, numbered rows)."""
SUITABILITY_SITE_COLUMNS = ["site_id", "geometry", "excluded", "rank", "score", *SITE_LABEL_COLUMNS]
"""The site columns the suitability map draws (outlines, colours by score, the top numbered by rank)."""
CRITERIA_SITE_COLUMNS = ["site_id", "geometry", "excluded"]
"""The site columns the criteria map draws; its colours are the ranking's ``vs_`` value scores."""
ALLOCATION_SITE_COLUMNS = ["site_id", "geometry", *SITE_LABEL_COLUMNS]
"""The site columns the allocation and answer maps draw (outlines, user sites, the numbered rows)."""
ALLOCATED = ["site_id", "sector", "period", "hectares"]
"""The allocation columns the maps and charts draw (hectares per site, sector and period)."""


def map_view(result: RunResult, sites: list[str]) -> RunResult:
    """The run with only what every map draws (name, context layers, parks, schematic flag) and ``sites`` columns."""
    columns = [c for c in sites if c in result.sites.columns]
    empty = pd.DataFrame()
    return RunResult(
        scenario_name=result.scenario_name,
        scenario_path=None,
        scenario={},
        sites=gpd.GeoDataFrame(result.sites[columns], geometry="geometry", crs=result.sites.crs),
        ranking=empty,
        exclusions=empty,
        segments=empty,
        demand={},
        allocation=empty,
        shortfall=empty,
        allocation_summary={},
        assumptions=empty,
        parks=result.parks,
        layers=result.layers,
        schematic=result.schematic,
    )


def exclusions_view(result: RunResult) -> RunResult:
    """What the exclusions map draws: the sites' outlines and exclusion flags, and the exclusion rows."""
    return dataclasses.replace(map_view(result, EXCLUSIONS_SITE_COLUMNS), exclusions=result.exclusions)


def suitability_view(result: RunResult) -> RunResult:
    """What the suitability map draws: outlines, names, exclusion flags, ranks and scores."""
    return map_view(result, SUITABILITY_SITE_COLUMNS)


def stability_view(result: RunResult) -> RunResult:
    """What the stability chart draws: the ranked sites' ``vs_`` value scores and the weights."""
    scores = [c for c in result.ranking.columns if c in ("site_id", "rank", "excluded") or str(c).startswith("vs_")]
    return dataclasses.replace(
        map_view(dataclasses.replace(result, sites=result.sites.iloc[0:0]), ["geometry"]),
        ranking=result.ranking[scores],
        weights=dict(result.weights),
    )


def criteria_view(result: RunResult) -> RunResult:
    """What the criteria map draws: outlines, the ``vs_`` value scores and the criterion names (not the weights).

    The scores are in site order, not in the ranking's: the map joins them by site, and a change of
    weights that reorders the ranking reuses it.
    """
    scores = ["site_id", *(c for c in result.ranking.columns if str(c).startswith("vs_"))]
    by_site = result.ranking[scores].sort_values("site_id", kind="stable").reset_index(drop=True)
    return dataclasses.replace(
        map_view(result, CRITERIA_SITE_COLUMNS),
        ranking=by_site,
        weights=dict.fromkeys(result.weights, 0.0),
        criteria_meta=result.criteria_meta,
    )


def allocation_view(result: RunResult) -> RunResult:
    """What the allocation and answer maps draw: hectares per site, sector and period, sector colours."""
    return dataclasses.replace(
        map_view(result, ALLOCATION_SITE_COLUMNS),
        allocation=result.allocation[ALLOCATED],
        segments=result.segments[["sector", "period"]],
    )


def allocation_chart_view(result: RunResult) -> RunResult:
    """What the allocation chart draws: demand, hectares per site kind and period, the shortfall."""
    return dataclasses.replace(
        map_view(result, ["site_id", "geometry", "kind"]),
        allocation=result.allocation[ALLOCATED],
        segments=result.segments,
        shortfall=result.shortfall.reindex(columns=["sector", "size_class", "period", "hectares"]),
    )


def acceptability_view(result: RunResult) -> RunResult:
    """What the acceptability chart draws: the SMAA rank acceptability and the sites' names."""
    return dataclasses.replace(map_view(result, ["site_id", "geometry", "name"]), acceptability=result.acceptability)


def demand_view(result: RunResult) -> RunResult:
    """What the demand chart draws: the segments, the periods of the allocation (its columns) and the notice."""
    periods = sorted(set(result.allocation.get("period", pd.Series(dtype=str)).astype(str)))
    return dataclasses.replace(
        map_view(dataclasses.replace(result, sites=result.sites.iloc[0:0]), ["geometry"]),
        segments=result.segments,
        allocation=pd.DataFrame({"period": periods}),
    )


def canonical_bytes(value: object) -> bytes:
    """``value`` pickled without a memo (``Pickler.fast``), so equal data give equal bytes.

    A plain pickle refers back to an object met before (a dtype two columns share), so the
    same data pickle differently after a round trip through a pickle (the stage cache, the
    writer process); without the memo every object is written out where it occurs.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes do not depend on which objects are shared
    pickler.dump(value)
    return buffer.getvalue()


def kept(name: str, view: object, make: Callable[[], bytes]) -> bytes:
    """The bytes ``make()`` makes of ``view``, reused from the drawing store when they were made before.

    ``name`` names what is made (a drawing function); the key is the SHA-256 of name, view and
    matplotlib's settings under this code and software. Outside a `reusing_drawings` block
    ``make()`` is always called.
    """
    store = drawing_store()
    if store is None:
        return make()
    settings = sorted((setting, repr(value)) for setting, value in rcParams.items())
    key = store.key(canonical_bytes((name, settings, view)))
    data = store.get(key)
    if data is None:
        data = make()
        store.put(key, data)
    return data


def drawn(draw: Callable[..., Path], view: RunResult, path: Path, lang: Language, *extra: object) -> Path:
    """``draw(view, path, lang, *extra)``, or its image reused when the same drawing is stored."""
    made: list[bool] = []

    def make() -> bytes:
        made.append(True)
        return draw(view, path, lang, *extra).read_bytes()

    image = kept(f"{draw.__module__}:{draw.__qualname__}", (lang.code, extra, view), make)
    if not made:
        path.write_bytes(image)
    return path


def drawn_from(
    view: Callable[[RunResult], RunResult], draw: Callable[..., Path], result: RunResult, path: Path, *args: object
) -> Path:
    """`drawn` on ``view(result)`` with ``args`` (language, extras): the view is made when the drawing is."""
    return drawn(draw, view(result), path, *args)  # type: ignore[arg-type]
