"""IBIS / REBIS business-park polygons (*werklocaties*), matched to the park table.

IBIS (Integraal Bedrijventerreinen Informatie Systeem) is the national register of business
parks kept by the provinces; REBIS is Limburg's regional counterpart. An IBIS export holds one
polygon per park with its registration number (``RIN_NUMMER``), name (``PLAN_NAAM``), municipality
(``GEMEENTE``) and areas (``BRUTO_OPP``, ``NETTO_OPP``, ha) (field names as in the IBIS
export described in the IBIS handbook of the provinces; ``name_field``/``id_field`` override them
when a delivery differs). IBIS names its parks in its own way ("Bedrijventerrein De Beitel",
"Beitel, De"), so each name is normalised (lower case, without "bedrijventerrein",
"industrieterrein", "e.o.", punctuation and articles) and matched to the park table's name or id.
Unmatched polygons are dropped and reported; so are parks without a polygon.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields

OPTIONS = {
    "name_field": "field with the park name (default PLAN_NAAM)",
    "id_field": "field with the IBIS registration number (default RIN_NUMMER)",
    "parks_table": "park table to match against (default: the bundled data/heerlen/parks.csv)",
    "municipality": "keep only features whose GEMEENTE is this municipality",
}
NOISE = ("bedrijventerrein", "industrieterrein", "bedrijvenpark", "business park", "e.o.", "de ", "het ", "(sd)")


def normalise(name: str) -> str:
    """A park name without noise words, punctuation and spaces, for matching."""
    text = f" {str(name).casefold()} "
    for word in NOISE:
        text = text.replace(word, " ")
    return re.sub(r"[^a-z0-9]", "", text)


def park_keys(parks: Any) -> dict[str, str]:
    """Normalised name and id → park_id for every park of the table."""
    keys = {normalise(pid): str(pid) for pid in parks.index}
    keys |= {normalise(name): str(pid) for pid, name in parks["name"].items()}
    return keys


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Parks ``park_id``, ``name`` (from the table), ``ibis_name``, ``rin`` for matched polygons."""
    from mca.inputs.dataset import PARKS_CSV, load_parks

    name_field = option(options, "name_field", "PLAN_NAAM", OPTIONS, "ibis")
    id_field = options.get("id_field", "RIN_NUMMER")
    require_fields(raw, (name_field, id_field), "ibis", where)
    if options.get("municipality") and "GEMEENTE" in raw.columns:
        raw = raw[raw["GEMEENTE"].astype(str).str.casefold() == str(options["municipality"]).casefold()]
    parks = load_parks(Path(options.get("parks_table") or PARKS_CSV))
    keys = park_keys(parks)
    matched = raw[name_field].map(lambda n: keys.get(normalise(n)))
    found = raw[matched.notna()]
    ids = matched[matched.notna()]
    out = frame(
        {"park_id": ids.to_numpy(), "name": parks.loc[ids, "name"].to_numpy(),
         "ibis_name": found[name_field].astype(str).to_numpy(), "rin": found[id_field].astype(str).to_numpy()},
        found.geometry.to_numpy(),
        raw.crs,
    )  # fmt: skip
    notes = [f"IBIS polygon without a park in the table: {n}" for n in sorted(raw.loc[matched.isna(), name_field])]
    notes += [f"park without an IBIS polygon: {pid}" for pid in sorted(set(parks.index) - set(ids))]
    mapped = {"park_id": f"{name_field} matched to the park table", "name": "park table", "ibis_name": name_field,
              "rin": id_field}  # fmt: skip
    return Mapped(out, mapped, notes=notes)


PROFILE = Profile(
    name="ibis",
    layer="parks",
    dataset="IBIS / REBIS werklocaties (provinces)",
    documentation="IBIS handbook of the provinces (export fields RIN_NUMMER, PLAN_NAAM, GEMEENTE, BRUTO_OPP)",
    fields=("PLAN_NAAM", "RIN_NUMMER"),
    convert=convert,
    options=OPTIONS,
    file_options=("parks_table",),
)
