"""Nitrogen screening: sector-specific exclusion, the kernel, and AERIUS overrides."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

import criteria
from criteria.base import Context
from criteria.nitrogen import kernel
from mca.core.errors import DataError, UserError
from mca.inputs.tables import read_table

CRS = "EPSG:28992"
SIDE = 10_000**0.5 * 10**0.5  # a 10 ha square


@pytest.fixture
def layers():
    heide = gpd.GeoDataFrame({"name": ["Brunssummerheide"]}, geometry=[box(-1000, 0, 0, 1000)], crs=CRS)
    return {"natura2000": heide}


@pytest.fixture
def frame():
    return gpd.GeoDataFrame(
        {"site_id": ["near", "far"], "capacity_ha": [10.0, 10.0]},
        geometry=[box(3000, 0, 3000 + SIDE, SIDE), box(20_000, 0, 20_000 + SIDE, SIDE)],
        crs=CRS,
    )


def run(frame, layers, **params):
    """Run the criterion as the pipeline does: its file parameter read by the input edge."""
    criterion = criteria.get("nitrogen")
    settings = criteria.CriteriaSettings.model_validate({"nitrogen": {"params": params}})
    tables = {key: read_table(path, field=key) for key, path in criteria.table_settings(settings).items()}
    return criterion.run(frame, Context(layers=layers, tables=tables), criterion.Params(**params))


def test_kernel_halves_at_decay_distance():
    assert kernel(0.0, 1000.0) == 1.0
    assert kernel(1000.0, 1000.0) == 0.5
    assert kernel(3000.0, 1000.0) == pytest.approx(0.1)


def test_logistics_excluded_consumer_open(frame, layers):
    result = run(frame, layers)
    values = result.values
    # default factors (assumption): high 0.2, medium 0.05, low 0.01 per ha; 10 ha at 3 km: K = 0.1
    assert values.loc["near", "nitrogen_wholesale_logistics"] == pytest.approx(0.2)
    assert values.loc["near", "nitrogen_production"] == pytest.approx(0.05)
    assert values.loc["near", "nitrogen_consumer"] == pytest.approx(0.01)
    assert values.loc["near", "nitrogen_max"] == pytest.approx(0.2)
    assert values.loc["near", "nitrogen_source"] == "screening"
    excluded = set(zip(result.exclusions["site_id"], result.exclusions["sector"]))
    assert excluded == {("near", "wholesale_logistics")}
    reason = result.exclusions["reason"].iloc[0]
    assert "Brunssummerheide" in reason and "screening" in reason and "3,000 m" in reason


def test_threshold_is_configurable(frame, layers):
    result = run(frame, layers, threshold_mol_ha_yr=0.005)
    excluded = set(zip(result.exclusions["site_id"], result.exclusions["sector"]))
    assert ("near", "consumer") in excluded
    assert ("far", "consumer") not in excluded  # 0.01 × 10 × 1/401 < 0.005


def test_aerius_csv_overrides_screening(frame, layers, tmp_path):
    csv = tmp_path / "aerius.csv"
    csv.write_text("site_id,deposition_mol_ha_yr,sector\nnear,0.0,\nfar,0.5,consumer\n")
    result = run(frame, layers, aerius_csv=csv)
    values = result.values
    assert values.loc["near", "nitrogen_wholesale_logistics"] == 0.0
    assert values.loc["far", "nitrogen_consumer"] == 0.5
    assert values.loc["far", "nitrogen_wholesale_logistics"] == pytest.approx(0.2 * 10 / 401)
    assert values["nitrogen_source"].tolist() == ["aerius", "aerius"]
    excluded = set(zip(result.exclusions["site_id"], result.exclusions["sector"]))
    assert excluded == {("far", "consumer")}
    assert "AERIUS" in result.exclusions["reason"].iloc[0]


@pytest.mark.parametrize(
    ("text", "error", "field"),
    [
        ("site_id,deposition_mol_ha_yr\nnowhere,1\n", DataError, "site_id"),
        ("site_id,value\nnear,1\n", DataError, "deposition_mol_ha_yr"),
        ("site_id,deposition_mol_ha_yr,sector\nnear,1,shipping\n", DataError, "sector"),
        ("site_id,deposition_mol_ha_yr\nnear,-1\n", DataError, "deposition_mol_ha_yr"),
    ],
)
def test_bad_aerius_csv(frame, layers, tmp_path, text, error, field):
    csv = tmp_path / "aerius.csv"
    csv.write_text(text)
    with pytest.raises(error) as caught:
        run(frame, layers, aerius_csv=csv)
    assert caught.value.field == field and caught.value.source == str(csv)


def test_emission_factors_need_every_class():
    with pytest.raises(UserError, match="missing: low, medium") as caught:
        criteria.CriteriaSettings.model_validate({"nitrogen": {"params": {"emission_factor": {"high": 0.3}}}})
    assert caught.value.field == "nitrogen.params.emission_factor"


def test_missing_or_garbage_aerius_file(frame, layers, tmp_path):
    with pytest.raises(DataError, match="not found") as caught:
        run(frame, layers, aerius_csv=tmp_path / "missing.csv")
    assert caught.value.field == "nitrogen.aerius_csv"
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="UTF-8") as caught:
        run(frame, layers, aerius_csv=garbage)
    assert caught.value.source == str(garbage)
