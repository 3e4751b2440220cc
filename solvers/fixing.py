"""Fix variables at values, relax integrality or add rows for one solve, then restore the model.

Every place the allocation holds integers (LP relaxation, relax-and-fix dive, small rounding
MIPs, the final LP for duals) goes through :func:`fixing`, so bounds and categories are always
restored, also when the solver raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import pulp


@contextmanager
def fixing(
    values: Mapping[pulp.LpVariable, float] | None = None, *, relax: Iterable[pulp.LpVariable] = ()
) -> Iterator[None]:
    """A block in which variables are fixed and relaxed, restored on leaving.

    Within the block, each variable in ``values`` has both bounds at its value and each one in
    ``relax`` is continuous; on leaving, every changed variable gets its bounds and category back.
    """
    values = values or {}
    relaxed = list(relax)
    changed = list(dict.fromkeys([*relaxed, *values]))
    saved = [(v.lowBound, v.upBound, v.cat) for v in changed]
    try:
        for v in relaxed:
            v.cat = pulp.LpContinuous
        for v, value in values.items():
            v.lowBound = v.upBound = value
        yield
    finally:
        for v, (low, up, cat) in zip(changed, saved):
            v.lowBound, v.upBound, v.cat = low, up, cat


@contextmanager
def extra_rows(lp: pulp.LpProblem, rows: Iterable[pulp.LpConstraint]) -> Iterator[None]:
    """A block in which ``rows`` are part of ``lp``; on leaving they are removed again.

    Adding and removing rows both change the model's structure (``structure_version``), so a
    solver interface that keeps its own copy of the model rebuilds it.
    """
    added = list(rows)
    for row in added:
        lp.addConstraint(row)
    try:
        yield
    finally:
        for row in added:
            drop_row(lp, row.name)


def drop_row(lp: pulp.LpProblem, name: str) -> pulp.LpConstraint | None:
    """Remove the row ``name`` from ``lp`` (marking the structure changed); the row, or None if absent.

    The variables stay listed: PuLP keeps every variable it has seen.
    """
    row: pulp.LpConstraint | None = lp.constraints.pop(name, None)
    if row is not None:
        lp.structure_version = getattr(lp, "structure_version", 0) + 1
    return row
