"""Demand forecast: known answers from 001 Bijlage 3, properties of the split, validation."""

from __future__ import annotations

import io
import json
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rich.table import Table

from demand import DemandSettings, forecast, split_segments
from demand.forecast import method1, method2, municipal_share, tabel_7_disagreements, terrain_quotient_2015
from demand.settings import SECTOR_SHARE_RANGES
from mca.app.demand_view import forecast_table, forecast_to_dict, segments_csv
from mca.core.errors import DataError, UserError
from mca.core.sectors import DEFAULT_SECTORS, PERIODS, SIZE_CLASSES
from mca.inputs.demand_source import load_demand_source


@pytest.fixture(scope="module")
def base(demand_source):
    return forecast(DemandSettings(), demand_source)


# --- Tabel 7 -----------------------------------------------------------------------------


def test_tabel_7_totals_are_the_sums_of_2011_to_2020(demand_source):
    table = demand_source.tabel_7
    assert table.total(None, 2011, 2020) == pytest.approx(57.17, abs=0.005)
    assert table.total("Heerlen", 2011, 2020) == pytest.approx(36.18, abs=0.005)
    assert table.total("Kerkrade", 2011, 2020) == pytest.approx(16.11, abs=0.005)
    assert tabel_7_disagreements(table) == []
    # 2021 (three quarters) is outside the printed totals: Parkstad 3.20 ha that year.
    assert table.total(None, 2021, 2021) == pytest.approx(3.20, abs=0.005)


def test_tabel_7_disagreement_is_reported(demand_source):
    table = demand_source.tabel_7.model_copy(update={"printed_row_totals": {"Heerlen": 39.21}})
    found = tabel_7_disagreements(table)
    assert len(found) == 1 and "Heerlen" in found[0]


def test_heerlen_share_of_issuance(demand_source, base):
    share = municipal_share(demand_source.tabel_7, "Heerlen", 2011, 2020)
    assert share == pytest.approx(36.18 / 57.17, abs=1e-4)
    assert base.heerlen_share == share
    # 001: Heerlen 'ruim 60 %', Kerkrade 'circa 28 %'.
    assert 0.60 < share < 0.65
    assert municipal_share(demand_source.tabel_7, "Kerkrade", 2011, 2020) == pytest.approx(0.28, abs=0.005)


def test_year_outside_tabel_7_is_a_user_error(demand_source):
    with pytest.raises(UserError, match="not in Tabel 7"):
        demand_source.tabel_7.total(None, 2009, 2020)


# --- Method 1 and Method 2 known answers ------------------------------------------------


def test_method1_reproduces_40_to_51_ha(base):
    assert method1(57.17, 0.30) == pytest.approx(40.019)
    assert round(base.estimate("method1", "intensification_30").parkstad_2030_ha) == 40
    assert round(base.estimate("method1", "intensification_10").parkstad_2030_ha) == 51


def test_method2_reproduces_tabel_10(demand_source, base):
    printed = {"wlo_laag": demand_source.tabel_10.wlo_laag, "wlo_hoog": demand_source.tabel_10.wlo_hoog}
    for variant, row in printed.items():
        details = base.estimate("method2", variant).details
        # Tabel 10 prints jobs rounded to tens.
        assert details["total_jobs"] == pytest.approx(row["total_jobs"], abs=5)
        assert details["jobs_on_parks"] == pytest.approx(row["jobs_on_parks"], abs=5)
        assert round(base.estimate("method2", variant).parkstad_2030_ha) == row["extra_ha"]
    assert row["terrain_quotient_m2"] == round(details["terrain_quotient_m2"])
    assert round(base.estimate("method2", "wlo_laag").parkstad_2030_ha) == 37
    assert round(base.estimate("method2", "wlo_hoog").parkstad_2030_ha) == 84
    assert all(abs(c["difference_ha"]) < 0.5 for c in base.cross_checks if "Tabel 10" in c["name"])


def test_method2_conventions_that_do_not_reproduce_tabel_10():
    """Why the defaults are what they are: the printed 394 m2 gives 36 ha, 9 years 101,072 jobs."""
    flat = method2(105_736, -0.005, 10, 0.26, 394, 994)
    assert round(flat.extra_ha) == 36
    assert round(method2(105_736, -0.0005, 10, 0.26, 394, 994).extra_ha) == 84
    assert round(method2(105_736, -0.005, 9, 0.26, 394, 994).total_jobs, -1) == 101_070


def test_terrain_quotients_of_tabel_9(demand_source):
    assert terrain_quotient_2015(demand_source.tabel_9) == pytest.approx(394.25, abs=0.01)
    assert round(demand_source.tabel_9.issued_ha[2021] * 1e4 / demand_source.tabel_9.jobs_on_parks[2021]) == 382
    assert round(demand_source.tabel_9.issued_ha[2015] * 1e4 / demand_source.tabel_9.jobs_on_parks[2015]) == 394


def test_method2_explicit_quotient_is_used(demand_source):
    fc = forecast(DemandSettings(method2={"terrain_quotient_m2": 394}), demand_source)
    assert fc.estimate("method2", "wlo_laag").parkstad_2030_ha == pytest.approx(36.204, abs=1e-3)


# --- Horizons, allocation choice, cross-check -----------------------------------------


def test_base_case_places_conclusion_high(base):
    chosen = base.allocation
    assert (chosen.method, chosen.variant) == ("conclusion", "high")
    assert chosen.parkstad_2030_ha == 70 and chosen.parkstad_2031_2040_ha == 40
    assert chosen.parkstad_2040_ha == 110
    met = base.parameters["take_up_netted_ha"] + base.parameters["optioned_netted_ha"]
    assert base.to_place["2030"] == pytest.approx(70 * base.heerlen_share - met)
    assert base.to_place["2040"] == pytest.approx(40 * base.heerlen_share)
    assert base.total_heerlen_ha == pytest.approx(chosen.heerlen_2040_ha - met)


def test_base_case_agrees_with_002_about_70_ha(base):
    check = base.cross_checks[0]
    assert check["source"].startswith("002")
    assert check["reference_ha"] == 70
    assert abs(check["difference_ha"]) < 1.0


@pytest.mark.parametrize(
    ("method", "variant", "parkstad_2030"),
    [("method1", "intensification_30", 40.019), ("method2", "wlo_hoog", 84.44), ("conclusion", "low", 50.0)],
)
def test_chosen_variant_drives_the_segments(method, variant, parkstad_2030, demand_source):
    fc = forecast(DemandSettings(method=method, variant=variant, net_take_up=False, net_optioned=False), demand_source)
    assert fc.allocation.parkstad_2030_ha == pytest.approx(parkstad_2030, abs=0.01)
    by_period = fc.segments.groupby("period")["hectares"].sum()
    assert by_period["2030"] == pytest.approx(parkstad_2030 * fc.heerlen_share, abs=0.01)
    assert by_period["2040"] == pytest.approx(40 * fc.heerlen_share)


def test_explicit_total_and_share(demand_source):
    fc = forecast(
        DemandSettings(
            method="explicit",
            explicit_parkstad_2030_ha=100,
            municipal_share=0.5,
            addition_2031_2040_ha=0,
            net_take_up=False,
            net_optioned=False,
        ),
        demand_source,
    )
    assert fc.to_place == {"2030": 50.0, "2040": 0.0}
    assert fc.segments["hectares"].sum() == pytest.approx(50.0)
    assert any("scenario value" in a for a in fc.assumptions)


def test_negative_method2_places_nothing_to_2030(demand_source):
    fc = forecast(
        DemandSettings(method="method2", variant="shrink", method2={"growth_rates": {"shrink": -0.03}}), demand_source
    )
    assert fc.allocation.parkstad_2030_ha < 0
    assert fc.to_place["2030"] == 0.0
    assert any("negative demand" in a for a in fc.assumptions)


# --- Segments -------------------------------------------------------------------------


def test_base_segments_shape(base):
    seg = base.segments
    assert list(seg.columns) == ["sector", "size_class", "period", "hectares"]
    assert set(seg["period"]) == set(PERIODS)
    assert set(seg["size_class"]) == set(SIZE_CLASSES)
    assert set(seg["sector"]) == {s.id for s in DEFAULT_SECTORS}
    assert math.fsum(seg["hectares"]) == pytest.approx(base.total_heerlen_ha, abs=1e-9)
    wholesale_xxl = seg.query("sector == 'wholesale_logistics' and size_class == 'XXL'")["hectares"].sum()
    assert wholesale_xxl == pytest.approx(base.total_heerlen_ha * 0.475 * 0.55)


shares = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), st.floats(0.0, 10.0), min_size=1).filter(
    lambda d: sum(d.values()) > 1e-3
)


@hyp_settings(max_examples=150, deadline=None)
@given(
    total_2030=st.floats(0.0, 1e4),
    total_2040=st.floats(0.0, 1e4),
    sector_shares=shares,
    size_xxl=st.floats(0.0, 1.0),
)
def test_split_sums_to_total_and_is_non_negative(total_2030, total_2040, sector_shares, size_xxl):
    seg = split_segments(
        {"2030": total_2030, "2040": total_2040}, sector_shares, {"MKB": 1 - size_xxl, "XXL": size_xxl}
    )
    assert (seg["hectares"] >= 0).all()
    for period, total in (("2030", total_2030), ("2040", total_2040)):
        assert math.fsum(seg.loc[seg["period"] == period, "hectares"]) == pytest.approx(total, rel=1e-12, abs=1e-9)
    assert len(seg) == 2 * 2 * len(sector_shares)


@hyp_settings(max_examples=100, deadline=None)
@given(total=st.floats(1.0, 1e4), factor=st.floats(0.1, 10.0), sector_shares=shares)
def test_split_scales_with_the_total_and_follows_the_shares(total, factor, sector_shares):
    size = {"MKB": 0.45, "XXL": 0.55}
    one = split_segments({"2030": total}, sector_shares, size)
    scaled = split_segments({"2030": total * factor}, sector_shares, size)
    assert scaled["hectares"].to_numpy() == pytest.approx(one["hectares"].to_numpy() * factor, rel=1e-9, abs=1e-9)
    share_sum = sum(sector_shares.values())
    by_sector = one.groupby("sector")["hectares"].sum()
    for sector, share in sector_shares.items():
        assert by_sector[sector] == pytest.approx(total * share / share_sum, rel=1e-9, abs=1e-9)


def test_split_uses_per_sector_size_shares():
    seg = split_segments(
        {"2030": 10.0},
        {"production": 0.5, "consumer": 0.5},
        {"MKB": 0.5, "XXL": 0.5},
        {"consumer": {"MKB": 1.0, "XXL": 0.0}},
    )
    consumer = seg[seg["sector"] == "consumer"].set_index("size_class")["hectares"]
    assert consumer["MKB"] == pytest.approx(5.0) and consumer["XXL"] == 0.0


def test_split_rejects_negative_total():
    with pytest.raises(UserError):
        split_segments({"2030": -1.0}, {"consumer": 1.0}, {"MKB": 1.0})


# --- Settings and validation ------------------------------------------------------------


def test_default_point_values_lie_inside_the_source_ranges():
    defaults = DemandSettings()
    assert sum(defaults.sector_shares.values()) == pytest.approx(1.0)
    for sector, (low, high) in SECTOR_SHARE_RANGES.items():
        assert low <= defaults.sector_shares[sector] <= high
    assert defaults.size_shares["XXL"] > 0.5


def test_point_values_are_labelled_assumptions(base):
    fields = DemandSettings.model_fields
    for name in ("sector_shares", "size_shares", "method", "variant", "municipal_share"):
        assert "ASSUMPTION" in fields[name].description
    assert any("sector shares" in a and "ASSUMPTION" in a for a in base.assumptions)


def test_share_outside_source_range_is_flagged(demand_source):
    fc = forecast(
        DemandSettings(
            sector_shares={
                "wholesale_logistics": 0.7,
                "production": 0.1,
                "construction_installation": 0.1,
                "consumer": 0.1,
            },
            size_shares={"MKB": 0.6, "XXL": 0.4},
        ),
        demand_source,
    )
    flagged = " ".join(fc.assumptions)
    assert "wholesale_logistics = 70.0% lies outside" in flagged
    assert "XXL share 40.0%" in flagged


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "sector_shares": {
                    "wholesale_logistics": -0.1,
                    "production": 0.6,
                    "construction_installation": 0.4,
                    "consumer": 0.1,
                }
            },
            "must be >= 0",
        ),
        ({"sector_shares": {"wholesale_logistics": 0.5, "production": 0.3}}, "must sum to 1"),
        ({"size_shares": {"MKB": 0.5, "XXL": 0.6}}, "must sum to 1"),
        ({"size_shares": {"MKB": 0.5, "XL": 0.5}}, "unknown size class"),
        ({"sector_shares": {"wholesale_logistics": 0.9, "retail": 0.1}}, "unknown sector"),
        ({"size_shares_by_sector": {"retail": {"MKB": 1.0}}}, "unknown sector"),
        ({"method": "method3"}, "method"),
        ({"method": "method2", "variant": "high"}, "not a variant of method2"),
        ({"method": "explicit"}, "needs explicit_parkstad_2030_ha"),
        ({"method1": {"intensification": {"x": 1.2}}}, r"\[0, 1\)"),
        ({"demand_ha": 10}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_settings_raise(data, message):
    with pytest.raises(ValidationError, match=message):
        DemandSettings.model_validate(data)


def test_sector_ids_from_validation_context():
    data = {"sector_shares": {"medtech": 0.5, "logistics": 0.5}}
    with pytest.raises(ValidationError, match="unknown sector"):
        DemandSettings.model_validate(data)
    accepted = DemandSettings.model_validate(data, context={"sector_ids": ["medtech", "logistics"]})
    assert accepted.sector_shares == {"medtech": 0.5, "logistics": 0.5}


# --- Source file -------------------------------------------------------------------------


def test_bad_source_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        load_demand_source(tmp_path / "missing.yaml")
    broken = tmp_path / "demand_source.yaml"
    broken.write_text("tabel_7: {years: [2011]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_demand_source(broken)
    assert info.value.source == str(broken) and info.value.field


def test_every_source_entry_is_cited():
    import yaml

    from mca.inputs.demand_source import DEMAND_SOURCE_PATH

    raw = yaml.safe_load(DEMAND_SOURCE_PATH.read_text(encoding="utf-8"))
    for name, entry in raw.items():
        text = json.dumps(entry)
        assert '"source": "00' in text, name


# --- Reports -------------------------------------------------------------------------------


def test_forecast_to_dict_is_json_and_consistent(base):
    data = json.loads(json.dumps(forecast_to_dict(base)))
    assert data["total_heerlen_ha"] == pytest.approx(sum(s["hectares"] for s in data["segments"]))
    used = [e for e in data["estimates"] if e["used_for_allocation"]]
    assert [(e["method"], e["variant"]) for e in used] == [("conclusion", "high")]
    assert {e["variant"] for e in data["estimates"] if e["method"] == "method2"} == {"wlo_laag", "wlo_hoog"}
    assert data["assumptions"] and any(s.startswith("001, Bijlage 3, Tabel 7") for s in data["sources"])
    assert DemandSettings.model_validate(data["settings"]) == base.settings


def test_segments_csv_round_trips(base):
    frame = pd.read_csv(io.StringIO(segments_csv(base)), dtype={"period": str})
    assert list(frame.columns) == ["sector", "size_class", "period", "hectares"]
    assert frame["hectares"].sum() == pytest.approx(base.total_heerlen_ha, abs=1e-4)


def test_forecast_tables(base):
    tables = forecast_table(base)
    assert all(isinstance(t, Table) for t in tables)
    estimates, segments, checks = tables
    assert estimates.row_count == len(base.estimates)
    assert segments.row_count == len(DEFAULT_SECTORS) * len(SIZE_CLASSES)
    assert checks.row_count == len(base.cross_checks)
