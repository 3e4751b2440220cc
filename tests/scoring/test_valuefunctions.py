"""Value functions: thresholds, breakpoints, categories and the relative min-max default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from mca.core.errors import UserError
from mca.scoring.valuefunctions import (
    CategoricalValueFunction,
    LinearValueFunction,
    MinMaxValueFunction,
    PiecewiseValueFunction,
    ValueFunctionSpec,
    apply_value_function,
)

SPEC = TypeAdapter(ValueFunctionSpec)


def series(values, name="road_access"):
    return pd.Series(values, index=[f"s{i}" for i in range(len(values))], name=name, dtype=object)


def test_linear_lower_is_better_by_threshold_order():
    spec = SPEC.validate_python({"type": "linear", "worst": 5000, "best": 500})
    out = apply_value_function(series([250, 500, 2750, 5000, 9000]), spec, "min")
    assert out.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])


def test_linear_higher_is_better():
    spec = LinearValueFunction(worst=2, best=10)
    out = apply_value_function(series([0, 4, 10, 12], "size_shape"), spec, "max")
    assert out.tolist() == pytest.approx([0.0, 0.25, 1.0, 1.0])


def test_linear_thresholds_against_direction_are_refused():
    with pytest.raises(UserError, match=r"road_access.*contradicts direction .min."):
        apply_value_function(series([1, 2]), LinearValueFunction(worst=0, best=10), "min")


def test_linear_equal_thresholds_invalid():
    with pytest.raises(ValidationError):
        LinearValueFunction(worst=1, best=1)


def test_piecewise_interpolates_and_is_constant_outside():
    points = [[1, 0], [5, 1], [20, 1], [40, 0.2]]
    spec = SPEC.validate_python({"type": "piecewise", "points": points})
    out = apply_value_function(series([0, 3, 10, 30, 100, np.nan], "size_shape"), spec, "max")
    assert out.iloc[:5].tolist() == pytest.approx([0.0, 0.5, 1.0, 0.6, 0.2])
    assert np.isnan(out.iloc[5])


def test_piecewise_needs_increasing_x_and_scores_in_range():
    with pytest.raises(ValidationError):
        PiecewiseValueFunction(points=[(5, 0), (1, 1)])
    with pytest.raises(ValidationError):
        PiecewiseValueFunction(points=[(1, 0), (5, 1.5)])


def test_categorical_matches_numeric_and_text_keys():
    spec = SPEC.validate_python({"type": "categorical", "mapping": {3: 0.2, "4.1": 0.8, "6": 1}})
    out = apply_value_function(series([3.0, "4.1", 6, 4.1], "env_space"), spec, "max")
    assert out.tolist() == pytest.approx([0.2, 0.8, 1.0, 0.8])


def test_categorical_unknown_category_needs_default():
    spec = CategoricalValueFunction(mapping={"a": 1.0})
    with pytest.raises(UserError, match=r"env_space: no score for categories \['b'\]"):
        apply_value_function(series(["a", "b"], "env_space"), spec, "max")
    with_default = CategoricalValueFunction(mapping={"a": 1.0}, default=0.3)
    out = apply_value_function(series(["a", "b"], "env_space"), with_default, "max")
    assert out.tolist() == [1.0, 0.3]


def test_minmax_is_relative_to_the_reference_sites():
    values = series([100, 200, 300, 1000])
    out = apply_value_function(values, MinMaxValueFunction(), "min", reference=values.iloc[:3])
    # best reference value 100 → 1, worst 300 → 0; the site outside the reference clips to 0
    assert out.tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])
    # the same site gets another score when the candidate set changes
    wider = apply_value_function(values, MinMaxValueFunction(), "min")
    assert wider.iloc[1] == pytest.approx(800 / 900)


def test_minmax_constant_criterion_scores_one():
    out = apply_value_function(series([7, 7, 7]), MinMaxValueFunction(), "max")
    assert out.tolist() == [1.0, 1.0, 1.0]


def test_unknown_type_rejected():
    with pytest.raises(ValidationError):
        SPEC.validate_python({"type": "sigmoid"})
