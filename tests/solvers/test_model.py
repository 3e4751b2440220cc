"""Allocation model builders: names, coefficients and bounds as docs/allocation_model.md states them."""

from __future__ import annotations

from pathlib import Path

import highspy
import pandas as pd
import pulp
import pytest

from mca.core.sectors import DEFAULT_SECTORS
from solvers import AllocationProblem, AllocationSettings, random_problem
from solvers.builders import ladder_floor
from solvers.model import AllocationModel, build_model
from solvers.names import labels

PRODUCTION = DEFAULT_SECTORS[1]
MKB, XXL = "production_MKB", "production_XXL"


def hand_problem(site_ids: tuple[str, str, str] = ("a-1", "b", "e/2")) -> AllocationProblem:
    """Three sites: ``a-1`` grows from 4 to 10 ha, ``b`` is too small for an XXL plot, ``e/2`` is an
    expansion site available from 2040; production demand 2 + 1 ha MKB and 6 ha XXL in 2040; one
    link with 0.5 veh/h headroom on the routes of ``a-1`` and ``e/2``. Invented figures.
    """
    a, b, e = site_ids
    sites = pd.DataFrame(
        {
            "site_id": [a, b, e],
            "kind": ["available_plot", "intensification", "expansion"],
            "capacity_2030_ha": [4.0, 3.0, 0.0],
            "capacity_2040_ha": [10.0, 3.0, 12.0],
            "contiguous_ha": [8.0, 3.0, 12.0],
        }
    )
    demand = pd.DataFrame(
        [("production", "MKB", "2030", 2.0), ("production", "MKB", "2040", 1.0), ("production", "XXL", "2040", 6.0)],
        columns=["sector", "size_class", "period", "hectares"],
    )
    suit = pd.DataFrame({"production": [0.5, 0.4, 0.9]}, index=[a, b, e])
    links = pd.DataFrame({"link_id": ["L1"], "headroom_veh_h": [0.5]})
    routes = pd.DataFrame({"site_id": [a, e], "link_id": ["L1", "L1"]})
    return AllocationProblem(
        sites=sites, demand=demand, suitability=suit, links=links, routes=routes, sectors=(PRODUCTION,)
    ).validate()


@pytest.fixture
def model() -> AllocationModel:
    return build_model(hand_problem(), AllocationSettings())


def terms(con: pulp.LpConstraint) -> dict[str, float]:
    """A row's coefficients by variable name."""
    return {v.name: c for v, c in con.items()}


def row(model: AllocationModel, name: str) -> pulp.LpConstraint:
    return model.lp.constraints[name]


def rhs(con: pulp.LpConstraint) -> float:
    return float(-con.constant)


def test_variables_exist_where_the_document_says_and_are_named_by_site_segment_period(model: AllocationModel) -> None:
    x_names = {v.name for v in model.x["var"]}
    assert x_names == {
        f"x(a_1,{MKB},2030)",
        f"x(b,{MKB},2030)",
        f"x(a_1,{MKB},2040)",
        f"x(b,{MKB},2040)",
        f"x(e_2,{MKB},2040)",
        f"x(a_1,{XXL},2040)",  # b: contiguous 3 ha < a, no whole plot fits; e/2: nothing in 2030
        f"x(e_2,{XXL},2040)",
    }
    names = [v.name for v in model.lp.variables()]
    assert len(names) == len(set(names))
    assert {v.name for v in model.y["var"]} == {"y(e_2)"}
    assert {v.name for v in model.short["var"]} == {f"short({MKB},2030)", f"short({MKB},2040)", f"short({XXL},2040)"}


def test_bounds_under_xxl_rounding_are_demand_plus_one_plot(model: AllocationModel) -> None:
    a = AllocationSettings().xxl_min_ha
    by_name = model.lp.variablesDict()
    assert by_name[f"x(a_1,{XXL},2040)"].upBound == pytest.approx(6.0 + a)
    assert by_name[f"x(a_1,{MKB},2030)"].upBound == pytest.approx(2.0)
    assert by_name[f"over({XXL},2040)"].upBound == pytest.approx(a)
    assert by_name[f"short({XXL},2040)"].upBound == pytest.approx(6.0)
    # n ≤ ⌊ub / a⌋ with ub = min(cap, D + a, cont): 8 ha on a-1 (one plot), 11 ha on e/2 (two)
    assert by_name[f"n(a_1,{XXL},2040)"].upBound == 1
    assert by_name[f"n(e_2,{XXL},2040)"].upBound == 2
    assert by_name[f"n(e_2,{XXL},2040)"].cat == pulp.LpInteger


def test_demand_balance_rows(model: AllocationModel) -> None:
    con = row(model, f"demand({XXL},2040)")
    assert con.sense == pulp.LpConstraintEQ and rhs(con) == pytest.approx(6.0)
    assert terms(con) == {
        f"x(a_1,{XXL},2040)": 1.0,
        f"x(e_2,{XXL},2040)": 1.0,
        f"short({XXL},2040)": 1.0,
        f"over({XXL},2040)": -1.0,
    }
    assert terms(row(model, f"demand({MKB},2030)")) == {
        f"x(a_1,{MKB},2030)": 1.0,
        f"x(b,{MKB},2030)": 1.0,
        f"short({MKB},2030)": 1.0,
    }


def test_cumulative_capacity_rows(model: AllocationModel) -> None:
    early = row(model, "capacity(a_1,2030)")
    assert terms(early) == {f"x(a_1,{MKB},2030)": 1.0} and rhs(early) == 4.0
    late = row(model, "capacity(a_1,2040)")
    assert set(terms(late)) == {f"x(a_1,{MKB},2030)", f"x(a_1,{MKB},2040)", f"x(a_1,{XXL},2040)"}
    assert rhs(late) == 10.0
    # b has no more capacity in 2040 than in 2030: only the 2040 row, which implies the other
    assert "capacity(b,2030)" not in model.lp.constraints and rhs(row(model, "capacity(b,2040)")) == 3.0
    # an expansion site's capacity counts only when opened: y moves to the left-hand side
    opened = row(model, "capacity(e_2,2040)")
    assert terms(opened) == {f"x(e_2,{MKB},2040)": 1.0, f"x(e_2,{XXL},2040)": 1.0, "y(e_2)": -12.0}
    assert rhs(opened) == 0.0 and opened.sense == pulp.LpConstraintLE
    assert set(zip(model.capacity["site"], model.capacity["period"])) == {(0, 0), (0, 1), (1, 1), (2, 1)}


def test_xxl_plot_and_contiguity_rows(model: AllocationModel) -> None:
    a = AllocationSettings().xxl_min_ha
    x, n = f"x(e_2,{XXL},2040)", f"n(e_2,{XXL},2040)"
    low, high = row(model, f"plot_min(e_2,{XXL},2040)"), row(model, f"plot_max(e_2,{XXL},2040)")
    assert low.sense == pulp.LpConstraintGE and terms(low) == {x: 1.0, n: -a}
    # M = min(P, cap, D + a) = min(12, 12, 11)
    assert high.sense == pulp.LpConstraintLE and terms(high) == {x: 1.0, n: -11.0}
    assert rhs(low) == rhs(high) == 0.0
    # contiguity only where the contiguous area is below the last capacity (a-1: 8 < 10)
    assert terms(row(model, "contiguity(a_1)")) == {f"x(a_1,{XXL},2040)": 1.0}
    assert rhs(row(model, "contiguity(a_1)")) == 8.0
    assert "contiguity(e_2)" not in model.lp.constraints


def test_openings_rows() -> None:
    settings = AllocationSettings(min_development_ha=2.0, max_new_sites=0)
    model = build_model(hand_problem(), settings)
    dev = row(model, "min_development(e_2)")
    assert dev.sense == pulp.LpConstraintGE
    assert terms(dev) == {f"x(e_2,{MKB},2040)": 1.0, f"x(e_2,{XXL},2040)": 1.0, "y(e_2)": -2.0}
    assert model.max_sites is row(model, "max_new_sites") and terms(model.max_sites) == {"y(e_2)": 1.0}
    assert rhs(model.max_sites) == 0.0
    unlimited = build_model(hand_problem(), AllocationSettings(min_development_ha=0.0))
    assert unlimited.max_sites is None and "min_development(e_2)" not in unlimited.lp.constraints


def test_road_rows_weigh_hectares_by_peak_hour_traffic(model: AllocationModel) -> None:
    v = AllocationSettings().vehicles_per_ha(PRODUCTION.truck_trips_per_ha_day)
    # equal headroom in both periods: the 2040 row implies the 2030 one
    assert list(model.roads["con"].map(lambda c: c.name)) == ["road(L1,2040)"]
    con = row(model, "road(L1,2040)")
    on_route = [n for n in (v_.name for v_ in model.x["var"]) if n.startswith(("x(a_1,", "x(e_2,"))]
    assert terms(con) == pytest.approx(dict.fromkeys(on_route, v))
    assert rhs(con) == 0.5


def test_objective_follows_the_formula(model: AllocationModel) -> None:
    s = AllocationSettings()
    coefficients = {v.name: c for v, c in model.objective.items()}
    # tie-break ε·(e + o)/2: earliness e = 1 − t/(|T|−1), site order o a product (3 sites, 2 segments, 2 periods)
    early_e2, order_e2 = 0.0, (1 - 2 / 3) * (1 - 1 / 4) * (1 - 1 / 4)
    assert coefficients[f"x(e_2,{XXL},2040)"] == pytest.approx(0.9 + s.tie_break * (early_e2 + order_e2) / 2)
    assert coefficients[f"x(a_1,{MKB},2030)"] == pytest.approx(0.5 + s.tie_break * (1.0 + 1.0) / 2)
    assert coefficients[f"n(a_1,{XXL},2040)"] == -s.tie_break
    assert coefficients["y(e_2)"] == -s.fixed_cost_per_site
    assert coefficients[f"over({XXL},2040)"] == -s.rounding_penalty
    assert coefficients[f"short({MKB},2030)"] == -s.shortfall_penalty


def test_ladder_floor_keeps_the_hectares_of_phase_one(model: AllocationModel) -> None:
    con = ladder_floor(model.placed_existing, 7.0)
    assert con.name == "ladder" and con.sense == pulp.LpConstraintGE
    assert rhs(con) == pytest.approx(7.0 - 7e-7)
    assert set(terms(con)) == {v.name for v in model.x["var"] if not v.name.startswith("x(e_2,")}


def test_labels_stay_distinct_and_legal() -> None:
    assert labels(["a-1", "a_1", "a 1", "a/1"]) == ["a_1", "a_1_2", "a_1_3", "a_1_4"]
    assert labels(["x,y", "(z)", "Ü"]) == ["x_y", "_z_", "_"]


def test_colliding_site_ids_give_unique_names_and_files_read_back(tmp_path: Path) -> None:
    model = build_model(hand_problem(("a-1", "a_1", "a 1")), AllocationSettings())
    model.lp.checkDuplicateVars()
    model.lp.writeLP(tmp_path / "model.lp")
    model.lp.writeMPS(tmp_path / "model.mps")
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(tmp_path / "model.mps"))
    lp = highs.getLp()
    assert set(lp.col_names_) == {v.name for v in model.lp.variables()}
    assert set(lp.row_names_) == set(model.lp.constraints)
    assert "x(a_1_3,production_XXL,2040)" in (tmp_path / "model.lp").read_text()


def test_solver_column_order_does_not_depend_on_names(tmp_path: Path) -> None:
    """What CBC reads (MPS with normalised names) is the same whatever the sites are called."""
    problem = random_problem(40, seed=4)
    renamed = random_problem(40, seed=4)
    new_ids = {old: f"{len(problem.sites) - k:03d}-site" for k, old in enumerate(problem.sites["site_id"])}
    renamed.sites["site_id"] = renamed.sites["site_id"].map(new_ids)
    renamed.suitability.index = renamed.suitability.index.map(new_ids)
    assert renamed.compatibility is not None
    renamed.compatibility.index = renamed.compatibility.index.map(new_ids)
    renamed.routes["site_id"] = renamed.routes["site_id"].map(new_ids)
    files = []
    for k, p in enumerate((problem, renamed)):
        path = tmp_path / f"{k}.mps"
        build_model(p.validate(), AllocationSettings()).lp.writeMPS(path, rename=1)
        files.append(path.read_text())
    assert files[0] == files[1]
