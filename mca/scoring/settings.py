"""Scoring settings (scenario section ``scoring:``) with the Heerlen base case as defaults.

Every weight set below is an **illustration and an assumption of this project, not policy**:
no source document gives criterion weights. They exist so that workshops start from something
concrete and so that scenarios can compare contrasting points of view.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mca.scoring.methods import METHODS
from mca.scoring.valuefunctions import CategoricalValueFunction, ValueFunctionSpec
from mca.scoring.valuetables import default_value_tables
from mca.scoring.weights import DirectWeights, ROCWeights, SwingWeights, WeightSet

_ILLUSTRATION = "Illustration (assumption of this project, not policy): "


def default_weight_sets() -> dict[str, WeightSet]:
    """The named Heerlen weight sets (all assumptions, see the module docstring).

    They weigh the six criteria that run by default; an opt-in criterion a scenario enables weighs 0
    in them (``unnamed_criteria="zero"``) until the scenario gives it a weight.
    """
    sets: dict[str, WeightSet] = {
        "balanced": DirectWeights(
            description=_ILLUSTRATION + "all six criteria count equally.",
            weights=dict.fromkeys(
                ["adjacency", "road_access", "access_pressure", "env_space", "size_shape", "public_transport"],
                1.0,
            ),
        ),
        "economy_first": ROCWeights(
            description=_ILLUSTRATION + "what firms look for first: motorway access, a usable "
            "plot, reuse of an existing park's infrastructure (rank-order centroid weights).",
            order=["road_access", "size_shape", "adjacency", "env_space", "access_pressure", "public_transport"],
        ),
        "nature_first": SwingWeights(
            description=_ILLUSTRATION + "least new land and nuisance: adjoin existing parks "
            "(001 §3.2, principle 1), keep distance to dwellings, spare loaded roads, reachable "
            "without a car (swing points).",
            points={
                "adjacency": 100,
                "env_space": 80,
                "access_pressure": 70,
                "public_transport": 60,
                "size_shape": 20,
                "road_access": 20,
            },
        ),
        "accessibility_first": DirectWeights(
            description=_ILLUSTRATION + "reachability by road and public transport, without "
            "overloading the access roads.",
            weights={
                "road_access": 3,
                "public_transport": 3,
                "access_pressure": 2,
                "adjacency": 1,
                "env_space": 1,
                "size_shape": 1,
            },
        ),
        "logistics": DirectWeights(
            description=_ILLUSTRATION + "default for wholesale & logistics: road access counts most.",
            weights={
                "road_access": 3,
                "adjacency": 2,
                "access_pressure": 2,
                "size_shape": 2,
                "env_space": 1,
                "public_transport": 1,
            },
        ),
        "production": DirectWeights(
            description=_ILLUSTRATION + "default for production/industry: environmental space "
            "(distance to dwellings) counts most.",
            weights={
                "env_space": 3,
                "adjacency": 2,
                "road_access": 2,
                "size_shape": 2,
                "access_pressure": 1,
                "public_transport": 1,
            },
        ),
    }
    return {name: ws.model_copy(update={"unnamed_criteria": "zero"}) for name, ws in sets.items()}


class SMAASettings(BaseModel):
    """Stochastic multicriteria acceptability analysis (SMAA-2) of the weights."""

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(
        default=10_000,
        ge=100,
        le=1_000_000,
        description="Number of weight vectors sampled (assumption: 10,000 gives acceptabilities to about ±0.01).",
    )
    margin: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Sample weights within ± this margin around the chosen weight set; None = "
        "uniformly over all weight vectors (no preference information). Assumption.",
    )
    seed: int = Field(default=0, description="Random seed, for reproducible results.")
    report_ranks: int = Field(default=10, ge=1, description="Rank columns shown in reports (assumption).")


class ScoringSettings(BaseModel):
    """Value functions, weight sets and aggregation method."""

    model_config = ConfigDict(extra="forbid")

    value_functions: dict[str, ValueFunctionSpec] = Field(
        default_factory=dict,
        description="Value function per criterion; criteria without one use the relative "
        "min-max scale over the non-excluded sites (assumption).",
    )
    value_tables: dict[str, CategoricalValueFunction] = Field(
        default_factory=default_value_tables,
        description="Declared value tables of the categorical criteria (nnn_zone, park_profile; "
        "mca.scoring.valuetables), used for a criterion that runs and has no value function; each value "
        "cited or labelled an assumption. Tables given here replace the default of their criterion only.",
    )
    weight_sets: dict[str, WeightSet] = Field(
        default_factory=default_weight_sets,
        description="Named weight sets; the defaults are illustrations (assumption, not policy).",
    )
    default_weight_set: str = Field(default="balanced", description="Weight set used when none is named (assumption).")
    sector_weight_sets: dict[str, str] = Field(
        default_factory=lambda: {"wholesale_logistics": "logistics", "production": "production"},
        description="Sector id → weight set for that sector's suitability; other sectors use "
        "the default weight set (assumption).",
    )
    method: str = Field(
        default="wsm",
        description="Aggregation method, a name or alias of mca.scoring.methods (wsm, topsis, "
        "electre2 alias electre, …); default: weighted sum, for its transparent contributions (assumption).",
        json_schema_extra={"enum": list(METHODS.spellings())},
    )
    smaa: SMAASettings = Field(default_factory=SMAASettings)

    @field_validator("method")
    @classmethod
    def _registered_method(cls, name: str) -> str:
        """The registered name of the method (an alias such as ``electre`` becomes ``electre2``)."""
        if name not in METHODS:
            raise ValueError(f"unknown aggregation method '{name}'; use one of {', '.join(METHODS.spellings())}")
        return METHODS.get(name).name

    @field_validator("value_tables")
    @classmethod
    def _keep_default_tables(cls, tables: dict[str, CategoricalValueFunction]) -> dict[str, CategoricalValueFunction]:
        """The default tables with the given ones replacing theirs (a scenario names only what it changes)."""
        return {**default_value_tables(), **tables}

    def value_function(self, criterion: str) -> ValueFunctionSpec | None:
        """The criterion's value function, else its value table, else None (the min-max default)."""
        return self.value_functions.get(criterion) or self.value_tables.get(criterion)

    @model_validator(mode="after")
    def _weight_sets_exist(self) -> ScoringSettings:
        names = set(self.weight_sets)
        if self.default_weight_set not in names:
            raise ValueError(
                f"default_weight_set '{self.default_weight_set}' is not among the weight sets {sorted(names)}"
            )
        unknown = {s: n for s, n in self.sector_weight_sets.items() if n not in names}
        if unknown:
            raise ValueError(f"sector_weight_sets name unknown weight sets: {unknown}")
        return self
