"""Import profiles: official Dutch datasets read by their own published schemas.

Each module maps one published schema onto one of the engine's layers (see
``docs/layers.md``); a scenario names the profile per layer (``profile: nwb``). The AERIUS
export is not a map layer: ``mca.inputs.profiles.aerius`` turns it into the nitrogen
criterion's table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from mca.core.errors import DataError
from mca.inputs.profiles import bag, cbs, ibis, natura2000_rvo, nnn_limburg, nwb, osm
from mca.inputs.profiles.base import Mapped, Profile

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        *(module.PROFILE for module in (nwb, bag, ibis, natura2000_rvo, nnn_limburg, cbs)),
        osm.PARKS,
        osm.STATIONS,
    )
}
"""Profile name → profile, for the ``profile:`` of a scenario's layer."""


def apply_profile(
    name: str, raw: gpd.GeoDataFrame, layer: str, options: Mapping[str, Any], *, where: str
) -> gpd.GeoDataFrame:
    """``raw`` in the engine's schema; ``attrs["profile"]`` says what was mapped and filled in."""
    profile = PROFILES.get(name)
    if profile is None:
        raise DataError(f"unknown import profile '{name}' (known: {', '.join(sorted(PROFILES))})", source=where)
    if profile.layer != layer:
        raise DataError(
            f"profile '{name}' maps {profile.dataset} onto the '{profile.layer}' layer, not '{layer}'",
            source=where,
            field="profile",
        )
    mapped: Mapped = profile.convert(raw, options, where)
    if mapped.frame.empty:
        raise DataError(f"profile '{name}': no feature is left after mapping", source=where)
    gdf = mapped.frame
    gdf.attrs["source"] = raw.attrs.get("source", where)
    gdf.attrs["metadata"] = {"status": "supplied", "source": profile.dataset} | dict(raw.attrs.get("metadata") or {})
    gdf.attrs["profile"] = {
        "name": name,
        "dataset": profile.dataset,
        "documentation": profile.documentation,
        "mapped": mapped.mapped,
        "defaults": mapped.defaults,
        "notes": mapped.notes,
    }
    return gdf
