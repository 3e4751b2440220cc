"""Which constraint keeps demand unplaced: re-solves with one family of rows relaxed (issue 10).

For a shortfall the explanation leads with the constraint that actually binds. For each family
that can hold demand back — road headroom, the limit on new expansion sites, the policy cap on
new ground — the LP relaxation is solved with that family's right-hand sides lifted; the
hectares of shortfall per segment and period it removes, against the LP relaxation as it is,
are the family's *gain*. A family with a gain leads the explanation, largest gain first; with no
gain anywhere the capacity itself (or the rules closing sites) is the cause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pulp

from solvers.model import solved_values

if TYPE_CHECKING:
    from solvers.model import AllocationModel

LIFTED = 1e9
"""The right-hand side of a relaxed ≤ row: larger than any hectares or vehicles per hour."""

SolveRelaxation = Callable[[], bool]


def families(model: AllocationModel) -> dict[str, list[pulp.LpConstraint]]:
    """The ≤ rows that can hold demand back, by cause: road headroom, max_new_sites, the expansion cap."""
    out = {"road headroom": list(model.roads["con"])}
    if model.max_sites is not None:
        out["max_new_sites"] = [model.max_sites]
    cap = model.lp.constraints.get("expansion_cap")
    if cap is not None:
        out["cap on new ground (expansion_cap)"] = [cap]
    return {name: rows for name, rows in out.items() if rows}


def shortfall_gains(
    model: AllocationModel,
    solve_relaxation: SolveRelaxation,
    baseline: np.ndarray | None = None,
    lifted: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Per cause, the shortfall hectares (aligned to ``model.short`` rows) removed by relaxing its rows.

    ``solve_relaxation()`` solves the LP relaxation of the model as it stands (True if optimal);
    ``baseline`` is its shortfall when already known (the suitability phase solved it: 100,000
    sites, one LP of about 25 s less). ``lifted``: per family, the shortfall of the relaxation
    with its rows lifted when already solved (`solvers.highs_direct.lifted_relaxations`); the
    others are solved here. Empty when the relaxation cannot be solved. Variable values are
    those of the last solve.
    """
    if not len(model.short):
        return {}
    if baseline is None:
        if not solve_relaxation():
            return {}
        baseline = solved_values(model.short["var"])
    gains = {}
    for name, rows in families(model).items():
        if lifted is not None and name in lifted:
            gains[name] = np.maximum(baseline - lifted[name], 0.0)
            continue
        with _lifted(model.lp, rows):
            if solve_relaxation():
                gains[name] = np.maximum(baseline - solved_values(model.short["var"]), 0.0)
    return gains


@contextmanager
def _lifted(lp: pulp.LpProblem, rows: list[pulp.LpConstraint]) -> Iterator[None]:
    """A block in which the ≤ ``rows`` have right-hand side ``LIFTED`` (the model is marked changed)."""
    saved = [row.constant for row in rows]
    try:
        for row in rows:
            row.constant = -LIFTED
        lp.structure_version = getattr(lp, "structure_version", 0) + 1
        yield
    finally:
        for row, constant in zip(rows, saved):
            row.constant = constant
        lp.structure_version = getattr(lp, "structure_version", 0) + 1
