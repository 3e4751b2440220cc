"""The criteria registry: every module of this package that exposes ``CRITERION`` is one."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from criteria.base import Criterion
from mca.core.errors import UserError


@cache
def registry() -> dict[str, Criterion]:
    """All criteria of this package by name, in alphabetical order."""
    found: dict[str, Criterion] = {}
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"criteria.{module_info.name}")
        criterion = getattr(module, "CRITERION", None)
        if isinstance(criterion, Criterion):
            found[criterion.name] = criterion
    return dict(sorted(found.items()))


def get(name: str) -> Criterion:
    """The criterion called ``name``; a UserError listing the known ones if there is none."""
    known = registry()
    if name not in known:
        raise UserError(
            f"unknown criterion '{name}'; known criteria: {', '.join(known)}", source="criteria", field=name
        )
    return known[name]
