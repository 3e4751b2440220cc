"""How far CBC and HiGHS disagree on each bundled scenario and on Heerlen base with ten times the demand (issue 10).

Prints, per case, the largest difference in hectares per site, segment and period between the
two solvers' allocations and both solve times; the last line is JSON. Not a unit test: it
runs CBC on every scenario.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

from mca.app import pipeline
from mca.app.scenario import load_scenario
from solvers import solve

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
KEYS = ["site_id", "sector", "size_class", "period"]


def disagreement(path: Path, demand_factor: float = 1.0) -> dict[str, float | str]:
    """The largest hectare difference between CBC and HiGHS on one scenario (demand times ``demand_factor``)."""
    inputs = pipeline.load_inputs(load_scenario(path))
    scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
    problem = pipeline.allocation_problem(inputs, scored, pipeline.demand_forecast(inputs).segments)
    problem.demand = problem.demand.assign(hectares=problem.demand["hectares"] * demand_factor)
    hectares, seconds = [], {}
    for solver in ("cbc", "highs"):
        started = time.perf_counter()
        result = solve(problem, inputs.scenario.allocation.model_copy(update={"solver": solver}))
        seconds[solver] = time.perf_counter() - started
        hectares.append(result.allocation.groupby(KEYS)["hectares"].sum())
    both = pd.concat(hectares, axis=1).fillna(0.0)
    return {
        "scenario": path.stem if demand_factor == 1 else f"{path.stem} ×{demand_factor:g} demand",
        "max_difference_ha": float((both.iloc[:, 0] - both.iloc[:, 1]).abs().max()),
        "cbc_s": round(seconds["cbc"], 2),
        "highs_s": round(seconds["highs"], 2),
    }


def main() -> int:
    rows = [disagreement(path) for path in SCENARIOS]
    rows.append(disagreement(SCENARIOS[[p.stem for p in SCENARIOS].index("heerlen_base")], demand_factor=10.0))
    for row in rows:
        print(
            f"{row['scenario']:<36} max |CBC − HiGHS| {row['max_difference_ha']:.2e} ha   "
            f"CBC {row['cbc_s']:.1f} s   HiGHS {row['highs_s']:.1f} s"
        )
    print(json.dumps({"solver_agreement": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
