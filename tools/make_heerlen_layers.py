#!/usr/bin/env python3
"""Write the Heerlen GIS layers: ``data/heerlen/heerlen.gpkg`` (default) or ``layers.gpkg``.

``heerlen.gpkg`` (the default target) combines the REAL layers of ``data/heerlen/real/``
(Natura 2000, municipal boundaries as layer ``boundary``, public-transport stops as layer
``stations``) with SCHEMATIC parks, roads, junctions, dwellings and NNN placed at their real
locations (tables and sources in ``tools/heerlen_places.py``). Every layer carries GeoPackage
metadata: ``status`` (real/schematic), ``schematic`` (true/false), ``source``, ``date``,
``licence``. Run ``.venv/bin/python tools/make_heerlen_layers.py``.

``--schematic`` writes the older, all-schematic ``layers.gpkg`` described below (kept until the
bundled scenarios switch to ``heerlen.gpkg``).

The all-schematic layers (``layers.gpkg``):

SCHEMATIC DEMONSTRATION DATA. Positions and shapes are approximate, drawn by hand for this
project so that the engine can run without the real (non-downloadable) layers; they are not
survey data and must not be used for decisions. What is taken from a source:

- park gross areas: ``data/heerlen/parks.csv`` column ``gross_ha`` (001, Kerncijfers
  bedrijventerreinen Heerlen, appendix 2) or, if that file is missing, :data:`FALLBACK_GROSS_HA`
  (the same table); every park polygon is scaled to exactly that area;
- names only: parks (001), roads (A76, A79, Buitenring Parkstad N300, N281), the Natura 2000
  sites Brunssummerheide, Geleenbeekdal and Kunderberg, and the rail stations.

Everything else is an assumption of this schematic: the coordinates (a north cluster at the
Brunssum border, an east cluster, a south cluster along the A76 with Avantis straddling the
German border near Bocholtz, solitary parks in and near the city), road capacities and
peak-hour volumes, NNN zones and built-up outlines. Road capacities/volumes are chosen so that a few
links are near capacity. Weggebekker is reachable only through Brunssum (NNN and the
Brunssummerheide block the way south), so its route to a junction is much longer than the
straight line. The script is deterministic: it writes the same file on every run.

Run from the project root: ``.venv/bin/python tools/make_heerlen_layers.py --schematic``.
"""

from __future__ import annotations

import math
import sys
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "heerlen" / "layers.gpkg"
PARKS_CSV = ROOT / "data" / "heerlen" / "parks.csv"
CRS = "EPSG:28992"
DESCRIPTION = (
    "SCHEMATIC demonstration data for Heerlen: approximate positions and shapes, drawn for the "
    "mca-sites project (tools/make_heerlen_layers.py); not survey data, demonstration only."
)

FALLBACK_GROSS_HA: dict[str, float] = {
    # 001, Kerncijfers bedrijventerreinen Heerlen (appendix 2), column "Bruto oppervlakte" (ha)
    "avantis": 46.0, "baaks-soureth": 11.4, "beitel": 136.2, "c-mill": 14.8,
    "coriopolis": 18.6, "de-kissel": 16.7, "de-koumen": 57.1, "emma": 18.7,
    "in-de-cramer": 17.2, "litscherveld": 1.4, "nieuw-einde": 3.5, "prinsenstraat": 6.7,
    "smitzerveld": 13.5, "ten-esschen": 12.8, "trilandis": 54.8, "weggebekker": 3.6,
    "wijngaardsweg": 25.0,
}  # fmt: skip

# park_id: (name, centre x, centre y, width/height ratio, rotation in degrees) — schematic.
PARK_PLACES: dict[str, tuple[str, float, float, float, float]] = {
    # north cluster at the Brunssum border
    "nieuw-einde": ("Nieuw Einde", 195600, 325150, 1.4, 10),
    "emma": ("Emma", 196300, 325000, 1.35, -8),
    "weggebekker": ("Weggebekker", 197400, 325450, 1.1, 0),
    # east cluster
    "de-koumen": ("De Koumen", 199000, 322300, 1.3, 12),
    "wijngaardsweg": ("Wijngaardsweg", 199900, 321300, 1.35, -5),
    "ten-esschen": ("Ten Esschen", 197700, 323200, 1.3, 0),
    "prinsenstraat": ("Prinsenstraat e.o.", 198100, 321300, 1.35, 0),
    "smitzerveld": ("Smitzerveld", 198000, 320350, 1.3, 0),
    # south cluster along the A76; Avantis straddles the German border near Bocholtz
    "beitel": ("De Beitel", 197400, 317800, 1.45, 0),
    "baaks-soureth": ("Baaks-Soureth", 198350, 317550, 1.25, 0),
    "trilandis": ("Trilandis", 199300, 317700, 1.3, 6),
    "avantis": ("Avantis", 204300, 317500, 1.4, 0),
    # solitary parks in and near the city
    "c-mill": ("C-Mill", 196900, 321950, 1.2, 0),
    "coriopolis": ("Coriopolis (SD)", 194500, 320800, 1.35, 0),
    "de-kissel": ("De Kissel", 195500, 322500, 1.2, 0),
    "in-de-cramer": ("In de Cramer", 194300, 321900, 1.2, 0),
    "litscherveld": ("Litscherveld", 193500, 323400, 1.2, 0),
}

# Built-up areas: (name, kind, xmin, ymin, xmax, ymax) — schematic outlines.
RESIDENTIAL = [
    ("Heerlen-Centrum", "built-up", 195300, 319600, 197600, 321600),
    ("Heerlerheide", "dwellings", 194600, 322900, 196800, 324200),
    ("Hoensbroek", "dwellings", 191800, 323800, 194000, 325600),
    ("Heerlerbaan", "dwellings", 198600, 318600, 200300, 319900),
    ("Welten-Benzenrade", "dwellings", 194800, 318000, 196400, 319300),
    ("Schandelen", "dwellings", 197300, 322300, 198200, 323000),
    ("Brunssum", "built-up", 194800, 325800, 197200, 327500),
    ("Voerendaal", "built-up", 190200, 318000, 191900, 319300),
    ("Simpelveld", "built-up", 197200, 314800, 198900, 316000),
    ("Bocholtz", "built-up", 200800, 314700, 202300, 315900),
    ("Kerkrade-West", "built-up", 201300, 319000, 203000, 321300),
    ("Landgraaf", "built-up", 200900, 321700, 202800, 325200),
    ("Nuth", "built-up", 188500, 323000, 190200, 324800),
]

# Road nodes (schematic). Park access roads end at the park centre ("P:<park_id>").
NODES: dict[str, tuple[float, float]] = {
    "A76-west": (186500, 322600),
    "J-nuth": (189800, 321800),
    "A76-a": (191500, 320000),
    "J-kunderberg": (193800, 317700),
    "A76-b": (197000, 316500),
    "J-simpelveld": (199200, 316400),
    "J-bocholtz": (202300, 316300),
    "A76-border": (204700, 316500),
    "J-heerlen-a79": (194600, 319400),
    "N300-a": (190300, 324500),
    "J-hoensbroek": (191300, 325300),
    "N300-b": (192500, 326300),
    "J-brunssum": (195000, 325500),
    "N300-c": (195700, 324550),
    "J-heerlerheide": (196900, 324450),
    "J-heerlerheide-oost": (198000, 324300),
    "N300-d": (199800, 324000),
    "J-landgraaf": (200500, 323300),
    "N300-e": (200600, 321800),
    "J-kerkrade-west": (200600, 320200),
    "N300-f": (200800, 318400),
    "N281-a": (192500, 321600),
    "N281-b": (194000, 321300),
    "N281-c": (195100, 321700),
    "N281-d": (196900, 321700),
    "N281-e": (197750, 321700),
    "N281-f": (198100, 321480),
    "N281-g": (199300, 320700),
    "centrum": (196400, 320600),
    "kerkraderweg-a": (198000, 319880),
    "heerlerbaan": (199300, 319300),
    "zuid-a": (198700, 316900),
    "zuid-b": (197400, 316900),
    "zuid-c": (196500, 316900),
    "koumenweg-a": (198400, 322000),
    "koumenweg-b": (198400, 323500),
    "avantis-a": (203300, 316900),
    "brunssum-a": (195300, 326200),
    "brunssum-b": (197000, 326300),
}

# (road name, road_class, speed_kmh, capacity_veh_h, volume_veh_h, node chain); one feature per
# consecutive node pair. Capacities per direction at peak hour; volumes current peak hour.
# All figures are schematic assumptions; the access roads of Trilandis and De Beitel are near
# capacity so that the headroom criterion bites.
ROADS = [
    (
        "A76",
        "motorway",
        100,
        4200,
        3100,
        ["A76-west", "J-nuth", "A76-a", "J-kunderberg", "A76-b", "J-simpelveld", "J-bocholtz", "A76-border"],
    ),
    ("A79", "motorway", 100, 3600, 2400, ["J-kunderberg", "J-heerlen-a79"]),
    (
        "Buitenring Parkstad (N300)",
        "main",
        80,
        3600,
        2300,
        [
            "J-nuth",
            "N300-a",
            "J-hoensbroek",
            "N300-b",
            "J-brunssum",
            "N300-c",
            "J-heerlerheide",
            "J-heerlerheide-oost",
            "N300-d",
            "J-landgraaf",
            "N300-e",
            "J-kerkrade-west",
            "N300-f",
            "J-bocholtz",
        ],
    ),
    (
        "N281",
        "main",
        70,
        1800,
        1450,
        ["J-nuth", "N281-a", "N281-b", "N281-c", "N281-d", "N281-e", "N281-f", "N281-g", "J-kerkrade-west"],
    ),
    ("Valkenburgerweg", "main", 50, 1600, 1250, ["J-heerlen-a79", "centrum"]),
    ("Beersdalweg", "main", 50, 1600, 1100, ["centrum", "N281-c"]),
    ("Kerkraderweg", "main", 50, 1500, 1200, ["centrum", "kerkraderweg-a", "heerlerbaan", "J-kerkrade-west"]),
    ("Heerlen-Zuid (Beitel)", "main", 50, 1500, 1150, ["J-simpelveld", "zuid-a", "zuid-b", "zuid-c", "J-heerlen-a79"]),
    ("Koumenweg", "main", 50, 1400, 900, ["N281-f", "koumenweg-a", "koumenweg-b", "J-heerlerheide-oost"]),
    ("Brunssum-Zuid", "local", 30, 700, 300, ["J-brunssum", "brunssum-a", "brunssum-b"]),
]

# park_id: (nodes the access road starts from, road_class, speed_kmh, capacity_veh_h,
# volume_veh_h); the access road runs along these nodes to the park centre.
ACCESS = {
    "avantis": (["J-bocholtz", "avantis-a"], "access", 50, 1800, 900),
    "trilandis": (["J-simpelveld"], "access", 50, 1200, 1110),
    "beitel": (["zuid-b"], "access", 50, 1500, 1380),
    "baaks-soureth": (["zuid-a"], "access", 50, 900, 420),
    "coriopolis": (["N281-b"], "access", 50, 1200, 700),
    "in-de-cramer": (["N281-b"], "access", 50, 1200, 950),
    "de-kissel": (["N281-c"], "access", 50, 1000, 600),
    "c-mill": (["N281-d"], "access", 50, 1000, 780),
    "prinsenstraat": (["N281-f"], "access", 50, 900, 500),
    "wijngaardsweg": (["N281-g"], "access", 50, 1200, 820),
    "smitzerveld": (["kerkraderweg-a"], "access", 50, 900, 560),
    "de-koumen": (["koumenweg-a"], "access", 50, 1400, 1150),
    "ten-esschen": (["koumenweg-b"], "access", 50, 900, 450),
    "emma": (["J-heerlerheide"], "access", 50, 1000, 500),
    "nieuw-einde": (["J-brunssum"], "access", 50, 700, 250),
    "weggebekker": (["brunssum-b"], "local", 30, 600, 280),
    "litscherveld": (["N281-a"], "access", 50, 600, 200),
}

# junction node: (name, road). Motorway junctions of the A76/A79 and those of the N300.
JUNCTIONS = {
    "J-nuth": ("Nuth (A76/N300)", "A76"),
    "J-kunderberg": ("Knooppunt Kunderberg (A76/A79)", "A76"),
    "J-simpelveld": ("Simpelveld (A76)", "A76"),
    "J-bocholtz": ("Bocholtz (A76/N300)", "A76"),
    "J-heerlen-a79": ("Heerlen-Zuid (A79)", "A79"),
    "J-hoensbroek": ("Hoensbroek-Noord (N300)", "N300"),
    "J-brunssum": ("Brunssum-Zuid (N300)", "N300"),
    "J-heerlerheide": ("Heerlerheide (N300)", "N300"),
    "J-heerlerheide-oost": ("Heerlerheide-Oost (N300)", "N300"),
    "J-landgraaf": ("Landgraaf (N300)", "N300"),
    "J-kerkrade-west": ("Kerkrade-West (N300/N281)", "N300"),
}

GELEENBEEK = [(191400, 317300), (191000, 319500), (190800, 321500), (190900, 323500),
              (190500, 326000)]  # fmt: skip
NATURA2000 = [
    ("Brunssummerheide", Polygon([(197600, 324700), (200200, 324800), (200300, 327200),
                                  (198600, 327500), (197700, 326700)])),
    ("Geleenbeekdal", LineString(GELEENBEEK).buffer(150, cap_style="flat")),
    ("Kunderberg", Polygon([(193700, 316300), (194900, 316200), (195000, 316900),
                            (193900, 317000)])),
]  # fmt: skip
NNN = [
    ("Geleenbeekdal (NNN)", "zilvergroen", LineString(GELEENBEEK).buffer(400, cap_style="flat")),
    ("Brunssummerheide randzone", "goudgroen",
     Polygon([(196650, 324600), (197700, 324600), (197700, 325380), (196650, 325380)])),
    ("Caumerbeekdal (Heerlerbaan)", "goudgroen",
     LineString([(200400, 318350), (198700, 318400), (198450, 317600)]).buffer(90)),
    ("Caumerbos - Schrieversheide", "zilvergroen",
     Polygon([(193200, 321900), (194150, 321900), (194150, 323360), (193200, 323360)])),
]  # fmt: skip

STATIONS = [
    ("Heerlen", "rail", 196250, 320900),
    ("Hoensbroek", "rail", 193300, 324600),
    ("Heerlen De Kissel", "rail", 195600, 322100),
    ("Heerlen Woonboulevard", "rail", 198800, 321000),
    ("Avantis", "bus", 203500, 317000),
    ("Trilandis / De Beitel", "bus", 198650, 317050),
    ("Heerlerheide Passart", "bus", 195700, 323500),
    ("Emma", "bus", 196300, 324700),
]


def gross_areas() -> dict[str, float]:
    """Gross park areas in hectares: parks.csv if present, else the fallback table (001)."""
    if PARKS_CSV.exists():
        table = pd.read_csv(PARKS_CSV)
        return dict(zip(table["park_id"], table["gross_ha"].astype(float), strict=True))
    return dict(FALLBACK_GROSS_HA)


def chamfered_box(cx: float, cy: float, width: float, height: float) -> Polygon:
    """A rectangle with cut corners (15 % of the shorter side): less blob-like than a box."""
    cut = 0.15 * min(width, height)
    x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
    return Polygon([(x0 + cut, y0), (x1 - cut, y0), (x1, y0 + cut), (x1, y1 - cut),
                    (x1 - cut, y1), (x0 + cut, y1), (x0, y1 - cut), (x0, y0 + cut)])  # fmt: skip


def park_polygon(cx: float, cy: float, ratio: float, rotation: float, gross_ha: float) -> Polygon:
    """A chamfered rectangle around (cx, cy) scaled to exactly ``gross_ha`` hectares."""
    shape = affinity.rotate(chamfered_box(cx, cy, 100 * ratio, 100), rotation, origin=(cx, cy))
    factor = math.sqrt(gross_ha * 10_000 / shape.area)
    return affinity.scale(shape, factor, factor, origin=(cx, cy))


def parks_layer() -> gpd.GeoDataFrame:
    """The schematic park polygons (chamfered rectangles of the gross area)."""
    areas = gross_areas()
    rows = [
        {"park_id": pid, "name": name, "gross_ha": areas[pid],
         "geometry": park_polygon(x, y, ratio, rot, areas[pid])}
        for pid, (name, x, y, ratio, rot) in PARK_PLACES.items()
    ]  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def roads_layer(park_centres: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Road links between consecutive nodes and the access roads to the park centres."""
    nodes = dict(NODES) | {f"P:{pid}": xy for pid, xy in park_centres.items()}
    rows = []
    for name, road_class, speed, capacity, volume, chain in ROADS:
        prefix = name.split("(")[-1].rstrip(")") if "(" in name else name
        for i, (a, b) in enumerate(pairwise(chain), start=1):
            rows.append({"road_id": f"{prefix}-{i:02d}".replace(" ", "-").lower(), "name": name,
                         "road_class": road_class, "speed_kmh": speed, "capacity_veh_h": capacity,
                         "volume_veh_h": volume, "geometry": LineString([nodes[a], nodes[b]])})  # fmt: skip
    for pid, (start, road_class, speed, capacity, volume) in ACCESS.items():
        chain = [*start, f"P:{pid}"]
        for i, (a, b) in enumerate(pairwise(chain), start=1):
            rows.append({"road_id": f"access-{pid}-{i}", "name": f"Access {PARK_PLACES[pid][0]}",
                         "road_class": road_class, "speed_kmh": speed, "capacity_veh_h": capacity,
                         "volume_veh_h": volume, "geometry": LineString([nodes[a], nodes[b]])})  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def residential_layer() -> gpd.GeoDataFrame:
    """The schematic built-up outlines."""
    rows = [
        {"name": name, "kind": kind,
         "geometry": chamfered_box((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)}
        for name, kind, x0, y0, x1, y1 in RESIDENTIAL
    ]  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS)


def build_layers() -> dict[str, gpd.GeoDataFrame]:
    """All schematic layers, keyed by layer name, each with ``schematic = True``."""
    parks = parks_layer()
    centres = {pid: (x, y) for pid, (_, x, y, _, _) in PARK_PLACES.items()}
    layers = {
        "parks": parks,
        "natura2000": gpd.GeoDataFrame([{"name": n, "geometry": g} for n, g in NATURA2000], crs=CRS),
        "nnn": gpd.GeoDataFrame([{"name": n, "zone": z, "geometry": g} for n, z, g in NNN], crs=CRS),
        "roads": roads_layer(centres),
        "junctions": gpd.GeoDataFrame(
            [
                {"junction_id": node, "name": name, "road": road, "geometry": Point(NODES[node])}
                for node, (name, road) in JUNCTIONS.items()
            ],
            crs=CRS,
        ),
        "residential": residential_layer(),
        "stations": gpd.GeoDataFrame(
            [{"name": n, "kind": k, "geometry": Point(x, y)} for n, k, x, y in STATIONS], crs=CRS
        ),
    }
    for gdf in layers.values():
        mark_schematic(gdf)
    return layers


def mark_schematic(gdf: gpd.GeoDataFrame) -> None:
    """Flag every feature as schematic and round coordinates to 1 mm (stable bytes)."""
    gdf["schematic"] = True
    gdf.geometry.values[:] = shapely.set_precision(gdf.geometry.values, 0.001)


def write_layers(path: Path, layers: list[tuple[str, gpd.GeoDataFrame, dict[str, str], str, str]]) -> None:
    """Write ``(name, frame, metadata, description, identifier)`` layers to a fresh GeoPackage.

    GDAL's current date is fixed, so the file is byte-identical on every run.
    """
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-01-01T00:00:00Z"})
    path.unlink(missing_ok=True)
    for name, gdf, metadata, description, identifier in layers:
        pyogrio.write_dataframe(
            gdf,
            path,
            layer=name,
            driver="GPKG",
            layer_metadata=metadata,
            layer_options={"DESCRIPTION": description, "IDENTIFIER": identifier},
        )


def write(path: Path = OUTPUT) -> None:
    """Write every layer to the GeoPackage ``path`` with fixed timestamps (reproducible)."""
    layers = [
        (name, gdf, {"schematic": "true"}, DESCRIPTION, f"{name} (schematic)") for name, gdf in build_layers().items()
    ]
    write_layers(path, layers)


if __name__ == "__main__":
    if "--schematic" in sys.argv[1:]:
        write()
        print(f"wrote {OUTPUT.relative_to(ROOT)}")
    else:
        from heerlen_real import write_heerlen

        write_heerlen()
        print("wrote data/heerlen/heerlen.gpkg")
