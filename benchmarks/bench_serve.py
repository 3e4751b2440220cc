"""Workbench latency: server-side work per weight change for 10,000 sites (target ≤ 100 ms).

The synthetic region (`candidates.synthetic.synthetic_region`, 10,000 sites on 100,000 road
links) runs through all criteria once; the workbench then precomputes the value-score matrix
per scope (all sectors and each sector). Each weight change is timed three ways, over random
weight vectors (seeded):

- ``rank``: the live re-ranking alone (one matrix product and one sort);
- ``payload``: what the ``/api/rank`` handler does: resolve the weight set, re-rank, build the
  per-site scores, ranks and moves and the top-25 table, and encode it as JSON;
- ``http``: the whole round trip to a real server on 127.0.0.1 (uvicorn, FastAPI validation,
  JSON both ways), as the page sees it.

The page's one-time load (state and map JSON) is timed and sized too.

Run: python benchmarks/bench_serve.py [--sites N] [--changes N]
Prints one line per figure and, last, a JSON object with all of them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request

import numpy as np

import criteria
from candidates.synthetic import synthetic_region
from mca.app import pipeline
from mca.app.serve.api import create_app
from mca.app.serve.geometry import map_payload
from mca.app.serve.server import running
from mca.app.serve.workbench import Workbench
from mca.core.sectors import DEFAULT_SECTORS
from mca.scoring import unscorable_exclusions
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import DirectWeights

TARGET_MS = 100.0


def build(n_sites: int, seed: int) -> tuple[Workbench, float, float]:
    """The workbench on a synthetic region; returns it, the criteria time and the precompute time."""
    started = time.perf_counter()
    region = synthetic_region(n_parks=max(10, n_sites // 25), n_sites=n_sites, n_road_edges=10 * n_sites, seed=seed)
    evaluation = criteria.evaluate(region.candidates, region.layers)
    raw, directions = evaluation.ranking_matrix()
    evaluation = evaluation.with_exclusions(unscorable_exclusions(raw))
    scored = pipeline.Scored(region.candidates, evaluation, raw, directions, suitability=raw.iloc[:, :0])
    criteria_s = time.perf_counter() - started
    started = time.perf_counter()
    workbench = Workbench(scored, ScoringSettings(), [s.id for s in DEFAULT_SECTORS], served=None)
    return workbench, criteria_s, time.perf_counter() - started


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum, in ms."""
    ordered = sorted(samples_ms)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def time_changes(workbench: Workbench, weight_sets: list[DirectWeights], scope: str) -> dict[str, dict[str, float]]:
    """Per weight change: the re-ranking alone and the handler's whole work (payload + JSON)."""
    rank_ms, payload_ms = [], []
    for weight_set in weight_sets:
        started = time.perf_counter()
        workbench.ranker.rank(weight_set.weights, scope)
        rank_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        json.dumps(workbench.rank_payload(weight_set, scope))
        payload_ms.append(1000 * (time.perf_counter() - started))
    return {"rank": percentiles(rank_ms), "payload": percentiles(payload_ms)}


def time_http(workbench: Workbench, weight_sets: list[DirectWeights]) -> dict[str, float]:
    """Per weight change: the round trip to a real server on 127.0.0.1."""
    samples = []
    with running(create_app(workbench)) as url:
        for weight_set in weight_sets:
            body = json.dumps({"scope": "*", "weights": weight_set.model_dump(mode="json")}).encode()
            request = urllib.request.Request(url + "api/rank", data=body, headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            samples.append(1000 * (time.perf_counter() - started))
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=200)
    args, _ = parser.parse_known_args()
    workbench, criteria_s, precompute_s = build(args.sites, seed=0)
    ranked = int((workbench.baseline["*"].ranks > 0).sum())
    print(f"synthetic region: {args.sites} sites ({ranked} ranked), criteria {criteria_s:.1f} s (once)")
    print(f"precompute value scores for {len(workbench.ranker.scopes)} scopes: {precompute_s:.2f} s (once)")
    rng = np.random.default_rng(1)
    weight_sets = [
        DirectWeights(weights=dict(zip(workbench.criteria, rng.dirichlet(np.ones(len(workbench.criteria))).tolist())))
        for _ in range(args.changes)
    ]
    figures: dict[str, object] = {}
    for scope in ("*", workbench.sectors[0]):
        figures[scope] = time_changes(workbench, weight_sets, scope)
        for part, stats in figures[scope].items():  # type: ignore[union-attr]
            print(f"scope {scope}: {part} per weight change: {stats} (target ≤ {TARGET_MS:.0f} ms)")
    started = time.perf_counter()
    page_load = len(json.dumps(workbench.state())) + len(json.dumps(map_payload({}, workbench.sites.reset_index())))
    load_s = time.perf_counter() - started
    print(f"page load (state and map, once): {load_s:.2f} s, {page_load / 1e6:.1f} MB of JSON")
    figures["http"] = time_http(workbench, weight_sets)
    print(f"HTTP round trip per weight change (127.0.0.1): {figures['http']}")
    worst = max(figures["http"]["p95_ms"], figures["*"]["payload"]["p95_ms"])  # type: ignore[index]
    print(
        json.dumps(
            {
                "benchmark": "serve",
                "sites": args.sites,
                "ranked_sites": ranked,
                "changes": args.changes,
                "criteria_seconds": round(criteria_s, 2),
                "precompute_seconds": round(precompute_s, 3),
                "page_load_seconds": round(load_s, 2),
                "page_load_megabytes": round(page_load / 1e6, 2),
                "per_change": figures,
                "target_ms": TARGET_MS,
                "within_target": bool(worst <= TARGET_MS),
            }
        )
    )


if __name__ == "__main__":
    main()
