"""Raster criteria: rasterisation against shapely, distance transforms against brute force, scores."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from criteria.raster import (
    RasterGrid,
    distance_to,
    linear_scores,
    rasterize,
    rasterize_lines,
    rasterize_points,
    weighted_overlay,
)


def _random_polygons(rng: np.random.Generator, n: int) -> np.ndarray:
    """Overlapping blobs, some with holes, some multipart, some clockwise (test data)."""
    centres = rng.uniform(500, 9_500, size=(n, 2))
    blobs = shapely.buffer(shapely.points(centres), rng.uniform(200, 1_500, size=n), quad_segs=5)
    holes = shapely.buffer(shapely.points(centres), rng.uniform(0, 150, size=n))
    shapes = shapely.difference(blobs, holes)
    shapes[::4] = shapely.reverse(shapes[::4])
    multipart = shapely.union(box(100, 100, 600, 600), box(8_000, 8_000, 9_000, 9_500))
    return np.append(shapes, multipart)


def test_rasterize_agrees_with_shapely_on_cell_centres() -> None:
    rng = np.random.default_rng(7)
    polygons = _random_polygons(rng, 25)
    grid = RasterGrid.covering((0.0, 0.0, 10_000.0, 10_000.0), 100.0)
    x, y = np.meshgrid(*grid.centres())
    expected = shapely.contains_xy(shapely.union_all(polygons), x, y)
    found = rasterize(grid, polygons)
    assert found.shape == grid.shape == (100, 100)
    assert 0 < found.sum() < grid.size
    assert np.array_equal(found, expected)


def test_rasterize_empty_and_off_grid() -> None:
    grid = RasterGrid.covering((0.0, 0.0, 1_000.0, 1_000.0), 100.0)
    assert not rasterize(grid, np.array([], dtype=object)).any()
    assert not rasterize(grid, np.array([box(5_000, 5_000, 6_000, 6_000)])).any()
    assert rasterize(grid, np.array([box(-500, -500, 5_000, 5_000)])).all()


def test_points_and_lines_mark_their_cells() -> None:
    grid = RasterGrid.covering((0.0, 0.0, 1_000.0, 500.0), 100.0)
    points = rasterize_points(grid, np.array([50.0, 950.0, 5_000.0]), np.array([450.0, 50.0, 0.0]))
    assert points.sum() == 2 and points[0, 0] and points[4, 9]
    line = rasterize_lines(grid, np.array([LineString([(0, 250), (1_000, 250)])]))
    assert line[2].all() and line.sum() == 10


def test_distance_transform_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    grid = RasterGrid.covering((0.0, 0.0, 3_000.0, 2_000.0), 100.0)
    features = rng.uniform(size=grid.shape) < 0.01
    features[0, 0] = True
    x, y = np.meshgrid(*grid.centres())
    fx, fy = x[features], y[features]
    brute = np.sqrt((x[..., None] - fx) ** 2 + (y[..., None] - fy) ** 2).min(axis=-1)
    assert distance_to(grid, features) == pytest.approx(brute, abs=1e-2)
    assert np.isinf(distance_to(grid, np.zeros(grid.shape, dtype=bool))).all()


def test_scores_and_overlay() -> None:
    values = np.array([[0.0, 50.0], [100.0, 25.0]])
    valid = np.array([[True, True], [True, False]])
    up = linear_scores(values, "max", valid)
    down = linear_scores(values, "min", valid)
    assert up[0, 0] == 0 and up[1, 0] == 1 and up[0, 1] == pytest.approx(0.5) and np.isnan(up[1, 1])
    assert down[valid] == pytest.approx(1 - up[valid])
    excluded = ~valid
    suit = weighted_overlay({"a": up, "b": down}, {"a": 3, "b": 1}, excluded)
    assert suit[valid] == pytest.approx(0.75 * up[valid] + 0.25 * down[valid])
    assert np.isnan(suit[excluded]).all()
    with pytest.raises(ValueError, match="name exactly"):
        weighted_overlay({"a": up}, {"b": 1.0}, excluded)
