"""Grid mode: cells of a region, removal of layers, aggregation to connected sites up to a plot size."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from scipy.sparse.csgraph import connected_components
from shapely.geometry import box

from candidates import CandidateSettings, build_candidates
from candidates.grid import aggregate_cells, cell_centres, grid_sites, region_cells
from mca.core.paths import HEERLEN_DIR, SCENARIO_DIR

CRS = "EPSG:28992"


def _layer(geometries: list[shapely.Geometry], **columns: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geometries, crs=CRS)


def _is_connected(row: np.ndarray, col: np.ndarray) -> bool:
    """Whether the cells form one 4-connected piece (brute force on the pairs)."""
    near = (np.abs(row[:, None] - row[None, :]) + np.abs(col[:, None] - col[None, :])) == 1
    return connected_components(near, directed=False)[0] == 1


def test_cell_centres_lie_on_the_aligned_grid() -> None:
    row, _col, x, y = cell_centres((180_030.0, 310_010.0, 180_290.0, 310_180.0), 100.0)
    assert len(row) == 3 * 2  # x 180,000-180,300; y 310,000-310,200
    assert np.all((x - 50) % 100 == 0) and np.all((y - 50) % 100 == 0)
    assert y[row == 0].min() > y[row == 1].max()  # row 0 is the northern row


@pytest.mark.parametrize("max_cells", [1, 4, 9, 25])
def test_aggregated_sites_are_connected_and_within_the_plot_size(max_cells: int) -> None:
    rng = np.random.default_rng(3)
    mask = rng.uniform(size=(40, 50)) < 0.6
    row, col = np.nonzero(mask)
    label = aggregate_cells(row, col, max_cells)
    sizes = np.bincount(label)
    assert sizes.max() <= max_cells
    for site in range(len(sizes)):
        assert _is_connected(row[label == site], col[label == site])
    # labels follow the first cell in row-major order
    first = pd.Series(np.arange(len(label))).groupby(label).min().to_numpy()
    assert np.all(np.diff(first) > 0)
    # without a block limit the sites are exactly the connected components
    whole = aggregate_cells(row, col, max_cells=len(row) ** 2)
    near = (np.abs(row[:, None] - row[None, :]) + np.abs(col[:, None] - col[None, :])) == 1
    assert len(np.unique(whole)) == connected_components(near, directed=False)[0]


def test_keys_split_sites_and_input_order_does_not_matter() -> None:
    row, col = np.divmod(np.arange(36), 6)
    keys = (col >= 3).astype(int)
    label = aggregate_cells(row, col, 36, keys=keys)
    assert len(np.unique(label)) == 2
    assert set(label[keys == 0]) & set(label[keys == 1]) == set()
    shuffled = np.random.default_rng(0).permutation(36)
    again = aggregate_cells(row[shuffled], col[shuffled], 36, keys=keys[shuffled])
    assert np.array_equal(again, label[shuffled])


def test_grid_sites_on_a_boundary_built_here() -> None:
    """A 1 km square with a park (4 ha) and a built-up block (6 ha): 90 of 100 cells stay."""
    x0, y0 = 190_000.0, 320_000.0
    layers = {
        "boundary": _layer([box(x0, y0, x0 + 1000, y0 + 1000)], name=["Test"]),
        "parks": _layer([box(x0, y0, x0 + 200, y0 + 200)], park_id=["p1"], name=["Park"]),
        "residential": _layer([box(x0 + 700, y0 + 700, x0 + 1000, y0 + 900)], kind=["dwellings"]),
        "natura2000": _layer([box(x0 - 5000, y0, x0 - 4000, y0 + 100)], name=["far away"]),
    }
    parks = pd.DataFrame({"name": ["Park"], "profile": ["regulier"]}, index=pd.Index(["p1"], name="park_id"))
    settings = CandidateSettings(grid={"cell_m": 100, "within": "boundary", "plot_ha": 9, "min_site_ha": 0})
    _, _, boxes = region_cells(layers["boundary"].geometry.values, np.array([]), 100.0)
    assert len(boxes) == 100
    sites = grid_sites(layers, parks, settings)
    assert sites["area_ha"].sum() == pytest.approx(90.0)
    assert sites["area_ha"].max() <= 9.0 + 1e-9
    assert sites["capacity_ha"].to_numpy() == pytest.approx(sites["area_ha"].to_numpy() * settings.net_to_gross)
    removed = shapely.union_all([layers["parks"].geometry[0], layers["residential"].geometry[0]])
    assert shapely.area(shapely.intersection(sites.geometry.values, removed)).max() < 1.0
    assert sites["site_id"].is_unique and (sites["park"] == "p1").all()
    only_grid = {"include_available_plots": False, "include_intensification": False, "include_expansion": False}
    built = build_candidates(layers, parks, settings.model_copy(update=only_grid))
    assert list(built["site_id"]) == list(sites["site_id"])  # the registry runs the grid source
    assert (built["kind"] == "expansion").all()


def test_heerlen_grid_mode_end_to_end(tmp_path: Path) -> None:
    """The real Heerlen boundary at 100 m (about 4,550 cells) through every stage and the allocation."""
    from mca.app.pipeline import run_scenario
    from mca.app.scenario import load_scenario

    gpkg = HEERLEN_DIR / "heerlen.gpkg"
    boundary = gpd.read_file(gpkg, layer="boundary")
    heerlen = boundary[boundary["name"] == "Heerlen"].geometry.values
    _, _, cells = region_cells(np.asarray(heerlen), np.array([]), 100.0)
    assert len(cells) == pytest.approx(heerlen.area.sum() / 10_000, rel=0.02)
    scenario = tmp_path / "grid.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "extends": str(SCENARIO_DIR / "heerlen_base.yaml"),
                "name": "heerlen_grid",
                "layers": {"default_path": str(gpkg)},
                "candidates": {"include_expansion": False, "grid": {"cell_m": 100, "within": "boundary"}},
                "outputs": {"robustness": False},
            }
        )
    )
    result = run_scenario(load_scenario(scenario))
    grid = result.sites[result.sites["site_id"].str.startswith("GR-")]
    assert len(grid) > 50
    assert grid["area_ha"].sum() < len(cells)  # parks, built-up land and Natura 2000 removed
    assert grid["area_ha"].max() <= 25.0 + 1e-9
    placed = result.allocation["hectares"].sum()
    assert placed > 0
    assert placed + result.shortfall["hectares"].sum() >= result.segments["hectares"].sum() - 1e-6
