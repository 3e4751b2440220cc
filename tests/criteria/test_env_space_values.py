"""The VNG category is ranked through its value table, not as a number (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from criteria.env_space import VNG_CATEGORY_VALUE, VNG_DISTANCE_M, Params, category_value


def test_every_step_of_the_vng_scale_is_worth_the_same() -> None:
    categories = np.array(sorted(float(c) for c in VNG_DISTANCE_M))
    steps = np.diff(category_value(categories, VNG_CATEGORY_VALUE))
    assert steps == pytest.approx(np.full(len(steps), steps[0]))
    codes = np.diff(categories)  # as numbers the codes step unevenly: 3.2 → 4.1 is nine times 4.1 → 4.2
    assert codes.max() / codes.min() >= 9 - 1e-9


def test_no_fitting_category_is_worth_nothing() -> None:
    assert category_value(np.array([0.0, 6.0]), VNG_CATEGORY_VALUE).tolist() == [0.0, 1.0]


def test_a_table_must_value_every_category() -> None:
    with pytest.raises(ValidationError, match="category_values lacks"):
        Params(category_values={"1": 0.5})
