"""Pricing columns in by groups gives the whole LP's optimum (cross-checked against HiGHS on the whole LP)."""

from __future__ import annotations

from unittest.mock import patch

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import pricing
from solvers.pricing import GroupedLp, optimal_basis, solve_by_pricing

OPTIONS: dict[str, float | str | bool] = {}


def _transport(seed: int, n_sites: int, n_segments: int) -> GroupedLp:
    """A random transportation LP with shortfall: site capacity rows (owned) and demand rows (shared), minimised.

    Columns: ``x[s,g]`` (group ``s``, cost ``−suit``) then ``short[g]`` (shared, cost 100);
    rows: ``Σ_g x[s,g] ≤ cap[s]`` per site, then ``Σ_s x[s,g] + short[g] = D[g]``.
    """
    rng = np.random.default_rng(seed)
    open_pairs = rng.random((n_sites, n_segments)) < 0.6
    sites, segments = np.nonzero(open_pairs)
    n_x = len(sites)
    rows = np.r_[sites, n_sites + segments, n_sites + np.arange(n_segments)]
    cols = np.r_[np.arange(n_x), np.arange(n_x), n_x + np.arange(n_segments)]
    matrix = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_sites + n_segments, n_x + n_segments))
    cap, demand = rng.uniform(1, 10, n_sites), rng.uniform(5, 40, n_segments)
    return GroupedLp(
        cost=np.r_[-rng.uniform(0, 1, n_x), np.full(n_segments, 100.0)],
        lower=np.zeros(n_x + n_segments),
        upper=np.r_[np.full(n_x, np.inf), demand],
        row_lower=np.r_[np.full(n_sites, -np.inf), demand],
        row_upper=np.r_[cap, demand],
        matrix=matrix,
        group=np.r_[sites, np.full(n_segments, -1)],
    )


def _whole(lp: GroupedLp, basis: highspy.HighsBasis | None = None) -> tuple[float, np.ndarray, int]:
    """The objective, values and simplex iterations of ``lp`` solved whole by HiGHS (from ``basis`` if given)."""
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(lp.cost), lp.matrix.shape[0]
    model.col_cost_, model.col_lower_, model.col_upper_ = lp.cost, lp.lower, lp.upper
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    a = model.a_matrix_
    a.format_, a.num_col_, a.num_row_ = highspy.MatrixFormat.kColwise, model.num_col_, model.num_row_
    a.start_, a.index_, a.value_ = lp.matrix.indptr, lp.matrix.indices, lp.matrix.data
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.passModel(model)
    if basis is not None:
        highs.setBasis(basis)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    info = highs.getInfo()
    return info.objective_function_value, np.asarray(highs.getSolution().col_value), info.simplex_iteration_count


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_sites=st.integers(1, 300), n_segments=st.integers(1, 6), share=st.floats(0, 1))
def test_pricing_reaches_the_whole_lps_optimum(seed: int, n_sites: int, n_segments: int, share: float) -> None:
    lp = _transport(seed, n_sites, n_segments)
    start = np.random.default_rng(seed).random(n_sites) < share
    with patch.object(pricing, "MIN_GROUPS_ADDED", 3):  # several rounds on these small LPs
        values = solve_by_pricing(lp, start, OPTIONS)
    assert values is not None
    objective, _, _ = _whole(lp)
    assert float(lp.cost @ values) == pytest.approx(objective, rel=1e-9, abs=1e-7)
    assert (lp.matrix @ values <= lp.row_upper + 1e-7).all() and (lp.matrix @ values >= lp.row_lower - 1e-7).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_sites=st.integers(1, 300), n_segments=st.integers(1, 6), share=st.floats(0, 1))
def test_the_priced_basis_is_optimal_for_the_whole_lp(seed: int, n_sites: int, n_segments: int, share: float) -> None:
    lp = _transport(seed, n_sites, n_segments)
    start = np.random.default_rng(seed).random(n_sites) < share
    with patch.object(pricing, "MIN_GROUPS_ADDED", 3):
        basis = optimal_basis(lp, start, OPTIONS)
    assert basis is not None
    objective, _, _ = _whole(lp)
    from_basis, _, iterations = _whole(lp, basis)
    assert iterations == 0  # HiGHS proves it optimal as given
    assert from_basis == pytest.approx(objective, rel=1e-9, abs=1e-7)


def test_pricing_declines_what_it_cannot_prove() -> None:
    lp = _transport(0, 50, 3)
    grouped = lp.group >= 0
    lower = np.where(grouped, 1e-3, 0.0)
    shifted = GroupedLp(lp.cost, lower, lp.upper, lp.row_lower, lp.row_upper, lp.matrix, lp.group)
    some = np.arange(50) < 25
    assert solve_by_pricing(shifted, some, OPTIONS) is None  # a left-out column would not be at 0
    values = solve_by_pricing(shifted, np.ones(50, dtype=bool), OPTIONS)  # every site: the whole LP, solved at once
    assert values is not None and float(shifted.cost @ values) == pytest.approx(_whole(shifted)[0], abs=1e-7)
    needs_sites = lp.with_row(np.flatnonzero(grouped), 1.0)  # at least one hectare on some site
    assert solve_by_pricing(needs_sites, np.zeros(50, dtype=bool), OPTIONS) is None  # infeasible without sites
    assert solve_by_pricing(needs_sites, np.ones(50, dtype=bool), OPTIONS) is not None
