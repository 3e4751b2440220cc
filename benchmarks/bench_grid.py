"""Benchmark: national grid mode on a synthetic Netherlands-sized region at 100 m (≈ 3.3 M land cells).

The real national layers cannot be downloaded here, so `synthetic_nation` draws a land polygon
of about 33,500 km² (the Netherlands' land area) with Natura 2000 sites, NNN areas, business
parks, built-up areas, motorway junctions, stations and roads as random shapes (seeded; none of
it is real). Then, timed step by step:

1. rasterise every layer (`criteria.raster.rasterize`, all polygons at once);
2. six raster criteria by distance transforms: distance to parks (min), junctions (min),
   stations (min), roads (min), dwellings (max) and nature (max);
3. scoring: min–max scores and the weighted overlay (equal weights, assumption), exclusions
   (outside the land, in Natura 2000, NNN, built-up land or a park) as a mask;
4. aggregation of the suitable cells to sites of at most ``--plot-ha`` (`candidates.grid`);
5. the allocation MIP (`solvers.solve`, HiGHS) on the ``--mip-sites`` best aggregated sites with
   a demand of half their capacity (synthetic).

Prints sizes, seconds per step, peak resident memory, `uptime`'s load, and a JSON last line.
Targets (issue 16): scoring 3.3 M cells × 6 criteria < 20 s, memory < 8 GB.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_grid.py [--cell-m 100] [--mip-sites 500] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import shapely
import shapely.affinity

from candidates.grid import aggregate_cells
from criteria.raster import (
    RasterGrid,
    distance_to,
    linear_scores,
    rasterize,
    rasterize_lines,
    rasterize_points,
    weighted_overlay,
)
from mca.core.sectors import DEFAULT_SECTORS, PERIODS, SIZE_CLASSES
from solvers import AllocationProblem, AllocationSettings, solve

LAND_KM2 = 33_500.0
"""Land area of the Netherlands, about 33,500 km² (CBS), so 100 m cells give ≈ 3.3 M land cells."""
CENTRE = (155_000.0, 463_000.0)
"""Amersfoort, the origin of RD New (only to keep coordinates plausible)."""
COUNTS = {"natura2000": 160, "nnn": 2_500, "parks": 3_800, "residential": 6_000, "junctions": 900, "stations": 400}
"""Feature counts of the same order as the Dutch layers (synthetic)."""
CRITERIA: dict[str, tuple[str, str]] = {
    "adjacency": ("parks", "min"),
    "road_access": ("junctions", "min"),
    "public_transport": ("stations", "min"),
    "road_distance": ("roads", "min"),
    "env_space": ("residential", "max"),
    "nature_distance": ("nature", "max"),
}


def _blobs(rng: np.random.Generator, centres: np.ndarray, radius: tuple[float, float]) -> np.ndarray:
    """Irregular polygons: buffered points stretched in random directions."""
    circles = shapely.buffer(shapely.points(centres), rng.uniform(*radius, size=len(centres)), quad_segs=4)
    stretch = rng.uniform(0.5, 1.5, size=len(centres))
    return np.array([shapely.affinity.scale(c, s, 1 / s) for c, s in zip(circles, stretch, strict=True)])


def synthetic_nation(seed: int) -> dict[str, np.ndarray]:
    """Geometries of the synthetic national layers (land, nature, parks, built-up areas, points, roads)."""
    rng = np.random.default_rng(seed)
    angle = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    shape = 1 + 0.2 * np.sin(3 * angle + rng.uniform(0, 6)) + 0.08 * np.sin(11 * angle + rng.uniform(0, 6))
    radius = math.sqrt(LAND_KM2 * 1e6 / (np.pi * np.mean(shape**2)))
    land = shapely.Polygon(
        np.c_[CENTRE[0] + radius * shape * np.cos(angle), CENTRE[1] + radius * shape * np.sin(angle)]
    )
    xmin, ymin, xmax, ymax = land.bounds

    def inside(n: int) -> np.ndarray:
        points = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        return points[shapely.contains_xy(land, points[:, 0], points[:, 1])][:n]

    starts = inside(8_000)
    heading = rng.uniform(0, 2 * np.pi, size=len(starts))
    length = rng.uniform(2_000, 15_000, size=len(starts))
    ends = starts + np.c_[np.cos(heading), np.sin(heading)] * length[:, None]
    return {
        "land": np.array([land]),
        "natura2000": _blobs(rng, inside(COUNTS["natura2000"]), (1_000, 5_000)),
        "nnn": _blobs(rng, inside(COUNTS["nnn"]), (200, 1_200)),
        "parks": _blobs(rng, inside(COUNTS["parks"]), (100, 600)),
        "residential": _blobs(rng, inside(COUNTS["residential"]), (200, 2_000)),
        "junctions": shapely.points(inside(COUNTS["junctions"])),
        "stations": shapely.points(inside(COUNTS["stations"])),
        "roads": shapely.linestrings(np.stack([starts, ends], axis=1)),
    }


def timed(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    """Run ``step``, record its seconds under ``name`` and return its result."""
    begin = time.perf_counter()
    result = step()
    timings[name] = time.perf_counter() - begin
    return result


def rasterise_layers(grid: RasterGrid, layers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Boolean rasters of every layer (points and lines by their cells)."""
    masks = {name: rasterize(grid, layers[name]) for name in ("land", "natura2000", "nnn", "parks", "residential")}
    masks["nature"] = masks["natura2000"] | masks["nnn"]
    for name in ("junctions", "stations"):
        xy = shapely.get_coordinates(layers[name])
        masks[name] = rasterize_points(grid, xy[:, 0], xy[:, 1])
    masks["roads"] = rasterize_lines(grid, layers["roads"])
    return masks


def score_cells(values: dict[str, np.ndarray], excluded: np.ndarray) -> np.ndarray:
    """Suitability per cell: equal-weight sum of min–max scores over the cells not excluded."""
    valid = ~excluded
    scores = {name: linear_scores(values[name], CRITERIA[name][1], valid) for name in CRITERIA}
    return weighted_overlay(scores, dict.fromkeys(CRITERIA, 1.0), excluded)


def aggregated_sites(suitability: np.ndarray, excluded: np.ndarray, cell_ha: float, plot_ha: float) -> pd.DataFrame:
    """Sites of connected suitable cells: site_id, cells, capacity (ha, net 0.8, assumption), mean suitability."""
    row, col = np.nonzero(~excluded)
    label = aggregate_cells(row, col, max(1, math.floor(plot_ha / cell_ha)))
    cells = np.bincount(label)
    mean = np.bincount(label, weights=suitability[row, col].astype(float)) / cells
    capacity = cells * cell_ha * 0.8
    return pd.DataFrame(
        {"site_id": [f"GR-{i:07d}" for i in range(len(cells))], "cells": cells, "capacity_ha": capacity, "suit": mean}
    )


def allocation_problem(sites: pd.DataFrame) -> AllocationProblem:
    """Expansion sites with their capacity from the first period, and demand of half that capacity."""
    frame = pd.DataFrame(
        {
            "site_id": sites["site_id"],
            "kind": "expansion",
            "contiguous_ha": sites["capacity_ha"],
            **{f"capacity_{p}_ha": sites["capacity_ha"] for p in PERIODS},
        }
    )
    sector_ids = [s.id for s in DEFAULT_SECTORS]
    total = 0.5 * float(sites["capacity_ha"].sum())
    share = 1.0 / (len(sector_ids) * len(SIZE_CLASSES) * len(PERIODS))
    demand = pd.DataFrame(
        [(s, z, p, total * share) for s in sector_ids for z in SIZE_CLASSES for p in PERIODS],
        columns=["sector", "size_class", "period", "hectares"],
    )
    suitability = pd.DataFrame(
        {s: sites["suit"].to_numpy() for s in sector_ids}, index=pd.Index(sites["site_id"], name="site_id")
    )
    return AllocationProblem(sites=frame, demand=demand, suitability=suitability, sectors=DEFAULT_SECTORS)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and return its summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cell-m", type=float, default=100.0)
    parser.add_argument("--plot-ha", type=float, default=25.0)
    parser.add_argument("--mip-sites", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    layers = timed(timings, "generate", lambda: synthetic_nation(args.seed))
    grid = RasterGrid.covering(layers["land"][0].bounds, args.cell_m)
    masks = timed(timings, "rasterise", lambda: rasterise_layers(grid, layers))
    values = timed(
        timings, "distances", lambda: {n: distance_to(grid, masks[layer]) for n, (layer, _) in CRITERIA.items()}
    )
    excluded = ~masks["land"] | masks["natura2000"] | masks["nnn"] | masks["residential"] | masks["parks"]
    suitability = timed(timings, "scoring", lambda: score_cells(values, excluded))
    land_cells = int(masks["land"].sum())
    cell_ha = args.cell_m**2 / 10_000.0
    sites = timed(timings, "aggregate", lambda: aggregated_sites(suitability, excluded, cell_ha, args.plot_ha))
    best = sites.sort_values(["suit", "site_id"], ascending=[False, True]).head(args.mip_sites)
    settings = AllocationSettings(solver="highs", rel_gap=0.001, time_limit_s=300)
    result = timed(timings, "allocation", lambda: solve(allocation_problem(best), settings))
    criteria_s = timings["rasterise"] + timings["distances"] + timings["scoring"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"grid {grid.shape[0]:,} × {grid.shape[1]:,} = {grid.size:,} cells of {args.cell_m:g} m; {land_cells:,} land")
    print(f"suitable cells {int((~excluded).sum()):,} → {len(sites):,} aggregated sites (≤ {args.plot_ha:g} ha)")
    for name, seconds in timings.items():
        print(f"  {name:<11} {seconds:8.2f} s")
    print(f"  criteria + scoring ({len(CRITERIA)} criteria) {criteria_s:.2f} s (target < 20 s)")
    print(
        f"allocation on the {len(best):,} best sites: {result.status}, gap {result.gap}, {timings['allocation']:.1f} s"
    )
    print(f"peak RSS {peak_mb:,.0f} MB (target < 8,192 MB); load average {os.getloadavg()[0]:.2f}")
    summary = {
        "benchmark": "grid",
        "cells": grid.size,
        "land_cells": land_cells,
        "criteria": len(CRITERIA),
        "aggregated_sites": len(sites),
        "mip_sites": len(best),
        "criteria_and_scoring_seconds": round(criteria_s, 3),
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "allocation_status": result.status,
        "peak_rss_mb": round(peak_mb, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
