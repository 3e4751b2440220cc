"""Layer I/O (mca.inputs.layers) and the heerlen_layers schematic Heerlen layers."""

from __future__ import annotations

import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from mca.core.errors import DataError
from mca.inputs.layers import (
    BUNDLED_LAYERS,
    LAYER_SCHEMA,
    LayerSettings,
    LayerSource,
    is_schematic,
    load_layers,
    read_layer,
    schematic_layers,
)

# 001, Kerncijfers bedrijventerreinen Heerlen (appendix 2), "Bruto oppervlakte" in ha.
GROSS_HA_001 = {
    "avantis": 46.0,
    "baaks-soureth": 11.4,
    "beitel": 136.2,
    "c-mill": 14.8,
    "coriopolis": 18.6,
    "de-kissel": 16.7,
    "de-koumen": 57.1,
    "emma": 18.7,
    "in-de-cramer": 17.2,
    "litscherveld": 1.4,
    "nieuw-einde": 3.5,
    "prinsenstraat": 6.7,
    "smitzerveld": 13.5,
    "ten-esschen": 12.8,
    "trilandis": 54.8,
    "weggebekker": 3.6,
    "wijngaardsweg": 25.0,
}


def write(gdf: gpd.GeoDataFrame, path, **kwargs) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns about a missing CRS on purpose here
        gdf.to_file(path, **kwargs)


def test_reprojects_wgs84_to_rd_new(tmp_path):
    # Known answer: the RD origin (Onze Lieve Vrouwetoren, Amersfoort) is x=155000, y=463000.
    path = tmp_path / "points.geojson"
    write(gpd.GeoDataFrame({"name": ["amersfoort"]}, geometry=[Point(5.38720621, 52.15517440)], crs="EPSG:4326"), path)
    gdf = read_layer(path, "stations", required_columns=("name",), geom_types=("Point",))
    assert gdf.crs.to_epsg() == 28992
    assert gdf.geometry[0].x == pytest.approx(155000, abs=1.0)
    assert gdf.geometry[0].y == pytest.approx(463000, abs=1.0)


def test_missing_crs_names_layer_and_file(tmp_path):
    path = tmp_path / "nocrs.shp"
    write(gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(196000, 320000)]), path)
    with pytest.raises(DataError, match="no coordinate reference system") as info:
        read_layer(path, "stations")
    assert "nocrs.shp" in str(info.value) and "stations" in str(info.value)


def test_empty_layer_is_refused(tmp_path):
    path = tmp_path / "empty.gpkg"
    write(gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:28992"), path, layer="natura2000")
    with pytest.raises(DataError, match="layer 'natura2000' is empty") as info:
        read_layer(path, "natura2000")
    assert "empty.gpkg" in info.value.source


def test_missing_column_names_layer_and_field(tmp_path):
    path = tmp_path / "nnn.geojson"
    square = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    write(gpd.GeoDataFrame({"name": ["x"]}, geometry=[square], crs="EPSG:28992"), path)
    with pytest.raises(DataError, match="lacks the required column 'zone'") as info:
        read_layer(path, "nnn", required_columns=LAYER_SCHEMA["nnn"][0])
    assert info.value.field == "zone" and "nnn.geojson" in info.value.source


@pytest.mark.parametrize("content", [None, b"this is not a geopackage"])
def test_unreadable_or_missing_file(tmp_path, content):
    path = tmp_path / "broken.gpkg"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read_layer(path, "roads")
    assert "roads" in str(info.value) and "broken.gpkg" in str(info.value)


def test_wrong_geometry_type(tmp_path):
    path = tmp_path / "lines.gpkg"
    write(gpd.GeoDataFrame({"name": ["l"]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:28992"), path)
    with pytest.raises(DataError, match="must hold Polygon/MultiPolygon"):
        read_layer(path, "residential", geom_types=("Polygon", "MultiPolygon"))


def test_bow_tie_is_repaired_with_a_warning_naming_the_feature(tmp_path):
    path = tmp_path / "parks.gpkg"
    bow_tie = Polygon([(0, 0), (200, 200), (200, 0), (0, 200)])
    square = Polygon([(500, 0), (600, 0), (600, 100), (500, 100)])
    write(
        gpd.GeoDataFrame(
            {"park_id": ["ok", "knot"], "name": ["Ok", "Knot"]}, geometry=[square, bow_tie], crs="EPSG:28992"
        ),
        path,
    )
    with pytest.warns(UserWarning, match=r"feature 1 \(park_id=knot\)") as record:
        gdf = read_layer(path, "parks", geom_types=("Polygon", "MultiPolygon"))
    assert "parks" in str(record[0].message)
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry[1].area == pytest.approx(2 * 0.5 * 200 * 100)  # two triangles
    assert gdf.geometry[0].equals(square)


def test_ambiguous_invalid_geometry_is_refused(tmp_path):
    # A hole sticking out of its shell: the two repairs disagree on the area (23 vs 15 units).
    shell = [(0, 0), (400, 0), (400, 400), (0, 400)]
    hole = [(300, 300), (600, 300), (600, 600), (300, 600)]
    path = tmp_path / "bad.geojson"
    write(gpd.GeoDataFrame({"name": ["n"]}, geometry=[Polygon(shell, [hole])], crs="EPSG:28992"), path)
    with pytest.raises(DataError, match="cannot be repaired safely"):
        read_layer(path, "natura2000")


def test_named_layer_in_multilayer_geopackage(tmp_path):
    path = tmp_path / "multi.gpkg"
    for name, x in (("a", 1), ("b", 2)):
        write(gpd.GeoDataFrame({"name": [name]}, geometry=[Point(x, 0)], crs="EPSG:28992"), path, layer=name)
    assert read_layer(path, "stations", layer="b")["name"].tolist() == ["b"]
    with pytest.raises(DataError, match="several layers"):
        read_layer(path, "stations")
    with pytest.raises(DataError, match="no layer 'c'"):
        read_layer(path, "stations", layer="c")


def test_layer_settings_resolve_relative_paths(tmp_path):
    gdf = gpd.read_file(BUNDLED_LAYERS, layer="stations").to_crs("EPSG:4326")
    gdf.to_file(tmp_path / "my_stations.geojson")
    settings = LayerSettings.model_validate({"stations": {"path": "my_stations.geojson"}})
    layers = load_layers(settings, base_dir=tmp_path)
    assert layers["stations"].crs.to_epsg() == 28992
    original = gpd.read_file(BUNDLED_LAYERS, layer="stations")
    assert np.allclose(layers["stations"].geometry.x, original.geometry.x, atol=0.01)
    assert settings.source_for("parks") == LayerSource(path=BUNDLED_LAYERS, layer="parks")
    with pytest.raises(ValueError, match="rivers"):
        LayerSettings.model_validate({"rivers": {"path": "x.gpkg"}})


REAL_LAYERS = ("boundary", "natura2000", "stations")
"""The bundled layers taken from real sources (data/heerlen/real/README.md); the rest is schematic."""


def test_bundled_layers_are_valid_in_rd_new_and_say_whether_they_are_real(heerlen_layers):
    assert set(heerlen_layers) == {*LAYER_SCHEMA, "boundary"}
    for name, gdf in heerlen_layers.items():
        assert gdf.crs.to_epsg() == 28992, name
        assert gdf.geometry.is_valid.all(), name
        assert is_schematic(gdf) == (name not in REAL_LAYERS), name
    assert schematic_layers(heerlen_layers) == sorted(set(LAYER_SCHEMA) - set(REAL_LAYERS))
    metadata = heerlen_layers["parks"].attrs["metadata"]
    assert metadata["schematic"] == "true" and "SCHEMATIC" in metadata["DESCRIPTION"]
    boundary = heerlen_layers["boundary"]
    assert len(boundary) == 1 and boundary.area.sum() / 1e6 == pytest.approx(45.55, rel=0.02)  # CBS: 45.55 km²
    plain = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(0, 0)], crs="EPSG:28992")
    assert not is_schematic(plain)
    assert is_schematic(plain.assign(schematic=True))


def test_park_polygons_have_the_gross_area_of_001(heerlen_layers):
    parks = heerlen_layers["parks"].set_index("park_id")
    assert sorted(parks.index) == sorted(GROSS_HA_001)
    area_ha = parks.area / 10_000
    for park_id, gross in GROSS_HA_001.items():
        assert area_ha[park_id] == pytest.approx(gross, abs=0.01), park_id


def test_park_polygons_match_the_park_table(heerlen_layers):
    from mca.inputs.dataset import load_parks

    table = load_parks()
    area_ha = heerlen_layers["parks"].set_index("park_id").area / 10_000
    assert np.allclose(area_ha[table.index], table["gross_ha"], atol=0.01)


def road_graph(roads: gpd.GeoDataFrame) -> nx.Graph:
    graph = nx.Graph()
    for line in roads.geometry:
        start, end = np.round(line.coords[0], 1), np.round(line.coords[-1], 1)
        graph.add_edge(tuple(start), tuple(end), length=line.length)
    return graph


def test_road_network_is_connected_and_junctions_are_on_it(heerlen_layers):
    graph = road_graph(heerlen_layers["roads"])
    assert nx.is_connected(graph)
    nodes = {tuple(np.round(p.coords[0], 1)) for p in heerlen_layers["junctions"].geometry}
    assert nodes <= set(graph.nodes)
    assert set(heerlen_layers["roads"]["road_class"]) <= {"motorway", "main", "access", "local"}
    assert (heerlen_layers["roads"]["volume_veh_h"] <= heerlen_layers["roads"]["capacity_veh_h"]).all()
    assert (heerlen_layers["roads"]["volume_veh_h"] / heerlen_layers["roads"]["capacity_veh_h"] > 0.9).any()


def test_every_park_reaches_a_junction_by_a_plausible_route(heerlen_layers):
    graph = road_graph(heerlen_layers["roads"])
    junctions = [tuple(np.round(p.coords[0], 1)) for p in heerlen_layers["junctions"].geometry]
    distance = nx.multi_source_dijkstra_path_length(graph, junctions, weight="length")
    detour = {}
    for park in heerlen_layers["parks"].itertuples():
        inside = [n for n in graph.nodes if park.geometry.contains(Point(n))]
        assert inside, f"no road reaches {park.park_id}"
        route = min(distance[n] for n in inside)
        straight = heerlen_layers["junctions"].distance(park.geometry.centroid).min()
        detour[park.park_id] = route / straight
    # no park is cut off or reached only by an absurd detour
    assert all(ratio < 10 for ratio in detour.values()), detour


def test_parks_do_not_overlap_each_other_or_dwellings_but_some_are_close(heerlen_layers):
    parks, residential = heerlen_layers["parks"], heerlen_layers["residential"]
    assert parks.union_all().area == pytest.approx(parks.area.sum())
    assert parks.intersection(residential.union_all()).area.max() == 0
    nearest = parks.geometry.apply(lambda g: residential.distance(g).min())
    assert (nearest < 100).any() and (nearest < 300).sum() >= 4


def test_a_hole_outside_its_shell_is_refused_not_turned_into_land(tmp_path):
    shell = [(0, 0), (300, 0), (300, 300), (0, 300)]
    outside = [(400, 0), (500, 0), (500, 80), (400, 80)]
    path = tmp_path / "drawn.gpkg"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[Polygon(shell, [outside])], crs="EPSG:28992").to_file(path)
    with pytest.raises(DataError, match="cannot be repaired safely") as caught:
        read_layer(path, "user sites", geom_types=("Polygon", "MultiPolygon"))
    assert caught.value.source and "drawn.gpkg" in caught.value.source


def test_a_repair_is_reported_with_its_area(tmp_path):
    path = tmp_path / "bow.gpkg"
    bow_tie = Polygon([(0, 0), (300, 300), (300, 0), (0, 300)])
    gpd.GeoDataFrame({"name": ["bow"]}, geometry=[bow_tie], crs="EPSG:28992").to_file(path)
    with pytest.warns(UserWarning, match=r"area after repair 4\.5 ha"):
        repaired = read_layer(path, "sites", geom_types=("Polygon", "MultiPolygon"))
    assert repaired.area.sum() == pytest.approx(45_000)
