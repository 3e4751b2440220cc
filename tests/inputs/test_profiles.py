"""Import profiles: fixtures built in each dataset's published schema load into the engine's layers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, box

from mca.core.errors import DataError
from mca.core.paths import HEERLEN_DIR
from mca.inputs.layers import LayerSettings, LayerSource, load_layers, schematic_layers
from mca.inputs.profiles import PROFILES, apply_profile
from mca.inputs.profiles.aerius import deposition_by_site, deposition_per_site_label, read_imaer
from mca.inputs.profiles.nwb import CLASS_DEFAULTS

RD = "EPSG:28992"


def write(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a fixture file (GeoPackage or GeoJSON by suffix) and give its path."""
    gdf.to_file(path, driver="GeoJSON" if path.suffix == ".geojson" else "GPKG", engine="pyogrio")
    return path


def nwb_fixture(path: Path) -> Path:
    """Five NWB wegvakken: A76 (Rijk), N281 (Provincie), a numbered and a plain municipal road, a ramp."""
    rows = [
        (600100001, "R", "076", "", "HR", LineString([(192000, 324000), (193000, 324200)])),
        (600100002, "P", "281", "Antwerpseweg", "HR", LineString([(193000, 324200), (194000, 324100)])),
        (600100003, "G", "", "Kissel", "", LineString([(194000, 324100), (194500, 323500)])),
        (600100004, "G", "", "Afrit Heerlen", "AFR", LineString([(193000, 324200), (193200, 323800)])),
        (600100005, "W", "", "Dijkweg",  "",
         MultiLineString([[(194500, 323500), (194800, 323300)], [(194900, 323200), (195100, 323000)]])),
    ]  # fmt: skip
    columns = ["WVK_ID", "WEGBEHSRT", "WEGNUMMER", "STT_NAAM", "BST_CODE", "geometry"]
    return write(gpd.GeoDataFrame([dict(zip(columns, r, strict=True)) for r in rows], crs=RD), path)


def test_nwb_road_class_name_and_class_defaults(tmp_path: Path) -> None:
    raw = gpd.read_file(nwb_fixture(tmp_path / "wegvakken.gpkg"))
    roads = apply_profile("nwb", raw, "roads", {}, where="fixture").set_index("road_id")
    assert roads.loc["600100001", ["name", "road_class"]].tolist() == ["A76", "motorway"]
    assert roads.loc["600100002", ["name", "road_class"]].tolist() == ["N281", "main"]
    assert roads.loc["600100003", "road_class"] == "local"
    assert roads.loc["600100004", "road_class"] == "access"
    assert {"600100005-1", "600100005-2"} <= set(roads.index)  # multi-part section split
    for road_class, (speed, capacity, ratio) in CLASS_DEFAULTS.items():
        chosen = roads[roads["road_class"] == road_class]
        assert (chosen["speed_kmh"] == speed).all()
        assert (chosen["capacity_veh_h"] == capacity).all()
        assert chosen["volume_veh_h"].to_numpy() == pytest.approx(capacity * ratio)
    defaults = roads.attrs["profile"]["defaults"]
    assert all("assumption" in text for text in defaults.values())


def test_nwb_traffic_table_overrides_defaults(tmp_path: Path) -> None:
    table = tmp_path / "traffic.csv"
    table.write_text("WVK_ID,capacity_veh_h,volume_veh_h\n600100002,2000,1900\n")
    raw = gpd.read_file(nwb_fixture(tmp_path / "wegvakken.gpkg"))
    roads = apply_profile("nwb", raw, "roads", {"traffic_table": str(table)}, where="fixture").set_index("road_id")
    assert roads.loc["600100002", ["capacity_veh_h", "volume_veh_h"]].tolist() == [2000, 1900]
    assert roads.loc["600100001", "capacity_veh_h"] == CLASS_DEFAULTS["motorway"][1]
    assert "traffic table for 1 of" in roads.attrs["profile"]["defaults"]["volume_veh_h"]


def test_a_profile_option_file_resolves_on_the_scenario_folder_and_is_listed(tmp_path: Path) -> None:
    (tmp_path / "traffic.csv").write_text("WVK_ID,capacity_veh_h,volume_veh_h\n600100002,2000,1900\n")
    nwb_fixture(tmp_path / "nwb.gpkg")
    source = LayerSource(path=Path("nwb.gpkg"), profile="nwb", options={"traffic_table": "traffic.csv"})
    settings = LayerSettings(roads=source)
    assert tmp_path / "traffic.csv" in settings.files(tmp_path)
    roads = load_layers(settings, base_dir=tmp_path)["roads"].set_index("road_id")
    assert roads.loc["600100002", "capacity_veh_h"] == 2000


def test_scenario_layer_with_profile_replaces_the_schematic_layer(tmp_path: Path) -> None:
    settings = LayerSettings(roads=LayerSource(path=nwb_fixture(tmp_path / "nwb.gpkg"), profile="nwb"))
    layers = load_layers(settings)
    assert layers["roads"].attrs["profile"]["name"] == "nwb"
    assert "roads" not in schematic_layers(layers)
    assert "parks" in schematic_layers(layers)


def test_profile_for_the_wrong_layer_and_missing_field_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="onto the 'roads' layer"):
        load_layers(LayerSettings(parks=LayerSource(path=nwb_fixture(tmp_path / "n.gpkg"), profile="nwb")))
    plain = write(gpd.GeoDataFrame({"naam": ["x"]}, geometry=[box(0, 0, 10, 10)], crs=RD), tmp_path / "n2k.gpkg")
    with pytest.raises(DataError, match="lacks the field 'naamN2K'"):
        load_layers(LayerSettings(natura2000=LayerSource(path=plain, profile="natura2000_rvo")))
    with pytest.raises(DataError, match="unknown import profile"):
        load_layers(LayerSettings(natura2000=LayerSource(path=plain, profile="natura")))


def bag_fixture(path: Path, points: bool = False) -> Path:
    """BAG pand (or verblijfsobject) rows with the published fields identificatie, status, gebruiksdoel."""
    rows = [
        ("0917100000000001", "Pand in gebruik", "woonfunctie"),
        ("0917100000000002", "Pand in gebruik", "industriefunctie"),
        ("0917100000000003", "Pand in gebruik", "woonfunctie,winkelfunctie"),
        ("0917100000000004", "Pand gesloopt", "woonfunctie"),
    ]
    shapes = [Point(195000 + 20 * i, 322000) if points else box(195000 + 50 * i, 322000, 195020 + 50 * i, 322020)
              for i in range(len(rows))]  # fmt: skip
    data = {"identificatie": [r[0] for r in rows], "status": [r[1] for r in rows], "gebruiksdoel": [r[2] for r in rows]}
    return write(gpd.GeoDataFrame(data, geometry=shapes, crs=RD), path)


def test_bag_buildings_keep_existing_dwellings(tmp_path: Path) -> None:
    raw = gpd.read_file(bag_fixture(tmp_path / "pand.gpkg"))
    residential = apply_profile("bag", raw, "residential", {}, where="fixture")
    assert sorted(residential["bag_id"]) == ["0917100000000001", "0917100000000003"]
    assert set(residential["kind"]) == {"dwellings"}


def test_bag_address_points_become_merged_discs(tmp_path: Path) -> None:
    raw = gpd.read_file(bag_fixture(tmp_path / "vbo.gpkg", points=True))
    residential = apply_profile("bag", raw, "residential", {"by": "address", "point_radius_m": 15}, where="f")
    # dwellings 1 (x 195020) and 3 (x 195060) are 40 m apart: two separate 15 m discs
    assert len(residential) == 2
    assert residential.area.sum() == pytest.approx(2 * 3.14159 * 15**2, rel=0.02)
    assert "assumption" in residential.attrs["profile"]["defaults"]["geometry"]


def test_ibis_names_match_the_park_table_and_unmatched_are_reported(tmp_path: Path) -> None:
    names = ["Bedrijventerrein De Beitel", "AVANTIS", "Prinsenstraat e.o.", "Onbekend Park"]
    gdf = gpd.GeoDataFrame(
        {"RIN_NUMMER": ["1", "2", "3", "4"], "PLAN_NAAM": names, "GEMEENTE": "Heerlen"},
        geometry=[box(i * 1000, 0, i * 1000 + 500, 500) for i in range(4)],
        crs=RD,
    )
    parks = apply_profile("ibis", gdf, "parks", {}, where="fixture")
    assert sorted(parks["park_id"]) == ["avantis", "beitel", "prinsenstraat"]
    notes = parks.attrs["profile"]["notes"]
    assert "IBIS polygon without a park in the table: Onbekend Park" in notes
    assert any(note.endswith("trilandis") for note in notes)


def test_natura2000_rvo_and_cbs_fields(tmp_path: Path) -> None:
    n2k = gpd.GeoDataFrame(
        {"naamN2K": ["Brunssummerheide"], "nummer": [159], "beschermin": ["Habitatrichtlijn"]},
        geometry=[box(0, 0, 100, 100)],
        crs=RD,
    )
    sites = apply_profile("natura2000_rvo", n2k, "natura2000", {}, where="f")
    assert sites.loc[0, ["name", "number", "regime"]].tolist() == ["Brunssummerheide", 159, "Habitatrichtlijn"]
    wijken = gpd.GeoDataFrame(
        {"wijkcode": ["WK091701", "WK091702"], "wijknaam": ["Centrum", "Noord"],
         "gemeentecode": "GM0917", "gemeentenaam": "Heerlen"},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs=RD,
    )  # fmt: skip
    boundary = apply_profile("cbs", wijken, "boundary", {"level": "wijk"}, where="f")
    assert boundary.loc[0, ["name", "code"]].tolist() == ["Heerlen", "GM0917"]
    assert boundary.area.sum() == pytest.approx(20_000)


def test_nnn_limburg_reads_the_zone_from_the_description(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"OMSCHRIJVING": ["Goudgroene natuurzone", "Zilvergroene natuurzone", "Bronsgroene landschapszone"]},
        geometry=[box(i * 100, 0, i * 100 + 50, 50) for i in range(3)],
        crs=RD,
    )
    nnn = apply_profile("nnn_limburg", gdf, "nnn", {}, where="f")
    assert nnn["zone"].tolist() == ["goudgroen", "zilvergroen"]
    assert nnn.attrs["profile"]["notes"] == ["1 feature(s) name neither zone and were dropped"]


IMAER = """<?xml version="1.0" encoding="UTF-8"?>
<imaer:FeatureCollectionCalculator xmlns:imaer="http://imaer.aerius.nl/6.0" xmlns:gml="http://www.opengis.net/gml/3.2">
  <imaer:featureMember><imaer:ReceptorPoint receptorPointId="4711" gml:id="RP.1">
    <imaer:GM_Point><gml:Point><gml:pos>196500 321500</gml:pos></gml:Point></imaer:GM_Point>
    <imaer:result><imaer:CalculationResult resultType="DEPOSITION" substance="NH3"><imaer:value>0.30</imaer:value>
    </imaer:CalculationResult></imaer:result>
    <imaer:result><imaer:CalculationResult resultType="DEPOSITION" substance="NOX"><imaer:value>0.12</imaer:value>
    </imaer:CalculationResult></imaer:result>
  </imaer:ReceptorPoint></imaer:featureMember>
  <imaer:featureMember><imaer:ReceptorPoint receptorPointId="4712" gml:id="RP.2">
    <imaer:GM_Point><gml:Point><gml:pos>199000 321500</gml:pos></gml:Point></imaer:GM_Point>
    <imaer:result><imaer:CalculationResult resultType="DEPOSITION" substance="NH3"><imaer:value>0.05</imaer:value>
    </imaer:CalculationResult></imaer:result>
  </imaer:ReceptorPoint></imaer:featureMember>
  <imaer:featureMember><imaer:CalculationPoint gml:id="CP.1">
    <imaer:GM_Point><gml:Point><gml:pos>197000 321000</gml:pos></gml:Point></imaer:GM_Point>
    <imaer:result><imaer:CalculationResult resultType="DEPOSITION" substance="NOX"><imaer:value>1.5</imaer:value>
    </imaer:CalculationResult></imaer:result>
    <imaer:label>EX-beitel-01</imaer:label>
  </imaer:CalculationPoint></imaer:featureMember>
</imaer:FeatureCollectionCalculator>
"""


def test_aerius_export_per_site_label_and_per_receptor(tmp_path: Path) -> None:
    path = tmp_path / "aerius.gml"
    path.write_text(IMAER)
    points = read_imaer(path)
    receptor = points.set_index("point_id").loc["4711", "deposition_mol_ha_yr"]
    assert receptor == pytest.approx(0.42)  # NH3 + NOX
    by_label = deposition_per_site_label(points)
    assert by_label.to_dict("records") == [{"site_id": "EX-beitel-01", "deposition_mol_ha_yr": 1.5}]
    sites = gpd.GeoDataFrame(
        {"site_id": ["A", "B"]}, geometry=[box(196400, 321400, 196600, 321600), box(200000, 0, 200100, 100)], crs=RD
    )
    table = deposition_by_site(points, sites).set_index("site_id")["deposition_mol_ha_yr"]
    assert table["A"] == pytest.approx(0.42)  # receptor inside
    assert table["B"] == pytest.approx(0.05)  # nearest receptor (4712)


def test_every_profile_names_its_documentation() -> None:
    for profile in PROFILES.values():
        assert profile.documentation and profile.dataset
        assert profile.layer in {"roads", "residential", "parks", "natura2000", "nnn", "boundary", "stations"}


def test_a_file_without_a_boundary_layer_gives_none() -> None:
    assert "boundary" not in load_layers(LayerSettings(default_path=HEERLEN_DIR / "layers.gpkg"))
