"""Maps and charts of one run as PNG (matplotlib, Agg, 150 dpi, A4 landscape for maps).

Figures are built with ``matplotlib.figure.Figure`` directly, so no pyplot state or global
backend is touched. Coordinates are RD New metres, so the scale bar is drawn in data units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from mca.app.reports import tables
from mca.app.reports.base import OutputWriter
from mca.app.results import RunResult
from mca.core.errors import DataError
from mca.core.vocabulary import ALL_SECTORS
from mca.inputs.layers import schematic_notice

DPI = 150
A4_LANDSCAPE_IN = (11.69, 8.27)
CHART_SIZE_IN = (9.0, 5.5)
SCHEMATIC_NOTICE = "Schematic data — demonstration only, not for decisions"
MAP_AXES_BOX = (0.03, 0.10, 0.64, 0.80)  # left, bottom, width, height as figure fractions
MAX_SITE_LABELS = 15

MAP_FILES = ("map_suitability.png", "map_exclusions.png", "map_allocation.png")
CHART_FILES = ("chart_demand.png", "chart_allocation.png")

_ROAD_STYLE = {
    "motorway": (2.6, "#4d4d4d"),
    "main": (1.8, "#6e6e6e"),
    "access": (1.1, "#8c8c8c"),
    "local": (0.7, "#a6a6a6"),
}
_KIND_COLOURS = {"available_plot": "#1b9e77", "intensification": "#7570b3", "expansion": "#d95f02", "user": "#e7298a"}
_HATCHES = ("////", "\\\\\\\\", "xxx", "...", "+++", "---", "|||", "ooo")
_HATCH_COLOURS = ("#08306b", "#3f007d", "#00441b", "#252525", "#543005", "#003c30")
_TEXT_OUTLINE = [patheffects.withStroke(linewidth=2.5, foreground="white")]


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


def map_extent(result: RunResult, aspect: float) -> tuple[float, float, float, float]:
    """Bounds of sites, parks and the municipal boundary with a margin, widened to ``aspect`` (width/height)."""
    frames = [f for f in (result.sites, result.parks, result.layers.get("boundary")) if f is not None and not f.empty]
    if not frames:
        raise DataError("nothing to map: there are no candidate sites and no parks", source="sites")
    xmin, ymin, xmax, ymax = np.array([f.total_bounds for f in frames]).T
    xmin, ymin, xmax, ymax = xmin.min(), ymin.min(), xmax.max(), ymax.max()
    width, height = max(xmax - xmin, 100.0), max(ymax - ymin, 100.0)
    width, height = width * 1.12, height * 1.12
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _map_figure(result: RunResult, title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=A4_LANDSCAPE_IN, dpi=DPI)
    ax = fig.add_axes(MAP_AXES_BOX)
    aspect = (MAP_AXES_BOX[2] * A4_LANDSCAPE_IN[0]) / (MAP_AXES_BOX[3] * A4_LANDSCAPE_IN[1])
    xmin, ymin, xmax, ymax = map_extent(result, aspect)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#fbfbf8")
    fig.suptitle(
        f"{title}\nScenario: {result.scenario_name}", x=0.03, y=0.975, ha="left", fontsize=14, fontweight="bold"
    )
    fig.text(
        MAP_AXES_BOX[0],
        MAP_AXES_BOX[1] - 0.025,
        "Coordinates: RD New (EPSG:28992), metres",
        fontsize=8,
        color="#555555",
        va="top",
    )
    _draw_context(ax, result)
    _draw_scale_bar(ax)
    _draw_north_arrow(ax)
    _draw_notice(fig, result)
    return fig, ax


def _draw_context(ax: Axes, result: RunResult) -> None:
    """Natura 2000, NNN, roads and park outlines with names, below the sites."""
    layers = result.layers
    if "boundary" in layers and not layers["boundary"].empty:
        layers["boundary"].boundary.plot(ax=ax, color="#555555", linewidth=1.6, linestyle="-.", zorder=2)
    if "natura2000" in layers and not layers["natura2000"].empty:
        layers["natura2000"].plot(ax=ax, facecolor="#a6d96a", edgecolor="#1a9641", alpha=0.45, linewidth=0.8, zorder=1)
    if "nnn" in layers and not layers["nnn"].empty:
        layers["nnn"].plot(
            ax=ax, facecolor="#d9f0a3", edgecolor="#78c679", alpha=0.6, linewidth=0.8, linestyle="--", zorder=1
        )
    if "roads" in layers and not layers["roads"].empty:
        roads = layers["roads"]
        classes = roads["road_class"] if "road_class" in roads else pd.Series("local", roads.index)
        for road_class, (width, colour) in _ROAD_STYLE.items():
            subset = roads[classes == road_class]
            if not subset.empty:
                subset.plot(ax=ax, color=colour, linewidth=width, zorder=2)
    if not result.parks.empty:
        result.parks.plot(ax=ax, facecolor="none", edgecolor="#222222", linewidth=1.3, zorder=3)
        label_column = "name" if "name" in result.parks else "park_id"
        for point, label in zip(result.parks.representative_point(), result.parks[label_column]):
            ax.annotate(
                str(label),
                (point.x, point.y),
                xytext=(0, 14),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                style="italic",
                color="#222222",
                path_effects=_TEXT_OUTLINE,
                zorder=6,
            )


def _context_handles(result: RunResult) -> list[Patch | Line2D]:
    handles: list[Patch | Line2D] = [Patch(facecolor="none", edgecolor="#222222", linewidth=1.3, label="business park")]
    if "boundary" in result.layers and not result.layers["boundary"].empty:
        handles.append(Line2D([], [], color="#555555", linewidth=1.6, linestyle="-.", label="municipal boundary"))
    if "natura2000" in result.layers and not result.layers["natura2000"].empty:
        handles.append(Patch(facecolor="#a6d96a", edgecolor="#1a9641", alpha=0.45, label="Natura 2000"))
    if "nnn" in result.layers and not result.layers["nnn"].empty:
        handles.append(
            Patch(facecolor="#d9f0a3", edgecolor="#78c679", linestyle="--", label="Natuurnetwerk Nederland (NNN)")
        )
    roads = result.layers.get("roads")
    if roads is not None and "road_class" in roads:
        present = set(roads["road_class"].astype(str))
        for road_class, (width, colour) in _ROAD_STYLE.items():
            if road_class in present:
                handles.append(Line2D([], [], color=colour, linewidth=width, label=f"road: {road_class}"))
    return handles


def _draw_scale_bar(ax: Axes) -> None:
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
            zorder=7,
        )
    )
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 2, y0), length / 2, bar, facecolor=colour, edgecolor="black", linewidth=0.8, zorder=8
            )
        )
    unit = 1000 if length >= 1000 else 1
    for offset, text in ((0, "0"), (length / 2, f"{length / 2 / unit:g}"), (length, format_distance(length))):
        ax.text(x0 + offset, y0 + bar + 0.012 * height, text, ha="center", va="bottom", fontsize=8, zorder=8)
    ax.text(x0 + length / 2, y0 - 0.008 * height, "scale", ha="center", va="top", fontsize=7, color="#555555", zorder=8)


def _draw_north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.955, 0.95),
        xytext=(0.955, 0.85),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 12},
        zorder=8,
    )


def notice_text(result: RunResult) -> str | None:
    """The notice naming the schematic layers; the blanket notice when the layers do not say which."""
    if not result.schematic:
        return None
    return schematic_notice(result.layers) or SCHEMATIC_NOTICE


def _draw_notice(fig: Figure, result: RunResult) -> None:
    text = notice_text(result)
    if text:
        fig.text(
            0.5,
            0.012,
            text,
            ha="center",
            va="bottom",
            fontsize=12,
            fontweight="bold",
            color="#b00000",
            bbox={"facecolor": "#fff0f0", "edgecolor": "#b00000", "boxstyle": "round,pad=0.4"},
        )


def _legend(ax: Axes, handles: Sequence[Patch | Line2D], title: str) -> None:
    ax.legend(
        handles=list(handles),
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=8,
        title_fontsize=9,
        frameon=True,
        borderaxespad=0.0,
    )


def _label_sites(ax: Axes, sites: gpd.GeoDataFrame, labels: Sequence[str]) -> None:
    for point, label in zip(sites.representative_point(), labels):
        ax.annotate(
            label,
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            path_effects=_TEXT_OUTLINE,
            zorder=6,
        )


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, format="png")
    return path


def _finish_map(fig: Figure, ax: Axes, handles: Sequence[Patch | Line2D], path: Path) -> Path:
    """Add the legend, drop the axis labels GeoPandas sets (the caption names the CRS), save."""
    _legend(ax, handles, "Legend")
    ax.set_xlabel("")
    ax.set_ylabel("")
    return _save(fig, path)


def period_labels(periods: Sequence[str]) -> list[str]:
    """``up to 2030``, ``2031–2040``: each period runs from the year after the previous one."""
    labels = []
    for i, period in enumerate(periods):
        previous = periods[i - 1] if i else None
        if previous is not None and previous.isdigit() and period.isdigit():
            labels.append(f"{int(previous) + 1}–{period}")
        else:
            labels.append(f"up to {period}")
    return labels


def _sites_word(count: int) -> str:
    return f"{count} site" if count == 1 else f"{count} sites"


def suitability_map(result: RunResult, path: Path) -> Path:
    """Ranked sites coloured by score; excluded sites grey and hatched."""
    fig, ax = _map_figure(result, "Suitability of candidate sites")
    sites = result.sites
    excluded = sites["excluded"].astype(bool)
    ranked = sites[~excluded & sites["score"].notna()]
    scores = ranked["score"].astype(float)
    low, high = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
    norm = Normalize(vmin=low, vmax=high if high > low else low + 1e-9)
    cmap = colormaps["viridis"]
    if not ranked.empty:
        ranked.plot(ax=ax, color=[cmap(norm(s)) for s in scores], edgecolor="black", linewidth=0.6, zorder=4)
        top = ranked.sort_values("rank", kind="mergesort").head(MAX_SITE_LABELS)
        _label_sites(ax, top, [f"#{int(r)}" for r in top["rank"]])
    if excluded.any():
        sites[excluded].plot(ax=ax, facecolor="#d9d9d9", edgecolor="#7f7f7f", hatch="xxx", linewidth=0.6, zorder=4)
    handles = [
        *_context_handles(result),
        Patch(facecolor="#d9d9d9", edgecolor="#7f7f7f", hatch="xxx", label="excluded site (see exclusions map)"),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="$\\#1$",
            color="black",
            markersize=9,
            label=f"rank (top {MAX_SITE_LABELS} labelled)",
        ),
    ]
    cax = fig.add_axes((0.72, 0.16, 0.22, 0.025))
    colorbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
    colorbar.set_label("weighted score of ranked sites (higher is better)", fontsize=8)
    colorbar.ax.tick_params(labelsize=7)
    return _finish_map(fig, ax, handles, path)


def exclusions_map(result: RunResult, path: Path) -> Path:
    """Excluded sites in red, hatched per exclusion criterion; sector-only exclusions outlined."""
    fig, ax = _map_figure(result, "Exclusions: sites that cannot be used")
    sites = result.sites
    excluded = sites["excluded"].astype(bool)
    sites[~excluded].plot(ax=ax, facecolor="white", edgecolor="#555555", linewidth=0.7, zorder=4)
    handles = [
        *_context_handles(result),
        Patch(facecolor="white", edgecolor="#555555", label="candidate site, not excluded"),
    ]
    if excluded.any():
        sites[excluded].plot(ax=ax, facecolor="#ef3b2c", alpha=0.6, edgecolor="#a50f15", linewidth=1.0, zorder=4)
        handles.append(Patch(facecolor="#ef3b2c", alpha=0.6, edgecolor="#a50f15", label="excluded for all sectors"))
    rows = tables.exclusions_table(result)
    general = rows[rows["sector"].astype(str) == ALL_SECTORS]
    for i, criterion in enumerate(sorted(general["criterion"].astype(str).unique())):
        ids = set(general.loc[general["criterion"].astype(str) == criterion, "site_id"])
        subset = sites[sites["site_id"].isin(ids)]
        hatch = _HATCHES[i % len(_HATCHES)]
        colour = _HATCH_COLOURS[i % len(_HATCH_COLOURS)]
        subset.plot(ax=ax, facecolor="none", edgecolor=colour, hatch=hatch, linewidth=0.0, zorder=5)
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=colour,
                hatch=hatch,
                label=f"criterion: {criterion} ({_sites_word(len(subset))})",
            )
        )
    partial_ids = set(rows.loc[rows["sector"].astype(str) != ALL_SECTORS, "site_id"]) - set(
        sites.loc[excluded, "site_id"]
    )
    if partial_ids:
        sites[sites["site_id"].isin(partial_ids)].plot(
            ax=ax, facecolor="none", edgecolor="#ff7f00", linewidth=2.0, linestyle="--", zorder=5
        )
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="#ff7f00",
                linestyle="--",
                linewidth=2.0,
                label="excluded for some sectors only",
            )
        )
    # Only the sites closed to every sector are labelled: they are few and they matter most;
    # labelling every sector-only exclusion too would bury the map in text.
    flagged = sites[excluded]
    _label_sites(ax, flagged, [str(s) for s in flagged["site_id"]])
    if partial_ids:
        handles.append(Patch(facecolor="none", edgecolor="none", label="labels: sites excluded for all sectors"))
    return _finish_map(fig, ax, handles, path)


def _sector_colours(result: RunResult) -> dict[str, tuple[float, ...]]:
    sectors = tables.sector_order([*result.segments["sector"], *result.allocation["sector"]])
    palette = colormaps["tab10"]
    return {sector: palette(i % 10) for i, sector in enumerate(sectors)}


def allocation_map(result: RunResult, path: Path) -> Path:
    """Sites that receive land, coloured by their main sector and labelled with hectares."""
    fig, ax = _map_figure(result, "Allocation of the demand to sites")
    sites = result.sites
    per_sector = tables.allocated_by_site_and_sector(result)
    allocated_ids = set(per_sector.index[per_sector.sum(axis=1) > 0]) if not per_sector.empty else set()
    rest = sites[~sites["site_id"].isin(allocated_ids)]
    rest.plot(ax=ax, facecolor="white", edgecolor="#777777", linewidth=0.6, zorder=4)
    handles = [
        *_context_handles(result),
        Patch(facecolor="white", edgecolor="#777777", label="candidate, nothing allocated"),
    ]
    colours = _sector_colours(result)
    if allocated_ids:
        receiving = sites[sites["site_id"].isin(allocated_ids)].copy()
        totals = per_sector.sum(axis=1)
        main = per_sector.idxmax(axis=1)
        receiving.plot(
            ax=ax,
            color=[colours[main[s]] for s in receiving["site_id"]],
            edgecolor="black",
            linewidth=0.7,
            alpha=0.85,
            zorder=4,
        )
        _label_sites(ax, receiving, [f"{s}\n{totals[s]:.1f} ha" for s in receiving["site_id"]])
        for sector in tables.sector_order(main.unique()):
            handles.append(
                Patch(
                    facecolor=colours[sector], edgecolor="black", alpha=0.85, label=f"mostly {sector.replace('_', ' ')}"
                )
            )
    total = float(result.allocation["hectares"].sum())
    handles.append(Line2D([], [], linestyle="none", label=f"label: site id and allocated ha (total {total:.1f} ha)"))
    return _finish_map(fig, ax, handles, path)


def _chart_figure(result: RunResult, title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=CHART_SIZE_IN, dpi=DPI)
    ax = fig.add_axes((0.08, 0.17, 0.58, 0.70))
    fig.suptitle(
        f"{title}\nScenario: {result.scenario_name}", x=0.08, y=0.97, ha="left", fontsize=12, fontweight="bold"
    )
    ax.set_ylabel("hectares")
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    _draw_notice(fig, result)
    return fig, ax


def demand_chart(result: RunResult, path: Path) -> Path:
    """Demand per period, stacked by sector, with the total on top of each bar."""
    fig, ax = _chart_figure(result, "Demand for business land by sector and period")
    demand = tables.demand_by_sector(result)
    colours = _sector_colours(result)
    periods = list(demand.columns)
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for sector, values in demand.iterrows():
        ax.bar(
            x,
            values.to_numpy(),
            0.55,
            bottom=bottom,
            color=colours[str(sector)],
            edgecolor="white",
            label=str(sector).replace("_", " "),
        )
        bottom += values.to_numpy()
    for xi, total in zip(x, bottom):
        ax.text(xi, total, f"{total:.1f} ha", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, period_labels(periods))
    ax.set_ylim(0, max(bottom.max(), 1.0) * 1.15)
    ax.legend(title="sector", loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    return _save(fig, path)


def allocation_chart(result: RunResult, path: Path) -> Path:
    """Per period: demand next to what was allocated (stacked by site kind) plus shortfall."""
    fig, ax = _chart_figure(result, "Allocated land by site kind versus demand")
    periods = tables.periods_of(result)
    demand = tables.demand_by_sector(result).sum(axis=0).reindex(periods, fill_value=0.0)
    by_kind = tables.allocation_by_kind(result).reindex(columns=periods, fill_value=0.0)
    shortfall = tables.shortfall_table(result)
    short = shortfall.groupby("period")["hectares"].sum().reindex(periods, fill_value=0.0)
    x = np.arange(len(periods))
    width = 0.36
    ax.bar(x - width / 2 - 0.02, demand.to_numpy(), width, color="#bdbdbd", edgecolor="#636363", label="demand")
    bottom = np.zeros(len(periods))
    palette = colormaps["Set2"]
    for i, (kind, values) in enumerate(by_kind.iterrows()):
        colour = _KIND_COLOURS.get(str(kind), palette(i % 8))
        ax.bar(
            x + width / 2 + 0.02,
            values.to_numpy(),
            width,
            bottom=bottom,
            color=colour,
            edgecolor="white",
            label=f"allocated: {str(kind).replace('_', ' ')}",
        )
        bottom += values.to_numpy()
    ax.bar(
        x + width / 2 + 0.02,
        short.to_numpy(),
        width,
        bottom=bottom,
        facecolor="white",
        edgecolor="#cb181d",
        hatch="///",
        label="shortfall (not placed)",
    )
    for xi, placed, missing, needed in zip(x, bottom, short.to_numpy(), demand.to_numpy()):
        ax.text(xi - width / 2 - 0.02, needed, f"{needed:.1f} needed", ha="center", va="bottom", fontsize=8)
        ax.text(xi + width / 2 + 0.02, placed + missing, f"{placed:.1f} placed", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, period_labels(periods))
    top = max(float(demand.max()) if len(demand) else 0.0, float((bottom + short).max()) if len(periods) else 0.0, 1.0)
    ax.set_ylim(0, top * 1.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    return _save(fig, path)


def write_maps(result: RunResult, out_dir: Path) -> list[Path]:
    """Write the three maps and two charts into ``out_dir``; returns their paths in order."""
    writers = (suitability_map, exclusions_map, allocation_map, demand_chart, allocation_chart)
    return [write(result, out_dir / name) for write, name in zip(writers, (*MAP_FILES, *CHART_FILES), strict=True)]


WRITER = OutputWriter(
    name="maps",
    files=", ".join((*MAP_FILES, *CHART_FILES)),
    write=lambda folder: write_maps(folder.result, folder.out_dir),
)
