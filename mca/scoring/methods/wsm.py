"""Weighted sum: score = Σ w_j v_j ∈ [0, 1] (``skcriteria.agg.simple.WeightedSumModel``)."""

from __future__ import annotations

import numpy as np

from mca.scoring.methods.base import AggregationMethod

METHOD = AggregationMethod(
    name="wsm",
    description="Weighted sum: transparent, each criterion's contribution adds up to the score.",
    decision_maker="skcriteria.agg.simple:WeightedSumModel",
    score=lambda result: result.e_.score,
    yields="scores",
    contributions=True,
    needs_contrast=False,
    closed_form=np.inner,  # as skcriteria.agg.simple.wsm computes it, so the scores agree to the bit
)
