"""The comparison of several scenarios (``mca compare``).

One full run folder per scenario, a map of the no-regret sites, a rank-change chart and a chart
of the hectares per site and scenario (both with site names), and ``comparison.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mca.app.compare import ScenarioComparison
from mca.app.i18n import Language, language_of
from mca.app.render_setup import report_template
from mca.app.reports import write_all
from mca.app.reports.cartography import anchors, legend, map_figure, marker, notice_text, save, site_table
from mca.app.reports.html import image_data_uri
from mca.app.reports.tables import safe_filename
from mca.app.results import RunResult

TEMPLATE_NAME = "comparison.html.j2"
RANK_CHART_SITES = 15
NO_REGRET_COLOUR = "#1a9850"
SOME_COLOUR = "#fee08b"
LABEL_HEIGHT_PT = 10.0
"""Vertical room of one site label of the rank chart (7 pt text with leading)."""


def _names(results: list[RunResult]) -> pd.Series:
    frames = [r.sites.set_index("site_id")["name"] for r in results if "name" in r.sites]
    names = pd.concat(frames) if frames else pd.Series(dtype=str)
    return names[~names.index.duplicated()]


def no_regret_map(comparison: ScenarioComparison, result: RunResult, path: Path, lang: Language) -> Path:
    """Sites chosen in at least the share of scenarios (green, numbered) and in some of them (yellow)."""
    share = lang.percent(comparison.share)
    fig, ax, placer = map_figure(result, lang, lang("compare.no_regret_map", share=share))
    chosen = comparison.allocated_ha.gt(1e-6).sum(axis=1)
    safe = list(comparison.no_regret.index)
    sites = result.sites
    sites[~sites["site_id"].isin(chosen.index[chosen > 0])].plot(
        ax=ax, facecolor="white", edgecolor="#999999", linewidth=0.4, zorder=4
    )
    some = sites[sites["site_id"].isin(chosen.index[chosen > 0]) & ~sites["site_id"].isin(safe)]
    if not some.empty:
        some.plot(ax=ax, facecolor=SOME_COLOUR, edgecolor="#555555", linewidth=0.6, zorder=5)
    ordered = sites.set_index("site_id").reindex([s for s in safe if s in set(sites["site_id"])]).reset_index()
    if not ordered.empty:
        ordered = ordered.set_geometry("geometry")
        ordered.plot(ax=ax, facecolor=NO_REGRET_COLOUR, edgecolor="black", linewidth=0.8, zorder=6)
        for number, anchor in enumerate(anchors(ordered), start=1):
            marker(ax, placer, anchor, number)
    legend(
        fig,
        [
            Patch(facecolor=NO_REGRET_COLOUR, edgecolor="black", label=lang("compare.no_regret_legend")),
            Patch(facecolor=SOME_COLOUR, edgecolor="#555555", label=lang("compare.other_chosen")),
        ],
        lang,
    )
    mean = comparison.no_regret.get("mean_allocated_ha", pd.Series(dtype=float))
    names = _names([result])
    site_table(
        fig,
        [(str(i), f"{names.get(s, s)}\t — {lang.ha(mean.get(s))}") for i, s in enumerate(ordered["site_id"], 1)],
        lang,
    )
    save(fig, path)
    return path


def rank_chart(comparison: ScenarioComparison, results: list[RunResult], path: Path, lang: Language) -> Path:
    """Rank of the best sites in each scenario, one line per site, labelled with its name."""
    ranks = comparison.ranks
    top = ranks.min(axis=1).sort_values(kind="mergesort").head(RANK_CHART_SITES).index
    fig = Figure(figsize=(9.0, 6.0), dpi=130)
    ax = fig.add_axes((0.08, 0.12, 0.55, 0.76))
    fig.suptitle(lang("compare.rank_chart"), x=0.02, y=0.98, ha="left", fontsize=11, fontweight="bold")
    x = np.arange(len(comparison.scenarios))
    names = _names(results)
    ends = []
    for site in top:
        values = ranks.loc[site, comparison.scenarios].astype(float).to_numpy()
        safe = site in comparison.no_regret.index
        ax.plot(x, values, marker="o", linewidth=2.2 if safe else 1.0, color=NO_REGRET_COLOUR if safe else "#888888")
        if np.isfinite(values[-1]):
            ends.append((values[-1], str(names.get(site, site)) + (" ★" if safe else "")))
    ax.invert_yaxis()
    low, high = sorted(ax.get_ylim())
    for y, label in _spread(sorted(ends), min_gap=(high - low) * LABEL_HEIGHT_PT / (ax.bbox.height * 72 / fig.dpi)):
        ax.text(x[-1] + 0.12, y, label, va="center", fontsize=7)
    ax.set_xticks(x, comparison.scenarios, rotation=15, fontsize=8)
    ax.set_ylabel(lang("chart.rank"))
    ax.grid(axis="y", color="#eeeeee")
    text = notice_text(results[0], lang)
    if text:
        fig.text(0.5, 0.01, text, ha="center", va="bottom", fontsize=7, fontweight="bold", color="#b00000")
    save(fig, path)
    return path


def site_labels(comparison: ScenarioComparison, site_ids: list[str]) -> list[str]:
    """Each site's name, with ★ before the no-regret sites."""
    safe = set(comparison.no_regret.index)
    return [("★ " if site in safe else "") + str(comparison.names.get(site, site)) for site in site_ids]


def allocation_chart(comparison: ScenarioComparison, result: RunResult, path: Path, lang: Language) -> Path:
    """Allocated hectares per site (rows, by name) and scenario (bars), no-regret sites marked ★.

    ``result``: a run of the comparison, whose layers decide the schematic-data notice.
    """
    allocated = comparison.allocated_ha.loc[comparison.allocated_ha.sum(axis=1) > 0]
    allocated = allocated.loc[allocated.sum(axis=1).sort_values(kind="mergesort").index]
    fig = Figure(figsize=(10, max(3.0, 0.28 * len(allocated) + 1.5)), dpi=130)
    ax = fig.add_subplot()
    allocated.plot.barh(ax=ax, width=0.8)
    ax.set_yticks(range(len(allocated)), site_labels(comparison, list(allocated.index)), fontsize=8)
    ax.set_ylabel("")
    ax.set_xlabel(lang("summary.allocated"))
    ax.set_title(lang("compare.allocation_chart", share=lang.percent(comparison.share)), fontsize=10)
    ax.legend(title=lang("scenario"), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    text = notice_text(result, lang)
    fig.tight_layout(rect=(0, 0.05 if text else 0, 1, 1))
    if text:
        fig.text(0.5, 0.01, text, ha="center", va="bottom", fontsize=7, fontweight="bold", color="#b00000")
    save(fig, path)
    return path


def _spread(ends: list[tuple[float, str]], min_gap: float) -> list[tuple[float, str]]:
    """Label positions moved apart by at least ``min_gap`` (ranks), in their order."""
    placed: list[tuple[float, str]] = []
    for y, label in ends:
        if placed and y - placed[-1][0] < min_gap:
            y = placed[-1][0] + min_gap
        placed.append((y, label))
    return placed


def comparison_context(
    comparison: ScenarioComparison, results: list[RunResult], images: dict[str, Path], lang: Language
) -> dict[str, Any]:
    """What ``comparison.html`` shows."""
    names = _names(results)
    no_regret = comparison.no_regret
    rows = [
        [
            str(i),
            str(names.get(s, s)),
            lang.name("kind", r.get("kind")),
            f"{int(r['chosen_in'])}/{len(comparison.scenarios)}",
            lang.number(r.get("mean_allocated_ha")),
            lang.integer(r.get("best_rank")),
            lang.integer(r.get("worst_rank")),
        ]
        for i, (s, r) in enumerate(no_regret.iterrows(), start=1)
    ]
    totals = [
        [
            name,
            lang.number(t["demand_ha"]),
            lang.number(t["placed_ha"]),
            lang.number(t["shortfall_ha"]),
            lang.integer(t["sites_chosen"]),
            f"{safe_filename(name)}/report.html",
        ]
        for name, t in comparison.totals.iterrows()
    ]
    return {
        "t": lang,
        "lang": lang.code,
        "notice": notice_text(results[0], lang),
        "lead": lang("compare.lead", n=len(comparison.scenarios), share=lang.percent(comparison.share)),
        "no_regret": rows,
        "totals": totals,
        "images": {name: image_data_uri(path) for name, path in images.items()},
    }


def write_comparison_outputs(
    comparison: ScenarioComparison,
    results: list[RunResult],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """One run folder per scenario, the no-regret map, the rank chart and ``comparison.html``."""
    lang = language_of(results[0].scenario)
    files: list[Path] = []
    for result in results:
        files += write_all(result, out_dir / safe_filename(result.scenario_name), progress=progress)
    images = {
        "map_no_regret.png": no_regret_map(comparison, results[0], out_dir / "map_no_regret.png", lang),
        "chart_ranks.png": rank_chart(comparison, results, out_dir / "chart_ranks.png", lang),
        "chart_comparison.png": allocation_chart(comparison, results[0], out_dir / "chart_comparison.png", lang),
    }
    html = report_template(TEMPLATE_NAME).render(comparison_context(comparison, results, images, lang))
    page = out_dir / "comparison.html"
    page.write_text(html, encoding="utf-8")
    return [*files, *images.values(), page]
