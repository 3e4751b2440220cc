"""Charts of one run as PNG.

Demand, allocation against demand, rank acceptability (heatmap) and the weight stability of
the top five.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mca.app.i18n import Language
from mca.app.reports import robustness, tables
from mca.app.reports.cartography import notice_text, save
from mca.app.reports.reuse import (
    acceptability_view,
    allocation_chart_view,
    demand_view,
    drawn_from,
    stability_view,
)
from mca.app.results import RunResult

CHART_FILES = ("chart_demand.png", "chart_allocation.png", "chart_acceptability.png", "chart_stability.png")
CHART_SIZE_IN = (9.0, 4.6)
KIND_COLOURS = {"available_plot": "#1b9e77", "intensification": "#7570b3", "expansion": "#d95f02", "user": "#e7298a"}
HEATMAP_SITES = 15
HEATMAP_RANKS = 10


def _chart(
    result: RunResult, lang: Language, title: str, size: tuple[float, float] = CHART_SIZE_IN
) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=110)
    ax = fig.add_axes((0.08, 0.15, 0.58, 0.68))
    fig.suptitle(
        f"{title}\n{lang('scenario')}: {result.scenario_name}",
        x=0.02,
        y=0.98,
        ha="left",
        fontsize=11,
        fontweight="bold",
    )
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    text = notice_text(result, lang)
    if text:
        fig.text(0.5, 0.01, text, ha="center", va="bottom", fontsize=8, fontweight="bold", color="#b00000")
    return fig, ax


def demand_chart(result: RunResult, path: Path, lang: Language, colours: Mapping[str, object]) -> Path:
    """Demand per period, stacked by sector, with the total on top of each bar."""
    fig, ax = _chart(result, lang, lang("chart.demand"))
    demand = tables.demand_by_sector(result)
    periods = list(demand.columns)
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for sector, values in demand.iterrows():
        ax.bar(
            x,
            values.to_numpy(),
            0.55,
            bottom=bottom,
            color=colours.get(str(sector), "#999999"),
            edgecolor="white",
            label=lang.name("sector", sector),
        )
        bottom += values.to_numpy()
    for xi, total in zip(x, bottom):
        ax.text(float(xi), total, lang.ha(total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, lang.periods(periods))
    ax.set_ylabel(lang("hectares"))
    ax.set_ylim(0, max(bottom.max() if len(bottom) else 0.0, 1.0) * 1.15)
    ax.legend(title=lang("col.sector"), loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
    save(fig, path)
    return path


def allocation_chart(result: RunResult, path: Path, lang: Language) -> Path:
    """Per period: demand next to what was allocated (stacked by site kind) plus shortfall."""
    fig, ax = _chart(result, lang, lang("chart.allocation"))
    periods = tables.periods_of(result)
    demand = tables.demand_by_sector(result).sum(axis=0).reindex(periods, fill_value=0.0)
    by_kind = tables.allocation_by_kind(result).reindex(columns=periods, fill_value=0.0)
    short = tables.shortfall_table(result).groupby("period")["hectares"].sum().reindex(periods, fill_value=0.0)
    x, width = np.arange(len(periods)), 0.36
    ax.bar(
        x - width / 2 - 0.02,
        demand.to_numpy(),
        width,
        color="#bdbdbd",
        edgecolor="#636363",
        label=lang("chart.demand_bar"),
    )
    bottom = np.zeros(len(periods))
    for kind, values in by_kind.iterrows():
        ax.bar(
            x + width / 2 + 0.02,
            values.to_numpy(),
            width,
            bottom=bottom,
            color=KIND_COLOURS.get(str(kind), "#999999"),
            edgecolor="white",
            label=lang("chart.allocated", kind=lang.name("kind", kind)),
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
        label=lang("chart.shortfall"),
    )
    _bar_labels(ax, lang, x, width, demand.to_numpy(), bottom, short.to_numpy())
    ax.set_xticks(x, lang.periods(periods))
    ax.set_ylabel(lang("hectares"))
    top = max(float(demand.max()) if len(demand) else 0.0, float((bottom + short).max()) if len(periods) else 0.0, 1.0)
    ax.set_ylim(0, top * 1.18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
    save(fig, path)
    return path


def _bar_labels(
    ax: Axes, lang: Language, x: np.ndarray, width: float, needed: np.ndarray, placed: np.ndarray, missing: np.ndarray
) -> None:
    """Hectares needed above the demand bars, hectares placed above the allocation bars."""
    for xi, need, put, miss in zip(x, needed, placed, missing):
        ax.text(
            xi - width / 2 - 0.02,
            need,
            lang("chart.needed", value=lang.number(need)),
            ha="center",
            va="bottom",
            fontsize=7,
        )
        ax.text(
            xi + width / 2 + 0.02,
            put + miss,
            lang("chart.placed", value=lang.number(put)),
            ha="center",
            va="bottom",
            fontsize=7,
        )


def acceptability_chart(result: RunResult, path: Path, lang: Language) -> Path:
    """Heatmap sites × ranks of the SMAA rank acceptability (the sites most often first on top)."""
    fig, ax = _chart(result, lang, lang("chart.acceptability"), (9.0, 5.6))
    ax.set_position((0.30, 0.12, 0.62, 0.72))
    ax.grid(False)
    frame = result.acceptability
    if frame is None or frame.empty:
        ax.set_axis_off()
        save(fig, path)
        return path
    frame = frame.iloc[:, :HEATMAP_RANKS]
    order = frame.sort_values(list(frame.columns), ascending=False, kind="mergesort").head(HEATMAP_SITES)
    names = result.sites.set_index("site_id")["name"] if "name" in result.sites else None
    labels = [str(names.get(s, s)) if names is not None else str(s) for s in order.index]
    image = ax.imshow(order.to_numpy(dtype=float), cmap=colormaps["Blues"], vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(order.to_numpy(dtype=float)):
        if value >= 0.005:
            ax.text(
                j,
                i,
                lang.percent(value),
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if value > 0.55 else "#222222",
            )
    ax.set_xticks(range(order.shape[1]), [str(c) for c in order.columns], fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel(lang("chart.rank"))
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02).ax.tick_params(labelsize=7)
    save(fig, path)
    return path


def stability_chart(result: RunResult, path: Path, lang: Language) -> Path:
    """Per criterion a bar over the weight range that keeps the top five, the current weight marked."""
    k = robustness.TOP_K
    fig, ax = _chart(result, lang, lang("chart.stability", k=k))
    ax.set_position((0.25, 0.15, 0.70, 0.68))
    table = robustness.stability(result)
    ax.grid(axis="x", color="#dddddd")
    ax.grid(axis="y", visible=False)
    for i, row in enumerate(table.itertuples(index=False)):
        ax.barh(
            i,
            row.upper - row.lower,
            left=row.lower,
            height=0.5,
            color="#9ecae1",
            edgecolor="#3182bd",
            label=lang("chart.stability_range", k=k) if i == 0 else None,
        )
        ax.plot(
            [row.weight],
            [i],
            marker="|",
            markersize=16,
            markeredgewidth=2.5,
            color="#08306b",
            label=lang("chart.stability_now") if i == 0 else None,
        )
        ax.text(row.upper + 0.01, i, f"{lang.percent(row.lower)}–{lang.percent(row.upper)}", va="center", fontsize=7)
    ax.set_yticks(range(len(table)), [lang.name("criterion", c) for c in table["criterion"]], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(lang("chart.stability_x"))
    if len(table):
        ax.legend(loc="lower right", fontsize=7)
    save(fig, path)
    return path


def chart_drawings(
    result: RunResult, out_dir: Path, lang: Language, colours: Mapping[str, object]
) -> list[Callable[[], Path]]:
    """The four charts, each a function drawing one file, in `CHART_FILES` order."""
    return [
        partial(drawn_from, demand_view, demand_chart, result, out_dir / CHART_FILES[0], lang, dict(colours)),
        partial(drawn_from, allocation_chart_view, allocation_chart, result, out_dir / CHART_FILES[1], lang),
        partial(drawn_from, acceptability_view, acceptability_chart, result, out_dir / CHART_FILES[2], lang),
        partial(drawn_from, stability_view, stability_chart, result, out_dir / CHART_FILES[3], lang),
    ]
