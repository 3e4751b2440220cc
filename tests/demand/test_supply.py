"""Heerlen's share by basis, take-up and options netted out, transformation, sub-segments (issue 11)."""

from __future__ import annotations

import math

import pytest

from demand import DemandSettings, forecast
from demand.supply import split_subsegments
from mca.app.scenario import load_scenario
from mca.core.paths import SCENARIO_DIR
from mca.inputs.demand_source import load_demand_source


@pytest.fixture(scope="module")
def source():
    return load_demand_source()


def _plain(**changes) -> DemandSettings:
    return DemandSettings(**({"net_take_up": False, "net_optioned": False} | changes))


def test_share_bases_bracket_the_issuance_share(source):
    shares = {
        b: forecast(_plain(municipal_share_basis=b), source).heerlen_share
        for b in ("stock", "issuance", "available_land")
    }
    assert shares["stock"] == pytest.approx(
        source.share_bases.stock.heerlen_ha.value / source.share_bases.stock.parkstad_ha.value
    )
    assert shares["stock"] < shares["issuance"] < shares["available_land"]
    assert shares["issuance"] == pytest.approx(36.18 / 57.17, abs=1e-4)


def test_one_scenario_per_bound_of_the_share(source):
    found = {
        load_scenario(SCENARIO_DIR / f"heerlen_share_{name}.yaml").scenario.demand.municipal_share_basis
        for name in ("stock", "available")
    }
    assert found == {"stock", "available_land"}


def test_take_up_since_the_forecast_start_is_netted_once(source):
    gross = forecast(_plain(), source)
    netted = forecast(_plain(net_take_up=True), source)
    supply = source.supply
    taken = supply.available_2021_ha.value - supply.available_2023_ha.value
    assert gross.to_place["2030"] - netted.to_place["2030"] == pytest.approx(taken)
    assert netted.to_place["2040"] == gross.to_place["2040"]


def test_land_under_option_is_netted_from_demand(source):
    gross = forecast(_plain(), source)
    netted = forecast(_plain(net_optioned=True), source)
    assert gross.to_place["2030"] - netted.to_place["2030"] == pytest.approx(source.supply.under_option_2023_ha.value)


def test_netting_never_makes_demand_negative(source):
    low = forecast(_plain(net_take_up=True, net_optioned=True, municipal_share_basis="stock", variant="low"), source)
    assert low.to_place["2030"] >= 0
    assert math.isclose(low.segments["hectares"].sum(), sum(low.to_place.values()), abs_tol=1e-9)


def test_transformation_adds_its_hectares_to_demand(source):
    base = forecast(_plain(), source)
    transformed = forecast(_plain(transformed_ha=4.5), source)
    assert transformed.to_place["2030"] - base.to_place["2030"] == pytest.approx(4.5)


def test_subsegment_takes_its_share_and_keeps_the_total(source):
    base = forecast(_plain(), source)
    segments = split_subsegments(base.segments, {"wholesale_logistics": {"medtech_logistics": 0.25}})
    assert segments["hectares"].sum() == pytest.approx(base.segments["hectares"].sum())
    before = base.segments.groupby("sector")["hectares"].sum()
    after = segments.groupby("sector")["hectares"].sum()
    assert after["medtech_logistics"] == pytest.approx(0.25 * before["wholesale_logistics"])
    assert after["wholesale_logistics"] == pytest.approx(0.75 * before["wholesale_logistics"])


def test_subsegment_shares_above_one_are_refused():
    with pytest.raises(ValueError, match="sub-segment"):
        DemandSettings(subsegments={"wholesale_logistics": {"consumer": 0.7, "production": 0.5}})
