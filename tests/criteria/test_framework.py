"""Registry, settings and `criteria.evaluate` on a small synthetic region."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

import criteria
from candidates.synthetic import synthetic_region
from criteria.base import Context, nearest_distance
from criteria.settings import CriteriaSettings
from mca.core.errors import DataError, UserError
from mca.core.vocabulary import EXCLUSION_COLUMNS

EXPECTED = {
    "access_pressure",
    "adjacency",
    "env_space",
    "natura2000",
    "nitrogen",
    "nnn",
    "public_transport",
    "road_access",
    "size_shape",
}
OPT_IN = {"nnn_zone", "park_profile"}
"""Criteria that run only where a scenario enables them."""
REGION = synthetic_region(n_parks=5, n_sites=40, n_road_edges=400, seed=11)


def test_registry_discovers_every_criterion_module():
    known = criteria.registry()
    assert set(known) == EXPECTED | OPT_IN
    assert {name for name, c in known.items() if not c.enabled_by_default} == OPT_IN
    for name, criterion in known.items():
        assert criterion.name == name
        assert criterion.kind in ("exclusion", "ranking") and criterion.direction in ("max", "min")
        assert criterion.Params.model_config["extra"] == "forbid"


def test_unknown_criterion_names_the_known_ones():
    with pytest.raises(UserError, match="unknown criterion 'noise'") as caught:
        criteria.get("noise")
    assert "road_access" in str(caught.value) and caught.value.field == "noise"


def test_settings_reject_unknown_criterion_and_parameter():
    with pytest.raises(UserError, match="unknown criterion 'natura'"):
        CriteriaSettings.model_validate({"natura": {"enabled": False}})
    with pytest.raises(UserError) as caught:
        CriteriaSettings.model_validate({"natura2000": {"params": {"bufer_m": 10}}})
    assert caught.value.field == "natura2000.params.bufer_m" and "buffer_m" in str(caught.value)
    with pytest.raises(UserError, match=r"natura2000\.params\.buffer_m"):
        CriteriaSettings.model_validate({"natura2000": {"params": {"buffer_m": -1}}})


def test_default_params_are_labelled_or_cited():
    for criterion in criteria.registry().values():
        for name, field in criterion.Params.model_fields.items():
            text = field.description or ""
            cited = any(mark in text for mark in ("Assumption", "assumption", "001", "VNG", "AERIUS"))
            assert cited, f"{criterion.name}.{name} has neither a citation nor the word assumption"


def test_evaluate_joins_results_and_honours_settings():
    messages: list[str] = []
    settings_ = CriteriaSettings.model_validate(
        {"public_transport": {"enabled": False}, "natura2000": {"params": {"buffer_m": 300}}}
    )
    evaluation = criteria.evaluate(REGION.candidates, REGION.layers, settings_, progress=messages.append)
    assert set(evaluation.primary) == EXPECTED - {"public_transport"}
    assert len(messages) == len(EXPECTED) - 1
    assert list(evaluation.values.index) == REGION.candidates["site_id"].tolist()
    assert not any(c.startswith("public_transport") for c in evaluation.values.columns)
    for name, column in evaluation.primary.items():
        assert column.startswith(name) and column in evaluation.values.columns
    assert list(evaluation.exclusions.columns) == list(EXCLUSION_COLUMNS)
    assert set(evaluation.exclusions["criterion"]) <= set(evaluation.primary)
    assert evaluation.meta.loc["natura2000", "params"]["buffer_m"] == 300
    assert evaluation.meta.loc["nitrogen", "kind"] == "exclusion"
    assert "SCREENING" in evaluation.meta.loc["nitrogen", "description"]
    # every route link exists, every routed site is a candidate
    assert set(evaluation.routes["link_id"]) <= set(evaluation.links["link_id"])
    assert set(evaluation.routes["site_id"]) <= set(REGION.candidates["site_id"])


def test_natura2000_buffer_only_adds_exclusions():
    plain = criteria.evaluate(REGION.candidates, REGION.layers).exclusions
    buffered = criteria.evaluate(
        REGION.candidates, REGION.layers, CriteriaSettings.model_validate({"natura2000": {"params": {"buffer_m": 500}}})
    ).exclusions

    def n2000(frame):
        return set(frame.loc[frame["criterion"] == "natura2000", "site_id"])

    assert n2000(plain) <= n2000(buffered)


def test_missing_layer_is_a_data_error():
    layers = {k: v for k, v in REGION.layers.items() if k != "stations"}
    with pytest.raises(DataError, match="public_transport") as caught:
        criteria.evaluate(REGION.candidates, layers)
    assert caught.value.source == "stations"


def test_duplicate_site_ids_are_a_data_error():
    sites = REGION.candidates.copy()
    sites.loc[1, "site_id"] = sites.loc[0, "site_id"]
    with pytest.raises(DataError, match="duplicate"):
        criteria.evaluate(sites, REGION.layers)


BASE = criteria.evaluate(REGION.candidates, REGION.layers)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(len(REGION.candidates))))
def test_values_invariant_to_row_order(order):
    shuffled = REGION.candidates.iloc[list(order)]
    result = criteria.evaluate(shuffled, REGION.layers)
    pd.testing.assert_frame_equal(result.values.loc[BASE.values.index], BASE.values)

    def keyed(frame):
        return frame.sort_values(["site_id", "criterion", "sector"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(keyed(result.exclusions), keyed(BASE.exclusions))
    assert set(map(tuple, result.routes.to_numpy())) == set(map(tuple, BASE.routes.to_numpy()))


def test_primary_values_are_numeric():
    for name, column in BASE.primary.items():
        assert np.issubdtype(BASE.values[column].dtype, np.number), name


def test_no_sites_gives_empty_frames_with_all_columns():
    empty = criteria.evaluate(REGION.candidates.iloc[:0], REGION.layers)
    assert empty.values.empty and list(empty.values.columns) == list(BASE.values.columns)
    assert empty.exclusions.empty and empty.routes.empty


@st.composite
def grid_boxes(draw: st.DrawFn, max_size: int) -> list:
    """Boxes on a 10 m grid, so that touching, overlapping and equally near boxes are common."""
    corners = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 8), st.integers(1, 8))
    drawn = draw(st.lists(corners, min_size=1, max_size=max_size))
    return [box(10 * x, 10 * y, 10 * (x + w), 10 * (y + h)) for x, y, w, h in drawn]


@settings(max_examples=60, deadline=None)
@given(
    site_geoms=grid_boxes(15),
    feature_geoms=grid_boxes(15),
    copies=st.integers(0, 3),
    max_distance=st.sampled_from([None, 25.0, 120.0]),
)
def test_nearest_distance_equals_brute_force(site_geoms, feature_geoms, copies, max_distance):
    """Distances equal the minimum over all features; the position is the nearest feature, and among
    equally near ones the one a plain default-tree query returns (copied features force ties)."""
    features = feature_geoms + feature_geoms[:copies]
    site_frame = gpd.GeoDataFrame({"site_id": range(len(site_geoms))}, geometry=site_geoms)
    distance, position = nearest_distance(site_frame, gpd.GeoDataFrame(geometry=features), max_distance)
    (plain_site, plain_feature), _ = shapely.STRtree(features).query_nearest(
        site_geoms, max_distance=max_distance, return_distance=True, all_matches=False
    )
    plain = dict(zip(plain_site, plain_feature, strict=True))
    for i, site in enumerate(site_geoms):
        all_distances = shapely.distance(site, np.array(features))
        best = all_distances.min()
        if max_distance is not None and best > max_distance:
            assert np.isnan(distance[i]) and position[i] == -1
            continue
        assert distance[i] == best
        nearest = np.flatnonzero(all_distances == best)
        assert position[i] == (nearest[0] if len(nearest) == 1 else plain[i])


def test_context_shares_one_nearest_search_per_layer_and_sites():
    ctx = Context(layers=REGION.layers)
    first = ctx.nearest(REGION.candidates, "natura2000", needed_by="test")
    assert ctx.nearest(REGION.candidates.copy(), "natura2000", needed_by="test") is first
    assert not first[0].flags.writeable and not first[1].flags.writeable
    moved = REGION.candidates.copy()
    moved["geometry"] = moved.geometry.translate(250.0, 0.0)
    again = ctx.nearest(moved, "natura2000", needed_by="test")
    expected = nearest_distance(moved, REGION.layers["natura2000"])
    np.testing.assert_array_equal(again[0], expected[0])
    np.testing.assert_array_equal(again[1], expected[1])
    with pytest.raises(DataError, match="criterion 'test' needs layer 'nowhere'"):
        ctx.nearest(moved, "nowhere", needed_by="test")
