"""Sweep specifications: a study as a grid and/or list of variations of one base scenario.

A sweep file (YAML) names a base scenario and the settings that vary, each by its dotted path
in the scenario (``demand.variant``, ``scoring.default_weight_set``, ``allocation.ladder``, or
any other setting). ``grid`` gives values per path and the sweep takes every combination;
``variants`` lists hand-made variations; with both, every list entry is combined with every
grid point. Example: ``scenarios/sweeps/heerlen_study.yaml``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mca.app.scenario import SAFE_NAME, validation_error_to_user_error
from mca.core.errors import UserError

MAX_VARIANTS = 100_000
"""Largest sweep accepted: a guard against a grid that multiplies out by mistake (assumption)."""


class VariantSpec(BaseModel):
    """One hand-made variation: an optional name and the settings it changes (dotted path → value)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description="Label of the variation; default: its position in the list.")
    set: dict[str, Any] = Field(default_factory=dict, description="Dotted scenario path → value.")


class SweepSpec(BaseModel):
    """A validated sweep file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Name of the study (a safe folder name).")
    description: str = ""
    base: Path = Field(description="The base scenario file, relative to the sweep file.")
    grid: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="Dotted scenario path → the values it takes; the sweep takes every combination.",
    )
    variants: list[VariantSpec] = Field(default_factory=list, description="Hand-made variations.")
    top_k: int = Field(10, ge=1, description="How many best-ranked sites each variant reports (assumption).")
    no_regret_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="A site is in the no-regret programme when at least this share of the successful "
        "variants place land on it (002's 80 % no-regret practice).",
    )
    smaa_samples: int = Field(
        0, ge=0, description="SMAA-2 weight samples on the base scenario, run in chunks on the cluster; 0 = none."
    )
    smaa_chunk: int = Field(2_000, ge=1, description="Weight samples per SMAA task (assumption).")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        if not SAFE_NAME.fullmatch(name):
            raise ValueError(f"'{name}' is not a safe folder name")
        return name

    @field_validator("grid")
    @classmethod
    def _non_empty_values(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for path, values in grid.items():
            if not values:
                raise ValueError(f"grid path '{path}' has no values")
        return grid


class Variant(BaseModel):
    """One scenario variant of a sweep: its position, name and the settings it changes."""

    number: int
    name: str
    overrides: dict[str, Any]


def load_sweep(path: Path | str) -> tuple[SweepSpec, Path]:
    """The sweep file's spec and the resolved path of its base scenario."""
    path = Path(path)
    if not path.is_file():
        raise UserError("sweep file not found", source=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"not a readable YAML file: {str(exc).splitlines()[0]}", source=path) from None
    if not isinstance(data, dict):
        raise UserError("a sweep file must be a mapping", source=path)
    data.setdefault("name", path.stem)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_user_error(exc, path.resolve()) from None
    base = spec.base if spec.base.is_absolute() else path.resolve().parent / spec.base
    if not base.is_file():
        raise UserError(f"base scenario {base} not found", source=path, field="base")
    count = variant_count(spec)
    if count > MAX_VARIANTS:
        raise UserError(f"{count:,} variants exceed the limit of {MAX_VARIANTS:,}", source=path, field="grid")
    return spec, base


def variant_count(spec: SweepSpec) -> int:
    """How many variants the spec makes."""
    count = max(1, len(spec.variants))
    for values in spec.grid.values():
        count *= len(values)
    return count


def variants(spec: SweepSpec) -> Iterator[Variant]:
    """Every variant of the spec in a fixed order: list entries outer, grid combinations inner."""
    paths = list(spec.grid)
    listed = spec.variants or [VariantSpec()]
    number = 0
    for entry_number, entry in enumerate(listed, start=1):
        for combination in itertools.product(*(spec.grid[p] for p in paths)):
            number += 1
            overrides = {**entry.set, **dict(zip(paths, combination, strict=True))}
            label = entry.name or (f"list{entry_number:03d}" if spec.variants else None)
            name = f"{spec.name}-{number:05d}" + (f"-{label}" if label else "")
            yield Variant(number=number, name=name, overrides=overrides)


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of scenario ``data`` with each dotted path set to its value (lists by index)."""
    result = copy.deepcopy(data)
    for path, value in overrides.items():
        parts = path.split(".")
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
            if isinstance(node, dict):
                node = node.setdefault(key, {})
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                raise UserError(f"cannot follow '{'.'.join(parts[: depth + 1])}'", source="sweep", field=path)
        last: Any = int(parts[-1]) if isinstance(node, list) and parts[-1].isdigit() else parts[-1]
        if isinstance(node, list) and not (isinstance(last, int) and last < len(node)):
            raise UserError(f"no list item '{parts[-1]}'", source="sweep", field=path)
        if not isinstance(node, dict | list):
            raise UserError(f"'{'.'.join(parts[:-1])}' is not a section", source="sweep", field=path)
        node[last] = copy.deepcopy(value)
    return result
