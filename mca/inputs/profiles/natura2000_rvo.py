"""Natura 2000 site boundaries of RVO (Ministerie van LNV), as served by PDOK.

Published schema (PDOK dataset "Natura 2000", WFS/OGC API feature type ``natura2000``):
``naamN2K`` (site name, e.g. ``Brunssummerheide``), ``nummer`` (site number), ``status``
(designation status), ``beschermin`` (protection regime: Habitatrichtlijn, Vogelrichtlijn or
both). Documentation: PDOK dataset page "Natura 2000" and RVO "Natura 2000-gebieden, kaarten".
The field names were taken from that documentation and not checked against a live download:
``name_field`` overrides the name field if a delivery differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields

OPTIONS = {"name_field": "field holding the site name (default naamN2K)"}


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Sites with ``name`` (and ``number``, ``regime`` when published); multipart sites stay one feature."""
    name_field = option(options, "name_field", "naamN2K", OPTIONS, "natura2000_rvo")
    require_fields(raw, (name_field,), "natura2000_rvo", where)
    columns = {"name": raw[name_field].astype(str)}
    mapped = {"name": name_field}
    for engine, published in (("number", "nummer"), ("regime", "beschermin"), ("status", "status")):
        if published in raw.columns:
            columns[engine] = raw[published]
            mapped[engine] = published
    return Mapped(frame(columns, raw.geometry, raw.crs), mapped)


PROFILE = Profile(
    name="natura2000_rvo",
    layer="natura2000",
    dataset="RVO Natura 2000 boundaries (PDOK)",
    documentation="PDOK dataset 'Natura 2000' (RVO); fields naamN2K, nummer, status, beschermin",
    fields=("naamN2K",),
    convert=convert,
    options=OPTIONS,
)
