"""Road headroom rows of the allocation model (docs/allocation_model.md, constraint 5).

``road(l,t)``: ``Σ_{(s,l)∈R} Σ_g Σ_{t'≤t} v[k(g)] · x[s,g,t'] ≤ h[l,t]``, written only for the
links and periods where it can bind. Written out, every row repeats the hectares of every site
whose route uses the link: on the synthetic 10,000-site region (routes of 60 links per site on
average) that is 1.9 million nonzeros, 93 % of the model. When the routes are paths in a forest
(each link's routes continue on one and the same next link, as routes along a shortest-path tree
do), the load of a link is the traffic of the sites whose route starts there plus the load of
the links feeding it. The model then gets a load variable ``load(l,t)`` per row, defined by
``load(l,t) = Σ_{s starts at l} Σ_g Σ_{t'≤t} v·x[s,g,t'] + Σ_{c feeds l} load(c,t)`` (row
``load(l,t)``), and ``road(l,t)`` reads ``load(l,t) ≤ h[l,t]``: the same feasible hectares,
the same headroom duals, each hectare written once per period. "Starts" and "feeds" count only
links that have a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from solvers.names import name
from solvers.problem import AllocationProblem
from solvers.settings import AllocationSettings

if TYPE_CHECKING:
    from solvers.builders import ModelIndex

TOL = 1e-9
AGGREGATE_FACTOR = 2.0
"""Load variables are used when they cut the road rows' nonzeros by at least this factor
(assumption: below it the plain rows are as cheap and keep the model as written before)."""
ROAD_COLUMNS = ["link", "period", "con", "rhs"]
LOAD_COLUMNS = ["link", "period", "var"]


def road_rows(
    ix: ModelIndex,
    problem: AllocationProblem,
    x: pd.DataFrame,
    settings: AllocationSettings,
    reach: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[pulp.LpConstraint]]:
    """The road rows that can bind (frame ``link, period, con, rhs``), load variables and load rows.

    A row is left out where the most load the link could get (every route's variables at
    ``ub``) stays within ``h[l,t] = max(0, headroom)``, or where a later period implies it;
    terms with ``v = 0`` are left out. ``reach``: the full model's variables (frame ``site,
    segment, period, ub``) when ``x`` holds some of them (a restricted model): the rows are then
    chosen from those, as in the full model. Frames by link then period. Load variables (frame
    ``link, period, var``) and their rows are empty unless the routes form a forest and
    aggregating saves nonzeros (see the module docstring).
    """
    if not len(problem.routes) or not len(x):
        return no_road_rows()
    heads = np.maximum(problem.headrooms().loc[ix.link_ids].to_numpy(), 0.0)
    vph = np.array([settings.vehicles_per_ha(s.truck_trips_per_ha_day) for s in problem.sectors])
    x_v = vph[ix.seg_sector[x["segment"].to_numpy()]]
    site, link = ix.route_site, ix.route_link
    reach = x if reach is None else reach
    can_bind = _can_bind(ix, reach, vph[ix.seg_sector[reach["segment"].to_numpy()]], site, link, heads)
    keep = can_bind[link].any(axis=1)
    site, link = site[keep], link[keep]
    if not len(site):
        return no_road_rows()
    found = [_forest(ix, x, x_v, site, link, can_bind[:, t], t) for t in range(heads.shape[1])]
    forests = [f for f in found if f is not None]
    if len(forests) == len(found):
        aggregated_nonzeros = sum(f[2] for f in forests)
        if _direct_nonzeros(ix, x, x_v, site, link, can_bind) > AGGREGATE_FACTOR * aggregated_nonzeros:
            return _aggregated(ix, x, x_v, heads, forests, can_bind)
    return _direct(ix, x, x_v, heads, site, link, can_bind), pd.DataFrame(columns=LOAD_COLUMNS), []


def no_road_rows() -> tuple[pd.DataFrame, pd.DataFrame, list[pulp.LpConstraint]]:
    """No road rows, load variables or load rows (the empty frames of :func:`road_rows`)."""
    return pd.DataFrame(columns=ROAD_COLUMNS), pd.DataFrame(columns=LOAD_COLUMNS), []


def _site_period_sums(ix: ModelIndex, x: pd.DataFrame, weights: np.ndarray) -> np.ndarray:
    """Per site (rows) and period (columns): the sum of ``weights`` over its ``x`` rows up to that period."""
    n_t = len(ix.period_labels)
    out = np.zeros((len(ix.site_ids), n_t))
    np.add.at(out, (x["site"].to_numpy(), x["period"].to_numpy()), weights)
    return np.cumsum(out, axis=1)


def _can_bind(
    ix: ModelIndex, x: pd.DataFrame, x_v: np.ndarray, site: np.ndarray, link: np.ndarray, heads: np.ndarray
) -> np.ndarray:
    """Links × periods: True where a row is needed (not implied by a later period) and can bind."""
    later = np.minimum.accumulate(heads[:, ::-1], axis=1)[:, ::-1]
    needed = np.ones_like(heads, dtype=bool)
    needed[:, :-1] = heads[:, :-1] < later[:, 1:] - TOL
    most = _site_period_sums(ix, x, x_v * x["ub"].to_numpy())  # S × T
    load = np.zeros_like(heads)
    for t in range(heads.shape[1]):
        load[:, t] = np.bincount(link, weights=most[site, t], minlength=len(ix.link_ids))
    return np.asarray(needed & (load > heads + TOL))


def _direct_nonzeros(
    ix: ModelIndex, x: pd.DataFrame, x_v: np.ndarray, site: np.ndarray, link: np.ndarray, can_bind: np.ndarray
) -> float:
    """Nonzeros of the road rows written out: per row, the terms of every site on the link."""
    n_sites = len(ix.site_ids)
    total = 0.0
    for t in range(can_bind.shape[1]):
        sel = (x["period"].to_numpy() <= t) & (x_v > 0)
        terms = np.bincount(x["site"].to_numpy()[sel], minlength=n_sites)
        total += float(terms[site[can_bind[link, t]]].sum())
    return total


def _forest(
    ix: ModelIndex,
    x: pd.DataFrame,
    x_v: np.ndarray,
    site: np.ndarray,
    link: np.ndarray,
    rows: np.ndarray,
    t: int,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """In period ``t``, the route forest over the links with a row: (first link per site, next link per link, nonzeros).

    Each site's row links are ordered by how many sites use them; the routes form a forest when
    every link is followed by the same link on all routes through it. Then the first link of a
    site carries its hectares and each link's load feeds its next. None if they do not.
    """
    sel = rows[link]
    s, lk = site[sel], link[sel]
    n_sites, n_links = len(ix.site_ids), len(ix.link_ids)
    first = np.full(n_sites, -1, dtype=np.int64)
    following = np.full(n_links, -1, dtype=np.int64)
    if not len(s):
        return first, following, 0.0
    size = np.bincount(lk, minlength=n_links)  # sites per link
    s, lk = _by_site_then_size(s, lk, size)
    same_site = np.r_[s[1:] == s[:-1], False]
    nxt = np.where(same_site, np.r_[lk[1:], -1], -1)
    following[lk] = nxt  # one of each link's next links: the forest has no other
    if not np.array_equal(following[lk], nxt):
        return None  # some link is followed by different links: not a forest
    starts = np.r_[True, s[1:] != s[:-1]]
    first[s[starts]] = lk[starts]
    sel_x = (x["period"].to_numpy() <= t) & (x_v > 0) & (first[x["site"].to_numpy()] >= 0)
    return first, following, float(sel_x.sum() + 2 * np.count_nonzero(size) + (following >= 0).sum())


def _by_site_then_size(s: np.ndarray, lk: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(s, lk)`` sorted by site, then by ``size`` (sites per link) of the link, then by link.

    One sort of a single integer key (100,000 synthetic sites: 17 million pairs, a few times
    faster than sorting by three keys); by the three keys when the key would not fit 63 bits.
    """
    n_links = len(size)
    span = (int(size.max()) + 1) * n_links
    if (int(s.max()) + 1) * span >= 2**63:
        order = np.lexsort((lk, size[lk], s))
        return s[order], lk[order]
    key = np.sort(s * span + size[lk] * n_links + lk)
    return key // span, key % n_links


def _direct(
    ix: ModelIndex,
    x: pd.DataFrame,
    x_v: np.ndarray,
    heads: np.ndarray,
    site: np.ndarray,
    link: np.ndarray,
    can_bind: np.ndarray,
) -> pd.DataFrame:
    """The road rows written out: every hectare of every site on the link's routes.

    A row that can bind in the full model but whose sites a restricted model left out has no terms.
    """
    x_vars = x["var"].to_numpy()
    out = []
    groups = {(lk, t): rows_l for lk, t, rows_l in _route_terms(ix, x, x_v, site, link, can_bind)}
    for lk, t in sorted(zip(*(index.tolist() for index in np.nonzero(can_bind)))):
        rows_l = groups.get((lk, t), np.zeros(0, dtype=np.int64))
        terms = list(zip(x_vars[rows_l].tolist(), x_v[rows_l].tolist()))
        label, rhs = name("road", ix.link_labels[lk], ix.period_labels[t]), float(heads[lk, t])
        out.append((lk, t, pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintLE, label, rhs), rhs))
    return pd.DataFrame(out, columns=ROAD_COLUMNS)


def _route_terms(
    ix: ModelIndex, x: pd.DataFrame, x_v: np.ndarray, site: np.ndarray, link: np.ndarray, can_bind: np.ndarray
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Per road row: ``(link, period, x rows)``, the rows of every site on the link up to the period with ``v > 0``."""
    p_link, p_row = _route_pairs(ix, x, site, link)
    if not len(p_row):
        return
    p_t = x["period"].to_numpy()[p_row]
    for t in range(can_bind.shape[1]):
        sel = (p_t <= t) & can_bind[p_link, t] & (x_v[p_row] > 0)
        links_sel, rows_sel = p_link[sel], p_row[sel]
        if not len(links_sel):
            continue
        starts = np.flatnonzero(np.r_[True, np.diff(links_sel) != 0])
        for lk, rows_l in zip(links_sel[starts], np.split(rows_sel, starts[1:])):
            yield int(lk), t, rows_l


def _route_pairs(ix: ModelIndex, x: pd.DataFrame, site: np.ndarray, link: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (link, x row) whose site's traffic uses the link, sorted by link, then row."""
    x_site = x["site"].to_numpy()
    n_sites = len(ix.site_ids)
    order = np.argsort(x_site, kind="stable")  # x rows grouped by site
    per_site = np.bincount(x_site, minlength=n_sites)
    first = np.cumsum(per_site) - per_site
    count = per_site[site]
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    p_row = order[np.repeat(first[site], count) + offset]
    p_link = np.repeat(link, count)
    by_link = np.lexsort((p_row, p_link))
    return p_link[by_link], p_row[by_link]


def _aggregated(
    ix: ModelIndex,
    x: pd.DataFrame,
    x_v: np.ndarray,
    heads: np.ndarray,
    forests: list[tuple[np.ndarray, np.ndarray, float]],
    can_bind: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame, list[pulp.LpConstraint]]:
    """Road rows ``load(l,t) ≤ h[l,t]`` and the rows that define the loads along the route forest."""
    x_vars, x_site, x_t = x["var"].to_numpy(), x["site"].to_numpy(), x["period"].to_numpy()
    roads, loads, load_rows = [], [], []
    for lk, t in sorted(zip(*np.nonzero(can_bind))):
        index = (ix.link_labels[lk], ix.period_labels[t])
        loads.append((int(lk), int(t), pulp.LpVariable(name("load", *index), lowBound=0)))
    var_of = {(lk, t): v for lk, t, v in loads}
    for t, (first, following, _) in enumerate(forests):
        sel = np.flatnonzero((x_t <= t) & (x_v > 0) & (first[x_site] >= 0))
        own: dict[int, list[tuple[pulp.LpVariable, float]]] = {}
        for row, lk in zip(sel.tolist(), first[x_site[sel]].tolist()):
            own.setdefault(lk, []).append((x_vars[row], float(x_v[row])))
        for child in np.flatnonzero(following >= 0).tolist():
            own.setdefault(int(following[child]), []).append((var_of[child, t], 1.0))
        for lk in np.flatnonzero(can_bind[:, t]).tolist():
            w = var_of[lk, t]
            index = (ix.link_labels[lk], ix.period_labels[t])
            expression = pulp.LpAffineExpression([*own.get(lk, []), (w, -1.0)])
            load_rows.append(pulp.LpConstraint(expression, pulp.LpConstraintEQ, name("load", *index), 0.0))
            rhs = float(heads[lk, t])
            road = pulp.LpAffineExpression([(w, 1.0)])
            roads.append((lk, t, pulp.LpConstraint(road, pulp.LpConstraintLE, name("road", *index), rhs), rhs))
    roads.sort(key=lambda row: row[:2])
    return pd.DataFrame(roads, columns=ROAD_COLUMNS), pd.DataFrame(loads, columns=LOAD_COLUMNS), load_rows
