"""Candidate sites: available plots, intensification, expansion zones and user-drawn sites.

Each source of sites is one module exposing ``SOURCE`` (a `candidates.base.CandidateSource`:
its site kind, site-id prefix, the setting that switches it on, its build function), registered
in `SOURCES` below in a fixed order. Adding a source: a module and one line in that tuple.
``build_candidates(layers, parks, settings)`` returns one GeoDataFrame in the schema of
:mod:`candidates.schema`, sorted by ``site_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from candidates import available, expansion, grid, intensification, user
from candidates.base import CandidateSource, SourceInputs, check_source
from candidates.overlap import overlapping_sites
from candidates.schema import COLUMNS, CRS, validate_candidates
from candidates.settings import CandidateSettings
from mca.core.errors import DataError
from mca.core.registry import Registry
from mca.core.vocabulary import SITE_KINDS

__all__ = [
    "COLUMNS",
    "SOURCES",
    "CandidateSettings",
    "CandidateSource",
    "SourceInputs",
    "build_candidates",
    "overlapping_sites",
    "site_kinds",
    "validate_candidates",
]

SOURCES: Registry[CandidateSource] = Registry("candidate source", check_source)
for _source in (available.SOURCE, intensification.SOURCE, expansion.SOURCE, user.SOURCE, grid.SOURCE):
    SOURCES.register(_source)


def site_kinds() -> tuple[str, ...]:
    """The site kinds of `mca.core.vocabulary.SITE_KINDS` and of every registered source."""
    return tuple(dict.fromkeys([*SITE_KINDS, *(source.kind for source in SOURCES)]))


def build_candidates(
    layers: dict[str, gpd.GeoDataFrame],
    parks: pd.DataFrame,
    settings: CandidateSettings | None = None,
    *,
    user_sites: Sequence[tuple[Path, gpd.GeoDataFrame]] = (),
) -> gpd.GeoDataFrame:
    """All candidate sites of the enabled sources, validated, sorted by ``site_id``.

    ``layers`` as from :func:`mca.inputs.layers.load_layers` (EPSG:28992); ``parks`` the park table
    indexed by park_id (:func:`mca.inputs.dataset.load_parks`); ``user_sites`` the polygons of each
    file named by ``settings.user_sites``, as read by the input edge (file, frame).
    """
    settings = settings or CandidateSettings()
    if "parks" not in layers:
        raise DataError("candidate generation needs the 'parks' layer", source="parks")
    inputs = SourceInputs(layers, parks, settings, tuple(user_sites))
    parts = [source.sites(inputs) for source in SOURCES if source.enabled(settings)]
    parts = [part for part in parts if len(part)]
    if not parts:
        raise DataError("no candidate sites: every kind is switched off or empty", source="candidates")
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=CRS)
    sites = sites.sort_values("site_id", kind="stable").reset_index(drop=True)
    return validate_candidates(sites, kinds=site_kinds())
