"""The map frame shared by every map, and label placement without overlaps.

Extent, context layers, scale bar, north arrow, notice, legend and a table of numbered sites.

Sites are marked with numbered circles rather than names: a `LabelPlacer` puts each marker (and
each park name) at its anchor or, when that spot is taken, at the nearest free spot on rings
around it with a leader line back to the anchor, so no two labels overlap. The numbers are
explained in a table beside the map.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image
from shapely.geometry.base import BaseGeometry

from mca.app.i18n import Language
from mca.app.render_setup import DPI, TEXT_OUTLINE
from mca.app.reports import reuse
from mca.app.results import RunResult
from mca.core.errors import DataError
from mca.inputs.layers import schematic_layers, schematic_notice

PNG_LEVEL = 1
"""zlib level of the PNG files (1 of 9: the fastest; Heerlen's maps are smaller than RGBA at matplotlib's 6)."""
A4_LANDSCAPE_IN = (11.69, 8.27)
MAP_AXES_BOX = (0.02, 0.09, 0.60, 0.80)  # left, bottom, width, height as figure fractions
LEGEND_X = 0.635
TABLE_X = 0.825
MAP_BACKGROUND = "#fbfbf8"
FOCUS_STEP_M = 250.0
"""A zoomed map's width and centre are multiples of this (an assumption), so that nearby sets of sites share one
extent; the centre moves at most 125 m, within the 15 % margin (at least 450 m)."""
UNDERLAY_LAYERS = ("residential", "natura2000", "nnn", "boundary", "roads")
"""The context layers a map's underlay draws (`draw_context`), with the parks."""
LABEL_GIDS = ("site-marker", "place-label")
"""The ``gid`` of every placed label; `label_boxes` returns their boxes (tested for overlap)."""

ROAD_STYLE = {
    "motorway": (2.4, "#5a5a5a"),
    "main": (1.6, "#7a7a7a"),
    "access": (1.0, "#9a9a9a"),
    "local": (0.6, "#b4b4b4"),
}
USER_EDGE = "#c51b7d"
_RING_DIRECTIONS = [(math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)]


def scale_bar_length(map_width_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not longer than a fifth of the map width."""
    target = map_width_m / 5
    exponent = math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * 10**exponent <= target:
            return float(step * 10**exponent)
    return float(10 ** (exponent - 1) * 5)


def format_distance(metres: float) -> str:
    """``250 m`` or ``1.5 km``."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def notice_text(result: RunResult, lang: Language | None = None) -> str | None:
    """The notice naming the schematic layers; the blanket notice when the layers do not say which."""
    if not result.schematic:
        return None
    lang = lang or Language("en")
    names = schematic_layers(result.layers)
    if names and schematic_notice(result.layers):
        return lang("notice.schematic_layers", layers=", ".join(sorted(names)))
    return lang("notice.schematic")


def map_extent(result: RunResult, aspect: float) -> tuple[float, float, float, float]:
    """Bounds of sites, parks and the municipal boundary with a margin, widened to ``aspect`` (width/height)."""
    frames = [f for f in (result.sites, result.parks, result.layers.get("boundary")) if f is not None and not f.empty]
    if not frames:
        raise DataError("nothing to map: there are no candidate sites and no parks", source="sites")
    xmin, ymin, xmax, ymax = np.array([f.total_bounds for f in frames]).T
    xmin, ymin, xmax, ymax = xmin.min(), ymin.min(), xmax.max(), ymax.max()
    width, height = max(xmax - xmin, 100.0) * 1.08, max(ymax - ymin, 100.0) * 1.08
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


@dataclass
class LabelPlacer:
    """Places labels in display space so that no two overlap (greedy, in the order asked).

    ``taken`` holds the boxes of the labels placed so far (pixels, with a small pad). A label
    that does not fit at its anchor goes to the nearest free spot on rings of growing radius,
    with a thin leader line; an optional label that finds no spot is left out.
    """

    ax: Axes
    pad_px: float = 2.0
    taken: list[Bbox] = field(default_factory=list)

    def place(self, text: Text, anchor: tuple[float, float], *, optional: bool = False, rings: int = 14) -> bool:
        """Move ``text`` (already added at ``anchor``) to a free spot; False when an optional label was dropped."""
        renderer = self.ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
        base = self.ax.transData.transform(anchor)
        box = text.get_window_extent(renderer)
        step = max(box.width, box.height) * 0.75
        for ring in range(rings + 1):
            for dx, dy in [(0.0, 0.0)] if ring == 0 else _RING_DIRECTIONS:
                spot = base + np.array([dx, dy]) * ring * step
                candidate = box.translated(*(spot - base)).padded(self.pad_px)
                if self._free(candidate):
                    self._put(text, anchor, spot, ring > 0)
                    self.taken.append(candidate)
                    return True
        if optional:
            text.remove()
            return False
        self.taken.append(box.padded(self.pad_px))
        return True

    def reserve(self, anchor: tuple[float, float], radius_px: float) -> None:
        """Keep a square of ``radius_px`` around ``anchor`` free (a point symbol)."""
        x, y = self.ax.transData.transform(anchor)
        self.taken.append(Bbox.from_extents(x - radius_px, y - radius_px, x + radius_px, y + radius_px))

    def _free(self, candidate: Bbox) -> bool:
        inside = self.ax.get_window_extent()
        if not (inside.x0 <= candidate.x0 and candidate.x1 <= inside.x1):
            return False
        if not (inside.y0 <= candidate.y0 and candidate.y1 <= inside.y1):
            return False
        return not any(candidate.overlaps(other) for other in self.taken)

    def _put(self, text: Text, anchor: tuple[float, float], spot: np.ndarray, leader: bool) -> None:
        data = self.ax.transData.inverted().transform(spot)
        text.set_position((float(data[0]), float(data[1])))
        if leader:
            self.ax.plot([anchor[0], data[0]], [anchor[1], data[1]], color="#333333", linewidth=0.6, zorder=8.5)
            self.ax.plot([anchor[0]], [anchor[1]], marker="o", markersize=2, color="#333333", zorder=8.5)


def label_boxes(fig: Figure) -> list[Bbox]:
    """Display boxes of every placed label of ``fig`` (site markers and place names)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return [t.get_window_extent(renderer) for t in fig.findobj(Text) if t.get_gid() in LABEL_GIDS]


def marker(ax: Axes, placer: LabelPlacer, anchor: tuple[float, float], number: int, colour: str = "white") -> None:
    """A numbered circle for a site, placed by ``placer``."""
    text = ax.text(
        anchor[0],
        anchor[1],
        str(number),
        ha="center",
        va="center",
        fontsize=7,
        fontweight="bold",
        zorder=9,
        gid="site-marker",
        bbox={"boxstyle": "circle,pad=0.25", "facecolor": colour, "edgecolor": "#222222", "linewidth": 0.8},
    )
    placer.place(text, anchor)


def anchors(sites: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """A point inside each site, outside the smaller sites nested in it (so both stay visible)."""
    geoms = list(sites.geometry)
    points = []
    for i, geom in enumerate(geoms):
        inner = [g for j, g in enumerate(geoms) if j != i and g.area < geom.area and g.intersects(geom)]
        shape: BaseGeometry = geom
        if inner:
            rest = geom.difference(gpd.GeoSeries(inner).union_all())
            shape = rest if not rest.is_empty and rest.area > 0.05 * geom.area else geom
        point = shape.representative_point()
        points.append((float(point.x), float(point.y)))
    return points


class _MapCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when asked to render (saving, measuring), not on every layer.

    GeoPandas asks for a redraw (``draw_idle``) after each layer it plots; with an Agg canvas
    attached that renders the whole figure every time, so a map with ten layers was drawn ten
    times before it was saved. The canvas is still there to measure labels while placing them.
    """

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to show between layers: the figure is drawn once, when it is saved."""


def map_figure(
    result: RunResult,
    lang: Language,
    title: str,
    *,
    size: tuple[float, float] = A4_LANDSCAPE_IN,
    box: tuple[float, float, float, float] = MAP_AXES_BOX,
    focus: gpd.GeoDataFrame | None = None,
) -> tuple[Figure, Axes, LabelPlacer]:
    """A figure with the map axes at ``box``, context layers, scale bar, arrow and notice.

    The extent covers the sites, parks and boundary, or only ``focus`` (with a margin) when given.
    The context areas, lines and parks, the coordinate note and the notice are the figure's
    underlay (`context_underlay`); everything else is drawn over it.
    """
    fig = Figure(figsize=size, dpi=DPI)
    _MapCanvas(fig)  # a renderer for measuring labels while placing them
    aspect = (box[2] * size[0]) / (box[3] * size[1])
    extent = map_extent(result, aspect) if focus is None or focus.empty else focus_extent(focus, aspect)
    ax = _map_axes(fig, box, extent)
    ax.patch.set_visible(False)  # the underlay has its colour
    fig.add_artist(_Underlay(context_underlay(fig, result, lang, size, box, extent)))
    fig.text(
        box[0],
        box[1] + box[3] + 0.012,
        f"{title} — {lang('scenario')}: {result.scenario_name}",
        ha="left",
        va="bottom",
        fontsize=12 if size == A4_LANDSCAPE_IN else 9,
        fontweight="bold",
    )
    draw_points(ax, result)
    draw_scale_bar(ax, lang)
    draw_north_arrow(ax)
    return fig, ax, LabelPlacer(ax)


def _map_axes(fig: Figure, box: tuple[float, float, float, float], extent: tuple[float, ...]) -> Axes:
    """The map axes of ``fig`` at ``box``, showing ``extent`` (xmin, ymin, xmax, ymax) at equal scale."""
    ax = fig.add_axes(box)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.apply_aspect()  # the final position of the axes, where labels are measured and placed
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(MAP_BACKGROUND)
    return ax


def context_underlay(
    fig: Figure,
    result: RunResult,
    lang: Language,
    size: tuple[float, float],
    box: tuple[float, float, float, float],
    extent: tuple[float, ...],
) -> np.ndarray:
    """The pixels (RGBA) of a map figure's background: axes colour, context areas and lines, parks, notes.

    Everything a map draws below its sites (`draw_context`) and the texts outside its axes that
    all maps share (the coordinate note, the data notice). Kept in the drawing store by what it
    draws (`mca.app.reports.reuse.kept`), so the maps of one extent share it and a change of
    weights or allocation draws only what lies over it.
    """
    layers = {name: result.layers[name] for name in UNDERLAY_LAYERS if _has(result, name)}
    view = (size, box, extent, layers, result.parks, lang("map.crs"), notice_text(result, lang))
    data = reuse.kept("map-underlay", view, partial(_underlay, result, lang, size, box, extent))
    width, height = fig.canvas.get_width_height()
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)


class _Underlay(Artist):
    """Pixels copied into a figure's Agg buffer before anything else is drawn over them (`context_underlay`).

    A copy, not an image artist: Matplotlib resamples an image even at its own size (0.08 s a map).
    """

    def __init__(self, pixels: np.ndarray) -> None:
        super().__init__()
        self._pixels = pixels
        self.set_zorder(-1)  # before the axes, over the figure's own background

    def draw(self, renderer: RendererBase) -> None:
        """Copy the pixels into the renderer's buffer (an Agg renderer of the figure's size)."""
        np.asarray(renderer.buffer_rgba())[...] = self._pixels  # type: ignore[attr-defined]


def _underlay(
    result: RunResult,
    lang: Language,
    size: tuple[float, float],
    box: tuple[float, float, float, float],
    extent: tuple[float, ...],
) -> bytes:
    """`context_underlay` drawn: a figure of ``size`` with only the background, as RGBA bytes."""
    fig = Figure(figsize=size, dpi=DPI)
    canvas = _MapCanvas(fig)
    ax = _map_axes(fig, box, extent)
    for spine in ax.spines.values():
        spine.set_visible(False)  # drawn over the underlay, with the map
    draw_context(ax, result)
    ax.set_xlabel("")  # GeoPandas names the axes by the coordinate system
    ax.set_ylabel("")
    fig.text(box[0], box[1] - 0.008, lang("map.crs"), fontsize=6.5, color="#555555", va="top")
    draw_notice(fig, result, lang, small=size != A4_LANDSCAPE_IN)
    canvas.draw()
    return bytes(canvas.buffer_rgba())


def focus_extent(
    focus: gpd.GeoDataFrame, aspect: float, min_size_m: float = 3000.0, step_m: float = FOCUS_STEP_M
) -> tuple[float, float, float, float]:
    """Bounds of ``focus`` with a 15 % margin (at least ``min_size_m`` across), widened to ``aspect``.

    The width is rounded up and the centre to the nearest multiple of ``step_m``, so that a
    slightly different set of sites gives the same extent (and its map the same stored underlay).
    """
    xmin, ymin, xmax, ymax = focus.total_bounds
    width, height = max((xmax - xmin) * 1.3, min_size_m), max((ymax - ymin) * 1.3, min_size_m / aspect)
    width = max(width, height * aspect)
    width = math.ceil(width / step_m) * step_m
    height = width / aspect
    cx, cy = (round((low + high) / 2 / step_m) * step_m for low, high in ((xmin, xmax), (ymin, ymax)))
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def draw_context(ax: Axes, result: RunResult) -> None:
    """Boundary, nature, dwellings, roads and parks, below the sites (the underlay of every map)."""
    layers = result.layers
    styles = {
        "residential": {"facecolor": "#ecd9d3", "edgecolor": "none", "zorder": 1},
        "natura2000": {"facecolor": "#a6d96a", "edgecolor": "#1a9641", "alpha": 0.45, "linewidth": 0.8, "zorder": 1},
        "nnn": {
            "facecolor": "#d9f0a3",
            "edgecolor": "#78c679",
            "alpha": 0.6,
            "linewidth": 0.8,
            "linestyle": "--",
            "zorder": 1,
        },
    }
    for name, style in styles.items():
        if _has(result, name):
            _simplified(layers[name], ax).plot(ax=ax, **style)
    if _has(result, "boundary"):
        _simplified(layers["boundary"], ax).boundary.plot(
            ax=ax, color="#444444", linewidth=1.4, linestyle="-.", zorder=2
        )
    if _has(result, "roads"):
        roads = layers["roads"]
        classes = roads["road_class"] if "road_class" in roads else pd.Series("local", roads.index)
        for road_class, (width, colour) in ROAD_STYLE.items():
            subset = roads[classes == road_class]
            if not subset.empty:
                _simplified(subset, ax).plot(ax=ax, color=colour, linewidth=width, zorder=2)
    if not result.parks.empty:
        result.parks.plot(ax=ax, facecolor="none", edgecolor="#222222", linewidth=1.1, zorder=3)


def draw_points(ax: Axes, result: RunResult) -> None:
    """Stations and motorway junctions, over the sites."""
    for kind, style in _point_styles(result).items():
        points = _points(result, kind)
        ax.plot(points.x, points.y, linestyle="none", zorder=7, **style)


def _simplified(frame: gpd.GeoDataFrame, ax: Axes) -> gpd.GeoDataFrame:
    """``frame`` clipped to the map and simplified to about half a pixel: same picture, less to draw."""
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    tolerance = (xmax - xmin) / (ax.get_window_extent().width or 1000) / 2
    shown = frame.cx[xmin:xmax, ymin:ymax]
    return shown.set_geometry(shown.geometry.simplify(tolerance, preserve_topology=False))


def _has(result: RunResult, name: str) -> bool:
    return name in result.layers and not result.layers[name].empty


def _points(result: RunResult, kind: str) -> gpd.GeoSeries:
    if kind == "junction":
        return result.layers["junctions"].geometry
    stations = result.layers["stations"]
    kinds = stations["kind"].astype(str) if "kind" in stations else pd.Series("rail", stations.index)
    return stations.geometry[kinds == kind]


def _point_styles(result: RunResult) -> dict[str, dict[str, Any]]:
    styles: dict[str, dict[str, Any]] = {}
    if _has(result, "stations"):
        kinds = set(result.layers["stations"].get("kind", pd.Series(["rail"])).astype(str))
        if "rail" in kinds:
            styles["rail"] = {"marker": "s", "markersize": 6, "color": "#111111", "markeredgecolor": "white"}
        if "bus" in kinds:
            styles["bus"] = {"marker": "o", "markersize": 2.5, "color": "#3366aa"}
    if _has(result, "junctions"):
        styles["junction"] = {"marker": "D", "markersize": 6, "color": "#f0c000", "markeredgecolor": "#333333"}
    return styles


def place_park_names(ax: Axes, placer: LabelPlacer, result: RunResult) -> None:
    """Park names in italics where they fit (after the site markers, so they never hide one)."""
    if result.parks.empty:
        return
    column = "name" if "name" in result.parks else "park_id"
    for point, label in zip(result.parks.representative_point(), result.parks[column]):
        text = ax.text(
            point.x,
            point.y,
            str(label),
            ha="center",
            va="center",
            fontsize=6.5,
            style="italic",
            color="#333333",
            path_effects=TEXT_OUTLINE,
            zorder=8,
            gid="place-label",
        )
        placer.place(text, (point.x, point.y), optional=True, rings=4)


def context_handles(result: RunResult, lang: Language) -> list[Patch | Line2D]:
    """Legend entries for the context layers that are drawn."""
    handles: list[Patch | Line2D] = [
        Patch(facecolor="none", edgecolor="#222222", linewidth=1.1, label=lang("map.park"))
    ]
    if _has(result, "boundary"):
        handles.append(Line2D([], [], color="#444444", linewidth=1.4, linestyle="-.", label=lang("map.boundary")))
    if _has(result, "residential"):
        handles.append(Patch(facecolor="#ecd9d3", edgecolor="none", label=lang("map.residential")))
    if _has(result, "natura2000"):
        handles.append(Patch(facecolor="#a6d96a", edgecolor="#1a9641", alpha=0.45, label=lang("map.natura2000")))
    if _has(result, "nnn"):
        handles.append(Patch(facecolor="#d9f0a3", edgecolor="#78c679", linestyle="--", label=lang("map.nnn")))
    if _has(result, "roads") and "road_class" in result.layers["roads"]:
        present = set(result.layers["roads"]["road_class"].astype(str))
        for road_class, (width, colour) in ROAD_STYLE.items():
            if road_class in present:
                handles.append(Line2D([], [], color=colour, linewidth=width, label=lang.name("road", road_class)))
    labels = {"rail": "map.station_rail", "bus": "map.station_bus", "junction": "map.junction"}
    for kind, style in _point_styles(result).items():
        handles.append(Line2D([], [], linestyle="none", label=lang(labels[kind]), **style))
    return handles


def draw_scale_bar(ax: Axes, lang: Language) -> None:
    """A two-segment black and white bar in the lower left corner, labelled in m or km."""
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    width, height = xmax - xmin, ymax - ymin
    length = scale_bar_length(width)
    x0, y0, bar = xmin + 0.04 * width, ymin + 0.05 * height, 0.012 * height
    ax.add_patch(
        Rectangle(
            (x0 - 0.015 * width, y0 - 0.035 * height),
            length + 0.05 * width,
            0.1 * height,
            facecolor="white",
            edgecolor="#999999",
            alpha=0.85,
            zorder=10,
        )
    )
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 2, y0),
                length / 2,
                bar,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.8,
                zorder=11,
            )
        )
    unit = 1000 if length >= 1000 else 1
    for offset, text in ((0, "0"), (length / 2, f"{length / 2 / unit:g}"), (length, format_distance(length))):
        ax.text(x0 + offset, y0 + bar + 0.012 * height, text, ha="center", va="bottom", fontsize=7, zorder=11)
    ax.text(
        x0 + length / 2,
        y0 - 0.008 * height,
        lang("map.scale"),
        ha="center",
        va="top",
        fontsize=6.5,
        color="#555555",
        zorder=11,
    )


def draw_north_arrow(ax: Axes) -> None:
    """An arrow with N in the upper right corner."""
    ax.annotate(
        "N",
        xy=(0.96, 0.96),
        xytext=(0.96, 0.87),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 10},
        zorder=11,
    )


def draw_notice(fig: Figure, result: RunResult, lang: Language, *, small: bool = False) -> None:
    """The schematic-data notice at the foot of the figure, when the data are schematic."""
    text = notice_text(result, lang)
    if text:
        fig.text(
            0.5,
            0.012,
            textwrap.fill(text, 90) if small else text,
            ha="center",
            va="bottom",
            fontsize=7 if small else 10,
            fontweight="bold",
            color="#b00000",
            bbox={"facecolor": "#fff0f0", "edgecolor": "#b00000", "boxstyle": "round,pad=0.4"},
        )


def legend(fig: Figure, handles: Sequence[Patch | Line2D], lang: Language) -> None:
    """The legend in the column right of the map (long labels wrapped to the column)."""
    for handle in handles:
        handle.set_label(textwrap.fill(str(handle.get_label()), 30))
    fig.legend(
        handles=list(handles),
        title=lang("map.legend"),
        loc="upper left",
        bbox_to_anchor=(LEGEND_X, 0.89),
        fontsize=7,
        title_fontsize=8,
        frameon=False,
        borderaxespad=0.0,
        alignment="left",
    )


def site_table(fig: Figure, rows: Sequence[tuple[str, str]], lang: Language, max_rows: int = 34) -> None:
    """The table of numbered sites (number, text) in the rightmost column; text after a tab is never cut."""
    if not rows:
        return
    fig.text(TABLE_X, 0.89, lang("map.sites_table"), fontsize=8, fontweight="bold", va="top")
    y, step = 0.865, 0.021
    for number, text in rows[:max_rows]:
        fig.text(TABLE_X, y, number, fontsize=6.5, fontweight="bold", va="top", ha="left")
        name, _, extra = text.partition("\t")
        fig.text(
            TABLE_X + 0.022,
            y,
            _shorten(name, 31 - len(_shorten(extra, 13)), keep_end=True) + _shorten(extra, 13),
            fontsize=6.5,
            va="top",
            ha="left",
        )
        y -= step
    if len(rows) > max_rows:
        fig.text(TABLE_X, y, lang("map.more_sites", n=len(rows) - max_rows), fontsize=6.5, style="italic", va="top")


def _shorten(text: str, limit: int, keep_end: bool = False) -> str:
    """``text`` cut to ``limit`` characters; with ``keep_end`` in the middle, so a site number stays."""
    if len(text) <= limit:
        return text
    tail = 3 if keep_end and limit > 12 else 0
    return text[: limit - 1 - tail] + "…" + (text[-tail:] if tail else "")


def save(fig: Figure, path_png: Path) -> None:
    """Write the figure as PNG at `DPI` (no timestamp, so reruns give the same bytes); axis labels dropped.

    An opaque figure (every one here) is stored as RGB, not RGBA, at zlib level `PNG_LEVEL`: the
    same pixels, in files about 7 % smaller, encoded in about half the time.
    """
    for ax in fig.axes:
        if ax.get_xlabel().endswith("[metre]") or ax.get_ylabel().endswith("[metre]"):
            ax.set_xlabel("")
            ax.set_ylabel("")
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(DPI)  # as savefig does
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    opaque = bool((rgba[:, :, 3] == 255).all())
    image = Image.fromarray(rgba[:, :, :3] if opaque else rgba, mode="RGB" if opaque else "RGBA")
    image.save(path_png, format="png", compress_level=PNG_LEVEL, dpi=(DPI, DPI))
