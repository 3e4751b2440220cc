"""Aggregation of value scores into one score and rank per site, via scikit-criteria.

Input are value scores in [0, 1] (all criteria "higher is better" after the value functions).
The methods (``wsm``, ``topsis``, ``electre2`` alias ``electre``, …) are registered in
:mod:`mca.scoring.methods`, one module each; this module checks the input, runs the chosen
method's scikit-criteria decision maker and orders the sites.

Ranks are unique (1..n): by score (rounded to 12 decimals, so floating-point noise does not
break ties), then by ``site_id``. ``shared_rank`` gives tied sites the same (lowest) rank, which
shows where a method — typically ELECTRE — does not distinguish sites.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mca.core.errors import DataError, UserError
from mca.scoring.methods import get_method

TIE_DECIMALS = 12


def order_sites(site_ids: pd.Index, score: np.ndarray) -> pd.DataFrame:
    """``site_id, score, rank, shared_rank``: unique ranks by score (descending), then site_id."""
    key = np.round(np.asarray(score, dtype=float), TIE_DECIMALS)
    frame = pd.DataFrame({"site_id": site_ids.astype(str), "score": score, "_key": key})
    frame = frame.sort_values(["_key", "site_id"], ascending=[False, True], kind="mergesort")
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame["shared_rank"] = (-frame["_key"]).rank(method="min").astype(int)
    return frame.drop(columns="_key").reset_index(drop=True)


def check_value_scores(scores: pd.DataFrame) -> np.ndarray:
    """The value scores as an array; refuses an empty frame and values not in [0, 1]."""
    if scores.empty:
        raise DataError("no sites to aggregate", source="scores")
    values = scores.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        rows, cols = np.nonzero(bad)
        where = [f"{scores.index[r]}/{scores.columns[c]}" for r, c in zip(rows[:5], cols[:5])]
        raise DataError(
            f"value scores must be numbers in [0, 1]; missing or out of range at {where}",
            source="scores",
            field=str(scores.columns[cols[0]]),
        )
    return values


def check_weights(scores: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """The weights in the order of the score columns; names must match the columns exactly."""
    unknown = sorted(set(weights) - set(scores.columns))
    missing = [c for c in scores.columns if c not in weights]
    if unknown or missing:
        raise UserError(
            f"weights and scores disagree: weights without scores {unknown}, scores without weights {missing}",
            source="scoring",
            field="weights",
        )
    return np.array([weights[c] for c in scores.columns], dtype=float)


def aggregate(scores: pd.DataFrame, weights: Mapping[str, float], method: str = "wsm") -> pd.DataFrame:
    """``site_id, score, rank, shared_rank`` for value scores (index site_id, one column each).

    ``method`` is the name or an alias of a registered aggregation method.
    """
    spec = get_method(method)
    values = check_value_scores(scores)
    w = check_weights(scores, weights)
    weighted_columns = values[:, w > 0]
    if spec.needs_contrast and np.all(weighted_columns == weighted_columns[:1]):
        # All sites are identical on every weighted criterion: TOPSIS and ELECTRE are undefined
        # (ideal = anti-ideal, zero discordance range) and nothing separates the sites.
        return order_sites(scores.index, np.ones(len(scores)))
    if spec.closed_form is not None:
        return order_sites(scores.index, np.atleast_1d(spec.closed_form(values, w)))
    import skcriteria  # imported here: scikit-criteria pulls in scipy.stats and seaborn

    dm = skcriteria.mkdm(
        values,
        [max] * values.shape[1],
        weights=w,
        alternatives=[str(s) for s in scores.index],
        criteria=[str(c) for c in scores.columns],
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        result = spec.decision_maker_class()().evaluate(dm)
    return order_sites(scores.index, np.atleast_1d(spec.score(result)))
