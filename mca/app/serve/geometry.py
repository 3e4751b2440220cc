"""The map as SVG path data, drawn from the scenario's own layers (no tiles, nothing fetched).

Coordinates (EPSG:28992, metres) are mapped onto a view box ``MAP_WIDTH`` units wide with north
up, rounded to 0.1 unit and simplified to half a unit, so the page draws every layer as plain
SVG paths and circles; sites are paths in the ranker's site order, so a re-ranking recolours
them by position.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

MAP_WIDTH = 1000.0
MARGIN = 0.03
"""Share of the extent added around the drawn layers."""
DRAWN_LAYERS = ("boundary", "residential", "natura2000", "nnn", "roads", "parks", "stations")
"""Background layers, bottom to top, drawn when the scenario has them."""


class ViewBox:
    """An affine map from RD New metres to SVG units (y pointing down)."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        minx, miny, maxx, maxy = bounds
        pad = MARGIN * max(maxx - minx, maxy - miny, 1.0)
        self.minx, self.maxy = minx - pad, maxy + pad
        self.scale = MAP_WIDTH / (maxx - minx + 2 * pad)
        self.height = round((maxy - miny + 2 * pad) * self.scale, 1)

    def points(self, coords: np.ndarray) -> np.ndarray:
        """SVG coordinates of an ``n × 2`` array of RD New coordinates."""
        x = (coords[:, 0] - self.minx) * self.scale
        y = (self.maxy - coords[:, 1]) * self.scale
        return np.round(np.column_stack([x, y]), 1)

    def path(self, geometry: Any) -> str:
        """SVG path data of a (multi)polygon or (multi)line; empty for anything else."""
        geometry = shapely.simplify(geometry, 0.5 / self.scale)
        parts = []
        for part in getattr(geometry, "geoms", [geometry]):
            rings = []
            closed = part.geom_type == "Polygon"
            if closed:
                rings = [part.exterior, *part.interiors]
            elif part.geom_type == "LineString":
                rings = [part]
            for ring in rings:
                xy = self.points(np.asarray(ring.coords)[:, :2])
                if len(xy) < 2:
                    continue
                text = "L".join(f"{x:g},{y:g}" for x, y in xy)
                parts.append(f"M{text}{'Z' if closed else ''}")
        return "".join(parts)


def map_payload(layers: dict[str, gpd.GeoDataFrame], sites: gpd.GeoDataFrame) -> dict[str, Any]:
    """View box, background layers (paths with a name, points as circles) and site paths in site order."""
    frames = [sites, *(layers[name] for name in DRAWN_LAYERS if name in layers)]
    bounds = np.array([frame.total_bounds for frame in frames if len(frame)])
    box = ViewBox((bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()))
    drawn: dict[str, list[dict[str, Any]]] = {}
    for name in DRAWN_LAYERS:
        frame = layers.get(name)
        if frame is None or frame.empty:
            continue
        drawn[name] = [_feature(box, geometry, row) for geometry, row in zip(frame.geometry, _labels(frame))]
    return {
        "width": MAP_WIDTH,
        "height": box.height,
        "metres_per_unit": round(1.0 / box.scale, 3),
        "layers": drawn,
        "sites": [box.path(geometry) for geometry in sites.geometry],
    }


def _labels(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Per feature the attributes the map shows on hover: name and class or kind where present."""
    keep = [c for c in ("name", "road_class", "zone", "kind") if c in frame.columns]
    return frame[keep].astype(str).to_dict(orient="records")


def _feature(box: ViewBox, geometry: Any, label: dict[str, Any]) -> dict[str, Any]:
    """One drawn feature: ``d`` (path) or ``cx, cy`` (point), with its label attributes."""
    if geometry.geom_type in ("Point", "MultiPoint"):
        x, y = box.points(np.asarray(shapely.get_coordinates(geometry))[:1])[0]
        return {"cx": float(x), "cy": float(y), **label}
    return {"d": box.path(geometry), **label}
