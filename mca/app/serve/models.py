"""What the browser may send: every request body is one of these pydantic models.

Weight sets reuse the scenario's own models (`mca.scoring.weights`: direct, AHP, swing, ROC), so
the browser and a scenario file are checked by the same rules; on top, every number must be
finite (JSON parsers accept ``NaN`` and ``Infinity``), names are short and safe, and no request
names a path: the server decides where files go.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mca.core.vocabulary import ALL_SECTORS
from mca.scoring.weights import WeightSet

SCOPE_PATTERN = r"^(\*|[A-Za-z0-9_-]{1,40})$"
FILE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,59}$"
"""A new scenario's name and file stem: lower case, digits, '_' and '-', no dots or slashes."""
PARTICIPANT_PATTERN = r"^[\w .'-]{1,40}$"

Scope = Annotated[str, Field(pattern=SCOPE_PATTERN)]


def _all_finite(value: Any) -> bool:
    """Whether every number inside ``value`` (nested dicts and lists) is finite."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_all_finite(v) for v in value)
    return True


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _finite_weight_set(weight_set: WeightSet) -> WeightSet:
    if not _all_finite(weight_set.model_dump()):
        raise ValueError("weights must be finite numbers")
    return weight_set


class RankRequest(_Request):
    """Re-rank one scope with one weight set."""

    scope: Scope = ALL_SECTORS
    weights: WeightSet

    _finite = field_validator("weights")(_finite_weight_set)


class ScopedWeights(_Request):
    """A weight set per scope (``"*"`` and/or sector ids); scopes left out keep the scenario's."""

    weights: dict[Scope, WeightSet] = Field(min_length=1, max_length=20)

    @field_validator("weights")
    @classmethod
    def _finite(cls, weights: dict[str, WeightSet]) -> dict[str, WeightSet]:
        for weight_set in weights.values():
            _finite_weight_set(weight_set)
        return weights


class FactSheetRequest(RankRequest):
    """One site's fact sheet under the current weights."""

    site_id: str = Field(min_length=1, max_length=120)


class SubmitRequest(_Request):
    """A participant's weights (or AHP judgments) for the group."""

    name: str = Field(pattern=PARTICIPANT_PATTERN)
    weights: WeightSet

    _finite = field_validator("weights")(_finite_weight_set)


class SaveRequest(ScopedWeights):
    """Save weights as a new scenario file next to the served one."""

    name: str = Field(pattern=FILE_NAME_PATTERN)
    note: str = Field(default="", max_length=400)
