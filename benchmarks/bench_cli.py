"""Benchmark: the command line as a planner meets it (issue 14 targets on this machine).

- ``mca --help``: target ≤ 0.3 s;
- ``mca run`` on the Heerlen base case, **warm** (target ≤ 2 s): a rerun with inputs, code and
  software unchanged, so it reuses the files of the previous run (`mca.app.run_cache`), with
  the OS and bytecode caches filled;
- ``mca run --no-cache``: the same run computed again (OS caches filled), split in a fresh
  interpreter into the imports, the chain (``pipeline.run_scenario``) and the writing, with the
  seconds of every writer;
- the first run into an empty cache (computes, then keeps its files);
- separately, the analyses that re-solve or resample many times: the base case's SMAA-2 (part
  of every run, vectorised) and the regret of each allocated site (behind the scenario flag
  ``allocation.regret``, off by default; it runs serially, one warm re-solve per site);
- the printed report: pages of ``report.html`` printed to A4 by headless Chromium, when present.

Wall-clock seconds depend on what else the machine runs; CPU seconds (user + system) are
printed beside them and are the steadier figure. The load average is printed before and after.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MCA = str(Path(sys.executable).with_name("mca"))
REPEATS = 3
LAZY_LIBRARIES = ("skcriteria", "openpyxl", "jinja2", "babel.numbers", "highspy")
"""Libraries a run imports inside functions; the phase split counts them as imports."""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(command: list[str], repeats: int = REPEATS, env: dict[str, str] | None = None) -> tuple[float, float]:
    """The fastest of ``repeats`` runs (wall, cpu): the least disturbed by other work."""
    runs = [timed(command, env) for _ in range(repeats)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


class Clock:
    """Wall and CPU seconds since the last ``lap``."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> dict[str, float]:
        """Seconds since the previous lap (or the start), and restart."""
        wall, cpu = time.perf_counter(), time.process_time()
        seconds = {"wall_s": round(wall - self.wall, 3), "cpu_s": round(cpu - self.cpu, 3)}
        self.wall, self.cpu = wall, cpu
        return seconds


def phases(out: Path) -> dict[str, Any]:
    """In this (fresh) interpreter: imports, chain, each writer and the manifest of the base case."""
    import importlib

    clock = Clock()
    from mca.app import pipeline
    from mca.app.reports import WRITERS, RunFolder
    from mca.app.reports.manifest import write_manifest
    from mca.app.scenario import load_scenario

    for name in LAZY_LIBRARIES:
        importlib.import_module(name)
    figures: dict[str, Any] = {"imports": clock.lap()}
    result = pipeline.run_scenario(load_scenario(None))
    figures["chain"] = clock.lap()
    written: dict[str, list[Path]] = {}
    writers: dict[str, dict[str, float]] = {}
    out.mkdir(parents=True, exist_ok=True)
    for writer in WRITERS:
        written[writer.name] = writer.write(RunFolder(result, out, "heerlen_base", dict(written)))
        writers[writer.name] = clock.lap()
    write_manifest(result, [p for paths in written.values() for p in paths], out / "manifest.json")
    writers["manifest"] = clock.lap()
    figures["writers"] = writers
    figures["writing"] = {k: round(sum(w[k] for w in writers.values()), 3) for k in ("wall_s", "cpu_s")}
    return figures


def many_solves(folder: Path) -> dict[str, Any]:
    """In this interpreter: the base case's SMAA-2 and its allocation without and with regret."""
    from mca.app import pipeline
    from mca.app.scenario import load_scenario
    from mca.core.paths import SCENARIO_DIR

    regret = folder / "regret.yaml"
    regret.write_text(f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: regret\nallocation:\n  regret: true\n")
    figures: dict[str, Any] = {}
    for label, path in (("allocation", None), ("allocation_with_regret", regret)):
        inputs = pipeline.load_inputs(load_scenario(path))
        scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
        fc = pipeline.demand_forecast(inputs)
        clock = Clock()
        allocated = pipeline.allocate(inputs, scored, fc)
        figures[label] = {**clock.lap(), "sites": int(allocated.allocation["site_id"].nunique())}
    smaa = inputs.scenario.scoring.smaa
    clock = Clock()
    pipeline.robustness(inputs, scored, smaa.samples, smaa.margin, smaa.seed)
    figures["smaa"] = {**clock.lap(), "samples": smaa.samples}
    return figures


def in_child(mode: str, folder: Path) -> dict[str, Any]:
    """Run ``phases`` or ``many_solves`` in a fresh interpreter (so imports are counted) and read its JSON."""
    done = subprocess.run(
        [sys.executable, __file__, mode, str(folder)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def printed_pages(report: Path) -> int | None:
    """Pages of the report printed to A4 PDF by headless Chromium, or None without Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        return None
    pdf = report.with_suffix(".pdf")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    subprocess.run(
        [*command, f"--print-to-pdf={pdf}", report.as_uri()],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=180,
    )
    if not pdf.exists():
        return None
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def measure(work: Path) -> dict[str, Any]:
    """Every figure, measured with a private cache folder under ``work``."""
    env = {**os.environ, "MCA_CACHE_DIR": str(work / "cache")}
    figures: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    figures["help"] = best([MCA, "--help"], 5, env)
    run = [MCA, "run", "--out", str(work / "out"), "--force"]
    figures["first_run"] = timed(run, env)  # empty cache: computes and keeps the files
    figures["warm_run"] = best(run, REPEATS, env)
    figures["no_cache_run"] = best([*run, "--no-cache"], 2, env)
    figures["phases"] = in_child("--phases", work / "phases")
    figures["many_solves"] = in_child("--many-solves", work)
    figures["report_pages"] = printed_pages(work / "out" / "heerlen_base" / "report.html")
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def report(f: dict[str, Any]) -> None:
    """Print the figures for reading, then as one JSON line."""
    print(f"load average (1, 5, 15 min) before: {f['load_before']}, after: {f['load_after']}; {os.cpu_count()} cores")
    print(f"mca --help: {f['help'][0]:.2f} s wall, {f['help'][1]:.2f} s CPU (target 0.3 s)")
    print(f"mca run, warm (unchanged rerun, files reused): {f['warm_run'][0]:.2f} s wall, {f['warm_run'][1]:.2f} s CPU")
    print(f"mca run, first into an empty cache: {f['first_run'][0]:.2f} s wall, {f['first_run'][1]:.2f} s CPU")
    print(f"mca run --no-cache (computed): {f['no_cache_run'][0]:.2f} s wall, {f['no_cache_run'][1]:.2f} s CPU")
    p = f["phases"]
    for phase in ("imports", "chain", "writing"):
        print(f"  {phase}: {p[phase]['wall_s']:.2f} s wall, {p[phase]['cpu_s']:.2f} s CPU")
    print("  writers, CPU s: " + ", ".join(f"{k} {v['cpu_s']:.2f}" for k, v in p["writers"].items()))
    m = f["many_solves"]
    smaa, plain, regret = m["smaa"], m["allocation"], m["allocation_with_regret"]
    print(f"SMAA-2 of the base case ({smaa['samples']} samples, in every run): {smaa['cpu_s']:.2f} s CPU")
    print(f"allocation: {plain['cpu_s']:.2f} s CPU; with regret (allocation.regret, off by default,")
    print(f"  {regret['sites']} allocated sites re-solved one by one): {regret['cpu_s']:.2f} s CPU")
    pages = f["report_pages"]
    print(f"printed report: {pages if pages is not None else 'n/a (no Chromium)'} A4 pages (target 15)")
    print(json.dumps(f))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--phases", "--many-solves"):
        mode = phases if sys.argv[1] == "--phases" else many_solves
        print(json.dumps(mode(Path(sys.argv[2]))))
        return
    work = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        figures = measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(figures)


if __name__ == "__main__":
    main()
