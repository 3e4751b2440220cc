"""Scenario files: YAML, validated with pydantic, with ``extends:`` for variants.

A scenario names every setting of one run, section by section (``demand``, ``layers``,
``candidates``, ``criteria``, ``scoring``, ``allocation``, ``sectors``, ``outputs``). Each
section's model lives with the stage that uses it; defaults are the Heerlen base case. A
variant says ``extends: base.yaml`` and overrides only what differs: mappings merge key by
key, everything else (lists, scalars) is replaced.

Errors name the file, the field and, where the YAML shows it, the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from candidates.settings import CandidateSettings
from criteria.settings import CriteriaSettings
from demand.settings import DemandSettings
from mca.core.errors import UserError
from mca.core.paths import SCENARIO_DIR
from mca.core.sectors import DEFAULT_SECTORS, Sector
from mca.inputs.layers import LayerSettings
from mca.inputs.scenario_files import KeyPath, read_scenario_chain
from mca.scoring.settings import ScoringSettings, default_weight_sets
from mca.scoring.weights import resolve_weights
from solvers.policy_settings import PolicySettings
from solvers.settings import AllocationSettings

DEFAULT_SCENARIO = SCENARIO_DIR / "heerlen_base.yaml"
SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
"""A scenario name that is a plain folder name: never '.', '..', hidden, an option or a path."""


class OutputSettings(BaseModel):
    """What `mca run` writes besides the always-written tables."""

    model_config = ConfigDict(extra="forbid")

    robustness: bool = Field(True, description="Run SMAA-2 (settings under scoring.smaa) for the report.")
    top_sites_in_report: int = Field(25, ge=1, description="How many ranked sites the HTML report lists.")
    language: Literal["nl", "en"] = Field(
        "nl", description="Language of the report, maps and workbook (assumption: Dutch, for Heerlen's council)."
    )


class Scenario(BaseModel):
    """One complete, validated scenario."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="Used as the output folder and file names: letters, digits, '_', '.', '-', not starting "
        "with '.' or '-', at most 100 characters (so a name can never leave the output folder).",
    )
    description: str = ""
    parks_table: Path | None = Field(
        None, description="Park key figures CSV; default: the bundled data/heerlen/parks.csv."
    )
    demand_source: Path | None = Field(
        None,
        description="Source figures of the demand forecast (YAML); "
        "default: the bundled data/heerlen/demand_source.yaml.",
    )
    sectors: list[Sector] = Field(default_factory=lambda: list(DEFAULT_SECTORS))
    demand: DemandSettings = Field(default_factory=DemandSettings)
    layers: LayerSettings = Field(default_factory=LayerSettings)
    candidates: CandidateSettings = Field(default_factory=CandidateSettings)
    criteria: CriteriaSettings = Field(default_factory=CriteriaSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    allocation: AllocationSettings = Field(default_factory=AllocationSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    outputs: OutputSettings = Field(default_factory=OutputSettings)

    @model_validator(mode="after")
    def _weight_sets_fit_the_criteria(self) -> Scenario:
        """Every weight set must weigh exactly the enabled ranking criteria."""
        ranking = [c.name for c in self.criteria.enabled_criteria() if c.kind == "ranking"]
        for name, weight_set in self.scoring.weight_sets.items():
            resolve_weights(weight_set, ranking, name=name)
        return self

    @field_validator("name")
    @classmethod
    def _safe_folder_name(cls, name: str) -> str:
        if not SAFE_NAME.fullmatch(name):
            raise ValueError(
                f"'{name}' is not a safe folder name: use letters, digits, '_', '.' and '-', "
                "do not start with '.' or '-', at most 100 characters"
            )
        return name

    @field_validator("sectors")
    @classmethod
    def _unique_sectors(cls, sectors: list[Sector]) -> list[Sector]:
        ids = [s.id for s in sectors]
        if len(set(ids)) != len(ids) or not ids:
            raise ValueError("sector ids must be unique and at least one sector is needed")
        return sectors


class LoadedScenario(BaseModel):
    """A scenario with the files it came from (the first is the file named by the user)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    scenario: Scenario
    path: Path | None
    files: list[Path]

    @property
    def base_dir(self) -> Path:
        """Folder against which relative paths in the scenario resolve."""
        return self.path.parent if self.path else SCENARIO_DIR


def _format_location(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _locate(
    origin: dict[KeyPath, tuple[Path, int]], loc: tuple[str | int, ...], fallback: Path
) -> tuple[Path, int | None]:
    """The file and line that set the deepest known prefix of ``loc``."""
    for end in range(len(loc), 0, -1):
        hit = origin.get(tuple(loc[:end]))
        if hit:
            return hit
    return fallback, None


def validation_error_to_user_error(
    exc: ValidationError, source: Path, origin: dict[KeyPath, tuple[Path, int]] | None = None
) -> UserError:
    """Turn the first pydantic error into a one-line UserError with file, field and line."""
    error = exc.errors()[0]
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    file, line = _locate(origin or {}, loc, source)
    field = _format_location(loc) or None
    if line is not None:
        field = f"{field} (line {line})" if field else f"line {line}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return UserError(message, source=file, field=field)


def _keep_default_weight_sets(data: dict) -> None:
    """Add the built-in weight sets under the scenario's own: naming a new set keeps the others.

    Mappings merge key by key (README); the built-in sets are defaults, not keys of the base
    file, so without this a variant that adds one weight set would remove them all.
    """
    scoring = data.get("scoring")
    if isinstance(scoring, dict) and isinstance(scoring.get("weight_sets"), dict):
        scoring["weight_sets"] = {**default_weight_sets(), **scoring["weight_sets"]}


def load_scenario(path: Path | str | None = None) -> LoadedScenario:
    """Load and validate a scenario file; ``None`` gives the bundled Heerlen base case."""
    scenario_path = Path(path) if path is not None else DEFAULT_SCENARIO
    data, origin, files = read_scenario_chain(scenario_path)
    data.setdefault("name", scenario_path.stem)
    scenario = validate_scenario(data, origin, scenario_path.resolve())
    return LoadedScenario(scenario=scenario, path=scenario_path.resolve(), files=files)


def validate_scenario(data: dict[str, Any], origin: dict[KeyPath, tuple[Path, int]], source: Path) -> Scenario:
    """The validated scenario of the merged YAML ``data``; errors name the file, field and line.

    ``origin`` maps key paths to the file and line that set them; ``source`` is named when a
    problem has no line of its own.
    """
    _keep_default_weight_sets(data)
    sectors = data.get("sectors")
    context = None
    if isinstance(sectors, list):
        context = {"sector_ids": [s["id"] for s in sectors if isinstance(s, dict) and isinstance(s.get("id"), str)]}
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as exc:
        raise validation_error_to_user_error(exc, source, origin) from None
    except UserError as exc:  # raised by a section's own checks (e.g. an unknown criterion)
        if exc.source is not None and Path(exc.source).is_file():
            raise  # about another file the scenario names (a layer, an AERIUS table)
        dotted = ".".join(part for part in (exc.source, exc.field) if part)
        file, line = _locate(origin, tuple(dotted.split(".")), source)
        field = f"{dotted} (line {line})" if line is not None else dotted or None
        raise UserError(exc.message, source=file, field=field) from None
