"""Scoring: value functions, weights, aggregation, ranking, SMAA-2 and weight-set comparison.

Works on plain frames: a raw criteria matrix (index ``site_id``), criterion directions and
an exclusions frame (``site_id, criterion, sector, reason``).
"""

from __future__ import annotations

from mca.scoring.aggregation import aggregate
from mca.scoring.compare import ComparisonResult, compare_weight_sets
from mca.scoring.ranking import (
    closed_to_every_sector,
    excluded_everywhere,
    excluded_sites,
    rank_sites,
    suitability,
    unscorable_exclusions,
    value_scores,
)
from mca.scoring.settings import ScoringSettings, SMAASettings
from mca.scoring.smaa import SMAAResult, smaa
from mca.scoring.valuefunctions import ValueFunctionSpec, apply_value_function
from mca.scoring.weights import WeightSet, WeightsResult, resolve_weights

__all__ = [
    "ComparisonResult",
    "SMAAResult",
    "SMAASettings",
    "ScoringSettings",
    "ValueFunctionSpec",
    "WeightSet",
    "WeightsResult",
    "aggregate",
    "apply_value_function",
    "closed_to_every_sector",
    "compare_weight_sets",
    "excluded_everywhere",
    "excluded_sites",
    "rank_sites",
    "resolve_weights",
    "smaa",
    "suitability",
    "unscorable_exclusions",
    "value_scores",
]
