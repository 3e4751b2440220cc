"""The allocation model's variables and constraint families, one builder each (docs/allocation_model.md).

Each builder takes the model's index (:class:`ModelIndex`) and the variables built before it and
returns new variables and constraints as frames that map them back to the data; none adds
anything to the PuLP problem (``solvers.model.build_model`` does, in a fixed order). Every
constraint is one LpAffineExpression built from a prepared list of (variable, coefficient)
pairs, so building stays linear in the number of variables. Notation as in the document:
``x[s,g,t]`` hectares, ``n`` XXL plots, ``y`` openings, ``short`` and ``over`` the demand slacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from mca.core.vocabulary import EXPANSION
from solvers.names import labels, name
from solvers.problem import AllocationProblem
from solvers.settings import AllocationSettings

LE, GE, EQ = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ
TOL = 1e-9


@dataclass(frozen=True)
class ModelIndex:
    """The sets and parameters of the model as arrays; sites, segments, periods and links are positions.

    ``caps`` is ``cap[s,t]`` (S × T, cumulative), ``demand`` is ``D[g,t]`` and ``receivable`` is
    ``Q[g,t]``, what a segment may receive: ``D + a`` for XXL segments with demand under
    ``xxl_rounding``, else ``D``. ``site_labels`` etc. name the positions in variable and constraint names.
    ``route_site`` and ``route_link`` are the distinct (site, link) pairs of the routes (:func:`route_pairs`).
    """

    site_ids: np.ndarray
    kinds: np.ndarray
    caps: np.ndarray
    contiguous: np.ndarray
    suit: np.ndarray
    comp: np.ndarray
    seg_sector: np.ndarray
    seg_xxl: np.ndarray
    demand: np.ndarray
    receivable: np.ndarray
    link_ids: np.ndarray
    site_labels: list[str]
    segment_labels: list[str]
    period_labels: list[str]
    link_labels: list[str]
    route_site: np.ndarray
    route_link: np.ndarray

    @property
    def is_expansion(self) -> np.ndarray:
        """True for the expansion sites ``E``."""
        return np.asarray(self.kinds == EXPANSION)


def index_problem(problem: AllocationProblem, settings: AllocationSettings) -> ModelIndex:
    """The :class:`ModelIndex` of ``problem`` under ``settings``."""
    sites, segments = problem.sites, problem.segments
    site_ids = sites["site_id"].to_numpy()
    sector_ids = [s.id for s in problem.sectors]
    seg_xxl = np.array([z == "XXL" for _, z in segments])
    demand = problem.demand_matrix().to_numpy().reshape(len(segments), len(problem.periods))
    rounds_up = seg_xxl[:, None] & settings.xxl_rounding & (demand > 0)
    link_ids = problem.links["link_id"].to_numpy()
    route_site, route_link = route_pairs(problem, site_ids, link_ids)
    return ModelIndex(
        site_ids=site_ids,
        kinds=sites["kind"].to_numpy(),
        caps=problem.capacities().to_numpy(),
        contiguous=sites["contiguous_ha"].to_numpy(dtype=float),
        suit=problem.suitability.loc[site_ids, sector_ids].to_numpy(dtype=float),
        comp=problem.compatibility_matrix().to_numpy(),
        seg_sector=np.array([sector_ids.index(s) for s, _ in segments]),
        seg_xxl=seg_xxl,
        demand=demand,
        receivable=demand + np.where(rounds_up, settings.xxl_min_ha, 0.0),
        link_ids=link_ids,
        site_labels=labels(site_ids.tolist()),
        segment_labels=labels(problem.segment_ids),
        period_labels=labels(problem.periods),
        link_labels=labels(link_ids.tolist()),
        route_site=route_site,
        route_link=route_link,
    )


def route_pairs(
    problem: AllocationProblem, site_ids: np.ndarray, link_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct (site, link) route pair as positions, in the routes' order."""
    site = pd.Index(site_ids).get_indexer(problem.routes["site_id"]).astype(np.int64)
    link = pd.Index(link_ids).get_indexer(problem.routes["link_id"]).astype(np.int64)
    # first occurrence of each pair, in the routes' order (as integers: 100,000 sites have 18 million pairs)
    pair = site * (len(link_ids) + 1) + link
    ordered = np.sort(pair)
    if not (ordered[1:] == ordered[:-1]).any():
        return site, link  # no pair twice (a sort is ten times faster than finding first occurrences)
    first = np.sort(np.unique(pair, return_index=True)[1])
    return site[first], link[first]


def allocation_frame(ix: ModelIndex, settings: AllocationSettings, keep: np.ndarray | None = None) -> pd.DataFrame:
    """The rows of ``x[s,g,t]`` without variables: ``site, segment, period, coef, ub, suit, early, order``.

    ``x[s,g,t]`` exists if ``comp[s,g]`` and ``u = min(cap[s,t], Q[g,t]) > 0`` and, for XXL,
    ``min(u, cont[s]) ≥ a`` (a whole plot fits); ``ub`` is the most it can hold (``u``, for XXL
    also at most ``cont[s]``). Objective coefficient ``coef = suit[s,k(g)] + ε·(e[t] + o[s,g,t]) / 2``,
    less ``ρ`` on expansion sites with ``ladder: weighted``; columns ``suit`` (``suit[s,k(g)]``),
    ``early`` (``e[t]``) and ``order`` (``o[s,g,t]``) hold the terms of the lexicographic order
    (:func:`order_weights`); ``column`` and ``plot`` are the row's position among the full
    model's variables and XXL variables. ``keep``: a sites × segments × periods mask of the
    variables to keep (a restricted model, `solvers.restriction`); those kept have the full
    model's coefficients and positions.
    """
    xxl_min = settings.xxl_min_ha
    ub = np.minimum(ix.caps[:, None, :], ix.receivable[None, :, :])  # S × G × T
    ub = np.where(ix.seg_xxl[None, :, None], np.minimum(ub, ix.contiguous[:, None, None]), ub)
    mask = ix.comp[:, :, None] & (ub > TOL)
    mask &= ~ix.seg_xxl[None, :, None] | (ub >= xxl_min - TOL)
    s_idx, g_idx, t_idx = np.nonzero(mask)
    plot = np.where(ix.seg_xxl[g_idx], np.cumsum(ix.seg_xxl[g_idx]) - 1, -1)
    column = np.arange(len(s_idx))
    if keep is not None:
        kept = keep[s_idx, g_idx, t_idx]
        s_idx, g_idx, t_idx, plot, column = (a[kept] for a in (s_idx, g_idx, t_idx, plot, column))
    suit = ix.suit[s_idx, ix.seg_sector[g_idx]]
    early, order = order_weights(ix, s_idx, g_idx, t_idx)
    coef = suit + settings.tie_break * (early + order) / 2
    if settings.ladder == "weighted":
        coef = coef - settings.expansion_penalty * ix.is_expansion[s_idx]
    x = pd.DataFrame({"site": s_idx, "segment": g_idx, "period": t_idx, "coef": coef, "ub": ub[s_idx, g_idx, t_idx]})
    return x.assign(suit=suit, early=early, order=order, column=column, plot=plot)


def allocation_variables(ix: ModelIndex, settings: AllocationSettings, keep: np.ndarray | None = None) -> pd.DataFrame:
    """The variables ``x[s,g,t]``: the rows of :func:`allocation_frame` with a column ``var``.

    Bounds ``0 ≤ x ≤ Q[g,t]`` (``D``, or ``D + a`` under XXL rounding), so capacity and
    contiguity bind as constraints with duals.
    """
    x = allocation_frame(ix, settings, keep)
    upper = ix.receivable[x["segment"].to_numpy(), x["period"].to_numpy()].tolist()
    names = _row_names("x", ix, x, np.arange(len(x)))
    x.insert(3, "var", [pulp.LpVariable(label, lowBound=0, upBound=u) for label, u in zip(names, upper)])
    return x


def order_weights(
    ix: ModelIndex, s_idx: np.ndarray, g_idx: np.ndarray, t_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The weights of the last two levels of the lexicographic order, per ``x[s,g,t]``: ``(e, o)``.

    Earliness ``e[t] = 1 − t/(|T| − 1)`` (1 for the first period, 0 for the last): a hectare for
    an earlier period comes first. Site order ``o[s,g,t] = (1 − i(s)/|S|) · (1 − j(g)/(2|G|)) ·
    (1 − t/(2|T|))``, with ``i, j, t`` the positions: a product of decreasing factors, so that,
    unlike a sum, no exchange of hectares between two sites and two segments leaves it equal.
    """
    n_s, n_g, n_t = len(ix.site_ids), len(ix.segment_labels), len(ix.period_labels)
    early = 1.0 - t_idx / max(1, n_t - 1)
    order = (1.0 - s_idx / max(1, n_s)) * (1.0 - g_idx / (2 * n_g)) * (1.0 - t_idx / (2 * n_t))
    return early.astype(float), order.astype(float)


def xxl_plots(
    ix: ModelIndex, x: pd.DataFrame, settings: AllocationSettings
) -> tuple[pd.DataFrame, list[pulp.LpConstraint]]:
    """XXL plot counts ``n[s,g,t] ∈ ℤ≥0`` (frame ``row, var, big_m``; ``row`` the ``x`` row) and their rows.

    ``plot_min``: ``a · n[s,g,t] ≤ x[s,g,t]``; ``plot_max``: ``x[s,g,t] ≤ M · n[s,g,t]`` with
    ``M = big_m = min(P[s], ub)``, ``P[s] = min(cont[s], xxl_max_plot_ha)``, and
    ``n ≤ ⌊ub / a⌋``. Rows come in pairs (plot_min, plot_max) per XXL variable.
    """
    xxl_min = settings.xxl_min_ha
    xxl_rows = np.nonzero(ix.seg_xxl[x["segment"].to_numpy()])[0]
    ub = x["ub"].to_numpy()[xxl_rows]
    plot_max = ix.contiguous[x["site"].to_numpy()[xxl_rows]]
    if settings.xxl_max_plot_ha is not None:
        plot_max = np.minimum(plot_max, settings.xxl_max_plot_ha)
    big_m = np.minimum(plot_max, ub)
    n_ub = np.floor(ub / xxl_min + TOL)
    x_vars = x["var"].to_numpy()[xxl_rows]
    n_vars, rows = [], []
    for xv, index, upper, m in zip(x_vars, _row_names("", ix, x, xxl_rows), n_ub.tolist(), big_m.tolist()):
        nv = pulp.LpVariable(f"n{index}", lowBound=0, upBound=upper, cat=pulp.LpInteger)
        expression = pulp.LpAffineExpression
        rows.append(pulp.LpConstraint(expression([(xv, 1.0), (nv, -xxl_min)]), GE, f"plot_min{index}", 0.0))
        rows.append(pulp.LpConstraint(expression([(xv, 1.0), (nv, -m)]), LE, f"plot_max{index}", 0.0))
        n_vars.append(nv)
    return pd.DataFrame({"row": xxl_rows, "var": n_vars, "big_m": big_m}), rows


def opening_variables(ix: ModelIndex, x: pd.DataFrame) -> pd.DataFrame:
    """Opening binaries ``y[s] ∈ {0,1}`` of the expansion sites that have variables (``site, var``)."""
    sites_with_x = np.unique(x["site"].to_numpy())
    exp_sites = sites_with_x[ix.is_expansion[sites_with_x]].tolist()
    variables = [pulp.LpVariable(name("y", ix.site_labels[s]), cat=pulp.LpBinary) for s in exp_sites]
    return pd.DataFrame({"site": exp_sites, "var": variables}, columns=["site", "var"])


def capacity_rows(ix: ModelIndex, x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
    """Cumulative capacity ``capacity(s,t)``: ``Σ_g Σ_{t'≤t} x[s,g,t'] ≤ cap[s,t] · (y[s] if s ∈ E else 1)``.

    Written for every site with variables and every period ``t`` not implied by a later one
    (left out when some later period has no more capacity) that has variables up to ``t``.
    Frame ``site, period, con, rhs``; for an expansion site ``y`` moves to the left-hand side.
    """
    caps = ix.caps
    later_min = np.minimum.accumulate(caps[:, ::-1], axis=1)[:, ::-1]  # min over t' >= t
    needed = np.ones_like(caps, dtype=bool)
    needed[:, :-1] = caps[:, :-1] < later_min[:, 1:] - TOL
    x_vars, t_idx = x["var"].tolist(), x["period"].tolist()
    y_of = dict(zip(y["site"], y["var"]))
    needed_periods = [[t for t, need in enumerate(row) if need] for row in needed.tolist()]
    out = []
    for s, rows in _rows_by_site(x):
        for t in needed_periods[s]:
            terms = [(x_vars[r], 1.0) for r in rows if t_idx[r] <= t]
            if not terms:
                continue
            label = name("capacity", ix.site_labels[s], ix.period_labels[t])
            rhs = float(caps[s, t])
            if s in y_of:
                con = pulp.LpConstraint(pulp.LpAffineExpression([*terms, (y_of[s], -rhs)]), LE, label, 0.0)
            else:
                con = pulp.LpConstraint(pulp.LpAffineExpression(terms), LE, label, rhs)
            out.append((s, t, con, rhs))
    return pd.DataFrame(out, columns=["site", "period", "con", "rhs"])


def contiguity_rows(ix: ModelIndex, x: pd.DataFrame) -> pd.DataFrame:
    """XXL contiguity ``contiguity(s)``: ``Σ_{g∈G_XXL} Σ_t x[s,g,t] ≤ cont[s]``.

    All XXL plots of a site lie in its largest contiguous area. Written only for sites with XXL
    variables whose contiguous area is below their last-period capacity (otherwise capacity
    implies it). Frame ``site, con, rhs``.
    """
    x_vars, xxl = x["var"].tolist(), ix.seg_xxl[x["segment"].to_numpy()].tolist()
    out = []
    for s, rows in _rows_by_site(x):
        terms = [(x_vars[r], 1.0) for r in rows if xxl[r]]
        if terms and ix.contiguous[s] < ix.caps[s, -1] - TOL:
            rhs = float(ix.contiguous[s])
            out.append(
                (
                    s,
                    pulp.LpConstraint(pulp.LpAffineExpression(terms), LE, name("contiguity", ix.site_labels[s]), rhs),
                    rhs,
                )
            )
    return pd.DataFrame(out, columns=["site", "con", "rhs"])


def min_development_rows(
    ix: ModelIndex, x: pd.DataFrame, y: pd.DataFrame, settings: AllocationSettings
) -> pd.DataFrame:
    """Minimum development ``min_development(s)``: ``Σ_g Σ_t x[s,g,t] ≥ m · y[s]`` for ``s ∈ E``.

    An opened expansion site takes at least ``m`` ha (none written when ``m = 0``). Frame
    ``site, con``.
    """
    out = []
    if settings.min_development_ha > 0:
        x_vars, y_of = x["var"].tolist(), dict(zip(y["site"], y["var"]))
        for s, rows in _rows_by_site(x):
            if s in y_of:
                terms = [*((x_vars[r], 1.0) for r in rows), (y_of[s], -settings.min_development_ha)]
                label = name("min_development", ix.site_labels[s])
                out.append((s, pulp.LpConstraint(pulp.LpAffineExpression(terms), GE, label, 0.0)))
    return pd.DataFrame(out, columns=["site", "con"])


def max_new_sites_row(y: pd.DataFrame, settings: AllocationSettings) -> pulp.LpConstraint | None:
    """``max_new_sites``: ``Σ_{s∈E} y[s] ≤ K_new``, when set and fewer than the expansion sites with variables."""
    if settings.max_new_sites is None or len(y) <= settings.max_new_sites:
        return None
    terms = [(v, 1.0) for v in y["var"]]
    return pulp.LpConstraint(pulp.LpAffineExpression(terms), LE, "max_new_sites", float(settings.max_new_sites))


def demand_balance(
    ix: ModelIndex, x: pd.DataFrame, settings: AllocationSettings
) -> tuple[pd.DataFrame, pd.DataFrame, list[pulp.LpConstraint]]:
    """Demand ``demand(g,t)``: ``Σ_s x[s,g,t] + short[g,t] − over[g,t] = D[g,t]`` for every ``D[g,t] > 0``.

    ``short[g,t] ∈ [0, D]`` is unplaced demand (the model is never infeasible); ``over[g,t] ∈
    [0, a]`` exists for XXL segments under ``xxl_rounding``: hectares placed above the demand
    because plots are whole. Returns the ``short`` frame (``segment, period, var, demand``), the
    ``over`` frame (``segment, period, var``) and the rows, in segment-then-period order.
    """
    n_t = len(ix.period_labels)
    x_vars = x["var"].to_numpy()
    key = x["segment"].to_numpy() * n_t + x["period"].to_numpy()
    order = np.argsort(key, kind="stable")
    starts = np.append(np.searchsorted(key[order], np.arange(ix.demand.size)), len(x))
    short_rows, over_rows, rows = [], [], []
    for g, t in zip(*np.nonzero(ix.demand > 0)):
        d, k = float(ix.demand[g, t]), g * n_t + t
        index = (ix.segment_labels[g], ix.period_labels[t])
        sv = pulp.LpVariable(name("short", *index), lowBound=0, upBound=d)
        terms = [*((v, 1.0) for v in x_vars[order[starts[k] : starts[k + 1]]]), (sv, 1.0)]
        if ix.receivable[g, t] > d:
            ov = pulp.LpVariable(name("over", *index), lowBound=0, upBound=float(ix.receivable[g, t] - d))
            terms.append((ov, -1.0))
            over_rows.append((int(g), int(t), ov))
        rows.append(pulp.LpConstraint(pulp.LpAffineExpression(terms), EQ, name("demand", *index), d))
        short_rows.append((int(g), int(t), sv, d))
    short = pd.DataFrame(short_rows, columns=["segment", "period", "var", "demand"])
    return short, pd.DataFrame(over_rows, columns=["segment", "period", "var"]), rows


def ladder_floor(placed_existing: pulp.LpAffineExpression, served: float) -> pulp.LpConstraint:
    """The strict ladder's phase-2 row ``ladder``: ``Σ_{s∈X} x[s,g,t] ≥ served − 1e-7 · max(1, |served|)``.

    ``served`` is the hectares phase 1 placed on the existing stock (not phase 1's objective,
    which also counts the rounding penalty); the small relative slack keeps phase 2 feasible.
    """
    return pulp.LpConstraint(placed_existing, GE, "ladder", served - 1e-7 * max(1.0, abs(served)))


def _row_names(family: str, ix: ModelIndex, x: pd.DataFrame, rows: np.ndarray) -> list[str]:
    """``family(site,segment,period)`` for the given ``x`` rows (with ``family=""`` just the index part)."""
    sl, gl, tl = ix.site_labels, ix.segment_labels, ix.period_labels
    columns = (x[c].to_numpy()[rows].tolist() for c in ("site", "segment", "period"))
    return [f"{family}({sl[s]},{gl[g]},{tl[t]})" for s, g, t in zip(*columns)]


def _rows_by_site(x: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """Per site with variables, in site order: ``(site, its x rows in row order)``."""
    s_idx = x["site"].to_numpy()
    order = np.argsort(s_idx, kind="stable")
    sites, first = np.unique(s_idx[order], return_index=True)
    groups = np.split(order, first[1:]) if len(order) else []
    return [(s, rows.tolist()) for s, rows in zip(sites.tolist(), groups)]
