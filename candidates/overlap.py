"""Candidate sites that overlap one another, so that the same land is not offered twice unnoticed.

A team-drawn polygon laid over a generated expansion zone, or two drawn sites on top of each
other, would let the allocation place demand twice on one piece of land. Available plots inside
their park's intensification site are the one expected nesting and are not reported.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

OVERLAP_COLUMNS = ("site_id", "other_site_id", "overlap_ha", "share_of_smaller")
EXPECTED_NESTING = frozenset({("available_plot", "intensification"), ("intensification", "available_plot")})
MIN_OVERLAP_HA = 0.01


def overlapping_sites(sites: gpd.GeoDataFrame, min_overlap_ha: float = MIN_OVERLAP_HA) -> pd.DataFrame:
    """Pairs of candidate sites whose polygons share more than ``min_overlap_ha`` (sorted by id).

    Gives ``site_id, other_site_id, overlap_ha, share_of_smaller``; available plots inside the
    intensification site of their own park are left out (that nesting is by design).
    """
    if sites.empty:
        return pd.DataFrame(columns=list(OVERLAP_COLUMNS))
    frame = sites[["site_id", "kind", "park", "geometry"]].reset_index(drop=True)
    left, right = frame.sindex.query(frame.geometry, predicate="intersects")
    rows = []
    for i, j in zip(left, right):
        if i >= j:
            continue
        a, b = frame.iloc[i], frame.iloc[j]
        if (a["kind"], b["kind"]) in EXPECTED_NESTING and a["park"] == b["park"]:
            continue
        shared = a.geometry.intersection(b.geometry).area / 10_000
        if shared > min_overlap_ha:
            smaller = min(a.geometry.area, b.geometry.area) / 10_000
            rows.append((str(a["site_id"]), str(b["site_id"]), shared, shared / smaller if smaller else 0.0))
    out = pd.DataFrame(rows, columns=list(OVERLAP_COLUMNS))
    return out.sort_values(["site_id", "other_site_id"], kind="mergesort").reset_index(drop=True)
