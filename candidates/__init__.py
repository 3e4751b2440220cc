"""Candidate sites: available plots, intensification, expansion zones and user-drawn sites.

``build_candidates(layers, parks, settings)`` returns one GeoDataFrame in the schema of
:mod:`candidates.schema`, sorted by ``site_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from candidates.available import available_plot_sites
from candidates.expansion import expansion_sites
from candidates.intensification import intensification_sites
from candidates.schema import COLUMNS, CRS, validate_candidates
from candidates.settings import CandidateSettings
from candidates.user import user_site_candidates
from mca.core.errors import DataError

__all__ = ["COLUMNS", "CandidateSettings", "build_candidates", "validate_candidates"]


def build_candidates(
    layers: dict[str, gpd.GeoDataFrame],
    parks: pd.DataFrame,
    settings: CandidateSettings | None = None,
    *,
    user_sites: Sequence[tuple[Path, gpd.GeoDataFrame]] = (),
) -> gpd.GeoDataFrame:
    """All candidate sites of the enabled kinds, validated, sorted by ``site_id``.

    ``layers`` as from :func:`mca.inputs.layers.load_layers` (EPSG:28992); ``parks`` the park table
    indexed by park_id (:func:`mca.inputs.dataset.load_parks`); ``user_sites`` the polygons of each
    file named by ``settings.user_sites``, as read by the input edge (file, frame).
    """
    settings = settings or CandidateSettings()
    if "parks" not in layers:
        raise DataError("candidate generation needs the 'parks' layer", source="parks")
    parks_layer = layers["parks"]
    parts = []
    if settings.include_available_plots:
        parts.append(available_plot_sites(parks_layer, parks, settings))
    if settings.include_intensification:
        parts.append(intensification_sites(parks_layer, parks, settings))
    if settings.include_expansion:
        parts.append(expansion_sites(layers, parks, settings))
    if settings.include_user_sites:
        for path, drawn in user_sites:
            parts.append(user_site_candidates(path, drawn, parks_layer, parks, settings))
    parts = [part for part in parts if len(part)]
    if not parts:
        raise DataError("no candidate sites: every kind is switched off or empty", source="candidates")
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=CRS)
    sites = sites.sort_values("site_id", kind="stable").reset_index(drop=True)
    return validate_candidates(sites)
