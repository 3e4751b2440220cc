"""The shortcuts of large models: same proven quality, bounds that never cut off a better exchange."""

from __future__ import annotations

import importlib

import numpy as np
import pulp
import pytest

from solvers import AllocationSettings, random_problem, solve
from solvers.highs_direct import restart
from solvers.model import build_model

solve_module = importlib.import_module("solvers.solve")  # the package's `solve` is the function

SETTINGS = AllocationSettings(rel_gap=1e-4)


def _exchange_rises(seed: int) -> list[tuple[float, float]]:
    """(bound from the reduced costs, actual rise of the LP) for every exchange of the solved plots."""
    model = build_model(random_problem(60, seed=seed), SETTINGS)
    _, integers, _ = solve_module._phases(model, SETTINGS, None)
    plot_of = solve_module._plot_variables(model)
    assert solve_module._solve_lp(model, SETTINGS, fix=integers, duals=False)
    best = pulp.value(model.objective)
    gains = solve_module._reduced_costs(model, list(plot_of.values()))
    pairs = []
    for v1, partners in solve_module._exchanges(plot_of):
        for v2, swap in partners:
            if integers[v1] < 1 or integers[v2] < 1:
                continue
            trial = {**integers, v1: integers[v1] - 1, v2: integers[v2] - 1}
            trial.update({v: trial[v] + 1 for v in swap})
            if solve_module._solve_lp(model, SETTINGS, fix=trial, duals=False):
                bound = gains[swap[0]] + gains[swap[1]] - gains[v1] - gains[v2]
                pairs.append((bound, pulp.value(model.objective) - best))
    return pairs


def test_the_reduced_costs_bound_the_rise_of_every_plot_exchange() -> None:
    pairs = [pair for seed in range(6) for pair in _exchange_rises(seed)]
    assert len(pairs) >= 10  # the check has something to check
    assert all(bound >= rise - 1e-9 for bound, rise in pairs)


def test_an_lp_with_a_cutoff_stops_or_gives_its_optimum() -> None:
    model = build_model(random_problem(60, seed=1), SETTINGS)
    _, integers, _ = solve_module._phases(model, SETTINGS, None)
    assert solve_module._solve_lp(model, SETTINGS, fix=integers, duals=False)
    value = pulp.value(model.objective)
    restart(model.lp)  # from scratch: the dual simplex runs and may stop at the cutoff
    if solve_module._solve_lp(model, SETTINGS, fix=integers, duals=False, cutoff=value + 1.0):
        assert pulp.value(model.objective) == pytest.approx(value, abs=1e-9)
    restart(model.lp)
    assert solve_module._solve_lp(model, SETTINGS, fix=integers, duals=False, cutoff=value - 1.0)
    assert pulp.value(model.objective) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 3])
def test_the_large_model_path_is_proven_as_close_to_the_optimum(monkeypatch, seed: int) -> None:
    problem = random_problem(80, seed=seed)
    small = solve(problem, SETTINGS)
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)  # every shortcut on
    large = solve(problem, SETTINGS)
    for result in (small, large):
        assert result.gap is not None and result.gap <= SETTINGS.rel_gap
    assert large.objective == pytest.approx(small.objective, rel=2 * SETTINGS.rel_gap)
    assert large.bound == pytest.approx(small.bound, rel=2 * SETTINGS.rel_gap)


@pytest.mark.parametrize("seed", [5, 6])
def test_causes_solved_in_the_background_explain_the_shortfall_as_when_solved_in_turn(monkeypatch, seed: int) -> None:
    problem = random_problem(80, seed=seed, demand_ratio=2.0)
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
    lifted = []
    background = solve_module._lift_in_background
    monkeypatch.setattr(solve_module, "_lift_in_background", lambda *a: lifted.append(background(*a)) or lifted[-1])
    first = solve(problem, SETTINGS)
    assert lifted[0] is not None and lifted[0].result()  # the causes were solved in the background
    monkeypatch.setattr(solve_module, "_lift_in_background", lambda *a: None)
    second = solve(problem, SETTINGS)
    assert len(first.shortfall) and first.shortfall["explanation"].tolist() == second.shortfall["explanation"].tolist()
    assert first.shortfall["hectares"].to_numpy() == pytest.approx(second.shortfall["hectares"].to_numpy(), abs=1e-6)


@pytest.mark.parametrize("seed", [0, 2])
def test_polishing_from_the_basis_before_gives_the_hectares_of_a_fresh_start(seed: int) -> None:
    model = build_model(random_problem(80, seed=seed), SETTINGS)
    _, integers, _ = solve_module._phases(model, SETTINGS, None)
    hectares = []
    for chained in (False, True):
        assert solve_module._solve_lp(model, SETTINGS, fix=integers, start="keep")
        held = pulp.value(model.objective) if chained else None
        assert solve_module._polish(model, SETTINGS, integers, held)
        hectares.append([v.varValue for v in model.x["var"]])
    assert hectares[1] == pytest.approx(hectares[0], abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_relaxations_reduced_costs_bound_the_lp_of_any_integers(monkeypatch, seed: int) -> None:
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
    model = build_model(random_problem(60, seed=seed), SETTINGS)
    _, integers, _ = solve_module._phases(model, SETTINGS, None)
    assert solve_module._solve_lp(model, SETTINGS, fix=None, duals=False)
    ints = model.integers
    relaxation = solve_module.Relaxation(
        pulp.value(model.lp.objective),
        np.zeros(0),
        {v: v.varValue for v in ints},
        np.zeros(0),
        solve_module._reduced_costs(model, ints),
    )
    rng = np.random.default_rng(seed)
    for trial in range(4):  # the solution's integers, then some closed
        fix = {v: value if trial == 0 or rng.random() > 0.2 else 0.0 for v, value in integers.items()}
        if solve_module._solve_lp(model, SETTINGS, fix=fix, duals=False):
            assert solve_module._rounding_bound(relaxation, fix) >= pulp.value(model.lp.objective) - 1e-7


@pytest.mark.parametrize("seed", [0, 4, 7])
def test_phase_one_without_the_expansion_sites_keeps_its_optimum(monkeypatch, seed: int) -> None:
    problem = random_problem(80, seed=seed, demand_ratio=1.5)
    bounds, floors = [], []
    for large in (False, True):
        monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0 if large else 10**9)
        model = build_model(problem, SETTINGS)
        assert solve_module._large(model) is large
        held = solve_module._expansion_at_zero(model)
        assert held and all(v not in model.placed_existing for v in held)
        saved = {v: (v.lowBound, v.upBound) for v in held}
        run, _ = solve_module._ladder_phase(model, SETTINGS, None)
        assert {v: (v.lowBound, v.upBound) for v in held} == saved  # the bounds are the model's again
        bounds.append(run.bound)
        floors.append(-model.lp.constraints["ladder"].constant)
    assert bounds[1] == pytest.approx(bounds[0], rel=1e-9, abs=1e-7)  # the same LP optimum of phase 1
    assert floors[1] == pytest.approx(floors[0], rel=SETTINGS.rel_gap, abs=1e-6)


def test_default_threads_follow_the_model_size(monkeypatch) -> None:
    model = build_model(random_problem(80, seed=0), SETTINGS)
    columns = len(model.lp.variables())
    assert solve_module._default_threads(model) == solve_module.SMALL_MODEL_THREADS  # not large: one thread
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
    assert solve_module._default_threads(model) is None  # large: HiGHS's default
    monkeypatch.setattr(solve_module, "ONE_THREAD_COLUMNS", columns - 1)
    assert solve_module._default_threads(model) == 1  # the largest: one thread again


@pytest.mark.parametrize("seed", [0, 5])
def test_the_suitability_relaxation_from_the_priced_basis_is_the_whole_lps(monkeypatch, seed: int) -> None:
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
    model = build_model(random_problem(120, seed=seed, demand_ratio=1.5), SETTINGS)
    solve_module._ladder_phase(model, SETTINGS, None)
    objectives = []
    for priced in (True, False):
        restart(model.lp)
        if priced:
            assert solve_module._priced_basis(model, SETTINGS)
        assert solve_module._solve_lp(model, SETTINGS, fix=None, duals=False, start="chain" if priced else None)
        if priced:
            assert model.lp.solverModel.getInfo().simplex_iteration_count == 0  # optimal as given
        objectives.append(pulp.value(model.lp.objective))
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-9, abs=1e-7)


@pytest.mark.parametrize("seed", [0, 9])
def test_the_dives_looser_small_mip_leaves_the_result_proven_within_the_gap(monkeypatch, seed: int) -> None:
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)  # every shortcut on
    gaps: list[float] = []
    sub_mip = solve_module._sub_mip

    def recording(model, settings, fixed, options=None):  # type: ignore[no-untyped-def]
        gaps.append(settings.rel_gap)
        return sub_mip(model, settings, fixed, options)

    monkeypatch.setattr(solve_module, "_sub_mip", recording)
    result = solve(random_problem(80, seed=seed), SETTINGS)
    assert solve_module.DIVE_MIP_GAP in gaps  # a dive's small MIP stopped at the looser gap
    assert result.gap is not None and result.gap <= SETTINGS.rel_gap
    assert result.suitability_gap is not None and result.suitability_gap <= SETTINGS.rel_gap
