"""Every output of every bundled scenario is byte-identical when the run is repeated."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mca.app.cli import app
from mca.app.reports.manifest import TIMINGS_NAME
from mca.core.paths import SCENARIO_DIR

runner = CliRunner()
BUNDLED = sorted(SCENARIO_DIR.glob("*.yaml"))


def run_all(out: Path) -> None:
    result = runner.invoke(app, ["run", *map(str, BUNDLED), "--out", str(out)])
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    run_all(first)
    run_all(second)
    return first, second


def test_every_file_is_identical_but_the_timings(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert {f.parts[0] for f in files} == {p.stem for p in BUNDLED}
    differing = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert {f.name for f in differing} <= {TIMINGS_NAME}


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
