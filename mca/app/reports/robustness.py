"""Robustness figures the report, fact sheets and workbook share.

The exact weight stability of the top five (weighted sum) and the weight change that would
bring a site into the top five.
"""

from __future__ import annotations

import pandas as pd

from mca.app.results import RunResult
from mca.scoring.stability import REACH_COLUMNS, STABILITY_COLUMNS, weight_stability, weight_to_reach

TOP_K = 5
"""The top set whose stability is reported ("what would it take to rank in the top five")."""


def value_score_matrix(result: RunResult) -> pd.DataFrame:
    """Value scores of the ranked sites (index site id, one column per weighted criterion)."""
    ranking = result.ranking
    ranked = ranking[~ranking["excluded"].astype(bool) & ranking["rank"].notna()]
    names = [c for c in result.weights if f"vs_{c}" in ranking.columns]
    frame = ranked.set_index("site_id")[[f"vs_{c}" for c in names]]
    frame.columns = names
    return frame.astype(float).dropna()


def stability(result: RunResult, k: int = TOP_K) -> pd.DataFrame:
    """Per criterion the weight interval that keeps the top ``k`` set (empty without enough sites)."""
    scores = value_score_matrix(result)
    if scores.empty:
        return pd.DataFrame(columns=list(STABILITY_COLUMNS))
    weights = {c: float(result.weights[c]) for c in scores.columns}
    return weight_stability(scores, weights, k)


def reach_top(result: RunResult, site_id: str, k: int = TOP_K, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per criterion the nearest weight that puts ``site_id`` in the top ``k`` (empty when not ranked).

    ``scores``: the run's `value_score_matrix`, when the caller has it already.
    """
    scores = value_score_matrix(result) if scores is None else scores
    if site_id not in scores.index or len(scores) <= k:
        return pd.DataFrame(columns=list(REACH_COLUMNS))
    weights = {c: float(result.weights[c]) for c in scores.columns}
    return weight_to_reach(scores, weights, site_id, k)
