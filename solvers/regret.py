"""Near-equal alternatives: the regret of each allocated site (docs/allocation_model.md, "Regret").

A site's *regret* is the objective lost when the site is forbidden (its hectares, plots and
opening held at zero) and the model is solved again, warm from the chosen plots and openings.
A site whose regret is within the run's tolerance — the proven gap ``bound − objective`` or
``rel_gap`` on the suitability term, whichever is larger — is *interchangeable*: the solver
could equally have returned the allocation without it. It is interchangeable with the sites that
take over its hectares in that re-solve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from solvers.model import solved_values

if TYPE_CHECKING:
    from solvers.model import AllocationModel
    from solvers.results import AllocationResult

REGRET_COLUMNS = ["site_id", "hectares", "regret", "interchangeable", "interchangeable_with"]
TOL = 1e-6
TAKEOVER_HA = 1e-3
"""Hectares a site must gain in the re-solve to count as taking over (smaller changes are solver noise)."""
Resolve = Callable[[list[pulp.LpVariable]], float | None]


def site_regrets(model: AllocationModel, result: AllocationResult, resolve: Resolve) -> pd.DataFrame:
    """Per allocated site: hectares, ``regret`` (objective loss when forbidden; NaN if no re-solve worked).

    ``resolve(variables)`` re-solves with ``variables`` at zero and returns the objective (leaving
    the variables at the new solution). ``interchangeable_with`` lists the sites that take over
    its hectares, most first; ``interchangeable`` is True when the regret is within tolerance.
    """
    placed = result.allocation.groupby("site_id", sort=False)["hectares"].sum()
    threshold = regret_threshold(result)
    before = placed.reindex(model.site_ids).fillna(0.0).to_numpy(dtype=float)
    rows = []
    for site_id, hectares in placed.items():
        objective = resolve(_site_variables(model, str(site_id)))
        if objective is None:
            rows.append((site_id, float(hectares), np.nan, False, ""))
            continue
        regret = max(0.0, result.objective - objective)
        rows.append((site_id, float(hectares), regret, regret <= threshold, _takers(model, before)))
    return pd.DataFrame(rows, columns=REGRET_COLUMNS)


def regret_threshold(result: AllocationResult) -> float:
    """The tolerance within which a regret counts as none: the proven gap or ``rel_gap`` on the suitability term."""
    proven = 0.0 if result.bound is None else max(0.0, result.bound - result.objective)
    return max(proven, result.settings.rel_gap * abs(result.suitability), TOL)


def with_regret(allocation: pd.DataFrame, regret: pd.DataFrame) -> pd.DataFrame:
    """``allocation`` with each site's ``regret`` and ``interchangeable_with`` (empty when not interchangeable)."""
    if not len(regret):
        return allocation.assign(regret=np.nan, interchangeable_with="")
    by_site = regret.set_index("site_id")
    names = by_site["interchangeable_with"].where(by_site["interchangeable"], "")
    out = allocation.copy()
    out["regret"] = by_site["regret"].reindex(out["site_id"]).to_numpy()
    out["interchangeable_with"] = names.reindex(out["site_id"]).fillna("").to_numpy()
    return out


def _site_variables(model: AllocationModel, site_id: str) -> list[pulp.LpVariable]:
    """Every variable of the site: its hectares, XXL plots and opening."""
    s = int(np.flatnonzero(model.site_ids == site_id)[0])
    on_site = model.x["site"].to_numpy() == s
    plots = on_site[model.n["row"].to_numpy()] if len(model.n) else np.zeros(0, dtype=bool)
    return [*model.x.loc[on_site, "var"], *model.n.loc[plots, "var"], *model.y.loc[model.y["site"] == s, "var"]]


def _hectares_by_site(model: AllocationModel) -> np.ndarray:
    """Hectares per site position at the variables' current values."""
    values = solved_values(model.x["var"])
    return np.bincount(model.x["site"].to_numpy(), weights=values, minlength=len(model.site_ids))


def _takers(model: AllocationModel, before: np.ndarray) -> str:
    """The sites that gained more than ``TAKEOVER_HA`` against ``before``, most first, as ``id (+ha)``."""
    gain = _hectares_by_site(model) - before
    order = [int(s) for s in np.argsort(-gain, kind="stable") if gain[s] > TAKEOVER_HA]
    return ", ".join(f"{model.site_ids[s]} (+{gain[s]:.2f} ha)" for s in order)
