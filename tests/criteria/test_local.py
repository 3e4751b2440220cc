"""Adjacency, environmental space, size and shape, public transport on hand-built geometry."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, box

import criteria
from criteria.base import Context
from criteria.env_space import VNG_DISTANCE_M, category_for_distance

CRS = "EPSG:28992"


def sites(*geoms, **columns) -> gpd.GeoDataFrame:
    data = {"site_id": [f"s{i}" for i in range(len(geoms))], **columns}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=CRS)


def run(name, site_frame, layers, **params):
    criterion = criteria.get(name)
    return criterion.run(site_frame, Context(layers=layers), criterion.Params(**params))


def test_adjacency_shared_boundary():
    parks = gpd.GeoDataFrame({"park_id": ["p"], "name": ["P"]}, geometry=[box(0, 0, 100, 100)], crs=CRS)
    frame = sites(box(100, 0, 200, 50), box(10, 10, 20, 20), box(300, 0, 400, 100), box(100.5, 0, 200, 100))
    exact = run("adjacency", frame, {"parks": parks}, snap_tolerance_m=0).values
    assert exact.loc["s0", "adjacency_shared_m"] == pytest.approx(50)
    assert exact.loc["s0", "adjacency_shared_share"] == pytest.approx(50 / 300)
    assert exact.loc["s3", "adjacency_shared_m"] == 0
    values = run("adjacency", frame, {"parks": parks}).values
    # the 1 m tolerance also takes the first metre of the edges leaving the contact
    assert values.loc["s0", "adjacency_shared_m"] == pytest.approx(52)
    assert values.loc["s1", "adjacency_shared_share"] == pytest.approx(1.0)
    assert values.loc["s2", "adjacency_shared_m"] == 0
    assert values.loc["s2", "adjacency_distance_m"] == pytest.approx(200)
    assert values.loc["s2", "adjacency_nearest_park"] == "p"
    # a 0.5 m digitising gap is bridged by the 1 m snap tolerance
    assert values.loc["s3", "adjacency_shared_m"] == pytest.approx(100, abs=1.5)


@pytest.mark.parametrize(
    ("distance", "category"),
    [(5, 0.0), (10, 1.0), (60, 3.1), (100, 3.2), (250, 4.1), (999, 5.2), (1000, 5.3), (2000, 6.0)],
)
def test_vng_category_for_distance(distance, category):
    assert category_for_distance(np.array([distance]), VNG_DISTANCE_M)[0] == category


@given(st.floats(0, 5000), st.floats(0, 5000))
def test_vng_category_is_monotone_in_distance(a, b):
    low, high = sorted((a, b))
    cats = category_for_distance(np.array([low, high]), VNG_DISTANCE_M)
    assert cats[0] <= cats[1]


def test_env_space_values_zoning_cap_and_sector_exclusions():
    residential = gpd.GeoDataFrame({"kind": ["dwellings"]}, geometry=[box(0, 0, 100, 100)], crs=CRS)
    frame = sites(
        box(350, 0, 450, 100),
        box(160, 0, 260, 100),
        box(3000, 0, 3100, 100),
        max_env_category=[np.nan, np.nan, 3.1],
    )
    result = run("env_space", frame, {"residential": residential})
    values = result.values
    assert values.loc["s0", "env_space_dwellings_m"] == pytest.approx(250)
    assert values.loc["s0", "env_space_category"] == 4.1
    assert values.loc["s0", "env_space_category_label"] == "4.1"
    assert values.loc["s1", "env_space_category"] == 3.1
    assert values.loc["s2", "env_space_category_by_distance"] == 6.0
    assert values.loc["s2", "env_space_category"] == 3.1  # zoning cap
    excluded = set(zip(result.exclusions["site_id"], result.exclusions["sector"]))
    # production needs 4.1 (mca.core.sectors): fits s0 only; construction (3.1) fits all three
    assert excluded == {
        ("s1", "production"),
        ("s2", "production"),
        ("s1", "wholesale_logistics"),
        ("s2", "wholesale_logistics"),
    }
    reason = result.exclusions.set_index(["site_id", "sector"]).loc[("s1", "production"), "reason"]
    assert "60 m" in reason and "3.1" in reason and "4.1" in reason


def test_size_shape():
    frame = sites(box(0, 0, 100, 100), box(0, 0, 1000, 10), box(0, 0, 300, 300), contiguous_ha=[1.0, np.nan, 4.99])
    values = run("size_shape", frame, {}, xxl_min_ha=1.0).values
    assert values.loc["s0", "size_shape_compactness"] == pytest.approx(np.pi / 4)
    assert values.loc["s1", "size_shape_compactness"] == pytest.approx(4 * np.pi * 10_000 / 2020**2)
    assert values.loc["s1", "size_shape_contiguous_ha"] == pytest.approx(1.0)  # from the polygon
    assert values["size_shape_xxl_fits"].tolist() == [True, True, True]
    default = run("size_shape", frame, {}).values
    assert default.loc["s2", "size_shape_xxl_fits"] == False  # noqa: E712  4.99 ha < 5 ha (001 Bijlage 3)


def test_public_transport():
    stations = gpd.GeoDataFrame(
        {"name": ["Heerlen", "Bus"], "kind": ["rail", "bus"]}, geometry=[Point(0, 0), Point(500, 0)], crs=CRS
    )
    values = run("public_transport", sites(box(400, -5, 450, 5)), {"stations": stations}).values
    assert values.loc["s0", "public_transport_rail_m"] == pytest.approx(400)
    assert values.loc["s0", "public_transport_any_stop_m"] == pytest.approx(50)
    assert values.loc["s0", "public_transport_nearest_stop"] == "Bus"
