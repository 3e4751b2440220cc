"""The policy section of a scenario (``policy:``) and the schema of the policy table.

The rules themselves are data (``data/heerlen/policy.csv``, one cited row per rule, columns in
``data/heerlen/policy_fields.csv``); `mca.inputs.policy` reads the table, `solvers.policy`
applies it. A scenario switches the whole table off (``enabled: false``: the policy-neutral
case with physical exclusions only), switches single rules off (``disable``) or overrides
their ``value`` (``values``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

POLICY_COLUMNS: Final[tuple[str, ...]] = (
    "rule_id",
    "kind",
    "parks",
    "site_kinds",
    "sectors",
    "size_classes",
    "target",
    "value",
    "unit",
    "value_basis",
    "document",
    "section",
    "line",
    "quote",
)
"""Columns of the policy table, all text (see data/heerlen/policy_fields.csv)."""

CITATION_COLUMNS: Final[tuple[str, ...]] = ("document", "section", "quote")
"""Columns every rule must fill: the source, its section or table, and the quoted sentence."""

RULE_KINDS: Final[tuple[str, ...]] = (
    "exclusion_scope",
    "intensify_priority",
    "keep_as_is",
    "env_reserve",
    "logistics_where",
    "sector_profile",
    "xxl_redevelopment",
    "expansion_site_cap",
    "expansion_total_cap",
    "expansion_access",
    "min_plot",
    "public_attracting",
    "grid_congestion",
    "transformation_compensation",
)
"""The rule kinds `solvers.policy` knows (docs/policy.md says how each is modelled)."""


class PolicySettings(BaseModel):
    """Which policy table applies and how a scenario changes it."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        True,
        description="Apply the policy table; false gives the policy-neutral case (physical exclusions only), "
        "as 002 compares scenarios against a policy-neutral base.",
    )
    table: Path | None = Field(None, description="Policy table CSV; default: the bundled data/heerlen/policy.csv.")
    disable: list[str] = Field(default_factory=list, description="Rule ids switched off in this scenario.")
    values: dict[str, str | float] = Field(
        default_factory=dict,
        description="Rule id -> value replacing the table's value (several values ';'-separated).",
    )
    grid_congestion_table: Path | None = Field(
        None,
        description="Optional CSV park_id, congested (true/false) for the grid-congestion rule; without it "
        "the rule is reported as not applied (no data).",
    )
