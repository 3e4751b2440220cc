"""NNN zone and park profile: categories from hand-built geometry and the Heerlen candidates (issue 10)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from candidates import build_candidates
from criteria import nnn_zone, park_profile
from criteria.base import Context
from mca.core.errors import DataError
from mca.core.vocabulary import EXCLUSION_COLUMNS, PROFILES
from mca.scoring.ranking import rank_sites
from mca.scoring.settings import ScoringSettings
from mca.scoring.valuetables import default_value_tables
from mca.scoring.weights import DirectWeights

CRS = "EPSG:28992"


def sites(*geoms, **columns) -> gpd.GeoDataFrame:
    ids = [f"s{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"site_id": ids, **columns}, geometry=list(geoms), crs=CRS)


@pytest.fixture
def nnn_layer() -> dict[str, gpd.GeoDataFrame]:
    """A goudgroen area at x 0–100 and a zilvergroen one at x 1000–1100."""
    return {
        "nnn": gpd.GeoDataFrame(
            {"name": ["Beekdal", "Schrieversheide"], "zone": ["goudgroen", "zilvergroen"]},
            geometry=[box(0, 0, 100, 100), box(1000, 0, 1100, 100)],
            crs=CRS,
        )
    }


def test_the_most_restrictive_zone_within_the_buffer_is_the_category(nnn_layer) -> None:
    frame = sites(
        box(100, 0, 200, 100),  # touches goudgroen
        box(150, 0, 250, 100),  # 50 m from goudgroen
        box(900, 0, 950, 100),  # 50 m from zilvergroen
        box(400, 0, 500, 100),  # 300 m from both: none
        box(1000, 0, 1050, 50),  # inside zilvergroen
        box(180, 0, 930, 100),  # 80 m from goudgroen and 70 m from zilvergroen: goudgroen wins
    )
    result = nnn_zone.CRITERION.run(frame, Context(layers=nnn_layer))
    assert result.primary == "nnn_zone_category"
    categories = result.values["nnn_zone_category"].tolist()
    assert categories == ["goudgroen", "goudgroen", "zilvergroen", "none", "zilvergroen", "goudgroen"]
    assert result.values.loc["s1", "nnn_zone_goudgroen_m"] == pytest.approx(50)
    assert result.exclusions.empty


def test_the_buffer_is_a_parameter(nnn_layer) -> None:
    frame = sites(box(150, 0, 250, 100), box(900, 0, 950, 100))
    params = nnn_zone.Params(buffer_m=0)
    result = nnn_zone.CRITERION.run(frame, Context(layers=nnn_layer), params)
    assert result.values["nnn_zone_category"].tolist() == ["none", "none"]


def test_an_unranked_zone_is_a_data_error(nnn_layer) -> None:
    layer = nnn_layer["nnn"].assign(zone=["goudgroen", "bronsgroen"])
    with pytest.raises(DataError, match=r"NNN zones \['bronsgroen'\] are not ranked"):
        nnn_zone.CRITERION.run(sites(box(0, 0, 10, 10)), Context(layers={"nnn": layer}))


def test_park_profile_is_the_park_s_profile_or_none() -> None:
    frame = sites(*(box(i * 10, 0, i * 10 + 5, 5) for i in range(4)), profile=["logistiek", None, " Gemengd", ""])
    result = park_profile.CRITERION.run(frame, Context(layers={}))
    assert result.values["park_profile_category"].tolist() == ["logistiek", "none", "gemengd", "none"]
    with pytest.raises(DataError, match=r"park profiles \['campus'\]"):
        park_profile.CRITERION.run(sites(box(0, 0, 1, 1), profile=["campus"]), Context(layers={}))


def test_every_category_the_criteria_give_has_a_value() -> None:
    tables = default_value_tables()
    assert set(tables["nnn_zone"].mapping) == {*nnn_zone.Params().zones, nnn_zone.NO_ZONE}
    assert (
        set(tables["park_profile"].mapping)
        == {*PROFILES, park_profile.NO_PROFILE}
        == {
            *park_profile.Params().profiles,
            park_profile.NO_PROFILE,
        }
    )


def test_heerlen_candidates_rank_on_the_table_values(heerlen_layers, parks) -> None:
    """Both criteria on the Heerlen candidates: the value scores are the table values of their categories."""
    candidates = build_candidates(heerlen_layers, parks)
    ctx = Context(layers=heerlen_layers)
    raw = pd.DataFrame(
        {
            "nnn_zone": nnn_zone.CRITERION.run(candidates, ctx).values["nnn_zone_category"],
            "park_profile": park_profile.CRITERION.run(candidates, ctx).values["park_profile_category"],
        }
    )
    assert set(raw["park_profile"]) == set(PROFILES)
    assert set(raw["nnn_zone"]) <= {"none", "zilvergroen", "goudgroen"} and raw["nnn_zone"].nunique() > 1
    settings = ScoringSettings(
        weight_sets={"w": DirectWeights(weights={"nnn_zone": 1, "park_profile": 1})},
        default_weight_set="w",
        sector_weight_sets={},
    )
    exclusions = pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})
    ranking = rank_sites(raw, {"nnn_zone": "max", "park_profile": "max"}, exclusions, settings).set_index("site_id")
    tables = default_value_tables()
    for criterion in raw.columns:
        expected = raw[criterion].map(tables[criterion].mapping)
        assert ranking[f"vs_{criterion}"].reindex(raw.index).tolist() == expected.tolist()


def test_opt_in_criteria_run_only_when_enabled() -> None:
    from criteria.settings import CriteriaSettings

    assert not {"nnn_zone", "park_profile"} & {c.name for c in CriteriaSettings().enabled_criteria()}
    enabled = CriteriaSettings.model_validate({"nnn_zone": {"enabled": True}, "park_profile": {"enabled": True}})
    assert {"nnn_zone", "park_profile"} <= {c.name for c in enabled.enabled_criteria()}
    only_params = CriteriaSettings.model_validate({"nnn_zone": {"params": {"buffer_m": 50}}})
    assert "nnn_zone" not in {c.name for c in only_params.enabled_criteria()}
