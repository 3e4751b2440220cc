"""The registry of candidate sources: its contract and a throwaway extra source end to end."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pytest
from shapely.geometry import box

from candidates import SOURCES, CandidateSettings, CandidateSource, SourceInputs, build_candidates, site_kinds
from candidates.schema import COLUMNS, cumulative_by_period, to_table
from mca.core.registry import RegistrationError
from mca.core.vocabulary import SITE_KINDS


def brownfield_sites(inputs: SourceInputs) -> gpd.GeoDataFrame:
    """One invented brownfield site (4 ha, 3 ha capacity) south-west of the parks (test data, no source)."""
    xmin, ymin = inputs.parks_layer.total_bounds[:2]
    geometry = box(xmin, ymin - 300, xmin + 200, ymin - 100)
    row = {
        "site_id": "BF-test",
        "name": "Brownfield (test)",
        "kind": "brownfield",
        "park": str(inputs.parks.index[0]),
        "geometry": geometry,
        "area_ha": geometry.area / 10_000,
        "capacity_ha": 3.0,
        **cumulative_by_period(3.0, "2040"),
        "contiguous_ha": 3.0,
        "profile": None,
        "max_env_category": float("nan"),
        "source": "invented for a test",
    }
    return to_table([row])


BROWNFIELD = CandidateSource(
    name="brownfield_test",
    kind="brownfield",
    prefix="BF",
    description="Brownfield sites (test only).",
    build=brownfield_sites,
)


def test_builtin_sources_keep_their_kinds_prefixes_and_scenario_switches():
    declared = {s.name: (s.kind, s.prefix, s.enable_flag) for s in SOURCES}
    assert declared == {
        "available_plots": ("available_plot", "AV", "include_available_plots"),
        "intensification": ("intensification", "IN", "include_intensification"),
        "expansion": ("expansion", "EX", "include_expansion"),
        "user_sites": ("user", "US", "include_user_sites"),
        "grid": ("expansion", "GR", None),
    }
    assert site_kinds() == SITE_KINDS


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "expansion"}, "'expansion' is already taken"),
        ({"prefix": "EX"}, "prefix 'EX' is already used by 'expansion'"),
        ({"prefix": "b1"}, "2 to 4 capital letters"),
        ({"kind": "Brown field"}, "kind 'Brown field' must match"),
        ({"enable_flag": "include_brownfield"}, "not a boolean setting of CandidateSettings"),
        ({"enable_flag": "net_to_gross"}, "not a boolean setting of CandidateSettings"),
        ({"description": ""}, "needs a description"),
        ({"build": None}, "build must be a function"),
    ],
)
def test_a_bad_source_is_refused_at_registration(changes, message):
    with pytest.raises(RegistrationError, match=f"cannot register candidate source .*{message}"):
        SOURCES.register(replace(BROWNFIELD, **changes))
    assert len(SOURCES) == 5


def test_an_extra_source_is_built_validated_and_switchable(heerlen_layers, parks):
    settings = CandidateSettings(include_expansion=False)
    before = build_candidates(heerlen_layers, parks, settings)
    with SOURCES.registered(BROWNFIELD):
        assert "brownfield" in site_kinds()
        sites = build_candidates(heerlen_layers, parks, settings)
        with SOURCES.registered(
            replace(BROWNFIELD, name="switched_test", prefix="SW", enable_flag="include_expansion")
        ):
            assert build_candidates(heerlen_layers, parks, settings).equals(sites)
    assert list(sites.columns) == list(COLUMNS)
    assert list(sites["site_id"]) == sorted([*before["site_id"], "BF-test"])
    extra = sites.set_index("site_id").loc["BF-test"]
    assert extra["kind"] == "brownfield" and extra["capacity_2030_ha"] == 0 and extra["capacity_2040_ha"] == 3
    assert build_candidates(heerlen_layers, parks, settings).equals(before)


def test_a_source_must_keep_to_its_kind_and_prefix(heerlen_layers, parks):
    settings = CandidateSettings(include_expansion=False)
    with SOURCES.registered(replace(BROWNFIELD, prefix="BR")), pytest.raises(TypeError, match="ids 'BR-…'"):
        build_candidates(heerlen_layers, parks, settings)
    with SOURCES.registered(replace(BROWNFIELD, kind="derelict")), pytest.raises(TypeError, match="kind 'derelict'"):
        build_candidates(heerlen_layers, parks, settings)
