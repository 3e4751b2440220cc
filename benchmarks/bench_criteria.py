"""Benchmark: every criterion on synthetic regions at 1x and 10x the first benchmark's size.

1x is 10,000 candidate sites on 100,000 road links, 10x is 100,000 sites on 1,000,000 links
(issue 16). Per size it prints the time of each step (the road graph, its two shortest-path
trees, the routes the allocation uses, then each criterion) in wall-clock and CPU seconds
(``resource.getrusage``, user + system), the total, the peak resident memory of the process so
far (``ru_maxrss``) and the 1/5/15-minute load averages before and after (as ``uptime`` shows
them); then whether 10x met the target (issue 16: under 30 s wall clock) and, as the last line, a
JSON summary of all sizes. The synthetic region's generation is timed apart, not in the total.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_criteria.py [--scales 1 10] [--parks 17] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import criteria
from candidates.synthetic import synthetic_region
from criteria.base import Context

BASE_SITES = 10_000
BASE_EDGES = 100_000
TARGET_SCALE = 10
TARGET_SECONDS = 30.0


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """``action()``'s result, wall-clock seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = action()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def load() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def run_size(n_sites: int, n_edges: int, n_parks: int, seed: int) -> dict:
    """Time every step at one size, print the figures and return them."""
    load_before = load()
    region, generate_wall, _ = timed(lambda: synthetic_region(n_parks, n_sites, n_edges, seed=seed))
    print(f"\n{n_sites:,} sites, {n_edges:,} road links (region generated in {generate_wall:.2f} s)")
    ctx = Context(layers=region.layers)
    steps: dict[str, tuple[float, float]] = {}
    network, *steps["road_graph"] = timed(lambda: ctx.road_network)
    _, *steps["shortest_path_trees"] = timed(lambda: [network.tree(w) for w in ("length", "time")])
    _, *steps["routes_for_allocation"] = timed(lambda: criteria.road_outputs(region.candidates, ctx))
    n_exclusions = 0
    for name, criterion in criteria.registry().items():
        result, *steps[name] = timed(lambda criterion=criterion: criterion.run(region.candidates, ctx))
        n_exclusions += len(result.exclusions)
    wall = sum(w for w, _ in steps.values())
    cpu = sum(c for _, c in steps.values())
    print(f"road graph: {network.n_nodes:,} nodes, {len(network.junction_nodes)} junctions")
    print(f"  {'step':<22} {'wall s':>8} {'CPU s':>8}")
    for name, (step_wall, step_cpu) in steps.items():
        print(f"  {name:<22} {step_wall:8.2f} {step_cpu:8.2f}")
    print(f"  {'total':<22} {wall:8.2f} {cpu:8.2f}  ({n_exclusions:,} exclusion rows)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    load_after = load()
    print(f"peak RSS {peak_mb:,.0f} MB; load average {load_before} before, {load_after} after ({os.cpu_count()} cores)")
    return {
        "sites": n_sites,
        "edges": n_edges,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "generate_seconds": round(generate_wall, 3),
        "per_step": {k: {"wall": round(w, 3), "cpu": round(c, 3)} for k, (w, c) in steps.items()},
        "exclusion_rows": n_exclusions,
        "peak_rss_mb": round(peak_mb, 1),
        "load_before": load_before,
        "load_after": load_after,
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark at every scale and return its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, TARGET_SCALE], help="multiples of 1x")
    parser.add_argument("--parks", type=int, default=17)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [run_size(BASE_SITES * s, BASE_EDGES * s, args.parks, args.seed) for s in args.scales]
    summary: dict[str, Any] = {"benchmark": "criteria", "cores": os.cpu_count(), "sizes": sizes}
    if TARGET_SCALE in args.scales:
        at_target = sizes[args.scales.index(TARGET_SCALE)]
        met = at_target["seconds"] < TARGET_SECONDS
        summary["target"] = {"scale": TARGET_SCALE, "seconds": TARGET_SECONDS, "met": met}
        print(
            f"\nTARGET {TARGET_SCALE}x < {TARGET_SECONDS:.0f} s: {'MET' if met else 'NOT MET'} "
            f"({at_target['seconds']:.2f} s wall, {at_target['cpu_seconds']:.2f} s CPU, "
            f"load {at_target['load_after']})"
        )
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
