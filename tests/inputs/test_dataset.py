"""The Heerlen park dataset against 001 (Kerncijfers table, Tabel 4, Tabel 6, §3.3, Tabellen 1-3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mca.core.errors import DataError
from mca.core.paths import HEERLEN_DIR
from mca.inputs.dataset import (
    AREA_ROUNDING_HA,
    REQUIRED_COLUMNS,
    TABEL4_TOTAL_HA,
    TABEL6_AVAILABLE_TOTAL_HA,
    TABEL6_OPTION_TOTAL_HA,
    Disagreement,
    check_data,
    format_disagreements,
    load_parks,
)

PARK_IDS = {
    "avantis", "baaks-soureth", "beitel", "c-mill", "coriopolis", "de-kissel", "de-koumen", "emma",
    "in-de-cramer", "litscherveld", "nieuw-einde", "prinsenstraat", "smitzerveld", "ten-esschen",
    "trilandis", "weggebekker", "wijngaardsweg",
}  # fmt: skip


def test_the_17_parks_with_architecture_ids(parks: pd.DataFrame) -> None:
    assert set(parks.index) == PARK_IDS
    assert parks.index.name == "park_id"


def test_dtypes(parks: pd.DataFrame) -> None:
    for column in ("no_new_logistics", "reserve_env_space", "intensify", "transform_allowed"):
        assert parks[column].dtype == bool
    assert parks["jobs_2023"].dtype == "int64"
    assert parks["gross_ha"].dtype == "float64"
    assert parks["max_env_category"].isna().sum() == 15


def test_table_totals_match_the_source(parks: pd.DataFrame) -> None:
    # 001, Tabel 6: the six listed rows add up exactly to the printed totals.
    assert parks["available_ha"].sum() == pytest.approx(TABEL6_AVAILABLE_TOTAL_HA) == pytest.approx(22.7)
    assert parks["available_under_option_ha"].sum() == pytest.approx(TABEL6_OPTION_TOTAL_HA) == pytest.approx(8.0)
    # 001, Tabel 4: the rounded rows sum to 343.0, the printed total is 342.8 (rounding).
    assert TABEL4_TOTAL_HA == 342.8
    assert parks["net_issued_ha_tabel4"].sum() == pytest.approx(343.0)
    assert abs(parks["net_issued_ha_tabel4"].sum() - 342.8) <= AREA_ROUNDING_HA * len(parks)
    assert parks["net_issued_ha"].sum() == pytest.approx(341.1)
    # Kerncijfers: Heerlen total jobs about 14,500 (domain notes, 001 §2.2).
    assert parks["jobs_2023"].sum() == 14525


@pytest.mark.parametrize(
    ("park_id", "column", "expected"),
    [
        ("beitel", "gross_ha", 136.2),  # Kerncijfers
        ("trilandis", "jobs_2023", 3090),  # Kerncijfers
        ("nieuw-einde", "jobs_per_ha_growth_2019_2023", 1.08),  # Kerncijfers, 108%
        ("c-mill", "vacancy_q1_2024", 0.37),  # Kerncijfers
        ("wijngaardsweg", "fsi", 0.42),  # Kerncijfers
        ("emma", "net_ha", 16.6),  # Kerncijfers
        ("de-koumen", "net_issued_ha_tabel4", 49.9),  # Tabel 4
        ("coriopolis", "net_issued_ha_tabel4", 8.2),  # Tabel 4
        ("coriopolis", "available_ha", 6.3),  # Tabel 6
        ("trilandis", "available_under_option_ha", 4.0),  # Tabel 6
        ("avantis", "mean_building_year", 2006),  # Kerncijfers
    ],
)
def test_spot_values(parks: pd.DataFrame, park_id: str, column: str, expected: float) -> None:
    assert parks.loc[park_id, column] == pytest.approx(expected)


def test_profiles_clusters_and_flags(parks: pd.DataFrame) -> None:
    by_profile = parks.groupby("profile").groups
    assert set(by_profile["industrieel"]) == {"beitel", "baaks-soureth", "de-koumen"}
    assert set(by_profile["logistiek"]) == {"avantis", "trilandis"}
    assert set(by_profile["gemengd"]) == {"in-de-cramer", "de-kissel", "litscherveld", "smitzerveld", "prinsenstraat"}
    assert (parks.loc[["avantis", "trilandis"], "profile_label"] == "(medisch) logistiek").all()
    assert set(parks.index[parks["cluster"] == "north"]) == {"nieuw-einde", "emma", "weggebekker"}
    assert set(parks.index[parks["cluster"] == "south"]) == {"beitel", "baaks-soureth", "trilandis", "avantis"}
    assert set(parks.index[parks["no_new_logistics"]]) == {"beitel", "baaks-soureth"}
    assert set(parks.index[parks["reserve_env_space"]]) == {"beitel", "baaks-soureth", "de-koumen", "wijngaardsweg"}
    assert set(parks.index[parks["max_env_category"].notna()]) == {"beitel", "de-koumen"}


def test_net_issued_uses_the_named_table(parks: pd.DataFrame) -> None:
    column = parks["net_issued_ha_choice"].map(
        {"kerncijfers": "net_issued_ha_kerncijfers", "tabel4": "net_issued_ha_tabel4"}
    )
    chosen = [parks.loc[park, col] for park, col in column.items()]
    assert parks["net_issued_ha"].tolist() == pytest.approx(chosen)
    assert set(parks.index[parks["net_issued_ha_choice"] == "kerncijfers"]) == {"de-kissel"}
    assert not [d for d in check_data(parks) if d.field == "net_issued_ha_choice"]
    edited = parks.copy()
    edited.loc["c-mill", "net_issued_ha"] = 14.5
    assert [d.park_id for d in check_data(edited) if d.field == "net_issued_ha_choice"] == ["c-mill"]
    # The figure used is physically possible everywhere: issued + available <= net.
    slack = 3 * AREA_ROUNDING_HA
    assert (parks["net_issued_ha"] + parks["available_ha"] <= parks["net_ha"] + slack).all()


def test_fields_csv_documents_every_column() -> None:
    fields = pd.read_csv(HEERLEN_DIR / "fields.csv")
    columns = pd.read_csv(HEERLEN_DIR / "parks.csv", nrows=0).columns
    assert list(fields["field"]) == list(columns)
    assert fields[["unit", "source", "description"]].notna().all().all()
    assert fields.set_index("field").loc["max_env_category", "source"].count("assumption") == 1


def test_check_data_names_the_four_net_issued_disagreements(parks: pd.DataFrame) -> None:
    findings = check_data(parks)
    net_issued = {d.name: d.values for d in findings if d.field == "net_issued_ha"}
    assert net_issued == {
        "Baaks-Soureth": {"Tabel 4": 7.7, "Kerncijfers": 10.3},
        "C-Mill": {"Tabel 4": 12.3, "Kerncijfers": 14.5},
        "Coriopolis (SD)": {"Tabel 4": 8.2, "Kerncijfers": 14.5},
        "De Kissel": {"Tabel 4": 12.8, "Kerncijfers": 10.9},
    }


def test_check_data_internal_consistency(parks: pd.DataFrame) -> None:
    findings = check_data(parks)
    by_field: dict[str, set[str]] = {}
    for item in findings:
        by_field.setdefault(item.field, set()).add(item.park_id)
    # Tabel 4's De Kissel figure exceeds the net area; the Kerncijfers leave no room for Tabel 6 at Coriopolis.
    assert by_field["net_issued_ha_tabel4"] == {"de-kissel"}
    assert by_field["available_ha"] == {"coriopolis"}
    # jobs/ha printed in the Kerncijfers matches jobs / net area or jobs / Tabel 4 area for these parks.
    assert by_field["jobs_per_ha"] == {
        "avantis", "emma", "ten-esschen", "trilandis", "wijngaardsweg",  # net area
        "baaks-soureth", "c-mill", "de-kissel",  # Tabel 4 area
    }  # fmt: skip
    jobs = {d.park_id: d.note for d in findings if d.field == "jobs_per_ha"}
    assert "Tabel 4 net issued" in jobs["baaks-soureth"]
    assert "Kerncijfers net area" in jobs["trilandis"]
    # Totals agree within rounding, net <= gross everywhere.
    assert not [d for d in findings if d.name == "total"]
    assert "net_ha" not in by_field


def test_check_data_reports_a_total_off_by_more_than_rounding(parks: pd.DataFrame) -> None:
    edited = parks.copy()
    edited.loc["beitel", "available_ha"] = 1.0
    edited.loc["beitel", "net_issued_ha_tabel4"] = 117.0
    totals = {d.field: d.values for d in check_data(edited) if d.name == "total"}
    assert totals == {"available_ha": {"sum of rows": 23.7, "Tabel 6 total": 22.7}}


def test_jobs_per_ha_tolerance_is_relative(parks: pd.DataFrame) -> None:
    # C-Mill: 683 / 12.3 = 55.5 against a printed 58 (4.3 % off): a match at 5 %, none at 3 %.
    strict = {d.park_id: d.note for d in check_data(parks, tolerance=0.03) if d.field == "jobs_per_ha"}
    assert "none of the areas" in strict["c-mill"]
    assert "smitzerveld" in strict  # 154 / 9.4 = 16.4 against 17


@settings(max_examples=30, deadline=None)
@given(park=st.sampled_from(sorted(PARK_IDS)), delta=st.floats(min_value=0.1, max_value=20.0))
def test_check_data_finds_exactly_the_edited_park(parks: pd.DataFrame, park: str, delta: float) -> None:
    consistent = parks.copy()
    consistent["net_issued_ha_tabel4"] = consistent["net_issued_ha_kerncijfers"]
    consistent["net_issued_ha"] = consistent["net_issued_ha_kerncijfers"]
    consistent["net_issued_ha_choice"] = "kerncijfers"
    consistent.loc[park, "net_issued_ha_tabel4"] += round(delta, 1)
    flagged = {d.park_id for d in check_data(consistent) if d.field == "net_issued_ha"}
    assert flagged == {park}


def test_format_disagreements_names_park_and_figures() -> None:
    item = Disagreement("c-mill", "C-Mill", "net_issued_ha", {"Tabel 4": 12.3, "Kerncijfers": 14.5}, "differs")
    text = format_disagreements([item])
    assert text == "C-Mill (c-mill): net_issued_ha: Tabel 4 = 12.3, Kerncijfers = 14.5 — differs"
    assert format_disagreements([]) == "no disagreements found"
    assert len(format_disagreements(check_data()).splitlines()) == len(check_data())


# --- load errors -----------------------------------------------------------------------------


def _copy_with(tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(HEERLEN_DIR / "parks.csv", dtype=str, keep_default_na=False)
    frame = edit(frame)
    path = tmp_path / "parks.csv"
    frame.to_csv(path, index=False)
    return path


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError) as info:
        load_parks(path)
    assert info.value.source == str(path)
    assert "not found" in str(info.value)


@pytest.mark.parametrize("column", ["net_issued_ha_tabel4", "park_id", "reserve_env_space", "max_env_category"])
def test_missing_column(tmp_path: Path, column: str) -> None:
    path = _copy_with(tmp_path, lambda f: f.drop(columns=[column]))
    with pytest.raises(DataError) as info:
        load_parks(path)
    assert info.value.field == column
    assert str(info.value).startswith(f"{path}: {column}: missing column")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("gross_ha", "136,2", "non-numeric value '136,2' for park beitel"),
        ("jobs_2023", "many", "non-numeric value 'many' for park beitel"),
        ("jobs_2023", "2624.5", "not a whole number"),
        ("net_ha", "", "missing value for park beitel"),
        ("max_env_category", "high", "non-numeric value 'high' for park beitel"),
        ("intensify", "yes", "not true or false"),
        ("profile", "logistics", "not one of"),
        ("available_ha", "-1", "negative value"),
        ("max_env_category", "7", "outside the VNG scale"),
    ],
)
def test_bad_value(tmp_path: Path, column: str, value: str, message: str) -> None:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["park_id"] == "beitel", column] = value
        return frame

    path = _copy_with(tmp_path, edit)
    with pytest.raises(DataError) as info:
        load_parks(path)
    assert info.value.source == str(path)
    assert info.value.field == column
    assert message in str(info.value)


def test_duplicate_park_id(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda f: pd.concat([f, f.iloc[[0]]]))
    with pytest.raises(DataError, match="duplicate park_id: avantis"):
        load_parks(path)


def test_required_columns_are_the_csv_columns() -> None:
    assert set(REQUIRED_COLUMNS) == set(pd.read_csv(HEERLEN_DIR / "parks.csv", nrows=0).columns)


def test_check_data_reports_where_the_text_disagrees_with_the_tables(parks: pd.DataFrame) -> None:
    findings = check_data(parks)
    vacancy = {d.park_id: d.values for d in findings if d.field == "vacancy_q1_2024" and d.park_id != "*"}
    assert set(vacancy) == {"c-mill", "avantis", "smitzerveld"}  # De Beitel's 6 % agrees
    assert vacancy["c-mill"] == {"Kerncijfers vacancy": 0.37, "001 §2.2 text": 0.28}
    low = next(d for d in findings if d.field == "vacancy_q1_2024" and d.park_id == "*")
    assert low.values["parks at 0-2 %"] == (parks["vacancy_q1_2024"] <= 0.02).sum() < 0.75 * len(parks)
    unplaced = {d.park_id: d.values["neither"] for d in findings if d.field == "net_area_unplaced"}
    assert unplaced["emma"] == pytest.approx(16.6 - 6.0)
    fields = {d.field for d in findings}
    assert {"method_1", "forecast_period", "supply_sufficient_until"} <= fields


def test_text_vacancy_finding_disappears_when_the_table_agrees(parks: pd.DataFrame) -> None:
    edited = parks.copy()
    edited.loc["c-mill", "vacancy_q1_2024"] = 0.28
    assert "c-mill" not in {d.park_id for d in check_data(edited) if d.field == "vacancy_q1_2024"}
