"""Maps of one run as PNG (matplotlib, Agg, 120 dpi, A4 landscape).

The answer map, allocation, suitability, exclusions and one small map per criterion.

Figures are built with ``matplotlib.figure.Figure`` directly, so no pyplot state or global
backend is touched. Sites carry numbered markers explained in a table beside the map (see
`mca.app.reports.cartography`); the numbers of the allocation map are those of the report.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mca.app.i18n import Language, language_of
from mca.app.reports import charts, tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.cartography import (
    USER_EDGE,
    anchors,
    context_handles,
    format_distance,
    legend,
    map_figure,
    marker,
    notice_text,
    place_park_names,
    save,
    scale_bar_length,
    site_table,
)
from mca.app.reports.reuse import (
    allocation_view,
    criteria_view,
    drawn_from,
    exclusions_view,
    suitability_view,
)
from mca.app.results import RunResult
from mca.core.vocabulary import ALL_SECTORS

__all__ = ["MAP_FILES", "format_distance", "notice_text", "period_labels", "scale_bar_length", "write_maps"]

MAP_FILES = ("map_answer.png", "map_allocation.png", "map_suitability.png", "map_exclusions.png", "map_criteria.png")
ANSWER_SIZE_IN = (6.4, 5.6)
ANSWER_BOX = (0.02, 0.09, 0.96, 0.84)
MAX_NUMBERED = 20
EXCLUDED_STYLE: dict[str, Any] = {"facecolor": "#d9d9d9", "edgecolor": "#7f7f7f", "hatch": "xxx", "linewidth": 0.5}
SECTOR_PALETTE = "tab10"


def period_labels(periods: list[str], lang: Language | None = None) -> list[str]:
    """``up to 2030``, ``2031–2040`` (in the output language; English by default)."""
    return (lang or Language("en")).periods(periods)


def _by_area(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Largest first, so that nested smaller sites are drawn on top and stay visible."""
    return sites.assign(_area=sites.geometry.area).sort_values("_area", ascending=False, kind="mergesort")


def _outline_user_sites(sites: gpd.GeoDataFrame, ax: object) -> None:
    user = sites[sites["kind"].astype(str) == "user"] if "kind" in sites else sites.iloc[0:0]
    if not user.empty:
        user.boundary.plot(ax=ax, color=USER_EDGE, linewidth=1.8, linestyle=(0, (3, 1.5)), zorder=6)


def _site_label(row: pd.Series, lang: Language, extra: str = "") -> str:
    kind = str(row.get("kind", ""))
    team = f" ({lang.name('kind', 'user')})" if kind == "user" else ""
    return f"{row.get('name', row['site_id'])}{team}{extra}"


def _user_handle(sites: gpd.GeoDataFrame, lang: Language) -> list[Patch | Line2D]:
    if "kind" in sites and (sites["kind"].astype(str) == "user").any():
        return [Line2D([], [], color=USER_EDGE, linewidth=1.8, linestyle=(0, (3, 1.5)), label=lang("map.user_site"))]
    return []


def _numbered(ax: object, placer: object, sites: gpd.GeoDataFrame, colour: str = "white") -> None:
    for number, anchor in enumerate(anchors(sites), start=1):
        marker(ax, placer, anchor, number, colour)  # type: ignore[arg-type]


def suitability_map(result: RunResult, path: Path, lang: Language) -> Path:
    """Ranked sites coloured by score, the top numbered by rank; excluded sites grey and hatched."""
    fig, ax, placer = map_figure(result, lang, lang("map.suitability"))
    sites = _by_area(result.sites)
    excluded = sites["excluded"].astype(bool)
    ranked = sites[~excluded & sites["rank"].notna()]
    scores = ranked["score"].astype(float)
    low, high = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
    norm = Normalize(vmin=low, vmax=high if high > low else low + 1e-9)
    cmap = colormaps["viridis"]
    if excluded.any():
        sites[excluded].plot(ax=ax, zorder=4, **EXCLUDED_STYLE)
    if not ranked.empty:
        ranked.plot(ax=ax, color=[cmap(norm(s)) for s in scores], edgecolor="black", linewidth=0.5, zorder=5)
    _outline_user_sites(sites, ax)
    top = ranked.sort_values("rank", kind="mergesort").head(MAX_NUMBERED)
    for anchor, rank in zip(anchors(top), top["rank"]):
        marker(ax, placer, anchor, int(rank))
    place_park_names(ax, placer, result)
    handles = [
        *context_handles(result, lang),
        Patch(label=lang("map.excluded_grey"), **EXCLUDED_STYLE),
        *_user_handle(sites, lang),
        _marker_handle("white", lang("map.marker_rank")),
    ]
    legend(fig, handles, lang)
    site_table(fig, [(str(int(r["rank"])), _site_label(r, lang)) for _, r in top.iterrows()], lang)
    cax = fig.add_axes((0.635, 0.13, 0.16, 0.02))
    colorbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
    colorbar.set_label(lang("map.score_bar"), fontsize=7)
    colorbar.ax.tick_params(labelsize=6)
    save(fig, path)
    return path


def _marker_handle(facecolor: str, label: str) -> Line2D:
    """The legend entry of the numbered site markers."""
    return Line2D(
        [], [], linestyle="none", marker="o", markersize=8, markerfacecolor=facecolor, color="#222222", label=label
    )


def exclusions_map(result: RunResult, path: Path, lang: Language) -> Path:
    """Sites closed to every sector in red and numbered; sites closed to some sectors outlined orange."""
    fig, ax, placer = map_figure(result, lang, lang("map.exclusions"))
    sites = _by_area(result.sites)
    excluded = sites["excluded"].astype(bool)
    rows = tables.exclusions_table(result)
    partial_ids = set(rows.loc[rows["sector"].astype(str) != ALL_SECTORS, "site_id"]) - set(
        sites.loc[excluded, "site_id"]
    )
    partial = sites["site_id"].isin(partial_ids)
    sites[~excluded & ~partial].plot(ax=ax, facecolor="white", edgecolor="#555555", linewidth=0.6, zorder=4)
    if partial.any():
        sites[partial].plot(ax=ax, facecolor="#fff2e0", edgecolor="#e66101", linewidth=1.4, linestyle="--", zorder=5)
    flagged = sites[excluded].sort_values("site_id", kind="mergesort")
    if not flagged.empty:
        flagged.plot(ax=ax, facecolor="#ef3b2c", alpha=0.65, edgecolor="#a50f15", linewidth=0.9, zorder=6)
    _outline_user_sites(sites, ax)
    _numbered(ax, placer, flagged, "#fde0dd")
    place_park_names(ax, placer, result)
    handles = [
        *context_handles(result, lang),
        Patch(facecolor="white", edgecolor="#555555", label=lang("map.candidate")),
        Patch(facecolor="#fff2e0", edgecolor="#e66101", linestyle="--", label=lang("map.partial")),
        Patch(facecolor="#ef3b2c", alpha=0.65, edgecolor="#a50f15", label=lang("map.excluded_grey")),
        *_user_handle(sites, lang),
        _marker_handle("#fde0dd", lang("map.marker_site")),
    ]
    legend(fig, handles, lang)
    criteria_by_site = rows.groupby("site_id")["criterion"].agg(
        lambda c: ", ".join(lang.name("criterion", x) for x in sorted(set(c.astype(str))))
    )
    table = [
        (str(i), _site_label(r, lang, f"\t: {criteria_by_site.get(r['site_id'], '')}"))
        for i, (_, r) in enumerate(flagged.iterrows(), start=1)
    ]
    site_table(fig, table, lang)
    save(fig, path)
    return path


def sector_colours(result: RunResult) -> dict[str, Any]:
    """A colour per sector, in sector order (shared by the allocation map and the charts)."""
    sectors = tables.sector_order([*result.segments["sector"], *result.allocation.get("sector", [])])
    palette = colormaps[SECTOR_PALETTE]
    return {sector: palette(i % 10) for i, sector in enumerate(sectors)}


def allocation_map(result: RunResult, path: Path, lang: Language) -> Path:
    """Sites that receive land coloured by their main sector, numbered as in the report."""
    fig, ax, placer = map_figure(result, lang, lang("map.allocation"))
    sites = _by_area(result.sites)
    by_site = tables.allocation_by_site(result)
    per_sector = tables.allocated_by_site_and_sector(result)
    receiving_ids = list(by_site["site_id"])
    rest = sites[~sites["site_id"].isin(receiving_ids)]
    rest.plot(ax=ax, facecolor="white", edgecolor="#888888", linewidth=0.5, zorder=4)
    colours = sector_colours(result)
    handles = [
        *context_handles(result, lang),
        Patch(facecolor="white", edgecolor="#888888", label=lang("map.not_allocated")),
    ]
    if receiving_ids:
        main = per_sector.idxmax(axis=1)
        receiving = sites[sites["site_id"].isin(receiving_ids)]
        receiving.plot(
            ax=ax,
            color=[colours[main[s]] for s in receiving["site_id"]],
            edgecolor="black",
            linewidth=0.7,
            alpha=0.9,
            zorder=5,
        )
        ordered = receiving.set_index("site_id").loc[receiving_ids].reset_index()
        _numbered(ax, placer, gpd.GeoDataFrame(ordered, geometry="geometry", crs=sites.crs))
        for sector in tables.sector_order(main.unique()):
            handles.append(
                Patch(
                    facecolor=colours[sector],
                    edgecolor="black",
                    alpha=0.9,
                    label=lang("map.mostly", sector=lang.name("sector", sector)),
                )
            )
    _outline_user_sites(sites, ax)
    place_park_names(ax, placer, result)
    handles += _user_handle(sites, lang)
    legend(fig, handles, lang)
    table = [
        (str(i), _site_label(r, lang, f"\t — {lang.ha(r['total'])}"))
        for i, (_, r) in enumerate(by_site.iterrows(), start=1)
    ]
    site_table(fig, table, lang)
    save(fig, path)
    return path


def answer_map(result: RunResult, path: Path, lang: Language) -> Path:
    """The map of the report's first screen: zoomed to the sites that receive land, numbered as there."""
    by_site = tables.allocation_by_site(result)
    receiving_ids = list(by_site["site_id"])
    sites = _by_area(result.sites)
    receiving = sites[sites["site_id"].isin(receiving_ids)]
    fig, ax, placer = map_figure(
        result, lang, lang("map.allocation"), size=ANSWER_SIZE_IN, box=ANSWER_BOX, focus=receiving
    )
    sites[~sites["site_id"].isin(receiving_ids)].plot(
        ax=ax, facecolor="white", edgecolor="#999999", linewidth=0.4, zorder=4
    )
    handles: list[Patch | Line2D] = []
    if receiving_ids:
        colours = sector_colours(result)
        main = tables.allocated_by_site_and_sector(result).idxmax(axis=1)
        receiving.plot(
            ax=ax, color=[colours[main[s]] for s in receiving["site_id"]], edgecolor="black", linewidth=0.7, zorder=5
        )
        ordered = receiving.set_index("site_id").loc[receiving_ids].reset_index()
        _numbered(ax, placer, gpd.GeoDataFrame(ordered, geometry="geometry", crs=sites.crs))
        handles = [
            Patch(facecolor=colours[s], edgecolor="black", label=lang("map.mostly", sector=lang.name("sector", s)))
            for s in tables.sector_order(main.unique())
        ]
    _outline_user_sites(sites, ax)
    place_park_names(ax, placer, result)
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9)
    save(fig, path)
    return path


def criteria_map(result: RunResult, path: Path, lang: Language) -> Path:
    """One small map per ranking criterion: each site's value score (0 worst, 1 best).

    The panels do not name the weights (the report's criteria table does): value scores do not
    depend on them, so a change of weights reuses this map (`mca.app.reports.reuse`).
    """
    names = [c for c in tables.criterion_names(result) if f"vs_{c}" in result.ranking.columns]
    columns = max(1, min(3, len(names)))
    rows = max(1, math.ceil(len(names) / columns))
    fig = Figure(figsize=(11.69, 3.6 * rows + 1.0), dpi=110)
    fig.suptitle(
        f"{lang('map.criteria')}\n{lang('scenario')}: {result.scenario_name}",
        x=0.02,
        y=0.99,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    values = result.sites[["site_id", "geometry", "excluded"]].merge(
        result.ranking[["site_id", *[f"vs_{c}" for c in names]]], on="site_id", how="left"
    )
    values = _by_area(gpd.GeoDataFrame(values, geometry="geometry", crs=result.sites.crs))
    cmap, norm = colormaps["viridis"], Normalize(0.0, 1.0)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, columns, i + 1)
        _criterion_panel(ax, result, values, name, cmap, norm)
        ax.set_title(lang.name("criterion", name), fontsize=9)  # no weight: the map does not change with them
    fig.subplots_adjust(
        left=0.02,
        right=0.98,
        top=1 - 0.9 / fig.get_figheight(),
        bottom=0.9 / fig.get_figheight(),
        wspace=0.05,
        hspace=0.18,
    )
    cax = fig.add_axes((0.35, 0.25 / fig.get_figheight(), 0.3, 0.12 / fig.get_figheight()))
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal").ax.tick_params(labelsize=7)
    text = notice_text(result, lang)
    if text:
        top = 1 - 0.12 / fig.get_figheight()  # beside the title: the colour bar has the foot of the figure
        shown = textwrap.fill(text, 60)
        fig.text(
            0.98,
            top,
            shown,
            ha="right",
            va="top",
            multialignment="right",
            fontsize=7,
            fontweight="bold",
            color="#b00000",
        )
    save(fig, path)
    return path


def _criterion_panel(
    ax: object, result: RunResult, values: gpd.GeoDataFrame, name: str, cmap: object, norm: Normalize
) -> None:
    from mca.app.reports.cartography import map_extent

    xmin, ymin, xmax, ymax = map_extent(result, 1.45)
    ax.set_xlim(xmin, xmax)  # type: ignore[attr-defined]
    ax.set_ylim(ymin, ymax)  # type: ignore[attr-defined]
    ax.set_aspect("equal")  # type: ignore[attr-defined]
    ax.set_axis_off()  # type: ignore[attr-defined]
    if "boundary" in result.layers and not result.layers["boundary"].empty:
        result.layers["boundary"].boundary.plot(ax=ax, color="#666666", linewidth=0.8, linestyle="-.")
    if not result.parks.empty:
        result.parks.plot(ax=ax, facecolor="none", edgecolor="#444444", linewidth=0.5)
    column = values[f"vs_{name}"]
    shown = values[column.notna() & ~values["excluded"].astype(bool)]
    values[values["excluded"].astype(bool)].plot(ax=ax, facecolor="#e0e0e0", edgecolor="#aaaaaa", linewidth=0.3)
    if not shown.empty:
        shown.plot(ax=ax, color=[cmap(norm(v)) for v in shown[f"vs_{name}"]], edgecolor="#333333", linewidth=0.3)  # type: ignore[operator]


MAP_VIEWS: dict[str, tuple[Callable[..., Path], Callable[[RunResult], RunResult]]] = {
    "map_answer.png": (answer_map, allocation_view),
    "map_allocation.png": (allocation_map, allocation_view),
    "map_suitability.png": (suitability_map, suitability_view),
    "map_exclusions.png": (exclusions_map, exclusions_view),
    "map_criteria.png": (criteria_map, criteria_view),
}
"""Each map's drawing function and the view of the run it draws (`mca.app.reports.reuse`), by file, in file order."""
DRAWN_FILES = (*MAP_FILES, *charts.CHART_FILES)
"""Every file the maps writer draws, in writing order (the order of `drawings`; the report embeds them all)."""
AHEAD_FILES = (
    "chart_stability.png",
    "map_suitability.png",
    "map_criteria.png",
    "chart_acceptability.png",
    "map_exclusions.png",
)
"""The drawings whose views hold nothing of the allocation, in the order they are drawn ahead: those that change
with the weights first, the smaller first (CPU s, Heerlen: stability 0.08, suitability 0.35; the allocation takes
about 0.3 s, so the map is mostly finished while the writing has begun, and a writer finding the chart undrawn
at the end of its queue was the run's last 0.08 s), then those a change of weights reuses (criteria 0.25,
acceptability 0.16, exclusions 0.35: drawn when their data changed)."""


def drawings(result: RunResult, out_dir: Path) -> list[Callable[[], Path]]:
    """The maps and charts, each a function drawing one file, in `MAP_FILES` then `CHART_FILES` order."""
    lang = language_of(result.scenario)
    maps = [partial(drawn_from, view, draw, result, out_dir / name, lang) for name, (draw, view) in MAP_VIEWS.items()]
    return maps + charts.chart_drawings(result, out_dir, lang, sector_colours(result))


def write_maps(result: RunResult, out_dir: Path) -> list[Path]:
    """Write the maps and the charts into ``out_dir``; returns their paths in order."""
    return [draw() for draw in drawings(result, out_dir)]


WRITER = OutputWriter(
    name="maps",
    files=", ".join(DRAWN_FILES),
    write=lambda folder: write_maps(folder.result, folder.out_dir),
    independent=True,
    parts=lambda folder: drawings(folder.result, folder.out_dir),
    ahead=tuple(DRAWN_FILES.index(name) for name in AHEAD_FILES),
)
