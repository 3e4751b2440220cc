"""The data flow of one scenario: scenario → layers → candidates → criteria → scores → allocation.

Each stage is a plain function of the previous stages' frames; `run_scenario` strings them
together into a `mca.results.RunResult`. I/O happens only in `load_inputs` (reading) and in
`mca.reports` (writing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import criteria
from candidates import build_candidates
from demand import forecast
from demand.forecast import Forecast
from demand.report import forecast_to_dict
from mca.dataset import PARKS_CSV, load_parks
from mca.errors import UserError
from mca.jsonable import plain
from mca.layers import LAYER_SCHEMA, load_layers, schematic_layers
from mca.results import RunResult
from mca.scenario import LoadedScenario
from mca.scoring import excluded_sites, rank_sites, smaa, suitability, value_scores
from mca.scoring.ranking import weight_set_name
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import resolve_weights
from solvers import AllocationProblem, AllocationResult, build_compatibility, solve

Progress = Callable[[str], None]

ROUNDING_ITEM = "XXL rounding above demand (ha)"

ENV_CATEGORY_COLUMN = "env_space_category"
"""Column of the env_space criterion: the highest VNG category the site's dwelling distance allows."""


def _quiet(_message: str) -> None:
    """A progress callback that says nothing."""


@dataclass
class Inputs:
    """What one scenario reads from disk: the park table and the GIS layers."""

    loaded: LoadedScenario
    parks: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]
    files: list[Path] = field(default_factory=list)

    @property
    def scenario(self):  # noqa: ANN201 - mca.scenario.Scenario
        return self.loaded.scenario


@dataclass
class Scored:
    """Candidates with their criteria evaluation, value scores and per-sector suitability."""

    sites: gpd.GeoDataFrame
    evaluation: criteria.Evaluation
    raw: pd.DataFrame
    directions: dict[str, str]
    suitability: pd.DataFrame


def load_inputs(loaded: LoadedScenario) -> Inputs:
    """Read the park table and the layers named by the scenario (relative to its folder)."""
    scenario = loaded.scenario
    parks_path = scenario.parks_table
    if parks_path is not None and not parks_path.is_absolute():
        parks_path = loaded.base_dir / parks_path
    parks = load_parks(parks_path)
    layers = load_layers(scenario.layers, base_dir=loaded.base_dir)
    files = [*loaded.files, parks_path or PARKS_CSV, *_layer_files(loaded)]
    return Inputs(loaded=loaded, parks=parks, layers=layers, files=sorted(set(files), key=str))


def _layer_files(loaded: LoadedScenario) -> list[Path]:
    """The files the layers were read from."""
    settings = loaded.scenario.layers
    return [settings.source_for(name, loaded.base_dir).path.resolve() for name in LAYER_SCHEMA]


def candidate_sites(inputs: Inputs) -> gpd.GeoDataFrame:
    """All candidate sites of the scenario."""
    return build_candidates(
        inputs.layers, inputs.parks, inputs.scenario.candidates, base_dir=inputs.loaded.base_dir
    )


def ranking_matrix(evaluation: criteria.Evaluation) -> tuple[pd.DataFrame, dict[str, str]]:
    """The raw values of the ranking criteria (primary columns) and their directions."""
    meta = evaluation.meta
    ranking = [name for name in evaluation.primary if meta.loc[name, "kind"] == "ranking"]
    raw = pd.DataFrame({name: evaluation.values[evaluation.primary[name]] for name in ranking})
    directions = {name: str(meta.loc[name, "direction"]) for name in ranking}
    return raw, directions


def without_unscorable_sites(evaluation: criteria.Evaluation) -> criteria.Evaluation:
    """Exclude the sites for which a ranking criterion has no value (e.g. no road route to a junction).

    A missing value is not silently scored as the worst: the site is excluded and the reason says
    which criterion could not be computed, so the analyst can repair the layer or drop the site.
    """
    raw, _ = ranking_matrix(evaluation)
    missing = raw.isna().stack()
    missing = missing[missing]
    if missing.empty:
        return evaluation
    rows = pd.DataFrame(
        {
            "site_id": missing.index.get_level_values(0),
            "criterion": missing.index.get_level_values(1),
            "sector": "*",
            "reason": [f"no value for {name} (e.g. no road route to a junction, or no features in its layer)"
                       for name in missing.index.get_level_values(1)],
        }
    )
    return replace(evaluation, exclusions=pd.concat([evaluation.exclusions, rows], ignore_index=True))


def score_sites(inputs: Inputs, sites: gpd.GeoDataFrame, progress: Progress = _quiet) -> Scored:
    """Evaluate every enabled criterion and compute suitability per site × sector."""
    scenario = inputs.scenario
    evaluation = criteria.evaluate(sites, inputs.layers, scenario.criteria, scenario.sectors, progress=progress)
    evaluation = without_unscorable_sites(evaluation)
    raw, directions = ranking_matrix(evaluation)
    suit = suitability(raw, directions, evaluation.exclusions, scenario.scoring, scenario.sectors)
    return Scored(sites=sites, evaluation=evaluation, raw=raw, directions=directions, suitability=suit)


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
        scored.evaluation.exclusions,
        inputs.scenario.scoring,
        weight_set=weight_set,
        method=method,
        sector=sector,
    )
    info = scored.sites.set_index("site_id")[["name", "kind", "park", "capacity_ha"]]
    return ranking.join(info, on="site_id")


def compatibility_sites(scored: Scored) -> pd.DataFrame:
    """Candidates with ``max_env_category`` capped by the dwelling-distance criterion, if evaluated."""
    sites = pd.DataFrame(scored.sites.drop(columns="geometry"))
    values = scored.evaluation.values
    if ENV_CATEGORY_COLUMN in values:
        by_distance = values[ENV_CATEGORY_COLUMN].reindex(sites["site_id"]).to_numpy(dtype=float)
        sites["max_env_category"] = np.fmin(sites["max_env_category"].to_numpy(dtype=float), by_distance)
    return sites


def allocation_problem(inputs: Inputs, scored: Scored, segments: pd.DataFrame) -> AllocationProblem:
    """The allocation problem of the scenario: capacities, demand, compatibility, suitability, roads."""
    scenario = inputs.scenario
    sites = compatibility_sites(scored)
    compatibility = build_compatibility(
        sites,
        scenario.sectors,
        scenario.allocation,
        exclusions=scored.evaluation.exclusions,
        parks=inputs.parks,
    )
    return AllocationProblem(
        sites=sites,
        demand=segments,
        suitability=scored.suitability,
        compatibility=compatibility.matrix,
        links=scored.evaluation.links,
        routes=scored.evaluation.routes,
        sectors=tuple(scenario.sectors),
        compatibility_reasons=compatibility.reasons,
    )


def allocate(inputs: Inputs, scored: Scored, fc: Forecast, solver: str | None = None) -> AllocationResult:
    """Solve the allocation of the forecast segments to the scored sites."""
    settings = inputs.scenario.allocation
    if solver is not None:
        settings = settings.model_copy(update={"solver": solver})
    return solve(allocation_problem(inputs, scored, fc.segments), settings)


def robustness(inputs: Inputs, scored: Scored, samples: int, margin: float | None, seed: int):  # noqa: ANN201
    """SMAA-2 over the default weight set's criteria, on the non-excluded sites."""
    scoring = inputs.scenario.scoring
    scores = value_scores(scored.raw, scored.directions, scoring)
    excluded = _excluded_everywhere(scored)
    scores = scores.drop(index=excluded, errors="ignore")
    base = default_weights(scoring, list(scores.columns))
    return smaa(scores, list(scores.columns), samples=samples, margin=margin, base_weights=base, seed=seed)


def default_weights(scoring: ScoringSettings, criteria_names: list[str]) -> dict[str, float]:
    """The normalised weights of the scenario's default weight set."""
    return resolve_weights(scoring.weight_sets[weight_set_name(scoring, None, None)], criteria_names).weights


def _excluded_everywhere(scored: Scored) -> list[str]:
    """Sites excluded for all sectors (``*`` exclusions)."""
    ex = scored.evaluation.exclusions
    return sorted(set(ex.loc[ex["sector"] == "*", "site_id"]))


def assumptions_table(inputs: Inputs, fc: Forecast, scored: Scored) -> pd.DataFrame:
    """Every labelled assumption and cited source figure that the run used, in the order of the chain."""
    scenario = inputs.scenario
    rows = [{"item": "1 demand", "value": note, "basis": "assumption"} for note in fc.assumptions]
    rows += [{"item": "1 demand: source", "value": str(src), "basis": "source"} for src in fc.sources]
    rows += _described_fields("2 candidates", scenario.candidates)
    for name, row in scored.evaluation.meta.iterrows():
        rows.append({"item": f"3 criterion {name}", "value": str(row["params"]), "basis": row["description"]})
    scoring = scenario.scoring
    for name in sorted({weight_set_name(scoring, None, None), *scoring.sector_weight_sets.values()}):
        weight_set = scoring.weight_sets[name]
        weights = resolve_weights(weight_set, list(scored.raw.columns)).weights
        rows.append(
            {
                "item": f"4 weight set {name}",
                "value": ", ".join(f"{c} {w:.3f}" for c, w in weights.items()),
                "basis": weight_set.description or "assumption",
            }
        )
    rows += _described_fields("5 allocation", scenario.allocation)
    for sector in scenario.sectors:
        rows.append(
            {
                "item": f"6 sector {sector.id}",
                "value": (
                    f"emission class {sector.emission_class}, {sector.truck_trips_per_ha_day:g} truck trips/ha/day, "
                    f"minimum environmental category {sector.min_env_category:g}"
                ),
                "basis": f"assumption: {sector.assumption}",
            }
        )
    if schematic_layers(inputs.layers):
        rows.append(
            {
                "item": "7 layers",
                "value": ", ".join(schematic_layers(inputs.layers)),
                "basis": "assumption: schematic demonstration geometry, not real boundaries",
            }
        )
    return pd.DataFrame(rows, columns=["item", "value", "basis"])


def _described_fields(stage: str, model) -> list[dict[str, str]]:  # noqa: ANN001 - any pydantic model
    """Scalar fields of a settings model with their values and their documented basis."""
    rows = []
    for name, info in type(model).model_fields.items():
        description = info.description or "setting"
        basis = description if "assumption" not in description.lower() else f"assumption: {description}"
        rows.append({"item": f"{stage}: {name}", "value": str(getattr(model, name)), "basis": basis})
    return rows


def run_scenario(loaded: LoadedScenario, progress: Progress = _quiet) -> RunResult:
    """Run every stage of one scenario and collect what the reports need."""
    scenario = loaded.scenario
    progress("reading layers and park table")
    inputs = load_inputs(loaded)
    progress("forecasting demand")
    fc = forecast(scenario.demand)
    progress("building candidate sites")
    sites = candidate_sites(inputs)
    scored = score_sites(inputs, sites, progress)
    progress("ranking sites")
    ranking = ranked_list(inputs, scored)
    progress(f"allocating demand ({scenario.allocation.solver})")
    result = allocate(inputs, scored, fc)
    acceptability = central = None
    smaa_settings = scenario.scoring.smaa
    if scenario.outputs.robustness and smaa_settings.samples:
        progress(f"SMAA robustness ({smaa_settings.samples} samples)")
        smaa_result = robustness(inputs, scored, smaa_settings.samples, smaa_settings.margin, smaa_settings.seed)
        acceptability, central = smaa_result.acceptability, smaa_result.central_weights
    allocation = result.allocation
    allocated = allocation.groupby("site_id")["hectares"].sum() if len(allocation) else pd.Series(dtype=float)
    site_frame = _site_frame(scored, ranking, allocated)
    weights = default_weights(scenario.scoring, list(scored.raw.columns))
    return RunResult(
        scenario_name=scenario.name,
        scenario_path=loaded.path,
        scenario=scenario.model_dump(mode="json"),
        sites=site_frame,
        ranking=ranking,
        exclusions=scored.evaluation.exclusions,
        segments=fc.segments,
        demand=forecast_to_dict(fc),
        allocation=allocation,
        shortfall=result.shortfall,
        allocation_summary=_summary_items(result.summary)
        | {ROUNDING_ITEM: round(float(result.rounding["hectares"].sum()), 6)},
        assumptions=assumptions_table(inputs, fc, scored),
        parks=inputs.layers["parks"],
        layers=inputs.layers,
        schematic=bool(schematic_layers(inputs.layers)),
        criteria_meta=scored.evaluation.meta.to_dict(orient="index"),
        weights=weights,
        acceptability=acceptability,
        central_weights=central,
        solver={k: v for k, v in result.to_dict().items() if k in {"status", "objective", "solver", "gap", "seconds"}},
        input_files=inputs.files,
    )


def _summary_items(summary: pd.DataFrame) -> dict[str, float]:
    """Hectares per site kind and period as flat items, e.g. ``{"expansion 2030 (ha)": 12.5}``."""
    return {
        f"{row.kind} {row.period} (ha)": round(float(row.hectares), 6)
        for row in summary.sort_values(["period", "kind"]).itertuples(index=False)
    }


def _site_frame(scored: Scored, ranking: pd.DataFrame, allocated: pd.Series) -> gpd.GeoDataFrame:
    """Candidates joined with criteria values, rank, score, exclusions, suitability and allocation."""
    sites = scored.sites.set_index("site_id")
    values = scored.evaluation.values
    suit = scored.suitability.add_prefix("suit_")
    keep = ranking.set_index("site_id")[["rank", "score", "excluded", "exclusion_reasons"]]
    frame = sites.join(values).join(keep).join(suit)
    frame["allocated_ha"] = allocated.reindex(frame.index).fillna(0.0)
    return gpd.GeoDataFrame(frame.reset_index(), geometry="geometry", crs=sites.crs)


def sites_with_criteria(scored: Scored) -> gpd.GeoDataFrame:
    """Candidates with every criterion value, the exclusion flag and every reason (also per sector).

    ``excluded`` follows the ranking's rule (closed to all sectors); ``exclusion_reasons`` also
    lists the sector-specific exclusions, labelled with their sector.
    """
    sites = scored.sites.set_index("site_id")
    reasons = exclusion_reasons(scored.evaluation.exclusions)
    frame = sites.join(scored.evaluation.values)
    frame["excluded"] = excluded_sites(scored.evaluation.exclusions, frame.index)["excluded"].to_numpy()
    frame["exclusion_reasons"] = reasons.reindex(frame.index).fillna("")
    return gpd.GeoDataFrame(frame.reset_index(), geometry="geometry", crs=sites.crs)


def exclusion_reasons(exclusions: pd.DataFrame) -> pd.Series:
    """Per site, its exclusion reasons joined as ``criterion [sector]: reason; …``."""
    if exclusions.empty:
        return pd.Series(dtype=str)
    label = exclusions["criterion"] + np.where(
        exclusions["sector"] == "*", "", " [" + exclusions["sector"].astype(str) + "]"
    )
    text = label + ": " + exclusions["reason"]
    return text.groupby(exclusions["site_id"]).agg("; ".join)


def site_records(scored: Scored) -> list[dict]:
    """JSON-ready site objects: id, kind, criteria values and exclusions with reasons."""
    sites = scored.sites.set_index("site_id")
    values = scored.evaluation.values
    excluded = excluded_sites(scored.evaluation.exclusions, sites.index)["excluded"]
    by_site = {sid: grp for sid, grp in scored.evaluation.exclusions.groupby("site_id")}
    rows = []
    for site_id, row in sites.iterrows():
        exclusions = by_site.get(site_id)
        rows.append(
            {
                "site_id": site_id,
                "name": row["name"],
                "kind": row["kind"],
                "park": row["park"],
                "area_ha": plain(row["area_ha"]),
                "capacity_ha": plain(row["capacity_ha"]),
                "contiguous_ha": plain(row["contiguous_ha"]),
                "criteria": {col: plain(values.at[site_id, col]) for col in values.columns},
                "excluded": bool(excluded[site_id]),
                "exclusions": []
                if exclusions is None
                else exclusions[["criterion", "sector", "reason"]].to_dict(orient="records"),
            }
        )
    return rows


def ranking_records(ranking: pd.DataFrame) -> list[dict]:
    """JSON-ready ranked sites with a ``contributions`` mapping that adds up to the score."""
    contrib = [c for c in ranking.columns if c.startswith("contrib_")]
    rows = []
    for row in ranking.to_dict(orient="records"):
        record = {k: plain(v) for k, v in row.items() if not k.startswith(("contrib_", "vs_"))}
        if contrib:
            record["contributions"] = {c.removeprefix("contrib_"): plain(row[c]) for c in contrib}
        record["value_scores"] = {
            c.removeprefix("vs_"): plain(row[c]) for c in ranking.columns if c.startswith("vs_")
        }
        rows.append(record)
    return rows


def one_line_summary(result: RunResult) -> str:
    """A one-line account of a run for the terminal."""
    placed = float(result.allocation["hectares"].sum()) if len(result.allocation) else 0.0
    short = float(result.shortfall["hectares"].sum()) if len(result.shortfall) else 0.0
    demand = float(result.segments["hectares"].sum())
    ranked = int(result.ranking["rank"].notna().sum())
    rounding = float(result.allocation_summary.get(ROUNDING_ITEM, 0.0))
    return (
        f"{len(result.sites)} sites ({ranked} ranked), demand {demand:.1f} ha, placed {placed:.1f} ha "
        f"(of which XXL plot rounding {rounding:.1f} ha), shortfall {short:.1f} ha, "
        f"solver {result.solver.get('status', '?')}"
    )
