"""A deterministic synthetic region of any size, in the layer and candidate schemas.

For tests and benchmarks: a perturbed-grid road network (local and main roads) with a
motorway reachable only at its junctions, business parks, Natura 2000 and NNN areas,
residential areas, stations, candidate sites of all kinds and a parks table. Everything is
drawn from one `numpy.random.Generator` seeded with ``seed``, and built with vectorised shapely
calls, so 10,000 sites on 100,000 road links take a few seconds. None of it is real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mca.core.errors import UserError
from mca.core.vocabulary import PROFILES

CRS = "EPSG:28992"
ORIGIN = (180_000.0, 310_000.0)
"""South-west corner in RD New, near Heerlen (only to keep coordinates plausible)."""
SPACING_M = 250.0
JUNCTION_EVERY = 12
"""Columns between motorway junctions."""
MAIN_EVERY = 6
"""Every so many rows and columns of the grid is a main road."""
ROAD_CLASSES = {  # speed km/h, capacity veh/h (synthetic)
    "motorway": (100.0, 4400.0),
    "main": (80.0, 1800.0),
    "local": (50.0, 900.0),
}
MIN_ROAD_EDGES = 20


@dataclass(frozen=True)
class SyntheticRegion:
    """Layers (docs/architecture.md schema), a parks table (index ``park_id``) and candidate sites."""

    layers: dict[str, gpd.GeoDataFrame]
    parks: pd.DataFrame
    candidates: gpd.GeoDataFrame


def _volume_capacity(rng: np.random.Generator, n: int) -> np.ndarray:
    """Peak-hour volume/capacity ratios: mostly 0.1–0.8, with 3 % congested links at 0.9–1.1."""
    ratio = rng.uniform(0.1, 0.8, size=n)
    congested = rng.uniform(size=n) < 0.03
    return np.where(congested, rng.uniform(0.9, 1.1, size=n), ratio)


def _grid_size(n_road_edges: int) -> tuple[int, int]:
    """Smallest square grid whose links (grid, motorway, ramps) reach ``n_road_edges``."""
    k = 3
    while _total_edges(k) < n_road_edges:
        k += 1
    return k, k


def _total_edges(k: int) -> int:
    n_junctions = len(range(0, k, JUNCTION_EVERY))
    return 2 * k * (k - 1) + (k - 1) + n_junctions


def _kept_verticals(rng: np.random.Generator, col: np.ndarray, row: np.ndarray, surplus: int) -> np.ndarray:
    """The grid nodes whose link up is kept, after dropping ``surplus`` links outside column 0 at random.

    Rows stay connected through column 0.
    """
    vertical = np.flatnonzero(row < row.max())
    droppable = vertical[col[vertical] > 0]
    kept = np.ones(len(col), dtype=bool)
    kept[rng.choice(droppable, size=surplus, replace=False)] = False
    return vertical[kept[vertical]]


def _roads(rng: np.random.Generator, n_road_edges: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple]:
    n_cols, n_rows = _grid_size(n_road_edges)
    x0, y0 = ORIGIN
    grid_col, grid_row = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    col, row = grid_col.ravel(), grid_row.ravel()
    jitter = rng.uniform(-0.15, 0.15, size=(len(col), 2)) * SPACING_M
    grid_xy = np.round(np.c_[x0 + col * SPACING_M, y0 + row * SPACING_M] + jitter, 1)

    horizontal = np.flatnonzero(col < n_cols - 1)
    vertical = _kept_verticals(rng, col, row, _total_edges(n_cols) - n_road_edges)
    grid_u = np.r_[horizontal, vertical]
    grid_v = np.r_[horizontal + 1, vertical + n_cols]
    on_main = np.r_[row[horizontal] % MAIN_EVERY == 0, col[vertical] % MAIN_EVERY == 0]

    motorway_row = n_rows // 2 - 1
    motorway_y = y0 + (motorway_row + 0.5) * SPACING_M
    motorway_xy = np.c_[x0 + np.arange(n_cols) * SPACING_M, np.full(n_cols, motorway_y)]
    junction_cols = np.arange(0, n_cols, JUNCTION_EVERY)
    xy = np.vstack([grid_xy, motorway_xy])
    first_motorway = len(grid_xy)
    motorway_u = first_motorway + np.arange(n_cols - 1)
    ramp_u = motorway_row * n_cols + junction_cols
    ramp_v = first_motorway + junction_cols

    u = np.r_[grid_u, motorway_u, ramp_u]
    v = np.r_[grid_v, motorway_u + 1, ramp_v]
    road_class = np.r_[
        np.where(on_main, "main", "local"), np.full(len(motorway_u), "motorway"), np.full(len(ramp_u), "main")
    ]
    speed = np.array([ROAD_CLASSES[c][0] for c in ("motorway", "main", "local")])
    capacity = np.array([ROAD_CLASSES[c][1] for c in ("motorway", "main", "local")])
    class_pos = np.select([road_class == "motorway", road_class == "main"], [0, 1], 2)
    road_ids = np.char.add("R", np.arange(len(u)).astype(str))
    roads = gpd.GeoDataFrame(
        {
            "road_id": road_ids,
            "name": np.char.add(np.char.add(road_class.astype(str), " "), road_ids),
            "road_class": road_class,
            "speed_kmh": speed[class_pos],
            "capacity_veh_h": capacity[class_pos],
            "volume_veh_h": np.round(capacity[class_pos] * _volume_capacity(rng, len(u))),
        },
        geometry=shapely.linestrings(np.stack([xy[u], xy[v]], axis=1)),
        crs=CRS,
    )
    junctions = gpd.GeoDataFrame(
        {
            "junction_id": [f"J{i}" for i in range(len(junction_cols))],
            "name": [f"Junction {i}" for i in range(len(junction_cols))],
        },
        geometry=shapely.points(motorway_xy[junction_cols]),
        crs=CRS,
    )
    extent = (x0, y0, x0 + (n_cols - 1) * SPACING_M, y0 + (n_rows - 1) * SPACING_M)
    return roads, junctions, extent


def _boxes(rng: np.random.Generator, n: int, extent: tuple, side_m: tuple[float, float]) -> np.ndarray:
    """``n`` random axis-parallel rectangles inside ``extent``."""
    xmin, ymin, xmax, ymax = extent
    width, height = rng.uniform(*side_m, size=(2, n))
    x = rng.uniform(xmin, np.maximum(xmin, xmax - width))
    y = rng.uniform(ymin, np.maximum(ymin, ymax - height))
    return shapely.box(x, y, x + width, y + height)


def _blobs(rng: np.random.Generator, n: int, extent: tuple, radius_m: tuple[float, float]) -> np.ndarray:
    """``n`` random irregular nature polygons (buffered short lines) inside ``extent``."""
    xmin, ymin, xmax, ymax = extent
    centre = np.c_[rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)]
    radius = rng.uniform(*radius_m, size=n)
    angle = rng.uniform(0, np.pi, size=n)
    offset = np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]
    spine = shapely.linestrings(np.stack([centre - offset, centre + offset], axis=1))
    return shapely.buffer(spine, radius * 0.6, quad_segs=4)


def _parks(rng: np.random.Generator, n_parks: int, extent: tuple) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    xmin, ymin, xmax, ymax = extent
    slot = 1200.0
    n_x, n_y = max(1, int((xmax - xmin) // slot)), max(1, int((ymax - ymin) // slot))
    slots = rng.choice(n_x * n_y, size=n_parks, replace=n_parks > n_x * n_y)
    width, height = rng.uniform(400, 900, size=(2, n_parks))
    x = xmin + (slots % n_x) * slot + rng.uniform(0, 1, n_parks) * np.maximum(0, min(slot, xmax - xmin) - width)
    y = ymin + (slots // n_x) * slot + rng.uniform(0, 1, n_parks) * np.maximum(0, min(slot, ymax - ymin) - height)
    park_ids = [f"park-{i:03d}" for i in range(n_parks)]
    geometry = shapely.box(x, y, x + width, y + height)
    layer = gpd.GeoDataFrame(
        {"park_id": park_ids, "name": [f"Synthetic park {i}" for i in range(n_parks)]}, geometry=geometry, crs=CRS
    )
    gross = shapely.area(geometry) / 10_000.0
    net = gross * rng.uniform(0.7, 0.85, n_parks)
    issued = net * rng.uniform(0.85, 1.0, n_parks)
    available = net - issued
    table = pd.DataFrame(
        {
            "gross_ha": gross.round(2),
            "net_ha": net.round(2),
            "net_issued_ha": issued.round(2),
            "vacancy_q1_2024": rng.uniform(0, 0.08, n_parks).round(3),
            "available_ha": available.round(2),
            "available_under_option_ha": (available * rng.uniform(0, 0.5, n_parks)).round(2),
            "profile": rng.choice(PROFILES, n_parks),
            "max_env_category": rng.choice([3.2, 4.1, 4.2, 5.1], n_parks),
            "no_new_logistics": rng.uniform(size=n_parks) < 0.2,
            "reserve_env_space": rng.uniform(size=n_parks) < 0.15,
        },
        index=pd.Index(park_ids, name="park_id"),
    )
    return layer, table


def _candidates(
    rng: np.random.Generator, n_sites: int, parks_layer: gpd.GeoDataFrame, parks: pd.DataFrame, extent: tuple
) -> gpd.GeoDataFrame:
    kind = rng.choice(["intensification", "expansion", "available_plot", "user"], size=n_sites, p=[0.2, 0.4, 0.1, 0.3])
    park_pos = rng.integers(0, len(parks_layer), size=n_sites)
    pxmin, pymin, pxmax, pymax = shapely.bounds(parks_layer.geometry.values[park_pos]).T
    side = rng.uniform(100, 450, size=(2, n_sites))
    in_park = np.isin(kind, ["intensification", "available_plot"])
    width = np.where(in_park, np.minimum(side[0] / 2, pxmax - pxmin), side[0])
    height = np.where(in_park, np.minimum(side[1] / 2, pymax - pymin), side[1])
    anywhere = _boxes(rng, n_sites, extent, (100, 450))
    where_x, where_y = rng.uniform(size=(2, n_sites))
    east = rng.uniform(size=n_sites) < 0.5  # expansion east of the park, else north of it
    x = np.select(
        [in_park, (kind == "expansion") & east, kind == "expansion"],
        [pxmin + where_x * (pxmax - pxmin - width), pxmax, pxmin + where_x * (pxmax - pxmin) - width / 2],
        0.0,
    )
    y = np.select(
        [in_park, (kind == "expansion") & east, kind == "expansion"],
        [pymin + where_y * (pymax - pymin - height), pymin + where_y * (pymax - pymin) - height / 2, pymax],
        0.0,
    )
    geometry = np.where(kind == "user", anywhere, shapely.box(x, y, x + width, y + height))
    area_ha = shapely.area(geometry) / 10_000.0
    capacity = area_ha * np.select([kind == "intensification", kind == "available_plot"], [0.25, 1.0], 0.8)
    capacity_2030 = np.where(kind == "expansion", capacity * 0.5, capacity)
    park_id = np.where(kind == "user", None, parks_layer["park_id"].to_numpy()[park_pos])
    park_rows = parks.reindex(parks_layer["park_id"].to_numpy()[park_pos])
    site_ids = [f"S{i:05d}" for i in range(n_sites)]
    frame = gpd.GeoDataFrame(
        {
            "site_id": site_ids,
            "name": [f"Synthetic site {i}" for i in range(n_sites)],
            "kind": kind,
            "park": park_id,
            "area_ha": area_ha.round(3),
            "capacity_ha": capacity.round(3),
            "capacity_2030_ha": capacity_2030.round(3),
            "capacity_2040_ha": capacity.round(3),
            "contiguous_ha": capacity.round(3),
            "profile": np.where(kind == "user", "gemengd", park_rows["profile"].to_numpy()),
            "max_env_category": np.where(in_park, park_rows["max_env_category"].to_numpy(), np.nan),
            "source": "synthetic",
        },
        geometry=geometry,
        crs=CRS,
    )
    return frame[[*frame.columns[:4], "geometry", *frame.columns[4:-1]]]


def synthetic_region(n_parks: int, n_sites: int, n_road_edges: int, seed: int = 0) -> SyntheticRegion:
    """A synthetic region with ``n_parks`` parks, ``n_sites`` candidates and ``n_road_edges`` road links.

    The road graph is connected and every node can reach a motorway junction. Identical
    arguments give identical output.
    """
    if n_parks < 1:
        raise UserError("need at least one park", source="synthetic region", field="n_parks")
    if n_sites < 0:
        raise UserError("the number of sites cannot be negative", source="synthetic region", field="n_sites")
    if n_road_edges < MIN_ROAD_EDGES:
        raise UserError(f"need at least {MIN_ROAD_EDGES} road edges", source="synthetic region", field="n_road_edges")
    rng = np.random.default_rng(seed)
    roads, junctions, extent = _roads(rng, n_road_edges)
    area_km2 = (extent[2] - extent[0]) * (extent[3] - extent[1]) / 1e6
    parks_layer, parks = _parks(rng, n_parks, extent)

    n_natura = max(1, round(area_km2 / 25))
    natura = gpd.GeoDataFrame(
        {"name": [f"Natura 2000 area {i}" for i in range(n_natura)]},
        geometry=_blobs(rng, n_natura, extent, (300, 1500)),
        crs=CRS,
    )
    n_nnn = max(2, round(area_km2 / 12))
    nnn = gpd.GeoDataFrame(
        {
            "name": [f"NNN area {i}" for i in range(n_nnn)],
            "zone": rng.choice(["goudgroen", "zilvergroen"], n_nnn),
        },
        geometry=_blobs(rng, n_nnn, extent, (200, 800)),
        crs=CRS,
    )
    n_residential = max(1, round(area_km2 / 4))
    residential = gpd.GeoDataFrame(
        {"kind": np.full(n_residential, "dwellings")},
        geometry=_boxes(rng, n_residential, extent, (300, 1200)),
        crs=CRS,
    )
    n_rail, n_bus = max(1, round(area_km2 / 50)), max(3, round(area_km2))
    xmin, ymin, xmax, ymax = extent
    stations = gpd.GeoDataFrame(
        {
            "name": [f"Station {i}" for i in range(n_rail)] + [f"Bus stop {i}" for i in range(n_bus)],
            "kind": ["rail"] * n_rail + ["bus"] * n_bus,
        },
        geometry=shapely.points(rng.uniform(xmin, xmax, n_rail + n_bus), rng.uniform(ymin, ymax, n_rail + n_bus)),
        crs=CRS,
    )
    candidates = _candidates(rng, n_sites, parks_layer, parks, extent)
    layers = {
        "parks": parks_layer,
        "natura2000": natura,
        "nnn": nnn,
        "roads": roads,
        "junctions": junctions,
        "residential": residential,
        "stations": stations,
    }
    return SyntheticRegion(layers=layers, parks=parks, candidates=candidates)
