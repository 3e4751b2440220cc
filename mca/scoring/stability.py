"""Weight stability of the weighted sum, computed exactly.

When the weight of one criterion ``j`` moves to ``t`` and the other weights are rescaled so
that all still sum to one (``w_i(t) = w_i (1 - t) / (1 - w_j)``), every site's weighted sum
is a straight line in ``t``: ``S_s(t) = t v_sj + (1 - t) c_s`` with ``c_s`` the weighted mean
of its other value scores. Two sites swap order only where their lines cross, so the top-k
set and a site's rank change only at those crossings: the intervals below are exact, not
sampled (cf. the one-at-a-time sensitivity of Triantaphyllou & Sánchez 1997, here for a set).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

STABILITY_COLUMNS = ("criterion", "weight", "lower", "upper")
REACH_COLUMNS = ("criterion", "weight", "needed_weight", "change")


def _lines(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str) -> tuple[np.ndarray, np.ndarray]:
    """Slope-free form of every site's score as a function of the weight ``t`` of ``criterion``.

    Gives ``(a, c)`` with ``S(t) = t a + (1 - t) c``: ``a`` the site's value score on the
    criterion, ``c`` its weighted mean over the other criteria (plain mean if they weigh 0).
    """
    others = [name for name in scores.columns if name != criterion]
    a = scores[criterion].to_numpy(dtype=float)
    if not others:
        return a, a.copy()
    w = np.array([float(weights.get(name, 0.0)) for name in others])
    values = scores[others].to_numpy(dtype=float)
    c = values @ (w / w.sum()) if w.sum() > 0 else values.mean(axis=1)
    return a, c


def _crossings(diff_c: np.ndarray, diff_a: np.ndarray) -> np.ndarray:
    """The weights ``t`` where ``diff_c + t (diff_a - diff_c)`` is zero (NaN where parallel)."""
    slope = diff_a - diff_c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(slope) > 1e-15, -diff_c / slope, np.nan)


def top_set(scores: pd.DataFrame, weights: Mapping[str, float], k: int) -> list[str]:
    """The ``k`` sites with the highest weighted sum (ties by site id), as in the ranking."""
    total = scores.to_numpy(dtype=float) @ np.array([float(weights.get(c, 0.0)) for c in scores.columns])
    order = sorted(range(len(scores)), key=lambda i: (-round(float(total[i]), 12), str(scores.index[i])))
    return [str(scores.index[i]) for i in order[:k]]


def weight_stability(scores: pd.DataFrame, weights: Mapping[str, float], k: int) -> pd.DataFrame:
    """Per criterion: its weight and the range ``[lower, upper]`` over which the top-k set stays the same.

    ``scores``: value scores in [0, 1] of the ranked sites (index site id, one column per
    criterion); ``weights``: the weight of each column (summing to one). The other weights are
    rescaled in proportion; an empty frame when there are no more than ``k`` sites.
    """
    if len(scores) <= k or k < 1:
        return pd.DataFrame(columns=list(STABILITY_COLUMNS))
    inside = np.isin(scores.index.astype(str), top_set(scores, weights, k))
    rows = []
    for criterion in scores.columns:
        w = float(weights.get(criterion, 0.0))
        a, c = _lines(scores, weights, criterion)
        roots = _crossings(c[inside][:, None] - c[~inside][None, :], a[inside][:, None] - a[~inside][None, :])
        roots = roots[np.isfinite(roots)]
        above = roots[roots > w + 1e-12]
        below = roots[roots < w - 1e-12]
        upper = float(min(above.min(), 1.0)) if above.size else 1.0
        lower = float(max(below.max(), 0.0)) if below.size else 0.0
        rows.append((criterion, w, lower, upper))
    return pd.DataFrame(rows, columns=list(STABILITY_COLUMNS))


def _in_top(a: np.ndarray, c: np.ndarray, me: int, k: int, t: np.ndarray) -> np.ndarray:
    """Whether site ``me`` is among the top ``k`` at each weight of ``t`` (a tie counts in its favour)."""
    score = t[:, None] * a + (1 - t[:, None]) * c
    return np.asarray(np.sum(score > score[:, [me]] + 1e-12, axis=1) < k)


def weight_to_reach(scores: pd.DataFrame, weights: Mapping[str, float], site: str, k: int) -> pd.DataFrame:
    """Per criterion: the weight nearest the current one at which ``site`` enters the top ``k``.

    ``needed_weight`` is NaN when no weight of that criterion (the others rescaled) brings the
    site into the top k; ``change`` is ``needed_weight - weight`` (0 when it is there already).
    Exact: the site's position changes only where its line crosses another site's.
    """
    me = int(np.flatnonzero(scores.index.astype(str) == str(site))[0])
    rows = []
    for criterion in scores.columns:
        w = float(weights.get(criterion, 0.0))
        a, c = _lines(scores, weights, criterion)
        roots = _crossings(c[me] - c, a[me] - a)
        points = np.unique(np.clip(np.concatenate([[0.0, 1.0, w], roots[np.isfinite(roots)]]), 0.0, 1.0))
        needed = _nearest_feasible(points, w, functools.partial(_in_top, a, c, me, k))
        rows.append((criterion, w, needed, needed - w))
    return pd.DataFrame(rows, columns=list(REACH_COLUMNS))


def _nearest_feasible(points: np.ndarray, w: float, feasible: Callable[[np.ndarray], np.ndarray]) -> float:
    """The feasible weight nearest ``w``: breakpoints and the midpoints between them are tested, all at once."""
    if feasible(np.array([w]))[0]:
        return w
    candidates = np.concatenate([points, (points[1:] + points[:-1]) / 2])
    good = [float(t) for t in candidates[feasible(candidates)]]
    return min(good, key=lambda t: (abs(t - w), t)) if good else float("nan")
