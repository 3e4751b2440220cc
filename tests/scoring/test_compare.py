"""Weight-set comparison: ranks side by side, Kendall's tau, top-k overlap, movers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from mca.core.errors import UserError
from mca.scoring.compare import compare_weight_sets
from mca.scoring.settings import ScoringSettings

DIRECTIONS = {
    "adjacency": "max",
    "road_access": "min",
    "access_pressure": "min",
    "env_space": "max",
    "size_shape": "max",
    "public_transport": "min",
}


def case(n: int = 25):
    rng = np.random.default_rng(3)
    raw = pd.DataFrame(
        rng.integers(0, 3000, (n, 6)),
        columns=list(DIRECTIONS),
        index=pd.Index([f"s{i:02d}" for i in range(n)], name="site_id"),
    )
    exclusions = pd.DataFrame(
        {"site_id": ["s03", "s07"], "criterion": "natura2000", "sector": "*", "reason": "inside Natura 2000"}
    )
    return raw, exclusions


def test_comparison_of_default_weight_sets():
    raw, exclusions = case()
    names = ["balanced", "economy_first", "nature_first"]
    result = compare_weight_sets(raw, DIRECTIONS, exclusions, ScoringSettings(), names, top_k=5)
    assert list(result.ranks.columns) == names
    assert result.ranks.loc[["s03", "s07"]].isna().all().all()
    assert result.ranks["balanced"].dropna().tolist() == list(range(1, 24))
    ranked = result.ranks.dropna()
    for row in result.kendall.itertuples():
        assert row.tau == pytest.approx(kendalltau(ranked[row.a], ranked[row.b]).statistic)
        assert row.n_sites == 23
    for row in result.top_k.itertuples():
        top_a = set(ranked.index[ranked[row.a] <= 5])
        top_b = set(ranked.index[ranked[row.b] <= 5])
        assert row.overlap == len(top_a & top_b) and row.share == row.overlap / 5
    movers = result.movers
    spread = (ranked.max(axis=1) - ranked.min(axis=1)).reindex(movers.index)
    assert movers["spread"].tolist() == spread.tolist()
    assert movers["spread"].is_monotonic_decreasing
    assert movers["spread"].iloc[0] > 0


def test_identical_weight_sets_agree_completely():
    raw, exclusions = case()
    settings = ScoringSettings(
        weight_sets={
            "a": {"method": "direct", "weights": dict.fromkeys(DIRECTIONS, 1)},
            "b": {"method": "direct", "weights": dict.fromkeys(DIRECTIONS, 7)},
        },
        default_weight_set="a",
        sector_weight_sets={},
    )
    result = compare_weight_sets(raw, DIRECTIONS, exclusions, settings, ["a", "b"], top_k=10)
    assert result.kendall["tau"].tolist() == [pytest.approx(1.0)]
    assert result.top_k["overlap"].tolist() == [10]
    assert (result.movers["spread"] == 0).all()


def test_needs_two_weight_sets():
    raw, exclusions = case()
    with pytest.raises(UserError):
        compare_weight_sets(raw, DIRECTIONS, exclusions, ScoringSettings(), ["balanced"])
    with pytest.raises(UserError, match="unknown weight set"):
        compare_weight_sets(raw, DIRECTIONS, exclusions, ScoringSettings(), ["balanced", "nope"])
