"""ELECTRE II (``skcriteria.agg.electre.ELECTRE2``), also spelled ``electre``.

Default thresholds of scikit-criteria: p0=0.65, p1=0.5, p2=0.35, q0=0.65, q1=0.35. It yields a
weak order from the mean of the direct and inverse distillation positions; sites it cannot
separate (indifferent or incomparable) share that position. The score maps the mean position
linearly onto [0, 1] (1 = first position, 0 = last): an ordinal score, not a cardinal value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mca.scoring.methods.base import AggregationMethod

if TYPE_CHECKING:
    from skcriteria.agg import ResultABC


def position_score(result: ResultABC) -> np.ndarray:
    """The mean distillation position mapped onto [0, 1], 1 for the first position."""
    position = np.asarray(result.e_.score, dtype=float)
    spread = position.max() - position.min()
    return (position.max() - position) / spread if spread > 0 else np.ones(len(position))


METHOD = AggregationMethod(
    name="electre2",
    aliases=("electre",),
    description="ELECTRE II outranking: a weak order; the score only encodes the position.",
    decision_maker="skcriteria.agg.electre:ELECTRE2",
    score=position_score,
    yields="ranks",
)
