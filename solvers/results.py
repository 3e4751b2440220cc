"""The outcome of an allocation run and how it is read from the solved model.

Allocation, shortfall with explanations, binding constraints, shadow prices, summary and a
JSON form from which the run can be repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pulp

from mca.core.jsonable import records
from mca.core.sectors import segment_id
from mca.core.vocabulary import EXPANSION
from solvers.model import solved_values
from solvers.problem import AllocationProblem, problem_from_dict
from solvers.regret import REGRET_COLUMNS
from solvers.settings import AllocationSettings

if TYPE_CHECKING:
    from solvers.model import AllocationModel

TOL = 1e-6
__all__ = ["AllocationResult", "SolverRun", "make_result", "problem_from_dict", "settings_from_dict"]


@dataclass(frozen=True)
class SolverRun:
    """One optimisation phase and how it ended.

    Status (``optimal`` = within rel_gap, or ``time_limit``), objective, proven bound and
    relative gap (None when no bound is known), and the method that closed it (``LP relaxation
    + rounding`` or ``MIP``). ``suitability_gap`` (suitability phase): the same absolute gap
    relative to the suitability term ``Σ suit·x`` instead of the objective, which the shortfall
    penalty inflates.
    """

    phase: str
    solver: str
    status: str
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    method: str
    suitability_gap: float | None = None


@dataclass
class AllocationResult:
    """Allocation of demand to sites and everything needed to explain and repeat it.

    Frames: ``allocation`` (site_id, sector, size_class, period, hectares, plots),
    ``sites`` (site_id, kind, period, allocated_ha and capacity_ha cumulative, free_ha, opened),
    ``shortfall`` (sector, size_class, period, demand_ha, hectares, explanation),
    ``rounding`` (sector, size_class, period, demand_ha, hectares): XXL hectares placed above the
    demand because plots are indivisible,
    ``binding`` (constraint, id, period, rhs, used, shadow_price, name: the row's name in the model),
    ``shadow_prices`` (site_id, kind, value_per_ha and value_<period>_per_ha),
    ``summary`` (kind, period, hectares; kind ``shortfall`` for unplaced demand),
    ``regret`` (site_id, hectares, regret, interchangeable, interchangeable_with; see
    `solvers.regret`). ``suitability`` is the suitability term ``Σ suit·x`` and
    ``suitability_gap`` the gap ``bound − objective`` relative to it.
    """

    status: str
    objective: float
    bound: float | None
    gap: float | None
    solver: str
    seconds: float
    build_seconds: float
    runs: list[SolverRun]
    allocation: pd.DataFrame
    sites: pd.DataFrame
    shortfall: pd.DataFrame
    rounding: pd.DataFrame
    binding: pd.DataFrame
    shadow_prices: pd.DataFrame
    summary: pd.DataFrame
    problem: AllocationProblem
    settings: AllocationSettings
    notes: list[str] = field(default_factory=list)
    suitability: float = 0.0
    suitability_gap: float | None = None
    regret: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REGRET_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result; ``inputs`` holds everything :func:`problem_from_dict` needs to re-solve."""
        inputs = self.problem.to_dict()
        inputs["settings"] = self.settings.model_dump()
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "suitability": self.suitability,
            "suitability_gap": self.suitability_gap,
            "solver": self.solver,
            "seconds": self.seconds,
            "build_seconds": self.build_seconds,
            "runs": [vars(r) for r in self.runs],
            "allocation": records(self.allocation),
            "shortfall": records(self.shortfall),
            "xxl_rounding": records(self.rounding),
            "sites": records(self.sites),
            "binding": records(self.binding),
            "shadow_prices": records(self.shadow_prices),
            "regret": records(self.regret),
            "summary": records(self.summary),
            "notes": list(self.notes),
            "inputs": inputs,
        }


def relative_gap(bound: float, objective: float, size: float) -> float:
    """``(bound − objective) / |size|``: 0 when the objective reaches the bound (``size`` at least 1e-9)."""
    return max(0.0, bound - objective) / max(abs(size), 1e-9)


def settings_from_dict(d: dict[str, Any]) -> AllocationSettings:
    """The settings stored in a result's ``to_dict()`` (or its ``inputs``)."""
    inputs = d.get("inputs", d)
    return AllocationSettings(**inputs.get("settings", {}))


def make_result(
    model: AllocationModel, runs: list[SolverRun], *, duals_available: bool, build_seconds: float, seconds: float
) -> AllocationResult:
    """Read the solved ``model`` into an :class:`AllocationResult`."""
    xval, short_val, over_val = reported_hectares(model)
    opened = np.zeros(len(model.site_ids), dtype=bool)
    for s, v in zip(model.y["site"], model.y["var"]):
        opened[s] = round(v.varValue or 0.0) == 1
    binding = _binding(model, opened)
    shadow = _shadow_prices(model) if duals_available else pd.DataFrame(columns=["site_id", "kind", "value_per_ha"])
    notes = []
    if not duals_available:
        notes.append("the LP with fixed plots and openings was not solved to optimality; no shadow prices")
    main = runs[-1]
    objective = float(pulp.value(model.lp.objective))
    gap = None if main.bound is None else relative_gap(main.bound, objective, objective)
    suitability = float(model.x["suit"].to_numpy(dtype=float) @ xval)
    suitability_gap = None if main.bound is None else relative_gap(main.bound, objective, suitability)
    status = "optimal" if all(r.status == "optimal" for r in runs) else "time_limit"
    return AllocationResult(
        status=status,
        objective=objective,
        bound=main.bound,
        gap=gap,
        solver=model.settings.solver,
        seconds=seconds,
        build_seconds=build_seconds,
        runs=runs,
        allocation=_allocation(model, xval),
        sites=_site_use(model, xval, opened),
        shortfall=_shortfall(model, xval, short_val, opened, binding),
        rounding=_rounding(model, over_val),
        binding=binding,
        shadow_prices=shadow,
        summary=_summary(model, xval, short_val),
        problem=model.problem,
        settings=model.settings,
        notes=notes,
        suitability=suitability,
        suitability_gap=suitability_gap,
    )


def _allocation(model: AllocationModel, xval: np.ndarray) -> pd.DataFrame:
    """The placed hectares: one row per ``x`` above zero, with its XXL plot count."""
    segments, periods = model.problem.segments, list(model.problem.periods)
    plots = np.full(len(model.x), np.nan)
    if len(model.n):
        plots[model.n["row"].to_numpy()] = [round(v.varValue or 0.0) for v in model.n["var"]]
    placed = xval > 0
    rows = model.x.loc[placed]
    return pd.DataFrame(
        {
            "site_id": model.site_ids[rows["site"]],
            "sector": [segments[g][0] for g in rows["segment"]],
            "size_class": [segments[g][1] for g in rows["segment"]],
            "period": [periods[t] for t in rows["period"]],
            "hectares": xval[placed],
            "plots": pd.array(plots[placed], dtype="Int64"),
        }
    )


def _cumulative_use(model: AllocationModel, xval: np.ndarray) -> np.ndarray:
    """Hectares placed per site (rows) up to each period (columns)."""
    per_period = np.zeros_like(model.caps)
    np.add.at(per_period, (model.x["site"].to_numpy(), model.x["period"].to_numpy()), xval)
    return np.cumsum(per_period, axis=1)


def _site_use(model: AllocationModel, xval: np.ndarray, opened: np.ndarray) -> pd.DataFrame:
    """Per site and period: cumulative use against cumulative capacity, and whether it is open."""
    periods = list(model.problem.periods)
    n_site, n_t = model.caps.shape
    used = _cumulative_use(model, xval)
    is_exp = model.kinds == EXPANSION
    return pd.DataFrame(
        {
            "site_id": np.repeat(model.site_ids, n_t),
            "kind": np.repeat(model.kinds, n_t),
            "period": np.tile(periods, n_site),
            "allocated_ha": np.round(used.ravel(), 6),
            "capacity_ha": model.caps.ravel(),
            "free_ha": np.round((model.caps - used).ravel(), 6),
            "opened": np.repeat(np.where(is_exp, opened, True), n_t),
        }
    )


def _summary(model: AllocationModel, xval: np.ndarray, short_val: np.ndarray) -> pd.DataFrame:
    """Hectares by site kind and period, and the shortfall per period (kind ``shortfall``)."""
    periods = np.array(model.problem.periods)
    x = model.x
    summary = (
        pd.DataFrame({"kind": model.kinds[x["site"]], "period": periods[x["period"]], "hectares": xval})
        .groupby(["kind", "period"], as_index=False)["hectares"]
        .sum()
    )
    if len(model.short):
        by_period = pd.DataFrame({"period": periods[model.short["period"]], "hectares": short_val})
        summary = pd.concat(
            [summary, by_period.groupby("period", as_index=False)["hectares"].sum().assign(kind="shortfall")],
            ignore_index=True,
        )
    return summary[["kind", "period", "hectares"]]


def _slack(con: pulp.LpConstraint) -> float:
    """Slack of a ≤ constraint at the current variable values."""
    return -float(con.value())


def _binding(model: AllocationModel, opened: np.ndarray) -> pd.DataFrame:
    """The rows at their bound, with what they hold, their shadow price and their name in the model."""
    periods = list(model.problem.periods)
    out = []
    for s, t, con, rhs in model.capacity.itertuples(index=False):
        effective = rhs if model.kinds[s] != EXPANSION or opened[s] else 0.0
        if effective > 0 and _slack(con) <= TOL:
            out.append(("capacity", model.site_ids[s], periods[t], effective, effective - _slack(con), con))
    for s, con, rhs in model.contiguity.itertuples(index=False):
        if _slack(con) <= TOL:
            out.append(("contiguity", model.site_ids[s], None, rhs, rhs - _slack(con), con))
    for link, t, con, rhs in model.roads.itertuples(index=False):
        if _slack(con) <= TOL * max(1.0, rhs):
            out.append(("road", model.link_ids[link], periods[t], rhs, rhs - _slack(con), con))
    if model.max_sites is not None and _slack(model.max_sites) <= TOL:
        limit = float(-model.max_sites.constant)
        out.append(("max_new_sites", "expansion", None, limit, limit, model.max_sites))
    ladder = model.lp.constraints.get("ladder")
    if ladder is not None:
        used = float(pulp.value(model.placed_existing))
        out.append(("ladder", "available_plot+intensification", None, -ladder.constant, used, ladder))
    rows = [(*row[:5], row[5].pi, row[5].name) for row in out]
    return pd.DataFrame(rows, columns=["constraint", "id", "period", "rhs", "used", "shadow_price", "name"])


def _shadow_prices(model: AllocationModel) -> pd.DataFrame:
    """Objective gain of one more hectare of capacity per site and period.

    These are the capacity duals of the LP with plots and openings fixed; ``value_per_ha`` adds
    one hectare in every period.
    """
    periods = list(model.problem.periods)
    n_site = len(model.site_ids)
    values = np.zeros((n_site, len(periods)))
    for s, t, con, _ in model.capacity.itertuples(index=False):
        values[s, t] = con.pi or 0.0
    frame = pd.DataFrame(
        {"site_id": model.site_ids, "kind": model.kinds, "value_per_ha": np.round(values.sum(axis=1), 9)}
    )
    for k, p in enumerate(periods):
        frame[f"value_{p}_per_ha"] = np.round(values[:, k], 9)
    return frame


def reported_hectares(model: AllocationModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The solved ``x``, ``short`` and ``over`` (in the order of their frames) as the results report them.

    ``x`` is rounded to 9 decimals and zero below ``TOL``. The solver meets each demand row only
    to its feasibility tolerance (1e-9 ha, which is 7e-9 of a 0.15 ha segment), so the reported
    shortfall and XXL rounding of a segment and period are not the solver's values but the
    residual of the balance: ``short = max(0, D − Σx)`` where the solver left demand short,
    ``over = max(0, Σx − D)`` where it rounded up; what is left of the residual (solver noise,
    within ``TOL``) goes to the segment's largest ``x``. So placed + shortfall − rounding equals
    the demand to floating-point precision (issue 10).
    """
    xval = np.round(solved_values(model.x["var"]), 9)
    xval[xval < TOL] = 0.0
    n_periods = len(model.problem.periods)
    cell = model.x["segment"].to_numpy() * n_periods + model.x["period"].to_numpy()
    placed = np.bincount(cell, weights=xval, minlength=len(model.problem.segments) * n_periods)
    over_at = {g * n_periods + t: j for j, (g, t) in enumerate(zip(model.over["segment"], model.over["period"]))}
    short_val, over_val = np.zeros(len(model.short)), np.zeros(len(model.over))
    for k, (g, t, var, demand) in enumerate(model.short.itertuples(index=False)):
        key = g * n_periods + t
        residual = float(demand) - placed[key]
        if (var.varValue or 0.0) > TOL:
            short_val[k] = max(residual, 0.0)
        j = over_at.get(key)
        if j is not None and (model.over["var"].iloc[j].varValue or 0.0) > TOL:
            over_val[j] = max(-residual, 0.0)
        rest = residual - short_val[k] + (over_val[j] if j is not None else 0.0)
        members = np.flatnonzero((cell == key) & (xval > 0))
        if rest and len(members):
            xval[members[np.argmax(xval[members])]] += rest
    return xval, short_val, over_val


def _rounding(model: AllocationModel, over_val: np.ndarray) -> pd.DataFrame:
    """XXL hectares placed above demand to make whole plots, per segment and period."""
    segments, periods = model.problem.segments, list(model.problem.periods)
    demand = model.problem.demand_matrix().to_numpy().reshape(len(segments), len(periods))
    rows = []
    for (g, t, _), value in zip(model.over.itertuples(index=False), over_val):
        if value > TOL:
            rows.append((*segments[g], periods[t], float(demand[g, t]), float(value)))
    return pd.DataFrame(rows, columns=["sector", "size_class", "period", "demand_ha", "hectares"])


def _shortfall(
    model: AllocationModel, xval: np.ndarray, short_val: np.ndarray, opened: np.ndarray, binding: pd.DataFrame
) -> pd.DataFrame:
    """One row per segment and period with unplaced demand, with the explanation of why."""
    problem, settings = model.problem, model.settings
    periods = list(problem.periods)
    comp = problem.compatibility_matrix().to_numpy()
    free = np.maximum(model.caps - _cumulative_use(model, xval), 0.0)
    road_links = set(binding.loc[binding["constraint"] == "road", "id"])
    rows = []
    for (g, t, _, demand), short in zip(model.short.itertuples(index=False), short_val):
        if short <= 0:
            continue
        sector, size = problem.segments[g]
        seg = segment_id(sector, size)
        period = periods[t]
        open_sites = comp[:, g].copy()
        parts = []
        if size == "XXL":
            small = open_sites & (model.contiguous < settings.xxl_min_ha)
            if small.any():
                parts.append(f"contiguity {small.sum()} sites ({model.caps[small, t].sum():.1f} ha)")
            open_sites &= ~small
        unopened = open_sites & (model.kinds == EXPANSION) & ~opened
        cap_open = model.caps[open_sites, t].sum()
        left = free[open_sites & ~unopened, t].sum()
        lead = (
            f"no compatible site with capacity left for {seg} in {period}"
            if left <= TOL
            else f"{seg} in {period}: compatible capacity is left but cannot be used"
        )
        text = [
            f"{lead}: compatible capacity {cap_open:.1f} ha vs demand {demand:.1f} ha; "
            f"{short:.1f} ha not placed, {left:.1f} ha left on open compatible sites"
        ]
        parts += _closing_rules(model, ~comp[:, g], seg, t)
        if parts:
            text.append("closed to this segment: " + ", ".join(parts))
        if size == "XXL" and demand < settings.xxl_min_ha:
            text.append(f"demand is below one XXL plot of {settings.xxl_min_ha:g} ha")
        if unopened.any():
            limit = " (max_new_sites reached)" if (binding["constraint"] == "max_new_sites").any() else ""
            text.append(f"unopened expansion sites hold {model.caps[unopened, t].sum():.1f} ha{limit}")
        text += _roads_at_headroom(model, open_sites & (free[:, t] > TOL), road_links)
        rows.append((sector, size, period, demand, short, "; ".join(text)))
    return pd.DataFrame(rows, columns=["sector", "size_class", "period", "demand_ha", "hectares", "explanation"])


def _closing_rules(model: AllocationModel, closed: np.ndarray, seg: str, t: int) -> list[str]:
    """Why the ``closed`` sites are closed to segment ``seg``: sites and hectares by rule."""
    if not closed.any():
        return []
    reasons = model.problem.compatibility_reasons
    if reasons is None or not len(reasons):
        return [f"compatibility input {closed.sum()} sites ({model.caps[closed, t].sum():.1f} ha)"]
    r = reasons[reasons["segment"] == seg].drop_duplicates(["site_id", "rule"])
    pos = pd.Series(np.arange(len(model.site_ids)), index=model.site_ids)
    parts = []
    for rule, grp in r.groupby("rule", sort=True):
        idx = pos[grp["site_id"]].to_numpy()
        parts.append(f"{rule.replace('_', ' ')} {len(idx)} sites ({model.caps[idx, t].sum():.1f} ha)")
    return parts


def _roads_at_headroom(model: AllocationModel, with_room: np.ndarray, road_links: set[Any]) -> list[str]:
    """The binding road links on the routes of the sites ``with_room``, as one note (or none)."""
    if not road_links or not len(model.route_site):
        return []
    on_routes = np.zeros(len(model.link_ids), dtype=bool)
    on_routes[model.route_link[with_room[model.route_site]]] = True
    at_headroom = sorted(set(model.link_ids[on_routes].tolist()) & road_links)
    return ["road links at headroom: " + ", ".join(map(str, at_headroom))] if at_headroom else []


def lead_with_causes(shortfall: pd.DataFrame, model: AllocationModel, gains: dict[str, np.ndarray]) -> pd.DataFrame:
    """``shortfall`` with each explanation led by the causes whose relaxation places its demand, largest first.

    ``gains`` (`solvers.causes.shortfall_gains`) holds per cause the hectares of shortfall per
    ``model.short`` row that relaxing it removes. A cause with a gain comes first, as ``binding:
    <cause> (relaxing it places x ha more)``; the road links at headroom follow it when roads
    bind. Rows without such a cause keep their explanation.
    """
    if not len(shortfall) or not gains:
        return shortfall
    segments, periods = model.problem.segments, list(model.problem.periods)
    keys = [(*segments[g], periods[t]) for g, t in zip(model.short["segment"], model.short["period"])]
    position = {key: i for i, key in enumerate(keys)}
    out = shortfall.copy()
    texts = []
    for row in out.itertuples(index=False):
        i = position[(row.sector, row.size_class, str(row.period))]
        binding = sorted(((gain[i], name) for name, gain in gains.items() if gain[i] > TOL), reverse=True)
        parts = str(row.explanation).split("; ")
        roads = [p for p in parts if p.startswith("road links at headroom")]
        lead = [f"binding: {name} (relaxing it places {gain:.2f} ha more)" for gain, name in binding]
        if binding and binding[0][1] == "road headroom":
            lead, parts = lead[:1] + roads + lead[1:], [p for p in parts if p not in roads]
        texts.append("; ".join([*lead, *parts]))
    out["explanation"] = texts
    return out
