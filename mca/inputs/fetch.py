"""Download the official layers for an area: PDOK OGC API Features / WFS 2.0 and OSM Overpass.

Written from the services' documentation and NOT tried against the live services (the build
machines have no internet); the tests replay recorded responses from a local server. Every
endpoint below can be overridden (``FetchSource.url``), e.g. when PDOK moves a service.

- OGC API Features (OGC 17-069r4): ``GET {url}/collections/{collection}/items?f=json&limit=N&
  bbox=…&bbox-crs=…28992&crs=…28992``; the next page is the ``links`` entry with
  ``rel: next`` (followed until there is none).
- WFS 2.0 (OGC 09-025r2) ``GetFeature`` with ``typeNames``, ``bbox=…,urn:ogc:def:crs:EPSG::28992``,
  ``srsName=EPSG:28992``, ``outputFormat=application/json``, paged with ``count`` and
  ``startIndex`` until a page holds fewer than ``count`` features.
- Overpass API (wiki.openstreetmap.org/wiki/Overpass_API): ``POST {url}`` with ``data=<Overpass QL>``,
  ``[out:json]`` and ``out geom;`` so that ways carry their coordinates; bbox as
  (south, west, north, east) in WGS84.

Each request is retried (``RETRIES`` times, with growing waits) on connection errors, HTTP 429
and 5xx. No presentation code here: the caller passes a ``progress`` callback.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from mca.core.errors import DataError

RD = "EPSG:28992"
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
PAGE_SIZE = 1000
RETRIES = 3
TIMEOUT_S = 60.0
USER_AGENT = "mca-sites layers fetch (https://github.com/; design research Heerlen)"

Progress = Callable[[str, int], None]
"""Called after every page with the source's name and the features received so far."""


@dataclass(frozen=True)
class FetchSource:
    """One collection of one service, and the engine layer (through a profile) it becomes."""

    name: str
    kind: str  # "ogcapi", "wfs" or "overpass"
    url: str
    collection: str
    layer: str
    profile: str | None
    licence: str
    options: dict[str, Any] = field(default_factory=dict)


PDOK = "https://api.pdok.nl"
SOURCES: tuple[FetchSource, ...] = (
    FetchSource("cbs", "ogcapi", f"{PDOK}/cbs/gebiedsindelingen/ogc/v1", "gemeente_gegeneraliseerd", "boundary",
                "cbs", "CC BY 4.0, Kadaster / CBS"),
    FetchSource("natura2000", "wfs", "https://service.pdok.nl/rvo/natura2000/wfs/v1_0", "natura2000:natura2000",
                "natura2000", "natura2000_rvo", "CC0 / public domain (RVO via PDOK)"),
    FetchSource("nwb", "ogcapi", f"{PDOK}/rws/nationaal-wegenbestand-wegen/ogc/v1", "wegvakken", "roads", "nwb",
                "CC0 (Rijkswaterstaat via PDOK)"),
    FetchSource("bag", "wfs", "https://service.pdok.nl/lv/bag/wfs/v2_0", "bag:pand", "residential", "bag",
                "CC0 (Kadaster via PDOK)"),
    FetchSource("osm_industrial", "overpass", "https://overpass-api.de/api/interpreter",
                'nwr["landuse"="industrial"]', "parks", "osm_parks", "ODbL 1.0, (c) OpenStreetMap contributors"),
    FetchSource("osm_stations", "overpass", "https://overpass-api.de/api/interpreter",
                'node["railway"="station"];node["highway"="bus_stop"]', "stations", "osm_stations",
                "ODbL 1.0, (c) OpenStreetMap contributors"),
)  # fmt: skip
"""What ``mca layers fetch`` downloads; URLs and collections from the services' documentation."""


@dataclass
class Fetched:
    """The features of one source (in its published schema, EPSG:28992) and their provenance row."""

    source: FetchSource
    frame: gpd.GeoDataFrame
    query: str


def http_get(url: str, data: bytes | None = None, sleep: Callable[[float], None] = time.sleep) -> bytes:
    """The body of a GET (or POST when ``data``) request, retried on 429, 5xx and connection errors."""
    request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT})
    for attempt in range(RETRIES + 1):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            if (exc.code != 429 and exc.code < 500) or attempt == RETRIES:
                raise DataError(f"HTTP {exc.code} from the service", source=url) from None
        except (urllib.error.URLError, TimeoutError) as exc:
            if attempt == RETRIES:
                raise DataError(f"cannot reach the service: {exc}", source=url) from None
        sleep(2.0**attempt)
    raise AssertionError("unreachable")


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        raise DataError("the service did not answer with JSON", source=url) from None
    if not isinstance(value, dict):
        raise DataError("the service answered with unexpected JSON", source=url)
    return value


def ogcapi_pages(source: FetchSource, bbox: tuple[float, ...], get: Callable[[str], bytes]) -> Iterator[dict]:
    """Every page (GeoJSON FeatureCollection) of an OGC API Features collection within ``bbox``."""
    query = urllib.parse.urlencode(
        {"f": "json", "limit": PAGE_SIZE, "bbox": ",".join(f"{v:.0f}" for v in bbox), "bbox-crs": RD_URI, "crs": RD_URI}
    )
    url: str | None = f"{source.url}/collections/{source.collection}/items?{query}"
    while url:
        page = _json(get(url), url)
        yield page
        url = next((link["href"] for link in page.get("links", []) if link.get("rel") == "next"), None)


def wfs_pages(source: FetchSource, bbox: tuple[float, ...], get: Callable[[str], bytes]) -> Iterator[dict]:
    """Every page of a WFS 2.0 GetFeature within ``bbox`` (count/startIndex paging)."""
    start = 0
    while True:
        params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature", "typeNames": source.collection,
                  "srsName": RD, "outputFormat": "application/json", "count": PAGE_SIZE, "startIndex": start,
                  "bbox": ",".join(f"{v:.0f}" for v in bbox) + ",urn:ogc:def:crs:EPSG::28992"}  # fmt: skip
        url = f"{source.url}?{urllib.parse.urlencode(params)}"
        page = _json(get(url), url)
        yield page
        if len(page.get("features", [])) < PAGE_SIZE:
            return
        start += PAGE_SIZE


def overpass_query(source: FetchSource, bbox: tuple[float, ...]) -> str:
    """The Overpass QL for the source's statements within ``bbox`` (RD New, converted to WGS84)."""
    west, south, east, north = gpd.GeoSeries([shapely.box(*bbox)], crs=RD).to_crs("EPSG:4326").total_bounds
    box = f"({south:.5f},{west:.5f},{north:.5f},{east:.5f})"
    statements = "".join(f"{s.strip()}{box};" for s in source.collection.split(";"))
    return f"[out:json][timeout:120];({statements});out geom;"


def overpass_frame(answer: dict[str, Any]) -> gpd.GeoDataFrame:
    """OSM elements as features: nodes as points, closed ways as polygons (tags as columns)."""
    rows = []
    for element in answer.get("elements", []):
        tags = dict(element.get("tags", {}))
        if element.get("type") == "node":
            geometry = shapely.Point(element["lon"], element["lat"])
        elif element.get("type") == "way" and len(element.get("geometry", [])) >= 4:
            geometry = shapely.Polygon([(p["lon"], p["lat"]) for p in element["geometry"]])
        else:
            continue  # relations and open ways are left out (documented)
        rows.append({"osm_id": f"{element['type']}/{element['id']}", **tags, "geometry": geometry})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326") if rows else _empty()
    return frame.to_crs(RD)


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=RD)}, crs=RD)


def fetch_source(
    source: FetchSource, bbox: tuple[float, ...], get: Callable[..., bytes], progress: Progress
) -> Fetched:
    """All features of one source within ``bbox``, paged, as one frame in EPSG:28992."""
    if source.kind == "overpass":
        query = overpass_query(source, bbox)
        frame = overpass_frame(_json(get(source.url, urllib.parse.urlencode({"data": query}).encode()), source.url))
        progress(source.name, len(frame))
        return Fetched(source, frame, query)
    pages = ogcapi_pages if source.kind == "ogcapi" else wfs_pages
    features: list[dict] = []
    for page in pages(source, bbox, get):
        features.extend(page.get("features", []))
        progress(source.name, len(features))
    frame = gpd.GeoDataFrame.from_features(features, crs=RD) if features else _empty()
    return Fetched(source, frame, f"{source.url} {source.collection} bbox={','.join(f'{v:.0f}' for v in bbox)}")


def municipality_bbox(name: str, get: Callable[..., bytes], url: str = SOURCES[0].url) -> tuple[float, ...]:
    """The RD New bounds of the municipality ``name`` (CBS statnaam) from the CBS collection."""
    query = urllib.parse.urlencode({"f": "json", "statnaam": name, "crs": RD_URI})
    page = _json(get(f"{url}/collections/gemeente_gegeneraliseerd/items?{query}"), url)
    features = [f for f in page.get("features", []) if f.get("properties", {}).get("statnaam") == name]
    if not features:
        raise DataError(f"no municipality named '{name}' in the CBS boundaries", source=url, field="municipality")
    return tuple(float(v) for v in gpd.GeoDataFrame.from_features(features, crs=RD).total_bounds)


def provenance(fetched: list[Fetched], date: str) -> pd.DataFrame:
    """One row per source: service, collection, query, date, feature count, licence."""
    return pd.DataFrame(
        [{"service": f.source.url, "collection": f.source.collection, "layer": f.source.layer, "query": f.query,
          "date": date, "feature_count": len(f.frame), "licence": f.source.licence} for f in fetched]
    )  # fmt: skip


def junctions_from_roads(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Junctions where the motorway system meets the other roads: vertices shared by both classes.

    In the NWB the ramps belong to the motorway's manager (Rijk, class motorway), so the place
    where a ramp reaches a provincial or municipal road is a shared end vertex (rounded to
    0.1 m). Assumption: every such vertex is a usable junction.
    """
    ends: dict[bool, set[tuple[float, float]]] = {True: set(), False: set()}
    for geometry, road_class in zip(roads.geometry, roads["road_class"], strict=True):
        coords = list(geometry.coords)
        for x, y in (coords[0], coords[-1]):
            ends[road_class == "motorway"].add((round(x, 1), round(y, 1)))
    shared = sorted(ends[True] & ends[False])
    return gpd.GeoDataFrame(
        {"junction_id": [f"J{i:03d}" for i in range(1, len(shared) + 1)],
         "name": [f"junction at {x:.0f}, {y:.0f}" for x, y in shared]},
        geometry=[shapely.Point(p) for p in shared],
        crs=roads.crs,
    )  # fmt: skip


def to_engine_layers(fetched: list[Fetched], date: str) -> dict[str, gpd.GeoDataFrame]:
    """Each fetched source mapped by its profile into the engine's layer, with status metadata."""
    from mca.inputs.profiles import apply_profile

    layers: dict[str, gpd.GeoDataFrame] = {}
    for item in fetched:
        if item.frame.empty or item.source.profile is None:
            continue
        gdf = apply_profile(item.source.profile, item.frame, item.source.layer, item.source.options, where=item.query)
        gdf.attrs["metadata"] = {"status": "real", "schematic": "false", "source": f"{item.source.url} "
                                 f"{item.source.collection}", "date": date, "licence": item.source.licence}  # fmt: skip
        layers[item.source.layer] = gdf
    if "roads" in layers:
        junctions = junctions_from_roads(layers["roads"])
        if len(junctions):
            junctions.attrs["metadata"] = layers["roads"].attrs["metadata"] | {
                "source": "derived from NWB: motorway/other road shared vertices (assumption)"
            }
            layers["junctions"] = junctions
    return layers
