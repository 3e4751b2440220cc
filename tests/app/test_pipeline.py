"""The pipeline reads every input at the input edge, relative to the scenario, and records it."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mca.app import pipeline
from mca.app.reports.manifest import build_manifest
from mca.app.scenario import load_scenario
from mca.core.paths import HEERLEN_DIR, SCENARIO_DIR


@pytest.fixture(scope="module")
def scenario_with_every_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario in its own folder naming user sites, an AERIUS table and a demand source by
    relative paths; the working directory is elsewhere."""
    folder = tmp_path_factory.mktemp("study")
    (folder / "inputs").mkdir()
    shutil.copy(HEERLEN_DIR / "demand_source.yaml", folder / "inputs" / "demand.yaml")
    (folder / "inputs" / "aerius.csv").write_text("site_id,deposition_mol_ha_yr\nIN-avantis,0.01\n", encoding="utf-8")
    drawn = gpd.GeoDataFrame({"name": ["Zuid Veld"]}, geometry=[box(195800, 318600, 196100, 318900)], crs="EPSG:28992")
    drawn.to_file(folder / "inputs" / "drawn.gpkg", driver="GPKG")
    scenario = folder / "study.yaml"
    scenario.write_text(
        f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\n"
        "name: study\n"
        "demand_source: inputs/demand.yaml\n"
        "candidates:\n  user_sites: [inputs/drawn.gpkg]\n"
        "criteria:\n  nitrogen:\n    params:\n      aerius_csv: inputs/aerius.csv\n"
        "outputs:\n  robustness: false\n",
        encoding="utf-8",
    )
    return scenario


def test_every_file_read_is_recorded_and_resolved_against_the_scenario(
    scenario_with_every_input: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths must not depend on the working directory
    inputs = pipeline.load_inputs(load_scenario(scenario_with_every_input))
    folder = scenario_with_every_input.parent.resolve()
    expected = {folder / "inputs" / name for name in ("demand.yaml", "aerius.csv", "drawn.gpkg")}
    assert expected <= set(inputs.files)
    assert scenario_with_every_input.resolve() in inputs.files
    assert (SCENARIO_DIR / "heerlen_base.yaml").resolve() in inputs.files
    assert inputs.files == sorted(set(inputs.files), key=str)
    assert list(inputs.data.tables) == ["nitrogen.aerius_csv"]


def test_the_manifest_lists_every_input(scenario_with_every_input: Path) -> None:
    result = pipeline.run_scenario(load_scenario(scenario_with_every_input))
    listed = {Path(item["path"]) for item in build_manifest(result, [])["inputs"]}
    folder = scenario_with_every_input.parent.resolve()
    assert {folder / "inputs" / name for name in ("demand.yaml", "aerius.csv", "drawn.gpkg")} <= listed
    assert (HEERLEN_DIR / "parks.csv").resolve() in listed
    sites = result.sites.set_index("site_id")
    assert sites.loc["IN-avantis", "nitrogen_source"] == "aerius"
    assert "US-zuid-veld" in sites.index


def test_the_reason_trail_names_each_rule_whose_scope_covers_the_row() -> None:
    """Cross-check of the vectorised trail: every row against the rules checked for its own site alone."""
    from solvers import solve
    from solvers.policy import citation, in_list, in_scope
    from solvers.policy_trail import reason_trail

    inputs = pipeline.load_inputs(load_scenario(None))
    fc = pipeline.demand_forecast(inputs)
    scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
    applied = pipeline.applied_policy(inputs, scored)
    allocation = solve(pipeline.allocation_problem(inputs, scored, fc.segments), inputs.scenario.allocation).allocation
    trail = reason_trail(allocation.iloc[::-1], applied)  # any row order
    rules = applied.rules[~applied.rules["kind"].isin(["exclusion_scope", "transformation_compensation"])]
    assert len(trail) == len(allocation) > 10 and (trail["policy_rules"] != "").sum() > 10
    for row in trail.itertuples():
        site = applied.sites[applied.sites["site_id"] == row.site_id]
        expected = [
            citation(rule)
            for _, rule in rules.iterrows()
            if in_scope(site, rule)[0]
            and (rule["kind"] == "sector_profile" or in_list(pd.Series([row.sector]), rule["sectors"])[0])
            and in_list(pd.Series([row.size_class]), rule["size_classes"])[0]
        ]
        assert row.policy_rules == "; ".join(expected)
