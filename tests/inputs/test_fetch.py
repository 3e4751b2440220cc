"""`mca layers fetch` against recorded service responses served from 127.0.0.1 (never the network).

The responses are built here in each service's published schema: OGC API Features pages with
``links``/``rel: next`` (CBS, NWB), WFS 2.0 GeoJSON pages paged by ``startIndex`` (Natura 2000,
BAG) and Overpass JSON (OSM). Page size is patched to 2 so that every service pages.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, box, mapping
from typer.testing import CliRunner

from mca.app.cli import app
from mca.inputs import fetch
from mca.inputs.layers import BUNDLED_LAYERS, LayerSettings, LayerSource, layer_status, load_layers

BBOX = (190000.0, 314000.0, 206000.0, 328000.0)


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    """A GeoJSON feature."""
    return {"type": "Feature", "geometry": mapping(geometry), "properties": properties}


HEERLEN = feature(box(*BBOX), statcode="GM0917", statnaam="Heerlen", jrstatcode="2022GM0917", rubriek="gemeente")
CBS = [HEERLEN, feature(box(206000, 314000, 210000, 328000), statcode="GM0928", statnaam="Kerkrade")]
N2K = [
    feature(box(197600, 324700, 200200, 327200), naamN2K="Brunssummerheide", nummer=159, beschermin="Habitatrichtlijn"),
    feature(box(193700, 316300, 195000, 317000), naamN2K="Kunderberg", nummer=160, beschermin="Habitatrichtlijn"),
    feature(box(190500, 318000, 191200, 326000), naamN2K="Geleenbeekdal", nummer=156, beschermin="Habitatrichtlijn"),
]
NWB_ROWS = [  # A76 main carriageway, two ramps (Rijk), N281 (Provincie), municipal streets to the parks
    (1, "R", "076", "", "HR", [(189800, 321800), (193800, 317700), (199200, 316400), (204700, 316500)]),
    (2, "R", "076", "", "AFR", [(193800, 317700), (194600, 319400)]),
    (3, "R", "076", "", "OPR", [(199200, 316400), (198700, 316900)]),
    (4, "P", "281", "Antwerpseweg", "HR", [(194600, 319400), (196400, 320600), (199300, 320700)]),
    (5, "G", "", "Beitelstraat", "", [(198700, 316900), (197400, 317800)]),
    (6, "G", "", "Koumenweg", "", [(199300, 320700), (199000, 322300), (197700, 323200)]),
    (7, "G", "", "Emmastraat", "", [(197700, 323200), (196300, 325000), (195600, 325150)]),
]
NWB = [feature(LineString(c), WVK_ID=600000000 + i, WEGBEHSRT=m, WEGNUMMER=n, STT_NAAM=s, BST_CODE=b)
       for i, m, n, s, b, c in NWB_ROWS]  # fmt: skip
BAG = [
    feature(box(195400 + 60 * i, 320000, 195440 + 60 * i, 320040), identificatie=f"09171000000{i:05d}",
            status="Pand in gebruik", gebruiksdoel="woonfunctie", bouwjaar=1960)
    for i in range(5)
] + [feature(box(197000, 318000, 197100, 318100), identificatie="0917100000099999", status="Pand in gebruik",
             gebruiksdoel="industriefunctie", bouwjaar=1975)]  # fmt: skip


def _ll(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([shapely.Point(x, y)], crs="EPSG:28992").to_crs("EPSG:4326").iloc[0]
    return point.x, point.y


def _way(way_id: int, name: str, rd_box: tuple[float, float, float, float]) -> dict[str, Any]:
    ring = list(box(*rd_box).exterior.coords)
    return {"type": "way", "id": way_id, "tags": {"landuse": "industrial", "name": name},
            "geometry": [{"lon": _ll(x, y)[0], "lat": _ll(x, y)[1]} for x, y in ring]}  # fmt: skip


OSM_INDUSTRIAL = {"elements": [_way(11, "Bedrijventerrein De Beitel", (197000, 317400, 197800, 318200)),
                               _way(12, "Emma", (196000, 324800, 196600, 325200)),
                               _way(13, "Handelsterrein Emma", (195000, 326000, 195400, 326400))]}  # fmt: skip
OSM_STOPS = {"elements": [
    {"type": "node", "id": 21, "lat": _ll(196250, 320900)[1], "lon": _ll(196250, 320900)[0],
     "tags": {"railway": "station", "name": "Heerlen"}},
    {"type": "node", "id": 22, "lat": _ll(198650, 317050)[1], "lon": _ll(198650, 317050)[0],
     "tags": {"highway": "bus_stop", "name": "Trilandis"}},
]}  # fmt: skip


def ogc_page(features: list[dict], start: int, size: int, next_url: str) -> dict[str, Any]:
    """One OGC API Features page with a ``next`` link while features remain."""
    page = {"type": "FeatureCollection", "features": features[start : start + size], "links": []}
    if start + size < len(features):
        page["links"] = [{"rel": "next", "type": "application/geo+json", "href": next_url}]
    return page


class Recorded(BaseHTTPRequestHandler):
    """Serves the recorded responses; the first NWB request fails once with 503 (retry test)."""

    calls: ClassVar[list[str]] = []
    failed_once = False

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _send(self, body: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """OGC API Features and WFS GetFeature."""
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        type(self).calls.append(self.path)
        base = f"http://{self.headers['Host']}{url.path}"
        if url.path == "/cbs/collections/gemeente_gegeneraliseerd/items":
            if "statnaam" in query:
                self._send({"type": "FeatureCollection", "features": [f for f in CBS if f["properties"]["statnaam"]
                                                                      == query["statnaam"]]})  # fmt: skip
                return
            start = int(query.get("offset", 0))
            self._send(ogc_page(CBS, start, 2, f"{base}?offset={start + 2}"))
        elif url.path == "/nwb/collections/wegvakken/items":
            if not type(self).failed_once:
                type(self).failed_once = True
                self._send({"error": "busy"}, status=503)
                return
            start = int(query.get("offset", 0))
            self._send(ogc_page(NWB, start, 2, f"{base}?f=json&offset={start + 2}"))
        elif url.path in ("/n2k", "/bag"):
            data = N2K if url.path == "/n2k" else BAG
            start, count = int(query["startIndex"]), int(query["count"])
            self._send({"type": "FeatureCollection", "features": data[start : start + count]})
        else:
            self._send({"error": "not found"}, status=404)

    def do_POST(self) -> None:
        """Overpass: the query decides which recorded answer is given."""
        length = int(self.headers["Content-Length"])
        query = urllib.parse.parse_qs(self.rfile.read(length).decode())["data"][0]
        type(self).calls.append(query)
        self._send(OSM_INDUSTRIAL if "landuse" in query else OSM_STOPS)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local server with the recorded responses; page size 2, no waiting between retries."""
    monkeypatch.setattr(fetch, "PAGE_SIZE", 2)
    monkeypatch.setattr(fetch.time, "sleep", lambda _s: None)
    Recorded.calls, Recorded.failed_once = [], False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def endpoints(base: str) -> list[str]:
    """--endpoint options pointing every source at the local server."""
    paths = {"cbs": "cbs", "natura2000": "n2k", "nwb": "nwb", "bag": "bag", "osm_industrial": "overpass",
             "osm_stations": "overpass"}  # fmt: skip
    return [arg for name, path in paths.items() for arg in ("--endpoint", f"{name}={base}/{path}")]


def test_fetch_writes_engine_layers_and_provenance(server: str, tmp_path: Path) -> None:
    out = tmp_path / "fetched.gpkg"
    result = CliRunner().invoke(app, ["layers", "fetch", "--municipality", "Heerlen", "--out", str(out),
                                      *endpoints(server)])  # fmt: skip
    assert result.exit_code == 0, result.output
    names = {str(n) for n in pyogrio.list_layers(out)[:, 0]}
    assert names == {"boundary", "natura2000", "roads", "junctions", "residential", "parks", "stations", "provenance"}
    provenance = pyogrio.read_dataframe(out, layer="provenance").set_index("layer")
    assert provenance.loc["natura2000", "feature_count"] == len(N2K)  # two WFS pages of 2
    assert provenance.loc["roads", "feature_count"] == len(NWB)  # four OGC API pages, one retried
    assert provenance.loc["parks", "licence"].startswith("ODbL")
    assert sum("/nwb/" in call for call in Recorded.calls) == 5  # 503 once, then 4 pages
    wfs_starts = [urllib.parse.parse_qs(c.split("?", 1)[1])["startIndex"][0] for c in Recorded.calls if "/n2k" in c]
    assert wfs_starts == ["0", "2"]
    junctions = pyogrio.read_dataframe(out, layer="junctions")
    assert len(junctions) == 2  # the ends of the two ramps on the provincial and municipal road
    parks = pyogrio.read_dataframe(out, layer="parks")
    assert sorted(parks["park_id"]) == ["beitel", "emma"]


def test_fetched_layers_load_as_real_and_a_run_accepts_them(server: str, tmp_path: Path) -> None:
    out = tmp_path / "fetched.gpkg"
    args = ["layers", "fetch", "--bbox", ",".join(f"{v:.0f}" for v in BBOX), "--out", str(out), *endpoints(server)]
    assert CliRunner().invoke(app, args).exit_code == 0
    fetched = {name: LayerSource(path=out, layer=name) for name in
               ("natura2000", "roads", "junctions", "residential", "stations", "boundary")}  # fmt: skip
    layers = load_layers(LayerSettings(default_path=BUNDLED_LAYERS, **fetched))
    assert layer_status(layers["natura2000"])["status"] == "real"
    assert layers["boundary"]["name"].tolist() == ["Heerlen"]
    scenario = tmp_path / "fetched.yaml"
    lines = [f"extends: {Path('scenarios/heerlen_base.yaml').resolve()}", "name: fetched", "layers:"]
    lines += [f"  {name}: {{path: {out}, layer: {name}}}" for name in fetched]
    scenario.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs" / "fetched" / "ranking.csv").exists()


def test_fetch_needs_one_area_and_reports_http_errors(server: str, tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["layers", "fetch", "--municipality", "X", "--bbox", "0,0,1,1", "--out", "x.gpkg"])
    assert both.exit_code == 1 and "either --municipality" in both.output
    unknown = runner.invoke(app, ["layers", "fetch", "--municipality", "Atlantis", "--out",
                                  str(tmp_path / "a.gpkg"), *endpoints(server)])  # fmt: skip
    assert unknown.exit_code == 1 and "no municipality named 'Atlantis'" in unknown.output
    missing = runner.invoke(app, ["layers", "fetch", "--bbox", "0,0,10,10", "--out", str(tmp_path / "b.gpkg"),
                                  *endpoints(server), "--endpoint", f"cbs={server}/nothing"])  # fmt: skip
    assert missing.exit_code == 1 and "HTTP 404" in missing.output
    assert not (tmp_path / "b.gpkg").exists()


def test_layers_check_reports_profile_mapping_and_coverage(tmp_path: Path) -> None:
    roads = gpd.GeoDataFrame([p["properties"] for p in NWB], geometry=[LineString(r[5]) for r in NWB_ROWS],
                             crs="EPSG:28992")  # fmt: skip
    roads.to_file(tmp_path / "nwb.gpkg", engine="pyogrio")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"extends: {Path('scenarios/heerlen_base.yaml').resolve()}\nname: s\nlayers:\n"
        f"  default_path: {Path('data/heerlen/heerlen.gpkg').resolve()}\n"
        f"  roads: {{path: nwb.gpkg, profile: nwb}}\n"
    )
    result = CliRunner().invoke(app, ["layers", "check", str(scenario), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["layer"]: row for row in json.loads(result.output)}
    assert rows["roads"]["profile"] == "nwb" and rows["roads"]["features"] == len(NWB_ROWS)
    assert rows["roads"]["mapped"]["road_id"] == "WVK_ID"
    assert "assumption" in rows["roads"]["defaults"]["capacity_veh_h"]
    assert rows["boundary"]["coverage_pct"] == 100.0
    assert rows["natura2000"]["status"] == "real" and rows["parks"]["status"] == "schematic"
