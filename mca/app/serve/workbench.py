"""The workbench's state for one served scenario: scored sites, live ranking, fact sheets, allocation.

Everything expensive (inputs, candidates, criteria, value scores) is computed once when the
server starts; a weight change only re-ranks (`mca.app.serve.ranking`). Weight sets arrive as
the scenario's own weight models, so a slider, a swing table or an AHP matrix is resolved by
`mca.scoring.weights.resolve_weights`, exactly as in a scenario file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from demand.forecast import Forecast
from mca.app import pipeline
from mca.app.scenario import LoadedScenario, load_scenario
from mca.app.serve.ranking import LiveRanker, Ranking
from mca.core.errors import UserError
from mca.core.jsonable import plain
from mca.core.vocabulary import ALL_SECTORS
from mca.inputs.layers import schematic_layers
from mca.scoring import suitability
from mca.scoring.ranking import weight_set_name
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import WeightSet, WeightsResult, resolve_weights

Progress = Callable[[str], None]
TABLE_ROWS = 25
"""Ranked sites listed in the page's table (the map shows all)."""
WORKSHOP_SET = "workshop"
"""Name of the weight set that holds the room's weights for all sectors (``workshop_<sector>`` per sector)."""


@dataclass
class ServedScenario:
    """What the allocation needs besides the scores: the loaded scenario, its inputs and demand."""

    loaded: LoadedScenario
    inputs: pipeline.Inputs
    forecast: Forecast


def workshop_set_name(scope: str) -> str:
    """The weight-set name that holds the room's weights for ``scope``."""
    return WORKSHOP_SET if scope == ALL_SECTORS else f"{WORKSHOP_SET}_{scope}"


def workshop_scoring(scoring: ScoringSettings, weights: Mapping[str, WeightSet]) -> ScoringSettings:
    """The scoring settings with the room's weight sets as default and per-sector sets."""
    sets = dict(scoring.weight_sets)
    sector_sets = dict(scoring.sector_weight_sets)
    default = scoring.default_weight_set
    for scope, weight_set in weights.items():
        name = workshop_set_name(scope)
        sets[name] = weight_set
        if scope == ALL_SECTORS:
            default = name
        else:
            sector_sets[scope] = name
    return scoring.model_copy(
        update={"weight_sets": sets, "default_weight_set": default, "sector_weight_sets": sector_sets}
    )


class Workbench:
    """Scored sites of one scenario with the operations the page calls."""

    def __init__(
        self, scored: pipeline.Scored, scoring: ScoringSettings, sectors: list[str], served: ServedScenario | None
    ) -> None:
        self.scored = scored
        self.scoring = scoring
        self.sectors = sectors
        self.served = served
        evaluation = scored.evaluation
        if served is None:
            self.ranker = LiveRanker(scored.raw, scored.directions, evaluation.exclusions, scoring, sectors)
        else:  # the ranking's own exclusions, folded as the allocation applies them (policy scopes)
            applied = pipeline.ranking_exclusions(served.inputs, scored)
            self.ranker = LiveRanker(scored.raw, scored.directions, applied, scoring, sectors, fold=False)
        self.criteria = self.ranker.criteria
        self.sites = scored.sites.set_index("site_id").reindex(self.ranker.site_ids)
        self.baseline = {
            scope: self.ranker.rank(self.scope_weights(scope).weights, scope) for scope in self.ranker.scopes
        }

    @classmethod
    def from_scenario(cls, path: Path, progress: Progress = lambda _m: None) -> Workbench:
        """Load, build and score the scenario at ``path`` (a few seconds for Heerlen)."""
        loaded = load_scenario(path)
        progress("reading inputs")
        inputs = pipeline.load_inputs(loaded)
        progress("building candidate sites")
        sites = pipeline.candidate_sites(inputs)
        scored = pipeline.score_sites(inputs, sites, progress)
        served = ServedScenario(loaded, inputs, pipeline.demand_forecast(inputs))
        scenario = loaded.scenario
        return cls(scored, scenario.scoring, [s.id for s in scenario.sectors], served)

    @property
    def name(self) -> str:
        """The served scenario's name."""
        return self.served.loaded.scenario.name if self.served else "synthetic"

    def state(self) -> dict[str, Any]:
        """What the page needs once: criteria with their swing ranges, weight sets, scopes and sites."""
        meta = self.scored.evaluation.meta
        eligible = self.ranker.scope(ALL_SECTORS).eligible
        raw = self.scored.raw.reindex(self.ranker.site_ids).iloc[eligible]
        labels = {s.id: s.label for s in self.served.loaded.scenario.sectors} if self.served else {}
        sites = self.sites
        return {
            "scenario": self.name,
            "schematic": bool(self.served and schematic_layers(self.served.inputs.layers)),
            "criteria": [
                {
                    "name": c,
                    "direction": self.scored.directions[c],
                    "unit": str(meta.at[c, "unit"]) if c in meta.index else "",
                    "description": str(meta.at[c, "description"]) if c in meta.index else "",
                    "worst": plain(raw[c].min() if self.scored.directions[c] == "max" else raw[c].max()),
                    "best": plain(raw[c].max() if self.scored.directions[c] == "max" else raw[c].min()),
                }
                for c in self.criteria
            ],
            "weight_sets": {
                name: {
                    "method": ws.method,
                    "description": ws.description,
                    "given": ws.model_dump(mode="json", exclude={"description"}),
                    "weights": resolve_weights(ws, self.criteria, name=name).weights,
                }
                for name, ws in self.scoring.weight_sets.items()
            },
            "scopes": [
                {
                    "id": scope,
                    "label": "all sectors" if scope == ALL_SECTORS else labels.get(scope, scope),
                    "weight_set": weight_set_name(self.scoring, None, None if scope == ALL_SECTORS else scope),
                }
                for scope in self.ranker.scopes
            ],
            "sites": [
                {"site_id": s, "name": str(n), "kind": str(k), "capacity_ha": plain(c)}
                for s, n, k, c in zip(self.ranker.site_ids, sites["name"], sites["kind"], sites["capacity_ha"])
            ],
            "can_allocate": self.served is not None,
        }

    def resolve(self, weight_set: WeightSet) -> WeightsResult:
        """Weights (sum 1) for exactly the ranking criteria, with AHP's consistency ratio."""
        return resolve_weights(weight_set, self.criteria, name=WORKSHOP_SET)

    def check(self, weights: Mapping[str, WeightSet]) -> None:
        """Refuse unknown scopes and weight sets that do not weigh exactly the ranking criteria."""
        for scope, weight_set in weights.items():
            self.ranker.scope(scope)
            self.resolve(weight_set)

    def scope_weights(self, scope: str) -> WeightsResult:
        """The scenario's own weights for ``scope`` (its sector weight set, else the default)."""
        sector = None if scope == ALL_SECTORS else scope
        name = weight_set_name(self.scoring, None, sector)
        return resolve_weights(self.scoring.weight_sets[name], self.criteria, name=name)

    def rank_payload(self, weight_set: WeightSet, scope: str = ALL_SECTORS) -> dict[str, Any]:
        """Scores, ranks and moves of every site (site order of `state`) and the top of the table."""
        resolved = self.resolve(weight_set)
        ranking = self.ranker.rank(resolved.weights, scope)
        baseline = self.baseline[scope].ranks
        ranked = ranking.ranks > 0
        moves = np.where(ranked & (baseline > 0), baseline - ranking.ranks, 0)
        return {
            "scope": scope,
            "weights": {c: round(w, 6) for c, w in resolved.weights.items()},
            "consistency_ratio": resolved.consistency_ratio,
            "warnings": resolved.warnings,
            "scores": [None if not r else round(s, 4) for s, r in zip(ranking.scores.tolist(), ranked.tolist())],
            "ranks": ranking.ranks.tolist(),
            "moves": moves.tolist(),
            "table": self._table(ranking, moves),
        }

    def _table(self, ranking: Ranking, moves: np.ndarray, rows: int = TABLE_ROWS) -> list[dict[str, Any]]:
        """The best ``rows`` sites with name, score and rank move against the starting weights."""
        table = []
        for position in ranking.order()[:rows]:
            table.append(
                {
                    "site_id": self.ranker.site_ids[position],
                    "name": str(self.sites["name"].iat[position]),
                    "rank": int(ranking.ranks[position]),
                    "score": round(float(ranking.scores[position]), 4),
                    "move": int(moves[position]),
                }
            )
        return table

    def fact_sheet(self, site_id: str, weight_set: WeightSet, scope: str = ALL_SECTORS) -> dict[str, Any]:
        """One site: its criteria values, value scores and contributions, rank and exclusions."""
        if site_id not in self.sites.index:
            raise UserError(f"unknown site '{site_id}'", source="request", field="site_id")
        position = self.ranker.site_ids.index(site_id)
        resolved = self.resolve(weight_set)
        ranking = self.ranker.rank(resolved.weights, scope)
        values = self.ranker.value_frame(scope)
        meta = self.scored.evaluation.meta
        rows = []
        for criterion in self.criteria:
            value = values.at[site_id, criterion] if site_id in values.index else None
            weight = resolved.weights[criterion]
            rows.append(
                {
                    "criterion": criterion,
                    "unit": str(meta.at[criterion, "unit"]) if criterion in meta.index else "",
                    "direction": self.scored.directions[criterion],
                    "raw": plain(self.scored.raw.at[site_id, criterion]),
                    "value_score": None if value is None else round(float(value), 4),
                    "weight": round(weight, 4),
                    "contribution": None if value is None else round(float(weight * value), 4),
                }
            )
        site = self.sites.loc[site_id]
        return {
            "site_id": site_id,
            "name": str(site["name"]),
            "kind": str(site["kind"]),
            "park": plain(site["park"]),
            "area_ha": plain(site["area_ha"]),
            "capacity_ha": plain(site["capacity_ha"]),
            "rank": int(ranking.ranks[position]) or None,
            "score": plain(ranking.scores[position]),
            "criteria": rows,
            "exclusions": exclusion_rules(self.scored.evaluation.exclusions, site_id),
        }

    def allocate(self, weights: Mapping[str, WeightSet], progress: Progress = lambda _m: None) -> dict[str, Any]:
        """Allocate the scenario's demand with the room's weights (per-sector suitability)."""
        if self.served is None:
            raise UserError("this workbench has no demand to allocate", source="request", field="weights")
        self.check(weights)
        scoring = workshop_scoring(self.scoring, weights)
        progress("suitability per sector with the room's weights")
        scored = self.scored
        suit = suitability(scored.raw, scored.directions, scored.evaluation.exclusions, scoring, self.sectors)
        inputs, forecast = self.served.inputs, self.served.forecast
        progress(f"solving the allocation ({inputs.scenario.allocation.solver})")
        result = pipeline.allocate(inputs, replace(scored, suitability=suit), forecast)
        return allocation_payload(result.allocation, result.shortfall, result.summary, result.to_dict(), forecast)


def exclusion_rules(exclusions: pd.DataFrame, site_id: str) -> list[dict[str, Any]]:
    """The site's exclusions: criterion, sector, reason, and the rule and citation behind it.

    Seam for issue 11 (vision rules with citations): ``rule`` and ``citation`` are empty until
    the criteria attach the quoted rule and its source to each exclusion row; the page already
    shows them when present.
    """
    rows = exclusions[exclusions["site_id"] == site_id]
    return [
        {
            "criterion": str(row["criterion"]),
            "sector": "all sectors" if row["sector"] == ALL_SECTORS else str(row["sector"]),
            "reason": str(row["reason"]),
            "rule": str(row["rule"]) if "rule" in rows.columns else None,
            "citation": str(row["citation"]) if "citation" in rows.columns else None,
        }
        for row in rows.to_dict(orient="records")
    ]


def allocation_payload(
    allocation: pd.DataFrame,
    shortfall: pd.DataFrame,
    summary: pd.DataFrame,
    solver: Mapping[str, Any],
    forecast: Forecast,
) -> dict[str, Any]:
    """Hectares per site, the summary per kind and period, the shortfall and the solver's status."""
    per_site = allocation.groupby("site_id")["hectares"].sum() if len(allocation) else pd.Series(dtype=float)
    table = summary.pivot_table(index="kind", columns="period", values="hectares", aggfunc="sum", fill_value=0.0)
    kinds = [
        {"kind": str(kind), **{str(p): round(float(v), 2) for p, v in row.items()}, "total": round(float(row.sum()), 2)}
        for kind, row in table.iterrows()
    ]
    return {
        "hectares": {str(s): round(float(h), 3) for s, h in per_site.items() if h > 0},
        "summary": kinds,
        "periods": [str(p) for p in table.columns],
        "shortfall": [{k: plain(v) for k, v in row.items()} for row in shortfall.to_dict(orient="records")],
        "demand_ha": round(float(forecast.segments["hectares"].sum()), 2),
        "placed_ha": round(float(per_site.sum()), 2),
        "solver": {k: plain(solver.get(k)) for k in ("status", "solver", "objective", "gap", "seconds")},
    }
