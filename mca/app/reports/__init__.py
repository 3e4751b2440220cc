"""Output writers of one scenario run: CSV, Excel, GeoPackage, PNG maps, HTML and manifest.

Each writer module exposes ``WRITER`` (a `mca.app.reports.base.OutputWriter`: name, which files,
write function), registered in `WRITERS` below in writing order. Adding an output: a module and
one line in that tuple. ``manifest.json`` and ``timings.json`` are not registered writers: they
are always written last; the manifest holds the hashes of every file before it.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mca.app import forking
from mca.app.reports import decision, excel, factsheets, geopackage, html, maps, tables
from mca.app.reports.base import OutputWriter, RunFolder, check_writer, files_inside
from mca.app.reports.manifest import MANIFEST_NAME, TIMINGS_NAME, build_manifest, write_manifest, write_timings
from mca.app.reports.parallel import write_shared
from mca.app.reports.tables import safe_filename
from mca.app.results import RunResult
from mca.core.registry import Registry

__all__ = ["WRITERS", "OutputWriter", "RunFolder", "build_manifest", "draw_ahead", "write_all"]

WRITERS: Registry[OutputWriter] = Registry("output writer", check_writer)
for _writer in (
    tables.WRITER,
    decision.WRITER,
    excel.WRITER,
    geopackage.WRITER,
    maps.WRITER,
    factsheets.WRITER,
    html.WRITER,
):
    WRITERS.register(_writer)


def write_all(
    result: RunResult, out_dir: Path, *, progress: Callable[[str], None] | None = None, processes: int = 1
) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` and return the files in writing order.

    Order: the registered writers (`WRITERS`: the four CSVs, ``<scenario>.xlsx``,
    ``<scenario>.gpkg``, the maps and charts, ``report.html``), then ``manifest.json`` and
    ``timings.json`` (wall-clock seconds, not hashed). With ``processes=2`` (where a process
    can be forked), the independent writers are written by this process and a forked copy
    together (`mca.app.reports.parallel`), then the others in order: the same files, the same bytes.
    Last, the writers with a ``finish`` step complete their files (the report embeds the maps).
    """
    started, cpu = time.perf_counter(), cpu_seconds()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _message: None)
    stem = safe_filename(result.scenario_name)
    written: dict[str, list[Path]] = {}
    if processes > 1 and forking.available():
        independent = [writer for writer in WRITERS if writer.independent]
        report(f"writing {len(independent)} outputs in {processes} processes")
        shared = write_shared(RunFolder(result, out_dir, stem, {}), independent)
        written = {name: files_inside(WRITERS.get(name), paths, out_dir) for name, paths in shared.items()}
    names = WRITERS.names()
    for index, writer in enumerate(WRITERS):
        if writer.name not in written:
            report(f"writing {writer.files.format(stem=stem)}")
            before = {name: written[name] for name in names[:index]}
            written[writer.name] = files_inside(writer, writer.write(RunFolder(result, out_dir, stem, before)), out_dir)
    for writer in WRITERS:
        if writer.finish is not None:
            report(f"completing {writer.files.format(stem=stem)}")
            written[writer.name] = files_inside(
                writer, writer.finish(RunFolder(result, out_dir, stem, written)), out_dir
            )
    files = [path for name in names for path in written[name]]
    report(f"writing {MANIFEST_NAME}")
    files.append(write_manifest(result, files, out_dir / MANIFEST_NAME))
    writing = {"writing_s": round(time.perf_counter() - started, 3), "writing_cpu_s": round(cpu_seconds() - cpu, 3)}
    files.append(write_timings(result, out_dir / TIMINGS_NAME, writing))
    return files


def draw_ahead(before: RunResult, until: Callable[[], bool]) -> int:
    """Draw into the drawing store the writers' ``ahead`` drawings of the run ``before`` its allocation.

    Called inside a `mca.app.run_cache.reusing_drawings` block while the allocation is solved;
    stops before the next drawing once ``until()`` holds. A drawing is kept by the data it draws,
    so `write_all` on the whole run copies each one drawn here whose data the allocation left
    unchanged. Returns the number of drawings made.
    """
    with tempfile.TemporaryDirectory(prefix="mca-ahead-") as scratch:
        folder = RunFolder(before, Path(scratch), safe_filename(before.scenario_name), {})
        drawings = [
            parts[index]
            for writer in WRITERS
            if writer.ahead and writer.parts is not None
            for parts in [writer.parts(folder)]
            for index in writer.ahead
        ]
        for count, draw in enumerate(drawings):
            if until():
                return count
            draw()
    return len(drawings)


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its ended helper processes."""
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime
