"""Raster criteria: distance and overlay criteria on a grid of cells, as array operations.

For regions of millions of cells (a province, the Netherlands at 100 m: about 3.3 million land
cells) the per-site vector criteria are replaced by arrays over a `RasterGrid`:

- overlays by `rasterize`: a cell belongs to a polygon layer when its centre lies inside
  (scanline fill with the nonzero winding rule, all polygons of a layer at once);
- distances by `distance_to`: the Euclidean distance transform (`scipy.ndimage`) from the
  cells a layer covers, in metres between cell centres;
- scores by `linear_scores` (min–max value function per criterion, as the default linear value
  function of the scoring stage) and `weighted_overlay` (weighted sum, NaN where excluded).

Rows run from north to south, columns from west to east; cell edges lie on multiples of the
cell size in RD New (as in grid mode, `candidates.grid`). Straight-line distances stand in for
the road-network routes of the vector criteria at this scale (assumption).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely

Direction = Literal["max", "min"]


@dataclass(frozen=True)
class RasterGrid:
    """A grid of square cells: west edge ``x0``, north edge ``y_top``, cell side, rows × columns."""

    x0: float
    y_top: float
    cell_m: float
    shape: tuple[int, int]

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], cell_m: float) -> RasterGrid:
        """The smallest grid aligned to multiples of ``cell_m`` that covers ``bounds`` (xmin, ymin, xmax, ymax)."""
        xmin, ymin, xmax, ymax = bounds
        x0, y_top = math.floor(xmin / cell_m) * cell_m, math.ceil(ymax / cell_m) * cell_m
        shape = (max(1, math.ceil((y_top - ymin) / cell_m)), max(1, math.ceil((xmax - x0) / cell_m)))
        return cls(x0, y_top, cell_m, shape)

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.shape[0] * self.shape[1]

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre x of every column and centre y of every row."""
        rows, cols = self.shape
        return self.x0 + (np.arange(cols) + 0.5) * self.cell_m, self.y_top - (np.arange(rows) + 0.5) * self.cell_m


def rasterize(grid: RasterGrid, polygons: np.ndarray) -> np.ndarray:
    """Boolean cells whose centre lies inside any of ``polygons`` (holes respected).

    Every ring edge adds +1 or −1 (by its direction, exteriors counter-clockwise) to the cells
    east of where it crosses a row's centre line; the running sum along the row is the winding
    number, nonzero inside the union of the polygons.
    """
    rows, cols = grid.shape
    geoms = np.asarray(polygons, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)] if len(geoms) else geoms
    if len(geoms) == 0:
        return np.zeros(grid.shape, dtype=bool)
    rings = shapely.get_rings(shapely.orient_polygons(shapely.get_parts(geoms), exterior_cw=False))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    xa, ya, xb, yb = coords[:-1, 0][same], coords[:-1, 1][same], coords[1:, 0][same], coords[1:, 1][same]
    c = grid.cell_m
    first_row = np.floor((grid.y_top - np.maximum(ya, yb)) / c - 0.5).astype(np.int64) + 1
    last_row = np.floor((grid.y_top - np.minimum(ya, yb)) / c - 0.5).astype(np.int64)
    first_row, last_row = first_row.clip(0, rows), last_row.clip(-1, rows - 1)
    count = np.maximum(last_row - first_row + 1, 0)
    edge = np.repeat(np.arange(len(xa)), count)
    row = first_row[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    y = grid.y_top - (row + 0.5) * c
    x = xa[edge] + (y - ya[edge]) * (xb[edge] - xa[edge]) / (yb[edge] - ya[edge])
    col = (np.floor((x - grid.x0) / c - 0.5).astype(np.int64) + 1).clip(0, cols)
    sign = np.where(yb[edge] > ya[edge], 1.0, -1.0)
    diff = np.bincount(row * (cols + 1) + col, weights=sign, minlength=rows * (cols + 1))
    winding = np.cumsum(diff.reshape(rows, cols + 1)[:, :cols], axis=1)
    return np.abs(winding) > 0.5


def rasterize_points(grid: RasterGrid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean cells that hold at least one of the points (x, y); points off the grid are ignored."""
    rows, cols = grid.shape
    row = np.floor((grid.y_top - np.asarray(y, dtype=float)) / grid.cell_m).astype(np.int64)
    col = np.floor((np.asarray(x, dtype=float) - grid.x0) / grid.cell_m).astype(np.int64)
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    mask = np.zeros(grid.shape, dtype=bool)
    mask[row[inside], col[inside]] = True
    return mask


def rasterize_lines(grid: RasterGrid, lines: np.ndarray) -> np.ndarray:
    """Boolean cells a line passes through (points every half cell along each line)."""
    if len(lines) == 0:
        return np.zeros(grid.shape, dtype=bool)
    dense = shapely.segmentize(np.asarray(lines, dtype=object), grid.cell_m / 2.0)
    xy = shapely.get_coordinates(dense)
    return rasterize_points(grid, xy[:, 0], xy[:, 1])


def distance_to(grid: RasterGrid, features: np.ndarray) -> np.ndarray:
    """Distance (m, float32) from every cell centre to the nearest cell of ``features``; inf without any."""
    if not features.any():
        return np.full(grid.shape, np.inf, dtype=np.float32)
    from scipy import ndimage  # lazily: every scenario load imports this module

    distance = ndimage.distance_transform_edt(~features, sampling=grid.cell_m)
    return np.asarray(distance, dtype=np.float32)


def linear_scores(values: np.ndarray, direction: Direction, valid: np.ndarray) -> np.ndarray:
    """Min–max value scores in [0, 1] (float32) over the ``valid`` cells; 1 is best, NaN elsewhere.

    Where all valid cells have the same value every cell scores 1.
    """
    scores = np.full(values.shape, np.nan, dtype=np.float32)
    if not valid.any():
        return scores
    chosen = values[valid].astype(np.float32)
    low, high = float(chosen.min()), float(chosen.max())
    if high - low <= 0:
        scores[valid] = 1.0
        return scores
    scaled = (chosen - low) / (high - low)
    scores[valid] = scaled if direction == "max" else 1.0 - scaled
    return scores


def weighted_overlay(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], excluded: np.ndarray
) -> np.ndarray:
    """Suitability (float32): the weighted sum of the scores, weights normalised, NaN where excluded."""
    total = math.fsum(weights.values())
    if total <= 0 or set(weights) != set(scores):
        raise ValueError("weights must be positive and name exactly the scored criteria")
    suitability = np.zeros(excluded.shape, dtype=np.float32)
    for name, weight in weights.items():
        suitability += np.float32(weight / total) * scores[name]
    suitability[excluded] = np.nan
    return suitability
