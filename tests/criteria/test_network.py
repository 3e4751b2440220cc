"""Road access and access pressure: network figures, detours and shortest-path routes."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

import criteria
from candidates.synthetic import synthetic_region
from criteria.base import Context
from criteria.network import RoadNetwork, ShortestPathTree
from mca.core.errors import DataError
from mca.core.vocabulary import ROAD_LINKS, SITE_ROUTES

CRS = "EPSG:28992"


def roads_frame(lines, classes, speeds=None, capacity=None, volume=None) -> gpd.GeoDataFrame:
    n = len(lines)
    return gpd.GeoDataFrame(
        {
            "road_id": [f"r{i}" for i in range(n)],
            "name": [f"road {i}" for i in range(n)],
            "road_class": classes,
            "speed_kmh": speeds or [50.0] * n,
            "capacity_veh_h": capacity or [1000.0] * n,
            "volume_veh_h": volume or [500.0] * n,
        },
        geometry=[LineString(line) for line in lines],
        crs=CRS,
    )


@pytest.fixture
def detour_layers():
    """Junction J at (0, 0); the site at (0, 300) reaches it only around a barrier, via (1000, *)."""
    roads = roads_frame(
        [[(-1000, 0), (0, 0)], [(0, 0), (1000, 0)], [(1000, 0), (1000, 300)], [(1000, 300), (0, 300)]],
        ["motorway", "access", "local", "local"],
        speeds=[100.0, 50.0, 50.0, 50.0],
        capacity=[4000.0, 800.0, 600.0, 900.0],
        volume=[3000.0, 700.0, 100.0, 300.0],
    )
    junctions = gpd.GeoDataFrame({"junction_id": ["J"], "name": ["Heerlen-Noord"]}, geometry=[Point(0, 0)], crs=CRS)
    return {"roads": roads, "junctions": junctions}


def site_frame(*geoms):
    return gpd.GeoDataFrame({"site_id": [f"s{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=CRS)


def test_network_distance_reports_the_detour(detour_layers):
    frame = site_frame(box(-20, 280, 20, 320))
    values = criteria.get("road_access").run(frame, Context(layers=detour_layers)).values
    assert values.loc["s0", "road_access_straight_m"] == pytest.approx(280)
    assert values.loc["s0", "road_access_network_m"] == pytest.approx(2300)
    assert values.loc["s0", "road_access_time_min"] == pytest.approx(2300 / (50_000 / 60))
    assert values.loc["s0", "road_access_detour_factor"] == pytest.approx(2300 / 280)
    assert values.loc["s0", "road_access_junction"] == "J"


def test_access_leg_is_added(detour_layers):
    frame = site_frame(box(-20, 330, 20, 370))  # 30 m north of the road end point (0, 300)
    values = criteria.get("road_access").run(frame, Context(layers=detour_layers)).values
    assert values.loc["s0", "road_access_access_leg_m"] == pytest.approx(30)
    assert values.loc["s0", "road_access_network_m"] == pytest.approx(2330)
    assert values.loc["s0", "road_access_time_min"] == pytest.approx(2300 / (50_000 / 60) + 30 / (30_000 / 60))


def test_access_pressure_links_and_routes(detour_layers):
    frame = site_frame(box(-20, 280, 20, 320))
    ctx = Context(layers=detour_layers)
    result = criteria.get("access_pressure").run(frame, ctx)
    outputs = criteria.road_outputs(frame, ctx)
    routes, links = outputs[SITE_ROUTES], outputs[ROAD_LINKS]
    assert routes["link_id"].tolist() == [3, 2, 1]  # from the site to the junction
    assert set(routes["site_id"]) == {"s0"}
    assert result.values.loc["s0", "access_pressure_min_headroom_veh_h"] == 100  # link 1: 800 − 700
    assert result.values.loc["s0", "access_pressure_max_vc"] == pytest.approx(700 / 800)
    assert links["headroom_veh_h"].tolist() == [1000.0, 100.0, 500.0, 600.0]
    assert list(links.columns) == ["link_id", "road_id", "capacity_veh_h", "volume_veh_h", "headroom_veh_h"]


def test_road_outputs_do_not_depend_on_the_road_criteria(detour_layers):
    frame = site_frame(box(-20, 280, 20, 320))
    needs_other_layers = [c.name for c in criteria.registry().values() if set(c.layers) - {"roads", "junctions"}]
    off = criteria.CriteriaSettings.model_validate(
        {name: {"enabled": False} for name in ("access_pressure", "road_access", *needs_other_layers)}
    )
    evaluation = criteria.evaluate(frame, detour_layers, off)
    assert "access_pressure" not in evaluation.primary
    assert evaluation.routes["link_id"].tolist() == [3, 2, 1]
    assert len(evaluation.links) == 4


def test_unconnected_site_gets_nan(detour_layers):
    layers = dict(detour_layers)
    layers["roads"] = roads_frame(
        [*[list(g.coords) for g in detour_layers["roads"].geometry], [(5000, 5000), (6000, 5000)]],
        ["motorway", "access", "local", "local", "local"],
    )
    frame = site_frame(box(5990, 4990, 6010, 5010))
    ctx = Context(layers=layers)
    values = criteria.get("road_access").run(frame, ctx).values
    assert np.isnan(values.loc["s0", "road_access_network_m"])
    pressure = criteria.get("access_pressure").run(frame, ctx)
    assert criteria.road_outputs(frame, ctx)[SITE_ROUTES].empty and np.isnan(
        pressure.values.loc["s0", "access_pressure_min_headroom_veh_h"]
    )


def test_junction_off_the_network_is_a_data_error(detour_layers):
    far = gpd.GeoDataFrame({"junction_id": ["X"], "name": ["x"]}, geometry=[Point(500, 5000)], crs=CRS)
    with pytest.raises(DataError, match="X") as caught:
        RoadNetwork.from_layers(detour_layers["roads"], far)
    assert caught.value.source == "junctions"


def _nx_graph(roads: gpd.GeoDataFrame) -> tuple[nx.MultiGraph, dict]:
    """The road graph built independently with networkx, nodes keyed by rounded coordinates."""
    graph = nx.MultiGraph()
    for link_id, (geom, speed) in enumerate(zip(roads.geometry, roads["speed_kmh"], strict=True)):
        a, b = (tuple(np.round(c, 1)) for c in (geom.coords[0], geom.coords[-1]))
        graph.add_edge(a, b, key=link_id, length=geom.length, time=geom.length / (speed * 1000 / 60))
    return graph


def test_routes_are_shortest_paths_on_synthetic_region():
    region = synthetic_region(n_parks=4, n_sites=60, n_road_edges=600, seed=3)
    ctx = Context(layers=region.layers)
    access = criteria.get("road_access").run(region.candidates, ctx).values
    routes = criteria.road_outputs(region.candidates, ctx)[SITE_ROUTES]
    graph = _nx_graph(region.layers["roads"])
    junctions = [tuple(np.round(p.coords[0], 1)) for p in region.layers["junctions"].geometry]
    fastest = nx.multi_source_dijkstra_path_length(graph, junctions, weight="time")
    shortest = nx.multi_source_dijkstra_path_length(graph, junctions, weight="length")

    roads = region.layers["roads"]
    local_nodes = np.array(
        sorted(
            {
                tuple(np.round(c, 1))
                for g, cls in zip(roads.geometry, roads["road_class"], strict=True)
                if cls != "motorway"
                for c in (g.coords[0], g.coords[-1])
            }
        )
    )
    points = shapely.points(local_nodes)
    times = roads.geometry.length.to_numpy() / (roads["speed_kmh"].to_numpy() * 1000 / 60)
    for site_id, geom in zip(region.candidates["site_id"], region.candidates.geometry, strict=True):
        distances = shapely.distance(geom, points)
        leg = distances.min()
        nearest = [tuple(n) for n in local_nodes[np.isclose(distances, leg)]]
        assert access.loc[site_id, "road_access_network_m"] == pytest.approx(min(shortest[n] for n in nearest) + leg)
        entry = min(nearest, key=lambda n: fastest[n])
        route = routes.loc[routes["site_id"] == site_id, "link_id"].to_numpy()
        assert times[route].sum() == pytest.approx(fastest[entry])
        # the route is a connected walk from the entry node to a junction
        node = entry
        for link in route:
            coords = roads.geometry.iloc[link].coords
            a, b = tuple(np.round(coords[0], 1)), tuple(np.round(coords[-1], 1))
            assert node in (a, b)
            node = b if node == a else a
        assert node in junctions


@st.composite
def forests(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A random predecessor forest (−1 at roots) with shuffled node numbers, and a link per node."""
    n = draw(st.integers(1, 60))
    parent = [draw(st.integers(-1, i - 1)) for i in range(n)]
    label = np.array(draw(st.permutations(range(n))))
    pred_node = np.full(n, -1, dtype=np.int64)
    pred_node[label] = [label[p] if p >= 0 else -1 for p in parent]
    pred_link = np.where(pred_node >= 0, np.arange(n) * 7 + 3, -1)
    return pred_node, pred_link


@settings(max_examples=80, deadline=None)
@given(forest=forests(), data=st.data())
def test_route_links_and_depth_equal_a_walk_per_start(forest, data):
    pred_node, pred_link = forest
    n = len(pred_node)
    tree = ShortestPathTree(
        distance=np.zeros(n), pred_node=pred_node, pred_link=pred_link, junction_node=np.zeros(n, dtype=np.int64)
    )

    def walk(node: int) -> list[int]:
        links = []
        while node >= 0 and pred_node[node] >= 0:
            links.append(int(pred_link[node]))
            node = int(pred_node[node])
        return links

    assert tree.depth.tolist() == [len(walk(node)) for node in range(n)]
    starts = data.draw(st.lists(st.integers(-1, n - 1), max_size=25))
    position, link = tree.route_links(np.array(starts, dtype=np.int64))
    assert list(zip(position.tolist(), link.tolist(), strict=True)) == [
        (i, step) for i, start in enumerate(starts) for step in walk(start)
    ]
    link_values = np.array(data.draw(st.lists(st.sampled_from([np.nan, -1.5, 0.0, 2.0, 7.25]), min_size=7 * n + 3)))
    for reduce in (np.fmin, np.fmax):
        folded = tree.along_paths(link_values, reduce)
        for node in range(n):
            expected = reduce.reduce(link_values[walk(node)]) if walk(node) else np.nan
            np.testing.assert_equal(folded[node], expected)


def test_access_pressure_equals_a_reduction_over_the_routes():
    region = synthetic_region(n_parks=4, n_sites=300, n_road_edges=3000, seed=8)
    ctx = Context(layers=region.layers)
    values = criteria.get("access_pressure").run(region.candidates, ctx).values
    outputs = criteria.road_outputs(region.candidates, ctx)
    routes = outputs[SITE_ROUTES].join(outputs[ROAD_LINKS].set_index("link_id"), on="link_id")
    routes["vc"] = routes["volume_veh_h"] / routes["capacity_veh_h"]
    per_site = routes.groupby("site_id").agg(
        headroom=("headroom_veh_h", "min"), vc=("vc", "max"), links=("link_id", "size")
    )
    per_site = per_site.reindex(values.index)
    np.testing.assert_array_equal(values["access_pressure_min_headroom_veh_h"], per_site["headroom"])
    np.testing.assert_allclose(values["access_pressure_max_vc"], per_site["vc"], rtol=1e-15)
    np.testing.assert_array_equal(values["access_pressure_route_links"], per_site["links"].fillna(0))
    assert (values["access_pressure_route_links"] > 0).sum() > 250
