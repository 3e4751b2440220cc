"""Council-grade outputs: labels that do not overlap, QGIS styles, both languages, the answer first."""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from mca.app.i18n import LANGUAGES, Language
from mca.app.i18n.catalogue import MESSAGES, NAMED
from mca.app.reports import cartography, maps
from mca.app.reports.geopackage import geopackage_layers, write_geopackage
from mca.app.reports.html import render_html


def _overlaps(fig: Figure) -> list[tuple[int, int]]:
    boxes = cartography.label_boxes(fig)
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


@pytest.fixture
def english(make_run_result, tmp_path: Path):
    result = make_run_result(tmp_path / "inputs")
    result.scenario["outputs"]["language"] = "en"
    return result


def test_placed_labels_never_overlap_even_when_anchors_coincide(english):
    fig, ax, placer = cartography.map_figure(english, Language("en"), "test")
    x, y = english.sites.geometry.iloc[0].representative_point().coords[0]
    for number in range(1, 41):
        cartography.marker(ax, placer, (x + number, y), number)
    cartography.place_park_names(ax, placer, english)
    assert len(cartography.label_boxes(fig)) >= 40
    assert _overlaps(fig) == []


@pytest.mark.parametrize("draw", [maps.suitability_map, maps.exclusions_map, maps.allocation_map, maps.answer_map])
def test_map_labels_do_not_overlap(draw, english, tmp_path: Path, monkeypatch):
    figures: list[Figure] = []
    monkeypatch.setattr(maps, "save", lambda fig, path: figures.append(fig))
    draw(english, tmp_path / "map.png", Language("en"))
    (fig,) = figures
    assert cartography.label_boxes(fig), "the map numbers its sites"
    assert _overlaps(fig) == []


def test_nested_sites_get_separate_anchors(english):
    outer = english.sites.iloc[[2]].copy()
    inner = outer.copy()
    inner["geometry"] = outer.geometry.buffer(-50)
    both = pd.concat([outer, inner], ignore_index=True)
    (ax_, ay_), (bx, by) = cartography.anchors(both)
    assert not inner.geometry.iloc[0].contains(type(inner.geometry.iloc[0].centroid)(ax_, ay_))
    assert inner.geometry.iloc[0].contains(type(inner.geometry.iloc[0].centroid)(bx, by))


def test_every_geopackage_layer_has_a_qgis_style(english, tmp_path: Path):
    path = write_geopackage(english, tmp_path / "out.gpkg")
    with sqlite3.connect(path) as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault = 1").fetchall())
    assert set(styles) == set(geopackage_layers(english))
    renderers = {name: ET.fromstring(qml.split(">", 1)[1]).find("renderer-v2") for name, qml in styles.items()}
    assert renderers["candidate_sites"].get("type") == "graduatedSymbol"
    assert renderers["candidate_sites"].get("attr") == "score"
    assert renderers["allocation"].get("type") == "categorizedSymbol"
    assert {c.get("value") for c in renderers["allocation"].iter("category")} == {"wholesale_logistics", "production"}
    assert renderers["exclusions"].get("attr") == "excluded_all"


def test_catalogue_has_both_languages_and_no_empty_label():
    assert LANGUAGES == ("en", "nl")
    for key, labels in MESSAGES.items():
        assert len(labels) == 2 and all(label.strip() for label in labels), key
        fields = [set(re.findall(r"{(\w+)}", label)) for label in labels]
        assert fields[0] == fields[1], key
    assert all(len(labels) == 2 for group in NAMED.values() for labels in group.values())


def test_numbers_follow_the_language():
    assert Language("nl").ha(1234.56) == "1.234,6 ha"
    assert Language("en").ha(1234.56) == "1,234.6 ha"
    assert Language("nl").percent(0.125, 1) == "12,5%"
    assert Language("en").number(None) == "–"


@pytest.mark.parametrize("code", LANGUAGES)
def test_report_opens_with_the_allocated_sites_and_their_hectares(english, code):
    english.scenario["outputs"]["language"] = code
    html = render_html(english, {})
    answer = html[html.index('id="answer"') : html.index('id="ranking"')]
    by_site = english.allocation.groupby("site_id")["hectares"].sum()
    names = english.sites.set_index("site_id")["name"]
    for site_id, hectares in by_site.items():
        assert names[site_id] in answer
        assert Language(code).ha(hectares) in answer
    assert "None" not in html and "PosixPath" not in html and "<NA>" not in html
    assert f'<html lang="{code}">' in html


def test_excluded_sites_get_no_rank_in_the_report(english):
    html = render_html(english, {})
    ranking = html[html.index('id="ranking"') : html.index('id="allocation"')]
    ranked_part = ranking.split("<details>")[0]
    assert "Heide-Zuid" not in ranked_part and "Beekdal-rand" not in ranked_part


def test_report_warns_about_candidate_sites_laid_over_one_another(english):
    english.sites.loc[english.sites["site_id"] == "S6", "geometry"] = box(196700, 320100, 196900, 320400)
    html = render_html(english, {})
    assert "Overlapping candidate sites" in html and "Beekdal-rand" in html.split("Overlapping candidate sites")[1]


def test_a_zoomed_extent_holds_its_sites_and_is_shared_by_nearby_ones() -> None:
    """The answer map's extent contains the sites with a margin, at the aspect asked, and a 30 m shift keeps it."""

    def extent(shift: float) -> tuple[float, float, float, float]:
        sites = gpd.GeoDataFrame(geometry=[box(100030 + shift, 400000, 101030 + shift, 400800)], crs="EPSG:28992")
        return cartography.focus_extent(sites, aspect=1.5)

    xmin, ymin, xmax, ymax = extent(0.0)
    assert xmin < 100030 - 300 and xmax > 101030 + 300 and ymin < 400000 - 300 and ymax > 400800 + 300
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(1.5) and (xmax - xmin) % cartography.FOCUS_STEP_M == 0
    assert extent(30.0) == extent(0.0)
