"""Benchmark: the command line as a planner meets it (issue 14 targets on this machine).

- ``mca --help``: target ≤ 0.3 s;
- ``mca run`` on the Heerlen base case, **warm, computed** (target ≤ 2 s): the run after a
  **weight change** (what a workshop does): the base case run first, then a scenario differing
  from it only in the weights of the default set, timed (each repeat other weights). It reuses
  the inputs, candidates and criteria evaluation (`mca.app.stage_cache`) and the drawings the
  weights do not touch (`mca.app.reports.reuse`), and computes scores, ranking, SMAA, the
  allocation and every output, written by two processes (`mca.app.writer_process`); the
  drawings that read nothing of the allocation are drawn while it is solved. Printed: the wall
  and CPU seconds (the run and its helper processes) of the fastest of seven repeats, the load
  before it, the median, the fastest and median of the runs whose allocation changed (their
  allocation maps and chart are drawn again), and the phases from the run's own
  ``timings.json``: the chain, the writer helper's imports (during start-up and the chain) and
  drawing ahead (during the allocation), the writing, and the rest (interpreter, CLI, library
  imports, scenario, cache checks);
- an unchanged rerun, which copies the files of the previous run (`mca.app.run_cache`): not
  the target's figure (nothing is computed);
- ``mca run --no-cache``: the same run computed again (OS caches filled), split in a fresh
  interpreter into the imports, the chain (``pipeline.run_scenario``) and the writing, with the
  seconds of every writer, serially in one process; and the same split after a weight change
  with the stored stages and drawings;
- the first run into an empty cache (computes, then keeps its files);
- separately, the analyses that re-solve or resample many times: the base case's SMAA-2 (part
  of every run, vectorised) and the regret of each allocated site (behind the scenario flag
  ``allocation.regret``, off by default; it runs serially, one warm re-solve per site);
- bytecode: compiled once and kept (``PYTHONPYCACHEPREFIX``, `PYCACHE`), also where the shell
  sets ``PYTHONDONTWRITEBYTECODE``;
- the printed report: pages of ``report.html`` printed to A4 by headless Chromium, when present.

Wall-clock seconds depend on what else the machine runs (on 2 cores, a load above 1 takes the
second core the writing uses); CPU seconds (user + system) are printed beside them and are the
steadier figure. The load average is printed before and after, and before each timed
weight-change run. Run it under the shared lock: ``flock /tmp/bench.lock python
benchmarks/bench_cli.py``. The last printed line is JSON with the figures.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MCA = str(Path(sys.executable).with_name("mca"))
REPEATS = 3
WEIGHT_CHANGE_REPEATS = 7
"""Weight changes timed (the target's figure: more samples, as its wall time varies most with the load)."""
PYCACHE = Path(tempfile.gettempdir()) / "mca-bench-pycache"
"""Where the measured interpreters keep compiled bytecode (``PYTHONPYCACHEPREFIX``), kept between runs."""
LAZY_LIBRARIES = ("openpyxl", "jinja2", "babel.numbers", "highspy", "pyogrio")
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


WEIGHTED = ("road_access", "access_pressure", "env_space", "size_shape", "public_transport")
"""The base case's default criteria but adjacency, which each weight change sets to another weight."""


def weight_change(folder: Path, adjacency: float) -> Path:
    """A scenario equal to the Heerlen base case but for the weights of its default set."""
    from mca.core.paths import SCENARIO_DIR

    weights = {"adjacency": adjacency, **dict.fromkeys(WEIGHTED, 1.0)}
    scenario = folder / f"workshop_{adjacency:g}.yaml"
    scenario.write_text(
        f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: heerlen_base\nscoring:\n"
        f"  default_weight_set: workshop\n  weight_sets:\n"
        f"    workshop: {json.dumps({'method': 'direct', 'weights': weights})}\n",
        encoding="utf-8",
    )
    return scenario


def weight_changes(work: Path, env: dict[str, str], repeats: int = REPEATS) -> dict[str, Any]:
    """The fastest of ``repeats`` runs each after a change of weights (the base case run before), with its phases.

    Wall and CPU seconds (CPU of the run and its helper processes), the load average before the
    run, whether the allocation changed (then its maps and chart are drawn again; else the drawings
    of an earlier run are reused), and the phases the run wrote into its ``timings.json``. Also
    the median of all runs and the fastest and median of those whose allocation changed.
    """
    folder = work / "workshop"
    folder.mkdir()
    out = ["--out", str(folder / "out"), "--force"]
    timed([MCA, "run", *out], env)
    allocation = folder / "out" / "heerlen_base" / "allocation.csv"
    runs = []
    for i in range(repeats):
        before = allocation.read_bytes()
        load = round(os.getloadavg()[0], 2)
        wall, cpu = timed([MCA, "run", str(weight_change(folder, 2.0 + i)), *out], env)
        timings = json.loads((folder / "out" / "heerlen_base" / "timings.json").read_text(encoding="utf-8"))
        changed = allocation.read_bytes() != before
        runs.append(
            {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "load": load, "changed": changed, "timings": timings}
        )
    fastest = min(runs, key=lambda r: r["wall_s"])
    moved = sorted(r["wall_s"] for r in runs if r["changed"])
    return {
        **fastest,
        "median_s": statistics.median(r["wall_s"] for r in runs),
        "allocation_changed": {
            "runs": len(moved),
            "fastest_s": min(moved, default=None),
            "median_s": statistics.median(moved) if moved else None,
        },
        "runs": [(r["wall_s"], r["cpu_s"], r["load"], r["changed"]) for r in runs],
    }


def phases(out: Path, scenario: Path | None = None, cache: Path | None = None) -> dict[str, Any]:
    """In this (fresh) interpreter: imports, chain, each writer and the manifest of ``scenario``.

    The base case by default; with ``cache``, the inputs, candidates and criteria evaluation and the
    drawings stored there are reused as ``mca run`` does; everything runs serially in this process.
    """
    import importlib
    from contextlib import AbstractContextManager, nullcontext

    clock = Clock()
    from mca.app import pipeline
    from mca.app.reports import WRITERS, RunFolder
    from mca.app.reports.manifest import write_manifest
    from mca.app.run_cache import reusing_drawings
    from mca.app.scenario import load_scenario
    from mca.app.stage_cache import StageCache

    for name in LAZY_LIBRARIES:
        importlib.import_module(name)
    figures: dict[str, Any] = {"imports": clock.lap()}
    result = pipeline.run_scenario(load_scenario(scenario), stages=StageCache(cache) if cache else None)
    figures["chain"] = clock.lap()
    written: dict[str, list[Path]] = {}
    writers: dict[str, dict[str, float]] = {}
    out.mkdir(parents=True, exist_ok=True)
    drawings: AbstractContextManager[object] = reusing_drawings(cache) if cache else nullcontext()
    with drawings:
        for writer in WRITERS:
            written[writer.name] = writer.write(RunFolder(result, out, "heerlen_base", dict(written)))
            writers[writer.name] = clock.lap()
        for writer in (w for w in WRITERS if w.finish is not None):  # the report embeds the maps
            written[writer.name] = writer.finish(RunFolder(result, out, "heerlen_base", dict(written)))
            done = clock.lap()
            writers[writer.name] = {k: round(writers[writer.name][k] + done[k], 3) for k in done}
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


def bytecode_env() -> dict[str, str]:
    """The environment with compiled bytecode kept, as on a planner's machine.

    A shell with ``PYTHONDONTWRITEBYTECODE`` set (as in some development containers) makes every
    run compile the project's modules from source again; the benchmark keeps the bytecode in
    `PYCACHE` instead, outside the working tree.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(PYCACHE)}


def warm_bytecode() -> None:
    """Compile, once, everything a run imports (so no measured run pays for it)."""
    modules = ", ".join(("mca.app.cli", "mca.app.pipeline", "mca.app.reports", *LAZY_LIBRARIES))
    subprocess.run([sys.executable, "-c", f"import {modules}"], cwd=ROOT, check=True, env=bytecode_env())


def in_child(mode: str, folder: Path, *extra: Path) -> dict[str, Any]:
    """Run ``phases`` or ``many_solves`` in a fresh interpreter (so imports are counted) and read its JSON."""
    command = [sys.executable, __file__, mode, str(folder), *map(str, extra)]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, env=bytecode_env())
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
    warm_bytecode()
    env = {**bytecode_env(), "MCA_CACHE_DIR": str(work / "cache")}
    figures: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    figures["help"] = best([MCA, "--help"], 5, env)
    run = [MCA, "run", "--out", str(work / "out"), "--force"]
    figures["first_run"] = timed(run, env)  # empty cache: computes and keeps the files
    figures["warm_run"] = best(run, REPEATS, env)
    workshop_cache = work / "workshop_cache"
    figures["weight_change_run"] = weight_changes(
        work, {**env, "MCA_CACHE_DIR": str(workshop_cache)}, WEIGHT_CHANGE_REPEATS
    )
    changed = weight_change(work / "workshop", 5.0)
    figures["weight_change_phases"] = in_child("--phases", work / "phases_changed", changed, workshop_cache)
    figures["no_cache_run"] = best([*run, "--no-cache"], 2, env)
    figures["phases"] = in_child("--phases", work / "phases")
    figures["many_solves"] = in_child("--many-solves", work)
    figures["report_pages"] = printed_pages(work / "out" / "heerlen_base" / "report.html")
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return figures


WEIGHT_CHANGE_PHASES = (
    ("chain (scores, SMAA, allocation; inputs, candidates, criteria {stages})", "run_s", "chain_cpu_s"),
    ("writer helper importing Matplotlib, warming it up (during start-up)", "writer_imports_s", "writer_imports_cpu_s"),
    (
        "writer helper importing the writers (meanwhile)",
        "writer_data_imports_s",
        "writer_data_imports_cpu_s",
    ),
    ("writer helper drawing {ahead} ahead (during the allocation)", "drawing_ahead_s", "drawing_ahead_cpu_s"),
    (
        "writer helper importing pyogrio, openpyxl, Jinja, templates (meanwhile)",
        "writer_late_imports_s",
        "writer_late_imports_cpu_s",
    ),
    ("writing (two processes; then HTML and manifest)", "writing_s", "writing_cpu_s"),
)
"""The phases a run writes into ``timings.json``: label, wall key, CPU key."""


def weight_change_report(w: dict[str, Any]) -> None:
    """Print the computed run after a weight change (the target's figure) and its phases."""
    t = w["timings"]
    print(
        f"mca run after a weight change, warm (computed; target 2 s): {w['wall_s']:.2f} s wall, "
        f"{w['cpu_s']:.2f} s CPU (run and helpers), load {w['load']} before it"
    )
    moved = w["allocation_changed"]
    print(
        f"  median of the {len(w['runs'])} runs: {w['median_s']:.2f} s; of the {moved['runs']} runs whose allocation "
        f"changed (its maps drawn again): fastest {moved['fastest_s']} s, median {moved['median_s']} s"
    )
    print(f"  all repeats (wall s, CPU s, load, allocation changed): {w['runs']}")
    stages = "reused" if t.get("stages_reused") else "computed"
    for label, wall, cpu in WEIGHT_CHANGE_PHASES:
        named = label.format(stages=stages, ahead=f"{t.get('drawn_ahead', 0):g} of 5 drawings")
        print(f"  {named}: {t.get(wall, 0.0):.2f} s wall, {t.get(cpu, 0.0):.2f} s CPU")
    rest_wall = w["wall_s"] - t.get("run_s", 0.0) - t.get("writing_s", 0.0)
    rest_cpu = w["cpu_s"] - sum(t.get(cpu, 0.0) for _, _, cpu in WEIGHT_CHANGE_PHASES)
    print(f"  the rest (interpreter, CLI, imports, scenario, cache): {rest_wall:.2f} s wall, {rest_cpu:.2f} s CPU")


def report(f: dict[str, Any]) -> None:
    """Print the figures for reading, then as one JSON line."""
    print(f"load average (1, 5, 15 min) before: {f['load_before']}, after: {f['load_after']}; {os.cpu_count()} cores")
    print(f"mca --help: {f['help'][0]:.2f} s wall, {f['help'][1]:.2f} s CPU (target 0.3 s)")
    weight_change_report(f["weight_change_run"])
    print(
        f"mca run, unchanged rerun (files copied, nothing computed): {f['warm_run'][0]:.2f} s wall, "
        f"{f['warm_run'][1]:.2f} s CPU"
    )
    print(f"mca run, first into an empty cache: {f['first_run'][0]:.2f} s wall, {f['first_run'][1]:.2f} s CPU")
    print(f"mca run --no-cache (computed): {f['no_cache_run'][0]:.2f} s wall, {f['no_cache_run'][1]:.2f} s CPU")
    p = f["phases"]
    for phase in ("imports", "chain", "writing"):
        print(f"  {phase}: {p[phase]['wall_s']:.2f} s wall, {p[phase]['cpu_s']:.2f} s CPU")
    print("  writers, CPU s: " + ", ".join(f"{k} {v['cpu_s']:.2f}" for k, v in p["writers"].items()))
    c = f["weight_change_phases"]
    print(
        "after a weight change, CPU s: "
        + ", ".join(f"{k} {c[k]['cpu_s']:.2f}" for k in ("imports", "chain", "writing"))
    )
    print("  writers, CPU s: " + ", ".join(f"{k} {v['cpu_s']:.2f}" for k, v in c["writers"].items()))
    m = f["many_solves"]
    smaa, plain, regret = m["smaa"], m["allocation"], m["allocation_with_regret"]
    print(f"SMAA-2 of the base case ({smaa['samples']} samples, in every run): {smaa['cpu_s']:.2f} s CPU")
    print(f"allocation: {plain['cpu_s']:.2f} s CPU; with regret (allocation.regret, off by default,")
    print(f"  {regret['sites']} allocated sites re-solved one by one): {regret['cpu_s']:.2f} s CPU")
    pages = f["report_pages"]
    print(f"printed report: {pages if pages is not None else 'n/a (no Chromium)'} A4 pages (target 15)")
    print(json.dumps(f))


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--phases":
        print(json.dumps(phases(*(Path(a) for a in sys.argv[2:5]))))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--many-solves":
        print(json.dumps(many_solves(Path(sys.argv[2]))))
        return
    work = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        figures = measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(figures)


if __name__ == "__main__":
    main()
