"""The live path of the workbench: value scores computed once, re-ranking by one matrix product.

`LiveRanker` holds, per scope (all sectors, or one sector with its own exclusions), the value
scores of the sites that scope does not exclude; for all sectors that also leaves out a site
closed to every sector one by one (it can receive nothing). A weight change is then one ``V @ w`` and one
sort: the same ranks as `mca.scoring.rank_sites` with method ``wsm`` (score = Σ wⱼ vⱼ with the
weights normalised to sum 1, ties on the score rounded to 12 decimals broken by site_id), which
`tests/app/serve/test_ranking.py` checks site by site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mca.core.errors import UserError
from mca.core.vocabulary import ALL_SECTORS
from mca.scoring import excluded_sites, value_scores
from mca.scoring.aggregation import TIE_DECIMALS
from mca.scoring.settings import ScoringSettings


@dataclass(frozen=True)
class ScopeScores:
    """Value scores of one scope: the eligible sites' rows (positions into the site order)."""

    eligible: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Ranking:
    """One re-ranking: per site (in the ranker's site order) its score and rank; 0 = excluded."""

    scores: np.ndarray
    ranks: np.ndarray

    def order(self) -> np.ndarray:
        """Site positions from rank 1 down (excluded sites left out)."""
        ranked = np.flatnonzero(self.ranks > 0)
        return ranked[np.argsort(self.ranks[ranked], kind="stable")]


class LiveRanker:
    """Weighted-sum re-ranking of a fixed set of sites for any weights, per scope."""

    def __init__(
        self,
        raw: pd.DataFrame,
        directions: Mapping[str, str],
        exclusions: pd.DataFrame,
        scoring: ScoringSettings,
        sectors: Iterable[str] = (),
        fold: bool = True,
    ) -> None:
        raw = raw.set_axis(raw.index.astype(str).rename("site_id"))
        self.site_ids: list[str] = list(raw.index)
        self.criteria: list[str] = [str(c) for c in raw.columns]
        self._id_position = np.argsort(np.argsort(np.array(self.site_ids), kind="stable"), kind="stable")
        self._scopes: dict[str, ScopeScores] = {}
        sectors = list(sectors)
        closed = {
            scope: excluded_sites(exclusions, raw.index, None if scope == ALL_SECTORS else scope)["excluded"]
            for scope in (ALL_SECTORS, *sectors)
        }
        if sectors and fold:  # a site closed to every sector one by one ranks for none, as in `pipeline.ranked_list`
            closed[ALL_SECTORS] = closed[ALL_SECTORS] | np.logical_and.reduce([closed[s] for s in sectors])
        for scope, excluded in closed.items():
            scores = value_scores(raw, directions, scoring, excluded).to_numpy(dtype=float)
            eligible = np.flatnonzero(~excluded.to_numpy())
            self._scopes[scope] = ScopeScores(eligible, scores[eligible])

    @property
    def scopes(self) -> list[str]:
        """The scopes: ``"*"`` (all sectors) first, then the sector ids."""
        return list(self._scopes)

    def scope(self, scope: str) -> ScopeScores:
        """The value scores of ``scope``; an unknown scope is a user error."""
        if scope not in self._scopes:
            raise UserError(f"unknown scope '{scope}'; known: {self.scopes}", source="request", field="scope")
        return self._scopes[scope]

    def weight_vector(self, weights: Mapping[str, float]) -> np.ndarray:
        """The weights in criterion order, normalised to sum 1."""
        vector = np.array([float(weights.get(c, 0.0)) for c in self.criteria])
        total = vector.sum()
        if not np.isfinite(total) or total <= 0 or (vector < 0).any():
            raise UserError("weights must be finite, non-negative and not all zero", source="request", field="weights")
        return vector / total

    def rank(self, weights: Mapping[str, float], scope: str = ALL_SECTORS) -> Ranking:
        """Scores and ranks of every site under ``weights`` in ``scope``."""
        data = self.scope(scope)
        w = self.weight_vector(weights)
        score = data.values @ w
        key = np.round(score, TIE_DECIMALS)
        order = np.lexsort((self._id_position[data.eligible], -key))
        scores = np.full(len(self.site_ids), np.nan)
        scores[data.eligible] = score
        ranks = np.zeros(len(self.site_ids), dtype=np.int64)
        ranks[data.eligible[order]] = np.arange(1, len(order) + 1)
        return Ranking(scores, ranks)

    def value_frame(self, scope: str = ALL_SECTORS) -> pd.DataFrame:
        """The eligible sites' value scores as a frame (index site_id, one column per criterion)."""
        data = self.scope(scope)
        index = pd.Index([self.site_ids[i] for i in data.eligible], name="site_id")
        return pd.DataFrame(data.values, index=index, columns=self.criteria)
