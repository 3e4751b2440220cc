"""Weights: direct, AHP (textbook example), rank-order centroid and swing."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mca.core.errors import UserError
from mca.scoring.weights import (
    AHPWeights,
    DirectWeights,
    ROCWeights,
    SwingWeights,
    WeightSet,
    resolve_weights,
)

WEIGHT_SET = TypeAdapter(WeightSet)

# Saaty, T.L. (1990). How to make a decision: the Analytic Hierarchy Process. European Journal of
# Operational Research 48, 9-26: the house-buying example, pairwise comparison of eight criteria
# (1 size of house, 2 transportation, 3 neighbourhood, 4 age, 5 yard space, 6 modern facilities,
# 7 general condition, 8 financing). Published: priorities 0.173, 0.054, 0.188, 0.018, 0.031,
# 0.036, 0.167, 0.333; λmax = 9.669, C.I. = 0.238, C.R. = 0.169.
SAATY_1990_HOUSE = """
1   5   3   7   6   6   1/3 1/4
1/5 1   1/3 5   3   3   1/5 1/7
1/3 3   1   6   3   4   6   1/5
1/7 1/5 1/6 1   1/3 1/4 1/7 1/8
1/6 1/3 1/3 3   1   1/2 1/5 1/6
1/6 1/3 1/4 4   2   1   1/5 1/6
3   5   1/6 7   5   5   1   1/2
4   7   5   8   6   6   2   1
"""
HOUSE_CRITERIA = ["size", "transportation", "neighbourhood", "age", "yard", "facilities", "condition", "financing"]
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]


def upper_triangle_judgments(text: str, names: list[str]) -> dict[str, dict[str, float]]:
    rows = [[float(Fraction(x)) for x in line.split()] for line in text.strip().splitlines()]
    return {a: {b: rows[i][j] for j, b in enumerate(names) if j > i} for i, a in enumerate(names[:-1])}


def test_ahp_reproduces_saaty_1990_house_example():
    ws = AHPWeights(judgments=upper_triangle_judgments(SAATY_1990_HOUSE, HOUSE_CRITERIA))
    result = resolve_weights(ws, HOUSE_CRITERIA, name="house")
    assert [round(result.weights[c], 3) for c in HOUSE_CRITERIA] == HOUSE_PRIORITIES
    assert round(result.consistency_index, 3) == 0.238
    assert round(result.consistency_ratio, 3) == 0.169
    # CR above 0.1 is a warning in the result, not an exception
    assert len(result.warnings) == 1 and "house" in result.warnings[0]
    assert "0.169" in result.warnings[0]


def test_ahp_consistent_matrix_gives_exact_ratios():
    ws = AHPWeights(judgments={"a": {"b": 2, "c": 4}, "b": {"c": 2}})
    result = resolve_weights(ws, ["a", "b", "c"])
    assert list(result.weights.values()) == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert result.warnings == []


def test_ahp_judgment_may_be_given_in_either_direction():
    forward = AHPWeights(judgments={"a": {"b": 3}})
    backward = AHPWeights(judgments={"b": {"a": 1 / 3}})
    assert resolve_weights(forward, ["a", "b"]).weights == pytest.approx(resolve_weights(backward, ["a", "b"]).weights)
    assert resolve_weights(forward, ["a", "b"]).weights == pytest.approx({"a": 0.75, "b": 0.25})


def test_ahp_incomplete_matrix_names_the_missing_pair():
    with pytest.raises(ValidationError, match="missing pairs: \\['b/c'\\]"):
        AHPWeights(judgments={"a": {"b": 2, "c": 4}})


def test_ahp_pair_twice_and_off_scale_rejected():
    with pytest.raises(ValidationError, match="judged twice"):
        AHPWeights(judgments={"a": {"b": 2}, "b": {"a": 0.5}})
    with pytest.raises(ValidationError):
        AHPWeights(judgments={"a": {"b": 12}})


def test_roc_weights_known_values():
    # Barron & Barrett (1996): ROC for three criteria = 11/18, 5/18, 2/18
    result = resolve_weights(ROCWeights(order=["x", "y", "z"]), ["z", "y", "x"])
    assert result.weights == pytest.approx({"z": 2 / 18, "y": 5 / 18, "x": 11 / 18})


def test_swing_weights_relative_to_most_important_swing():
    ws = SwingWeights(points={"a": 100, "b": 50, "c": 50})
    assert resolve_weights(ws, ["a", "b", "c"]).weights == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    with pytest.raises(ValidationError, match="100 points"):
        SwingWeights(points={"a": 80, "b": 50})


def test_invalid_direct_weights():
    with pytest.raises(ValidationError):
        DirectWeights(weights={"a": -1, "b": 2})
    with pytest.raises(ValidationError, match="all zero"):
        DirectWeights(weights={"a": 0, "b": 0})


def test_unknown_and_missing_criteria_name_the_weight_set():
    ws = DirectWeights(weights={"a": 1, "typo": 1})
    with pytest.raises(UserError) as error:
        resolve_weights(ws, ["a", "b"], name="nature_first")
    assert error.value.source == "scoring.weight_sets.nature_first"
    assert error.value.field == "weights"
    assert "typo" in error.value.message
    with pytest.raises(UserError, match="no weight for criteria \\['b'\\]"):
        resolve_weights(DirectWeights(weights={"a": 1}), ["a", "b"], name="x")


def test_discriminated_union_by_method():
    ws = WEIGHT_SET.validate_python({"method": "swing", "points": {"a": 100, "b": 20}})
    assert isinstance(ws, SwingWeights)
    with pytest.raises(ValidationError):
        WEIGHT_SET.validate_python({"method": "direct", "weights": {"a": 1}, "extra": 1})


names = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


@given(names.flatmap(lambda n: st.tuples(st.just(n), st.lists(st.floats(0, 1e6), min_size=len(n), max_size=len(n)))))
def test_direct_weights_sum_to_one(case):
    criteria, values = case
    if sum(values) <= 0:
        values = [1.0] * len(values)
    result = resolve_weights(DirectWeights(weights=dict(zip(criteria, values))), criteria)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert min(result.weights.values()) >= 0


@given(names, st.floats(1e-3, 1e3))
def test_direct_weights_invariant_to_positive_rescaling(criteria, factor):
    raw = {c: float(i + 1) for i, c in enumerate(criteria)}
    scaled = {c: v * factor for c, v in raw.items()}
    assert resolve_weights(DirectWeights(weights=scaled), criteria).weights == pytest.approx(
        resolve_weights(DirectWeights(weights=raw), criteria).weights
    )


@given(names)
def test_roc_weights_sum_to_one_and_decrease(criteria):
    weights = list(resolve_weights(ROCWeights(order=criteria), criteria).weights.values())
    assert sum(weights) == pytest.approx(1.0)
    assert all(a > b for a, b in pairwise(weights))


@given(
    names.filter(lambda n: len(n) >= 2).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.sampled_from([1 / 9, 1 / 5, 1 / 3, 1, 2, 3, 5, 7, 9]),
                min_size=len(n) * (len(n) - 1) // 2,
                max_size=len(n) * (len(n) - 1) // 2,
            ),
        )
    )
)
def test_ahp_weights_sum_to_one_for_any_judgments(case):
    criteria, values = case
    it = iter(values)
    judgments = {a: {b: next(it) for b in criteria[i + 1 :]} for i, a in enumerate(criteria[:-1])}
    result = resolve_weights(AHPWeights(judgments=judgments), criteria)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert all(w > 0 for w in result.weights.values())
    assert result.consistency_ratio >= -1e-9
    assert (result.consistency_ratio > 0.1) == bool(result.warnings)


@given(names.flatmap(lambda n: st.tuples(st.just(n), st.lists(st.floats(0, 100), min_size=len(n), max_size=len(n)))))
def test_swing_weights_sum_to_one(case):
    criteria, values = case
    values[0] = 100.0
    result = resolve_weights(SwingWeights(points=dict(zip(criteria, values))), criteria)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert np.argmax(list(result.weights.values())) == 0 or max(values[1:]) == 100
