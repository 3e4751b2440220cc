"""A large LP solved on a growing subset of its columns, priced in by groups (docs/allocation_model.md).

Column generation for an LP whose columns fall into groups (the sites) that each own some rows
(the site's capacity, contiguity and plot rows) and share others (demand, ladder, caps). The LP
is solved on the columns of some groups and the shared columns; every row with no column in
the subset is left out. Its duals, with 0 for the rows left out, price all columns:
``d = c − Aᵀy`` (minimised). A left-out column at its lower bound 0 with ``d < −tol`` could
improve the objective; the groups holding such columns are added (the most improving first, a
few thousand or a quarter of the subset per round) and the LP is solved again from the previous basis (added
columns at 0, added rows basic: still primal feasible). With no improving column left the
duals are feasible for the whole LP, so the subset's optimum is the LP's optimum: a row left out
holds only columns at 0 and is satisfied at 0, so dual 0 is valid for it (a row that does not
admit 0, such as the ladder's floor, is always kept). That needs every column in a group to
have lower bound 0; otherwise, or when a subset's LP is not optimal (infeasible without the
left-out columns, say), None: solve the whole LP instead.

100,000 synthetic sites, the LP relaxation with the road headroom lifted (402,075 columns,
206,885 rows): 18.5 s in ten rounds from the 3,958 sites of the suitability relaxation against
67 s for the whole LP (dual simplex), the same objective and shortfall; the optimum uses 14,648
of the 56,889 sites with variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np

from solvers.highs_direct import PRIMAL_SIMPLEX, one_thread_highs

if TYPE_CHECKING:
    import scipy.sparse as sp

MIN_GROUPS_ADDED = 2_000
"""Groups added in a round at most, or a quarter of the groups in the subset if more (assumption:
100,000 synthetic sites, the roadless LP from the suitability relaxation's 3,958 sites: 18.5 s
in ten rounds; adding up to as many as the subset holds, 23.2 s in four larger rounds; 2,000 a
round, 19.4 s; 8,000, 25.7 s)."""
SHARE_ADDED = 4
"""At most one group in this many of the subset is added in a round (above :data:`MIN_GROUPS_ADDED`)."""


@dataclass(frozen=True)
class GroupedLp:
    """A minimised LP as arrays with a group per column (-1: shared, always in the subset)."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csc_matrix
    group: np.ndarray

    @classmethod
    def from_highs(cls, lp: highspy.HighsLp, group: np.ndarray) -> GroupedLp:
        """From HiGHS's model (its sense is taken as minimise) and a group per column."""
        import scipy.sparse as sp  # only large models are priced: `mca run` on Heerlen skips the import

        a = lp.a_matrix_
        parts = (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_))
        if a.format_ == highspy.MatrixFormat.kRowwise:
            matrix = sp.csr_matrix(parts, shape=(lp.num_row_, lp.num_col_)).tocsc()
        else:
            matrix = sp.csc_matrix(parts, shape=(lp.num_row_, lp.num_col_))
        return cls(
            np.asarray(lp.col_cost_, dtype=float),
            np.asarray(lp.col_lower_, dtype=float),
            np.asarray(lp.col_upper_, dtype=float),
            np.asarray(lp.row_lower_, dtype=float),
            np.asarray(lp.row_upper_, dtype=float),
            matrix,
            np.asarray(group, dtype=np.int64),
        )

    def priceable(self) -> bool:
        """Whether column generation is exact here: every grouped column has lower bound 0."""
        return bool((self.lower[self.group >= 0] == 0).all())

    def with_row(self, cols: np.ndarray, lower: float, upper: float = np.inf) -> GroupedLp:
        """The LP with one more row: the sum of ``cols`` between ``lower`` and ``upper``."""
        import scipy.sparse as sp

        row = sp.csc_matrix(
            (np.ones(len(cols)), (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(self.cost))
        )
        matrix = sp.vstack([self.matrix, row], format="csc")
        row_lower, row_upper = np.r_[self.row_lower, lower], np.r_[self.row_upper, upper]
        return GroupedLp(self.cost, self.lower, self.upper, row_lower, row_upper, matrix, self.group)

    def rows_of(self, cols: np.ndarray) -> np.ndarray:
        """The rows of the subset ``cols``: those with a nonzero in it and those that do not admit 0."""
        used = np.bincount(self.matrix[:, cols].indices, minlength=self.matrix.shape[0]) > 0
        return np.flatnonzero(used | (self.row_lower > 0) | (self.row_upper < 0))


def solve_by_pricing(
    lp: GroupedLp, start: np.ndarray, options: dict[str, float | str | bool], tolerance: float = 1e-7
) -> np.ndarray | None:
    """The optimal column values of ``lp``, solved from the groups where ``start`` is True (see the module docstring).

    None when pricing is not exact for ``lp`` (unless ``start`` holds every group: then the
    whole LP is solved at once) or a subset's LP is not optimal. ``options`` are
    HiGHS options of every solve; ``tolerance`` the reduced cost below which a column improves.
    """
    priced = _priced(lp, start, options, tolerance)
    if priced is None:
        return None
    highs, cols, _ = priced
    values = np.zeros(len(lp.cost))
    values[cols] = highs.getSolution().col_value
    return values


def optimal_basis(
    lp: GroupedLp, start: np.ndarray, options: dict[str, float | str | bool], tolerance: float = 1e-7
) -> highspy.HighsBasis | None:
    """An optimal basis of the whole ``lp``, found by pricing from the groups where ``start`` is True.

    The last subset's optimal basis with every column left out at its lower bound 0 and every
    row left out basic: primal feasible (those rows hold only columns at 0 and admit 0) and dual
    feasible (no column left out improves; a basic row's dual is 0), so optimal. None as for
    :func:`solve_by_pricing`.
    """
    priced = _priced(lp, start, options, tolerance)
    if priced is None:
        return None
    highs, cols, rows = priced
    every_col, every_row = np.arange(len(lp.cost)), np.arange(lp.matrix.shape[0])
    return _carried_basis(highs.getBasis(), cols, rows, every_col, every_row)


def _priced(
    lp: GroupedLp, start: np.ndarray, options: dict[str, float | str | bool], tolerance: float
) -> tuple[highspy.Highs, np.ndarray, np.ndarray] | None:
    """The HiGHS that solved the last subset to the whole LP's optimum, with the subset's columns and rows."""
    if not start.all() and not lp.priceable():
        return None
    active = np.asarray(start, dtype=bool).copy()
    highs, cols, rows = None, np.zeros(0, np.int64), np.zeros(0, np.int64)
    while True:
        new_cols = np.flatnonzero((lp.group < 0) | active[np.maximum(lp.group, 0)])
        new_rows = lp.rows_of(new_cols)
        basis = None if highs is None else _carried_basis(highs.getBasis(), cols, rows, new_cols, new_rows)
        cols, rows = new_cols, new_rows
        highs = _solved(lp, cols, rows, basis, options)
        if highs is None:
            return None
        duals = np.zeros(lp.matrix.shape[0])
        duals[rows] = highs.getSolution().row_dual
        added = _groups_to_add(lp, lp.cost - lp.matrix.T @ duals, active, tolerance)
        if not len(added):
            return highs, cols, rows
        active[added] = True


def _solved(
    lp: GroupedLp,
    cols: np.ndarray,
    rows: np.ndarray,
    basis: highspy.HighsBasis | None,
    options: dict[str, float | str | bool],
) -> highspy.Highs | None:
    """A HiGHS that solved ``lp`` on ``cols`` × ``rows``, from ``basis`` by the primal simplex if given.

    The carried-over basis is primal feasible. None unless the solve is optimal.
    """
    sub = lp.matrix[:, cols][rows, :].tocsc()
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cols), len(rows)
    model.col_cost_, model.col_lower_, model.col_upper_ = lp.cost[cols], lp.lower[cols], lp.upper[cols]
    model.row_lower_, model.row_upper_ = lp.row_lower[rows], lp.row_upper[rows]
    matrix = model.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kColwise
    matrix.num_col_, matrix.num_row_ = model.num_col_, model.num_row_
    matrix.start_, matrix.index_, matrix.value_ = sub.indptr, sub.indices, sub.data
    highs = one_thread_highs(options)
    highs.passModel(model)
    if basis is not None:
        highs.setBasis(basis)
        highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    highs.run()
    return highs if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal else None


def _carried_basis(
    old: highspy.HighsBasis, cols: np.ndarray, rows: np.ndarray, new_cols: np.ndarray, new_rows: np.ndarray
) -> highspy.HighsBasis:
    """``old`` (of ``cols`` × ``rows``) on the larger subset: added columns at their lower bound, added rows basic."""
    basis = highspy.HighsBasis()
    col_status = [highspy.HighsBasisStatus.kLower] * len(new_cols)
    for position, status in zip(np.searchsorted(new_cols, cols).tolist(), old.col_status):
        col_status[position] = status
    row_status = [highspy.HighsBasisStatus.kBasic] * len(new_rows)
    for position, status in zip(np.searchsorted(new_rows, rows).tolist(), old.row_status):
        row_status[position] = status
    basis.col_status, basis.row_status, basis.valid = col_status, row_status, True
    return basis


def _groups_to_add(lp: GroupedLp, reduced: np.ndarray, active: np.ndarray, tolerance: float) -> np.ndarray:
    """The groups with an improving left-out column, most improving first.

    At most :data:`MIN_GROUPS_ADDED` or, if more, a :data:`SHARE_ADDED`-th of the active groups.
    """
    left_out = (lp.group >= 0) & ~active[np.maximum(lp.group, 0)]
    improving = np.flatnonzero(left_out & (reduced < -tolerance))
    if not len(improving):
        return improving
    best = np.zeros(len(active))
    np.minimum.at(best, lp.group[improving], reduced[improving])
    candidates = np.flatnonzero(best < 0)
    limit = max(MIN_GROUPS_ADDED, int(active.sum()) // SHARE_ADDED)
    return candidates[np.argsort(best[candidates], kind="stable")[:limit]]
