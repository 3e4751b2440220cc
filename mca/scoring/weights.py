"""Criterion weights from four elicitation methods; resolved weights always sum to 1.

- ``direct``: numbers per criterion, normalised to sum 1.
- ``ahp``: Saaty's pairwise comparisons (1–9 scale); weights = principal eigenvector, with the
  consistency index CI = (λmax − n)/(n − 1) and ratio CR = CI/RI. CR > 0.1 is reported as a
  warning in the result, not an error (Saaty's 10 % rule).
- ``roc``: rank-order centroid weights from an importance order, w_i = (1/n) Σ_{k=i..n} 1/k
  (Barron & Barrett 1996).
- ``swing``: the most important swing (worst → best) gets 100 points, the others points
  relative to it; weights = points / sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mca.core.errors import UserError

SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
"""Random consistency index RI by matrix order n (Saaty 1980, *The Analytic Hierarchy Process*;
the same table is in Saaty 1990, EJOR 48:9–26)."""

CONSISTENCY_LIMIT = 0.1
"""Saaty's rule: a consistency ratio above 0.1 calls for revising the judgments."""

_DESCRIPTION = Field(default="", description="What the weight set stands for and whose it is.")
_UNNAMED: Any = Field(
    default="error",
    description="Weight of a ranking criterion the set does not name: 'error' (every criterion must be weighed, "
    "give 0 to leave one out) or 'zero' (left out; the built-in sets, so that enabling an opt-in criterion "
    "such as nnn_zone does not require re-weighing them).",
)
Unnamed = Literal["error", "zero"]


class DirectWeights(BaseModel):
    """Weights given directly; any non-negative numbers, normalised to sum 1."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["direct"] = "direct"
    description: str = _DESCRIPTION
    unnamed_criteria: Unnamed = _UNNAMED
    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_all_zero(self) -> DirectWeights:
        if sum(self.weights.values()) <= 0:
            raise ValueError("weights are all zero")
        return self


class AHPWeights(BaseModel):
    """Pairwise judgments ``judgments[a][b]`` = how many times more important a is than b.

    Each unordered pair of criteria must be judged exactly once (either a→b or b→a);
    values on Saaty's scale 1/9 … 9.
    """

    model_config = ConfigDict(extra="forbid")

    method: Literal["ahp"] = "ahp"
    description: str = _DESCRIPTION
    unnamed_criteria: Unnamed = _UNNAMED
    judgments: dict[str, dict[str, Annotated[float, Field(ge=1 / 9 - 1e-9, le=9)]]] = Field(min_length=1)

    def criteria(self) -> list[str]:
        """The criteria named in the judgments, in order of first mention."""
        names: dict[str, None] = {}
        for a, row in self.judgments.items():
            names[a] = None
            names.update(dict.fromkeys(row))
        return list(names)

    @model_validator(mode="after")
    def _complete(self) -> AHPWeights:
        names = self.criteria()
        given: dict[frozenset[str], int] = {}
        for a, row in self.judgments.items():
            for b in row:
                if a == b:
                    raise ValueError(f"criterion '{a}' is compared with itself")
                pair = frozenset((a, b))
                given[pair] = given.get(pair, 0) + 1
        twice = sorted("/".join(sorted(p)) for p, n in given.items() if n > 1)
        if twice:
            raise ValueError(f"pairs judged twice (give each pair once): {twice}")
        missing = [f"{a}/{b}" for i, a in enumerate(names) for b in names[i + 1 :] if frozenset((a, b)) not in given]
        if missing:
            raise ValueError(f"pairwise matrix incomplete, missing pairs: {missing}")
        if len(names) > max(SAATY_RANDOM_INDEX):
            raise ValueError(f"at most {max(SAATY_RANDOM_INDEX)} criteria per AHP matrix")
        return self

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """The criteria and the full reciprocal comparison matrix."""
        names = self.criteria()
        pos = {name: i for i, name in enumerate(names)}
        matrix = np.ones((len(names), len(names)))
        for a, row in self.judgments.items():
            for b, value in row.items():
                matrix[pos[a], pos[b]] = value
                matrix[pos[b], pos[a]] = 1.0 / value
        return names, matrix


class ROCWeights(BaseModel):
    """Rank-order centroid weights from an importance order (most important first)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["roc"] = "roc"
    description: str = _DESCRIPTION
    unnamed_criteria: Unnamed = _UNNAMED
    order: list[str] = Field(min_length=1, description="Criteria, most important first.")

    @model_validator(mode="after")
    def _unique(self) -> ROCWeights:
        if len(set(self.order)) != len(self.order):
            raise ValueError("a criterion appears more than once in the order")
        return self


class SwingWeights(BaseModel):
    """Swing weighting: points per criterion relative to the most important swing (100)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["swing"] = "swing"
    description: str = _DESCRIPTION
    unnamed_criteria: Unnamed = _UNNAMED
    points: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_reference(self) -> SwingWeights:
        if max(self.points.values()) != 100:
            raise ValueError("the most important swing must get 100 points")
        return self


WeightSet = Annotated[DirectWeights | AHPWeights | ROCWeights | SwingWeights, Field(discriminator="method")]


@dataclass(frozen=True)
class WeightsResult:
    """Resolved weights (sum 1, in the order of the requested criteria) and diagnostics."""

    weights: dict[str, float]
    method: str
    consistency_ratio: float | None = None
    consistency_index: float | None = None
    warnings: list[str] = field(default_factory=list)


def ahp_priorities(matrix: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Principal-eigenvector priorities, λmax, CI and CR of a reciprocal comparison matrix."""
    n = len(matrix)
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    lambda_max = float(eigenvalues[principal].real)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / SAATY_RANDOM_INDEX[n] if n > 2 else 0.0
    return vector / vector.sum(), lambda_max, ci, cr


def roc_weights(n: int) -> np.ndarray:
    """Rank-order centroid weights for ranks 1..n."""
    inverse = 1.0 / np.arange(1, n + 1)
    return np.cumsum(inverse[::-1])[::-1] / n


def resolve_weights(ws: WeightSet, criteria: list[str], *, name: str = "weights") -> WeightsResult:
    """Weights for exactly ``criteria`` from a weight set (named ``name`` in errors)."""
    source = f"scoring.weight_sets.{name}"
    fields = {"direct": "weights", "ahp": "judgments", "roc": "order", "swing": "points"}
    field_name = fields[ws.method]
    warnings: list[str] = []
    ci = cr = None
    if isinstance(ws, DirectWeights):
        raw = dict(ws.weights)
    elif isinstance(ws, SwingWeights):
        raw = dict(ws.points)
    elif isinstance(ws, ROCWeights):
        raw = dict(zip(ws.order, roc_weights(len(ws.order))))
    else:
        names, matrix = ws.matrix()
        vector, lambda_max, ci, cr = ahp_priorities(matrix)
        raw = dict(zip(names, vector))
        if cr > CONSISTENCY_LIMIT:
            warnings.append(
                f"weight set '{name}': AHP consistency ratio {cr:.3f} exceeds {CONSISTENCY_LIMIT} "
                f"(λmax {lambda_max:.3f}); consider revising the pairwise judgments"
            )
    unknown = sorted(set(raw) - set(criteria))
    if unknown:
        raise UserError(
            f"unknown criteria {unknown}; known: {sorted(criteria)}",
            source=source,
            field=field_name,
        )
    missing = [c for c in criteria if c not in raw]
    if missing and ws.unnamed_criteria == "zero":
        raw.update(dict.fromkeys(missing, 0.0))
    elif missing:
        raise UserError(
            f"no weight for criteria {missing} (give 0 to leave a criterion out)",
            source=source,
            field=field_name,
        )
    total = float(sum(raw.values()))
    if total <= 0:
        raise UserError("weights are all zero", source=source, field=field_name)
    weights = {c: float(raw[c]) / total for c in criteria}
    return WeightsResult(weights, ws.method, cr, ci, warnings)
