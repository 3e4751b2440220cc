"""Grid mode: candidate sites from square cells of a region, aggregated to connected sites.

``candidates: grid: {cell_m: 100, within: boundary}`` lays a grid of ``cell_m`` cells aligned to
multiples of ``cell_m`` in RD New over the polygons of the ``within`` layer (cells whose centre
lies inside), drops the cells that overlap the ``remove_layers`` (and the removed NNN zones),
and joins the remaining cells into sites: the connected components of cells (4-neighbours)
within square blocks of about ``plot_ha`` (so no site exceeds the plot size), numbered from
north-west to south-east. The criteria, the ranking and the integer program then work on these
sites, so the allocation never sees millions of cells (`aggregate_cells` works on plain arrays
and serves the national raster benchmark too).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from candidates.base import CandidateSource
from candidates.schema import CRS, empty_candidates, new_ground_row, park_attributes, park_polygons
from candidates.settings import CandidateSettings, GridSettings
from mca.core.errors import DataError
from mca.core.vocabulary import EXPANSION

HA = 10_000.0
SLIVER_M2 = 1.0
"""A cell overlapping a removed layer by at most this much (touching edges, slivers) stays (assumption)."""


def cell_centres(bounds: tuple[float, float, float, float], cell_m: float) -> tuple[np.ndarray, ...]:
    """Row, column and centre x, y of every cell covering ``bounds``; row 0 is the northern row.

    Cell edges lie on multiples of ``cell_m``, so grids of different regions line up.
    """
    xmin, ymin, xmax, ymax = bounds
    x0, y_top = math.floor(xmin / cell_m) * cell_m, math.ceil(ymax / cell_m) * cell_m
    n_cols = max(1, math.ceil((xmax - x0) / cell_m))
    n_rows = max(1, math.ceil((y_top - ymin) / cell_m))
    row, col = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    return row, col, x0 + (col + 0.5) * cell_m, y_top - (row + 0.5) * cell_m


def region_cells(region: np.ndarray, removed: np.ndarray, cell_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and square polygons of the cells centred in ``region`` that overlap no ``removed`` geometry."""
    area = shapely.union_all(region)
    row, col, x, y = cell_centres(area.bounds, cell_m)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, x, y)
    row, col, x, y = row[inside], col[inside], x[inside], y[inside]
    half = cell_m / 2.0
    boxes = shapely.box(x - half, y - half, x + half, y + half)
    if len(removed) and len(boxes):
        cell_pos, feature_pos = shapely.STRtree(removed).query(boxes, predicate="intersects")
        overlap = shapely.area(shapely.intersection(boxes[cell_pos], removed[feature_pos]))
        drop = np.zeros(len(boxes), dtype=bool)
        drop[cell_pos[overlap > SLIVER_M2]] = True
        row, col, boxes = row[~drop], col[~drop], boxes[~drop]
    return row, col, boxes


def aggregate_cells(row: np.ndarray, col: np.ndarray, max_cells: int, keys: np.ndarray | None = None) -> np.ndarray:
    """Site label (0, 1, …) per cell: connected cells within blocks of at most ``max_cells`` cells.

    Two cells are connected when they are 4-neighbours, lie in the same square block of
    ``⌊√max_cells⌋`` cells a side, and (if given) have equal ``keys`` (e.g. the same set of
    compatible sectors). Labels follow the first cell of each site in row-major order.
    """
    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)
    n = len(row)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    side = max(1, math.isqrt(max(1, max_cells)))
    width = int(col.max()) + 2
    code = row * width + col
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    block = (row // side) * (width // side + 1) + col // side
    same_key = (lambda a, b: keys[a] == keys[b]) if keys is not None else (lambda a, b: np.ones(len(a), dtype=bool))
    sources, targets = [], []
    for step in (1, width):  # right neighbour, neighbour below
        found = np.searchsorted(sorted_code, code + step)
        found = found.clip(max=n - 1)
        neighbour = order[found]
        linked = (sorted_code[found] == code + step) & (block[neighbour] == block) & same_key(np.arange(n), neighbour)
        sources.append(np.flatnonzero(linked))
        targets.append(neighbour[linked])
    source, target = np.concatenate(sources), np.concatenate(targets)
    from scipy.sparse import coo_matrix  # lazily: every scenario load imports this module
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(source), dtype=np.int8), (source, target)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    first_seen = np.full(component.max() + 1, n, dtype=np.int64)
    np.minimum.at(first_seen, component[order], np.arange(n))
    renumber = np.empty_like(first_seen)
    renumber[np.argsort(first_seen, kind="stable")] = np.arange(len(first_seen))
    return renumber[component]


def _removed_geometries(layers: dict[str, gpd.GeoDataFrame], grid: GridSettings) -> np.ndarray:
    """The polygons no cell may overlap: the ``remove_layers`` and the removed NNN zones."""
    parts = []
    for name in grid.remove_layers:
        if name not in layers:
            raise DataError(f"grid mode removes layer '{name}', which is not loaded", source=name)
        parts.append(layers[name].geometry.values)
    if grid.remove_nnn_zones and "nnn" in layers:
        nnn = layers["nnn"]
        parts.append(nnn.geometry.values[nnn["zone"].astype(str).isin(grid.remove_nnn_zones).to_numpy()])
    return np.concatenate([np.asarray(p, dtype=object) for p in parts]) if parts else np.array([], dtype=object)


def grid_sites(
    layers: dict[str, gpd.GeoDataFrame], parks: pd.DataFrame, settings: CandidateSettings
) -> gpd.GeoDataFrame:
    """``expansion`` sites ``GR-NNNNN`` joined from the cells of the grid (see the module docstring).

    capacity_ha = area × net_to_gross (assumption), contiguous_ha = capacity_ha (a site is
    connected), available from ``expansion_available_from``; park and profile of the nearest park.
    """
    grid = settings.grid
    if grid is None:
        return empty_candidates()
    if grid.within not in layers:
        raise DataError(f"grid mode needs the '{grid.within}' layer (candidates.grid.within)", source=grid.within)
    region = np.asarray(layers[grid.within].geometry.values, dtype=object)
    row, col, boxes = region_cells(region, _removed_geometries(layers, grid), grid.cell_m)
    cell_ha = grid.cell_m**2 / HA
    label = aggregate_cells(row, col, max(1, math.floor(grid.plot_ha / cell_ha + 1e-9)))
    cells = gpd.GeoDataFrame({"site": label}, geometry=boxes, crs=CRS)
    sites = cells.dissolve(by="site").sort_index()
    sites["cells"] = np.bincount(label) if len(label) else []
    sites = sites[sites["cells"] * cell_ha >= grid.min_site_ha - 1e-9]
    return _site_table(sites, layers, parks, settings, cell_ha)


def _site_table(
    sites: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame],
    parks: pd.DataFrame,
    settings: CandidateSettings,
    cell_ha: float,
) -> gpd.GeoDataFrame:
    """The candidate table of the joined cells, in the schema of `candidates.schema`."""
    if sites.empty:
        return empty_candidates()
    polygons = park_polygons(layers["parks"])
    _, nearest = shapely.STRtree(polygons.values).query_nearest(sites.geometry.values, all_matches=False)
    grid = settings.grid
    assert grid is not None
    rows = []
    for number, (geometry, n_cells, park_pos) in enumerate(
        zip(sites.geometry.values, sites["cells"], nearest, strict=True), start=1
    ):
        park_id = str(polygons.index[park_pos])
        attributes = park_attributes(parks, park_id)
        rows.append(
            new_ground_row(
                (f"GR-{number:05d}", f"Grid site {number} ({n_cells} cells)"),
                park_id,
                geometry,
                float(n_cells) * cell_ha,
                attributes["profile"],
                settings,
                f"grid mode: {n_cells} cells of {grid.cell_m:g} m in layer '{grid.within}', minus "
                f"{', '.join(grid.remove_layers)}, joined up to {grid.plot_ha:g} ha (assumptions); "
                f"capacity = area × net/gross {settings.net_to_gross:g} (assumption)",
            )
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


SOURCE = CandidateSource(
    name="grid",
    kind=EXPANSION,
    prefix="GR",
    description="Grid mode: square cells of a region (candidates.grid), joined into connected sites up to a plot size.",
    build=lambda inputs: grid_sites(inputs.layers, inputs.parks, inputs.settings),
)
