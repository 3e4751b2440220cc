"""Solve the allocation model with CBC or HiGHS in a lexicographic order.

Each phase first solves the LP relaxation (a proven bound) and rounds plot counts and
openings from it; the MIP solver runs, warm-started, only when that is not within rel_gap (on
the full objective and on its suitability term). Finally the integer and binary variables are
fixed at their values and the LP is solved again: its duals give the marginal value of capacity
and road headroom. Then the ties left are resolved by LPs with the objective held: earlier
periods first, then the site order (docs/allocation_model.md, "Unique allocation"); with
``regret`` each allocated site is forbidden in turn and the model re-solved warm.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pulp

from mca.core.errors import InfeasibleError
from solvers.builders import ladder_floor
from solvers.causes import LIFTED, families, shortfall_gains
from solvers.fixing import drop_row, extra_rows, fixing
from solvers.highs_direct import (
    INF,
    ArrayHiGHS,
    KeptBasis,
    fixed_basis,
    keep,
    keep_current,
    lifted_relaxations,
    restart,
)
from solvers.model import AllocationModel, build_model, solved_values
from solvers.pricing import optimal_basis
from solvers.problem import AllocationProblem
from solvers.regret import site_regrets, with_regret
from solvers.restriction import RoadlessLp, restricted_model, roadless_lp, roadless_shortfall, site_grouped_lp
from solvers.results import AllocationResult, SolverRun, lead_with_causes, make_result, relative_gap
from solvers.settings import AllocationSettings

LP_TOLERANCE = 1e-9
"""Primal and dual feasibility tolerance of the LP solves (solver defaults 1e-7), so that CBC and
HiGHS agree on the hectares to 1e-6 ha (assumption)."""
LP_OPTIONS: dict[str, float | str | bool] = {
    "primal_feasibility_tolerance": LP_TOLERANCE,
    "dual_feasibility_tolerance": LP_TOLERANCE,
}
"""HiGHS options of every LP and MIP solve."""
POLISH_SOLVER = "highs"
"""The LP solver of the lexicographic levels 3 and 4 (`_polish`), whichever solver chose the plots."""
LARGE_MODEL_COLUMNS = 1_000
"""Models with more columns take the shortcuts of large models (:func:`_large`); the bundled Heerlen
models (at most 380 columns) keep the solve path their results were made with (assumption)."""
SMALL_MODEL_THREADS = 1
"""HiGHS threads of a model without the large-model shortcuts when the scenario sets none: on such a
model HiGHS's second thread mostly waits yet takes CPU that the writer processes of `mca run` need
(Heerlen's nine bundled scenarios: allocation 4.6 -> 3.2 s of CPU, the same results)."""
ONE_THREAD_COLUMNS = 10_000
"""Large models with more columns solved also get one HiGHS thread when the scenario sets none
(assumption, measured on the synthetic regions, 24 Nov 2026): at 100,000 sites (119,399 columns)
HiGHS's second thread took CPU from the background cause LP (solve 87.5 -> 77.7 s, CPU 127 ->
107 s), at 10,000 sites (21,429) 6.09 -> 5.93 s; at 1,000 sites (2,264 columns), whose final MIP
branches, two threads stay faster (6.4 s against 6.8 s)."""
DIVE_MIP_GAP = 0.005
"""The relative gap at which the dive's small MIPs (:func:`_decide_fractional`) stop on large models,
unless ``rel_gap`` is larger (assumption). They only propose a rounding; the neighbourhood MIP and
the phase's MIP prove the phase's tolerance. Synthetic regions, 24 Nov 2026: 10,000 sites of seed
1 25.2 -> 14.9 s (its small MIP had a rounding at 0.35 % after 1 s and took 10.6 s to reach
0.1 %), 30,000 sites of seed 1 33.3 -> 27.3 s; 1,000, 10,000 (seeds 0, 2, 3) and 100,000 sites the
same allocation in the same time."""
NEIGHBOURHOOD_OPTIONS: dict[str, float | str | bool] = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}
"""HiGHS options of the neighbourhood MIP on large models: its few free integers are decided by
branching, and HiGHS's own heuristics only repeat the search (10,000 synthetic sites: 1.5 s
instead of 3.0 s, same solution)."""
MIP_DEFAULTS: dict[str, float | str | bool] = {
    "simplex_strategy": 1,
    "mip_heuristic_effort": 0.05,
    "mip_heuristic_run_rins": True,
    "mip_heuristic_run_rens": True,
    "mip_heuristic_run_root_reduced_cost": True,
}
"""HiGHS 1.16's defaults of those options, set for every other solve (a HiGHS instance keeps its options)."""
LADDER_PHASE = "ladder: maximise hectares on available plots and intensification"
MAIN_PHASE = "suitability"


def solve(problem: AllocationProblem, settings: AllocationSettings | None = None) -> AllocationResult:
    """Allocate the demand of ``problem`` to its sites; see docs/allocation_model.md."""
    settings = settings or AllocationSettings()
    started = time.perf_counter()
    problem.validate()
    model = restricted_model(problem, settings, LARGE_MODEL_COLUMNS) or build_model(problem, settings)
    build_seconds = time.perf_counter() - started
    if settings.threads is None and settings.solver == "highs":
        settings = settings.model_copy(update={"threads": _default_threads(model)})
    with ThreadPoolExecutor(max_workers=1) as causes, ThreadPoolExecutor(max_workers=1) as plots:
        ahead = Ahead(model, settings, causes, plots)
        runs, integers, relaxation = _phases(model, settings, previous=None, ahead=ahead)
        lifted = ahead.lifted
        integers, duals_ok = _final_lps(model, settings, integers, "kept" if ahead.basis_kept(integers) else None)
        result = make_result(
            model, runs, duals_available=duals_ok, build_seconds=build_seconds, seconds=time.perf_counter() - started
        )
        if len(result.shortfall):
            done = lifted.result() if lifted else _restricted_lifts(model, settings)
            gains = shortfall_gains(
                model,
                lambda: _solve_lp(model, settings, fix=None, duals=False),
                relaxation.short if relaxation else None,
                done,
            )
            result.shortfall = lead_with_causes(result.shortfall, model, gains)
    if settings.regret and len(result.allocation):
        result.regret = site_regrets(model, result, lambda forbid: _solve_without(model, settings, forbid, integers))
        result.allocation = with_regret(result.allocation, result.regret)
    return result


def _final_lps(
    model: AllocationModel, settings: AllocationSettings, integers: dict[pulp.LpVariable, float], start: str | None
) -> tuple[dict[pulp.LpVariable, float], bool]:
    """Settle the plots' periods, solve the LP with the plots fixed for its duals, then polish.

    Returns the integers and whether the duals are available; the rows keep the duals of that LP
    (the shadow prices), the variables the polished values. ``start``: of the first LP with the
    plots fixed ("kept": from the basis kept for them, see :class:`Ahead`).
    """
    integers = _settle_plot_periods(model, settings, integers, start=start)
    duals_ok = _solve_lp(model, settings, fix=integers, start="keep")
    if not duals_ok:
        _solve_lp(model, settings, fix=integers, duals=False)
    duals = {label: con.pi for label, con in model.lp.constraints.items()}
    known = duals_ok and settings.solver == POLISH_SOLVER and _large(model)
    if not _polish(model, settings, integers, _expression_value(model.objective) if known else None):
        _solve_lp(model, settings, fix=integers, duals=False)
    for label, con in model.lp.constraints.items():
        con.pi = duals.get(label)
    return integers, duals_ok


@dataclass
class Ahead:
    """Work started in other threads during the suitability phase of a large model with HiGHS.

    ``lift``: the shortfall causes' relaxations (:func:`_lift_in_background`), from the
    suitability relaxation on; the arrays of the roadless one (:func:`roadless_lp`) are built
    from the start, while phase 1 is solved (100,000 synthetic sites: about 11 s, which then no
    longer run beside the MIPs; wasted when no demand is short). ``fix``: before the final MIP,
    which on these models mostly proves the rounding it starts from, the LP with those plots
    fixed, whose optimal basis the first LP of the plot-period exchanges starts from when the
    MIP keeps them (100,000 synthetic sites: that LP took 5.9 s from scratch after the MIP).
    Each its own HiGHS with one thread.
    """

    model: AllocationModel
    settings: AllocationSettings
    causes: ThreadPoolExecutor
    plots: ThreadPoolExecutor
    lifted: Future[dict[str, np.ndarray]] | None = None
    fixed: tuple[dict[pulp.LpVariable, float], Future[KeptBasis | None]] | None = None
    roadless: Future[RoadlessLp] | None = None

    def __post_init__(self) -> None:
        """On a restricted model with road rows, start building the roadless LP's arrays at once."""
        if _large_highs(self.model, self.settings) and self.model.restriction is not None and len(self.model.roads):
            self.roadless = self.causes.submit(roadless_lp, self.model)

    def lift(self, relaxation: Relaxation) -> None:
        """Start the shortfall causes' relaxations (when the model is large and demand is short)."""
        self.lifted = _lift_in_background(self.causes, self.model, self.settings, relaxation, self.roadless)

    def fix(self, integers: dict[pulp.LpVariable, float]) -> None:
        """Start the LP with ``integers`` fixed (large models with HiGHS)."""
        if _large_highs(self.model, self.settings):
            options = {**LP_OPTIONS, "time_limit": self.settings.time_limit_s}
            self.fixed = (integers, self.plots.submit(fixed_basis(self.model.lp, integers, options)))

    def basis_kept(self, integers: dict[pulp.LpVariable, float]) -> bool:
        """Whether the basis of the LP with ``integers`` fixed is ready and kept for the next solve."""
        if self.fixed is None or self.fixed[0] != integers:
            return False
        kept = self.fixed[1].result()
        return kept is not None and keep(self.model.lp, kept)


def _lift_in_background(
    background: ThreadPoolExecutor,
    model: AllocationModel,
    settings: AllocationSettings,
    relaxation: Relaxation,
    roadless: Future[RoadlessLp] | None = None,
) -> Future[dict[str, np.ndarray]] | None:
    """The relaxations with each cause of shortfall lifted (`solvers.causes`), solving in ``background``.

    Called with the suitability relaxation, before its rounding. Large models with HiGHS whose
    relaxation leaves demand short only: these LPs then run on the other core while the plots
    are decided, settled and polished (100,000 synthetic sites: about 30 s, all before the result
    is made); otherwise None and `shortfall_gains` solves them when needed.
    """
    if not _large_highs(model, settings) or relaxation.short.sum() <= 1e-6:
        return None
    task = _lifts(model, settings, relaxation, roadless)
    return None if task is None else background.submit(task)


def _restricted_lifts(model: AllocationModel, settings: AllocationSettings) -> dict[str, np.ndarray] | None:
    """A restricted model's lifted relaxations, solved now (None for a full model: `shortfall_gains` solves them)."""
    task = _lifts(model, settings, None) if model.restriction is not None else None
    return None if task is None else task()


def _lifts(
    model: AllocationModel,
    settings: AllocationSettings,
    relaxation: Relaxation | None,
    roadless: Future[RoadlessLp] | None = None,
) -> Callable[[], dict[str, np.ndarray]] | None:
    """A task solving the relaxation once per cause of shortfall with its rows lifted (None without causes).

    Each from a copy of the model as it is now, in its own HiGHS with one thread. On a
    restricted model, road headroom lifted is the relaxation of the model with every variable
    and no road rows (:func:`solvers.restriction.roadless_shortfall`; its arrays ``roadless``
    when prepared, else built by the task), priced in from the sites ``relaxation`` places
    hectares on (the model's current values if None).
    """
    rows = families(model)
    if not rows:
        return None
    options = {**LP_OPTIONS, "time_limit": settings.time_limit_s * len(rows)}
    roads = rows.pop("road headroom", None) if model.restriction is not None else None
    others = lifted_relaxations(model.lp, rows, LIFTED, list(model.short["var"]), options) if rows else None
    if roads is None and others is not None:
        return others
    ladder = model.lp.constraints.get("ladder")
    hectares = relaxation.hectares if relaxation is not None else solved_values(model.x["var"])
    start = _sites_placed(model, hectares)

    def task() -> dict[str, np.ndarray]:
        values = others() if others is not None else {}
        short = roadless_shortfall(roadless.result() if roadless else roadless_lp(model), ladder, start, options)
        return values if short is None else {**values, "road headroom": short}

    return task


def _phases(
    model: AllocationModel,
    settings: AllocationSettings,
    previous: dict[pulp.LpVariable, float] | None,
    ahead: Ahead | None = None,
) -> tuple[list[SolverRun], dict[pulp.LpVariable, float], Relaxation | None]:
    """The strict ladder's phase 1 (when there is a choice to make), then suitability.

    Returns the runs, the integers and the suitability phase's LP relaxation (None without
    integers). ``ahead`` starts work in other threads during the suitability phase.
    """
    runs: list[SolverRun] = []
    if settings.ladder == "strict" and len(model.placed_existing) and len(model.y):
        first, previous = _ladder_phase(model, settings, previous)
        runs.append(first)
    main, _, relaxation = _optimise(model, settings, MAIN_PHASE, previous=previous, ahead=ahead)
    runs.append(main)
    return runs, {v: float(round(v.varValue or 0.0)) for v in model.integers}, relaxation


def _ladder_phase(
    model: AllocationModel, settings: AllocationSettings, previous: dict[pulp.LpVariable, float] | None
) -> tuple[SolverRun, dict[pulp.LpVariable, float]]:
    """Phase 1 of the strict ladder, then the row that keeps its existing-stock hectares in phase 2.

    Phase 1 maximises ``Σ_{s∈X} x − ω Σ over``: rounding hectares (XXL plots above demand) serve
    no demand and must not count. Afterwards the objective is the model's own again. On large
    models the expansion sites' variables are held at 0 meanwhile (:func:`_expansion_at_zero`).
    """
    rounding = pulp.LpAffineExpression([(v, -settings.rounding_penalty) for v in model.over["var"]])
    model.lp.setObjective(model.placed_existing + rounding)
    with fixing(_expansion_at_zero(model) if _large(model) else None):
        run, integers, _ = _optimise(model, settings, LADDER_PHASE, previous=previous)
    model.lp.addConstraint(ladder_floor(model.placed_existing, float(pulp.value(model.placed_existing))))
    model.lp.setObjective(model.objective)
    return run, integers


def _expansion_at_zero(model: AllocationModel) -> dict[pulp.LpVariable, float]:
    """Every variable of the expansion sites (hectares, plots, openings) at 0: phase 1 keeps an optimum without them.

    Phase 1 counts only hectares on the existing stock. Taking an expansion site's hectares
    away (and its plots and opening with them; the demand left to shortfall, or to less
    rounding) keeps every row and the objective, so some optimum has them all at 0, and the
    phase's LPs and MIPs are solved without them (100,000 synthetic sites: 70 % of the sites).
    """
    existing = set(model.placed_existing.keys())
    expansion = np.array([v not in existing for v in model.x["var"]], dtype=bool)
    plots = model.n["var"].to_numpy()[expansion[model.n["row"].to_numpy()]]
    return dict.fromkeys([*model.x["var"].to_numpy()[expansion], *plots, *model.y["var"]], 0.0)


def lexicographic_levels(model: AllocationModel) -> list[tuple[str, pulp.LpAffineExpression]]:
    """The levels after the objective, in order: hectares per period but the last (earliest first), the site order."""
    x = model.x
    periods = list(model.problem.periods)
    levels = [
        (f"lex_period_{periods[t]}", pulp.LpAffineExpression([(v, 1.0) for v in x.loc[x["period"] == t, "var"]]))
        for t in range(len(periods) - 1)
        if (x["period"] == t).any()  # an empty level decides nothing (and PuLP would add a dummy variable)
    ]
    levels.append(("lex_site_order", pulp.LpAffineExpression(list(zip(x["var"], x["order"].tolist())))))
    return levels


def _polish(
    model: AllocationModel,
    settings: AllocationSettings,
    integers: dict[pulp.LpVariable, float],
    held: float | None = None,
) -> bool:
    """Resolve the ties of the solved LP (integers fixed): each level maximised with the ones before held.

    The objective is held at its value, then the hectares of each period but the last, earliest
    first, then the site order (:func:`lexicographic_levels`); each held by a row ``level ≥
    value − 1e-9·max(1, |value|)``, all removed afterwards. False if an LP failed (the values
    are then not those of a solution).

    These LPs choose the reported hectares among equal optima of the chosen plots and openings,
    so they are solved by HiGHS from a fresh copy of the model whichever solver chose the plots
    (:data:`POLISH_SOLVER`): the result then depends only on the plots and openings. Held
    values taken from CBC carry the 8 significant digits of its solution file, and a held
    value that moves by 1e-8 moves the last level's hectares by up to 1e-4 ha (the weights of
    two sites differ little), so CBC and HiGHS differed by 2e-6 to 1.3e-3 ha on the scenarios.
    ``held``: the objective HiGHS just found with these integers, if any (large models); then
    that LP is not solved again from a fresh copy (10,000 synthetic sites: 0.5 s), and each
    level starts from the basis of the one before, with its held row basic (`ArrayHiGHS`).
    """
    lp_settings = settings.model_copy(update={"solver": POLISH_SOLVER})
    start = "chain" if held is not None else None  # from the basis of the LP that found ``held``
    if held is None:
        restart(model.lp)  # no basis from earlier solves: the same plots give the same vertex
        if not _solve_lp(model, lp_settings, fix=integers, duals=False):
            return False
        held = _expression_value(model.objective)
    ok = True
    with ExitStack() as stack:
        stack.enter_context(extra_rows(model.lp, [_floor("lex_objective", model.objective, held)]))
        for label, level in lexicographic_levels(model):
            model.lp.setObjective(level)
            if not _solve_lp(model, lp_settings, fix=integers, duals=False, start=start):
                ok = False
                break
            stack.enter_context(extra_rows(model.lp, [_floor(label, level, _expression_value(level))]))
    model.lp.setObjective(model.objective)
    return ok


def _settle_plot_periods(
    model: AllocationModel,
    settings: AllocationSettings,
    integers: dict[pulp.LpVariable, float],
    max_trials: int = 20,
    start: str | None = None,
) -> dict[pulp.LpVariable, float]:
    """The plot counts after exchanging the periods of XXL plots while that raises the objective.

    Two plots of one segment on sites ``s1`` (period ``t1``) and ``s2`` (``t2``) can often trade
    periods at an objective change of only the tie-break terms (``ε·e[t]``, ``ε·o[s,g,t]``), which
    is below the MIP tolerance, so solvers keep either. Each exchange is tried as an LP with the
    plots fixed and kept when the objective rises by more than ``1e-9·max(1, |objective|)``;
    at most ``max_trials`` LPs (assumption: 20; the bundled Heerlen scenarios need at most 3,
    and each LP costs as much as the model is large). Only plots that hold a plot are paired, with
    the plots of their own segment, so the search grows with the plots placed, not with the
    square of all plot variables. Large models with HiGHS: an exchange whose rise the reduced
    costs of the plot counts bound below half that threshold (:func:`_reduced_costs`) is not solved
    (the LP could not keep it), and an LP stops once it is proven not to rise above it.
    """
    plot_of = _plot_variables(model)
    if not plot_of or not _solve_lp(model, settings, fix=integers, duals=False, start=start):
        return integers
    best, trials, large = float(pulp.value(model.objective)), 0, _large_highs(model, settings)
    gains = _reduced_costs(model, list(plot_of.values())) if large else {}
    for v1, partners in _exchanges(plot_of):
        if trials >= max_trials:
            break
        for v2, swap in partners:
            if integers[v1] < 1 or trials >= max_trials:
                break  # v1 gains no plot in its own exchanges: nothing more to try for it
            if integers[v2] < 1:
                continue
            trials += 1
            threshold = 1e-9 * max(1.0, abs(best))  # kept only above best + threshold
            if large and gains[swap[0]] + gains[swap[1]] - gains[v1] - gains[v2] <= threshold / 2:
                continue
            trial = {**integers, v1: integers[v1] - 1, v2: integers[v2] - 1}
            trial.update({v: trial[v] + 1 for v in swap})
            if _solve_lp(model, settings, fix=trial, duals=False, cutoff=best + threshold if large else None):
                value = float(pulp.value(model.objective))
                if value > best + threshold:
                    best, integers = value, trial
                    gains = _reduced_costs(model, list(plot_of.values())) if large else {}
    return integers


def _plot_variables(model: AllocationModel) -> dict[tuple[int, int, int], pulp.LpVariable]:
    """The plot count variable of each (site, segment, period) position."""
    rows = model.n["row"].to_numpy()
    keys = zip(*(model.x[c].to_numpy()[rows].tolist() for c in ("site", "segment", "period")))
    return dict(zip(keys, model.n["var"]))


def _exchanges(
    plot_of: dict[tuple[int, int, int], pulp.LpVariable],
) -> Iterator[tuple[pulp.LpVariable, Iterator[tuple[pulp.LpVariable, list[pulp.LpVariable]]]]]:
    """Per plot count ``v1`` at ``(s1, g, t1)``, its exchanges: ``v2`` at ``(s2, g, t2)`` with ``t2 > t1``.

    Each with the two counts that gain a plot, at ``(s1, g, t2)`` and ``(s2, g, t1)``; listed
    lazily, so that a caller done with ``v1`` does not pair it further.
    """
    by_segment: dict[int, list[tuple[int, int, pulp.LpVariable]]] = {}
    for (s, g, t), v in plot_of.items():
        by_segment.setdefault(g, []).append((s, t, v))

    def partners(s1: int, g: int, t1: int) -> Iterator[tuple[pulp.LpVariable, list[pulp.LpVariable]]]:
        for s2, t2, v2 in by_segment[g]:
            swap = [plot_of.get((s1, g, t2)), plot_of.get((s2, g, t1))]
            if t2 > t1 and s2 != s1 and swap[0] is not None and swap[1] is not None:
                yield v2, [swap[0], swap[1]]

    for (s1, g, t1), v1 in plot_of.items():
        yield v1, partners(s1, g, t1)


def _reduced_costs(model: AllocationModel, plots: list[pulp.LpVariable]) -> dict[pulp.LpVariable, float]:
    """The reduced cost ``d`` of each of ``plots`` in the LP HiGHS just solved, for the maximisation.

    The LP's optimum is concave in the columns' bounds, so fixing them at values ``Δ`` away from
    the solution raises it by at most ``Σ d·Δ`` (HiGHS minimises the negation: ``d`` is minus
    its column dual).
    """
    copy = model.lp.highs_copy
    col_dual = np.asarray(copy.highs.getSolution().col_dual)
    position = {v: j for j, v in enumerate(copy.variables)}
    return {v: -float(col_dual[position[v]]) for v in plots}


def _floor(label: str, expression: pulp.LpAffineExpression, value: float, tolerance: float = 1e-9) -> pulp.LpConstraint:
    """The row ``expression ≥ value − tolerance·max(1, |value|)`` named ``label``."""
    return pulp.LpConstraint(expression, pulp.LpConstraintGE, label, value - tolerance * max(1.0, abs(value)))


def _solve_without(
    model: AllocationModel,
    settings: AllocationSettings,
    forbid: list[pulp.LpVariable],
    integers: dict[pulp.LpVariable, float],
) -> float | None:
    """The objective with the variables ``forbid`` at zero, re-solved warm from ``integers`` (None: no solution).

    The strict ladder's phase 1 is solved again too (its floor is put back afterwards); the
    variables keep the values of this solve.
    """
    ladder = drop_row(model.lp, "ladder")
    zero = dict.fromkeys(forbid, 0.0)
    try:
        with fixing(zero):
            runs, _, _ = _phases(model, settings, previous={**integers, **{v: 0.0 for v in zero if v in integers}})
        return runs[-1].objective
    except InfeasibleError:
        return None
    finally:
        drop_row(model.lp, "ladder")
        if ladder is not None:
            model.lp.addConstraint(ladder)


def _optimise(
    model: AllocationModel,
    settings: AllocationSettings,
    phase: str,
    previous: dict[pulp.LpVariable, float] | None,
    ahead: Ahead | None = None,
) -> tuple[SolverRun, dict[pulp.LpVariable, float], Relaxation | None]:
    """Maximise the current objective: LP relaxation and rounding first, the MIP only if needed.

    The LP relaxation gives a proven bound. Integer values are rounded from it (and, if given,
    taken from the previous phase), the rest re-solved as LP; if the best of these is within the
    tolerance of the bound (:func:`_tolerance`) it is accepted, otherwise it warm-starts the MIP
    solver. In the suitability phase the run also reports the gap on the suitability term.
    """
    started = time.perf_counter()
    ints = model.integers
    if not ints:
        return _with_suitability_gap(model, phase, _run(model.lp, settings, phase)), {}, None
    start = "chain" if phase == MAIN_PHASE and _priced_basis(model, settings) else "keep"
    if not _solve_lp(model, settings, fix=None, duals=False, start=start):
        raise InfeasibleError(
            f"the LP relaxation could not be solved in phase '{phase}' within {settings.time_limit_s:g} s; "
            "raise time_limit_s",
            source="allocation",
            field="time_limit_s",
        )
    bound = float(pulp.value(model.lp.objective))
    tolerance = _tolerance(model, settings, phase)
    relaxation = Relaxation(
        bound,
        solved_values(model.x["var"]),
        {v: v.varValue or 0.0 for v in ints},
        solved_values(model.short["var"]),
        _reduced_costs(model, ints) if _large_highs(model, settings) else None,
    )
    if ahead is not None:
        ahead.lift(relaxation)
    best = _best_rounding(model, settings, relaxation, previous, tolerance)
    if best is not None:
        for v, value in best[1].items():
            v.varValue = value
        gap = _gap(bound, best[0])
        if gap <= tolerance:
            run = SolverRun(
                phase=phase,
                solver=settings.solver,
                status="optimal",
                objective=best[0],
                bound=bound,
                gap=gap,
                seconds=time.perf_counter() - started,
                method="LP relaxation + rounding",
            )
            return _with_suitability_gap(model, phase, run), {v: best[1][v] for v in ints}, relaxation
    if ahead is not None and best is not None:
        ahead.fix({v: float(round(best[1][v] or 0.0)) for v in ints})
    run = _run(model.lp, settings, phase, warm_start=best is not None, rel_gap=tolerance)
    if run.bound is None or bound < run.bound:
        run = replace(run, bound=bound, gap=_gap(bound, run.objective))
    return _with_suitability_gap(model, phase, run), {v: float(round(v.varValue or 0.0)) for v in ints}, relaxation


def _priced_basis(model: AllocationModel, settings: AllocationSettings) -> bool:
    """Large models with HiGHS: keep an optimal basis of the LP relaxation, found by pricing sites in; whether kept.

    The relaxation solved on the sites the current values place hectares on (the ladder phase's
    solution, which satisfies its floor) and on the sites whose columns then price in
    (`solvers.pricing`); its optimal basis, the other columns at 0 and their rows basic, is
    optimal for the whole relaxation, which HiGHS then solves from it without an iteration.
    100,000 synthetic sites: 8 s in four rounds from 3,437 sites against 14.5 s for the whole
    LP, most of it the first round (the road and load rows stay whole); 10,000 sites 0.6 against
    1.0 s.
    """
    if not _large_highs(model, settings):
        return False
    lp, _ = site_grouped_lp(model)
    start = _sites_placed(model, solved_values(model.x["var"]))
    options = {**LP_OPTIONS, "time_limit": settings.time_limit_s}
    basis = optimal_basis(lp, start, options)
    return basis is not None and keep_current(model.lp, basis)


def _sites_placed(model: AllocationModel, hectares: np.ndarray) -> np.ndarray:
    """Per site of the model's index: whether ``hectares`` (``model.x`` order) place any there."""
    placed = np.zeros(len(model.site_ids), dtype=bool)
    placed[model.x["site"].to_numpy()[hectares > 0]] = True
    return placed


def suitability_term(model: AllocationModel) -> float:
    """``Σ suit[s,k(g)] · x[s,g,t]`` at the current values: the suitability hectares, without penalties."""
    values = solved_values(model.x["var"])
    return float(model.x["suit"].to_numpy(dtype=float) @ values)


def _tolerance(model: AllocationModel, settings: AllocationSettings, phase: str) -> float:
    """The relative gap (on the objective) at which a phase may stop, from the current (relaxed) values.

    ``rel_gap``; in the suitability phase smaller when the suitability term is smaller than the
    objective's size (the shortfall penalty inflates it), so that the gap on the suitability term
    is within ``suitability_gap`` (default ``rel_gap``) as well.
    """
    if phase != MAIN_PHASE:
        return settings.rel_gap
    size = abs(float(pulp.value(model.lp.objective)))
    on_suitability = settings.rel_gap if settings.suitability_gap is None else settings.suitability_gap
    return min(settings.rel_gap, on_suitability * max(suitability_term(model), 1e-9) / max(size, 1e-9))


def _with_suitability_gap(model: AllocationModel, phase: str, run: SolverRun) -> SolverRun:
    """``run`` with ``suitability_gap``: ``(bound − objective) / suitability term`` (suitability phase only)."""
    if phase != MAIN_PHASE or run.bound is None:
        return run
    gap = relative_gap(run.bound, run.objective, suitability_term(model))
    return replace(run, suitability_gap=gap)


def _best_rounding(
    model: AllocationModel,
    settings: AllocationSettings,
    relaxation: Relaxation,
    previous: dict[pulp.LpVariable, float] | None,
    tolerance: float,
) -> tuple[float, dict[pulp.LpVariable, float]] | None:
    """The best LP with integers fixed, as (objective, every variable's value), or None if none was feasible.

    The previous phase's integers are tried first: when they are already within ``tolerance`` of
    the bound, the relax-and-fix dive (several LP and small MIP solves) is not needed; then the
    dive, then the dive's neighbourhood (:func:`_neighbourhood`). When the relaxation's reduced
    costs prove that the previous integers cannot come within ``tolerance`` (large models), they
    are tried last, and only if that bound exceeds the best rounding found (10,000 synthetic
    sites: one LP of 0.4-0.5 s less).
    """
    bound = relaxation.bound
    best: tuple[float, dict[pulp.LpVariable, float]] | None = None
    ceiling = _rounding_bound(relaxation, previous)
    late = ceiling is not None and _gap(bound, ceiling) > tolerance
    candidates: list[Callable[[], dict[pulp.LpVariable, float] | None]] = [
        lambda: None if late else previous,
        lambda: _dive(model, settings, relaxation),
        lambda: _neighbourhood(model, settings, relaxation, best, tolerance),
        lambda: previous if late and ceiling is not None and (best is None or ceiling > best[0]) else None,
    ]
    for make_fix in candidates:
        fix = make_fix()
        if fix and (_holds(model, fix) or _solve_lp(model, settings, fix=fix, duals=False)):
            value = float(pulp.value(model.lp.objective))
            if best is None or value > best[0]:
                best = (value, {v: v.varValue for v in model.lp.variables()})
            if _gap(bound, best[0]) <= tolerance:
                break
    return best


def _rounding_bound(relaxation: Relaxation, fix: dict[pulp.LpVariable, float] | None) -> float | None:
    """An upper bound of the LP with the integers at ``fix``, from the relaxation's reduced costs (None without)."""
    if fix is None or relaxation.reduced is None:
        return None
    reduced, relaxed = relaxation.reduced, relaxation.integers
    return relaxation.bound + sum(reduced[v] * (value - relaxed[v]) for v, value in fix.items())


def _holds(model: AllocationModel, fix: dict[pulp.LpVariable, float]) -> bool:
    """Large models: whether the values of the last solve already have the integers at ``fix``.

    Then they are a solution with those integers (the dive's last LP, or a small MIP's solution
    within HiGHS's integer tolerance 1e-6), and solving the LP again would only polish it (10,000
    synthetic sites: 0.3–0.6 s per LP). The bundled Heerlen models always re-solve.
    """
    if not _large(model):
        return False
    return all(abs((v.varValue or 0.0) - value) <= 1e-6 for v, value in fix.items())


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation of a phase: objective (a proven bound), hectares, integers and shortfall.

    ``hectares`` are in ``model.x`` order, ``short`` in ``model.short`` order.
    """

    bound: float
    hectares: np.ndarray
    integers: dict[pulp.LpVariable, float]
    short: np.ndarray
    reduced: dict[pulp.LpVariable, float] | None = None
    """The integers' reduced costs (large models with HiGHS; see :func:`_reduced_costs`)."""


def _neighbourhood(
    model: AllocationModel,
    settings: AllocationSettings,
    relaxation: Relaxation,
    best: tuple[float, dict[pulp.LpVariable, float]] | None,
    tolerance: float,
) -> dict[pulp.LpVariable, float] | None:
    """The integers of a small MIP around the best rounding: those it shares with the relaxation held.

    Relaxation-induced neighbourhood search (Danna, Rothberg & Le Pape 2005, "RINS"): the plot
    counts and openings on which the rounding and the LP relaxation agree stay, the few others
    (10,000 synthetic sites: 26 of 8,110) are decided by the MIP solver to the phase's tolerance.
    There the dive left 0.64 ha of demand short that the optimum places; this MIP found the
    optimum, and warm-started from it the full MIP ended after its root (4 s instead of 14–18 s).
    None when there is no rounding or it agrees with the relaxation everywhere.
    """
    if best is None:
        return None
    values = best[1]
    held = {
        v: float(round(values[v] or 0.0))
        for v in model.integers
        if abs((values[v] or 0.0) - relaxation.integers[v]) <= 1e-6
    }
    if len(held) == len(model.integers):
        return None
    options = NEIGHBOURHOOD_OPTIONS if _large(model) else None
    return _sub_mip(model, settings.model_copy(update={"rel_gap": tolerance}), held, options)


def _default_threads(model: AllocationModel) -> int | None:
    """HiGHS threads when the scenario sets none: one for small and for the largest models, else HiGHS's default."""
    if not _large(model):
        return SMALL_MODEL_THREADS
    return 1 if len(model.lp.variables()) > ONE_THREAD_COLUMNS else None


def _large(model: AllocationModel) -> bool:
    """Whether the model takes the large-model shortcuts (over :data:`LARGE_MODEL_COLUMNS` columns, or restricted)."""
    return model.restriction is not None or len(model.lp.variables()) > LARGE_MODEL_COLUMNS


def _large_highs(model: AllocationModel, settings: AllocationSettings) -> bool:
    """Whether the model takes the shortcuts of large models that read HiGHS's own solution (duals, bases)."""
    return settings.solver == "highs" and _large(model)


def _gap(bound: float, objective: float) -> float:
    """The relative gap ``(bound − objective) / |objective|`` (0 when the objective reaches the bound)."""
    return relative_gap(bound, objective, objective)


def _dive(
    model: AllocationModel, settings: AllocationSettings, relaxation: Relaxation, max_rounds: int = 40
) -> dict[pulp.LpVariable, float] | None:
    """Relax-and-fix: repeatedly solve the LP with the integers fixed so far and fix more of them.

    The first round rounds the hectares of the LP ``relaxation`` already solved (solving it
    again cost a cold solve: 48 s on 100,000 synthetic sites).

    XXL rows whose relaxed hectares reach a whole plot get their plot count. When no new row
    does and some are fractional, the MIP solver decides the fractional rows with the counts
    held and rows at zero closed (a small MIP); segments left short then get their zero rows
    back. When none is fractional, rows at zero get no plot and expansion sites open where
    hectares are placed.
    Returns all integer values, or None if no feasible rounding was found.
    """
    n_vars, y_vars = list(model.n["var"]), list(model.y["var"])
    fixed: dict[pulp.LpVariable, float] = {}
    xval, short = relaxation.hectares, relaxation.short
    for round_ in range(max_rounds):
        if round_:
            start = "kept" if round_ == 1 and _large(model) else None  # near the relaxation, not the last LP
            if not _solve_lp(model, settings, fix=fixed, duals=False, start=start):
                return None
            if len(fixed) == len(n_vars) + len(y_vars):
                return fixed
            xval, short = solved_values(model.x["var"]), solved_values(model.short["var"])
        new, pending, zero = _round_plots(model, settings, xval, fixed)
        if new:
            fixed.update(new)
            continue
        if pending:
            likely = _short_segments(model, short) | _segments_of(model, pending) if _large(model) else set()
            return _decide_fractional(model, settings, fixed, zero, likely)
        fixed.update(dict.fromkeys(zero, 0.0))
        fixed.update(_openings(model, settings, xval, fixed))
        if settings.max_new_sites is not None and sum(fixed[v] for v in y_vars) > settings.max_new_sites:
            return _sub_mip(model, settings, {v: fixed[v] for v in n_vars if fixed[v] > 0})
    return None


def _round_plots(
    model: AllocationModel, settings: AllocationSettings, xval: np.ndarray, fixed: dict[pulp.LpVariable, float]
) -> tuple[dict[pulp.LpVariable, float], list[pulp.LpVariable], list[pulp.LpVariable]]:
    """Plot counts not yet in ``fixed``, from the relaxed hectares ``xval``: (counts, fractional, zero).

    A row with at least one plot's hectares gets ``max(1, min(⌊x/a⌋, ⌈x/M⌉))`` plots.
    """
    xxl_min = settings.xxl_min_ha
    rows, big_m = model.n["row"].to_numpy(), model.n["big_m"].to_numpy()
    counts: dict[pulp.LpVariable, float] = {}
    pending, zero = [], []
    for j, v in enumerate(model.n["var"]):
        if v in fixed:
            continue
        xr = xval[rows[j]]
        if xr >= xxl_min - 1e-6:
            counts[v] = float(max(1.0, min(np.floor(xr / xxl_min + 1e-9), np.ceil(xr / big_m[j] - 1e-9))))
        elif xr <= 1e-6:
            zero.append(v)
        else:
            pending.append(v)
    return counts, pending, zero


def _decide_fractional(
    model: AllocationModel,
    settings: AllocationSettings,
    fixed: dict[pulp.LpVariable, float],
    zero: list[pulp.LpVariable],
    short: set[tuple[int, int]],
) -> dict[pulp.LpVariable, float] | None:
    """The integers of a small MIP with the counts in ``fixed`` held and the ``zero`` rows closed.

    The zero rows of the segments and periods in ``short`` stay open. If the MIP leaves other
    demand short, their zero rows are reopened too and the small MIP is solved again. Large
    models pass the segments already short in the LP (the MIP leaves them short as well: on
    10,000 synthetic sites one MIP of 0.6–0.8 s less per dive), the bundled Heerlen models none.
    On large models these MIPs stop at :data:`DIVE_MIP_GAP`.
    """
    if _large(model):
        settings = settings.model_copy(update={"rel_gap": max(settings.rel_gap, DIVE_MIP_GAP)})
    held = _sub_mip(model, settings, {**fixed, **_closed(model, zero, short)})
    left = _short_segments(model, solved_values(model.short["var"]))
    if held is not None and left <= short:
        return held
    return _sub_mip(model, settings, {**fixed, **_closed(model, zero, short | left)})


def _short_segments(model: AllocationModel, short: np.ndarray) -> set[tuple[int, int]]:
    """The (segment, period) positions whose shortfall ``short`` (in ``model.short`` order) is above 1e-6 ha."""
    keys = zip(model.short["segment"], model.short["period"])
    return {key for key, value in zip(keys, short.tolist()) if value > 1e-6}


def _plot_segments(model: AllocationModel) -> dict[pulp.LpVariable, tuple[int, int]]:
    """The (segment, period) position of each plot count."""
    rows = model.n["row"].to_numpy()
    keys = zip(model.x["segment"].to_numpy()[rows].tolist(), model.x["period"].to_numpy()[rows].tolist())
    return dict(zip(model.n["var"], keys))


def _segments_of(model: AllocationModel, plots: list[pulp.LpVariable]) -> set[tuple[int, int]]:
    """The (segment, period) positions of the plot counts ``plots``."""
    position = _plot_segments(model)
    return {position[v] for v in plots}


def _closed(
    model: AllocationModel, zero: list[pulp.LpVariable], open_: set[tuple[int, int]]
) -> dict[pulp.LpVariable, float]:
    """The ``zero`` plot counts at 0, but those of the (segment, period) positions in ``open_``."""
    position = _plot_segments(model)
    return {v: 0.0 for v in zero if position[v] not in open_}


def _openings(
    model: AllocationModel, settings: AllocationSettings, xval: np.ndarray, fixed: dict[pulp.LpVariable, float]
) -> dict[pulp.LpVariable, float]:
    """Openings not yet in ``fixed``: open where a plot is fixed or at least ``m`` ha (or any) is placed."""
    n_site = model.x["site"].to_numpy()[model.n["row"].to_numpy()]
    n_vars = list(model.n["var"])
    site_sum = np.bincount(model.x["site"].to_numpy(), weights=xval, minlength=len(model.site_ids))
    openings: dict[pulp.LpVariable, float] = {}
    for s, v in zip(model.y["site"], model.y["var"]):
        if v not in fixed:
            has_plot = any(fixed.get(n_vars[j], 0.0) > 0 for j in np.nonzero(n_site == s)[0])
            openings[v] = float(has_plot or site_sum[s] >= max(settings.min_development_ha, 1e-6))
    return openings


def _sub_mip(
    model: AllocationModel,
    settings: AllocationSettings,
    fixed: dict[pulp.LpVariable, float],
    options: dict[str, float | str | bool] | None = None,
) -> dict[pulp.LpVariable, float] | None:
    """Solve the MIP with the plot counts in ``fixed`` held (HiGHS ``options``); the integer values of its solution."""
    try:
        with fixing(fixed):
            _run(model.lp, settings, "rounding", options=options)
    except InfeasibleError:
        return None
    return {v: float(round(v.varValue or 0.0)) for v in model.integers}


def _solve_lp(
    model: AllocationModel,
    settings: AllocationSettings,
    *,
    fix: dict[pulp.LpVariable, float] | None,
    duals: bool = True,
    cutoff: float | None = None,
    start: str | None = None,
    options: dict[str, float | str | bool] | None = None,
) -> bool:
    """Solve the continuous problem: integers in ``fix`` fixed at their values, the others relaxed.

    Returns True if optimal. With ``duals``, constraint ``pi`` is normalised to the objective
    gain per unit of right-hand side of the maximisation. HiGHS only: with ``cutoff`` it may
    stop (False) as soon as its dual simplex proves the objective at most ``cutoff``; ``start``
    "keep" keeps the optimal basis, "kept" starts from the basis kept, "chain" both by the primal
    simplex; ``options``: HiGHS options of this solve.
    """
    with fixing(fix, relax=model.integers):
        if settings.solver == "cbc":
            _solve_cbc(model.lp, settings, mip=False)
            sign = 1.0
        else:
            model.lp.solve(_highs(settings, duals=duals, cutoff=cutoff, start=start, options=options))
            sign = -1.0  # HiGHS minimises the negated objective; its row duals are of that problem
    if model.lp.sol_status != pulp.LpSolutionOptimal:
        return False
    if duals:
        for con in model.lp.constraints.values():
            con.pi = sign * con.pi if con.pi is not None else None
    return True


def _run(
    lp: pulp.LpProblem,
    settings: AllocationSettings,
    phase: str,
    *,
    warm_start: bool = False,
    rel_gap: float | None = None,
    options: dict[str, float | str | bool] | None = None,
) -> SolverRun:
    """Solve ``lp`` (a maximisation) as MIP, stopping at ``rel_gap`` (default the setting); status, objective, bound.

    ``options``: HiGHS options of this solve (CBC ignores them).
    """
    started = time.perf_counter()
    if rel_gap is not None:
        settings = settings.model_copy(update={"rel_gap": rel_gap})
    # CBC 2.10's MIP start can end the search wrongly: never warm-start it
    if settings.solver == "cbc":
        bound = _solve_cbc(lp, settings)
    else:
        bound = _solve_highs(lp, settings, warm_start=warm_start, options=options)
    seconds = time.perf_counter() - started
    if lp.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise InfeasibleError(
            f"{settings.solver} found no allocation within {settings.time_limit_s:g} s in phase '{phase}' "
            f"(solver status {pulp.LpStatus[lp.status]})",
            source="allocation",
            field="time_limit_s",
        )
    objective = float(pulp.value(lp.objective))
    status = "optimal" if lp.sol_status == pulp.LpSolutionOptimal else "time_limit"
    gap = None
    if bound is not None:
        gap = _gap(bound, objective)
    return SolverRun(
        phase=phase,
        solver=settings.solver,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        method="MIP",
    )


def _solve_cbc(lp: pulp.LpProblem, settings: AllocationSettings, *, mip: bool = True) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # PULP_CBC_CMD: PuLP 4 deprecation notice
            solver = pulp.PULP_CBC_CMD(
                msg=False,
                timeLimit=settings.time_limit_s,
                gapRel=settings.rel_gap,
                threads=settings.threads,
                logPath=str(log),
                mip=mip,
                options=[] if mip else [f"primalT {LP_TOLERANCE}", f"dualT {LP_TOLERANCE}"],
            )
            lp.solve(solver)
        text = log.read_text() if log.exists() else ""
    if lp.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    return _cbc_bound(text, _objective_value(lp))


def _objective_value(lp: pulp.LpProblem) -> float:
    """The objective at the current values, a variable the solver left without value counting 0."""
    return _expression_value(lp.objective)


def _expression_value(expression: pulp.LpAffineExpression) -> float:
    """``expression`` at the current values, a variable without value counting 0."""
    return float(expression.constant + sum(c * (v.varValue or 0.0) for v, c in expression.items()))


_NUM = r"(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"


def _cbc_bound(log: str, objective: float) -> float | None:
    """The proven upper bound of a maximisation from CBC's log (CBC minimises the negation)."""
    if "LP relaxation is infeasible or too expensive" in log:
        return None
    gap = re.search(r"Exiting as integer gap of " + _NUM, log)
    if gap:
        return objective + abs(float(gap.group(1)))
    partial = re.search(r"Partial search - best objective " + _NUM + r" \(best possible " + _NUM + r"\)", log)
    if partial:
        return objective + abs(float(partial.group(1)) - float(partial.group(2)))
    if (
        "Search completed" in log
        or re.search(r"^Optimal - objective value", log, re.M)
        or "Result - Optimal solution found" in log
    ):
        return objective
    return None


def _highs(
    settings: AllocationSettings,
    *,
    warm_start: bool = False,
    duals: bool = False,
    cutoff: float | None = None,
    start: str | None = None,
    options: dict[str, float | str | bool] | None = None,
) -> ArrayHiGHS:
    """The HiGHS interface for one solve: gap, time limit, threads and the LP tolerances of the settings.

    ``cutoff`` (of the maximisation) becomes HiGHS's ``objective_bound`` on the minimised negation;
    ``start``: "keep" keeps the optimal basis, "kept" starts from it, "chain" both (the primal
    simplex when a basis was kept, see `ArrayHiGHS`); ``options`` replace
    :data:`MIP_DEFAULTS`.
    """
    return ArrayHiGHS(
        warm_start=warm_start,
        duals=duals,
        keep_basis=start in ("keep", "chain"),
        from_kept=start in ("kept", "chain"),
        primal_from_kept=start == "chain",
        options={
            **LP_OPTIONS,
            "objective_bound": INF if cutoff is None else -cutoff,
            **MIP_DEFAULTS,
            **(options or {}),
        },
        msg=False,
        timeLimit=settings.time_limit_s,
        gapRel=settings.rel_gap,
        threads=settings.threads,
    )


def _solve_highs(
    lp: pulp.LpProblem,
    settings: AllocationSettings,
    *,
    warm_start: bool = False,
    options: dict[str, float | str | bool] | None = None,
) -> float | None:
    lp.solve(_highs(settings, warm_start=warm_start, options=options))
    if lp.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    highs = lp.solverModel
    objective = float(pulp.value(lp.objective))
    if any(v.cat == pulp.LpInteger for v in lp.variables()):
        dual_bound = highs.getInfo().mip_dual_bound  # of the minimised negation
        return -float(dual_bound) if np.isfinite(dual_bound) else None
    return objective if lp.sol_status == pulp.LpSolutionOptimal else None
