"""The synthetic region: schema, determinism, size and connectivity."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from candidates.synthetic import synthetic_region
from mca.core.errors import UserError

LAYER_COLUMNS = {
    "parks": ({"park_id", "name"}, {"Polygon"}),
    "natura2000": ({"name"}, {"Polygon"}),
    "nnn": ({"name", "zone"}, {"Polygon"}),
    "roads": ({"road_id", "name", "road_class", "speed_kmh", "capacity_veh_h", "volume_veh_h"}, {"LineString"}),
    "junctions": ({"junction_id", "name"}, {"Point"}),
    "residential": ({"kind"}, {"Polygon"}),
    "stations": ({"name", "kind"}, {"Point"}),
}
CANDIDATE_COLUMNS = [
    "site_id",
    "name",
    "kind",
    "park",
    "geometry",
    "area_ha",
    "capacity_ha",
    "capacity_2030_ha",
    "capacity_2040_ha",
    "contiguous_ha",
    "profile",
    "max_env_category",
    "source",
]
PARK_COLUMNS = [
    "gross_ha",
    "net_ha",
    "net_issued_ha",
    "vacancy_q1_2024",
    "available_ha",
    "available_under_option_ha",
    "profile",
    "max_env_category",
    "no_new_logistics",
    "reserve_env_space",
]


@pytest.fixture(scope="module")
def region():
    return synthetic_region(n_parks=6, n_sites=300, n_road_edges=1234, seed=5)


def test_layer_and_candidate_schema(region):
    assert set(region.layers) == set(LAYER_COLUMNS)
    for name, (columns, geom_types) in LAYER_COLUMNS.items():
        layer = region.layers[name]
        assert columns <= set(layer.columns), name
        assert set(layer.geom_type) <= geom_types, name
        assert layer.crs.to_epsg() == 28992
    assert set(region.layers["roads"]["road_class"]) == {"motorway", "main", "local"}
    assert set(region.layers["nnn"]["zone"]) <= {"goudgroen", "zilvergroen"}
    assert list(region.candidates.columns) == CANDIDATE_COLUMNS
    assert region.candidates["site_id"].is_unique
    assert set(region.candidates["kind"]) <= {"available_plot", "intensification", "expansion", "user"}
    assert (region.candidates["capacity_2030_ha"] <= region.candidates["capacity_2040_ha"] + 1e-9).all()
    assert list(region.parks.columns) == PARK_COLUMNS and region.parks.index.name == "park_id"
    assert set(region.candidates["park"].dropna()) <= set(region.parks.index)


def test_sizes_are_exact(region):
    assert len(region.layers["roads"]) == 1234
    assert len(region.candidates) == 300
    assert len(region.parks) == len(region.layers["parks"]) == 6


def test_parks_table_is_consistent(region):
    parks = region.parks
    assert (parks["net_issued_ha"] <= parks["net_ha"]).all() and (parks["net_ha"] <= parks["gross_ha"]).all()
    assert (parks["available_under_option_ha"] <= parks["available_ha"] + 1e-9).all()


def test_deterministic_for_a_seed(region):
    again = synthetic_region(n_parks=6, n_sites=300, n_road_edges=1234, seed=5)
    for name, layer in region.layers.items():
        pd.testing.assert_frame_equal(layer, again.layers[name], obj=name)
    pd.testing.assert_frame_equal(region.candidates, again.candidates)
    pd.testing.assert_frame_equal(region.parks, again.parks)
    other = synthetic_region(n_parks=6, n_sites=300, n_road_edges=1234, seed=6)
    assert not other.candidates.geometry.geom_equals(region.candidates.geometry).all()


@pytest.mark.parametrize("n_road_edges", [20, 57, 1234, 5000])
def test_road_graph_is_connected_with_junctions_on_it(n_road_edges):
    region = synthetic_region(n_parks=2, n_sites=5, n_road_edges=n_road_edges, seed=n_road_edges)
    roads = region.layers["roads"]
    assert len(roads) == n_road_edges
    graph = nx.MultiGraph()
    for geom in roads.geometry:
        graph.add_edge(tuple(np.round(geom.coords[0], 1)), tuple(np.round(geom.coords[-1], 1)))
    assert nx.is_connected(graph)
    for junction in region.layers["junctions"].geometry:
        assert tuple(np.round(junction.coords[0], 1)) in graph


def test_motorway_is_reached_only_at_junctions(region):
    roads = region.layers["roads"]

    def ends(frame):
        return {tuple(np.round(c, 1)) for g in frame.geometry for c in (g.coords[0], g.coords[-1])}

    shared = ends(roads[roads["road_class"] == "motorway"]) & ends(roads[roads["road_class"] != "motorway"])
    assert shared == {tuple(np.round(p.coords[0], 1)) for p in region.layers["junctions"].geometry}


@pytest.mark.parametrize(("field", "kwargs"), [("n_parks", {"n_parks": 0}), ("n_road_edges", {"n_road_edges": 5})])
def test_invalid_sizes(field, kwargs):
    args = {"n_parks": 2, "n_sites": 5, "n_road_edges": 100, **kwargs}
    with pytest.raises(UserError) as caught:
        synthetic_region(**args)
    assert caught.value.field == field
