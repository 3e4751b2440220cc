"""SMAA-2: acceptabilities, reproducibility, degenerate margin, cross-check with scikit-criteria."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import skcriteria
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from skcriteria.agg.simple import WeightedSumModel

from mca.core.errors import UserError
from mca.scoring.aggregation import aggregate
from mca.scoring.smaa import sample_weights, smaa

CRITERIA = ["x", "y", "z"]


def random_scores(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.random((n, 3)), columns=CRITERIA, index=pd.Index([f"s{i:02d}" for i in range(n)], name="site_id")
    )


def test_rows_and_columns_of_acceptability_sum_to_one():
    result = smaa(random_scores(15), CRITERIA, samples=2000, seed=3, report_ranks=5)
    full = result.acceptability_full
    assert full.shape == (15, 15)
    assert full.sum(axis=1).to_numpy() == pytest.approx(np.ones(15))
    assert full.sum(axis=0).to_numpy() == pytest.approx(np.ones(15))
    assert list(result.acceptability.columns) == [1, 2, 3, 4, 5]
    assert result.expected_rank.to_numpy() == pytest.approx(full.to_numpy() @ np.arange(1, 16))


def test_reproducible_with_a_seed():
    scores = random_scores(10)
    a = smaa(scores, CRITERIA, samples=500, seed=42)
    b = smaa(scores, CRITERIA, samples=500, seed=42)
    c = smaa(scores, CRITERIA, samples=500, seed=43)
    pd.testing.assert_frame_equal(a.acceptability_full, b.acceptability_full)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights)
    assert not a.acceptability_full.equals(c.acceptability_full)


def test_margin_zero_equals_the_deterministic_ranking():
    scores = random_scores(12)
    scores.loc["s05"] = scores.loc["s03"]  # an exact tie, broken by site_id in both
    base = {"x": 0.5, "y": 0.3, "z": 0.2}
    result = smaa(scores, CRITERIA, samples=200, margin=0.0, base_weights=base)
    deterministic = aggregate(scores, base, "wsm").set_index("site_id")["rank"]
    full = result.acceptability_full
    assert set(np.unique(full.to_numpy())) == {0.0, 1.0}
    assert full.idxmax(axis=1).to_dict() == deterministic.to_dict()


def test_central_weights_nan_for_never_first_and_on_simplex_otherwise():
    scores = pd.DataFrame(
        {"x": [1.0, 0.0, 0.0], "y": [0.0, 1.0, 0.0], "z": [0.5, 0.5, 0.1]},
        index=pd.Index(["best_x", "best_y", "dominated"], name="site_id"),
    )
    result = smaa(scores, CRITERIA, samples=4000, seed=0)
    central = result.central_weights
    assert central.loc["dominated"].isna().all()
    assert result.acceptability_full.loc["dominated", 3] == 1.0
    assert central.loc["best_x", "x"] > central.loc["best_x", "y"]
    assert central.loc["best_y", "y"] > central.loc["best_y", "x"]
    assert central.dropna().sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    # by symmetry the two extreme sites each rank first half of the time
    assert result.acceptability_full.loc["best_x", 1] == pytest.approx(0.5, abs=0.03)


def test_matches_scikit_criteria_one_sample_at_a_time():
    scores = random_scores(8, seed=5)
    samples, seed = 60, 11
    weights = sample_weights(samples, 3, np.random.default_rng(seed))
    counts = np.zeros((8, 8))
    for w in weights:
        dm = skcriteria.mkdm(scores.to_numpy(), [max, max, max], weights=w)
        counts[np.arange(8), WeightedSumModel().evaluate(dm).rank_ - 1] += 1
    result = smaa(scores, CRITERIA, samples=samples, seed=seed)
    assert result.acceptability_full.to_numpy() == pytest.approx(counts / samples)


@hsettings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=2, max_size=6).filter(lambda w: sum(w) > 0),
    st.floats(0.01, 0.5),
    st.integers(0, 1000),
)
def test_margin_samples_lie_on_the_simplex_within_the_margin(base, margin, seed):
    b = np.array(base, dtype=float) / sum(base)
    w = sample_weights(300, len(b), np.random.default_rng(seed), margin, b)
    assert w.shape == (300, len(b))
    assert w.sum(axis=1) == pytest.approx(np.ones(300))
    assert (w >= -1e-12).all()
    assert (np.abs(w - b) <= margin + 1e-12).all()


def test_uniform_simplex_sampling_has_the_dirichlet_mean_and_spread():
    w = sample_weights(20_000, 4, np.random.default_rng(0))
    # Dirichlet(1,1,1,1): mean 1/4, variance (1/4)(3/4)/5 = 0.0375
    assert w.mean(axis=0) == pytest.approx(np.full(4, 0.25), abs=0.01)
    assert w.var(axis=0) == pytest.approx(np.full(4, 0.0375), abs=0.003)


def test_margin_sampling_fills_the_box():
    b = np.array([0.4, 0.3, 0.2, 0.1])
    w = sample_weights(20_000, 4, np.random.default_rng(0), 0.05, b)
    # uniform on the polytope: the mean stays at the (interior) base weights
    assert w.mean(axis=0) == pytest.approx(b, abs=0.005)
    assert w.min(axis=0) == pytest.approx(b - 0.05, abs=0.01)
    assert w.max(axis=0) == pytest.approx(b + 0.05, abs=0.01)


def test_errors():
    with pytest.raises(UserError, match="needs base weights"):
        smaa(random_scores(3), CRITERIA, samples=10, margin=0.1)
    with pytest.raises(UserError, match="no value scores"):
        smaa(random_scores(3), ["x", "w"], samples=10)
    with pytest.raises(UserError, match="exactly the criteria"):
        smaa(random_scores(3), CRITERIA, samples=10, margin=0.1, base_weights={"x": 1})
