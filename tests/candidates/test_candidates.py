"""Candidate-site generation (candidates/) on the bundled layers and on hand-made data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from candidates import CandidateSettings, build_candidates
from candidates.expansion import cut_into_cells
from candidates.intensification import intensification_capacity
from candidates.schema import COLUMNS, PERIOD_COLUMNS, validate_candidates
from mca.core.errors import DataError
from mca.inputs import read_user_sites, resolve


@pytest.fixture(scope="module")
def sites(heerlen_layers, parks) -> gpd.GeoDataFrame:
    return build_candidates(heerlen_layers, parks, CandidateSettings())


def hand_parks(**overrides) -> pd.DataFrame:
    """A one-park table with the columns of mca.inputs.dataset.load_parks()."""
    row = {
        "name": "Test",
        "gross_ha": 10.0,
        "net_ha": 9.0,
        "net_issued_ha": 8.0,
        "vacancy_q1_2024": 0.15,
        "available_ha": 1.5,
        "available_under_option_ha": 0.5,
        "profile": "regulier",
        "max_env_category": np.nan,
    } | overrides
    return pd.DataFrame([row], index=pd.Index(["test"], name="park_id"))


def hand_layers() -> dict[str, gpd.GeoDataFrame]:
    park = box(0, 0, 400, 250)  # 10 ha
    return {
        "parks": gpd.GeoDataFrame({"park_id": ["test"], "name": ["Test"]}, geometry=[park], crs="EPSG:28992"),
        "residential": gpd.GeoDataFrame(
            {"kind": ["dwellings"]}, geometry=[box(-600, -600, -300, 850)], crs="EPSG:28992"
        ),
        "natura2000": gpd.GeoDataFrame({"name": ["heath"]}, geometry=[box(500, -100, 900, 350)], crs="EPSG:28992"),
        "nnn": gpd.GeoDataFrame(
            {"name": ["valley"], "zone": ["goudgroen"]}, geometry=[box(0, 400, 400, 500)], crs="EPSG:28992"
        ),
    }


def test_schema_columns_order_and_sorting(sites):
    assert tuple(sites.columns) == COLUMNS
    assert sites["site_id"].is_unique
    assert sites["site_id"].tolist() == sorted(sites["site_id"])
    assert list(sites.index) == list(range(len(sites)))
    prefixes = sites["site_id"].str.split("-").str[0]
    assert (prefixes.map({"AV": "available_plot", "IN": "intensification", "EX": "expansion"}) == sites["kind"]).all()


def test_available_plots_follow_tabel_6(sites, heerlen_layers, parks):
    # 001, Tabel 6: 22.7 ha available of which 8.0 ha under option.
    plots = sites[sites["kind"] == "available_plot"].set_index("park")
    expected = {
        "avantis": 6.9,
        "coriopolis": 6.3 - 3.9,
        "ten-esschen": 0.9,
        "trilandis": 6.8 - 4.0,
        "wijngaardsweg": 1.7,
    }
    assert plots["capacity_ha"].to_dict() == pytest.approx(expected)
    assert plots["capacity_ha"].sum() == pytest.approx(22.7 - 8.0)
    assert "de-kissel" not in plots.index  # 0.1 ha available, all under option
    park_geoms = heerlen_layers["parks"].set_index("park_id").geometry
    for park_id, plot in plots.iterrows():
        assert plot["area_ha"] == pytest.approx(plot["capacity_ha"], rel=1e-6)
        assert park_geoms[park_id].buffer(0.01).contains(plot.geometry)
    with_option = build_candidates(
        heerlen_layers, parks, CandidateSettings(include_under_option=True, include_expansion=False)
    )
    assert with_option.query("kind == 'available_plot'")["capacity_ha"].sum() == pytest.approx(22.7)


def test_intensification_formula(sites, parks):
    # De Beitel: 118.0 ha net issued (001, Kerncijfers and Tabel 4 agree), vacancy 6 %:
    # 118 × 0.25 × 0.5 + (0.06 − 0.05) × 118 = 14.75 + 1.18
    beitel = sites.set_index("site_id").loc["IN-beitel"]
    assert beitel["capacity_ha"] == pytest.approx(15.93)
    assert beitel["capacity_2030_ha"] == pytest.approx(15.93 / 2)
    assert beitel["contiguous_ha"] == pytest.approx(2.0)
    intens = sites[sites["kind"] == "intensification"].set_index("park")
    table = parks.loc[intens.index]
    expected = table["net_issued_ha"] * 0.125 + (table["vacancy_q1_2024"] - 0.05).clip(lower=0) * table["net_issued_ha"]
    assert np.allclose(intens["capacity_ha"], expected)
    custom = CandidateSettings(
        intensification_headroom=0.3, intensification_realisation_rate=1.0, frictional_vacancy=0.04
    )
    assert intensification_capacity(100.0, 0.10, custom) == pytest.approx(30 + 6)
    assert intensification_capacity(100.0, np.nan, custom) == pytest.approx(30)
    assert intensification_capacity(np.nan, 0.3, custom) == 0


@given(st.floats(0, 500), st.floats(0, 1), st.floats(0, 1))
def test_intensification_grows_with_vacancy(net_issued, vacancy, extra):
    settings = CandidateSettings()
    low = intensification_capacity(net_issued, vacancy, settings)
    assert low >= net_issued * 0.125 - 1e-9
    assert intensification_capacity(net_issued, min(1.0, vacancy + extra), settings) >= low - 1e-9


def test_expansion_avoids_parks_and_dwellings_and_respects_min_size(sites, heerlen_layers):
    expansion = sites[sites["kind"] == "expansion"]
    assert len(expansion) > 10
    parks = heerlen_layers["parks"].union_all()
    built_up = heerlen_layers["residential"].union_all()
    assert expansion.intersection(parks).area.max() < 1.0  # m², boundary round-off only
    assert expansion.intersection(built_up).area.max() < 1.0
    assert (expansion["area_ha"] >= 3.0 - 1e-9).all()
    assert np.allclose(expansion["capacity_ha"], expansion["area_ha"] * 0.8)
    assert np.allclose(expansion["contiguous_ha"], expansion["capacity_ha"])
    assert expansion.union_all().area == pytest.approx(expansion.area.sum(), rel=1e-6)  # no overlap
    assert (expansion.distance(parks) < 250 + 1e-6).all()
    park_geoms = heerlen_layers["parks"].set_index("park_id").geometry
    for site in expansion.itertuples():
        distances = park_geoms.distance(site.geometry)
        assert distances[site.park] == pytest.approx(distances.min())
    # nature stays in by default so the exclusion criteria can flag it (issue requirement)
    assert expansion.intersects(heerlen_layers["natura2000"].union_all()).any()


def test_expansion_nature_switch_and_period(heerlen_layers, parks):
    no_nature = build_candidates(
        heerlen_layers,
        parks,
        CandidateSettings(
            exclude_nature_in_generation=True,
            include_available_plots=False,
            include_intensification=False,
            expansion_available_from="2040",
        ),
    )
    nature = pd.concat([heerlen_layers["natura2000"], heerlen_layers["nnn"]]).union_all()
    assert no_nature.intersection(nature).area.max() < 1.0
    assert (no_nature["capacity_2030_ha"] == 0).all()
    assert np.allclose(no_nature["capacity_2040_ha"], no_nature["capacity_ha"])


def test_expansion_on_hand_made_layers():
    layers = hand_layers()
    settings = CandidateSettings(
        include_available_plots=False,
        include_intensification=False,
        expansion_distance_m=100,
        max_expansion_cell_ha=None,
    )
    sites = build_candidates(layers, hand_parks(), settings)
    ring = box(-100, -100, 500, 350).area - box(0, 0, 400, 250).area - (4 - np.pi) * 100**2
    assert sites["site_id"].tolist() == ["EX-test-01"]
    assert sites["area_ha"].iloc[0] == pytest.approx(ring / 10_000, rel=1e-3)
    cut = build_candidates(layers, hand_parks(), settings.model_copy(update={"max_expansion_cell_ha": 4}))
    assert cut["area_ha"].sum() == pytest.approx(sites["area_ha"].sum(), rel=1e-9)
    assert len(cut) > 1 and (cut["area_ha"] >= 3).all()
    assert cut["site_id"].tolist() == [f"EX-test-{i:02d}" for i in range(1, len(cut) + 1)]


@hsettings(max_examples=25, deadline=None)
@given(st.floats(150, 900), st.floats(150, 900), st.floats(2, 20), st.floats(0.5, 3))
def test_cells_partition_the_piece(width, height, max_cell_ha, min_ha):
    piece = Polygon(
        [(1000, 2000), (1000 + width, 2000), (1000 + width, 2000 + height), (1000 + width / 3, 2000 + height)]
    )
    cells = cut_into_cells(piece, max_cell_ha, min_ha)
    assert sum(c.area for c in cells) == pytest.approx(piece.area, rel=1e-9)
    assert gpd.GeoSeries(cells).union_all().area == pytest.approx(piece.area, rel=1e-9)
    assert len(cells) == 1 or min(c.area for c in cells) >= min_ha * 10_000 * (1 - 1e-9)
    if piece.area > (max_cell_ha + min_ha) * 10_000 * 4:
        assert len(cells) > 1
    assert all(c.geom_type == "Polygon" for c in cells)


def test_cumulative_capacity_never_decreases(sites):
    values = sites[list(PERIOD_COLUMNS)].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-12).all()
    assert np.allclose(values[:, -1], sites["capacity_ha"])
    assert (sites["contiguous_ha"] <= sites["capacity_ha"] + 1e-9).all()


def test_generation_is_deterministic(sites, heerlen_layers, parks):
    again = build_candidates(heerlen_layers, parks, CandidateSettings())
    pd.testing.assert_frame_equal(sites.drop(columns="geometry"), again.drop(columns="geometry"))
    assert sites.geometry.geom_equals_exact(again.geometry, tolerance=0).all()


def test_user_sites_from_wgs84_geojson(tmp_path, heerlen_layers, parks):
    rd = [box(195800, 318600, 196100, 318900), box(201000, 317000, 201200, 317250)]
    user = gpd.GeoDataFrame(
        {"name": ["Zuid Veld", None], "capacity_ha": [None, 4.0], "available_from": [None, "2040"]},
        geometry=rd,
        crs="EPSG:28992",
    ).to_crs("EPSG:4326")
    (tmp_path / "sites").mkdir()
    user.to_file(tmp_path / "sites" / "drawn.geojson")
    settings = CandidateSettings(
        user_sites=["sites/drawn.geojson"],
        include_expansion=False,
        include_available_plots=False,
        include_intensification=False,
    )
    path = resolve(Path("sites/drawn.geojson"), tmp_path)
    assert path == (tmp_path / "sites" / "drawn.geojson").resolve()
    sites = build_candidates(heerlen_layers, parks, settings, user_sites=[(path, read_user_sites(path))]).set_index(
        "site_id"
    )
    assert sites.index.tolist() == ["US-drawn-2", "US-zuid-veld"]
    zuid = sites.loc["US-zuid-veld"]
    assert zuid.geometry.bounds == pytest.approx((195800, 318600, 196100, 318900), abs=0.5)
    assert zuid["area_ha"] == pytest.approx(9.0, rel=1e-3)
    assert zuid["capacity_ha"] == pytest.approx(9.0 * 0.8, rel=1e-3)
    assert zuid["capacity_2030_ha"] == pytest.approx(zuid["capacity_ha"])
    nearest = heerlen_layers["parks"].set_index("park_id").distance(zuid.geometry).idxmin()
    assert zuid["park"] == nearest  # the nearest park when the file names none
    drawn = sites.loc["US-drawn-2"]
    assert (drawn["capacity_ha"], drawn["capacity_2030_ha"], drawn["capacity_2040_ha"]) == (4.0, 0.0, 4.0)
    assert drawn["park"] == "trilandis"


def test_user_site_errors_name_file_and_field(tmp_path, heerlen_layers, parks):
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame(
        {"name": ["x"], "available_from": ["2025"]}, geometry=[box(0, 0, 300, 300)], crs="EPSG:28992"
    ).to_file(path)
    settings = CandidateSettings(user_sites=[path], include_expansion=False)
    with pytest.raises(DataError, match="available_from must be one of 2030, 2040") as info:
        build_candidates(heerlen_layers, parks, settings, user_sites=[(path, read_user_sites(path))])
    assert info.value.field == "available_from" and "bad.geojson" in info.value.source
    with pytest.raises(DataError, match="file not found"):
        read_user_sites(tmp_path / "none.gpkg")


def test_validation_rejects_broken_tables(sites):
    broken = sites.copy()
    broken.loc[0, "capacity_2030_ha"] = broken.loc[0, "capacity_ha"] + 1
    with pytest.raises(DataError, match="decreases"):
        validate_candidates(broken)
    duplicated = pd.concat([sites.iloc[[0]], sites.iloc[[0]]])
    with pytest.raises(DataError, match="duplicate site_id"):
        validate_candidates(gpd.GeoDataFrame(duplicated, crs=sites.crs))
    with pytest.raises(ValueError, match="unknown_knob"):
        CandidateSettings(unknown_knob=1)


def test_duplicate_user_site_ids_name_the_file(tmp_path, heerlen_layers, parks):
    path = tmp_path / "drawn.gpkg"
    boxes = [box(195800, 318600, 196100, 318900), box(196200, 318600, 196400, 318900)]
    gpd.GeoDataFrame({"name": ["Veld", "veld"]}, geometry=boxes, crs="EPSG:28992").to_file(path)
    settings = CandidateSettings(include_expansion=False)
    with pytest.raises(DataError, match="US-veld") as caught:
        build_candidates(heerlen_layers, parks, settings, user_sites=[(path, read_user_sites(path))])
    assert caught.value.source == str(path) and caught.value.field == "name"
