"""The rounding's neighbourhood search (RINS): integers it shares with the relaxation held, the rest re-decided."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from solvers import AllocationSettings, random_problem
from solvers.causes import shortfall_gains
from solvers.fixing import fixing
from solvers.model import build_model
from solvers.solve import Relaxation, _neighbourhood, _phases, _solve_lp

SETTINGS = AllocationSettings(rel_gap=1e-6)


def _relaxation(model) -> Relaxation:
    assert _solve_lp(model, SETTINGS, fix=None, duals=False)
    hectares = np.array([v.varValue or 0.0 for v in model.x["var"]])
    integers = {v: v.varValue or 0.0 for v in model.integers}
    short = np.array([v.varValue or 0.0 for v in model.short["var"]])
    return Relaxation(float(pulp.value(model.lp.objective)), hectares, integers, short)


def _objective_with(model, integers: dict) -> float:
    assert _solve_lp(model, SETTINGS, fix=integers, duals=False)
    return float(pulp.value(model.lp.objective))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_poor_rounding_is_improved_and_what_it_shares_with_the_relaxation_is_kept(seed: int) -> None:
    model = build_model(random_problem(80, seed=seed), SETTINGS)
    relaxation = _relaxation(model)
    closed = dict.fromkeys(model.integers, 0.0)  # the poorest rounding: no plot, no opening
    poor = _objective_with(model, closed)
    best = (poor, {v: v.varValue for v in model.lp.variables()})
    found = _neighbourhood(model, SETTINGS, relaxation, best, tolerance=1e-6)
    assert found is not None
    for v, value in closed.items():
        if abs(value - relaxation.integers[v]) <= 1e-6:
            assert found[v] == value  # held where the rounding agrees with the relaxation
    better = _objective_with(model, found)
    assert poor < better <= relaxation.bound + 1e-6


def test_nothing_to_search_when_the_rounding_is_the_relaxation() -> None:
    model = build_model(random_problem(40, seed=4), SETTINGS)
    model.lp.solve(pulp.HiGHS(msg=False))
    integers = {v: float(round(v.varValue or 0.0)) for v in model.integers}
    with fixing(integers):
        relaxation = _relaxation(model)  # integers fixed: the relaxation has them integral
    best = (relaxation.bound, {v: v.varValue for v in model.lp.variables()})
    assert _neighbourhood(model, SETTINGS, relaxation, best, tolerance=1e-6) is None


@pytest.mark.parametrize("seed", [5, 6])
def test_the_suitability_phase_relaxation_is_the_baseline_of_the_shortfall_causes(seed: int) -> None:
    model = build_model(random_problem(80, seed=seed, demand_ratio=2.0), SETTINGS)
    _, _, relaxation = _phases(model, SETTINGS, previous=None)
    assert relaxation is not None and relaxation.short.sum() > 1.0  # demand twice the capacity: short
    solve_relaxation = lambda: _solve_lp(model, SETTINGS, fix=None, duals=False)
    given = shortfall_gains(model, solve_relaxation, relaxation.short)
    solved = shortfall_gains(model, solve_relaxation)  # the baseline solved again, as before
    assert given.keys() == solved.keys()
    for cause in given:
        assert given[cause] == pytest.approx(solved[cause], abs=1e-9)
