"""Allocation MIP: brute-force cross-check, CBC vs HiGHS, properties, shortfall, ladder, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mca.core.errors import DataError
from mca.core.sectors import DEFAULT_SECTORS, segment_id
from solvers import AllocationProblem, AllocationSettings, problem_from_dict, random_problem, settings_from_dict, solve
from solvers.brute import brute_force_objective

PRODUCTION = DEFAULT_SECTORS[1]
LOGISTICS = DEFAULT_SECTORS[0]


def tiny_problem(seed: int, n_sites: int = 3, sectors=(PRODUCTION,), headroom: float = 60.0) -> AllocationProblem:
    """A few sites with XXL-sized capacity, one expansion site, one shared road link."""
    rng = np.random.default_rng(seed)
    cap40 = np.round(rng.uniform(3, 11, n_sites), 1)
    cap30 = np.round(cap40 * rng.choice([0.0, 0.5, 1.0], n_sites), 1)
    kinds = ["available_plot", "intensification"] + ["expansion"] * (n_sites - 2)
    sites = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(n_sites)],
            "kind": kinds[:n_sites],
            "capacity_2030_ha": cap30,
            "capacity_2040_ha": cap40,
            "contiguous_ha": np.round(cap40 * rng.uniform(0.4, 1.0, n_sites), 1),
        }
    )
    demand = pd.DataFrame(
        [
            (s.id, z, p, float(np.round(rng.uniform(0, 9), 1)))
            for s in sectors
            for z in ("MKB", "XXL")
            for p in ("2030", "2040")
        ],
        columns=["sector", "size_class", "period", "hectares"],
    )
    suit = pd.DataFrame(
        np.round(rng.uniform(0, 1, (n_sites, len(sectors))), 2), index=sites["site_id"], columns=[s.id for s in sectors]
    )
    segs = [segment_id(s.id, z) for s in sectors for z in ("MKB", "XXL")]
    comp = pd.DataFrame(rng.random((n_sites, len(segs))) < 0.85, index=sites["site_id"], columns=segs)
    links = pd.DataFrame({"link_id": ["L1"], "headroom_veh_h": [headroom]})
    routes = pd.DataFrame({"site_id": sites["site_id"][: n_sites - 1], "link_id": "L1"})
    return AllocationProblem(
        sites=sites,
        demand=demand,
        suitability=suit,
        compatibility=comp,
        links=links,
        routes=routes,
        sectors=tuple(sectors),
    ).validate()


EXACT = {"rel_gap": 1e-9, "min_development_ha": 2.0}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ladder", ["off", "strict"])
def test_brute_force_reaches_the_same_objective(seed: int, ladder: str) -> None:
    problem = tiny_problem(seed)
    s = AllocationSettings(ladder=ladder, **EXACT)
    assert solve(problem, s).objective == pytest.approx(brute_force_objective(problem, s), abs=1e-5)


def test_brute_force_with_plot_maximum_and_site_limit() -> None:
    problem = tiny_problem(7, n_sites=4, headroom=200.0)
    s = AllocationSettings(ladder="weighted", xxl_max_plot_ha=6.0, max_new_sites=1, fixed_cost_per_site=0.3, **EXACT)
    assert solve(problem, s).objective == pytest.approx(
        brute_force_objective(problem, s, max_combinations=50_000), abs=1e-5
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_cbc_and_highs_agree_within_gap(seed: int) -> None:
    problem = random_problem(60, seed=seed)
    results = [
        solve(problem, AllocationSettings(solver=name, rel_gap=1e-4, ladder="weighted")) for name in ("cbc", "highs")
    ]
    a, b = (r.objective for r in results)
    assert a == pytest.approx(b, rel=2e-4)
    for r in results:
        assert r.bound is not None and r.objective <= r.bound + 1e-6


def _check_feasible(problem: AllocationProblem, s: AllocationSettings, result) -> None:
    alloc = result.allocation
    caps = problem.capacities()
    periods = list(problem.periods)
    # capacity, cumulative per period
    for k, p in enumerate(periods):
        used = alloc[alloc["period"].isin(periods[: k + 1])].groupby("site_id")["hectares"].sum()
        assert (used <= caps.loc[used.index, p] + 1e-6).all()
    # compatibility
    comp = problem.compatibility_matrix()
    segs = [segment_id(a, b) for a, b in zip(alloc["sector"], alloc["size_class"])]
    assert all(comp.at[site, seg] for site, seg in zip(alloc["site_id"], segs))
    # XXL: whole plots of at least xxl_min_ha, only on sites with enough contiguous area
    xxl = alloc[alloc["size_class"] == "XXL"]
    contig = problem.sites.set_index("site_id")["contiguous_ha"]
    assert (contig[xxl["site_id"]].to_numpy() >= s.xxl_min_ha).all()
    assert (xxl["plots"] >= 1).all()
    assert (xxl["hectares"].to_numpy() >= s.xxl_min_ha * xxl["plots"].to_numpy() - 1e-6).all()
    assert (xxl.groupby("site_id")["hectares"].sum() <= contig[xxl["site_id"].unique()] + 1e-6).all()
    # road headroom
    vph = {sec.id: s.vehicles_per_ha(sec.truck_trips_per_ha_day) for sec in problem.sectors}
    load = alloc.assign(v=alloc["hectares"] * alloc["sector"].map(vph)).merge(problem.routes, on="site_id")
    heads = problem.headrooms()
    for k, p in enumerate(periods):
        per_link = load[load["period"].isin(periods[: k + 1])].groupby("link_id")["v"].sum()
        assert (per_link <= heads.loc[per_link.index, p].clip(lower=0) + 1e-5).all()
    # demand balance: placed + short - rounding = demand; rounding only for XXL, less than one plot,
    # and only where the demand itself is not a whole number of plots that fit
    placed = alloc.groupby(["sector", "size_class", "period"])["hectares"].sum()
    short = result.shortfall.set_index(["sector", "size_class", "period"])["hectares"]
    over = result.rounding.set_index(["sector", "size_class", "period"])["hectares"]
    assert (result.rounding["size_class"] == "XXL").all()
    assert (result.rounding["hectares"] <= s.xxl_min_ha + 1e-6).all()
    for row in problem.demand.itertuples():
        key = (row.sector, row.size_class, row.period)
        balance = placed.get(key, 0.0) + short.get(key, 0.0) - over.get(key, 0.0)
        assert balance == pytest.approx(row.hectares, abs=1e-5)
        assert over.get(key, 0.0) == 0.0 or short.get(key, 0.0) == 0.0


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    headroom=st.floats(0, 200),
    ladder=st.sampled_from(["off", "strict", "weighted"]),
    solver=st.sampled_from(["cbc", "highs"]),
)
def test_allocation_respects_every_constraint(seed: int, headroom: float, ladder: str, solver: str) -> None:
    problem = tiny_problem(seed, n_sites=4, sectors=(LOGISTICS, PRODUCTION), headroom=headroom)
    s = AllocationSettings(solver=solver, ladder=ladder)
    _check_feasible(problem, s, solve(problem, s))


def test_random_problem_solution_is_feasible() -> None:
    problem = random_problem(150, seed=3)
    s = AllocationSettings()
    _check_feasible(problem, s, solve(problem, s))


def test_demand_above_capacity_is_reported_as_explained_shortfall() -> None:
    problem = tiny_problem(0)
    problem.demand["hectares"] = 500.0
    result = solve(problem, AllocationSettings())
    assert result.status == "optimal"
    total_cap = problem.capacities()["2040"].sum()
    assert result.shortfall["hectares"].sum() >= 4 * 500.0 - total_cap - 1e-6
    text = result.shortfall.set_index(["sector", "size_class", "period"]).at[
        ("production", "XXL", "2030"), "explanation"
    ]
    assert "production/XXL in 2030" in text and "vs demand 500.0 ha" in text


def test_shortfall_explanation_names_closing_reasons() -> None:
    problem = tiny_problem(1)
    problem.compatibility.loc[:, "production/MKB"] = False
    problem.compatibility_reasons = pd.DataFrame(
        {
            "site_id": problem.sites["site_id"],
            "segment": "production/MKB",
            "rule": "exclusion",
            "reason": "natura2000: inside",
        }
    )
    problem.demand.loc[problem.demand["size_class"] == "MKB", "hectares"] = 3.0
    result = solve(problem, AllocationSettings())
    row = result.shortfall[(result.shortfall["size_class"] == "MKB") & (result.shortfall["period"] == "2030")].iloc[0]
    assert row["hectares"] == pytest.approx(3.0)
    assert row["explanation"].startswith("no compatible site with capacity left for production/MKB in 2030")
    assert "exclusion 3 sites" in row["explanation"]


def test_strict_ladder_uses_no_expansion_when_existing_capacity_suffices() -> None:
    sites = pd.DataFrame(
        {
            "site_id": ["a", "b", "e"],
            "kind": ["available_plot", "intensification", "expansion"],
            "capacity_2030_ha": [6.0, 6.0, 20.0],
            "capacity_2040_ha": [6.0, 6.0, 20.0],
            "contiguous_ha": [6.0, 6.0, 20.0],
        }
    )
    demand = pd.DataFrame(
        [("production", "MKB", "2030", 4.0), ("production", "XXL", "2030", 5.5)],
        columns=["sector", "size_class", "period", "hectares"],
    )
    suit = pd.DataFrame({"production": [0.2, 0.1, 0.9]}, index=["a", "b", "e"])
    problem = AllocationProblem(sites=sites, demand=demand, suitability=suit, sectors=(PRODUCTION,))
    strict = solve(problem, AllocationSettings(ladder="strict"))
    assert strict.allocation.loc[strict.allocation["site_id"] == "e", "hectares"].sum() == 0
    assert strict.allocation["hectares"].sum() == pytest.approx(9.5)
    off = solve(problem, AllocationSettings(ladder="off"))
    assert off.allocation.loc[off.allocation["site_id"] == "e", "hectares"].sum() == pytest.approx(9.5)


def test_shadow_price_is_the_gain_of_one_more_hectare() -> None:
    sites = pd.DataFrame(
        {
            "site_id": ["a", "b"],
            "kind": ["available_plot", "available_plot"],
            "capacity_2030_ha": [2.0, 10.0],
            "capacity_2040_ha": [2.0, 10.0],
            "contiguous_ha": [2.0, 10.0],
        }
    )
    demand = pd.DataFrame([("production", "MKB", "2030", 5.0)], columns=["sector", "size_class", "period", "hectares"])
    suit = pd.DataFrame({"production": [0.9, 0.4]}, index=["a", "b"])
    problem = AllocationProblem(sites=sites, demand=demand, suitability=suit, sectors=(PRODUCTION,))
    for solver in ("cbc", "highs"):
        r = solve(problem, AllocationSettings(solver=solver, tie_break=0.0))
        prices = r.shadow_prices.set_index("site_id")["value_per_ha"]
        assert prices["a"] == pytest.approx(0.5) and prices["b"] == pytest.approx(0.0)
        assert ("capacity", "a") in set(zip(r.binding["constraint"], r.binding["id"]))
        # the binding report names each row as the model (and an LP file written from it) does
        assert ("a", "capacity(a,2040)") in set(zip(r.binding["id"], r.binding["name"]))


def test_dict_round_trip_resolves_to_the_same_objective() -> None:
    problem = random_problem(40, seed=5)
    s = AllocationSettings(ladder="weighted", max_new_sites=2)
    result = solve(problem, s)
    d = json.loads(json.dumps(result.to_dict()))
    for key in (
        "status",
        "objective",
        "allocation",
        "shortfall",
        "inputs",
        "solver",
        "gap",
        "seconds",
        "summary",
        "binding",
        "shadow_prices",
    ):
        assert key in d
    assert set(d["allocation"][0]) >= {"site_id", "sector", "size_class", "period", "hectares"}
    again = solve(problem_from_dict(d), settings_from_dict(d))
    assert again.objective == pytest.approx(result.objective, rel=1e-9)


def test_validation_names_the_field() -> None:
    problem = tiny_problem(0)
    problem.sites.loc[0, "capacity_2030_ha"] = 99.0
    with pytest.raises(DataError, match="capacity_2040_ha"):
        problem.validate()
    problem = tiny_problem(0)
    problem.demand.loc[0, "sector"] = "bakery"
    with pytest.raises(DataError, match="demand: sector"):
        problem.validate()
