"""Benchmark: a sweep of Heerlen variants, serially and on a two-worker Dask LocalCluster.

The study varies the Parkstad demand to 2030 (the conclusion's mid value from 45 to 75 ha; 001,
Bijlage 3 gives 50-70 ha), four weight sets and the three Ladder modes; ``--variants`` takes the
first so many combinations (default 1,008: 84 demand values x 12). The same variants run serially
in this process and then on a `LocalCluster` of ``--workers`` processes (cluster start included,
the sweep's own chunks unless ``--chunk``); the tables must be equal. Prints, for each way, wall
seconds, variants per second and CPU seconds (user + system of this process and of the worker
processes, ``resource.getrusage``), the speed-up (target >= 1.7x on 2 workers) and `uptime`'s load
(other work on the machine lowers the speed-up: wall figures are upper bounds), and a JSON last
line. With ``--lock FILE`` each of the two timed runs holds an exclusive lock on FILE (``flock``),
so that the two holds stay short and other timings on the machine do not overlap them.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_sweep.py [--variants 1008] [--workers 2]
        [--chunk N] [--lock /tmp/bench.lock]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from mca.app.sweep import SweepResult, run_sweep, tidy_table, variant_table
from mca.app.sweep_spec import SweepSpec
from mca.core.paths import SCENARIO_DIR

BASE = SCENARIO_DIR / "heerlen_base.yaml"
WEIGHT_SETS = ["balanced", "economy_first", "nature_first", "accessibility_first"]
LADDERS = ["strict", "weighted", "off"]


def study(n_variants: int) -> SweepSpec:
    """A spec of ``n_variants`` variants, rounded up to a whole number of demand values (12 variants each)."""
    per_demand = len(WEIGHT_SETS) * len(LADDERS)
    n_demand = max(1, -(-n_variants // per_demand))
    demand = [round(float(v), 3) for v in np.linspace(45.0, 75.0, n_demand)]
    variants = [{"set": {"demand.conclusion_parkstad_2030_ha.mid": value, "demand.variant": "mid"}} for value in demand]
    return SweepSpec(
        name="bench_sweep",
        base=BASE,
        grid={"scoring.default_weight_set": WEIGHT_SETS, "allocation.ladder": LADDERS},
        variants=variants,
        top_k=10,
    )


@contextmanager
def held(lock: Path | None) -> Iterator[None]:
    """An exclusive ``flock`` on ``lock`` while the block runs (nothing when None)."""
    if lock is None:
        yield
        return
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cpu_seconds() -> float:
    """User + system seconds of this process and of its finished child processes."""
    usages = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in usages)


def timed(run: Callable[[], SweepResult], lock: Path | None) -> tuple[SweepResult, dict[str, float]]:
    """``run()`` under the lock: its result, wall and CPU seconds and the load before and after."""
    with held(lock):
        load = os.getloadavg()[0]
        cpu, begin = cpu_seconds(), time.perf_counter()
        result = run()
        wall, cpu = time.perf_counter() - begin, cpu_seconds() - cpu
        figures = {"seconds": wall, "cpu_seconds": cpu, "load_before": load, "load_after": os.getloadavg()[0]}
    return result, figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and return its summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--variants", type=int, default=1_008)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=None, help="variants per cluster task (default: the sweep's)")
    parser.add_argument("--lock", type=Path, default=None, help="file to flock during each timed run")
    args = parser.parse_args(argv)
    spec = study(args.variants)
    serial, one = timed(lambda: run_sweep(spec, BASE, serial=True), args.lock)
    parallel, many = timed(lambda: run_sweep(spec, BASE, workers=args.workers, chunk=args.chunk), args.lock)
    same = all(make(serial).equals(make(parallel)) for make in (variant_table, tidy_table))
    failed = int((variant_table(serial)["status"] != "ok").sum())
    n = len(serial.outcomes)
    speedup = one["seconds"] / many["seconds"]
    print(f"{n:,} Heerlen variants ({failed} failed)")
    for label, f in (("serial         ", one), (f"{args.workers} workers (Dask)", many)):
        print(
            f"  {label} {f['seconds']:8.1f} s  {n / f['seconds']:6.2f} variants/s  CPU {f['cpu_seconds']:7.1f} s"
            f"  load {f['load_before']:.2f} -> {f['load_after']:.2f}"
        )
    print(f"  speed-up {speedup:.2f}x (target ≥ 1.7x on 2 workers); tables identical: {same}")
    print(f"  cluster run includes its start; {os.cpu_count()} cores")
    summary = {
        "benchmark": "sweep",
        "variants": n,
        "failed": failed,
        "workers": args.workers,
        "chunk": args.chunk,
        "serial_seconds": round(one["seconds"], 2),
        "serial_cpu_seconds": round(one["cpu_seconds"], 2),
        "parallel_seconds": round(many["seconds"], 2),
        "parallel_cpu_seconds": round(many["cpu_seconds"], 2),
        "speedup": round(speedup, 3),
        "identical": bool(same),
        "load_average_1min": [round(f[k], 2) for f in (one, many) for k in ("load_before", "load_after")],
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
