"""OpenStreetMap features from the Overpass API (what PDOK lacks): industrial land and stops.

OSM tags (wiki.openstreetmap.org): ``landuse=industrial`` areas with ``name``;
``railway=station`` and ``highway=bus_stop`` nodes with ``name``. Data © OpenStreetMap
contributors, ODbL 1.0: a database derived from them is offered under the ODbL too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields
from mca.inputs.profiles.ibis import normalise, park_keys

PARK_OPTIONS = {"parks_table": "park table to match the OSM names against (default: the bundled one)"}


def convert_parks(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Named industrial areas matched to the park table like IBIS names (``park_id``, ``name``, ``osm_id``)."""
    from mca.inputs.dataset import PARKS_CSV, load_parks

    option(options, "parks_table", None, PARK_OPTIONS, "osm_parks")
    require_fields(raw, ("name", "osm_id"), "osm_parks", where)
    parks = load_parks(Path(options.get("parks_table") or PARKS_CSV))
    matched = raw["name"].map(lambda n: park_keys(parks).get(normalise(n)) if isinstance(n, str) else None)
    keep = raw[matched.notna()]
    ids = matched[matched.notna()]
    out = frame({"park_id": ids.to_numpy(), "name": parks.loc[ids, "name"].to_numpy(),
                 "osm_id": keep["osm_id"].to_numpy()}, keep.geometry.to_numpy(), raw.crs)  # fmt: skip
    dissolved = out.dissolve(by="park_id", as_index=False, aggfunc="first") if len(out) else out
    notes = [f"OSM industrial area without a park in the table: {n}" for n in sorted(raw.loc[matched.isna(), "name"]
             .dropna().astype(str))]  # fmt: skip
    return Mapped(dissolved, {"park_id": "name matched to the park table", "osm_id": "OSM element"}, notes=notes)


def convert_stations(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Stops ``name``, ``kind`` (rail for railway=station, else bus), ``osm_id``."""
    option(options, "none", None, {}, "osm_stations")
    require_fields(raw, ("osm_id",), "osm_stations", where)
    rail = raw["railway"].eq("station") if "railway" in raw else pd.Series(False, index=raw.index)
    names = raw["name"].fillna("unnamed stop") if "name" in raw else pd.Series("unnamed stop", index=raw.index)
    kind = rail.map({True: "rail", False: "bus"})
    out = frame({"name": names, "kind": kind, "osm_id": raw["osm_id"]}, raw.geometry, raw.crs)
    return Mapped(out, {"name": "name", "kind": "railway=station → rail, else bus", "osm_id": "OSM element"})


PARKS = Profile("osm_parks", "parks", "OpenStreetMap landuse=industrial (Overpass)",
                "OSM wiki Tag:landuse=industrial", ("name",), convert_parks, PARK_OPTIONS)  # fmt: skip
STATIONS = Profile("osm_stations", "stations", "OpenStreetMap railway=station, highway=bus_stop (Overpass)",
                   "OSM wiki Tag:railway=station, Tag:highway=bus_stop", (), convert_stations)  # fmt: skip
