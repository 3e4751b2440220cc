"""Restricted models: the allocation variables that the road rows hold at zero are left out (docs/allocation_model.md).

A variable ``x[s,g,t]`` of a sector with traffic (``v[k(g)] > 0``) loads every link on the
site's route in ``t`` and each later period (road rows are cumulative). When one of those links
has no headroom (``h[l,t'] = max(0, headroom) = 0`` for some ``t' ≥ t``), every feasible solution
has ``x[s,g,t] = 0``: the variable, its plot count and, when nothing is left on the site, its
rows and opening only enlarge the model. On the synthetic regions (demand 10 % of capacity) that
is 48 % of the variables at 1,000 sites, 60 % at 10,000 and 85 % at 100,000. Left out, the model
has the same feasible hectares, so the same LP and MIP optima, bounds and lexicographic levels;
the road rows are those of the full model (a link with no headroom keeps its row, which then
holds no hectares). Only the shortfall cause "road headroom" needs the variables back: its
relaxation lifts the roads, so it is solved on a model with every variable and no road rows
(:func:`roadless_model`, as arrays :func:`roadless_lp`), by pricing sites in (:func:`roadless_shortfall`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from solvers.builders import ModelIndex, allocation_frame, index_problem
from solvers.highs_direct import relaxation_lp
from solvers.model import AllocationModel, build_model
from solvers.pricing import GroupedLp, solve_by_pricing
from solvers.problem import AllocationProblem
from solvers.settings import AllocationSettings

ENABLED = True
"""Whether large models leave out the variables held at zero (tests switch it off to compare with the full model)."""


@dataclass(frozen=True)
class Restriction:
    """What a restricted model left out: ``keep`` (sites × segments × periods, the variables kept) and how many."""

    ix: ModelIndex
    keep: np.ndarray
    left_out: int


def restricted_model(
    problem: AllocationProblem, settings: AllocationSettings, min_columns: int
) -> AllocationModel | None:
    """The model of ``problem`` without the variables the roads hold at zero, when it is large (HiGHS only).

    None (build the full model) for CBC, models with at most ``min_columns`` allocation
    variables, when no variable is held at zero, or with :data:`ENABLED` off.
    """
    if not ENABLED or settings.solver != "highs" or not len(problem.routes):
        return None
    ix = index_problem(problem, settings)
    frame = allocation_frame(ix, settings)
    if len(frame) <= min_columns:
        return None
    keep = open_variables(ix, problem, settings)
    kept = keep[frame["site"].to_numpy(), frame["segment"].to_numpy(), frame["period"].to_numpy()]
    if kept.all():
        return None
    model = build_model(problem, settings, keep, ix, reach=frame)
    model.restriction = Restriction(ix, keep, int((~kept).sum()))
    return model


def open_variables(ix: ModelIndex, problem: AllocationProblem, settings: AllocationSettings) -> np.ndarray:
    """Sites × segments × periods: False where ``v > 0`` and a link on the route has no headroom then or later."""
    heads = problem.headrooms().loc[ix.link_ids].to_numpy()
    none_later = np.logical_or.accumulate(~(heads > 0)[:, ::-1], axis=1)[:, ::-1]  # links × periods: t' ≥ t
    site, link = ix.route_site, ix.route_link
    blocked = np.zeros((len(ix.site_ids), heads.shape[1]), dtype=bool)
    for t in range(heads.shape[1]):
        blocked[site[none_later[link, t]], t] = True
    vph = np.array([settings.vehicles_per_ha(s.truck_trips_per_ha_day) for s in problem.sectors])
    traffic = vph[ix.seg_sector] > 0
    return np.asarray(~blocked[:, None, :] | ~traffic[None, :, None])


def roadless_model(model: AllocationModel) -> AllocationModel:
    """The full model of the restricted ``model`` without road rows (roads lifted) and without the ladder row.

    :func:`roadless_shortfall` adds the ladder's floor to its arrays.
    """
    r = model.restriction
    assert r is not None
    return build_model(model.problem, model.settings, None, r.ix, with_roads=False)


@dataclass(frozen=True)
class RoadlessLp:
    """The LP relaxation of the full model without road rows (:func:`roadless_model`, no ladder row), as arrays.

    ``lp`` has a group per column: the site of each hectare, plot and opening variable;
    ``short`` are the columns of the shortfall variables (``short`` order) and ``existing``
    those of the hectares on the existing stock (the ladder row's terms).
    """

    lp: GroupedLp
    short: np.ndarray
    existing: np.ndarray


def roadless_lp(model: AllocationModel) -> RoadlessLp:
    """The :class:`RoadlessLp` of the restricted ``model`` (100,000 synthetic sites: about 11 s, most of it PuLP)."""
    free = roadless_model(model)
    lp, column = site_grouped_lp(free)
    short = np.array([column[id(v)] for v in free.short["var"]], dtype=np.int64)
    existing = np.array([column[id(v)] for v in free.placed_existing], dtype=np.int64)
    return RoadlessLp(lp, short, existing)


def site_grouped_lp(model: AllocationModel) -> tuple[GroupedLp, dict[int, int]]:
    """The LP relaxation of ``model`` as it is now, grouped by site, and the column of each variable (by ``id``).

    A site's group holds its hectare, plot and opening variables; the others (shortfall,
    rounding, loads) are shared (-1).
    """
    copy, lp = relaxation_lp(model.lp)
    column = {id(v): j for j, v in enumerate(copy.variables)}
    group = np.full(len(copy.variables), -1, dtype=np.int64)
    sites = model.x["site"].to_numpy()
    for variables, owner in ((model.x["var"], sites), (model.n["var"], sites[model.n["row"].to_numpy()])):
        group[[column[id(v)] for v in variables]] = owner
    group[[column[id(v)] for v in model.y["var"]]] = model.y["site"].to_numpy()
    return GroupedLp.from_highs(lp, group), column


def roadless_shortfall(
    roadless: RoadlessLp, ladder: pulp.LpConstraint | None, start: np.ndarray, options: dict[str, float | str | bool]
) -> np.ndarray | None:
    """The shortfall (``short`` order) of the relaxation with the roads lifted and the ``ladder`` row's floor.

    Solved by pricing in sites (`solvers.pricing`) from the sites where ``start`` (sites of
    the model's index) is True, which must hold a feasible point (the suitability relaxation's
    sites do); the whole LP when pricing cannot. None if not optimal. ``options``: HiGHS
    options of each solve.
    """
    lp = roadless.lp if ladder is None else roadless.lp.with_row(roadless.existing, -ladder.constant)
    values = solve_by_pricing(lp, start, options)
    if values is None and not start.all():
        values = solve_by_pricing(lp, np.ones_like(start, dtype=bool), options)  # the whole LP at once
    return None if values is None else np.asarray(values[roadless.short])
