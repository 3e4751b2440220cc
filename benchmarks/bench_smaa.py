"""Benchmark: vectorised SMAA-2 against scikit-criteria's WeightedSumModel one sample at a time.

10,000 weight samples × 1,000 sites × 6 criteria (random value scores, seed 0); target < 1 s.
The per-sample scikit-criteria loop is timed on a subset of the same samples and extrapolated.
The last printed line is JSON with the figures.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import skcriteria
from skcriteria.agg.simple import WeightedSumModel

from mca.scoring.smaa import sample_weights, smaa

SITES, CRITERIA, SAMPLES, LOOP_SUBSET, SEED, REPEATS = 1_000, 6, 10_000, 200, 0, 3


def main() -> None:
    rng = np.random.default_rng(SEED)
    criteria = [f"c{j}" for j in range(CRITERIA)]
    scores = pd.DataFrame(
        rng.random((SITES, CRITERIA)),
        columns=criteria,
        index=pd.Index([f"site{i:04d}" for i in range(SITES)], name="site_id"),
    )
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = smaa(scores, criteria, samples=SAMPLES, seed=SEED)
        timings.append(time.perf_counter() - start)
    smaa_s = min(timings)

    weights = sample_weights(SAMPLES, CRITERIA, np.random.default_rng(SEED))[:LOOP_SUBSET]
    counts = np.zeros((SITES, SITES))
    model = WeightedSumModel()
    start = time.perf_counter()
    for w in weights:
        dm = skcriteria.mkdm(
            scores.to_numpy(), [max] * CRITERIA, weights=w, alternatives=list(scores.index), criteria=criteria
        )
        rank = model.evaluate(dm).rank_  # continuous random scores: no ties
        counts[np.arange(SITES), rank - 1] += 1
    loop_subset_s = time.perf_counter() - start
    loop_full_s = loop_subset_s * SAMPLES / LOOP_SUBSET

    agree = np.allclose(
        counts / LOOP_SUBSET,
        smaa(scores, criteria, samples=LOOP_SUBSET, seed=SEED).acceptability_full.to_numpy(),
    )
    print(
        f"SMAA-2 vectorised: {SAMPLES} samples × {SITES} sites × {CRITERIA} criteria: "
        f"{smaa_s:.3f} s (best of {REPEATS}; target < 1 s)"
    )
    print(
        f"scikit-criteria WeightedSumModel per sample: {loop_subset_s:.3f} s for "
        f"{LOOP_SUBSET} samples, extrapolated to {SAMPLES}: {loop_full_s:.1f} s"
    )
    print(
        f"speed-up: {loop_full_s / smaa_s:.0f}x; rank acceptability matrix on the "
        f"{LOOP_SUBSET}-sample subset agrees: {agree}"
    )
    print(
        json.dumps(
            {
                "benchmark": "smaa",
                "sites": SITES,
                "criteria": CRITERIA,
                "samples": SAMPLES,
                "smaa_seconds": round(smaa_s, 4),
                "target_seconds": 1.0,
                "skcriteria_loop_subset_samples": LOOP_SUBSET,
                "skcriteria_loop_subset_seconds": round(loop_subset_s, 4),
                "skcriteria_loop_extrapolated_seconds": round(loop_full_s, 2),
                "speedup": round(loop_full_s / smaa_s, 1),
                "acceptability_agrees_on_subset": bool(agree),
                "top_site_rank1_acceptability": float(result.acceptability_full[1].max()),
            }
        )
    )


if __name__ == "__main__":
    main()
