"""Allocation of forecast demand to candidate sites as a mixed-integer programme (docs/allocation_model.md)."""

from solvers.compatibility import Compatibility, build_compatibility
from solvers.problem import AllocationProblem, problem_from_dict, random_problem
from solvers.results import AllocationResult, settings_from_dict
from solvers.settings import AllocationSettings
from solvers.solve import solve

__all__ = [
    "AllocationProblem",
    "AllocationResult",
    "AllocationSettings",
    "Compatibility",
    "build_compatibility",
    "problem_from_dict",
    "random_problem",
    "settings_from_dict",
    "solve",
]
