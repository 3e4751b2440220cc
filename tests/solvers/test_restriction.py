"""Restricted models: the variables the roads hold at zero are left out, with the full model's optima and bounds."""

from __future__ import annotations

import importlib

import numpy as np
import pulp
import pytest

from solvers import AllocationProblem, AllocationSettings, random_problem, solve
from solvers.causes import _lifted, families
from solvers.model import build_model, solved_values
from solvers.restriction import restricted_model, roadless_lp, roadless_model, roadless_shortfall

solve_module = importlib.import_module("solvers.solve")  # the package's `solve` is the function
restriction_module = importlib.import_module("solvers.restriction")

SETTINGS = AllocationSettings(rel_gap=1e-4)


def _blocked(seed: int, demand_ratio: float = 0.5) -> AllocationProblem:
    """A random problem in which every third link has no headroom left (negative), so roads hold sites at zero."""
    problem = random_problem(80, seed=seed, demand_ratio=demand_ratio)
    heads = [c for c in problem.links.columns if c.startswith("headroom")]
    links = problem.links.copy()
    links.loc[links.index[::3], heads] = -1.0
    problem.links = links
    return problem.validate()


def _relaxation(model: object, settings: AllocationSettings = SETTINGS) -> float:
    """The LP relaxation's optimum of ``model`` (an AllocationModel) under its own objective."""
    assert solve_module._solve_lp(model, settings, fix=None, duals=False)
    return float(pulp.value(model.lp.objective))  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_restricted_model_leaves_out_variables_and_keeps_the_relaxation(seed: int) -> None:
    problem = _blocked(seed)
    restricted = restricted_model(problem, SETTINGS, 0)
    full = build_model(problem, SETTINGS)
    assert restricted is not None and restricted.restriction is not None
    assert restricted.restriction.left_out > 0
    assert len(restricted.lp.variables()) < len(full.lp.variables())
    assert _relaxation(restricted) == pytest.approx(_relaxation(full), rel=1e-9, abs=1e-7)
    # the road rows are the full model's, also those that hold no hectares any more
    assert set(restricted.roads["con"].map(lambda con: con.name)) == set(full.roads["con"].map(lambda con: con.name))


@pytest.mark.parametrize("seed", [0, 1])
def test_restricted_and_full_solves_agree_within_the_proven_gap(monkeypatch, seed: int) -> None:
    problem = _blocked(seed)
    settings = AllocationSettings(rel_gap=1e-4, ladder="off")
    monkeypatch.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)  # the large-model path, restricted
    restricted = solve(problem, settings)
    monkeypatch.setattr(restriction_module, "ENABLED", False)
    full = solve(problem, settings)
    assert restricted.bound is not None and full.bound is not None
    assert restricted.bound >= full.objective - 1e-6  # each bound holds for the other's solution
    assert full.bound >= restricted.objective - 1e-6
    assert restricted.objective == pytest.approx(full.objective, rel=2e-4)
    assert set(restricted.sites["site_id"]) == set(full.sites["site_id"])  # a row for every site


@pytest.mark.parametrize("seed", [0, 3])
def test_lifting_the_roads_frees_the_variables_left_out(seed: int) -> None:
    problem = _blocked(seed, demand_ratio=2.0)
    restricted = restricted_model(problem, SETTINGS, 0)
    assert restricted is not None
    full = build_model(problem, SETTINGS)
    with _lifted(full.lp, families(full)["road headroom"]):
        _relaxation(full)
        lifted = solved_values(full.short["var"])
    free = roadless_model(restricted)
    assert not len(free.roads) and len(free.x) == len(full.x)
    _relaxation(free)
    assert np.allclose(solved_values(free.short["var"]), lifted, atol=1e-6)
    # the same shortfall by pricing sites in, from no site and from every site
    for start in (np.zeros(len(restricted.site_ids), dtype=bool), np.ones(len(restricted.site_ids), dtype=bool)):
        short = roadless_shortfall(roadless_lp(restricted), None, start, {})
        assert short is not None and np.allclose(short, lifted, atol=1e-6)


def test_small_models_are_not_restricted() -> None:
    problem = _blocked(0)
    assert restricted_model(problem, SETTINGS, solve_module.LARGE_MODEL_COLUMNS) is None
    assert restricted_model(problem, AllocationSettings(solver="cbc"), 0) is None
