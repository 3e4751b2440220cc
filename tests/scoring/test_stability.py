"""Weight stability of the weighted sum: the exact intervals against a fine brute-force scan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mca.core.vocabulary import ALL_SECTORS
from mca.scoring import closed_to_every_sector
from mca.scoring.stability import top_set, weight_stability, weight_to_reach


def _problem(seed: int, sites: int = 30, criteria: int = 4) -> tuple[pd.DataFrame, dict[str, float]]:
    rng = np.random.default_rng(seed)
    scores = pd.DataFrame(
        rng.random((sites, criteria)),
        index=[f"s{i:02d}" for i in range(sites)],
        columns=[f"c{j}" for j in range(criteria)],
    )
    raw = rng.random(criteria) + 0.2
    return scores, dict(zip(scores.columns, raw / raw.sum()))


def _moved(weights: dict[str, float], criterion: str, t: float) -> dict[str, float]:
    rest = 1 - weights[criterion]
    return {c: t if c == criterion else w * (1 - t) / rest for c, w in weights.items()}


@pytest.mark.parametrize("seed", range(5))
def test_top_set_is_unchanged_inside_and_changed_just_outside_the_interval(seed):
    scores, weights = _problem(seed)
    base = set(top_set(scores, weights, 5))
    table = weight_stability(scores, weights, 5)
    for row in table.itertuples():
        assert row.lower <= row.weight <= row.upper
        for t in np.linspace(row.lower, row.upper, 41)[1:-1]:
            assert set(top_set(scores, _moved(weights, row.criterion, t), 5)) == base
        for edge, step in ((row.upper, 1e-6), (row.lower, -1e-6)):
            if 0 < edge < 1:
                assert set(top_set(scores, _moved(weights, row.criterion, edge + step), 5)) != base


@pytest.mark.parametrize("seed", range(3))
def test_weight_to_reach_is_the_nearest_weight_that_puts_a_site_in_the_top(seed):
    scores, weights = _problem(seed)
    outside = [s for s in scores.index if s not in top_set(scores, weights, 5)][3]
    table = weight_to_reach(scores, weights, outside, 5)
    grid = np.linspace(0, 1, 2001)
    for row in table.itertuples():
        reached = [t for t in grid if outside in top_set(scores, _moved(weights, row.criterion, t), 5)]
        if np.isnan(row.needed_weight):
            assert reached == []
        else:
            nearest = min(reached, key=lambda t: abs(t - row.weight))
            assert abs(row.needed_weight - row.weight) <= abs(nearest - row.weight) + 1e-9
            assert abs(row.needed_weight - nearest) < 1e-3


def test_a_site_closed_to_every_sector_one_by_one_is_closed_to_all():
    exclusions = pd.DataFrame(
        {
            "site_id": ["a", "a", "b", "c"],
            "criterion": ["nitrogen", "env_space", "nitrogen", "nnn"],
            "sector": ["logistics", "production", "logistics", ALL_SECTORS],
            "reason": ["n", "e", "n", "x"],
        }
    )
    folded = closed_to_every_sector(exclusions, ["logistics", "production"])
    added = folded.iloc[len(exclusions) :]
    assert added["site_id"].tolist() == ["a"] and added["sector"].tolist() == [ALL_SECTORS]
    assert added["criterion"].tolist() == ["env_space + nitrogen"]
    assert closed_to_every_sector(exclusions, []).equals(exclusions)
