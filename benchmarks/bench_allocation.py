"""Allocation benchmark on the synthetic region: 1,000 / 10,000 / 100,000 sites × 8 segments × 2 periods.

Each instance runs the real chain: `candidates.synthetic.synthetic_region` → all criteria →
suitability per sector → compatibility (exclusions, profile rules, environmental category,
contiguity) → the allocation MIP, solved with HiGHS (default) and CBC to a relative gap of 0.1 %.
Demand is `--demand-share` of the region's total capacity (default 10 %, an assumption in the
order of Heerlen's own ratio: 63 ha of demand against ~865 ha of candidate capacity), split by
the base-case sector and size-class shares and 60/40 over the two periods.

Every (size, solver) case runs in its own process, so that its peak memory (``ru_maxrss``) is
its own; the instance is prepared once per size and handed over as a pickle (prep time is not
part of the solve). Per case: build (PuLP model), solve (everything after the build up to the
result), total, CPU seconds, status, the gap on the full objective and on the suitability term,
peak memory, the machine load before and after, the variables of the full model and of the model
solved (`solvers.restriction`: without the variables the roads hold at zero). For HiGHS also
*HiGHS alone*: the full model
exported with ``writeMPS`` and solved by plain highspy from the file — phase 1 of the strict
ladder to ``rel_gap``, then the suitability MIP with the ladder row the run found, to the gap
the run uses on it (``min(rel_gap, suitability_gap · suitability / |objective|)``) — and the overhead ratio
``total / HiGHS alone``. Growth ratios compare each size's total with the size before it.

``--suitability-gap`` sets the gap on the suitability term (default: ``rel_gap``, the model's
default); at 0.01 the suitability phase may stop at the rounded LP relaxation when that is proven
within 1 % on the suitability term.

Run: python benchmarks/bench_allocation.py [--sizes 1000 10000 100000] [--solvers highs cbc] [--suitability-gap G]
Prints one line per case, the growth ratios and, last, a JSON object with all cases.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import highspy
import pandas as pd
import pulp

import criteria
from candidates.synthetic import synthetic_region
from demand.settings import DemandSettings
from demand.split import split_segments
from mca.core.sectors import DEFAULT_SECTORS
from mca.inputs.dataset import load_parks
from mca.scoring import suitability, unscorable_exclusions
from mca.scoring.settings import ScoringSettings
from solvers import AllocationProblem, AllocationResult, AllocationSettings, build_compatibility, solve
from solvers.builders import ladder_floor
from solvers.model import build_model
from solvers.restriction import restricted_model
from solvers.solve import LARGE_MODEL_COLUMNS

REL_GAP = 0.001


def make_instance(n_sites: int, seed: int, demand_share: float) -> tuple[AllocationProblem, float]:
    """The allocation problem of a synthetic region of ``n_sites`` sites; returns it and its prep time."""
    started = time.perf_counter()
    region = synthetic_region(n_parks=max(10, n_sites // 25), n_sites=n_sites, n_road_edges=10 * n_sites, seed=seed)
    evaluation = criteria.evaluate(region.candidates, region.layers)
    raw, directions = evaluation.ranking_matrix()
    evaluation = evaluation.with_exclusions(unscorable_exclusions(raw))
    suit = suitability(raw, directions, evaluation.exclusions, ScoringSettings(), DEFAULT_SECTORS)
    compatibility = build_compatibility(
        region.candidates, DEFAULT_SECTORS, AllocationSettings(), exclusions=evaluation.exclusions, parks=region.parks
    )
    total = demand_share * float(region.candidates["capacity_ha"].sum())
    shares = DemandSettings()
    segments = split_segments({"2030": 0.6 * total, "2040": 0.4 * total}, shares.sector_shares, shares.size_shares)
    problem = AllocationProblem(
        sites=pd.DataFrame(region.candidates.drop(columns="geometry")),
        demand=segments,
        suitability=suit,
        compatibility=compatibility.matrix,
        links=evaluation.links,
        routes=evaluation.routes,
        compatibility_reasons=compatibility.reasons,
    )
    return problem, time.perf_counter() - started


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the CBC binary runs as one)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def run_case(problem: AllocationProblem, solver: str, time_limit_s: float, suitability_gap: float | None) -> dict:
    """One solve of ``problem`` (this process): sizes, times, gaps, peak memory, load; HiGHS alone for HiGHS."""
    settings = AllocationSettings(
        solver=solver, rel_gap=REL_GAP, suitability_gap=suitability_gap, time_limit_s=time_limit_s
    )
    load_before = os.getloadavg()[0]
    cpu, started = _cpu(), time.perf_counter()
    result = solve(problem, settings)
    total_s, cpu_s = time.perf_counter() - started, _cpu() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = build_model(problem, settings)
    restricted = restricted_model(problem, settings, LARGE_MODEL_COLUMNS)
    case = {
        "solver": solver,
        "suitability_gap_target": REL_GAP if suitability_gap is None else suitability_gap,
        "variables": len(model.lp.variables()),
        "integers": len(model.n) + len(model.y),
        "solved_variables": len((restricted or model).lp.variables()),
        "solved_integers": len((restricted or model).n) + len((restricted or model).y),
        "constraints": len(model.lp.constraints),
        "nonzeros": sum(len(con) for con in model.lp.constraints.values()),
        "demand_ha": round(float(problem.demand["hectares"].sum()), 1),
        "placed_ha": round(float(result.allocation["hectares"].sum()), 1),
        "build_s": round(result.build_seconds, 2),
        "solve_s": round(result.seconds - result.build_seconds, 2),
        "total_s": round(total_s, 2),
        "cpu_s": round(cpu_s, 2),
        "status": result.status,
        "gap": result.gap,
        "suitability_gap": result.suitability_gap,
        "objective": round(result.objective, 4),
        "phases": [f"{r.phase}:{r.method}:{r.seconds:.2f}s" for r in result.runs],
        "peak_rss_mb": round(peak_mb, 1),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if solver == "highs":
        alone = highs_alone(problem, settings, result)
        case |= {"highs_alone_s": round(alone, 2), "overhead_ratio": round(total_s / max(alone, 1e-9), 2)}
    return case


def highs_alone(problem: AllocationProblem, settings: AllocationSettings, result: AllocationResult) -> float:
    """Seconds plain highspy takes for the run's MIPs read from MPS files (see the module docstring)."""
    seconds = 0.0
    model = build_model(problem, settings)
    ladder = result.binding.loc[result.binding["constraint"] == "ladder", "rhs"]
    with tempfile.TemporaryDirectory() as tmp:
        if len(ladder):
            rounding = pulp.LpAffineExpression([(v, -settings.rounding_penalty) for v in model.over["var"]])
            model.lp.setObjective(model.placed_existing + rounding)
            seconds += _highs_from_mps(model.lp, Path(tmp) / "ladder.mps", settings.rel_gap, settings.time_limit_s)
            model.lp.setObjective(model.objective)
            model.lp.addConstraint(ladder_floor(model.placed_existing, float(ladder.iloc[0]) / (1 - 1e-7)))
        on_suitability = settings.rel_gap if settings.suitability_gap is None else settings.suitability_gap
        gap = min(settings.rel_gap, on_suitability * result.suitability / max(abs(result.objective), 1e-9))
        seconds += _highs_from_mps(model.lp, Path(tmp) / "suitability.mps", gap, settings.time_limit_s)
    return seconds


def _highs_from_mps(lp: pulp.LpProblem, path: Path, gap: float, time_limit_s: float) -> float:
    """Write ``lp`` as MPS, read it into a fresh HiGHS (maximising: PuLP marks the sense only in a comment), solve."""
    lp.writeMPS(str(path))
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(path))
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    highs.setOptionValue("mip_rel_gap", gap)
    highs.setOptionValue("time_limit", time_limit_s)
    started = time.perf_counter()
    highs.run()
    return time.perf_counter() - started


def _child(instance: Path, solver: str, time_limit_s: float, suitability_gap: float | None) -> None:
    """Entry of a case's own process: print the case as JSON."""
    with instance.open("rb") as handle:
        problem = pickle.load(handle)
    print(json.dumps(run_case(problem, solver, time_limit_s, suitability_gap)))


def _growth(cases: list[dict]) -> list[dict]:
    """Per solver, each size's total (and CPU) time over the previous size's."""
    out = []
    for solver in dict.fromkeys(c["solver"] for c in cases):
        mine = sorted((c for c in cases if c["solver"] == solver and "total_s" in c), key=lambda c: c["n_sites"])
        for small, large in itertools.pairwise(mine):
            out.append(
                {
                    "solver": solver,
                    "sites": f"{small['n_sites']} → {large['n_sites']}",
                    "total_ratio": round(large["total_s"] / max(small["total_s"], 1e-9), 1),
                    "cpu_ratio": round(large["cpu_s"] / max(small["cpu_s"], 1e-9), 1),
                }
            )
    return out


def _line(case: dict) -> str:
    gap = "n/a" if case.get("gap") is None else f"{case['gap']:.2e}"
    suit = "n/a" if case.get("suitability_gap") is None else f"{case['suitability_gap']:.2e}"
    alone = (
        f", HiGHS alone {case['highs_alone_s']} s, overhead ×{case['overhead_ratio']}"
        if "highs_alone_s" in case
        else ""
    )
    return (
        f"{case['n_sites']:>7} sites {case['solver']:>5} (suitability gap ≤ {case['suitability_gap_target']:g}): "
        f"{case['variables']} vars ({case['integers']} int; solved {case['solved_variables']} "
        f"({case['solved_integers']} int) without those the roads hold at zero), "
        f"{case['nonzeros']} nz, build {case['build_s']} s, solve {case['solve_s']} s, total {case['total_s']} s "
        f"(CPU {case['cpu_s']} s), {case['status']}, gap {gap}, suitability gap {suit}, "
        f"peak {case['peak_rss_mb']} MB, load {case['load'][0]}→{case['load'][1]}{alone}"
    )


def _run_size(n: int, args: argparse.Namespace, tmp: Path) -> list[dict]:
    """Prepare the instance of ``n`` sites and run each solver on it in its own process."""
    problem, prep_s = make_instance(n, args.seed, args.demand_share)
    instance = tmp / f"instance_{n}.pkl"
    with instance.open("wb") as handle:
        pickle.dump(problem, handle)
    print(f"{n:>7} sites: instance prepared in {prep_s:.1f} s (region, criteria, scores, compatibility)", flush=True)
    cases = []
    for solver in args.solvers:
        command = [sys.executable, __file__, "--case", str(instance), solver, "--time-limit", str(args.time_limit)]
        if args.suitability_gap is not None:
            command += ["--suitability-gap", str(args.suitability_gap)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            cases.append({"n_sites": n, "solver": solver, "error": done.stderr.strip().splitlines()[-1:]})
            print(f"{n:>7} sites {solver:>5}: failed: {cases[-1]['error']}", flush=True)
            continue
        case = json.loads(done.stdout.strip().splitlines()[-1])
        cases.append({"n_sites": n, "prep_s": round(prep_s, 2)} | case)
        print(_line(cases[-1]), flush=True)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--solvers", nargs="+", default=["highs", "cbc"], choices=["cbc", "highs"])
    parser.add_argument("--demand-share", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=300.0, help="time limit per solver call (s)")
    parser.add_argument(
        "--suitability-gap",
        type=float,
        default=None,
        help="gap on the suitability term (default: rel_gap, as the model's default)",
    )
    parser.add_argument("--case", nargs=2, metavar=("PICKLE", "SOLVER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        _child(Path(args.case[0]), args.case[1], args.time_limit, args.suitability_gap)
        return
    load_parks()  # fail early if the bundled data is missing
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            cases += _run_size(n, args, Path(tmp))
    growth = _growth(cases)
    for row in growth:
        print(f"growth {row['solver']:>5} {row['sites']}: total ×{row['total_ratio']}, CPU ×{row['cpu_ratio']}")
    print(json.dumps({"benchmark": "allocation", "rel_gap": REL_GAP, "cases": cases, "growth": growth}))


if __name__ == "__main__":
    main()
