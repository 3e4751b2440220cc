"""The fix/relax helper restores bounds and categories, also when the block raises."""

from __future__ import annotations

import pulp
import pytest

from solvers import AllocationSettings, random_problem
from solvers.fixing import fixing
from solvers.model import build_model


def state(variables: list[pulp.LpVariable]) -> list[tuple[float | None, float | None, str]]:
    return [(v.lowBound, v.upBound, v.cat) for v in variables]


def test_fixing_fixes_relaxes_and_restores() -> None:
    n = pulp.LpVariable("n", lowBound=0, upBound=3, cat=pulp.LpInteger)
    y = pulp.LpVariable("y", cat=pulp.LpBinary)
    z = pulp.LpVariable("z", lowBound=None, upBound=None)
    before = state([n, y, z])
    with fixing({n: 2.0, z: -1.5}, relax=[n, y]):
        assert (n.lowBound, n.upBound, n.cat) == (2.0, 2.0, pulp.LpContinuous)
        assert (y.lowBound, y.upBound, y.cat) == (0, 1, pulp.LpContinuous)
        assert (z.lowBound, z.upBound) == (-1.5, -1.5)
    assert state([n, y, z]) == before


def test_fixing_restores_after_an_error() -> None:
    y = pulp.LpVariable("y", cat=pulp.LpBinary)
    with pytest.raises(RuntimeError), fixing({y: 1.0}, relax=[y]):
        raise RuntimeError("solver failed")
    assert (y.lowBound, y.upBound, y.cat) == (0, 1, pulp.LpInteger)


def test_fixing_then_solving_gives_the_lp_with_integers_held() -> None:
    """Relaxing every integer of a model gives an LP whose optimum bounds the MIP's; fixing them
    at the LP's rounded-down values and re-solving gives a feasible point below that bound."""
    model = build_model(random_problem(30, seed=2), AllocationSettings())
    ints = model.integers
    before = state(ints)
    solver = pulp.HiGHS(msg=False)
    with fixing(relax=ints):
        model.lp.solve(solver)
        bound = pulp.value(model.lp.objective)
        rounded = {v: float(int(v.varValue or 0.0)) for v in ints}
    assert state(ints) == before
    with fixing(rounded, relax=ints):
        model.lp.solve(solver)
        assert model.lp.sol_status == pulp.LpSolutionOptimal
        assert all(v.varValue == pytest.approx(rounded[v]) for v in ints)
    assert pulp.value(model.lp.objective) <= bound + 1e-6
    assert state(ints) == before
