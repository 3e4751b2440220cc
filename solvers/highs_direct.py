"""HiGHS through highspy with the model handed over as arrays and kept between solves.

PuLP stays the modelling layer (`solvers.model`); this interface replaces PuLP's HiGHS bridge,
which builds a new HiGHS model on every solve in a Python loop over every variable and row
and reads every value, reduced cost and dual back one by one. The allocation solves one model
many times with other bounds, costs and integrality (relaxations, rounding dives, fixed-integer
LPs, lexicographic levels). Here:

- the rows are converted to compressed sparse rows once per row object (cached), and the HiGHS
  model is passed in one call (``passModel``) when the columns change;
- rows added or removed since the last solve (``AllocationLp.structure_version``) are appended or
  deleted, and changed row bounds changed in place (the model is not passed again);
- between solves only the columns' bounds, costs and integrality are handed over, as arrays, so
  HiGHS starts from its last basis, unless many bounds changed (then it presolves afresh);
- solutions come back as arrays; row duals are read only when asked for (``duals=True``);
  values only when HiGHS has a feasible solution (after a time limit it may have none);
- the time limit is per solve: HiGHS counts it over all runs of one instance, so a long
  sequence of re-solves (PuLP's bridge kept one instance too) ran into it and ended with no
  solution.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp

INF = highspy.kHighsInf
_STATUS = {
    highspy.HighsModelStatus.kOptimal: (pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
    highspy.HighsModelStatus.kInfeasible: (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    highspy.HighsModelStatus.kUnboundedOrInfeasible: (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    highspy.HighsModelStatus.kUnbounded: (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded),
    highspy.HighsModelStatus.kObjectiveBound: (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    highspy.HighsModelStatus.kObjectiveTarget: (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    highspy.HighsModelStatus.kInterrupt: (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    highspy.HighsModelStatus.kTimeLimit: (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    highspy.HighsModelStatus.kIterationLimit: (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
}
"""HiGHS model status → PuLP (status, solution status), as PuLP's own HiGHS interface maps them."""
_NONE = (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
PRIMAL_SIMPLEX = 4
"""HiGHS ``simplex_strategy`` of the primal simplex."""
FEASIBLE = 2
"""HiGHS ``primal_solution_status`` of a feasible solution (0 none, 1 infeasible)."""
COLD_START_COLUMNS = 1_000
"""More column bounds changed than this since the last solve: solve from scratch (assumption; the
bundled Heerlen models have fewer columns, so their solves are unchanged)."""


COLD_LP_SOLVER = "ipm"
"""HiGHS's solver of an LP solved from scratch after many bounds changed (see `HighsCopy.update`):
the interior point method, with crossover to a vertex. The best 10,000 sites of the synthetic
national grid, the dive's LP with every integer fixed: 1.0 s, against 16.5 s by the dual simplex
(118,069 degenerate iterations) and 2.3 s by the primal simplex (24 Nov 2026)."""

KeptBasis = tuple[list[int], highspy.HighsBasis]
"""A basis and the ids of the rows it was taken with."""


@dataclass
class HighsCopy:
    """The HiGHS copy of one PuLP problem: the solver, its columns and rows, and the cached sparse rows.

    ``lower``/``upper`` are the column bounds as last handed over (to count how many changed,
    see `update`) and ``row_lower``/``row_upper`` the row bounds (only changed ones are handed
    over again, see `follow_rows`).
    """

    highs: highspy.Highs
    version: object = None
    variables: list[pulp.LpVariable] = field(default_factory=list)
    rows: list[pulp.LpConstraint] = field(default_factory=list)
    sparse: dict[int, tuple[pulp.LpConstraint, np.ndarray, np.ndarray]] = field(default_factory=dict)
    lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fresh: bool = False
    """Pass the whole model to a new HiGHS at the next solve (see :func:`restart`)."""
    kept: KeptBasis | None = None
    """A basis kept by a solve with ``keep_basis`` and the ids of the rows it was taken with."""
    listed: tuple[int, int] = (-1, -1)
    """``lp.variables_version`` and the column count when ``variables`` was last compared with PuLP's list."""
    cold_lp: bool = False
    """The next solve is an LP whose basis `update` dropped (solved by :data:`COLD_LP_SOLVER`)."""

    def build(self, lp: pulp.LpProblem) -> None:
        """Pass the whole model (columns in ``lp.variables()`` order, rows in ``lp.constraints`` order)."""
        self.fresh, self.cold_lp = False, False
        variables = list(lp.variables())
        if [id(v) for v in variables] != [id(v) for v in self.variables]:
            self.sparse.clear()  # cached rows hold column positions
        self.variables = variables
        self.rows = list(lp.constraints.values())
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = len(self.variables), len(self.rows)
        cost, self.lower, self.upper, integer = _columns(lp, self.variables)
        self.row_lower, self.row_upper = _row_bounds(self.rows)
        model.col_cost_, model.col_lower_, model.col_upper_ = cost, self.lower, self.upper
        model.row_lower_, model.row_upper_ = self.row_lower, self.row_upper
        matrix = model.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = model.num_col_, model.num_row_
        matrix.start_, matrix.index_, matrix.value_ = self._sparse_rows(self.rows)
        self.highs.passModel(model)
        self.highs.changeColsIntegrality(model.num_col_, np.arange(model.num_col_, dtype=np.int32), integer)

    def _sparse_rows(self, rows: list[pulp.LpConstraint]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``rows`` as compressed sparse rows (starts, column indices, values), each row converted once."""
        col_of = {v: j for j, v in enumerate(self.variables)}
        starts, indices, values = [0], [], []
        for con in rows:
            cached = self.sparse.get(id(con))
            if cached is None or cached[0] is not con:
                items = [(col_of[v], c) for v, c in con.items() if c != 0]
                cached = (con, np.array([j for j, _ in items], dtype=np.int32), np.array([c for _, c in items], float))
                self.sparse[id(con)] = cached
            indices.append(cached[1])
            values.append(cached[2])
            starts.append(starts[-1] + len(cached[1]))
        index = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
        return np.array(starts, dtype=np.int32), index, np.concatenate(values) if values else np.zeros(0)

    def follow_rows(self, lp: pulp.LpProblem) -> None:
        """Hand over the rows removed, added and with other bounds since the last solve.

        Rows removed are deleted, rows added at the end are appended, and changed bounds (a lifted
        right-hand side) are changed in place; any other change of the row list rebuilds the model.
        The basis is dropped either way: after a row change (a held level with a new objective, a
        lifted family) HiGHS's presolve and a fresh solve were faster than its warm simplex (10,000
        synthetic sites: 0.7 s against 4.8–7.1 s per lexicographic level).
        """
        current = list(lp.constraints.values())
        now = {id(con) for con in current}
        before = {id(con) for con in self.rows}
        kept = [con for con in self.rows if id(con) in now]
        added = [con for con in current if id(con) not in before]
        if [id(con) for con in kept + added] != [id(con) for con in current]:
            self.build(lp)
            return
        gone = np.array([i for i, con in enumerate(self.rows) if id(con) not in now], dtype=np.int32)
        if len(gone):
            self.highs.deleteRows(len(gone), gone)
        lower, upper = _row_bounds(current)
        keep = np.ones(len(self.rows), dtype=bool)
        keep[gone] = False
        if added:
            starts, index, values = self._sparse_rows(added)
            n_kept = len(kept)
            self.highs.addRows(len(added), lower[n_kept:], upper[n_kept:], len(index), starts[:-1], index, values)
        self.rows = current
        old_lower = np.concatenate([self.row_lower[keep], lower[len(kept) :]])
        old_upper = np.concatenate([self.row_upper[keep], upper[len(kept) :]])
        changed = np.nonzero((old_lower != lower) | (old_upper != upper))[0].astype(np.int32)
        if len(changed):
            self.highs.changeRowsBounds(len(changed), changed, lower[changed], upper[changed])  # type: ignore[attr-defined]  # in highspy, not in its stubs
        self.row_lower, self.row_upper = lower, upper
        self.highs.clearSolver()

    def update(self, lp: pulp.LpProblem) -> None:
        """Hand over every column's bounds, cost and integrality (the rows are current).

        When more than :data:`COLD_START_COLUMNS` bounds changed since the last solve (integers
        fixed at other values, as after a relaxation), the basis is dropped so that HiGHS presolves:
        on 10,000 synthetic sites a warm dual simplex took up to 6.8 s there, a cold solve 0.5 s.
        Such an LP is then solved by :data:`COLD_LP_SOLVER` unless it starts from a kept basis.
        """
        count = len(self.variables)
        cost, lower, upper, integer = _columns(lp, self.variables)
        cold = int(np.count_nonzero((lower != self.lower) | (upper != self.upper))) > COLD_START_COLUMNS
        if cold:
            self.highs.clearSolver()
        self.cold_lp = cold and not integer.any()
        index = np.arange(count, dtype=np.int32)
        self.highs.changeColsBounds(count, index, lower, upper)
        self.highs.changeColsCost(count, index, cost)
        self.highs.changeColsIntegrality(count, index, integer)
        self.lower, self.upper = lower, upper

    def keep_basis(self) -> None:
        """Keep the basis of the solve just made, for a later solve from it (:meth:`start_from_kept`)."""
        self.kept = ([id(con) for con in self.rows], self.highs.getBasis())

    def start_from_kept(self) -> bool:
        """Start the next solve from the kept basis, if the rows are those it was taken with; whether it was set.

        Rows appended since then (a held level, the ladder row) enter the basis as basic: with
        the kept solution satisfying them the basis stays primal feasible.
        """
        if self.kept is None:
            return False
        ids, basis = self.kept
        now = [id(con) for con in self.rows]
        if now[: len(ids)] != ids:
            return False
        if len(now) > len(ids):
            extended = highspy.HighsBasis()
            extended.col_status = basis.col_status
            extended.row_status = [*basis.row_status, *[highspy.HighsBasisStatus.kBasic] * (len(now) - len(ids))]
            extended.valid = True
            basis = extended
        self.highs.setBasis(basis)
        return True

    def current(self, lp: pulp.LpProblem) -> bool:
        """Whether the columns are still ``lp.variables()``, same objects in the same order.

        An `AllocationLp` counts its listings (``variables_version``): while the count and the
        number of columns stay, the list has not changed and is not compared again.
        """
        variables = lp.variables()
        listed = (getattr(lp, "variables_version", -1), len(variables))
        if listed[0] >= 0 and listed == self.listed:
            return True
        same = [id(v) for v in variables] == [id(v) for v in self.variables]
        self.listed = listed if same else (-1, -1)
        return same

    def read(self, duals: bool) -> None:
        """Copy the solution's values (and with ``duals`` the row duals) into the PuLP variables and rows."""
        solution = self.highs.getSolution()
        for v, value in zip(self.variables, solution.col_value):
            v.varValue = value
        if duals:
            for con, dual in zip(self.rows, solution.row_dual):
                con.pi = dual


_SCHEDULER = threading.local()
"""The thread count this thread's HiGHS scheduler was last sized for by :func:`size_scheduler`."""


def size_scheduler(threads: int | None) -> None:
    """Let the next solve in this thread make HiGHS's scheduler with ``threads`` threads (None: HiGHS's default).

    HiGHS makes one task scheduler per calling thread at its first solve and keeps it; a later
    solve asking for another thread count fails (a run with ``threads: 1`` after one with the
    default ended "the LP relaxation could not be solved"), and one asking for the default keeps
    the smaller one. The scheduler is dropped when the count asked for changes.
    """
    if getattr(_SCHEDULER, "threads", None) != threads:
        highspy.Highs.resetGlobalScheduler(True)
        _SCHEDULER.threads = threads


def restart(lp: pulp.LpProblem) -> None:
    """Solve ``lp`` next in a new HiGHS instance given the whole model: no basis, no state of earlier solves.

    The rows already converted to sparse arrays are kept (100,000 sites: 1.6 million nonzeros).
    """
    copy: HighsCopy | None = getattr(lp, "highs_copy", None)
    if copy is not None:
        copy.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        copy.fresh = True


def current_copy(lp: pulp.LpProblem) -> HighsCopy:
    """The HiGHS copy of ``lp`` with its current rows, columns' bounds, costs and integrality (made or updated)."""
    copy: HighsCopy | None = getattr(lp, "highs_copy", None)
    version = getattr(lp, "structure_version", None)
    if copy is None:
        copy = lp.highs_copy = HighsCopy(highspy.Highs())  # type: ignore[no-untyped-call]
    if copy.fresh or not copy.current(lp):
        copy.build(lp)
    else:
        if version is None or copy.version != version:
            copy.follow_rows(lp)
        copy.update(lp)
    copy.version = version
    return copy


def _row_bounds(rows: list[pulp.LpConstraint]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``rows`` (±inf where open)."""
    lower = np.array([con.getLb() for con in rows], dtype=float)
    upper = np.array([con.getUb() for con in rows], dtype=float)
    return np.nan_to_num(lower, nan=-INF), np.nan_to_num(upper, nan=INF)


def _columns(lp: pulp.LpProblem, variables: list[pulp.LpVariable]) -> tuple[np.ndarray, ...]:
    """Cost (of the minimised problem), lower and upper bounds and integrality of ``variables``, as arrays.

    The cost is computed again only when the objective is another expression or has other
    terms than at the last call (``lp.highs_cost``); the allocation sets objectives, it never
    changes a coefficient of one in place.
    """
    key = (id(lp.objective), len(lp.objective), lp.sense, len(variables), id(variables[0]) if variables else 0)
    cached = getattr(lp, "highs_cost", None)
    if cached is None or cached[0] != key or cached[1] is not lp.objective:
        sense = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        objective = lp.objective
        cached = lp.highs_cost = (key, objective, sense * np.array([objective.get(v, 0.0) for v in variables], float))
    cost = cached[2]
    lower = np.nan_to_num(np.array([v.lowBound for v in variables], dtype=float), nan=-INF)
    upper = np.nan_to_num(np.array([v.upBound for v in variables], dtype=float), nan=INF)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], dtype=np.uint8)
    return cost, lower, upper, integer


class ArrayHiGHS(pulp.HiGHS):  # type: ignore[misc]  # PuLP ships no types
    """PuLP's HiGHS interface with the model kept in HiGHS between solves (see the module docstring).

    With ``warm_start`` the variables' current values are handed over as a MIP start; with
    ``duals`` the row duals (of the minimised negation for a maximisation) are read back. With
    ``keep_basis`` the optimal basis is kept in the copy; ``from_kept`` starts from that basis,
    with ``primal_from_kept`` by the primal simplex (the kept basis stays primal feasible after
    rows it satisfies are appended and the objective changes; on 10,000 synthetic sites the
    first held level of the lexicographic order took 0.35 s instead of 0.6 s from scratch; the
    suitability relaxation after the ladder phase's, its row tight, took longer).
    """

    def __init__(
        self,
        *,
        warm_start: bool = False,
        duals: bool = False,
        options: dict[str, float | str | bool] | None = None,
        keep_basis: bool = False,
        from_kept: bool = False,
        primal_from_kept: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.warm_start, self.read_duals, self.highs_options = warm_start, duals, options or {}
        self.keep_basis, self.from_kept, self.primal_from_kept = keep_basis, from_kept, primal_from_kept

    def actualSolve(self, lp: pulp.LpProblem) -> int:  # noqa: N802 - PuLP's name
        """Build or update the HiGHS copy of ``lp``, solve it and read the solution back."""
        copy = current_copy(lp)
        copy.highs.setOptionValue("output_flag", bool(self.msg))
        lp.solverModel = highs = copy.highs
        self._configure(highs)
        highs.setOptionValue("solver", COLD_LP_SOLVER if copy.cold_lp and not self.from_kept else "choose")
        if self.from_kept and copy.start_from_kept() and self.primal_from_kept:
            highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        if self.warm_start:
            start = highspy.HighsSolution()
            start.col_value = [v.varValue or 0.0 for v in copy.variables]
            start.value_valid = True
            highs.setSolution(start)
        highs.run()
        status, sol_status = _STATUS.get(highs.getModelStatus(), _NONE)
        if highs.getInfo().primal_solution_status != FEASIBLE:
            status, sol_status = (status, sol_status) if status == pulp.LpStatusInfeasible else _NONE
        if sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
            copy.read(self.read_duals and sol_status == pulp.LpSolutionOptimal)
        if self.keep_basis and sol_status == pulp.LpSolutionOptimal:
            copy.keep_basis()
        lp.assignStatus(status, sol_status)
        code: int = status
        return code

    def _configure(self, highs: highspy.Highs) -> None:
        """The options of this solve: gap, time limit, threads and the given options."""
        highs.setOptionValue("mip_rel_gap", self.gapRel if self.gapRel is not None else 1e-4)
        highs.setOptionValue("mip_abs_gap", self.gapAbs if self.gapAbs is not None else 1e-6)
        # HiGHS counts its time limit over all runs of one instance: the limit is this solve's
        limit = float(self.timeLimit) if self.timeLimit is not None else INF
        highs.setOptionValue("time_limit", highs.getRunTime() + limit)
        size_scheduler(self.threads)
        if self.threads is not None:
            highs.setOptionValue("threads", self.threads)
        for key, value in self.highs_options.items():
            highs.setOptionValue(key, value)


def one_thread_highs(options: dict[str, float | str | bool]) -> highspy.Highs:
    """A new, silent HiGHS with ``options`` and one thread (its scheduler sized for one in this thread)."""
    size_scheduler(1)
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    for key, value in {**options, "output_flag": False, "threads": 1}.items():
        highs.setOptionValue(key, value)
    return highs


def relaxation_lp(lp: pulp.LpProblem) -> tuple[HighsCopy, highspy.HighsLp]:
    """The HiGHS copy of ``lp`` as it is now and its LP relaxation as a HiGHS model (minimised, integrality dropped)."""
    copy = current_copy(lp)
    model = copy.highs.getLp()
    cost, lower, col_upper, _ = _columns(lp, copy.variables)
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, lower, col_upper
    model.integrality_ = []
    return copy, model


def fixed_basis(
    lp: pulp.LpProblem, fixed: dict[pulp.LpVariable, float], options: dict[str, float | str | bool]
) -> Callable[[], KeptBasis | None]:
    """A task solving the LP relaxation of ``lp`` as it is now with the variables in ``fixed`` at their values.

    In its own HiGHS with ``options`` and one thread (so it can run in another thread while
    ``lp`` is solved again); the task returns the optimal basis with the ids of its rows, for
    :func:`keep`, or None.
    """
    copy, model = relaxation_lp(lp)
    column = {id(v): j for j, v in enumerate(copy.variables)}
    index = np.array([column[id(v)] for v in fixed], dtype=np.int64)
    lower, upper = np.array(model.col_lower_, dtype=float), np.array(model.col_upper_, dtype=float)
    lower[index] = upper[index] = np.array(list(fixed.values()), dtype=float)
    model.col_lower_, model.col_upper_ = lower, upper
    rows = [id(con) for con in copy.rows]

    def task() -> KeptBasis | None:
        highs = one_thread_highs(options)
        highs.passModel(model)
        highs.run()
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return (rows, highs.getBasis()) if optimal else None

    return task


def keep(lp: pulp.LpProblem, kept: KeptBasis) -> bool:
    """Keep a basis (from :func:`fixed_basis`) in the HiGHS copy of ``lp`` for a solve with ``start="kept"``.

    False (nothing kept) if ``lp`` has no copy or other columns than the basis. A solve starts
    from it only while the rows are those it was taken with (`HighsCopy.start_from_kept`).
    """
    copy: HighsCopy | None = getattr(lp, "highs_copy", None)
    if copy is None or len(kept[1].col_status) != len(copy.variables):
        return False
    copy.kept = kept
    return True


def keep_current(lp: pulp.LpProblem, basis: highspy.HighsBasis) -> bool:
    """Keep ``basis`` of ``lp``'s HiGHS copy with its rows as they are now (see :func:`keep`)."""
    copy: HighsCopy | None = getattr(lp, "highs_copy", None)
    return copy is not None and keep(lp, ([id(con) for con in copy.rows], basis))


def lifted_relaxations(
    lp: pulp.LpProblem,
    families: dict[str, list[pulp.LpConstraint]],
    upper: float,
    read: list[pulp.LpVariable],
    options: dict[str, float | str | bool],
) -> Callable[[], dict[str, np.ndarray]]:
    """A task solving the LP relaxation of ``lp`` once per family with its rows' upper bounds at ``upper``.

    The task returns, per family whose LP is optimal, the values of ``read``. It solves in its
    own HiGHS, from a copy of the model as it is now (handed to HiGHS first if it changed since
    the last solve; PuLP's column bounds and objective, integrality dropped), so it can run in
    another thread while ``lp`` is solved again; each LP from scratch, with ``options`` and one
    thread. A family without rows is the model as it is.
    """
    copy, model = relaxation_lp(lp)
    position = {id(con): i for i, con in enumerate(copy.rows)}
    rows = {name: np.array([position[id(con)] for con in family], dtype=np.int32) for name, family in families.items()}
    column = {id(v): j for j, v in enumerate(copy.variables)}
    wanted = np.array([column[id(v)] for v in read], dtype=np.int64)
    row_lower, row_upper = copy.row_lower.copy(), copy.row_upper.copy()

    def task() -> dict[str, np.ndarray]:
        highs = one_thread_highs(options)
        highs.passModel(model)
        values = {}
        for name, index in rows.items():
            lifted = np.full(len(index), upper)
            highs.changeRowsBounds(len(index), index, row_lower[index], lifted)  # type: ignore[attr-defined]
            highs.clearSolver()
            highs.run()
            if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                values[name] = np.asarray(highs.getSolution().col_value)[wanted]
            highs.changeRowsBounds(len(index), index, row_lower[index], row_upper[index])  # type: ignore[attr-defined]
        return values

    return task
