"""The manifest of one run: what went in, what came out, with which software, and when."""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import mca
from mca.app.reports.stamp import output_time
from mca.app.results import RunResult
from mca.core.errors import DataError
from mca.core.jsonable import jsonable

MANIFEST_NAME = "manifest.json"
RECORDED_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "geopandas",
    "shapely",
    "pyproj",
    "pulp",
    "highspy",
    "scikit-criteria",
    "pydantic",
)


def sha256_file(path: Path) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of mca-sites, Python and the numerical and geo packages the run used."""
    versions = {"mca-sites": mca.__version__, "python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(result: RunResult, files: list[Path], root: Path | None = None) -> dict[str, Any]:
    """The manifest as a dict: inputs and outputs with their SHA-256, parameters and versions.

    It also holds the solver status and gap and the outputs' fixed timestamp with its basis
    (`mca.app.reports.stamp`); wall-clock times are in ``timings.json``, which it does not list.
    Output paths are relative to ``root`` (the run folder), e.g. ``sites/IN-beitel.html``.
    """
    inputs = []
    for path in result.input_files:
        path = Path(path)
        if not path.is_file():
            raise DataError("input file of the run is missing, cannot record its hash", source=path)
        inputs.append({"path": str(path), "sha256": sha256_file(path)})
    when, basis = output_time(result)
    outputs = [
        {"path": _relative(Path(p), root), "sha256": sha256_file(Path(p)), "bytes": Path(p).stat().st_size}
        for p in files
    ]
    return jsonable(
        {
            "scenario_name": result.scenario_name,
            "scenario_file": str(result.scenario_path) if result.scenario_path else None,
            "schematic_data": result.schematic,
            "inputs": inputs,
            "outputs": outputs,
            "parameters": result.scenario,
            "weights": result.weights,
            "packages": package_versions(),
            "solver": {
                "status": result.solver.get("status"),
                "gap": result.solver.get("gap"),
                "details": result.solver,
            },
            "timestamp": when.isoformat(timespec="seconds"),
            "timestamp_basis": basis,
        }
    )


def _relative(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` with forward slashes, or its name without a root."""
    return path.relative_to(root).as_posix() if root is not None and path.is_relative_to(root) else path.name


def write_manifest(result: RunResult, files: list[Path], path: Path) -> Path:
    """Write ``manifest.json`` describing ``files`` (sorted keys, indent 2)."""
    manifest = build_manifest(result, files, root=path.parent)
    path.write_text(json.dumps(manifest, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    return path


TIMINGS_NAME = "timings.json"


def write_timings(result: RunResult, path: Path, writing: dict[str, float] | None = None) -> Path:
    """Write ``timings.json``: the seconds of the run (and of ``writing``) and when it ended (not hashed)."""
    timings = {**result.timings, **(writing or {}), "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}
    _dump_timings(path, timings)
    return path


def add_timings(path: Path, timings: dict[str, float | str]) -> None:
    """Add ``timings`` (of a helper that ended after ``timings.json`` was written) to that file."""
    _dump_timings(path, json.loads(path.read_text(encoding="utf-8")) | timings)


def _dump_timings(path: Path, timings: dict[str, Any]) -> None:
    """Write ``timings`` as ``timings.json``: keys sorted, indented."""
    path.write_text(json.dumps(timings, sort_keys=True, indent=2) + "\n", encoding="utf-8")
