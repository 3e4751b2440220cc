"""Scoring settings: Heerlen defaults are valid, labelled assumptions, and checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mca.core.sectors import DEFAULT_SECTORS
from mca.scoring.settings import ScoringSettings, default_weight_sets
from mca.scoring.weights import resolve_weights

CRITERIA = ["adjacency", "road_access", "access_pressure", "env_space", "size_shape", "public_transport"]


def test_default_weight_sets_resolve_on_the_six_criteria_and_are_labelled():
    settings = ScoringSettings()
    assert {"balanced", "economy_first", "nature_first", "accessibility_first"} <= set(settings.weight_sets)
    for name, ws in settings.weight_sets.items():
        weights = resolve_weights(ws, CRITERIA, name=name).weights
        assert sum(weights.values()) == pytest.approx(1.0)
        assert "assumption" in ws.description and "not policy" in ws.description


def test_sector_defaults_value_road_access_and_env_space_more():
    settings = ScoringSettings()
    sector_ids = {s.id for s in DEFAULT_SECTORS}
    assert set(settings.sector_weight_sets) <= sector_ids
    balanced = resolve_weights(settings.weight_sets["balanced"], CRITERIA).weights
    logistics = resolve_weights(
        settings.weight_sets[settings.sector_weight_sets["wholesale_logistics"]], CRITERIA
    ).weights
    production = resolve_weights(settings.weight_sets[settings.sector_weight_sets["production"]], CRITERIA).weights
    assert logistics["road_access"] > balanced["road_access"]
    assert max(logistics, key=logistics.get) == "road_access"
    assert max(production, key=production.get) == "env_space"


def test_field_descriptions_label_assumptions():
    for name in ("value_functions", "weight_sets", "default_weight_set", "sector_weight_sets"):
        assert "assumption" in ScoringSettings.model_fields[name].description


def test_validation():
    with pytest.raises(ValidationError, match="extra"):
        ScoringSettings(weights={})
    with pytest.raises(ValidationError, match="default_weight_set 'nope'"):
        ScoringSettings(default_weight_set="nope")
    with pytest.raises(ValidationError, match="unknown weight sets"):
        ScoringSettings(sector_weight_sets={"production": "nope"})
    with pytest.raises(ValidationError):
        ScoringSettings(method="promethee")
    with pytest.raises(ValidationError):
        ScoringSettings(smaa={"samples": 10})


def test_yaml_like_input():
    settings = ScoringSettings.model_validate(
        {
            "value_functions": {"road_access": {"type": "linear", "worst": 5000, "best": 500}},
            "weight_sets": {
                **default_weight_sets(),
                "workshop": {"method": "ahp", "judgments": {"adjacency": {"road_access": 3}}},
            },
            "method": "topsis",
            "smaa": {"samples": 5000, "margin": 0.1, "seed": 7},
        }
    )
    assert settings.value_functions["road_access"].best == 500
    assert settings.weight_sets["workshop"].method == "ahp"
    assert settings.smaa.margin == 0.1
