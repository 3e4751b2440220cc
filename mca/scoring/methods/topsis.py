"""TOPSIS (``skcriteria.agg.topsis.TOPSIS``, Euclidean) on the value scores as they are.

No extra vector normalisation: the value scores already share one scale. Score = relative
closeness to the ideal ∈ [0, 1]; ideal and anti-ideal are the best and worst candidates, so the
score is relative to the candidate set.
"""

from __future__ import annotations

from mca.scoring.methods.base import AggregationMethod

METHOD = AggregationMethod(
    name="topsis",
    description="TOPSIS: closeness to the best and distance from the worst candidate.",
    decision_maker="skcriteria.agg.topsis:TOPSIS",
    score=lambda result: result.e_.similarity,
    yields="scores",
)
