"""The policy table: every rule cited, every rule kind binding on a small instance (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mca.core.errors import UserError
from mca.core.paths import PROJECT_ROOT
from mca.core.sectors import segment_id
from mca.inputs.policy import load_policy
from solvers import AllocationProblem, AllocationSettings, solve
from solvers.policy import apply_policy, ladder_kinds, select_rules
from solvers.policy_settings import RULE_KINDS, PolicySettings
from solvers.policy_trail import reason_trail, regional_outlet

SEEDS = next(
    (p for p in (PROJECT_ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")) if p.is_dir()),
    PROJECT_ROOT.parent / "shared" / "seeds",
)
"""The source documents: shared/ beside the checkout (as in CI), or the workplace's copy."""
TABLE = load_policy()
SETTINGS = AllocationSettings(solver="highs")


def _sectors():
    from mca.app.scenario import load_scenario

    return tuple(load_scenario().scenario.sectors)


SECTORS = _sectors()


def rules(*ids: str, **values: str) -> pd.DataFrame:
    """The table's rows ``ids``, with ``values`` replacing their value (keyword = rule id with '_' for '-')."""
    picked = TABLE[TABLE["rule_id"].isin(ids)].copy()
    for key, value in values.items():
        picked.loc[picked["rule_id"] == key.replace("_", "-"), "value"] = value
    return picked.reset_index(drop=True)


def sites(*rows: tuple) -> pd.DataFrame:
    """Sites from (site_id, kind, park, capacity_ha, contiguous_ha, profile) tuples; capacity from 2030."""
    frame = pd.DataFrame(rows, columns=["site_id", "kind", "park", "capacity_ha", "contiguous_ha", "profile"])
    return frame.assign(
        capacity_2030_ha=frame["capacity_ha"], capacity_2040_ha=frame["capacity_ha"], max_env_category=np.nan
    )


def applied(frame: pd.DataFrame, chosen: pd.DataFrame, exclusions=None, suit=None, **kw):
    suit = suit if suit is not None else pd.DataFrame(0.5, index=frame["site_id"], columns=[s.id for s in SECTORS])
    empty = pd.DataFrame(columns=["site_id", "criterion", "sector", "reason"])
    return apply_policy(
        frame, SECTORS, SETTINGS, chosen, exclusions=empty if exclusions is None else exclusions, suitability=suit, **kw
    )


def open_pair(result, site: str, sector: str, size: str = "MKB") -> bool:
    return bool(result.compatibility.matrix.loc[site, segment_id(sector, size)])


def solved(result, demand: list[tuple[str, str, str, float]]):
    problem = AllocationProblem(
        sites=result.sites,
        demand=pd.DataFrame(demand, columns=["sector", "size_class", "period", "hectares"]),
        suitability=result.suitability,
        compatibility=result.compatibility.matrix,
        sectors=SECTORS,
        compatibility_reasons=result.compatibility.reasons,
        expansion_cap_ha=result.expansion_cap_ha,
    )
    return solve(problem, SETTINGS)


def placed(result, site: str) -> float:
    a = result.allocation
    return float(a.loc[a["site_id"] == site, "hectares"].sum())


# --- the table --------------------------------------------------------------------------


def test_every_rule_has_a_known_kind_and_a_citation() -> None:
    assert set(TABLE["kind"]) <= set(RULE_KINDS)
    for column in ("document", "section", "quote", "line"):
        assert (TABLE[column].str.len() > 0).all(), column
    assert set(TABLE["kind"]) == set(RULE_KINDS)  # every kind the code knows is used by a cited rule


def test_values_not_from_a_source_are_labelled() -> None:
    with_value = TABLE[TABLE["value"] != ""]
    assert with_value["value_basis"].str.contains("assumption|interpretation|scenario value").all()


def _normalised(text: str) -> str:
    """Whitespace collapsed; a word hyphenated across a line break ('C-\nMill') joined again."""
    return re.sub(r"\s+", " ", re.sub(r"-[ \t]*\n\s*", "-", text)).strip()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents not on this machine")
@pytest.mark.parametrize("rule_id", list(TABLE["rule_id"]))
def test_quotes_are_exact(rule_id: str) -> None:
    rule = TABLE.set_index("rule_id").loc[rule_id]
    text = _normalised(next(SEEDS.glob(f"{rule['document']}_*.txt")).read_text(encoding="utf-8"))
    for part in rule["quote"].split(" … "):
        assert _normalised(part) in text, part


def test_scenario_switches_rules_off_and_overrides_values() -> None:
    chosen = select_rules(TABLE, PolicySettings(disable=["LOG-where"], values={"EXP-total-cap": 3}))
    assert "LOG-where" not in set(chosen["rule_id"])
    assert chosen.set_index("rule_id").at["EXP-total-cap", "value"] == "3"
    assert select_rules(TABLE, PolicySettings(enabled=False)).empty
    with pytest.raises(UserError, match="unknown rule id"):
        select_rules(TABLE, PolicySettings(disable=["no-such-rule"]))


# --- each kind binds on a small instance -------------------------------------------------


def test_exclusion_scope_keeps_nitrogen_and_nnn_to_new_ground() -> None:
    frame = sites(("IN-b", "intensification", "beitel", 8, 8, "industrieel"), ("EX-b", "expansion", "beitel", 8, 8, ""))
    exclusions = pd.DataFrame(
        {
            "site_id": ["IN-b", "EX-b", "IN-b"],
            "criterion": ["nitrogen", "nitrogen", "nnn"],
            "sector": "*",
            "reason": "x",
        }
    )
    scoped = applied(frame, rules("N-scope", "NNN-scope"), exclusions)
    neutral = applied(frame, rules(), exclusions)
    assert open_pair(scoped, "IN-b", "production") and not open_pair(scoped, "EX-b", "production")
    assert not open_pair(neutral, "IN-b", "production")
    result = solved(scoped, [("production", "MKB", "2030", 3.0)])
    assert placed(result, "IN-b") == pytest.approx(3.0)


@pytest.mark.parametrize("rule_id", ["PRIO-intensify", "PRIO-plans"])
def test_priority_parks_come_first_in_the_existing_stock(rule_id: str) -> None:
    frame = sites(
        ("IN-other", "intensification", "emma", 3, 2, ""), ("IN-prio", "intensification", "de-koumen", 3, 2, "")
    )
    without = solved(applied(frame, rules()), [("production", "MKB", "2030", 3.0)])
    with_rule = solved(applied(frame, rules(rule_id)), [("production", "MKB", "2030", 3.0)])
    assert placed(without, "IN-other") == pytest.approx(3.0)  # tie-break prefers the earlier site
    assert placed(with_rule, "IN-prio") == pytest.approx(3.0)


@pytest.mark.parametrize(("rule_id", "park"), [("KEEP-no-action", "ten-esschen"), ("KEEP-area-vision", "smitzerveld")])
def test_keep_as_is_parks_programme_no_intensification(rule_id: str, park: str) -> None:
    frame = sites(("IN-k", "intensification", park, 3, 2, ""), ("AV-k", "available_plot", park, 1, 1, ""))
    result = applied(frame, rules(rule_id))
    assert not result.compatibility.matrix.loc["IN-k"].any() and open_pair(result, "AV-k", "consumer")
    assert set(result.compatibility.reasons["rule"]) - {"contiguity"} == {rule_id}


def test_environmental_space_closes_light_activities_not_sectors_of_higher_category() -> None:
    frame = sites(("IN-k", "intensification", "de-koumen", 6, 2, "industrieel"))
    result = applied(frame, rules("ENV-reserve"))
    assert not open_pair(result, "IN-k", "consumer")  # min category 2.0 < 3.0
    assert open_pair(result, "IN-k", "construction_installation") and open_pair(result, "IN-k", "wholesale_logistics")
    stricter = applied(frame, rules("ENV-reserve", ENV_reserve="4.1"))
    assert not open_pair(stricter, "IN-k", "construction_installation") and open_pair(stricter, "IN-k", "production")


def test_logistics_redevelopment_only_as_whole_plots_on_de_beitel() -> None:
    frame = sites(("IN-b", "intensification", "beitel", 12, 10, "industrieel"))
    result = applied(frame, rules("LOG-where"))
    assert not open_pair(result, "IN-b", "wholesale_logistics", "MKB")
    assert open_pair(result, "IN-b", "wholesale_logistics", "XXL") and open_pair(result, "IN-b", "production", "MKB")


@pytest.mark.parametrize(("rule_id", "park"), [("PROF-medtech", "trilandis"), ("PROF-coriopolis", "coriopolis")])
def test_profile_parks_take_medtech_not_generic_logistics(rule_id: str, park: str) -> None:
    frame = sites(("AV-p", "available_plot", park, 6, 6, ""))
    result = applied(frame, rules(rule_id))
    assert not open_pair(result, "AV-p", "wholesale_logistics") and open_pair(result, "AV-p", "medtech_logistics")
    assert open_pair(result, "AV-p", "production") and not open_pair(result, "AV-p", "consumer")


@pytest.mark.parametrize(("rule_id", "park"), [("XXL-beitel", "beitel"), ("XXL-koumen", "de-koumen")])
def test_redevelopment_frees_an_xxl_plot_on_the_park(rule_id: str, park: str) -> None:
    frame = sites(("IN-x", "intensification", park, 12, 2, "industrieel"))
    assert not open_pair(applied(frame, rules()), "IN-x", "production", "XXL")
    result = applied(frame, rules(rule_id))
    assert result.sites.loc[0, "contiguous_ha"] == pytest.approx(min(12, float(rules(rule_id).at[0, "value"])))
    assert placed(solved(result, [("production", "XXL", "2030", 5.0)]), "IN-x") == pytest.approx(5.0)


def test_new_sites_are_small_scale() -> None:
    frame = sites(("EX-a", "expansion", "avantis", 20, 20, ""))
    result = applied(frame, rules("EXP-site-cap"))
    cap = float(rules("EXP-site-cap").at[0, "value"])
    assert result.sites.loc[0, ["capacity_ha", "capacity_2040_ha", "contiguous_ha"]].max() == pytest.approx(cap)
    assert placed(solved(result, [("production", "MKB", "2030", 15.0)]), "EX-a") == pytest.approx(cap)


def test_demand_above_the_cap_on_new_ground_goes_to_the_regional_outlet() -> None:
    frame = sites(("EX-a", "expansion", "avantis", 10, 10, ""), ("EX-b", "expansion", "beitel", 10, 10, ""))
    result = applied(frame, rules("EXP-total-cap", EXP_total_cap="12"))
    allocation = solved(result, [("production", "MKB", "2030", 15.0)])
    assert allocation.allocation["hectares"].sum() == pytest.approx(12.0)
    outlet = regional_outlet(allocation.shortfall, allocation.allocation, result, SETTINGS.xxl_min_ha)
    assert outlet["regional_outlet_ha"].sum() == pytest.approx(3.0)
    assert outlet["explanation"].str.contains("Oostflank").all()


def test_new_ground_needs_multimodal_access() -> None:
    frame = sites(("EX-near", "expansion", "avantis", 5, 5, ""), ("EX-far", "expansion", "avantis", 5, 5, ""))
    values = pd.DataFrame(
        {"road_access_time_min": [4.0, 4.0], "public_transport_any_stop_m": [300.0, 2500.0]},
        index=["EX-near", "EX-far"],
    )
    result = applied(frame, rules("LADDER-3"), values=values)
    assert open_pair(result, "EX-near", "production") and not result.compatibility.matrix.loc["EX-far"].any()
    assert applied(frame, rules("LADDER-3")).notes  # without criteria values the rule says it did not act


def test_no_small_units_on_the_named_parks() -> None:
    frame = sites(
        ("IN-e", "intensification", "emma", 0.3, 0.3, ""), ("IN-w", "intensification", "weggebekker", 0.3, 0.3, "")
    )
    result = applied(frame, rules("MIN-plot"))
    assert not open_pair(result, "IN-e", "construction_installation") and open_pair(
        result, "IN-w", "construction_installation"
    )


def test_public_attracting_uses_at_urban_work_locations_or_the_park_edge() -> None:
    frame = sites(
        ("IN-r", "intensification", "ten-esschen", 2, 2, "regulier"),
        ("IN-g", "intensification", "in-de-cramer", 2, 2, "gemengd"),
        ("EX-r", "expansion", "ten-esschen", 5, 5, ""),
    )
    result = applied(frame, rules("PUBLIC-edge"))
    assert not open_pair(result, "IN-r", "consumer") and open_pair(result, "IN-r", "production")
    assert open_pair(result, "IN-g", "consumer") and open_pair(result, "EX-r", "consumer")


def test_grid_congestion_closes_parks_in_the_table_and_says_when_there_is_none() -> None:
    frame = sites(("IN-k", "intensification", "de-koumen", 3, 2, ""))
    congestion = pd.DataFrame({"park_id": ["de-koumen"], "congested": [True]})
    result = applied(frame, rules("GRID-congestion"), congestion=congestion)
    assert not open_pair(result, "IN-k", "production") and open_pair(result, "IN-k", "consumer")
    without = applied(frame, rules("GRID-congestion"))
    assert open_pair(without, "IN-k", "production") and "no data" in without.notes[0]


def test_transformation_compensation_is_applied_by_the_demand_stage(demand_source) -> None:
    from demand import DemandSettings, forecast

    assert (TABLE["kind"] == "transformation_compensation").any()
    base = forecast(DemandSettings(), demand_source)
    assert forecast(DemandSettings(transformed_ha=3.0), demand_source).total_heerlen_ha == pytest.approx(
        base.total_heerlen_ha + 3.0
    )


# --- user sites, reason trail -------------------------------------------------------------


def test_team_drawn_sites_are_new_ground_unless_they_declare_otherwise() -> None:
    frame = sites(
        ("AV-a", "available_plot", "avantis", 3, 3, ""),
        ("US-x", "user", "avantis", 3, 3, ""),
        ("US-y", "user", "avantis", 3, 3, ""),
    )
    frame["ladder_kind"] = [np.nan, np.nan, "reuse"]
    assert list(ladder_kinds(frame)) == ["available_plot", "expansion", "available_plot"]
    suit = pd.DataFrame(0.2, index=frame["site_id"], columns=[s.id for s in SECTORS])
    suit.loc["US-x"] = 0.9  # the drawn greenfield scores better but comes after the existing stock
    result = solved(applied(frame[:2], rules(), suit=suit.iloc[:2]), [("production", "MKB", "2030", 3.0)])
    assert placed(result, "AV-a") == pytest.approx(3.0) and placed(result, "US-x") == 0.0


def test_reason_trail_names_rules_rank_and_ladder_phase() -> None:
    frame = sites(
        ("IN-k", "intensification", "de-koumen", 4, 2, "industrieel"), ("EX-k", "expansion", "de-koumen", 5, 5, "")
    )
    result = applied(frame, rules("PRIO-intensify", "ENV-reserve", "EXP-site-cap"))
    allocation = solved(result, [("production", "MKB", "2030", 6.0)]).allocation
    trail = reason_trail(allocation, result).set_index("site_id")
    assert trail.at["IN-k", "ladder_phase"].startswith("1") and trail.at["EX-k", "ladder_phase"].startswith("3")
    assert "PRIO-intensify" in trail.at["IN-k", "policy_rules"] and "ENV-reserve" in trail.at["IN-k", "policy_rules"]
    assert "EXP-site-cap" in trail.at["EX-k", "policy_rules"] and '"' in trail.at["EX-k", "policy_rules"]
    assert set(trail["sector_rank"]) <= {1, 2}
