"""Benchmark: the command line as a planner meets it (issue 14 targets on this machine).

- ``mca --help``: target ≤ 0.3 s;
- ``mca run`` on the Heerlen base case, warm (after one run to fill the OS and bytecode caches):
  target ≤ 2 s; split into start-up imports, the chain (``run_s`` from timings.json) and writing;
- the writers on their own (maps, report, fact sheets, workbook, GeoPackage) on the same result;
- the printed report: pages of ``report.html`` printed to A4 by headless Chromium, when present
  (target ≤ 15).

Wall-clock seconds depend on what else the machine runs; the CPU seconds of the child process
(user + system) are printed beside them and are the steadier figure. Nothing here re-solves the
allocation many times: the regret analysis of issue 10 is timed by its own benchmark.
The last printed line is JSON with the figures.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MCA = str(Path(sys.executable).with_name("mca"))
REPEATS = 3


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(command: list[str], repeats: int = REPEATS) -> tuple[float, float]:
    """The fastest of ``repeats`` runs (wall, cpu): the least disturbed by other work."""
    runs = [timed(command) for _ in range(repeats)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def writer_seconds(out: Path) -> dict[str, float]:
    """Seconds of each output writer on one in-process run of the base case."""
    from mca.app import pipeline
    from mca.app.reports import WRITERS, RunFolder
    from mca.app.scenario import load_scenario

    result = pipeline.run_scenario(load_scenario(None))
    seconds: dict[str, float] = {}
    written: dict[str, list[Path]] = {}
    out.mkdir(parents=True, exist_ok=True)
    for writer in WRITERS:
        start = time.process_time()
        written[writer.name] = writer.write(RunFolder(result, out, "heerlen_base", dict(written)))
        seconds[writer.name] = round(time.process_time() - start, 2)
    return seconds


def printed_pages(report: Path) -> int | None:
    """Pages of the report printed to A4 PDF by headless Chromium, or None without Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        return None
    pdf = report.with_suffix(".pdf")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            report.as_uri(),
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=180,
    )
    if not pdf.exists():
        return None
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        help_wall, help_cpu = best([MCA, "--help"])
        run = [MCA, "run", "--out", str(work / "out"), "--force"]
        timed(run)  # warm-up: caches filled
        run_wall, run_cpu = best(run, 2)
        chain = json.loads((work / "out" / "heerlen_base" / "timings.json").read_text())
        import_wall, import_cpu = best([sys.executable, "-c", "import mca.app.pipeline, mca.app.reports"])
        writers = writer_seconds(work / "writers")
        pages = printed_pages(work / "out" / "heerlen_base" / "report.html")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"load average (1 min) while measuring: {load:.1f} on {os.cpu_count()} cores")
    print(f"mca --help: {help_wall:.2f} s wall, {help_cpu:.2f} s CPU (target 0.3 s)")
    print(f"mca run (Heerlen base, warm): {run_wall:.2f} s wall, {run_cpu:.2f} s CPU (target 2 s)")
    print(f"  of which imports of the chain and writers: {import_wall:.2f} s wall, {import_cpu:.2f} s CPU")
    print(f"  the chain (timings.json run_s, solver_s): {chain.get('run_s')} s, {chain.get('solver_s')} s")
    print("  writers, CPU s: " + ", ".join(f"{k} {v:.2f}" for k, v in writers.items()))
    print(f"printed report: {pages if pages is not None else 'n/a (no Chromium)'} A4 pages (target 15)")
    print(
        json.dumps(
            {
                "load_1min": round(load, 2),
                "help_wall_s": round(help_wall, 3),
                "help_cpu_s": round(help_cpu, 3),
                "run_wall_s": round(run_wall, 3),
                "run_cpu_s": round(run_cpu, 3),
                "import_wall_s": round(import_wall, 3),
                "import_cpu_s": round(import_cpu, 3),
                "chain_run_s": chain.get("run_s"),
                "solver_s": chain.get("solver_s"),
                "writers_cpu_s": writers,
                "report_pages": pages,
            }
        )
    )


if __name__ == "__main__":
    main()
