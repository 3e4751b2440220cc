"""Build the allocation MIP (docs/allocation_model.md) with PuLP from an AllocationProblem.

:func:`build_model` reads as the model: the index of sets and parameters, then one builder per
variable or constraint family (`solvers.builders`), then the rows in a fixed order and the
objective. Variables and constraints are named by site, segment, period and link
(`solvers.names`), so ``model.lp.writeLP(path)`` gives a readable file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from solvers.builders import (
    ModelIndex,
    allocation_variables,
    capacity_rows,
    contiguity_rows,
    demand_balance,
    index_problem,
    max_new_sites_row,
    min_development_rows,
    opening_variables,
    xxl_plots,
)
from solvers.policy_trail import expansion_cap_rows
from solvers.problem import AllocationProblem
from solvers.roads import no_road_rows, road_rows
from solvers.settings import AllocationSettings

if TYPE_CHECKING:
    from solvers.restriction import Restriction


class AllocationLp(pulp.LpProblem):  # type: ignore[misc]  # PuLP ships no types
    """A PuLP problem that lists its variables once per change of the model, in a set column order.

    PuLP 3 rebuilds the variable list (and ``variablesDict()``) from every constraint on each
    call, and its solver interfaces call them on every solve; the allocation re-solves the same
    model many times with other bounds, which made that walk a third of the run time on 10,000
    sites. Setting an objective or adding a constraint with a variable not yet listed invalidates
    the cached list (PuLP never forgets a variable, so removing a row does not); adding a
    constraint also bumps ``structure_version`` (see `solvers.highs_direct` for the HiGHS re-solve).
    The list is sorted by ``column_keys`` (see :func:`solver_order`) instead of PuLP's names.
    """

    _variables_current = False
    structure_version = 0
    """Counts the constraints added, so a solver interface can tell whether its model is current."""
    variables_version = 0
    """Counts the listings of the variables, so a solver interface can tell whether its columns are current."""

    def __init__(self, name: str = "NoName", sense: int = pulp.LpMinimize) -> None:
        super().__init__(name, sense)
        self.column_keys: dict[pulp.LpVariable, str] = {}

    def order_columns(self, keys: Mapping[pulp.LpVariable, str]) -> None:
        """Hand the variables to the solvers sorted by ``keys`` (a variable without one: by name)."""
        self.column_keys.update(keys)
        self._variables_current = False

    def addConstraint(self, constraint: pulp.LpConstraint, name: str | None = None) -> None:  # noqa: N802 - PuLP's name
        """Add a row (bumps ``structure_version``; variables are listed again only if the row brings new ones)."""
        listed = len(self._variables)
        self.structure_version += 1
        super().addConstraint(constraint, name)
        if len(self._variables) != listed:
            self._variables_current = False

    def add_rows(self, rows: list[pulp.LpConstraint]) -> None:
        """Add named rows in one step; their variables are registered when the variables are next listed.

        PuLP's ``addConstraint`` registers every term's variable row by row (1.6 million calls on
        100,000 sites), and listing the variables registers them all again.
        """
        for row in rows:
            if row.name in self._constraints:
                raise pulp.PulpError(f"overlapping constraint names: {row.name}")
            self._constraints[row.name] = row
        self.modifiedConstraints.extend(rows)
        self._variables_current = False
        self.structure_version += 1

    def setObjective(self, obj: pulp.LpAffineExpression) -> None:  # noqa: N802 - PuLP's name
        """Set the objective (variables are listed again only if it brings new ones)."""
        listed = len(self._variables)
        super().setObjective(obj)
        self._add_variables(self.objective.keys())
        if len(self._variables) != listed:
            self._variables_current = False

    def variables(self) -> list[pulp.LpVariable]:
        """The variables in column order, listed again only after the model changed."""
        if not self._variables_current:
            super().variables()
            keys = self.column_keys
            self._variables.sort(key=lambda v: keys.get(v, v.name))
            self._variables_by_name = {v.name: v for v in self._variables}
            self._variables_current = True
            self.variables_version += 1
        variables: list[pulp.LpVariable] = self._variables
        return variables

    def variablesDict(self) -> dict[str, pulp.LpVariable]:  # noqa: N802 - PuLP's name
        """The variables by name."""
        self.variables()
        by_name: dict[str, pulp.LpVariable] = self._variables_by_name
        return by_name


@dataclass
class AllocationModel:
    """The PuLP problem and the frames that map its variables and constraints back to the data.

    ``x``: one row per allocation variable (``site``, ``segment``, ``period`` positions, ``var``,
    ``coef`` its objective weight, ``ub`` the most it can hold); ``n``: XXL plot counts aligned to
    ``x`` rows (``row``, ``var``, ``big_m`` the largest hectares per plot); ``y``: opening binaries
    of expansion sites (``site``, ``var``); ``short``: shortfall variables (``segment``,
    ``period``, ``var``, ``demand``); ``over``: XXL rounding variables (``segment``, ``period``,
    ``var``): hectares placed above the demand to make whole plots. ``capacity`` (``site``,
    ``period``, ``con``, ``rhs``), ``contiguity`` (``site``, ``con``, ``rhs``) and ``roads``
    (``link``, ``period``, ``con``, ``rhs``) hold the constraints that can bind. ``route_site`` and
    ``route_link`` are the route pairs as positions in ``site_ids`` and ``link_ids``.
    """

    problem: AllocationProblem
    settings: AllocationSettings
    lp: AllocationLp
    x: pd.DataFrame
    n: pd.DataFrame
    y: pd.DataFrame
    short: pd.DataFrame
    over: pd.DataFrame
    capacity: pd.DataFrame
    contiguity: pd.DataFrame
    roads: pd.DataFrame
    loads: pd.DataFrame
    max_sites: pulp.LpConstraint | None
    objective: pulp.LpAffineExpression
    placed_existing: pulp.LpAffineExpression
    site_ids: np.ndarray
    kinds: np.ndarray
    caps: np.ndarray
    contiguous: np.ndarray
    link_ids: np.ndarray
    route_site: np.ndarray
    route_link: np.ndarray
    restriction: Restriction | None = None
    """Set on a model without the variables the roads hold at zero (`solvers.restriction`)."""

    @property
    def integers(self) -> list[pulp.LpVariable]:
        """The integer variables: XXL plot counts, then openings."""
        return [*self.n["var"], *self.y["var"]]


def solved_values(variables: Iterable[pulp.LpVariable]) -> np.ndarray:
    """The values of ``variables`` after a solve, in order; a variable the solver left without value counts 0."""
    return np.array([v.varValue or 0.0 for v in variables], dtype=float)


def build_model(
    problem: AllocationProblem,
    settings: AllocationSettings,
    keep: np.ndarray | None = None,
    ix: ModelIndex | None = None,
    *,
    reach: pd.DataFrame | None = None,
    with_roads: bool = True,
) -> AllocationModel:
    """The MIP of docs/allocation_model.md for ``problem`` under ``settings`` (not solved).

    ``keep``: the allocation variables to build (sites × segments × periods mask; a restricted
    model, `solvers.restriction`), ``reach`` the full model's (`builders.allocation_frame`),
    from which the road rows are chosen; ``ix`` the index when already made; without
    ``with_roads`` the model has no road rows (their headroom lifted).
    """
    ix = index_problem(problem, settings) if ix is None else ix
    x = allocation_variables(ix, settings, keep)
    n, plot_rows = xxl_plots(ix, x, settings)
    y = opening_variables(ix, x)
    capacity = capacity_rows(ix, x, y)
    contiguity = contiguity_rows(ix, x)
    min_development = min_development_rows(ix, x, y, settings)
    max_sites = max_new_sites_row(y, settings)
    short, over, demand_rows = demand_balance(ix, x, settings)
    roads, loads, load_rows = road_rows(ix, problem, x, settings, reach) if with_roads else no_road_rows()
    policy_rows = expansion_cap_rows(ix, x, problem.expansion_cap_ha)

    lp = AllocationLp("allocation", pulp.LpMaximize)
    site_rows = _site_by_site(capacity, contiguity, min_development)
    maximum = [] if max_sites is None else [max_sites]
    lp.add_rows([*plot_rows, *site_rows, *maximum, *demand_rows, *load_rows, *roads["con"], *policy_rows])
    objective = objective_expression(x, n, y, short, over, settings)
    lp.setObjective(objective)
    lp.order_columns(solver_order(x, n, y, short, over, loads))
    existing = x.loc[~ix.is_expansion[x["site"].to_numpy()], "var"]
    return AllocationModel(
        problem=problem,
        settings=settings,
        lp=lp,
        x=x,
        n=n,
        y=y,
        short=short,
        over=over,
        capacity=capacity,
        contiguity=contiguity,
        roads=roads,
        loads=loads,
        max_sites=max_sites,
        objective=objective,
        placed_existing=pulp.LpAffineExpression([(v, 1.0) for v in existing]),
        site_ids=ix.site_ids,
        kinds=ix.kinds,
        caps=ix.caps,
        contiguous=ix.contiguous,
        link_ids=ix.link_ids,
        route_site=ix.route_site,
        route_link=ix.route_link,
    )


def objective_expression(
    x: pd.DataFrame,
    n: pd.DataFrame,
    y: pd.DataFrame,
    short: pd.DataFrame,
    over: pd.DataFrame,
    settings: AllocationSettings,
) -> pulp.LpAffineExpression:
    """The objective (maximised): ``Σ coef·x − ε Σ n − f Σ y − ω Σ over − π Σ short``.

    ``coef`` is each ``x`` row's weight (suitability, tie-break, expansion penalty); terms are
    listed in that order, the demand slacks per segment and period (``over`` before ``short``).
    """
    terms = list(zip(x["var"], x["coef"].tolist()))
    terms += [(v, -settings.tie_break) for v in n["var"]]
    terms += [(v, -settings.fixed_cost_per_site) for v in y["var"]]
    over_of = dict(zip(zip(over["segment"], over["period"]), over["var"]))
    for g, t, sv in zip(short["segment"], short["period"], short["var"]):
        if (g, t) in over_of:
            terms.append((over_of[g, t], -settings.rounding_penalty))
        terms.append((sv, -settings.shortfall_penalty))
    return pulp.LpAffineExpression(terms)


def solver_order(
    x: pd.DataFrame, n: pd.DataFrame, y: pd.DataFrame, short: pd.DataFrame, over: pd.DataFrame, loads: pd.DataFrame
) -> dict[pulp.LpVariable, str]:
    """Column keys: ``x<row>``, ``n<row>``, ``y<site>``, ``short<g>_<t>``, ``over<g>_<t>``, ``w<link>_<t>``, as strings.

    ``<row>`` is the position in the full model (``x`` columns ``column`` and ``plot``), so that a
    restricted model hands its columns over in the full model's order.
    The solvers get the columns in the order of these keys, the names the variables had before
    they were named by site, segment and period. The model is degenerate across periods and CBC
    returns another of several equal optima when its columns come in another order (issue 10),
    so this keeps results identical to earlier runs.
    """
    keys = {v: f"x{i}" for i, v in zip(x["column"].tolist(), x["var"])}
    plots = x["plot"].to_numpy()[n["row"].to_numpy()].tolist()
    keys.update({v: f"n{j}" for j, v in zip(plots, n["var"])})
    keys.update({v: f"y{s}" for s, v in zip(y["site"], y["var"])})
    keys.update({v: f"short{g}_{t}" for g, t, v in zip(short["segment"], short["period"], short["var"])})
    keys.update({v: f"over{g}_{t}" for g, t, v in zip(over["segment"], over["period"], over["var"])})
    keys.update({v: f"w{lk}_{t}" for lk, t, v in zip(loads["link"], loads["period"], loads["var"])})
    return keys


def _site_by_site(*families: pd.DataFrame) -> list[pulp.LpConstraint]:
    """The rows of per-site families site by site, within a site family by family in the order given.

    This is the row order the solvers have always been given (see :func:`solver_order`).
    """
    rows = [(s, con) for family in families for s, con in zip(family["site"].tolist(), family["con"])]
    rows.sort(key=lambda item: item[0])  # stable: families and periods keep their order within a site
    return [con for _, con in rows]
