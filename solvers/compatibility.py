"""Which segment (sector × size class) may go on which site, and why a pair is closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mca.core.errors import DataError
from mca.core.sectors import SIZE_CLASSES, Sector, segment_id
from mca.core.vocabulary import ALL_SECTORS
from solvers.settings import AllocationSettings

REASON_COLUMNS = ["site_id", "segment", "rule", "reason"]


@dataclass(frozen=True)
class Compatibility:
    """``matrix``: bool frame site_id × segment id; ``reasons``: one row per closing rule and pair."""

    matrix: pd.DataFrame
    reasons: pd.DataFrame


def build_compatibility(
    candidates: pd.DataFrame,
    sectors: Sequence[Sector],
    settings: AllocationSettings,
    *,
    exclusions: pd.DataFrame | None = None,
    parks: pd.DataFrame | None = None,
    policy_closures: pd.DataFrame | None = None,
) -> Compatibility:
    """Close site × segment pairs by exclusions, park profile rules, environmental category and contiguity.

    ``candidates`` needs ``site_id`` and, for the rules that use them, ``park``,
    ``max_env_category`` (NaN = unknown = allowed) and ``contiguous_ha``.
    ``exclusions``: ``site_id, criterion, sector`` (``"*"`` = all sectors), ``reason``.
    ``parks``: indexed by ``park_id`` with bool columns ``no_new_logistics`` and ``reserve_env_space``.
    ``policy_closures``: the pairs the policy table closes (`solvers.policy.policy_reasons`); when
    given (even empty), the table replaces the park-flag profile rules.
    """
    if "site_id" not in candidates:
        raise DataError("missing column 'site_id'", source="candidates", field="site_id")
    site_ids = candidates["site_id"].to_numpy()
    sector_by_id = {s.id: s for s in sectors}
    parts: list[pd.DataFrame] = []
    if exclusions is not None and len(exclusions):
        parts.append(_exclusion_reasons(exclusions, site_ids, sector_by_id))
    if policy_closures is not None:
        parts.append(policy_closures[REASON_COLUMNS])
    elif parks is not None and "park" in candidates:
        parts.append(_profile_reasons(candidates, parks, sectors, settings))
    if settings.rule_env_category and "max_env_category" in candidates:
        parts.append(_env_category_reasons(candidates, sectors))
    if "contiguous_ha" in candidates:
        small = candidates.loc[candidates["contiguous_ha"] < settings.xxl_min_ha, ["site_id", "contiguous_ha"]]
        parts.append(
            _per_sector(
                small["site_id"],
                small["contiguous_ha"].map(
                    lambda ha: f"largest contiguous area {ha:g} ha < XXL minimum plot {settings.xxl_min_ha:g} ha"
                ),
                [s.id for s in sectors],
                "contiguity",
                size_classes=("XXL",),
            )
        )
    reasons = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else pd.DataFrame(columns=REASON_COLUMNS)
    )
    segments = [segment_id(s.id, z) for s in sectors for z in SIZE_CLASSES]
    matrix = pd.DataFrame(True, index=pd.Index(site_ids, name="site_id"), columns=segments)
    if len(reasons):
        closed = reasons[["site_id", "segment"]].drop_duplicates()
        rows = matrix.index.get_indexer(closed["site_id"])
        cols = matrix.columns.get_indexer(closed["segment"])
        values = matrix.to_numpy(copy=True)
        values[rows, cols] = False
        matrix = pd.DataFrame(values, index=matrix.index, columns=matrix.columns)
    return Compatibility(matrix=matrix, reasons=reasons.reset_index(drop=True))


def _per_sector(
    site_ids: pd.Series,
    reasons: pd.Series,
    sector_ids: Sequence[str],
    rule: str,
    size_classes: Sequence[str] = SIZE_CLASSES,
) -> pd.DataFrame:
    """Rows for every (site, sector in sector_ids, size class) with the site's reason."""
    base = pd.DataFrame({"site_id": site_ids.to_numpy(), "reason": reasons.to_numpy()})
    rows = [base.assign(segment=segment_id(s, z)) for s in sector_ids for z in size_classes]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=REASON_COLUMNS)
    return out.assign(rule=rule)[REASON_COLUMNS]


def _exclusion_reasons(exclusions: pd.DataFrame, site_ids: np.ndarray, sector_by_id: dict[str, Sector]) -> pd.DataFrame:
    for col in ("site_id", "criterion", "sector", "reason"):
        if col not in exclusions:
            raise DataError(f"missing column {col!r}", source="exclusions", field=col)
    unknown_site = ~exclusions["site_id"].isin(site_ids)
    if unknown_site.any():
        raise DataError(
            f"unknown site {exclusions.loc[unknown_site, 'site_id'].iloc[0]!r}", source="exclusions", field="site_id"
        )
    unknown_sector = ~exclusions["sector"].isin([ALL_SECTORS, *sector_by_id])
    if unknown_sector.any():
        raise DataError(
            f"unknown sector {exclusions.loc[unknown_sector, 'sector'].iloc[0]!r}", source="exclusions", field="sector"
        )
    text = exclusions["criterion"].astype(str) + ": " + exclusions["reason"].astype(str)
    parts = []
    for sector in sector_by_id:
        hit = exclusions["sector"].isin([ALL_SECTORS, sector])
        parts.append(_per_sector(exclusions.loc[hit, "site_id"], text[hit], [sector], "exclusion"))
    return pd.concat(parts, ignore_index=True)


def _profile_reasons(
    candidates: pd.DataFrame, parks: pd.DataFrame, sectors: Sequence[Sector], settings: AllocationSettings
) -> pd.DataFrame:
    in_park = candidates[candidates["park"].notna()]
    unknown = ~in_park["park"].isin(parks.index)
    if unknown.any():
        raise DataError(
            f"park {in_park.loc[unknown, 'park'].iloc[0]!r} not in the park table", source="candidates", field="park"
        )
    parts = []
    if settings.rule_no_new_logistics:
        flag = parks["no_new_logistics"].reindex(in_park["park"]).fillna(False).to_numpy(dtype=bool)
        hit = in_park[flag]
        parts.append(
            _per_sector(
                hit["site_id"],
                "park " + hit["park"].astype(str) + " takes no new logistics (profile rule)",
                [s.id for s in sectors if s.is_logistics],
                "profile",
            )
        )
    if settings.rule_reserve_env_space:
        flag = parks["reserve_env_space"].reindex(in_park["park"]).fillna(False).to_numpy(dtype=bool)
        hit = in_park[flag]
        parts.append(
            _per_sector(
                hit["site_id"],
                "park "
                + hit["park"].astype(str)
                + " keeps environmental space for high-nuisance sectors (profile rule)",
                [s.id for s in sectors if not s.high_nuisance],
                "profile",
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REASON_COLUMNS)


def _env_category_reasons(candidates: pd.DataFrame, sectors: Sequence[Sector]) -> pd.DataFrame:
    cat = pd.to_numeric(candidates["max_env_category"], errors="coerce")
    parts = []
    for s in sectors:
        hit = cat.notna() & (cat < s.min_env_category)
        text = cat[hit].map(
            lambda c, s=s: f"max environmental category {c:g} < {s.min_env_category:g} required by {s.id}"
        )
        parts.append(_per_sector(candidates.loc[hit, "site_id"], text, [s.id], "env_category"))
    return pd.concat(parts, ignore_index=True)
