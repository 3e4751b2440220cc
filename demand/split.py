"""Split a demand total into segments: sector x size class x period."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from mca.core.errors import UserError

SEGMENT_COLUMNS = ("sector", "size_class", "period", "hectares")


def split_segments(
    total_by_period: Mapping[str, float],
    sector_shares: Mapping[str, float],
    size_shares: Mapping[str, float],
    size_shares_by_sector: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Hectares per sector, size class and period.

    Each period's total is spread over sector x size class in proportion to
    ``sector_shares[sector] * size_shares[size]`` (``size_shares_by_sector[sector]`` where
    given). Shares are normalised to sum to one, so the hectares of a period sum to its total;
    the floating-point residue goes to the largest segment so that ``math.fsum`` is exact.
    Returns a frame with columns ``sector, size_class, period, hectares``.
    """
    overrides = size_shares_by_sector or {}
    sectors = _normalised(sector_shares, "sector_shares")
    weights = {
        (sector, size): sector_share * size_share
        for sector, sector_share in sectors.items()
        for size, size_share in _normalised(overrides.get(sector, size_shares), f"size_shares ({sector})").items()
    }
    rows: list[tuple[str, str, str, float]] = []
    for period, total in total_by_period.items():
        if not math.isfinite(total) or total < 0:
            raise UserError(f"demand total {total} ha is not a non-negative number", field=f"period {period}")
        hectares = {key: total * weight for key, weight in weights.items()}
        largest = max(hectares, key=hectares.__getitem__)
        hectares[largest] += total - math.fsum(hectares.values())
        rows.extend((sector, size, period, ha) for (sector, size), ha in hectares.items())
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS)).astype({"hectares": float})


def _normalised(shares: Mapping[str, float], field: str) -> dict[str, float]:
    total = math.fsum(shares.values())
    if total <= 0 or any(value < 0 for value in shares.values()):
        raise UserError("shares must be non-negative with a positive sum", field=field)
    return {key: value / total for key, value in shares.items()}
