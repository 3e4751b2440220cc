"""Natuurnetwerk Nederland in Limburg: the gold and silver green zones of the province.

The province of Limburg publishes the NNN as the *Goudgroene natuurzone* and the *Zilvergroene
natuurzone* of its Omgevingsverordening / POL (Provincie Limburg, "Omgevingsverordening Limburg
2014", kaart 1 'Natuur'; geo-services of the province, layers "Goudgroene natuurzone" and
"Zilvergroene natuurzone"). A delivery comes either as one layer whose description field names
the zone, or as one file per zone. The zone is read from ``zone_field`` (default: the first of
OMSCHRIJVING, omschrijving, NAAM, naam, ZONE, zone present) by the words "goud" / "zilver", or
set for the whole file with ``zone: goudgroen`` / ``zone: zilvergroen``. Features that name
neither zone are dropped and counted in the notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from mca.core.errors import DataError
from mca.inputs.profiles.base import Mapped, Profile, frame, option

OPTIONS = {
    "zone": "goudgroen or zilvergroen for every feature of the file",
    "zone_field": "field whose text names the zone (goud/zilver)",
    "name_field": "field for the feature name (default: the zone field)",
}
ZONE_FIELDS = ("OMSCHRIJVING", "omschrijving", "NAAM", "naam", "ZONE", "zone")
ZONES = ("goudgroen", "zilvergroen")


def _zone_field(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> str:
    field = options.get("zone_field") or next((f for f in ZONE_FIELDS if f in raw.columns), None)
    if field is None or field not in raw.columns:
        raise DataError(
            "profile 'nnn_limburg': no field names the zone; give 'zone_field' or 'zone'",
            source=where,
            field="zone_field",
        )
    return str(field)


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """NNN zones ``name``, ``zone`` (goudgroen/zilvergroen)."""
    fixed = option(options, "zone", None, OPTIONS, "nnn_limburg")
    if fixed is not None:
        if fixed not in ZONES:
            raise DataError(f"profile 'nnn_limburg': zone must be one of {ZONES}", source=where, field="zone")
        name_field = options.get("name_field")
        names = raw[name_field].astype(str) if name_field else f"{fixed} natuurzone"
        out = frame({"name": names, "zone": fixed}, raw.geometry, raw.crs)
        return Mapped(out, {"name": name_field or "(zone)", "zone": f"option zone = {fixed}"})
    field = _zone_field(raw, options, where)
    text = raw[field].astype(str).str.casefold()
    zone = text.map(lambda t: "goudgroen" if "goud" in t else ("zilvergroen" if "zilver" in t else None))
    keep = zone.notna()
    name_field = options.get("name_field") or field
    out = frame({"name": raw.loc[keep, name_field].astype(str), "zone": zone[keep]}, raw.geometry[keep], raw.crs)
    notes = [f"{int((~keep).sum())} feature(s) name neither zone and were dropped"] if (~keep).any() else []
    return Mapped(out, {"name": name_field, "zone": f"{field} contains 'goud' / 'zilver'"}, notes=notes)


PROFILE = Profile(
    name="nnn_limburg",
    layer="nnn",
    dataset="Provincie Limburg NNN: Goudgroene en Zilvergroene natuurzone",
    documentation="Omgevingsverordening Limburg 2014 / POL2014, kaart 'Natuur' (goudgroene en zilvergroene natuurzone)",
    fields=(),
    convert=convert,
    options=OPTIONS,
)
