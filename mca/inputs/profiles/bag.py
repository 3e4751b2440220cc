"""BAG (Basisregistratie Adressen en Gebouwen, Kadaster): dwellings as residential areas.

Published schema (Kadaster "Catalogus BAG 2018"; PDOK BAG WFS v2 / OGC API, feature types
``pand`` and ``verblijfsobject``): ``identificatie``, ``status`` (e.g. "Pand in gebruik",
"Verblijfsobject in gebruik"), ``gebruiksdoel`` (use function(s) of the address units, e.g.
"woonfunctie", several separated by commas). An address unit with the use function
"woonfunctie" is a dwelling (Catalogus BAG 2018, §7.3 gebruiksdoel).

``by: building`` (default) keeps the building polygons (``pand``) whose gebruiksdoel includes
woonfunctie; ``by: address`` takes the address points (``verblijfsobject``) with woonfunctie
and draws a disc of ``point_radius_m`` round each (ASSUMPTION: 15 m, about a house and its
garden), merged into residential areas. Objects whose status says they do not (yet, or any
longer) exist are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import shapely

from mca.core.errors import DataError
from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields

OPTIONS = {
    "by": "building (pand polygons, default) or address (verblijfsobject points)",
    "point_radius_m": "radius of the disc drawn round an address point (default 15 m, assumption)",
}
NOT_EXISTING = ("gesloopt", "niet gerealiseerd", "ingetrokken", "vergunning verleend", "gevormd", "bouw gestart")
DWELLING = "woonfunctie"


def existing(status: Any) -> bool:
    """True unless the BAG status says the object does not exist (yet, or any more)."""
    text = str(status).casefold()
    return not any(word in text for word in NOT_EXISTING)


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Residential polygons ``kind = dwellings`` from BAG buildings or address points."""
    by = option(options, "by", "building", OPTIONS, "bag")
    require_fields(raw, ("identificatie", "status", "gebruiksdoel"), "bag", where)
    dwelling = raw["gebruiksdoel"].fillna("").astype(str).str.casefold().str.contains(DWELLING)
    keep = raw[dwelling & raw["status"].map(existing)]
    if keep.empty:
        raise DataError("profile 'bag': no existing object has the use function 'woonfunctie'", source=where)
    mapped = {"kind": "gebruiksdoel contains 'woonfunctie' and status is existing", "bag_id": "identificatie"}
    if by == "address":
        radius = float(options.get("point_radius_m", 15.0))
        merged = shapely.get_parts(shapely.union_all(keep.geometry.buffer(radius).to_numpy()))
        out = frame({"kind": "dwellings", "addresses": _count_in(merged, keep)}, merged, raw.crs)
        defaults = {"geometry": f"disc of {radius:g} m round each address point, merged (assumption)"}
        return Mapped(out, mapped | {"addresses": "count of verblijfsobjecten"}, defaults)
    if by != "building":
        raise DataError("profile 'bag': option 'by' must be building or address", source=where, field="by")
    out = frame({"kind": "dwellings", "bag_id": keep["identificatie"].astype(str)}, keep.geometry, raw.crs)
    return Mapped(out, mapped)


def _count_in(polygons: Any, points: gpd.GeoDataFrame) -> list[int]:
    tree = shapely.STRtree(points.geometry.to_numpy())
    return [len(tree.query(polygon, predicate="intersects")) for polygon in polygons]


PROFILE = Profile(
    name="bag",
    layer="residential",
    dataset="BAG pand / verblijfsobject (Kadaster)",
    documentation="Kadaster, 'Catalogus Basisregistratie Adressen en Gebouwen 2018' (gebruiksdoel, status); PDOK BAG",
    fields=("identificatie", "status", "gebruiksdoel"),
    convert=convert,
    options=OPTIONS,
)
