"""Brute-force reference for tiny problems: every integer choice, each solved as an LP.

Enumerate every XXL plot count and opening, solve the continuous rest as an LP with scipy, keep
the best. Written independently of solvers.model (dense matrices, no variable filtering) so
that tests can cross-check it.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from mca.core.sectors import SIZE_CLASSES
from mca.core.vocabulary import EXPANSION
from solvers.problem import AllocationProblem
from solvers.settings import AllocationSettings


def brute_force_objective(
    problem: AllocationProblem, settings: AllocationSettings, max_combinations: int = 20_000
) -> float:
    """The optimal objective of the allocation model by exhaustive search (tiny problems only)."""
    p = _Dense(problem, settings)
    choices = [range(int(u) + 1) for u in p.n_ub] + [range(2)] * len(p.exp_sites)
    total = int(np.prod([len(c) for c in choices])) if choices else 1
    if total > max_combinations:
        raise ValueError(f"{total} integer combinations exceed max_combinations={max_combinations}")
    combos = [
        c
        for c in itertools.product(*choices)
        if settings.max_new_sites is None or sum(c[len(p.n_ub) :]) <= settings.max_new_sites
    ]
    floor = None
    if settings.ladder == "strict" and len(p.exp_sites):
        # phase 1: most hectares on the existing stock (rounding hectares penalised, not counted)
        phase1 = [r for c in combos if (r := p.solve_existing(c)) is not None]
        floor = max(phase1)[1]
    return max(v for c in combos if (v := p.solve(c, floor=floor)) is not None)


class _Dense:
    """The allocation LP for fixed integers, as dense matrices."""

    def __init__(self, problem: AllocationProblem, settings: AllocationSettings) -> None:
        self.settings = settings
        periods = list(problem.periods)
        self.T = len(periods)
        caps = problem.capacities().to_numpy()
        kinds = problem.sites["kind"].to_numpy()
        contig = problem.sites["contiguous_ha"].to_numpy(dtype=float)
        site_ids = list(problem.sites["site_id"])
        comp = problem.compatibility_matrix().to_numpy()
        demand = problem.demand_matrix().to_numpy().reshape(-1, self.T)
        sector_ids = [s.id for s in problem.sectors]
        segs = [(k, z) for k in range(len(sector_ids)) for z in SIZE_CLASSES]
        vph = [settings.vehicles_per_ha(s.truck_trips_per_ha_day) for s in problem.sectors]
        suit = problem.suitability.loc[site_ids, sector_ids].to_numpy(dtype=float)
        n_sites = len(site_ids)
        self.vars = [
            (s, g, t)
            for s in range(n_sites)
            for g, (k, z) in enumerate(segs)
            for t in range(self.T)
            if comp[s, g] and (z == "MKB" or contig[s] >= settings.xxl_min_ha)
        ]
        nx = len(self.vars)
        self.nx, self.G, self.segs = nx, len(segs), segs
        self.c = np.array(
            [
                suit[s, segs[g][0]]
                + settings.tie_break * _tie(s, g, t, n_sites, len(segs), self.T)
                - (settings.expansion_penalty if settings.ladder == "weighted" and kinds[s] == EXPANSION else 0.0)
                for s, g, t in self.vars
            ]
        )
        self.existing = np.array([kinds[s] != EXPANSION for s, g, t in self.vars], dtype=float)
        self.xxl = [i for i, (s, g, t) in enumerate(self.vars) if segs[g][1] == "XXL"]
        plot_max = [
            contig[self.vars[i][0]]
            if settings.xxl_max_plot_ha is None
            else min(contig[self.vars[i][0]], settings.xxl_max_plot_ha)
            for i in self.xxl
        ]
        self.plot_max = np.array(plot_max)
        self.n_ub = [
            np.floor(min(contig[self.vars[i][0]], caps[self.vars[i][0], -1]) / settings.xxl_min_ha) for i in self.xxl
        ]
        self.exp_sites = [s for s in range(n_sites) if kinds[s] == EXPANSION]
        self.caps, self.kinds, self.contig, self.demand = caps, kinds, contig, demand
        heads = problem.headrooms()
        self.roads = []
        for lid in problem.links["link_id"]:
            on = set(problem.routes.loc[problem.routes["link_id"] == lid, "site_id"])
            for t in range(self.T):
                row = np.array([vph[segs[g][0]] if site_ids[s] in on and tt <= t else 0.0 for s, g, tt in self.vars])
                self.roads.append((row, max(0.0, float(heads.at[lid, periods[t]]))))

    def solve_existing(self, combo: tuple[int, ...]) -> tuple[float, float] | None:
        """Phase 1 of the strict ladder: (objective, hectares on the existing stock)."""
        result = self._linprog(combo, existing_only=True, floor=None)
        if result is None:
            return None
        value, x = result
        return value, float(self.existing @ x[: self.nx])

    def solve(self, combo: tuple[int, ...], *, floor: float | None) -> float | None:
        """The objective for fixed plot counts and openings, or None when infeasible."""
        result = self._linprog(combo, existing_only=False, floor=floor)
        return None if result is None else result[0]

    def _linprog(
        self, combo: tuple[int, ...], *, existing_only: bool, floor: float | None
    ) -> tuple[float, np.ndarray] | None:
        """(objective, solution) of the LP for the integers in ``combo``, or None when infeasible."""
        st = self.settings
        n = np.array(combo[: len(self.xxl)], dtype=float)
        y = dict(zip(self.exp_sites, combo[len(self.xxl) :]))
        over = [
            (g, t)
            for g in range(self.G)
            for t in range(self.T)
            if st.xxl_rounding and self.segs[g][1] == "XXL" and self.demand[g, t] > 0
        ]
        n_slack = self.G * self.T + len(over)  # shortfall, XXL rounding
        a_eq, b_eq = self._demand_rows(over)
        a_ub, b_ub = self._bound_rows(n, y, n_slack, floor)
        no = len(over)
        if existing_only:
            c = np.concatenate([self.existing, np.zeros(self.G * self.T), np.full(no, -st.rounding_penalty)])
            constant = 0.0
        else:
            penalties = [np.full(self.G * self.T, -st.shortfall_penalty), np.full(no, -st.rounding_penalty)]
            c = np.concatenate([self.c, *penalties])
            constant = -st.tie_break * n.sum() - st.fixed_cost_per_site * sum(y.values())
        demand_bounds = [(0, self.demand[g, t]) for g in range(self.G) for t in range(self.T)]
        bounds = [(0, None)] * self.nx + demand_bounds + [(0, st.xxl_min_ha)] * no
        res = linprog(
            -c,
            A_ub=np.array(a_ub),
            b_ub=np.array(b_ub),
            A_eq=np.array(a_eq),
            b_eq=np.array(b_eq),
            bounds=bounds,
            method="highs",
        )
        return None if res.status != 0 else (float(-res.fun + constant), res.x)

    def _demand_rows(self, over: list[tuple[int, int]]) -> tuple[list[np.ndarray], list[float]]:
        """Demand balance, one row per segment and period: placed + short − over = demand."""
        nx, n_t = self.nx, self.T
        nv = nx + self.G * n_t + len(over)
        rows, rhs = [], []
        for g in range(self.G):
            for t in range(n_t):
                row = np.zeros(nv)
                row[[i for i, (s, gg, tt) in enumerate(self.vars) if gg == g and tt == t]] = 1.0
                row[nx + g * n_t + t] = 1.0
                if (g, t) in over:
                    row[nx + self.G * n_t + over.index((g, t))] = -1.0
                rows.append(row)
                rhs.append(float(self.demand[g, t]))
        return rows, rhs

    def _bound_rows(
        self, n: np.ndarray, y: dict[int, int], n_slack: int, floor: float | None
    ) -> tuple[list[np.ndarray], list[float]]:
        """Every ≤ row: capacity and contiguity per site and period, min development, roads, plots, ladder."""
        st, nv = self.settings, self.nx + n_slack
        rows: list[np.ndarray] = []
        rhs: list[float] = []
        for s in range(len(self.kinds)):
            mine = [i for i, v in enumerate(self.vars) if v[0] == s]
            for t in range(self.T):
                rows += [np.zeros(nv), np.zeros(nv)]
                rows[-2][[i for i in mine if self.vars[i][2] <= t]] = 1.0
                rows[-1][[i for i in mine if i in self.xxl and self.vars[i][2] <= t]] = 1.0
                rhs += [self.caps[s, t] * y.get(s, 1), self.contig[s]]
            if s in y:
                rows.append(np.zeros(nv))
                rows[-1][mine] = -1.0
                rhs.append(-st.min_development_ha * y[s])
        for road, head in self.roads:
            rows.append(np.concatenate([road, np.zeros(n_slack)]))
            rhs.append(head)
        for k, i in enumerate(self.xxl):
            lo, hi = np.zeros(nv), np.zeros(nv)
            lo[i], hi[i] = -1.0, 1.0
            rows += [lo, hi]
            rhs += [-st.xxl_min_ha * n[k], self.plot_max[k] * n[k]]
        if floor is not None:
            rows.append(np.concatenate([-self.existing, np.zeros(n_slack)]))
            rhs.append(-(floor - 1e-6))
        return rows, rhs


def _tie(s: int, g: int, t: int, n_sites: int, n_segments: int, n_periods: int) -> float:
    """The tie-break weight of ``x[s,g,t]``: the mean of earliness and site order (docs/allocation_model.md)."""
    early = 1 - t / max(1, n_periods - 1)
    order = (1 - s / n_sites) * (1 - g / (2 * n_segments)) * (1 - t / (2 * n_periods))
    return (early + order) / 2
