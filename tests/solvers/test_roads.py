"""Road rows: load variables along a route forest give the allocation and headroom duals of the written-out rows."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from solvers import AllocationSettings, random_problem, solve
from solvers.model import build_model

roads = importlib.import_module("solvers.roads")
WRITTEN_OUT, ALWAYS = float("inf"), 0.0


def test_loads_along_the_route_forest_equal_the_written_out_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # routes: each site's park access link, then its park's arterial (a forest); headroom binds
    problem = random_problem(120, seed=0, demand_ratio=0.9, sites_per_park=20)
    results = {}
    for factor in (ALWAYS, WRITTEN_OUT):
        monkeypatch.setattr(roads, "AGGREGATE_FACTOR", factor)
        model = build_model(problem, AllocationSettings())
        assert (len(model.loads) > 0) == (factor == ALWAYS)
        results[factor] = solve(problem, AllocationSettings(rel_gap=1e-7))
    aggregated, written = results[ALWAYS], results[WRITTEN_OUT]
    assert aggregated.objective == pytest.approx(written.objective, rel=1e-9)
    cols = ["id", "period", "used", "shadow_price"]
    road_a, road_w = (
        r.binding.loc[r.binding["constraint"] == "road", cols].reset_index(drop=True) for r in results.values()
    )
    assert len(road_w) > 0
    pd.testing.assert_frame_equal(road_a, road_w, rtol=1e-7)


def test_load_rows_follow_the_forest_and_road_rows_bound_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roads, "AGGREGATE_FACTOR", ALWAYS)
    problem = random_problem(60, seed=1, demand_ratio=0.9, sites_per_park=20)
    model = build_model(problem, AllocationSettings())
    for con, rhs in zip(model.roads["con"], model.roads["rhs"]):
        (variable,) = (v for v, _ in con.items())
        assert variable.name == con.name.replace("road", "load") and con.constant == -rhs
        load = model.lp.constraints[variable.name]
        assert load.sense == 0 and load[variable] == -1.0  # load(l,t) = Σ own v·x + Σ feeding loads
    routes = problem.routes.groupby("link_id")["site_id"].apply(set)
    arterial = next(lk for lk in model.link_ids[model.roads["link"]] if str(lk).startswith("A"))
    feeding = [v.name for v in model.lp.constraints[f"load({arterial},2040)"] if v.name.startswith("load(P")]
    fed_sites = set().union(*(routes[name[5:].split(",")[0]] for name in feeding)) if feeding else set()
    assert fed_sites <= routes[arterial]


def test_routes_that_are_no_forest_are_written_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roads, "AGGREGATE_FACTOR", ALWAYS)
    problem = random_problem(60, seed=2, demand_ratio=0.9, sites_per_park=20)
    # site S00000 also uses another park's access link: that link no longer has one next link
    other = problem.routes.loc[problem.routes["link_id"].str.startswith("P"), "link_id"].drop_duplicates().iloc[1]
    problem.routes = pd.concat([problem.routes, pd.DataFrame({"site_id": ["S00000"], "link_id": [other]})])
    model = build_model(problem, AllocationSettings())
    assert len(model.roads) > 0 and len(model.loads) == 0
