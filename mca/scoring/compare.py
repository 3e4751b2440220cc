"""Side-by-side comparison of rankings under several weight sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from mca.core.errors import UserError
from mca.scoring.ranking import rank_sites
from mca.scoring.settings import ScoringSettings


@dataclass(frozen=True)
class ComparisonResult:
    """Ranks per weight set and how far they agree.

    ``ranks``: index site_id, one column per weight set (``<NA>`` for excluded sites), sorted by
    the first weight set's rank. ``kendall``: per pair ``a, b, tau, p_value, n_sites`` (Kendall's
    tau-b on the non-excluded sites). ``top_k``: per pair ``a, b, k, overlap, share``.
    ``movers``: per non-excluded site ``min_rank, max_rank, spread`` (max − min), largest first.
    """

    ranks: pd.DataFrame
    kendall: pd.DataFrame
    top_k: pd.DataFrame
    movers: pd.DataFrame


def compare_weight_sets(
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    exclusions: pd.DataFrame,
    settings: ScoringSettings,
    names: list[str],
    method: str | None = None,
    top_k: int = 10,
    sector: str | None = None,
) -> ComparisonResult:
    """Rank the sites under each named weight set and compare the rankings pairwise."""
    if len(names) < 2 or len(set(names)) != len(names):
        raise UserError("name at least two different weight sets to compare", field="weight_sets")
    if top_k < 1:
        raise UserError("top_k must be at least 1", field="top_k")
    columns = {}
    for name in names:
        ranking = rank_sites(raw, directions, exclusions, settings, name, method, sector)
        columns[name] = ranking.set_index("site_id")["rank"]
    ranks = pd.DataFrame(columns)
    ranks = ranks.sort_values(names[0], na_position="last", kind="mergesort")
    ranks.index.name = "site_id"
    ranked = ranks.dropna().astype(float)

    from scipy.stats import kendalltau  # imported here: scipy.stats takes about 0.5 s to import

    kendall_rows, top_rows = [], []
    for a, b in combinations(names, 2):
        if len(ranked) >= 2:
            result = kendalltau(ranked[a], ranked[b])
            tau, p_value = float(result.statistic), float(result.pvalue)
        else:
            tau, p_value = np.nan, np.nan
        kendall_rows.append({"a": a, "b": b, "tau": tau, "p_value": p_value, "n_sites": len(ranked)})
        k = min(top_k, len(ranked))
        top_a = set(ranked.index[ranked[a] <= k])
        top_b = set(ranked.index[ranked[b] <= k])
        overlap = len(top_a & top_b)
        top_rows.append({"a": a, "b": b, "k": k, "overlap": overlap, "share": overlap / k if k else np.nan})

    movers = pd.DataFrame({"min_rank": ranked.min(axis=1), "max_rank": ranked.max(axis=1)})
    movers["spread"] = movers["max_rank"] - movers["min_rank"]
    movers = (
        movers.astype(int)
        .reset_index()
        .sort_values(["spread", "min_rank", "site_id"], ascending=[False, True, True], kind="mergesort")
        .set_index("site_id")
    )
    return ComparisonResult(ranks, pd.DataFrame(kendall_rows), pd.DataFrame(top_rows), movers)
