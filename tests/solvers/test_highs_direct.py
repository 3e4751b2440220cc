"""HiGHS with the model kept as arrays: solutions and duals of PuLP's own HiGHS bridge, also after rows change."""

from __future__ import annotations

import pulp
import pytest

from solvers import AllocationSettings, highs_direct, random_problem, solve
from solvers.builders import ladder_floor
from solvers.fixing import drop_row, fixing
from solvers.highs_direct import ArrayHiGHS
from solvers.model import build_model


def _values(lp: pulp.LpProblem) -> dict[str, float]:
    return {v.name: v.varValue for v in lp.variables()}


def _relaxed_solution(lp: pulp.LpProblem, solver: pulp.LpSolver, integers: list[pulp.LpVariable]) -> tuple:
    with fixing(relax=integers):
        lp.solve(solver)
    duals = {name: con.pi for name, con in lp.constraints.items()}
    return pulp.value(lp.objective), _values(lp), duals


def test_lp_relaxation_values_and_duals_equal_pulps_bridge() -> None:
    model = build_model(random_problem(40, seed=3), AllocationSettings())
    ours = _relaxed_solution(model.lp, ArrayHiGHS(msg=False, duals=True), model.integers)
    theirs = _relaxed_solution(model.lp, pulp.HiGHS(msg=False), model.integers)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-9)
    assert ours[2] == pytest.approx(theirs[2], abs=1e-7)


def test_rows_added_and_removed_between_solves_are_followed() -> None:
    model = build_model(random_problem(40, seed=4), AllocationSettings())
    solver = ArrayHiGHS(msg=False)
    free = _relaxed_solution(model.lp, solver, model.integers)[0]
    model.lp.addConstraint(ladder_floor(model.placed_existing, 0.0))
    model.lp.constraints["ladder"].constant = -1e6  # existing stock ≥ 1e6 ha: infeasible
    with fixing(relax=model.integers):
        model.lp.solve(solver)
    assert model.lp.status == pulp.LpStatusInfeasible
    drop_row(model.lp, "ladder")
    assert _relaxed_solution(model.lp, solver, model.integers)[0] == pytest.approx(free, rel=1e-9)


def test_the_objective_and_fixed_integers_reach_highs() -> None:
    model = build_model(random_problem(40, seed=5), AllocationSettings())
    solver = ArrayHiGHS(msg=False)
    model.lp.solve(solver)
    full, existing = pulp.value(model.lp.objective), pulp.value(model.placed_existing)
    closed = dict.fromkeys(model.integers, 0.0)
    with fixing(closed):
        model.lp.solve(solver)
    assert all(v.varValue == 0.0 for v in model.integers)
    assert pulp.value(model.lp.objective) < full
    model.lp.setObjective(model.placed_existing)  # a new objective: the most hectares on existing stock
    model.lp.solve(solver)
    assert pulp.value(model.placed_existing) > existing + 1e-6


def test_the_time_limit_is_per_solve_not_over_all_solves_of_the_model() -> None:
    # HiGHS counts time_limit over all runs of one instance; once re-solves had used it up, every
    # solve ended at once, reported as a time limit with the values of an earlier solve (the
    # 100,000-site benchmark returned zeros)
    model = build_model(random_problem(400, seed=6), AllocationSettings())
    solver = ArrayHiGHS(msg=False, timeLimit=1.0)
    objectives, seen = [model.objective, model.placed_existing], {}
    with fixing(relax=model.integers):
        for i in range(1000):
            model.lp.setObjective(objectives[i % 2])  # each solve has work to do
            model.lp.solve(solver)
            assert model.lp.status == pulp.LpStatusOptimal
            value = pulp.value(model.lp.objective)
            assert value == pytest.approx(seen.setdefault(i % 2, value))
            if model.lp.highs_copy.highs.getRunTime() > 1.5:
                break
    assert model.lp.highs_copy.highs.getRunTime() > 1.5


def _fresh_objective(lp: pulp.LpProblem, integers: list[pulp.LpVariable], fix: dict | None = None) -> float:
    """The relaxation's objective (``fix`` held) solved by PuLP's own bridge from scratch."""
    with fixing(fix, relax=integers):
        lp.solve(pulp.HiGHS(msg=False))
    return float(pulp.value(lp.objective))


def test_lifted_row_bounds_reach_highs_without_passing_the_model_again() -> None:
    model = build_model(random_problem(60, seed=7, demand_ratio=2.0), AllocationSettings())
    solver = ArrayHiGHS(msg=False)
    tight = _relaxed_solution(model.lp, solver, model.integers)[0]
    passed = model.lp.highs_copy.highs
    rows = list(model.capacity["con"])
    saved = [row.constant for row in rows]
    for row in rows:
        row.constant = -1e9  # capacity lifted, as the shortfall causes lift a family of rows
    model.lp.structure_version += 1
    lifted = _relaxed_solution(model.lp, solver, model.integers)[0]
    assert model.lp.highs_copy.highs is passed and len(model.lp.highs_copy.rows) == len(model.lp.constraints)
    assert lifted == pytest.approx(_fresh_objective(model.lp, model.integers), rel=1e-9)
    assert lifted > tight + 1e-6  # demand is twice the capacity: capacity binds
    for row, constant in zip(rows, saved):
        row.constant = constant
    model.lp.structure_version += 1
    assert _relaxed_solution(model.lp, solver, model.integers)[0] == pytest.approx(tight, rel=1e-9)


def test_rows_appended_and_deleted_keep_the_rows_in_step_with_pulp() -> None:
    model = build_model(random_problem(60, seed=8), AllocationSettings())
    solver = ArrayHiGHS(msg=False, duals=True)
    free = _relaxed_solution(model.lp, solver, model.integers)[0]
    existing = float(pulp.value(model.placed_existing))
    model.lp.addConstraint(ladder_floor(model.placed_existing, existing + 1.0))  # more than the optimum holds
    held, _, duals = _relaxed_solution(model.lp, solver, model.integers)
    assert held == pytest.approx(_fresh_objective(model.lp, model.integers), rel=1e-9)
    assert held < free
    assert duals["ladder"] is not None and abs(duals["ladder"]) > 0  # the appended row binds and has its dual
    first = next(iter(model.lp.constraints))
    drop_row(model.lp, first)  # a row from the middle of HiGHS's copy
    after = _relaxed_solution(model.lp, solver, model.integers)[0]
    assert after == pytest.approx(_fresh_objective(model.lp, model.integers), rel=1e-9)
    assert [row.name for row in model.lp.highs_copy.rows] == list(model.lp.constraints)


@pytest.mark.parametrize("cold_above", [10, 10**9])
def test_fixed_integers_give_the_fresh_optimum_warm_or_from_scratch(monkeypatch, cold_above: int) -> None:
    monkeypatch.setattr(highs_direct, "COLD_START_COLUMNS", cold_above)  # 10: every fixing drops the basis
    model = build_model(random_problem(200, seed=9), AllocationSettings())
    solver = ArrayHiGHS(msg=False)
    model.lp.solve(solver)  # the MIP: integers to fix
    integers = {v: float(round(v.varValue or 0.0)) for v in model.integers}
    assert len(integers) > 10
    _relaxed_solution(model.lp, solver, model.integers)
    with fixing(integers, relax=model.integers):
        model.lp.solve(solver)
    highs = model.lp.solverModel
    assert (highs.getInfo().ipm_iteration_count > 0) == (cold_above == 10)  # from scratch: interior point
    assert highs.getBasis().valid  # and a vertex (crossover), whose basis later solves start from
    ours = float(pulp.value(model.lp.objective))
    assert ours == pytest.approx(_fresh_objective(model.lp, model.integers, integers), rel=1e-9)


def test_a_restarted_copy_solves_as_a_new_one() -> None:
    model = build_model(random_problem(60, seed=10), AllocationSettings())
    solver = ArrayHiGHS(msg=False, duals=True)
    _relaxed_solution(model.lp, solver, model.integers)
    model.lp.addConstraint(ladder_floor(model.placed_existing, 0.0))  # a row change before the restart
    highs_direct.restart(model.lp)
    restarted = _relaxed_solution(model.lp, solver, model.integers)
    model.lp.highs_copy = None
    new = _relaxed_solution(model.lp, solver, model.integers)
    assert restarted[1] == new[1]  # the same vertex, value for value
    assert restarted[2] == new[2]


def test_a_thread_count_after_solves_with_another_one_is_honoured() -> None:
    # HiGHS keeps the scheduler of a thread's first solve; another explicit count was an error
    problem = random_problem(40, seed=11)
    default = solve(problem, AllocationSettings())
    one, two = (solve(problem, AllocationSettings(threads=n)) for n in (1, 2))
    assert default.status == one.status == two.status == "optimal"
    assert one.objective == pytest.approx(default.objective, rel=1e-6)
    assert two.objective == pytest.approx(default.objective, rel=1e-6)
