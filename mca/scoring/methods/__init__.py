"""The registry of aggregation methods: one module each, registered below in a fixed order.

Adding a method: a module exposing ``METHOD`` (an `AggregationMethod`) and one line in the
tuple below. The scenario's ``scoring.method`` and ``mca rank --method`` accept exactly the
names and aliases registered here.
"""

from __future__ import annotations

from mca.core.registry import Registry
from mca.scoring.methods import electre, topsis, wsm
from mca.scoring.methods.base import AggregationMethod, check_method

__all__ = ["METHODS", "AggregationMethod", "get_method"]

METHODS: Registry[AggregationMethod] = Registry("aggregation method", check_method)
for _method in (wsm.METHOD, topsis.METHOD, electre.METHOD):
    METHODS.register(_method)


def get_method(name: str) -> AggregationMethod:
    """The method called ``name`` (or one of its aliases); a `UserError` listing the choices."""
    return METHODS.get(name, source="scoring", field="method")
