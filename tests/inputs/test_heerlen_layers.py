"""The bundled real-geometry layers data/heerlen/heerlen.gpkg (loaded explicitly)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from mca.core.paths import HEERLEN_DIR
from mca.inputs.layers import LAYER_SCHEMA, LayerSettings, layer_status, load_layers, schematic_notice

HEERLEN_GPKG = HEERLEN_DIR / "heerlen.gpkg"


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    """heerlen.gpkg read as a scenario would read it (municipality Heerlen)."""
    return load_layers(LayerSettings(default_path=HEERLEN_GPKG))


def test_every_layer_says_real_or_schematic(layers: dict[str, gpd.GeoDataFrame]) -> None:
    status = {name: layer_status(gdf) for name, gdf in layers.items()}
    assert {name for name, s in status.items() if s["status"] == "real"} == {"natura2000", "boundary", "stations"}
    assert {name for name, s in status.items() if s["status"] == "schematic"} == {
        "parks", "roads", "junctions", "residential", "nnn"
    }  # fmt: skip
    for name in ("natura2000", "boundary", "stations"):
        assert status[name]["source"] and status[name]["date"] and status[name]["licence"], name
    assert "ODbL" in status["stations"]["licence"]
    notice = schematic_notice(layers)
    assert notice is not None
    assert "junctions, nnn, parks, residential, roads" in notice and "natura2000" not in notice


def test_boundary_is_heerlen_with_the_cbs_area(layers: dict[str, gpd.GeoDataFrame]) -> None:
    boundary = layers["boundary"]
    assert boundary["name"].tolist() == ["Heerlen"]
    assert boundary["code"].tolist() == ["GM0917"]
    assert boundary.area.sum() / 1e6 == pytest.approx(45.55, abs=0.01)  # CBS: 45.55 km²


def test_parks_keep_the_source_gross_area_inside_heerlen(layers: dict[str, gpd.GeoDataFrame], parks) -> None:
    polygons = layers["parks"].set_index("park_id")
    assert set(polygons.index) == set(parks.index)
    gross = pd.Series(parks["gross_ha"], dtype=float)
    assert (polygons.area / 10_000).sort_index().to_numpy() == pytest.approx(gross.sort_index().to_numpy(), rel=1e-4)
    heerlen = layers["boundary"].geometry.iloc[0]
    assert polygons.geometry.within(heerlen.buffer(0.01)).all()
    pairs = [(a, b) for a in polygons.index for b in polygons.index if a < b]
    assert all(polygons.geometry[a].intersection(polygons.geometry[b]).area < 1.0 for a, b in pairs)


def test_parks_lie_at_their_real_stops(layers: dict[str, gpd.GeoDataFrame]) -> None:
    stops = gpd.read_file(HEERLEN_DIR / "real" / "business_park_stops.geojson").to_crs("EPSG:28992")
    polygons = layers["parks"].set_index("park_id").geometry
    for park_id, word in (("avantis", "Avantis"), ("trilandis", "Trilandis"), ("de-koumen", "Koumen"),
                          ("coriopolis", "Coriopolis"), ("nieuw-einde", "Nieuw Einde")):  # fmt: skip
        stop = stops[stops["name"].str.contains(word)].geometry
        assert stop.distance(polygons[park_id]).min() < 400, park_id


def test_real_layers_and_schema(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert set(LAYER_SCHEMA) <= set(layers)
    natura = set(layers["natura2000"]["name"])
    assert {"Brunssummerheide", "Geleenbeekdal", "Kunderberg", "Geuldal"} <= natura
    rail = layers["stations"][layers["stations"]["kind"] == "rail"]
    assert {"Heerlen", "Heerlen Woonboulevard", "Hoensbroek", "Heerlen de Kissel"} <= set(rail["name"])
    roads = layers["roads"]
    assert {"A76", "N281", "Buitenring Parkstad (N300)"} <= set(roads["name"])


def test_expansion_sites_stay_inside_the_municipality(layers: dict[str, gpd.GeoDataFrame], parks) -> None:
    from candidates import build_candidates
    from candidates.settings import CandidateSettings

    heerlen = layers["boundary"].geometry.iloc[0].buffer(0.01)
    inside = build_candidates(layers, parks, CandidateSettings())
    expansion = inside[inside["kind"] == "expansion"]
    assert len(expansion) and expansion.geometry.within(heerlen).all()
    anywhere = build_candidates(layers, parks, CandidateSettings(expansion_within_boundary=False))
    outside = anywhere[(anywhere["kind"] == "expansion") & ~anywhere.geometry.within(heerlen)]
    assert len(outside)  # Avantis and Coriopolis grow across the border without the setting
