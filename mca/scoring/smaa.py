"""SMAA-2 (Lahdelma & Salminen 2001) for the weighted sum of value scores.

Weights are sampled, each sample ranks the sites by utility u = V · w, and the results are
summarised as:

- rank acceptability index b[site, r]: share of samples in which the site takes rank r
  (each row sums to 1);
- central weight vector of a site: mean of the samples in which it ranks first (NaN if never);
- expected rank: Σ r · b[site, r].

Confidence factors are not computed: they measure uncertainty in the criterion values, and the
value scores here are exact, so they would only be 0 or 1.

Weight sampling (seeded, ``numpy.random.default_rng(seed)``):

- no margin: uniform over the whole weight simplex, i.e. Dirichlet(1, …, 1) — no preference
  information at all;
- margin m around base weights b: uniform over the part of the simplex with |w_j − b_j| ≤ m
  (and 0 ≤ w_j ≤ 1). All coordinates but one are drawn uniformly in their interval
  [max(b_j − m, 0), min(b_j + m, 1)], the remaining one is 1 minus their sum, and samples whose
  remaining coordinate falls outside its own interval are rejected. The map to the simplex is
  affine, so the accepted samples are uniform on that polytope. Rejection runs in vectorised
  batches. Margin 0 reproduces the deterministic ranking with weights b.

Ties between sites (equal utility to 12 decimals) are broken by site_id, as in the
deterministic ranking. Utilities are computed in chunks of samples to bound memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mca.core.errors import UserError
from mca.scoring.aggregation import TIE_DECIMALS, check_value_scores

CHUNK_CELLS = 2_000_000
"""Sites × samples evaluated at once (about 16 MB of float64 utilities)."""


@dataclass(frozen=True)
class SMAAResult:
    """Rank acceptabilities, central weights and expected ranks; index site_id (sorted)."""

    acceptability_full: pd.DataFrame
    acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    expected_rank: pd.Series
    samples: int
    scheme: str


def sample_weights(
    samples: int,
    n_criteria: int,
    rng: np.random.Generator,
    margin: float | None = None,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """``samples × n_criteria`` weight vectors on the simplex (see the module docstring)."""
    if margin is None:
        return rng.dirichlet(np.ones(n_criteria), size=samples)
    if base is None:
        raise UserError("a margin needs base weights", source="scoring.smaa", field="margin")
    if margin == 0 or n_criteria == 1:
        return np.tile(base, (samples, 1))
    lower = np.maximum(base - margin, 0.0)
    upper = np.minimum(base + margin, 1.0)
    dependent = int(np.argmax(upper - lower))
    free = np.delete(np.arange(n_criteria), dependent)
    accepted: list[np.ndarray] = []
    count = 0
    for _ in range(10_000):
        size = (max(2 * (samples - count), 1024), len(free))
        batch = rng.uniform(lower[free], upper[free], size=size)
        rest = 1.0 - batch.sum(axis=1)
        ok = (rest >= lower[dependent]) & (rest <= upper[dependent])
        full = np.empty((int(ok.sum()), n_criteria))
        full[:, free] = batch[ok]
        full[:, dependent] = rest[ok]
        accepted.append(full)
        count += len(full)
        if count >= samples:
            return np.concatenate(accepted)[:samples]
    raise UserError(
        "could not sample weights within the margin; increase it",
        source="scoring.smaa",
        field="margin",
    )


def _rank_keys(utilities: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Unique int64 sort keys: utility rounded to TIE_DECIMALS (descending), then position.

    Equivalent to a stable sort on the rounded utilities, but a plain (faster) sort suffices.
    Utilities lie in [0, 1], so the keys fit in int64 for up to about 9 million sites.
    """
    utilities *= 10.0**TIE_DECIMALS
    np.rint(utilities, out=utilities)
    keys = utilities.astype(np.int64)
    keys *= -len(positions)
    keys += positions
    return keys


def smaa(
    scores: pd.DataFrame,
    criteria: list[str],
    samples: int = 10_000,
    margin: float | None = None,
    base_weights: Mapping[str, float] | None = None,
    seed: int = 0,
    report_ranks: int = 10,
) -> SMAAResult:
    """SMAA-2 over ``samples`` weight vectors for value scores (index site_id, ⊇ criteria).

    ``margin`` with ``base_weights`` samples around those weights; without a margin the
    weights are uniform over the simplex. Pass only non-excluded sites.
    """
    missing = [c for c in criteria if c not in scores.columns]
    if missing:
        raise UserError(f"no value scores for criteria {missing}", source="scores", field=missing[0])
    if samples < 1:
        raise UserError("samples must be at least 1", source="scoring.smaa", field="samples")
    table = scores[criteria].set_axis(scores.index.astype(str).rename("site_id"))
    table = table.sort_index(kind="mergesort")
    values = check_value_scores(table)
    n_sites, n_criteria = values.shape
    base = None if base_weights is None else _base_vector(base_weights, criteria)
    if margin is not None and not 0 <= margin <= 1:
        raise UserError("margin must lie in [0, 1]", source="scoring.smaa", field="margin")
    weights = sample_weights(samples, n_criteria, np.random.default_rng(seed), margin, base)

    counts, first_count, first_weight_sum = _count_ranks(weights, values)

    ranks = pd.RangeIndex(1, n_sites + 1, name="rank")
    acceptability = pd.DataFrame(counts.reshape(n_sites, n_sites) / samples, index=table.index, columns=ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first_weight_sum / first_count[:, None]
    central[first_count == 0] = np.nan
    if margin is None:
        scheme = f"uniform over the weight simplex (Dirichlet(1,…,1)), {samples} samples, seed {seed}"
    else:
        scheme = f"uniform over the simplex within ±{margin:g} of the base weights, {samples} samples, seed {seed}"
    return SMAAResult(
        acceptability_full=acceptability,
        acceptability=acceptability.iloc[:, :report_ranks],
        central_weights=pd.DataFrame(central, index=table.index, columns=criteria),
        expected_rank=pd.Series(
            acceptability.to_numpy() @ np.arange(1, n_sites + 1), index=table.index, name="expected_rank"
        ),
        samples=samples,
        scheme=scheme,
    )


def _base_vector(base_weights: Mapping[str, float], criteria: list[str]) -> np.ndarray:
    """The base weights in criteria order, normalised; exactly the criteria, non-negative."""
    unknown = sorted(set(base_weights) - set(criteria))
    if unknown or any(c not in base_weights for c in criteria):
        raise UserError(
            f"base weights must name exactly the criteria {criteria}", source="scoring.smaa", field="base_weights"
        )
    base = np.array([base_weights[c] for c in criteria], dtype=float)
    if (base < 0).any() or base.sum() <= 0:
        raise UserError(
            "base weights must be non-negative and not all zero", source="scoring.smaa", field="base_weights"
        )
    return base / base.sum()


def _count_ranks(weights: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank counts (site × rank, flat), times ranked first, and the weights summed when first."""
    n_sites, n_criteria = values.shape
    counts = np.zeros(n_sites * n_sites, dtype=np.int64)
    first_count = np.zeros(n_sites, dtype=np.int64)
    first_weight_sum = np.zeros((n_sites, n_criteria))
    positions = np.arange(n_sites)
    chunk = max(1, CHUNK_CELLS // n_sites)
    for start in range(0, len(weights), chunk):
        w = weights[start : start + chunk]
        order = np.argsort(_rank_keys(w @ values.T, positions), axis=1)  # site at each rank
        counts += np.bincount((order * n_sites + positions).ravel(), minlength=n_sites * n_sites)
        first = order[:, 0]
        first_count += np.bincount(first, minlength=n_sites)
        for j in range(n_criteria):
            first_weight_sum[:, j] += np.bincount(first, weights=w[:, j], minlength=n_sites)
    return counts, first_count, first_weight_sum
