"""The registry of aggregation methods: its contract, both ELECTRE spellings, an extra method."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from skcriteria.agg.simple import WeightedProductModel

from mca.core.registry import RegistrationError
from mca.scoring.aggregation import aggregate
from mca.scoring.methods import METHODS, AggregationMethod, get_method
from mca.scoring.ranking import rank_sites
from mca.scoring.settings import ScoringSettings

SCORES = pd.DataFrame(
    {"x": [0.9, 0.2, 0.6, 0.4], "y": [0.1, 0.8, 0.5, 0.7]},
    index=pd.Index(["s1", "s2", "s3", "s4"], name="site_id"),
)
WEIGHTS = {"x": 0.6, "y": 0.4}


def product_method(**changes: object) -> AggregationMethod:
    """A throwaway method: scikit-criteria's weighted product model (log scores)."""
    method = AggregationMethod(
        name="wpm_test",
        description="Weighted product (test only).",
        decision_maker=WeightedProductModel,
        score=lambda result: result.e_.score,
        yields="scores",
    )
    return replace(method, **changes)


def test_builtin_methods_in_order_with_the_electre_alias():
    assert METHODS.names() == ("wsm", "topsis", "electre2")
    assert METHODS.spellings() == ("wsm", "topsis", "electre2", "electre")
    assert get_method("electre") is get_method("electre2")


def test_both_electre_spellings_give_the_same_ranking_and_scenario_value():
    assert aggregate(SCORES, WEIGHTS, "electre").equals(aggregate(SCORES, WEIGHTS, "electre2"))
    assert ScoringSettings(method="electre").method == "electre2"
    raw = SCORES.rename_axis("site_id")
    no_exclusions = pd.DataFrame(columns=["site_id", "criterion", "sector", "reason"])
    directions = dict.fromkeys(raw.columns, "max")
    settings = ScoringSettings(
        weight_sets={"w": {"method": "direct", "weights": WEIGHTS}}, default_weight_set="w", sector_weight_sets={}
    )
    ranking = rank_sites(raw, directions, no_exclusions, settings, method="electre")
    assert ranking.attrs["method"] == "electre2"
    assert not any(c.startswith("contrib_") for c in ranking.columns)


def test_scenario_refuses_an_unregistered_method_naming_the_choices():
    with pytest.raises(ValidationError, match="unknown aggregation method 'promethee'; use one of wsm, topsis"):
        ScoringSettings(method="promethee")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "WPM"}, "must match"),
        ({"name": "wsm"}, "'wsm' is already taken"),
        ({"aliases": ("electre",)}, "'electre' is already taken by 'electre2'"),
        ({"description": " "}, "needs a description"),
        ({"decision_maker": dict}, "scikit-criteria decision-maker class"),
        ({"yields": "grades"}, "yields must be 'scores' or 'ranks'"),
        ({"contributions": True}, "has contributions"),
    ],
)
def test_a_bad_method_is_refused_at_registration(changes, message):
    with pytest.raises(RegistrationError, match=f"cannot register aggregation method .*{message}"):
        METHODS.register(product_method(**changes))
    assert "wpm_test" not in METHODS


def test_an_extra_method_is_accepted_everywhere_while_registered():
    with METHODS.registered(product_method()):
        assert ScoringSettings(method="wpm_test").method == "wpm_test"
        ranked = aggregate(SCORES, WEIGHTS, "wpm_test").set_index("site_id")
        # Weighted product: Σ w_j log v_j, a cross-check by hand.
        expected = (np.log10(SCORES) * pd.Series(WEIGHTS)).sum(axis=1)
        assert np.allclose(ranked["score"], expected.reindex(ranked.index))
        assert list(ranked.index) == list(expected.sort_values(ascending=False).index)
    assert "wpm_test" not in METHODS
    with pytest.raises(ValidationError):
        ScoringSettings(method="wpm_test")
