"""Compatibility matrix: exclusions, park profile rules, environmental category, contiguity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mca.core.errors import DataError
from mca.core.sectors import DEFAULT_SECTORS
from solvers import AllocationSettings, build_compatibility

CANDIDATES = pd.DataFrame(
    {
        "site_id": ["a", "b", "c", "d"],
        "park": ["beitel", "de-koumen", None, "avantis"],
        "max_env_category": [5.1, 4.2, np.nan, 3.1],
        "contiguous_ha": [8.0, 3.0, 12.0, 6.0],
    }
)
PARKS = pd.DataFrame(
    {"no_new_logistics": [True, False, False], "reserve_env_space": [False, True, False]},
    index=pd.Index(["beitel", "de-koumen", "avantis"], name="park_id"),
)
EXCLUSIONS = pd.DataFrame(
    {
        "site_id": ["c", "d"],
        "criterion": ["natura2000", "nitrogen"],
        "sector": ["*", "production"],
        "reason": ["inside Natura 2000", "deposition above threshold"],
    }
)


def test_rules_close_the_expected_pairs() -> None:
    comp = build_compatibility(CANDIDATES, DEFAULT_SECTORS, AllocationSettings(), exclusions=EXCLUSIONS, parks=PARKS)
    m = comp.matrix
    assert not m.loc["a", "wholesale_logistics/MKB"] and m.loc["a", "production/XXL"]  # no new logistics on De Beitel
    assert m.loc["b", "production/MKB"] and not m.loc["b", "consumer/MKB"]  # env space kept for high nuisance
    assert not m.loc["b", "production/XXL"]  # contiguous 3 ha < 5 ha
    assert not m.loc["c"].any()  # excluded for all sectors; unknown env category alone would allow
    assert not m.loc["d", "production/MKB"]  # nitrogen exclusion and category 3.1 < 4.1
    assert not m.loc["d", "wholesale_logistics/MKB"]  # 3.1 < 3.2
    assert m.loc["d", "construction_installation/XXL"] and m.loc["d", "consumer/MKB"]
    rules = set(
        comp.reasons.loc[(comp.reasons["site_id"] == "d") & (comp.reasons["segment"] == "production/MKB"), "rule"]
    )
    assert rules == {"exclusion", "env_category"}
    # every closed pair has at least one reason, every reason closes its pair
    closed = {(s, g) for (s, g), v in m.stack().items() if not v}
    assert closed == set(zip(comp.reasons["site_id"], comp.reasons["segment"]))


def test_rules_can_be_switched_off() -> None:
    s = AllocationSettings(rule_no_new_logistics=False, rule_reserve_env_space=False, rule_env_category=False)
    m = build_compatibility(CANDIDATES, DEFAULT_SECTORS, s, parks=PARKS).matrix
    assert m.loc["a", "wholesale_logistics/MKB"] and m.loc["b", "consumer/MKB"] and m.loc["d", "production/MKB"]


def test_unknown_park_and_sector_are_reported() -> None:
    with pytest.raises(DataError, match="park"):
        build_compatibility(CANDIDATES.assign(park="nowhere"), DEFAULT_SECTORS, AllocationSettings(), parks=PARKS)
    bad = EXCLUSIONS.assign(sector="bakery")
    with pytest.raises(DataError, match="exclusions: sector"):
        build_compatibility(CANDIDATES, DEFAULT_SECTORS, AllocationSettings(), exclusions=bad)
