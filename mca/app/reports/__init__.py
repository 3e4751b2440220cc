"""Output writers of one scenario run: CSV, Excel, GeoPackage, PNG maps, HTML and manifest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mca.app.reports.excel import write_excel
from mca.app.reports.geopackage import write_geopackage
from mca.app.reports.html import write_html
from mca.app.reports.manifest import MANIFEST_NAME, build_manifest, write_manifest
from mca.app.reports.maps import write_maps
from mca.app.reports.tables import safe_filename, write_csvs
from mca.app.results import RunResult

__all__ = ["build_manifest", "write_all"]


def write_all(result: RunResult, out_dir: Path, *, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` and return the files in writing order.

    Order: the four CSVs, ``<scenario>.xlsx``, ``<scenario>.gpkg``, the maps and charts,
    ``report.html`` and last ``manifest.json``, which holds the hashes of all the others.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _message: None)
    stem = safe_filename(result.scenario_name)

    report("writing CSV tables")
    files = write_csvs(result, out_dir)
    report(f"writing {stem}.xlsx")
    files.append(write_excel(result, out_dir / f"{stem}.xlsx"))
    report(f"writing {stem}.gpkg")
    files.append(write_geopackage(result, out_dir / f"{stem}.gpkg"))
    report("drawing maps and charts")
    images = write_maps(result, out_dir)
    files += images
    report("writing report.html")
    files.append(write_html(result, out_dir / "report.html", {p.name: p for p in images}))
    report(f"writing {MANIFEST_NAME}")
    files.append(write_manifest(result, files, out_dir / MANIFEST_NAME))
    return files
