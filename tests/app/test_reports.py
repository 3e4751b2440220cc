"""The output writers of one run, on the hand-made RunResult of tests/conftest_reports.py."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from mca.app.i18n import Language
from mca.app.reports import WRITERS, OutputWriter, RunFolder, build_manifest, write_all
from mca.app.reports.html import render_html
from mca.app.reports.maps import format_distance, period_labels, scale_bar_length
from mca.app.reports.tables import flatten_value, safe_filename
from mca.core.errors import DataError
from mca.core.registry import RegistrationError

STEM = "base_case_test"
EXPECTED_FILES = [
    "ranking.csv",
    "allocation.csv",
    "exclusions.csv",
    "demand_segments.csv",
    "decision_matrix.csv",
    f"{STEM}.xlsx",
    f"{STEM}.gpkg",
    "map_answer.png",
    "map_allocation.png",
    "map_suitability.png",
    "map_exclusions.png",
    "map_criteria.png",
    "chart_demand.png",
    "chart_allocation.png",
    "chart_acceptability.png",
    "chart_stability.png",
    "S4.html",  # fact sheets: allocated sites by hectares, then the top of the ranking
    "S2.html",
    "S3.html",
    "S1.html",
    "report.html",
    "manifest.json",
    "timings.json",
]
HASHED_FILES = EXPECTED_FILES[: EXPECTED_FILES.index("manifest.json")]
"""The files the manifest lists: all but itself and the (unhashed) timings."""
CSV_FILES = ["ranking.csv", "allocation.csv", "exclusions.csv", "demand_segments.csv"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, make_run_result) -> dict[str, object]:
    """The fixture result written twice, into two different folders."""
    base = tmp_path_factory.mktemp("reports")
    result = make_run_result(base / "inputs")
    result.scenario["outputs"]["language"] = "en"
    messages: list[str] = []
    first = write_all(result, base / "run_a", progress=messages.append)
    second = write_all(result, base / "run_b")
    return {
        "result": result,
        "a": first,
        "b": second,
        "dir_a": base / "run_a",
        "dir_b": base / "run_b",
        "messages": messages,
    }


def test_every_file_is_written_in_a_fixed_order_and_non_empty(runs):
    files = runs["a"]
    assert [p.name for p in files] == EXPECTED_FILES
    assert [p.name for p in runs["b"]] == EXPECTED_FILES
    assert all(p.parent in (runs["dir_a"], runs["dir_a"] / "sites") and p.stat().st_size > 0 for p in files)
    written = sorted(str(p.relative_to(runs["dir_a"])) for p in runs["dir_a"].rglob("*") if p.is_file())
    assert written == sorted(f"sites/{n}" if n.startswith("S") else n for n in EXPECTED_FILES)
    assert len(runs["messages"]) == 9  # a line per writer, the completed report, the manifest


def test_csv_outputs_are_byte_identical_across_runs(runs):
    for name in CSV_FILES:
        first = (runs["dir_a"] / name).read_bytes()
        assert first == (runs["dir_b"] / name).read_bytes(), name
        assert b"\r" not in first


def test_ranking_csv_lists_ranked_sites_by_rank_then_excluded_by_id(runs):
    ranking = pd.read_csv(runs["dir_a"] / "ranking.csv", keep_default_na=False)
    assert list(ranking.columns) == [
        "site_id",
        "name",
        "kind",
        "park",
        "rank",
        "score",
        "excluded",
        "exclusion_reasons",
        "contrib_adjacency",
        "contrib_road_headroom",
        "vs_adjacency",
        "vs_road_headroom",
    ]
    assert ranking["site_id"].tolist() == ["S4", "S1", "S2", "S3", "S5", "S6"]
    assert ranking["rank"].tolist() == ["1", "2", "3", "4", "", ""]
    assert ranking.loc[5, "exclusion_reasons"] == ("inside NNN (goudgroen); nitrogen deposition above threshold")


def test_other_csvs_hold_the_fixture_rows_sorted(runs):
    allocation = pd.read_csv(runs["dir_a"] / "allocation.csv")
    assert allocation["hectares"].sum() == pytest.approx(11.7)
    keys = list(zip(allocation.site_id, allocation.sector, allocation.size_class, allocation.period.astype(str)))
    assert keys == sorted(keys)
    assert allocation.loc[allocation.site_id == "S4", "park"].tolist() == ["de-koumen"]
    segments = pd.read_csv(runs["dir_a"] / "demand_segments.csv")
    assert segments["hectares"].sum() == pytest.approx(18.0)
    exclusions = pd.read_csv(runs["dir_a"] / "exclusions.csv")
    assert exclusions["site_id"].tolist() == ["S3", "S5", "S6", "S6"]


def test_workbook_has_formatted_sheets(runs):
    book = load_workbook(runs["dir_a"] / f"{STEM}.xlsx")
    assert book.sheetnames == [
        "summary",
        "ranking",
        "allocation",
        "demand",
        "shortfall",
        "exclusions",
        "decision matrix",
        "robustness",
        "assumptions",
    ]
    ranking = book["ranking"]
    header = [c.value for c in ranking[1]]
    assert header[:6] == ["site", "name", "kind", "park", "rank", "score"]
    assert all(c.font.bold for c in ranking[1])
    assert ranking.freeze_panes == "A2"
    assert ranking.auto_filter.ref == ranking.dimensions
    assert ranking.cell(row=2, column=header.index("score") + 1).number_format == "0.000"
    allocation = book["allocation"]
    allocation_header = [c.value for c in allocation[1]]
    hectares = allocation.cell(row=2, column=allocation_header.index("hectares (ha)") + 1)
    assert hectares.number_format == "#,##0.0" and isinstance(hectares.value, float)
    assert [c.value for c in book["demand"][1]] == ["sector", "plot size", "up to 2030 (ha)", "2031–2040 (ha)", "total"]
    assert [c.value for c in book["exclusions"][1]][:2] == ["site", "name"]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["demand (ha)"] == pytest.approx(18.0) and summary["candidate sites"] == 6
    assert not any(str(label).split()[0] == str(label).split()[-1] for label in summary if " " in str(label))
    robustness = list(book["robustness"].iter_rows(values_only=True))
    assert robustness[0][:4] == ("criterion", "weight", "lowest weight", "highest weight")
    assumptions = book["assumptions"]
    assert [c.value for c in assumptions[1]] == ["setting", "value", "basis"]
    bases = {row[0]: row[2] for row in assumptions.iter_rows(min_row=2, values_only=True)}
    assert bases["demand Parkstad 2030 (WLO hoog)"] == "001, Tabel 10"
    assert bases["Heerlen share of Parkstad demand"] == "assumption"


def test_geopackage_layers_read_back_in_rd_new(runs):
    path = runs["dir_a"] / f"{STEM}.gpkg"
    layers = dict(pyogrio.list_layers(path))
    expected_rows = {
        "candidate_sites": 6,
        "allocation": 4,
        "exclusions": 3,
        "parks": 2,
        "natura2000": 1,
        "nnn": 1,
        "roads": 3,
    }
    assert set(layers) == {*expected_rows, "layer_styles"}
    for name, rows in expected_rows.items():
        frame = gpd.read_file(path, layer=name)
        assert frame.crs.to_epsg() == 28992, name
        assert len(frame) == rows, name
    sites = gpd.read_file(path, layer="candidate_sites")
    assert sites.set_index("site_id").loc["S6", "exclusion_reasons"] == (
        "inside NNN (goudgroen); nitrogen deposition above threshold"
    )
    assert sites["excluded"].sum() == 2
    assert pyogrio.read_info(path, layer="candidate_sites")["dtypes"][list(sites.columns).index("rank")] == "int64"
    allocation = gpd.read_file(path, layer="allocation").set_index("site_id")
    assert allocation["allocated_ha"].sum() == pytest.approx(11.7)
    assert (allocation["ha_2030"] + allocation["ha_2040"]).tolist() == pytest.approx(
        allocation["allocated_ha"].tolist()
    )
    assert allocation.loc["S2", "main_sector"] == "production"
    assert allocation.loc["S4", "ha_wholesale_logistics"] == pytest.approx(6.0)


def test_html_is_self_contained(runs):
    html = (runs["dir_a"] / "report.html").read_text(encoding="utf-8")
    assert re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", html, re.IGNORECASE) is None
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", html)
    assert len(sources) == 9
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<link" not in html and "<script" not in html


def test_html_escapes_user_text_and_shows_the_tables(runs):
    html = (runs["dir_a"] / "report.html").read_text(encoding="utf-8")
    assert "base case &lt;test&gt;" in html and "<test>" not in html
    assert "Test scenario &amp; fixture" in html
    assert "001, Tabel 10" in html
    assert "no site with 5 ha contiguous capacity left" in html
    assert "Koumen-Oost expansion" in html and "inside Natura 2000 (Brunssummerheide)" in html
    assert "55%" in html  # acceptability of S4 at rank 1


def test_schematic_notice_only_when_schematic(tmp_path: Path, make_run_result):
    schematic = render_html(make_run_result(tmp_path / "a", schematic=True), {})
    real = render_html(make_run_result(tmp_path / "b", schematic=False), {})
    assert "Schematische data" in schematic
    assert "Schematische" not in real and "Schematic" not in real


def test_html_has_no_wall_clock_time(tmp_path: Path, make_run_result):
    result = make_run_result(tmp_path)
    assert render_html(result, {}) == render_html(result, {})
    result.acceptability = None
    result.ranking = result.ranking.iloc[0:0]
    assert "Er is geen robuustheidsanalyse gedaan." in render_html(result, {})


def test_manifest_hashes_every_other_output(runs):
    manifest = json.loads((runs["dir_a"] / "manifest.json").read_text(encoding="utf-8"))
    outputs = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    assert sorted(Path(path).name for path in outputs) == sorted(HASHED_FILES)
    assert {path for path in outputs if path.endswith(".html") and path != "report.html"} == {
        f"sites/{name}" for name in ("S1.html", "S2.html", "S3.html", "S4.html")
    }  # paths relative to the run folder
    for path, digest in outputs.items():
        assert hashlib.sha256((runs["dir_a"] / path).read_bytes()).hexdigest() == digest
    result = runs["result"]
    inputs = {Path(e["path"]).name: e["sha256"] for e in manifest["inputs"]}
    assert inputs == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in result.input_files}
    assert manifest["scenario_name"] == result.scenario_name
    assert manifest["solver"]["status"] == "Optimal" and manifest["solver"]["gap"] == 0.0
    assert manifest["parameters"]["outputs"]["dir"] == str(result.scenario["outputs"]["dir"])
    assert {
        "mca-sites",
        "python",
        "numpy",
        "pandas",
        "geopandas",
        "shapely",
        "pyproj",
        "pulp",
        "highspy",
        "scikit-criteria",
        "pydantic",
    } <= set(manifest["packages"])
    assert {"timestamp", "timestamp_basis"} <= set(manifest) and "created_at" not in manifest
    text = (runs["dir_a"] / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(manifest, sort_keys=True, indent=2) + "\n"


def test_manifest_refuses_a_missing_input_file(tmp_path: Path, make_run_result):
    result = make_run_result(tmp_path)
    result.input_files.append(tmp_path / "gone.gpkg")
    with pytest.raises(DataError, match=r"gone\.gpkg"):
        build_manifest(result, [])


def test_empty_allocation_still_writes_every_output(tmp_path: Path, make_run_result):
    result = make_run_result(tmp_path / "inputs")
    result.allocation = result.allocation.iloc[0:0]
    files = write_all(result, tmp_path / "out")
    sheets = ["S4.html", "S1.html", "S2.html", "S3.html"]  # no site is allocated: the top of the ranking
    assert [p.name for p in files] == [n for n in EXPECTED_FILES if not n.startswith("S")][
        :-3
    ] + sheets + EXPECTED_FILES[-3:]
    assert len(gpd.read_file(tmp_path / "out" / f"{STEM}.gpkg", layer="allocation")) == 0
    assert "op 0 locaties" in (tmp_path / "out" / "report.html").read_text("utf-8")


@given(st.floats(min_value=1.0, max_value=1e7, allow_nan=False))
def test_scale_bar_is_a_round_length_near_a_fifth_of_the_map(width: float):
    length = scale_bar_length(width)
    mantissa = length / 10 ** math.floor(math.log10(length))
    assert round(mantissa, 9) in (1.0, 2.0, 5.0)
    assert length <= width / 5 * (1 + 1e-12)
    assert length > width / 5 / 2.5  # the next round length up would be too long


def test_distance_labels_and_period_labels():
    assert format_distance(500) == "500 m"
    assert format_distance(1500) == "1.5 km"
    assert period_labels(["2030", "2040"]) == ["up to 2030", "2031–2040"]
    assert period_labels(["2030", "2040"], Language("nl")) == ["tot en met 2030", "2031–2040"]


def test_cells_and_names_are_made_safe():
    assert flatten_value(["a", "b"]) == "a; b"
    assert flatten_value({"b", "a"}) == "a; b"
    assert flatten_value({"k": 1}) == '{"k": 1}'
    assert flatten_value(2.5) == 2.5
    assert safe_filename("base case <test>") == "base_case_test"
    assert safe_filename("///") == "scenario"


def _file_list(folder: RunFolder) -> list[Path]:
    """A throwaway writer: ``{stem}_files.txt`` listing the files the writers before it wrote."""
    path = folder.path("{stem}_files.txt")
    names = [p.name for paths in folder.written.values() for p in paths]
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return [path]


FILE_LIST = OutputWriter(name="file_list_test", files="{stem}_files.txt", write=_file_list)


def test_writers_are_registered_in_writing_order():
    assert WRITERS.names() == ("csv", "decision_matrix", "excel", "geopackage", "maps", "factsheets", "html")


@pytest.mark.parametrize(
    ("writer", "message"),
    [
        (OutputWriter(name="manifest", files="manifest.json", write=_file_list), "reserved"),
        (OutputWriter(name="maps", files="x.png", write=_file_list), "'maps' is already taken"),
        (OutputWriter(name="Notes", files="notes.txt", write=_file_list), "must match"),
        (OutputWriter(name="notes", files=" ", write=_file_list), "files must say"),
        (OutputWriter(name="notes", files="notes.txt", write="notes.txt"), "write must be a function"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_writer_is_refused_at_registration(writer, message):
    with pytest.raises(RegistrationError, match=f"cannot register output writer .*{message}"):
        WRITERS.register(writer)
    assert len(WRITERS) == 7


def test_an_extra_writer_writes_inside_the_run_folder_before_the_manifest(tmp_path: Path, make_run_result):
    result = make_run_result(tmp_path / "inputs")
    messages: list[str] = []
    with WRITERS.registered(FILE_LIST):
        files = write_all(result, tmp_path / "out", progress=messages.append)
    extra = f"{STEM}_files.txt"
    assert [p.name for p in files] == [*HASHED_FILES, extra, "manifest.json", "timings.json"]
    assert (tmp_path / "out" / extra).read_text(encoding="utf-8").split() == HASHED_FILES
    assert f"writing {extra}" in messages
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    assert listed[extra] == hashlib.sha256((tmp_path / "out" / extra).read_bytes()).hexdigest()
    assert "file_list_test" not in WRITERS


def test_a_writer_may_not_write_outside_the_run_folder(tmp_path: Path, make_run_result):
    def outside(folder: RunFolder) -> list[Path]:
        path = folder.out_dir.parent / "stray.txt"
        path.write_text("stray\n", encoding="utf-8")
        return [path]

    result = make_run_result(tmp_path / "inputs")
    stray = OutputWriter(name="stray_test", files="../stray.txt", write=outside)
    with (
        WRITERS.registered(stray),
        pytest.raises(TypeError, match=r"writer 'stray_test' gave .*stray\.txt, not a file"),
    ):
        write_all(result, tmp_path / "out")
    assert not (tmp_path / "out" / "manifest.json").exists()
