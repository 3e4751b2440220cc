"""The data flow of one scenario: scenario → inputs → candidates → criteria → scores → allocation.

Each step below is one stage call on the frames of the steps before it; the domain rules live
in the stages, the reading in `mca.inputs`, the writing in `mca.app.reports`. `run_scenario`
strings the steps together into a `mca.app.results.RunResult`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

import criteria
from candidates import build_candidates
from demand import forecast
from demand.forecast import Forecast
from mca.app.assumptions import assumptions_table
from mca.app.demand_view import forecast_to_dict
from mca.app.results import ROUNDING_ITEM, RunResult, summary_items
from mca.app.run_cache import recording_reads
from mca.app.scenario import LoadedScenario, Scenario
from mca.app.stage_cache import Evaluated, StageCache
from mca.core.vocabulary import MAX_ENV_CATEGORY
from mca.inputs import InputData, InputRequest, read_inputs
from mca.inputs.layers import schematic_layers
from mca.scoring import (
    SMAAResult,
    closed_to_every_sector,
    rank_sites,
    smaa,
    suitability,
    unscorable_exclusions,
)
from mca.scoring.ranking import value_matrix, weight_set_name
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import resolve_weights
from solvers import AllocationProblem, AllocationResult, solve
from solvers.policy import PolicyApplied, apply_policy, scoped_exclusions, select_rules
from solvers.policy_trail import reason_trail, regional_outlet

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    """A progress callback that says nothing."""


@dataclass
class Inputs:
    """A loaded scenario and what its files hold."""

    loaded: LoadedScenario
    data: InputData

    @property
    def scenario(self) -> Scenario:
        """The validated scenario."""
        return self.loaded.scenario

    @property
    def parks(self) -> pd.DataFrame:
        """The park table, indexed by park_id."""
        return self.data.parks

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The GIS layers by name, in EPSG:28992."""
        return self.data.layers

    @property
    def files(self) -> list:
        """Every file the run read: the scenario chain and the inputs, sorted."""
        return sorted({*self.loaded.files, *self.data.files}, key=str)


@dataclass
class Scored:
    """Candidates with their criteria evaluation, raw ranking matrix and per-sector suitability."""

    sites: gpd.GeoDataFrame
    evaluation: criteria.Evaluation
    raw: pd.DataFrame
    directions: dict[str, str]
    suitability: pd.DataFrame


def load_inputs(loaded: LoadedScenario) -> Inputs:
    """Read every file the scenario names, relative paths against the scenario's folder."""
    scenario = loaded.scenario
    request = InputRequest(
        base_dir=loaded.base_dir,
        layers=scenario.layers,
        parks_table=scenario.parks_table,
        demand_source=scenario.demand_source,
        user_sites=tuple(scenario.candidates.user_sites) if scenario.candidates.include_user_sites else (),
        tables=criteria.table_settings(scenario.criteria),
        policy_table=scenario.policy.table,
        grid_congestion_table=scenario.policy.grid_congestion_table,
    )
    return Inputs(loaded=loaded, data=read_inputs(request))


def demand_forecast(inputs: Inputs) -> Forecast:
    """The demand forecast of the scenario on its source figures."""
    return forecast(inputs.scenario.demand, inputs.data.demand_source)


def candidate_sites(inputs: Inputs) -> gpd.GeoDataFrame:
    """All candidate sites of the scenario."""
    return build_candidates(inputs.layers, inputs.parks, inputs.scenario.candidates, user_sites=inputs.data.user_sites)


def score_sites(inputs: Inputs, sites: gpd.GeoDataFrame, progress: Progress = _quiet) -> Scored:
    """Evaluate every enabled criterion and compute suitability per site × sector."""
    return scored_sites(inputs, sites, evaluate_sites(inputs, sites, progress))


def evaluate_sites(inputs: Inputs, sites: gpd.GeoDataFrame, progress: Progress = _quiet) -> criteria.Evaluation:
    """The criteria evaluation of ``sites``, a site a ranking criterion cannot score excluded (no weight used)."""
    scenario = inputs.scenario
    evaluation = criteria.evaluate(
        sites, inputs.layers, scenario.criteria, scenario.sectors, progress=progress, tables=inputs.data.tables
    )
    return evaluation.with_exclusions(unscorable_exclusions(evaluation.ranking_matrix()[0]))


def scored_sites(inputs: Inputs, sites: gpd.GeoDataFrame, evaluation: criteria.Evaluation) -> Scored:
    """The sites with their evaluation, raw ranking matrix and suitability per site × sector."""
    raw, directions = evaluation.ranking_matrix()
    suit = suitability(raw, directions, evaluation.exclusions, inputs.scenario.scoring, inputs.scenario.sectors)
    return Scored(sites=sites, evaluation=evaluation, raw=raw, directions=directions, suitability=suit)


def evaluated(
    loaded: LoadedScenario, progress: Progress = _quiet, stages: StageCache | None = None
) -> tuple[Inputs, gpd.GeoDataFrame, criteria.Evaluation, bool]:
    """The inputs, candidate sites and criteria evaluation, and whether they were reused from ``stages``.

    They are reused while everything they read is unchanged (`mca.app.stage_cache`).
    """
    kept = stages.find(loaded) if stages is not None else None
    if kept is not None:
        progress("inputs, candidates and criteria unchanged: reused")
        return Inputs(loaded=loaded, data=kept.data), kept.sites, kept.evaluation, True
    with recording_reads() as reads:
        progress("reading inputs")
        inputs = load_inputs(loaded)
        progress("building candidate sites")
        sites = candidate_sites(inputs)
        evaluation = evaluate_sites(inputs, sites, progress)
    if stages is not None:
        stages.store(loaded, Evaluated(inputs.data, sites, evaluation), reads)
    return inputs, sites, evaluation, False


def ranked_list(
    inputs: Inputs,
    scored: Scored,
    weight_set: str | None = None,
    method: str | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """The ranked site list with contributions, names and kinds, best first."""
    ranking = rank_sites(
        scored.raw,
        scored.directions,
        ranking_exclusions(inputs, scored),
        inputs.scenario.scoring,
        weight_set=weight_set,
        method=method,
        sector=sector,
    )
    info = scored.sites.set_index("site_id")[["name", "kind", "park", "capacity_ha"]]
    return ranking.join(info, on="site_id")


def ranking_exclusions(inputs: Inputs, scored: Scored) -> pd.DataFrame:
    """The exclusions plus an all-sectors row for each site the allocation cannot use for any sector.

    Sector exclusions count as the allocation applies them (after the policy's exclusion scopes),
    so a site closed to every sector one by one is not ranked, and a site the allocation may still
    use keeps its rank.
    """
    exclusions = scored.evaluation.exclusions
    rules = select_rules(inputs.data.policy, inputs.scenario.policy)
    scoped = scoped_exclusions(exclusions, compatibility_sites(scored), rules)
    closed = closed_to_every_sector(scoped, scored.suitability.columns).iloc[len(scoped) :]
    return pd.concat([exclusions, closed], ignore_index=True) if len(closed) else exclusions


def compatibility_sites(scored: Scored) -> pd.DataFrame:
    """Candidates with ``max_env_category`` capped by the criteria's environmental category, if any."""
    sites = pd.DataFrame(scored.sites.drop(columns="geometry"))
    category = scored.evaluation.outputs.get(MAX_ENV_CATEGORY)
    if category is not None:
        by_criteria = category.reindex(sites["site_id"]).to_numpy(dtype=float)
        sites[MAX_ENV_CATEGORY] = np.fmin(sites[MAX_ENV_CATEGORY].to_numpy(dtype=float), by_criteria)
    return sites


def applied_policy(inputs: Inputs, scored: Scored) -> PolicyApplied:
    """The scenario's policy rules applied to the sites, pairs and suitability of the allocation."""
    scenario = inputs.scenario
    return apply_policy(
        compatibility_sites(scored),
        scenario.sectors,
        scenario.allocation,
        select_rules(inputs.data.policy, scenario.policy),
        exclusions=scored.evaluation.exclusions,
        suitability=scored.suitability,
        values=scored.evaluation.values,
        congestion=inputs.data.grid_congestion,
    )


def allocation_problem(
    inputs: Inputs, scored: Scored, segments: pd.DataFrame, applied: PolicyApplied | None = None
) -> AllocationProblem:
    """The allocation problem of the scenario: capacities, demand, compatibility, suitability, roads.

    ``applied``: the policy already applied (`applied_policy`), so that a caller needing it too applies it once.
    """
    applied = applied or applied_policy(inputs, scored)
    return AllocationProblem(
        sites=applied.sites,
        demand=segments,
        suitability=applied.suitability,
        compatibility=applied.compatibility.matrix,
        links=scored.evaluation.links,
        routes=scored.evaluation.routes,
        sectors=tuple(inputs.scenario.sectors),
        compatibility_reasons=applied.compatibility.reasons,
        expansion_cap_ha=applied.expansion_cap_ha,
    )


def allocate(inputs: Inputs, scored: Scored, fc: Forecast, solver: str | None = None) -> AllocationResult:
    """Solve the allocation of the forecast segments; rows carry the reason trail, shortfall the regional outlet."""
    settings = inputs.scenario.allocation
    if solver is not None:
        settings = settings.model_copy(update={"solver": solver})
    applied = applied_policy(inputs, scored)
    result = solve(allocation_problem(inputs, scored, fc.segments, applied), settings)
    result.shortfall = regional_outlet(result.shortfall, result.allocation, applied, settings.xxl_min_ha)
    result.allocation = reason_trail(result.allocation, applied)
    result.notes.extend(applied.notes)
    return result


def robustness(inputs: Inputs, scored: Scored, samples: int, margin: float | None, seed: int) -> SMAAResult:
    """SMAA-2 over the default weight set's criteria, on the sites not excluded everywhere."""
    scoring = inputs.scenario.scoring
    closed = ranking_exclusions(inputs, scored)
    scores = value_matrix(scored.raw, scored.directions, closed, scoring).eligible
    base = default_weights(scoring, list(scores.columns))
    return smaa(scores, list(scores.columns), samples=samples, margin=margin, base_weights=base, seed=seed)


def default_weights(scoring: ScoringSettings, criteria_names: list[str]) -> dict[str, float]:
    """The normalised weights of the scenario's default weight set."""
    return resolve_weights(scoring.weight_sets[weight_set_name(scoring, None, None)], criteria_names).weights


def run_scenario(
    loaded: LoadedScenario,
    progress: Progress = _quiet,
    stages: StageCache | None = None,
    ranked: Callable[[RunResult], None] | None = None,
) -> RunResult:
    """Run every stage of one scenario and collect what the reports need.

    ``stages``: where the inputs, candidates and criteria evaluation are kept for a run that
    changes only what they do not read (`mca.app.stage_cache`); None computes them.
    ``ranked``: called before the allocation is solved with the run so far (`ranked_result`:
    ranking and SMAA done, no allocation), so that what reads nothing of the allocation can be
    drawn meanwhile (`mca.app.writer_process`).
    """
    started, cpu = time.perf_counter(), time.process_time()
    scenario = loaded.scenario
    inputs, sites, evaluation, reused = evaluated(loaded, progress, stages)
    progress("forecasting demand")
    fc = demand_forecast(inputs)
    scored = scored_sites(inputs, sites, evaluation)
    progress("ranking sites")
    ranking = ranked_list(inputs, scored)
    smaa_result = None
    smaa_settings = scenario.scoring.smaa
    if scenario.outputs.robustness and smaa_settings.samples:
        progress(f"SMAA robustness ({smaa_settings.samples} samples)")
        smaa_result = robustness(inputs, scored, smaa_settings.samples, smaa_settings.margin, smaa_settings.seed)
    before = ranked_result(inputs, scored, fc, ranking, smaa_result)
    if ranked is not None:
        ranked(before)
    progress(f"allocating demand ({scenario.allocation.solver})")
    result = allocate(inputs, scored, fc)
    timings = {"solver_s": round(result.seconds, 3), "run_s": round(time.perf_counter() - started, 3)}
    timings |= {"chain_cpu_s": round(time.process_time() - cpu, 3), "stages_reused": reused}
    return dataclasses.replace(
        before,
        sites=_site_frame(scored, ranking, result.allocation),
        allocation=result.allocation,
        shortfall=result.shortfall,
        allocation_summary=summary_items(result.summary)
        | {ROUNDING_ITEM: round(float(result.rounding["hectares"].sum()), 6)},
        solver={"name": result.solver, "status": result.status, "objective": result.objective, "gap": result.gap},
        timings=timings,
    )


def ranked_result(
    inputs: Inputs, scored: Scored, fc: Forecast, ranking: pd.DataFrame, smaa_result: SMAAResult | None
) -> RunResult:
    """The run before its allocation: everything but the allocation, shortfall, solver and timings (empty)."""
    scenario = inputs.scenario
    criteria_names = list(scored.raw.columns)
    return RunResult(
        scenario_name=scenario.name,
        scenario_path=inputs.loaded.path,
        scenario=scenario.model_dump(mode="json"),
        sites=_site_frame(scored, ranking, pd.DataFrame()),
        ranking=ranking,
        exclusions=scored.evaluation.exclusions,
        segments=fc.segments,
        demand=forecast_to_dict(fc),
        allocation=pd.DataFrame(),
        shortfall=pd.DataFrame(),
        allocation_summary={},
        assumptions=assumptions_table(scenario, fc, scored.evaluation, criteria_names, inputs.layers),
        parks=inputs.layers["parks"],
        layers=inputs.layers,
        schematic=bool(schematic_layers(inputs.layers)),
        criteria_meta=scored.evaluation.meta.to_dict(orient="index"),
        weights=default_weights(scenario.scoring, criteria_names),
        acceptability=smaa_result.acceptability if smaa_result else None,
        central_weights=smaa_result.central_weights if smaa_result else None,
        input_files=inputs.files,
    )


def _site_frame(scored: Scored, ranking: pd.DataFrame, allocation: pd.DataFrame) -> gpd.GeoDataFrame:
    """Candidates joined with criteria values, rank, score, exclusions, suitability and allocation."""
    allocated = allocation.groupby("site_id")["hectares"].sum() if len(allocation) else pd.Series(dtype=float)
    sites = scored.sites.set_index("site_id")
    keep = ranking.set_index("site_id")[["rank", "score", "excluded", "exclusion_reasons"]]
    frame = sites.join(scored.evaluation.values).join(keep).join(scored.suitability.add_prefix("suit_"))
    frame["allocated_ha"] = allocated.reindex(frame.index).fillna(0.0)
    return gpd.GeoDataFrame(frame.reset_index(), geometry="geometry", crs=sites.crs)
