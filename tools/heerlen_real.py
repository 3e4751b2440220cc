"""Build ``data/heerlen/heerlen.gpkg``: real layers where they exist, schematic ones placed on them.

Called by ``tools/make_heerlen_layers.py`` (default target). Deterministic: the same inputs give
the same file (fixed GeoPackage timestamps, fixed search order for park placement).
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from heerlen_places import (
    ACCESS,
    JUNCTIONS,
    NNN_AROUND_NATURA2000,
    NNN_VALLEYS,
    NODES,
    PARK_PLACES,
    RESIDENTIAL,
    ROADS,
)
from make_heerlen_layers import chamfered_box, gross_areas, mark_schematic, write_layers
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "heerlen" / "real"
TARGET = ROOT / "data" / "heerlen" / "heerlen.gpkg"
CRS = "EPSG:28992"
MUNICIPALITY = "Heerlen"

SCHEMATIC_SOURCE = (
    "SCHEMATIC: drawn for mca-sites by tools/make_heerlen_layers.py at the real locations "
    "(sources in tools/heerlen_places.py); not survey data, demonstration only"
)
LAYER_METADATA: dict[str, dict[str, str]] = {
    "natura2000": {
        "status": "real",
        "source": "RVO Natura 2000 boundaries (PDOK), via GitHub jolietjakeblues/BoerderijenNatura2000NL "
        "@e4665aa8ac14707040988b3933768ae0faa854f8",
        "date": "2025 (repository snapshot)",
        "licence": "public domain (RVO/PDOK); derived data CC BY 4.0",
        "attribution": "RVO / PDOK, via BoerderijenNatura2000NL",
    },
    "boundary": {
        "status": "real",
        "source": "CBS/Kadaster gemeente_gegeneraliseerd 2022 (PDOK), via GitHub RishikeshGovind/nlstat "
        "@b978e18eeaa4888b581025e2c481c768a4eda38e",
        "date": "2022",
        "licence": "free use with attribution",
        "attribution": "Kadaster / Centraal Bureau voor de Statistiek, 2022",
    },
    "stations": {
        "status": "real",
        "source": "npm db-hafas-stations@2.0.0 full.ndjson, filtered to 5.85-6.12 E, 50.82-50.97 N",
        "date": "db-hafas-stations 2.0.0",
        "licence": "ODbL 1.0 (share-alike, see data/heerlen/real/LICENCE-ODbL.md) and CC BY 4.0",
        "attribution": "(c) OpenStreetMap contributors; DB InfraGO AG",
    },
}
SCHEMATIC_LAYERS = ("parks", "roads", "junctions", "residential", "nnn")


def metadata_for(layer: str) -> dict[str, str]:
    """GeoPackage metadata of one layer: real with source/date/licence, or schematic."""
    if layer in LAYER_METADATA:
        return LAYER_METADATA[layer] | {"schematic": "false"}
    return {"status": "schematic", "schematic": "true", "source": SCHEMATIC_SOURCE, "date": "2026", "licence": "CC0"}


def boundary_layer() -> gpd.GeoDataFrame:
    """The seven Parkstad municipalities: ``name``, ``code`` (CBS statcode), in RD New."""
    raw = gpd.read_file(REAL / "gemeenten_parkstad_2022.geojson").to_crs(CRS)
    out = gpd.GeoDataFrame(
        {"name": raw["statnaam"], "code": raw["statcode"], "geometry": raw.geometry}, crs=CRS
    ).sort_values("code")
    return out.reset_index(drop=True)


def natura2000_layer() -> gpd.GeoDataFrame:
    """The real Natura 2000 sites of Zuid-Limburg: ``name``, ``slug``."""
    raw = gpd.read_file(REAL / "natura2000_zuid_limburg.gpkg")
    return gpd.GeoDataFrame({"name": raw["naam"], "slug": raw["slug"], "geometry": raw.geometry}, crs=raw.crs)


def stations_layer() -> gpd.GeoDataFrame:
    """All stops: ``name`` (without ", Niederlande"), ``kind`` rail/bus, ``stop_id``.

    A stop is rail when its ``rail`` flag is set or its id is a rail-station id
    (``is_rail_station_id``): the source lacks the rail flag for Heerlen de Kissel (8400044).
    """
    raw = gpd.read_file(REAL / "stops_parkstad.geojson").to_crs(CRS)
    names = raw["name"].str.replace(r",\s*Niederlande$", "", regex=True)
    kind = (raw["rail"].astype(bool) | raw["is_rail_station_id"].astype(bool)).map({True: "rail", False: "bus"})
    out = gpd.GeoDataFrame({"name": names, "kind": kind, "stop_id": raw["id"].astype(str)}, geometry=raw.geometry)
    return out.sort_values(["kind", "name", "stop_id"]).reset_index(drop=True)


def _shape(x: float, y: float, ratio: float, rotation: float, size_m: float) -> Polygon:
    """A chamfered rectangle around (x, y), ``size_m`` high, rotated by ``rotation`` degrees."""
    return affinity.rotate(chamfered_box(x, y, size_m * ratio, size_m), rotation, origin=(x, y))


def place_park(
    anchor: tuple[float, float], ratio: float, rotation: float, gross_ha: float, free: shapely.Geometry
) -> Polygon:
    """The park polygon around ``anchor`` of exactly ``gross_ha`` inside ``free``.

    A chamfered rectangle is grown around the anchor and cut to ``free`` (the municipality minus
    the parks placed before), so that a park at the border follows the real boundary; its size
    is found by bisection to 0.01 % of the area. The part that holds the anchor (or lies
    nearest to it) is kept.
    """
    target = gross_ha * 10_000
    point = Point(anchor)

    def grown(size: float) -> Polygon:
        parts = shapely.get_parts(_shape(anchor[0], anchor[1], ratio, rotation, size).intersection(free))
        polygons = [p for p in parts if p.geom_type == "Polygon"]
        return min(polygons, key=point.distance) if polygons else Polygon()

    low, high = 0.0, 10 * math.sqrt(target)
    if grown(high).area < target:
        raise RuntimeError(f"no room for {gross_ha} ha around {anchor}")
    while (high - low) > 1e-6 * high:
        middle = (low + high) / 2
        low, high = (middle, high) if grown(middle).area < target else (low, middle)
    return grown(high)


def parks_layer(inside: Polygon, natura: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Schematic park polygons of the gross area (001) round the real anchors, inside Heerlen.

    The parks keep 10 m off the real Natura 2000 sites: no existing park lies inside one.
    """
    areas = gross_areas()
    rows, free = [], inside.difference(shapely.union_all(natura.geometry.values).buffer(10))
    for park_id, (name, x, y, ratio, rotation, basis) in PARK_PLACES.items():
        polygon = place_park((x, y), ratio, rotation, areas[park_id], free)
        free = free.difference(polygon.buffer(20))
        rows.append({"park_id": park_id, "name": name, "gross_ha": areas[park_id], "anchor": basis,
                     "geometry": polygon})  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS).sort_values("park_id").reset_index(drop=True)


def roads_layer(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Road links between consecutive nodes, and an access road from a node to each park."""
    rows = []
    for name, road_class, speed, capacity, volume, chain in ROADS:
        prefix = name.split("(")[-1].rstrip(")") if "(" in name else name
        for i, (a, b) in enumerate(pairwise(chain), start=1):
            rows.append({"road_id": f"{prefix}-{i:02d}".replace(" ", "-").lower(), "name": name,
                         "road_class": road_class, "speed_kmh": speed, "capacity_veh_h": capacity,
                         "volume_veh_h": volume, "geometry": LineString([NODES[a], NODES[b]])})  # fmt: skip
    centres = dict(zip(parks["park_id"], parks.geometry.representative_point(), strict=True))
    for park_id, (start, road_class, speed, capacity, volume) in ACCESS.items():
        centre = centres[park_id]
        rows.append({"road_id": f"access-{park_id}-1", "name": f"Access {PARK_PLACES[park_id][0]}",
                     "road_class": road_class, "speed_kmh": speed, "capacity_veh_h": capacity,
                     "volume_veh_h": volume,
                     "geometry": LineString([NODES[start], (round(centre.x, 1), round(centre.y, 1))])})  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def junctions_layer() -> gpd.GeoDataFrame:
    """Interchanges and exits, each on a road vertex."""
    rows = [{"junction_id": node, "name": name, "road": road, "geometry": Point(NODES[node])}
            for node, (name, road) in JUNCTIONS.items()]  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def residential_layer(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Schematic built-up outlines with the parks (plus 30 m) cut out."""
    cut = shapely.union_all(parks.geometry.values).buffer(30)
    rows = []
    for name, kind, x0, y0, x1, y1 in RESIDENTIAL:
        shape = chamfered_box((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0).difference(cut)
        parts = [p for p in shapely.get_parts(shape) if p.area >= 5_000]
        rows.append({"name": name, "kind": kind, "geometry": shapely.union_all(parts)})
    return gpd.GeoDataFrame(rows, crs=CRS)


def nnn_layer(natura: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Schematic NNN zones: rings round real Natura 2000 sites and two brook valleys."""
    sites = dict(zip(natura["name"], natura.geometry, strict=True))
    rows = [{"name": name, "zone": zone, "geometry": sites[site].buffer(width).difference(sites[site])}
            for name, zone, site, width in NNN_AROUND_NATURA2000]  # fmt: skip
    rows += [{"name": name, "zone": zone, "geometry": LineString(line).buffer(width)}
             for name, zone, line, width in NNN_VALLEYS]  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def build_heerlen() -> dict[str, gpd.GeoDataFrame]:
    """Every layer of heerlen.gpkg, keyed by name."""
    boundary = boundary_layer()
    inside = boundary.loc[boundary["name"] == MUNICIPALITY].geometry.iloc[0]
    natura = natura2000_layer()
    parks = parks_layer(inside, natura)
    layers = {
        "boundary": boundary,
        "natura2000": natura,
        "stations": stations_layer(),
        "parks": parks,
        "roads": roads_layer(parks),
        "junctions": junctions_layer(),
        "residential": residential_layer(parks),
        "nnn": nnn_layer(natura),
    }
    for name, gdf in layers.items():
        if name in SCHEMATIC_LAYERS:
            mark_schematic(gdf)
    return layers


def write_heerlen(path: Path = TARGET) -> None:
    """Write heerlen.gpkg with per-layer metadata and fixed timestamps (reproducible)."""
    layers = []
    for name, gdf in build_heerlen().items():
        meta = metadata_for(name)
        frame = pd.DataFrame(gdf).pipe(gpd.GeoDataFrame, geometry="geometry", crs=gdf.crs)
        layers.append((name, frame, meta, f"{meta['status'].upper()}: {meta['source']}", f"{name} ({meta['status']})"))
    write_layers(path, layers)
