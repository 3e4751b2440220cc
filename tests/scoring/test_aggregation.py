"""Aggregation: hand-computed TOPSIS and ELECTRE II, deterministic ties, WSM properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mca.core.errors import DataError, UserError
from mca.scoring.aggregation import aggregate


def frame(rows: dict[str, list[float]], criteria: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=criteria).rename_axis("site_id")


def test_topsis_hand_computed():
    # Weighted matrix with w = (0.6, 0.4): A (0.6, 0), B (0, 0.4), C (0.3, 0.2).
    # Ideal (0.6, 0.4), anti-ideal (0, 0).
    # A: d+ = 0.4, d- = 0.6 → 0.6;  B: d+ = 0.6, d- = 0.4 → 0.4;
    # C: d+ = √(0.3² + 0.2²) = d- → 0.5.
    scores = frame({"A": [1, 0], "B": [0, 1], "C": [0.5, 0.5]}, ["x", "y"])
    result = aggregate(scores, {"x": 0.6, "y": 0.4}, "topsis")
    assert result["site_id"].tolist() == ["A", "C", "B"]
    assert result["score"].tolist() == pytest.approx([0.6, 0.5, 0.4])
    assert result["rank"].tolist() == [1, 2, 3]


def test_topsis_second_hand_computed_example():
    # Equal weights. Weighted: D (0.225, 0.225), E (0.5, 0), F (0, 0.5);
    # ideal (0.5, 0.5), anti-ideal (0, 0).
    # D: d+ = 0.275·√2, d- = 0.225·√2 → 0.225 / 0.5 = 0.45;  E, F: d+ = d- = 0.5 → 0.5.
    # E and F tie at 0.5 and are ordered by site_id.
    scores = frame({"F": [0.0, 1.0], "D": [0.45, 0.45], "E": [1.0, 0.0]}, ["x", "y"])
    result = aggregate(scores, {"x": 0.5, "y": 0.5}, "topsis")
    d_plus, d_minus = math.hypot(0.275, 0.275), math.hypot(0.225, 0.225)
    assert result["site_id"].tolist() == ["E", "F", "D"]
    assert result["score"].tolist() == pytest.approx([0.5, 0.5, d_minus / (d_plus + d_minus)])
    assert result["shared_rank"].tolist() == [1, 1, 3]


def test_electre2_hand_computed():
    # Equal weights 1/3. Concordance C(a,b) = Σ w where a ≥ b; discordance D(a,b) = largest
    # amount by which b beats a, divided by the largest range of any criterion (1).
    #   C(A,B)=2/3 D(A,B)=1    C(A,C)=2/3 D(A,C)=0.5   C(C,B)=2/3 D(C,B)=0.5
    # Strong outranking (C ≥ 0.65, D ≤ 0.65, C(a,b) > C(b,a)): A S C and C S B; A does not
    # outrank B (D = 1). Direct distillation: A, C, B; inverse distillation: the same.
    scores = frame({"A": [1, 1, 0], "B": [0, 0, 1], "C": [0.5, 0.5, 0.5]}, ["x", "y", "z"])
    result = aggregate(scores, dict.fromkeys("xyz", 1 / 3), "electre2")
    assert result["site_id"].tolist() == ["A", "C", "B"]
    assert result["score"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert result["shared_rank"].tolist() == [1, 2, 3]


def test_electre2_incomparable_sites_share_a_position_and_ties_go_by_site_id():
    # C(A,B) = C(B,A) = 0.5: no outranking either way, so ELECTRE II cannot separate them.
    scores = frame({"site-b": [1, 0], "site-a": [0, 1]}, ["x", "y"])
    result = aggregate(scores, {"x": 0.5, "y": 0.5}, "electre2")
    assert result["site_id"].tolist() == ["site-a", "site-b"]
    assert result["rank"].tolist() == [1, 2]
    assert result["shared_rank"].tolist() == [1, 1]


@pytest.mark.parametrize("method", ["wsm", "topsis", "electre2"])
def test_identical_sites_tie_deterministically(method):
    scores = frame({"s2": [0.3, 0.7], "s1": [0.3, 0.7], "s3": [0.3, 0.7]}, ["x", "y"])
    result = aggregate(scores, {"x": 0.5, "y": 0.5}, method)
    assert result["site_id"].tolist() == ["s1", "s2", "s3"]
    assert result["shared_rank"].tolist() == [1, 1, 1]


def test_scores_out_of_range_or_missing_refused():
    with pytest.raises(DataError, match="s1/x"):
        aggregate(frame({"s1": [1.2, 0]}, ["x", "y"]), {"x": 1, "y": 1})
    with pytest.raises(DataError):
        aggregate(frame({"s1": [np.nan, 0]}, ["x", "y"]), {"x": 1, "y": 1})
    with pytest.raises(UserError, match="weights without scores \\['z'\\]"):
        aggregate(frame({"s1": [1, 0]}, ["x", "y"]), {"x": 1, "y": 1, "z": 1})
    with pytest.raises(UserError, match=r"unknown aggregation method .promethee.; use one of wsm"):
        aggregate(frame({"s1": [1, 0]}, ["x", "y"]), {"x": 1, "y": 1}, "promethee")


grid_scores = st.integers(2, 8).flatmap(
    lambda n: st.lists(st.lists(st.integers(0, 100), min_size=3, max_size=3), min_size=n, max_size=n)
)
int_weights = st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda w: sum(w) > 0)


def to_frame(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        np.array(rows) / 100,
        columns=["x", "y", "z"],
        index=pd.Index([f"s{i}" for i in range(len(rows))], name="site_id"),
    )


def normalised(weights: list[float]) -> dict[str, float]:
    total = sum(weights)
    return {c: w / total for c, w in zip("xyz", weights)}


@given(grid_scores, int_weights, st.integers(0, 2), st.integers(1, 20))
def test_more_weight_never_lowers_the_best_site_on_that_criterion(rows, weights, j, extra):
    scores = to_frame(rows)
    criterion = "xyz"[j]
    best = scores[criterion].idxmax()
    before = aggregate(scores, normalised(weights), "wsm").set_index("site_id")["rank"][best]
    heavier = list(weights)
    heavier[j] += extra
    after = aggregate(scores, normalised(heavier), "wsm").set_index("site_id")["rank"][best]
    assert after <= before


@given(grid_scores, int_weights, st.floats(1e-3, 1e3))
def test_wsm_score_is_the_weighted_sum_and_scale_free(rows, weights, factor):
    scores = to_frame(rows)
    w = normalised(weights)
    result = aggregate(scores, w, "wsm").set_index("site_id")
    expected = scores.to_numpy() @ np.array(list(w.values()))
    assert result.loc[scores.index, "score"].to_numpy() == pytest.approx(expected)
    assert sorted(result["rank"]) == list(range(1, len(scores) + 1))
    rescaled = normalised([x * factor for x in weights])
    assert aggregate(scores, rescaled, "wsm")["site_id"].tolist() == result.index.tolist()


@given(grid_scores, int_weights)
def test_a_closed_form_gives_the_scores_of_its_scikit_criteria_decision_maker(rows, weights):
    import skcriteria

    from mca.scoring.methods import METHODS

    scores, w = to_frame(rows), np.array(list(normalised(weights).values()))
    for spec in (m for m in METHODS if m.closed_form is not None):
        dm = skcriteria.mkdm(scores.to_numpy(), [max] * 3, weights=w)
        expected = np.atleast_1d(spec.score(spec.decision_maker_class()().evaluate(dm)))
        assert spec.closed_form(scores.to_numpy(), w) == pytest.approx(expected, rel=1e-12, abs=1e-12)
