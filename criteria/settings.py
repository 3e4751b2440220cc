"""Scenario settings of the criteria stage (section ``criteria:``).

A mapping from criterion name to ``{enabled: bool, params: {...}}``; criteria not mentioned run
with their default parameters, except the opt-in ones (``Criterion.enabled_by_default``), which run
only when enabled. Names and parameters are checked against the registry and each
criterion's ``Params`` model, so a typo is a clear error rather than a silent default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from criteria.base import Criterion
from criteria.registry import get, registry
from mca.core.errors import UserError


class CriterionSettings(BaseModel):
    """Whether a criterion runs and its parameters (validated against the criterion's ``Params``)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = Field(
        None,
        description="Run this criterion. Default (None): every criterion runs except the opt-in ones "
        "(nnn_zone, park_profile), so that adding a criterion changes no existing scenario (assumption).",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters; defaults per criterion.")


class CriteriaSettings(RootModel[dict[str, CriterionSettings]]):
    """Criterion name → `CriterionSettings`."""

    root: dict[str, CriterionSettings] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_names_and_params(self) -> CriteriaSettings:
        for name in self.root:
            self.params_for(name)
        return self

    def params_for(self, name: str) -> BaseModel:
        """The validated ``Params`` of criterion ``name`` (UserError for an unknown criterion or parameter)."""
        criterion = get(name)
        given = self.root[name].params if name in self.root else {}
        try:
            return criterion.Params(**given)
        except ValidationError as error:
            first = error.errors()[0]
            location = ".".join(str(part) for part in first["loc"])
            known = ", ".join(criterion.Params.model_fields) or "none"
            raise UserError(
                f"{first['msg']} (parameters of '{name}': {known})",
                source="criteria",
                field=f"{name}.params.{location}",
            ) from None

    def enabled_criteria(self) -> list[Criterion]:
        """The criteria that run, in registry order."""
        return [c for name, c in registry().items() if self._enabled(name, c)]

    def _enabled(self, name: str, criterion: Criterion) -> bool:
        """Whether criterion ``name`` runs: as the scenario says, else its own default."""
        given = self.root[name].enabled if name in self.root else None
        return criterion.enabled_by_default if given is None else given
