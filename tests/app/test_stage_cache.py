"""The inputs, candidates and criteria evaluation are reused only while everything they read is unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mca.app import pipeline
from mca.app.results import RunResult
from mca.app.run_cache import code_fingerprint, package_roots
from mca.app.scenario import load_scenario
from mca.app.stage_cache import StageCache, stage_key
from mca.core.paths import SCENARIO_DIR

REUSED = "inputs, candidates and criteria unchanged: reused"
WEIGHTED = ("road_access", "access_pressure", "env_space", "size_shape", "public_transport")


@pytest.fixture
def study(tmp_path: Path, make_study) -> Path:
    """A quick scenario (no SMAA) reading its own copy of the park table."""
    return make_study(tmp_path, "study", ("parks_table", "parks.csv"))


def variant(study: Path, name: str, text: str) -> Path:
    """A scenario beside ``study`` extending it with ``text``."""
    path = study.with_name(f"{name}.yaml")
    path.write_text(f"extends: {study}\n{text}", encoding="utf-8")
    return path


def weights(adjacency: float) -> str:
    """A scenario section giving the default weight set other weights."""
    given = {"adjacency": adjacency, **dict.fromkeys(WEIGHTED, 1.0)}
    return (
        "scoring:\n  default_weight_set: workshop\n  weight_sets:\n"
        f"    workshop: {json.dumps({'method': 'direct', 'weights': given})}\n"
    )


def run(scenario: Path, stages: StageCache | None) -> tuple[RunResult, list[str]]:
    """The run of ``scenario`` and its progress messages."""
    messages: list[str] = []
    return pipeline.run_scenario(load_scenario(scenario), messages.append, stages), messages


def same_code(code: str) -> None:
    """Skip when another process edited the sources meanwhile (the stages were then computed again)."""
    if code_fingerprint(package_roots()) != code:
        pytest.skip("the sources changed during the test (edited in a shared working tree)")


def test_a_weight_change_reuses_the_stages_and_gives_the_computed_run(study: Path, tmp_path: Path) -> None:
    stages, code = StageCache(tmp_path / "cache"), code_fingerprint(package_roots())
    assert REUSED not in run(study, stages)[1]
    changed = variant(study, "workshop", weights(2.0))
    reused, messages = run(changed, stages)
    computed, _ = run(changed, None)
    if REUSED not in messages:
        same_code(code)
    assert REUSED in messages
    for name in ("sites", "ranking", "exclusions", "allocation", "shortfall", "assumptions"):
        pd.testing.assert_frame_equal(getattr(reused, name), getattr(computed, name), check_exact=True)
    assert reused.input_files == computed.input_files and reused.criteria_meta == computed.criteria_meta
    assert not reused.ranking.equals(run(study, stages)[0].ranking)  # the weights did change the ranking


def test_a_changed_input_file_computes_the_stages_again(study: Path, tmp_path: Path) -> None:
    stages, code = StageCache(tmp_path / "cache"), code_fingerprint(package_roots())
    run(study, stages)
    if REUSED not in run(study, stages)[1]:
        same_code(code)
        pytest.fail("an unchanged rerun did not reuse the stages")
    parks = study.with_name("parks.csv")
    table = pd.read_csv(parks)
    column = next(c for c in table.columns if c.endswith("_ha") and pd.api.types.is_numeric_dtype(table[c]))
    table.loc[0, column] = float(table.loc[0, column]) + 1.0
    table.to_csv(parks, index=False)
    result, messages = run(study, stages)
    assert REUSED not in messages
    assert result.input_files == run(study, None)[0].input_files


@pytest.mark.parametrize(
    "text",
    [
        "criteria:\n  road_access:\n    params: {access_speed_kmh: 20.0}\n",
        "criteria:\n  adjacency:\n    params: {snap_tolerance_m: 5.0}\n",
        "candidates:\n  include_user_sites: false\n",
    ],
)
def test_a_changed_criterion_or_candidate_setting_computes_the_stages_again(
    study: Path, tmp_path: Path, text: str
) -> None:
    stages = StageCache(tmp_path / "cache")
    run(study, stages)
    changed = variant(study, "changed", text)
    assert stage_key(load_scenario(changed)) != stage_key(load_scenario(study))
    assert REUSED not in run(changed, stages)[1]


def test_the_folder_counts_only_when_the_scenario_names_a_file_in_it(study: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(study, other / study.name)  # the same text naming parks.csv, read from another folder
    shutil.copy(study.with_name("parks.csv"), other / "parks.csv")
    assert stage_key(load_scenario(other / study.name)) != stage_key(load_scenario(study))
    plain = f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: plain\n{weights(3.0)}"
    (tmp_path / "plain.yaml").write_text(plain, encoding="utf-8")
    (other / "plain.yaml").write_text(plain, encoding="utf-8")
    assert stage_key(load_scenario(other / "plain.yaml")) == stage_key(load_scenario(tmp_path / "plain.yaml"))
    assert stage_key(load_scenario(tmp_path / "plain.yaml")) == stage_key(load_scenario(None))


def test_a_damaged_entry_is_a_miss(study: Path, tmp_path: Path) -> None:
    stages = StageCache(tmp_path / "cache")
    run(study, stages)
    (entry,) = stages.root.iterdir()
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    assert stages.find(load_scenario(study)) is None
