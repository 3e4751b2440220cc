"""Fix variables at values and relax integrality for one solve, then restore them.

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
