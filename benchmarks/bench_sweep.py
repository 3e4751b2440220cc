"""Benchmark: a sweep of Heerlen variants, serially and on a two-worker Dask LocalCluster.

The study varies the Parkstad demand to 2030 (the conclusion's mid value from 45 to 75 ha; 001,
Bijlage 3 gives 50-70 ha), four weight sets and the three Ladder modes; ``--variants`` takes the
first so many combinations (default 1,000). The same variants run serially in this process and
then on a `LocalCluster` of ``--workers`` processes; the tables must be equal. Prints variants
per second both ways, the speed-up (target ≥ 1.7× on 2 workers), `uptime`'s load (other work on
the machine lowers the speed-up), and a JSON last line.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_sweep.py [--variants 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np

from mca.app.sweep import run_sweep, tidy_table, variant_table
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and return its summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--variants", type=int, default=1_008)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    spec = study(args.variants)
    load_before = os.getloadavg()[0]
    begin = time.perf_counter()
    serial = run_sweep(spec, BASE, serial=True)
    serial_s = time.perf_counter() - begin
    begin = time.perf_counter()
    parallel = run_sweep(spec, BASE, workers=args.workers)
    parallel_s = time.perf_counter() - begin
    same = all(make(serial).equals(make(parallel)) for make in (variant_table, tidy_table))
    failed = int((variant_table(serial)["status"] != "ok").sum())
    n = len(serial.outcomes)
    speedup = serial_s / parallel_s
    print(f"{n:,} Heerlen variants ({failed} failed)")
    print(f"  serial          {serial_s:8.1f} s  {n / serial_s:6.2f} variants/s")
    print(
        f"  {args.workers} workers (Dask) {parallel_s:8.1f} s  {n / parallel_s:6.2f} variants/s (incl. cluster start)"
    )
    print(f"  speed-up {speedup:.2f}x (target ≥ 1.7x on 2 workers); tables identical: {same}")
    print(f"  load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    summary = {
        "benchmark": "sweep",
        "variants": n,
        "failed": failed,
        "workers": args.workers,
        "serial_seconds": round(serial_s, 2),
        "parallel_seconds": round(parallel_s, 2),
        "speedup": round(speedup, 3),
        "identical": bool(same),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
