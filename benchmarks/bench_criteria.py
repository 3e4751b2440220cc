"""Benchmark: every criterion on a synthetic region (default 100,000 sites, 1,000,000 road links).

Prints the time per criterion (the road graph, its two shortest-path trees and the routes the
allocation uses separately), the total, the peak resident memory, the machine's load average,
and as the last line a JSON summary. Target (issue 16, 10x the first benchmark): under 30 s for
the default size on a 2-core machine.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_criteria.py [--sites N] [--edges N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import criteria
from candidates.synthetic import synthetic_region
from criteria.base import Context


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and return its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--parks", type=int, default=17)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    region = synthetic_region(args.parks, args.sites, args.edges, seed=args.seed)
    generate_s = time.perf_counter() - start
    print(f"synthetic region: {args.sites:,} sites, {args.edges:,} road links in {generate_s:.2f} s")

    ctx = Context(layers=region.layers)
    timings: dict[str, float] = {}
    begin = time.perf_counter()
    network = ctx.road_network
    timings["road_graph"] = time.perf_counter() - begin
    begin = time.perf_counter()
    for weight in ("length", "time"):
        network.tree(weight)
    timings["shortest_path_trees"] = time.perf_counter() - begin
    print(f"road graph: {network.n_nodes:,} nodes, {len(network.junction_nodes)} junctions")
    begin = time.perf_counter()
    criteria.road_outputs(region.candidates, ctx)
    timings["routes_for_allocation"] = time.perf_counter() - begin
    n_exclusions = 0
    for name, criterion in criteria.registry().items():
        begin = time.perf_counter()
        result = criterion.run(region.candidates, ctx)
        timings[name] = time.perf_counter() - begin
        n_exclusions += len(result.exclusions)
    total = sum(timings.values())
    for name, seconds in timings.items():
        print(f"  {name:<22} {seconds:7.2f} s")
    print(f"  {'total':<22} {total:7.2f} s  ({n_exclusions:,} exclusion rows)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    load = os.getloadavg()[0]
    print(f"peak RSS {peak_mb:,.0f} MB; load average {load:.2f} on {os.cpu_count()} cores")
    summary = {
        "benchmark": "criteria",
        "sites": args.sites,
        "edges": args.edges,
        "seconds": round(total, 3),
        "generate_seconds": round(generate_s, 3),
        "per_criterion": {k: round(v, 3) for k, v in timings.items()},
        "peak_rss_mb": round(peak_mb, 1),
        "load_average_1min": round(load, 2),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
