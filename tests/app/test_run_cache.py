"""``mca run`` reuses a run's files only while everything it depends on is unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mca.app.cli import app
from mca.app.reports.manifest import TIMINGS_NAME
from mca.app.run_cache import (
    CACHE_VARIABLE,
    TIMINGS_FILE,
    RunCache,
    StoredRun,
    code_fingerprint,
    package_roots,
    recording_reads,
)
from mca.core.paths import PROJECT_ROOT

runner = CliRunner()
REUSED = "reused the files of the run of"


@pytest.fixture
def study(tmp_path: Path, make_study) -> Path:
    """A quick scenario (no SMAA) reading its own copy of the demand source."""
    return make_study(tmp_path, "study", ("demand_source", "demand_source.yaml"))


def run(scenario: Path, out: Path) -> str:
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    return result.stderr


def assert_reused(messages: str, code: str) -> None:
    """The run reused its files, unless the sources changed meanwhile (another process editing the tree)."""
    if REUSED not in messages and code_fingerprint(package_roots()) != code:
        pytest.skip("the sources changed during the test (edited in a shared working tree)")
    assert REUSED in messages


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_rerun_reuses_the_files_until_an_input_changes(study: Path, tmp_path: Path) -> None:
    out, code = tmp_path / "out", code_fingerprint(package_roots())
    assert REUSED not in run(study, out)
    first = contents(out / "study")
    assert_reused(run(study, out), code)
    second = contents(out / "study")
    assert second.keys() == first.keys() and {k for k in first if first[k] != second[k]} == {TIMINGS_NAME}
    assert "reused_run_finished_at" in json.loads(second[TIMINGS_NAME])

    demand = study.parent / "demand_source.yaml"  # a changed figure in an input file: computed again
    text = demand.read_text(encoding="utf-8")
    assert "parkstad_2031_2040_ha: {value: 40," in text
    demand.write_text(text.replace("parkstad_2031_2040_ha: {value: 40,", "parkstad_2031_2040_ha: {value: 44,"))
    assert REUSED not in run(study, out)
    manifest = json.loads(contents(out / "study")["manifest.json"])
    recorded = {Path(item["path"]).name: item["sha256"] for item in manifest["inputs"]}
    assert recorded["demand_source.yaml"] == hashlib.sha256(demand.read_bytes()).hexdigest()

    os.utime(demand, (1_600_000_000, 1_600_000_000))  # same content, other date: the outputs' date changes
    assert REUSED not in run(study, out)
    assert_reused(run(study, out), code)


def test_a_reused_run_loads_no_data_library(study: Path, tmp_path: Path) -> None:
    out, code = tmp_path / "out", code_fingerprint(package_roots())
    run(study, out)
    probe = (
        "import sys\nfrom mca.app.cli import app\n"
        f"try:\n    app(['run', {str(study)!r}, '--out', {str(out)!r}, '--force'])\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "print(sorted(m for m in ('pandas', 'geopandas', 'matplotlib', 'scipy', 'pulp') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert_reused(done.stderr, code)
    assert done.stdout.splitlines()[-1] == "[]"


def test_no_cache_computes_and_an_edited_scenario_is_a_miss(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(study, out)
    result = runner.invoke(app, ["run", str(study), "--out", str(out), "--force", "--no-cache"])
    assert result.exit_code == 0 and REUSED not in result.stderr
    study.write_text(study.read_text(encoding="utf-8") + "scoring:\n  default_weight_set: economy_first\n")
    assert REUSED not in run(study, out)


def test_the_code_fingerprint_follows_every_source_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "templates").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "templates" / "page.html").write_text("<p>\n")
    before = code_fingerprint([package])
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    assert code_fingerprint([package]) == before  # compiled caches do not count
    (package / "templates" / "page.html").write_text("<p>changed\n")
    assert code_fingerprint([package]) != before


def test_reads_are_recorded_and_writes_and_excluded_folders_are_not(tmp_path: Path) -> None:
    data, staging = tmp_path / "side_table.csv", tmp_path / "staging"
    data.write_text("a,b\n1,2\n")
    staging.mkdir()
    with recording_reads(exclude=[staging]) as reads:
        data.read_text()
        (tmp_path / "written.txt").write_text("out")
        (staging / "scratch.txt").write_text("tmp")
        (staging / "scratch.txt").read_text()
    assert reads == {data.resolve()}


def stored_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    (folder / "sites").mkdir(parents=True)
    (folder / "ranking.csv").write_text("site_id\nA\n")
    (folder / "sites" / "A.html").write_text("<p>A</p>")
    (folder / TIMINGS_FILE).write_text("{}")
    return folder


def test_only_runs_solved_to_optimality_are_kept_and_damage_is_a_miss(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\n")
    cache, folder = RunCache(tmp_path / "cache"), stored_folder(tmp_path)
    files = [p for p in folder.rglob("*") if p.is_file()]
    cache.store(scenario, StoredRun("s", "summary", "time_limit", [scenario]), folder, files, [])
    assert cache.find(scenario) is None
    cache.store(scenario, StoredRun("s", "summary", "optimal", [scenario]), folder, files, [])
    found = cache.find(scenario)
    assert found is not None and dict(found.files) == {"ranking.csv": b"site_id\nA\n", "sites/A.html": b"<p>A</p>"}
    for stored in (tmp_path / "cache" / "files").iterdir():
        stored.write_bytes(b"damaged")
    assert cache.find(scenario) is None


def test_old_entries_and_their_files_are_pruned(tmp_path: Path) -> None:
    cache, folder = RunCache(tmp_path / "cache"), stored_folder(tmp_path)
    for i in range(3):
        scenario = tmp_path / f"s{i}.yaml"
        scenario.write_text(f"name: s{i}\n")
        (folder / "ranking.csv").write_text(f"site_id\n{i}\n")
        files = [p for p in folder.rglob("*") if p.is_file()]
        cache.store(scenario, StoredRun(f"s{i}", "", "optimal", [scenario]), folder, files, [])
    cache.prune(keep=1)
    assert len(list((tmp_path / "cache" / "entries").iterdir())) == 1
    assert len(list((tmp_path / "cache" / "files").iterdir())) == 2  # the newest ranking and the shared page
    assert cache.find(tmp_path / "s2.yaml") is not None and cache.find(tmp_path / "s0.yaml") is None


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "elsewhere"))
    assert RunCache().root == tmp_path / "elsewhere"
    assert TIMINGS_FILE == TIMINGS_NAME


def test_files_beside_an_input_count_as_inputs(tmp_path: Path) -> None:
    """GDAL reads a Shapefile's .dbf and .prj without Python seeing it: they are checked with the .shp."""
    sites = tmp_path / "drawn.shp"
    for suffix in (".shp", ".dbf"):
        sites.with_suffix(suffix).write_bytes(b"v1")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\n")
    cache, folder = RunCache(tmp_path / "cache"), stored_folder(tmp_path)
    files = [p for p in folder.rglob("*") if p.is_file()]

    def store() -> None:
        cache.store(scenario, StoredRun("s", "", "optimal", [scenario, sites]), folder, files, [])

    store()
    assert cache.find(scenario) is not None
    sites.with_suffix(".dbf").write_bytes(b"v2")  # an attribute edited
    assert cache.find(scenario) is None
    store()
    sites.with_suffix(".prj").write_bytes(b"EPSG:28992")  # a projection added
    assert cache.find(scenario) is None
