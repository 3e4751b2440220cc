"""Every output of every bundled scenario is byte-identical when the run is repeated."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mca.app.cli import app
from mca.app.reports.manifest import TIMINGS_NAME
from mca.app.run_cache import CACHE_VARIABLE, code_fingerprint, package_roots
from mca.core.paths import SCENARIO_DIR

runner = CliRunner()
BUNDLED = sorted(SCENARIO_DIR.glob("*.yaml"))


def run_all(out: Path, *options: str) -> str:
    result = runner.invoke(app, ["run", *map(str, BUNDLED), "--out", str(out), *options])
    assert result.exit_code == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def code_before() -> str:
    """The code fingerprint before the runs (another process may edit a shared working tree)."""
    return code_fingerprint(package_roots())


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory, code_before: str) -> tuple[Path, Path]:
    """The bundled scenarios computed twice: the second time without reusing the first."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    run_all(first)
    run_all(second, "--no-cache")
    return first, second


def differing_files(first: Path, second: Path) -> set[str]:
    """Names of the files that differ between two run folders (which must hold the same files)."""
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert {f.parts[0] for f in files} == {p.stem for p in BUNDLED}
    return {f.name for f in files if (first / f).read_bytes() != (second / f).read_bytes()}


def test_every_file_is_identical_but_the_timings(two_runs: tuple[Path, Path]) -> None:
    assert differing_files(*two_runs) <= {TIMINGS_NAME}


def test_an_unchanged_rerun_reuses_every_file_byte_for_byte(
    two_runs: tuple[Path, Path],
    code_before: str,
    tmp_path: Path,
    session_run_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(session_run_cache))  # where the first run was kept
    messages = run_all(tmp_path)
    if code_fingerprint(package_roots()) != code_before:
        pytest.skip("the sources changed since the first run (edited in a shared working tree)")
    assert messages.count("reused the files of the run of") == len(BUNDLED)
    assert differing_files(two_runs[0], tmp_path) == {TIMINGS_NAME}


def test_the_manifest_hashes_no_wall_clock_time(two_runs: tuple[Path, Path]) -> None:
    manifest = json.loads((two_runs[0] / "heerlen_base" / "manifest.json").read_text(encoding="utf-8"))
    assert TIMINGS_NAME not in {item["path"] for item in manifest["outputs"]}
    assert manifest["timestamp_basis"] in {"newest input file", "SOURCE_DATE_EPOCH"}
    assert "seconds" not in json.dumps(manifest["solver"])


def test_source_date_epoch_dates_the_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    scenario = tmp_path / "quick.yaml"
    scenario.write_text(f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: quick\noutputs:\n  robustness: false\n")
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "out" / "quick"
    with zipfile.ZipFile(folder / "quick.xlsx") as workbook:
        core = workbook.read("docProps/core.xml").decode()
        assert {info.date_time[:3] for info in workbook.infolist()} == {(2023, 11, 14)}
    assert core.count("2023-11-14T22:13:20Z") == 2
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["timestamp"], manifest["timestamp_basis"]) == ("2023-11-14T22:13:20+00:00", "SOURCE_DATE_EPOCH")


def test_a_weight_change_reuses_unchanged_drawings_and_gives_the_computed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workshop's second run (other weights) reuses the drawings the weights do not touch, byte for byte."""
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    code = code_fingerprint(package_roots())
    base = tmp_path / "quick.yaml"
    base.write_text(f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: quick\noutputs:\n  robustness: false\n")
    weights = dict.fromkeys(["road_access", "access_pressure", "env_space", "size_shape", "public_transport"], 1.0)
    weights["adjacency"] = 2.0
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"extends: {base}\nscoring:\n  default_weight_set: workshop\n  weight_sets:\n"
        f"    workshop: {json.dumps({'method': 'direct', 'weights': weights})}\n"
    )
    assert runner.invoke(app, ["run", str(base), "--out", str(tmp_path / "base")]).exit_code == 0
    drawings = tmp_path / "cache" / "drawings"
    stored = set(drawings.iterdir())
    assert runner.invoke(app, ["run", str(variant), "--out", str(tmp_path / "reused")]).exit_code == 0
    new = set(drawings.iterdir()) - stored
    result = runner.invoke(app, ["run", str(variant), "--out", str(tmp_path / "computed"), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    reused, computed = tmp_path / "reused" / "quick", tmp_path / "computed" / "quick"
    files = sorted(p.relative_to(computed) for p in computed.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(reused) for p in reused.rglob("*") if p.is_file())
    assert {f.name for f in files if (reused / f).read_bytes() != (computed / f).read_bytes()} == {TIMINGS_NAME}
    unchanged = {"map_exclusions.png", "map_criteria.png", "chart_demand.png"}  # none shows a weight
    assert {p.name for p in (tmp_path / "base" / "quick").iterdir()} >= unchanged
    for name in unchanged:  # the same image as the base run, taken from the store
        assert (tmp_path / "base" / "quick" / name).read_bytes() == (reused / name).read_bytes()
    if code_fingerprint(package_roots()) != code:
        pytest.skip("the sources changed during the test (edited in a shared working tree)")
    # nine drawings and two map underlays (the whole area; the answer map's, zoomed to the allocated sites)
    assert len(stored) == 9 + 2 and 1 <= len(new) <= 6 + 1  # the exclusions and criteria maps, demand chart reused
