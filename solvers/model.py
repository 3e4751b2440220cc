"""Build the allocation MIP (docs/allocation_model.md) with PuLP from an AllocationProblem.

Index arrays are prepared with numpy/pandas and every constraint is one LpAffineExpression
built from a prepared list of (variable, coefficient) pairs, so building stays linear in the
number of variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from mca.core.vocabulary import EXPANSION
from solvers.problem import AllocationProblem
from solvers.settings import AllocationSettings

LE, GE, EQ = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ


class AllocationLp(pulp.LpProblem):
    """A PuLP problem that lists its variables once per change of the model.

    PuLP 3 rebuilds the variable list (and ``variablesDict()``) from every constraint on each
    call, and its solver interfaces call them on every solve; the allocation re-solves the same model many
    times with other bounds, which made that walk a third of the run time on 10,000 sites.
    Adding a constraint or setting the objective invalidates the cached list; adding a
    constraint also bumps ``structure_version`` (see `solvers.solve` for the HiGHS re-solve).
    """

    _variables_current = False
    structure_version = 0
    """Counts the constraints added, so a solver interface can tell whether its model is current."""

    def addConstraint(self, constraint: pulp.LpConstraint, name: str | None = None) -> None:  # noqa: N802 - PuLP's name
        self._variables_current = False
        self.structure_version += 1
        super().addConstraint(constraint, name)

    def setObjective(self, obj: pulp.LpAffineExpression) -> None:  # noqa: N802 - PuLP's name
        self._variables_current = False
        super().setObjective(obj)

    def variables(self) -> list[pulp.LpVariable]:
        if not self._variables_current:
            super().variables()
            self._variables_by_name = {v.name: v for v in self._variables}
            self._variables_current = True
        return self._variables

    def variablesDict(self) -> dict[str, pulp.LpVariable]:  # noqa: N802 - PuLP's name
        self.variables()
        return self._variables_by_name


@dataclass
class AllocationModel:
    """The PuLP problem and the frames that map its variables and constraints back to the data.

    ``x``: one row per allocation variable (``site``, ``segment``, ``period`` positions, ``var``,
    ``coef`` its objective weight, ``ub`` the most it can hold); ``n``: XXL plot counts aligned to ``x`` rows (``row``, ``var``, ``big_m`` the largest hectares per plot);
    ``y``: opening binaries of expansion sites (``site``, ``var``); ``short``: shortfall variables
    (``segment``, ``period``, ``var``, ``demand``); ``over``: XXL rounding variables (``segment``,
    ``period``, ``var``): hectares placed above the demand to make whole plots. ``capacity`` (``site``, ``period``, ``con``,
    ``rhs``), ``contiguity`` (``site``, ``con``, ``rhs``) and ``roads`` (``link``, ``period``,
    ``con``, ``rhs``) hold the constraints that can bind.
    """

    problem: AllocationProblem
    settings: AllocationSettings
    lp: pulp.LpProblem
    x: pd.DataFrame
    n: pd.DataFrame
    y: pd.DataFrame
    short: pd.DataFrame
    over: pd.DataFrame
    capacity: pd.DataFrame
    contiguity: pd.DataFrame
    roads: pd.DataFrame
    max_sites: pulp.LpConstraint | None
    objective: pulp.LpAffineExpression
    placed_existing: pulp.LpAffineExpression
    site_ids: np.ndarray
    kinds: np.ndarray
    caps: np.ndarray
    contiguous: np.ndarray
    link_ids: np.ndarray


def build_model(problem: AllocationProblem, settings: AllocationSettings) -> AllocationModel:
    """The MIP of docs/allocation_model.md for ``problem`` under ``settings`` (not solved)."""
    periods = list(problem.periods)
    n_t = len(periods)
    sites = problem.sites
    site_ids = sites["site_id"].to_numpy()
    kinds = sites["kind"].to_numpy()
    caps = problem.capacities().to_numpy()  # S × T, cumulative
    contiguous = sites["contiguous_ha"].to_numpy(dtype=float)
    sector_ids = [s.id for s in problem.sectors]
    segments = problem.segments
    seg_sector = np.array([sector_ids.index(s) for s, _ in segments])
    seg_xxl = np.array([z == "XXL" for _, z in segments])
    demand = problem.demand_matrix().to_numpy().reshape(len(segments), n_t)  # G × T
    suit = problem.suitability.loc[site_ids, sector_ids].to_numpy(dtype=float)  # S × K
    comp = problem.compatibility_matrix().to_numpy()  # S × G
    xxl_min = settings.xxl_min_ha
    # What one segment may receive: its demand, plus for XXL (with rounding) less than one more plot.
    receivable = demand + np.where(seg_xxl[:, None] & settings.xxl_rounding & (demand > 0), xxl_min, 0.0)

    # Candidate variables x[s, g, t]: compatible, capacity and demand present, XXL plot fits.
    ub = np.minimum(caps[:, None, :], receivable[None, :, :])  # S × G × T
    ub = np.where(seg_xxl[None, :, None], np.minimum(ub, contiguous[:, None, None]), ub)
    mask = comp[:, :, None] & (ub > 1e-9)
    mask &= ~seg_xxl[None, :, None] | (ub >= xxl_min - 1e-9)
    s_idx, g_idx, t_idx = np.nonzero(mask)
    n_x = len(s_idx)
    tie = settings.tie_break * (1.0 - np.arange(len(site_ids)) / max(1, len(site_ids)))
    coef = suit[s_idx, seg_sector[g_idx]] + tie[s_idx]
    is_exp = kinds == EXPANSION
    if settings.ladder == "weighted":
        coef = coef - settings.expansion_penalty * is_exp[s_idx]
    # Bounded by demand only, so that capacity and contiguity bind as constraints (with duals).
    x_vars = [pulp.LpVariable(f"x{i}", lowBound=0, upBound=float(u)) for i, u in enumerate(receivable[g_idx, t_idx])]
    x = pd.DataFrame(
        {"site": s_idx, "segment": g_idx, "period": t_idx, "var": x_vars, "coef": coef, "ub": ub[s_idx, g_idx, t_idx]}
    )

    lp = AllocationLp("allocation", pulp.LpMaximize)
    obj_terms: list[tuple[pulp.LpVariable, float]] = list(zip(x_vars, coef.tolist()))

    # XXL plots: xxl_min * n <= x <= plot_max * n, n integer.
    xxl_rows = np.nonzero(seg_xxl[g_idx])[0]
    plot_max = contiguous[s_idx[xxl_rows]]
    if settings.xxl_max_plot_ha is not None:
        plot_max = np.minimum(plot_max, settings.xxl_max_plot_ha)
    big_m = np.minimum(plot_max, x["ub"].to_numpy()[xxl_rows])
    n_ub = np.floor(x["ub"].to_numpy()[xxl_rows] / xxl_min + 1e-9)
    n_vars = [pulp.LpVariable(f"n{j}", lowBound=0, upBound=float(u), cat=pulp.LpInteger) for j, u in enumerate(n_ub)]
    for j, (row, nv) in enumerate(zip(xxl_rows, n_vars)):
        xv = x_vars[row]
        lp.addConstraint(
            pulp.LpConstraint(pulp.LpAffineExpression([(xv, 1.0), (nv, -xxl_min)]), GE, f"plotmin{j}", 0.0)
        )
        lp.addConstraint(
            pulp.LpConstraint(pulp.LpAffineExpression([(xv, 1.0), (nv, -float(big_m[j]))]), LE, f"plotmax{j}", 0.0)
        )
    obj_terms += [(nv, -settings.tie_break) for nv in n_vars]
    n_frame = pd.DataFrame({"row": xxl_rows, "var": n_vars, "big_m": big_m})

    # Openings of expansion sites.
    sites_with_x = np.unique(s_idx)
    exp_sites = sites_with_x[is_exp[sites_with_x]]
    y_vars = {int(s): pulp.LpVariable(f"y{s}", cat=pulp.LpBinary) for s in exp_sites}
    obj_terms += [(v, -settings.fixed_cost_per_site) for v in y_vars.values()]

    # Capacity (cumulative), per site and the periods not implied by a later one.
    later_min = np.minimum.accumulate(caps[:, ::-1], axis=1)[:, ::-1]  # min over t' >= t
    needed = np.ones_like(caps, dtype=bool)
    needed[:, :-1] = caps[:, :-1] < later_min[:, 1:] - 1e-9
    order = np.argsort(s_idx, kind="stable")
    bounds = np.searchsorted(s_idx[order], sites_with_x)
    ends = np.append(bounds[1:], n_x)
    cap_rows, contig_rows = [], []
    for s, lo, hi in zip(sites_with_x, bounds, ends):
        rows = order[lo:hi]
        y = y_vars.get(int(s))
        for t in range(n_t):
            if not needed[s, t]:
                continue
            sel = rows[t_idx[rows] <= t]
            if len(sel) == 0:
                continue
            terms = [(x_vars[r], 1.0) for r in sel]
            if y is not None:
                con = pulp.LpConstraint(
                    pulp.LpAffineExpression(terms + [(y, -float(caps[s, t]))]), LE, f"cap{s}_{t}", 0.0
                )
            else:
                con = pulp.LpConstraint(pulp.LpAffineExpression(terms), LE, f"cap{s}_{t}", float(caps[s, t]))
            lp.addConstraint(con)
            cap_rows.append((s, t, con, float(caps[s, t])))
        xxl_here = rows[seg_xxl[g_idx[rows]]]
        if len(xxl_here) and contiguous[s] < caps[s, -1] - 1e-9:
            con = pulp.LpConstraint(
                pulp.LpAffineExpression([(x_vars[r], 1.0) for r in xxl_here]), LE, f"contig{s}", float(contiguous[s])
            )
            lp.addConstraint(con)
            contig_rows.append((s, con, float(contiguous[s])))
        if y is not None and settings.min_development_ha > 0:
            terms = [(x_vars[r], 1.0) for r in rows] + [(y, -settings.min_development_ha)]
            lp.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), GE, f"mindev{s}", 0.0))

    max_sites = None
    if settings.max_new_sites is not None and len(y_vars) > settings.max_new_sites:
        max_sites = pulp.LpConstraint(
            pulp.LpAffineExpression([(v, 1.0) for v in y_vars.values()]),
            LE,
            "max_new_sites",
            float(settings.max_new_sites),
        )
        lp.addConstraint(max_sites)

    # Demand balance with shortfall, and for XXL the rounding up to whole plots.
    short_rows, over_rows = [], []
    seg_t_key = g_idx * n_t + t_idx
    order_gt = np.argsort(seg_t_key, kind="stable")
    starts = np.searchsorted(seg_t_key[order_gt], np.arange(len(segments) * n_t))
    starts = np.append(starts, n_x)
    for g in range(len(segments)):
        for t in range(n_t):
            d = float(demand[g, t])
            if d <= 0:
                continue
            k = g * n_t + t
            sv = pulp.LpVariable(f"short{g}_{t}", lowBound=0, upBound=d)
            terms = [(x_vars[r], 1.0) for r in order_gt[starts[k] : starts[k + 1]]] + [(sv, 1.0)]
            if receivable[g, t] > d:
                ov = pulp.LpVariable(f"over{g}_{t}", lowBound=0, upBound=float(receivable[g, t] - d))
                terms.append((ov, -1.0))
                obj_terms.append((ov, -settings.rounding_penalty))
                over_rows.append((g, t, ov))
            lp.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), EQ, f"demand{g}_{t}", d))
            obj_terms.append((sv, -settings.shortfall_penalty))
            short_rows.append((g, t, sv, d))

    # Road headroom, cumulative over periods, per link and the periods not implied by a later one.
    road_rows = []
    link_ids = problem.links["link_id"].to_numpy()
    if len(problem.routes) and n_x:
        heads = np.maximum(problem.headrooms().loc[link_ids].to_numpy(), 0.0)
        later_h = np.minimum.accumulate(heads[:, ::-1], axis=1)[:, ::-1]
        need_h = np.ones_like(heads, dtype=bool)
        need_h[:, :-1] = heads[:, :-1] < later_h[:, 1:] - 1e-9
        vph = np.array([settings.vehicles_per_ha(s.truck_trips_per_ha_day) for s in problem.sectors])
        site_pos = pd.Series(np.arange(len(site_ids)), index=site_ids)
        link_pos = pd.Series(np.arange(len(link_ids)), index=link_ids)
        r = problem.routes.drop_duplicates(["site_id", "link_id"])
        rs, rl = site_pos[r["site_id"]].to_numpy(), link_pos[r["link_id"]].to_numpy()
        x_pos = pd.DataFrame({"site": s_idx, "row": np.arange(n_x)})
        pairs = pd.DataFrame({"site": rs, "link": rl}).merge(x_pos, on="site")
        if len(pairs):
            p_link, p_row = pairs["link"].to_numpy(), pairs["row"].to_numpy()
            p_v = vph[seg_sector[g_idx[p_row]]]
            p_t = t_idx[p_row]
            p_load = p_v * x["ub"].to_numpy()[p_row]
            order = np.lexsort((p_row, p_link))
            p_link, p_row, p_v, p_t, p_load = (a[order] for a in (p_link, p_row, p_v, p_t, p_load))
            groups = []
            for t in range(n_t):
                upto = p_t <= t
                # a row is written only if the most load the link could get exceeds its headroom
                load = np.bincount(p_link[upto], weights=p_load[upto], minlength=len(link_ids))
                can_bind = need_h[:, t] & (load > heads[:, t] + 1e-9)
                sel = upto & can_bind[p_link] & (p_v > 0)
                links_sel, rows_sel, v_sel = p_link[sel], p_row[sel], p_v[sel]
                if not len(links_sel):
                    continue
                starts = np.flatnonzero(np.r_[True, np.diff(links_sel) != 0])
                for link, rows_l, v_l in zip(
                    links_sel[starts], np.split(rows_sel, starts[1:]), np.split(v_sel, starts[1:])
                ):
                    groups.append((int(link), t, rows_l, v_l))
            for link, t, rows_l, v_l in sorted(groups, key=lambda item: (item[0], item[1])):
                terms = [(x_vars[i], float(v)) for i, v in zip(rows_l, v_l)]
                con = pulp.LpConstraint(pulp.LpAffineExpression(terms), LE, f"road{link}_{t}", float(heads[link, t]))
                lp.addConstraint(con)
                road_rows.append((link, t, con, float(heads[link, t])))

    objective = pulp.LpAffineExpression(obj_terms)
    lp.setObjective(objective)
    placed_existing = pulp.LpAffineExpression([(x_vars[r], 1.0) for r in np.nonzero(~is_exp[s_idx])[0]])
    return AllocationModel(
        problem=problem,
        settings=settings,
        lp=lp,
        x=x,
        n=n_frame,
        y=pd.DataFrame({"site": list(y_vars), "var": list(y_vars.values())}),
        short=pd.DataFrame(short_rows, columns=["segment", "period", "var", "demand"]),
        over=pd.DataFrame(over_rows, columns=["segment", "period", "var"]),
        capacity=pd.DataFrame(cap_rows, columns=["site", "period", "con", "rhs"]),
        contiguity=pd.DataFrame(contig_rows, columns=["site", "con", "rhs"]),
        roads=pd.DataFrame(road_rows, columns=["link", "period", "con", "rhs"]),
        max_sites=max_sites,
        objective=objective,
        placed_existing=placed_existing,
        site_ids=site_ids,
        kinds=kinds,
        caps=caps,
        contiguous=contiguous,
        link_ids=link_ids,
    )
