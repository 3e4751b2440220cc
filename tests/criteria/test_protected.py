"""Natura 2000 and NNN: overlap, distance and exclusions on hand-built geometry."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import criteria
from candidates.synthetic import synthetic_region
from criteria.base import Context, protected_area_exclusions, protected_area_values

CRS = "EPSG:28992"


def sites(*geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"site_id": [f"s{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=CRS)


def run(name, site_frame, layers, **params):
    criterion = criteria.get(name)
    return criterion.run(site_frame, Context(layers=layers), criterion.Params(**params))


@pytest.fixture
def n2000_layers():
    heide = gpd.GeoDataFrame({"name": ["Brunssummerheide"]}, geometry=[box(50, 0, 250, 100)], crs=CRS)
    return {"natura2000": heide}


def test_natura2000_overlap_and_distance(n2000_layers):
    frame = sites(box(0, 0, 100, 100), box(400, 0, 500, 100), box(1000, 0, 1100, 100))
    result = run("natura2000", frame, n2000_layers)
    values = result.values
    assert values.loc["s0", "natura2000_overlap_ha"] == pytest.approx(0.5)
    assert values.loc["s0", "natura2000_overlap_share"] == pytest.approx(0.5)
    assert values.loc["s0", "natura2000_distance_m"] == 0
    assert values.loc["s1", "natura2000_distance_m"] == pytest.approx(150)
    assert values.loc["s2", "natura2000_distance_m"] == pytest.approx(750)
    assert values.loc["s2", "natura2000_nearest_area"] == "Brunssummerheide"
    assert result.primary == "natura2000_distance_m"
    assert result.exclusions["site_id"].tolist() == ["s0"]
    row = result.exclusions.iloc[0]
    assert row["sector"] == "*" and row["criterion"] == "natura2000"
    assert "Brunssummerheide" in row["reason"] and "0.5 ha" in row["reason"] and "50%" in row["reason"]


def test_natura2000_buffer_excludes_nearby_sites(n2000_layers):
    frame = sites(box(0, 0, 100, 100), box(400, 0, 500, 100), box(1000, 0, 1100, 100))
    result = run("natura2000", frame, n2000_layers, buffer_m=200)
    assert sorted(result.exclusions["site_id"]) == ["s0", "s1"]
    reason = result.exclusions.set_index("site_id").loc["s1", "reason"]
    assert "150 m" in reason and "200 m buffer" in reason


def test_touching_site_is_not_an_overlap(n2000_layers):
    result = run("natura2000", sites(box(250, 0, 350, 100)), n2000_layers)
    assert result.values.loc["s0", "natura2000_overlap_ha"] == 0
    assert result.exclusions.empty


def test_nnn_excludes_goudgroen_only_by_default():
    nnn = gpd.GeoDataFrame(
        {"name": ["Gold", "Silver"], "zone": ["goudgroen", "zilvergroen"]},
        geometry=[box(0, 0, 100, 100), box(500, 0, 600, 100)],
        crs=CRS,
    )
    frame = sites(box(50, 0, 150, 100), box(550, 0, 650, 100))
    default = run("nnn", frame, {"nnn": nnn})
    assert default.exclusions["site_id"].tolist() == ["s0"]
    assert "Gold" in default.exclusions["reason"].iloc[0]
    assert default.values.loc["s1", "nnn_overlap_ha"] == pytest.approx(0.5)
    assert default.values.loc["s1", "nnn_excluded_zone_overlap_ha"] == 0
    both = run("nnn", frame, {"nnn": nnn}, excluded_zones=("goudgroen", "zilvergroen"))
    assert sorted(both.exclusions["site_id"]) == ["s0", "s1"]


@pytest.mark.parametrize("buffer_m", [0.0, 150.0, 600.0])
def test_nnn_buffer_exclusions_equal_an_unbounded_search(buffer_m):
    """The bounded search for excluded zones gives the exclusions of a search over all distances."""
    region = synthetic_region(n_parks=4, n_sites=400, n_road_edges=3000, seed=21)
    zones = ("goudgroen",)
    result = run("nnn", region.candidates, region.layers, buffer_m=buffer_m, excluded_zones=zones)
    areas = region.layers["nnn"]
    excluded = areas[areas["zone"].isin(zones)]
    values, largest, count = protected_area_values(region.candidates, excluded, "nnn_excluded_zone")
    expected = protected_area_exclusions(
        values,
        largest,
        count,
        prefix="nnn_excluded_zone",
        criterion="nnn",
        label="NNN (goudgroen)",
        min_overlap_ha=0.001,
        buffer_m=buffer_m,
    )
    pd.testing.assert_frame_equal(result.exclusions, expected)
    assert (expected["reason"].str.contains("buffer").sum() > 0) == (buffer_m > 0)
