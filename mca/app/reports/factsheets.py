"""Per-site fact sheets (``sites/<site>.html``) for the allocated sites and the top ranks.

Each holds a map inset (inline SVG), raw values against the range of all sites, each
criterion's contribution, exclusions per sector with their reason, why the allocation used the
site or not, and the smallest weight change that would put it in the top five (exact, weighted
sum).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mca.app.i18n import Language, is_missing, language_of
from mca.app.render_setup import FACTSHEET_TEMPLATE, report_template
from mca.app.reports import robustness, tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.cartography import notice_text
from mca.app.results import RunResult

FOLDER = "sites"
TOP_SHEETS = 10
INSET_PX = 320
INSET_MARGIN_M = 600.0


def factsheet_sites(result: RunResult) -> list[str]:
    """The sites that get a fact sheet: those allocated land, then the top of the ranking."""
    allocated = list(tables.allocation_by_site(result)["site_id"].astype(str))
    ranking = tables.ranking_table(result)
    top = list(ranking.loc[~ranking["excluded"], "site_id"].astype(str).head(TOP_SHEETS))
    return list(dict.fromkeys([*allocated, *top]))


def factsheet_file(site_id: str) -> str:
    """The fact sheet's file name inside the run folder (``sites/<safe id>.html``)."""
    return f"{FOLDER}/{re.sub(r'[^A-Za-z0-9._-]+', '_', site_id)}.html"


def factsheet_href(site_id: str) -> str:
    """The link from the report to a site's fact sheet."""
    return factsheet_file(site_id)


def _svg_path(geom: BaseGeometry, to_px: Any) -> str:
    polygons = getattr(geom, "geoms", [geom])
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            points = " L".join(f"{x:.1f},{y:.1f}" for x, y in (to_px(px, py) for px, py in ring.coords))
            parts.append(f"M{points} Z")
    return " ".join(parts)


def inset_layers(result: RunResult) -> list[tuple[np.ndarray, str]]:
    """The polygons an inset draws (dwellings, sites, parks), each layer's geometries with their SVG style."""
    layers = []
    for frame, style in (
        (result.layers.get("residential"), 'fill="#ecd9d3" stroke="none"'),
        (result.sites, 'fill="#f4f4f4" stroke="#999" stroke-width="0.6"'),
        (result.parks, 'fill="none" stroke="#222" stroke-width="1.2"'),
    ):
        if frame is not None and not frame.empty:
            layers.append((frame.geometry.to_numpy(), style))
    return layers


def inset_svg(layers: list[tuple[np.ndarray, str]], site_id: str, site: BaseGeometry) -> str:
    """An inline SVG map of the site ``site_id`` (``site``, red) among the ``layers`` (`inset_layers`)."""
    xmin, ymin, xmax, ymax = site.bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half = max(xmax - xmin, ymax - ymin) / 2 + INSET_MARGIN_M
    scale = INSET_PX / (2 * half)

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (x - cx + half) * scale, (cy + half - y) * scale

    window = shapely.box(cx - half, cy - half, cx + half, cy + half)
    shapes = []
    for geometries, style in layers:
        near = geometries[shapely.intersects(geometries, window)]
        shapes += [
            f'<path d="{_svg_path(g, to_px)}" {style}/>'
            for g in near
            if g is not None and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")
        ]
    shapes.append(
        f'<path d="{_svg_path(site, to_px)}" fill="#e31a1c" fill-opacity="0.75" stroke="#67000d" stroke-width="1.5"/>'
    )
    bar_m = 500.0
    bar = (
        f'<rect x="10" y="{INSET_PX - 18}" width="{bar_m * scale:.1f}" height="5" fill="#000"/>'
        f'<text x="10" y="{INSET_PX - 22}" font-size="10">500 m</text>'
    )
    return (
        f'<svg width="{INSET_PX}" height="{INSET_PX}" '
        f'viewBox="0 0 {INSET_PX} {INSET_PX}" role="img" aria-label="{html.escape(site_id)}">'
        f'<rect width="100%" height="100%" fill="#fbfbf8" stroke="#ccc"/>{"".join(shapes)}{bar}</svg>'
    )


class SheetRun:
    """One run as its fact sheets see it: what every sheet shares, computed once per process."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.lang = language_of(result.scenario)

    @cached_property
    def sites(self) -> pd.DataFrame:
        """The sites by id."""
        return pd.DataFrame(self.result.sites.set_index("site_id"))

    @cached_property
    def ranking(self) -> pd.DataFrame:
        """The ranking by site id."""
        return self.result.ranking.set_index("site_id")

    @cached_property
    def stability(self) -> pd.DataFrame:
        """The weight stability of the top set (`robustness.stability`)."""
        return robustness.stability(self.result)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """The value scores of the ranked sites (`robustness.value_score_matrix`)."""
        return robustness.value_score_matrix(self.result)

    @cached_property
    def inset_layers(self) -> list[tuple[np.ndarray, str]]:
        """What the insets draw (`inset_layers`)."""
        return inset_layers(self.result)

    @cached_property
    def notice(self) -> str | None:
        """The data notice every sheet carries."""
        return notice_text(self.result, self.lang)

    @cached_property
    def criteria(self) -> list[tuple[str, dict[str, Any], str, float, float]]:
        """Per criterion: name, metadata, the column of its raw value, and that column's range over all sites."""
        rows, sites = [], self.result.sites
        for name in tables.criterion_names(self.result):
            meta = self.result.criteria_meta.get(name, {})
            column = str(meta.get("primary", name))
            values = pd.to_numeric(sites[column], errors="coerce") if column in sites else pd.Series(dtype=float)
            low, high = (values.min(), values.max()) if values.notna().any() else (float("nan"), float("nan"))
            rows.append((name, meta, column, float(low), float(high)))
        return rows


def _criterion_rows(run: SheetRun, site: pd.Series, ranking_row: pd.Series | None) -> list[dict[str, Any]]:
    """Per criterion: raw value, the range over all sites, the position in it, the contribution."""
    result, lang = run.result, run.lang
    rows = []
    for name, meta, column, low, high in run.criteria:
        value = pd.to_numeric(pd.Series([site.get(column)]), errors="coerce").iloc[0]
        position = (value - low) / (high - low) if not is_missing(value) and high > low else 0.5
        contribution = ranking_row.get(f"contrib_{name}") if ranking_row is not None else None
        rows.append(
            {
                "criterion": lang.name("criterion", name),
                "value": f"{lang.number(value, 2)} {meta.get('unit', '')}".strip() if not is_missing(value) else "–",
                "range": f"{lang.number(low, 1)} – {lang.number(high, 1)}",
                "position": 0.0 if is_missing(value) else max(0.0, min(1.0, float(position))),
                "better": lang(f"direction.{meta.get('direction')}") if meta.get("direction") in ("max", "min") else "",
                "contribution": None if is_missing(contribution) else float(str(contribution)),
                "contribution_text": "" if is_missing(contribution) else lang.number(contribution, 3),
                "weight": lang.percent(result.weights.get(name)) if name in result.weights else "–",
            }
        )
    return rows


def _reach(run: SheetRun, site_id: str, in_top: bool) -> dict[str, Any]:
    k, lang = robustness.TOP_K, run.lang
    table = robustness.reach_top(run.result, site_id, scores=run.scores) if not in_top else run.stability
    if in_top:
        return {
            "text": lang("sheet.in_top", k=k),
            "rows": [
                [
                    lang.name("criterion", r.criterion),
                    lang.percent(r.weight),
                    f"{lang.percent(r.lower)} – {lang.percent(r.upper)}",
                ]
                for r in table.itertuples()
            ],
        }
    feasible = table.dropna(subset=["needed_weight"])
    if feasible.empty:
        return {"text": lang("sheet.never", k=k) if len(table) else lang("sheet.not_ranked"), "rows": []}
    best = feasible.loc[feasible["change"].abs().idxmin()]
    text = lang(
        "sheet.smallest_change",
        criterion=lang.name("criterion", best["criterion"]),
        now=lang.percent(best["weight"]),
        needed=lang.percent(best["needed_weight"]),
    )
    rows = [
        [
            lang.name("criterion", r.criterion),
            lang.percent(r.weight),
            lang.percent(r.needed_weight) if not is_missing(r.needed_weight) else "–",
        ]
        for r in table.itertuples()
    ]
    return {"text": text, "rows": rows}


def _allocation(result: RunResult, site_id: str, excluded: bool, lang: Language) -> dict[str, Any]:
    rows = result.allocation[result.allocation["site_id"] == site_id]
    if rows.empty:
        return {
            "text": lang("sheet.not_allocated")
            + " "
            + lang("sheet.why_not_excluded" if excluded else "sheet.why_not_better"),
            "rows": [],
            "rules": [],
        }
    periods = tables.periods_of(result)
    labels = dict(zip(periods, lang.periods(periods)))
    table = [
        [
            lang.name("sector", r["sector"]),
            str(r["size_class"]),
            labels.get(str(r["period"]), str(r["period"])),
            lang.number(r["hectares"]),
            lang.ladder(str(r.get("ladder_phase") or "")),
            lang.integer(r.get("sector_rank")),
        ]
        for r in rows.to_dict(orient="records")
    ]
    rules = sorted({str(x) for x in rows.get("policy_rules", pd.Series(dtype=str)).dropna() if str(x)})
    return {"text": lang("sheet.allocated", ha=lang.ha(rows["hectares"].sum())), "rows": table, "rules": rules}


def sheet_context(run: SheetRun, site_id: str) -> dict[str, Any]:
    """What one fact sheet shows."""
    result, lang = run.result, run.lang
    site = run.sites.loc[site_id]
    ranking_row = run.ranking.loc[site_id] if site_id in run.ranking.index else None
    excluded = bool(site.get("excluded", False))
    rank = site.get("rank")
    in_top = not is_missing(rank) and float(str(rank)) <= robustness.TOP_K
    exclusions = result.exclusions[result.exclusions["site_id"] == site_id]
    return {
        "t": lang,
        "lang": lang.code,
        "name": str(site.get("name") or site_id),
        "site_id": site_id,
        "scenario_name": result.scenario_name,
        "notice": run.notice,
        "facts": [
            (lang("col.kind"), lang.name("kind", site.get("kind"))),
            (lang("col.park"), str(site.get("park") or "–")),
            (lang("sheet.area"), lang.ha(site.get("area_ha"))),
            (lang("sheet.capacity"), lang.ha(site.get("capacity_ha"))),
            (lang("sheet.contiguous"), lang.ha(site.get("contiguous_ha"))),
            (
                lang("col.rank"),
                lang("sheet.rank_of", rank=lang.integer(rank), n=lang.integer(result.ranking["rank"].notna().sum()))
                if not is_missing(rank)
                else lang("sheet.not_ranked"),
            ),
            (lang("col.score"), lang.number(site.get("score"), 3)),
        ],
        "inset": inset_svg(run.inset_layers, site_id, site["geometry"]),
        "criteria": _criterion_rows(run, site, ranking_row),
        "exclusions": [
            [lang.name("sector", r["sector"]), lang.name("criterion", r["criterion"]), str(r["reason"])]
            for r in exclusions.sort_values(["sector", "criterion"]).to_dict(orient="records")
        ],
        "allocation": _allocation(result, site_id, excluded, lang),
        "reach": _reach(run, site_id, in_top),
        "top_k": robustness.TOP_K,
    }


def sheet_writers(result: RunResult, out_dir: Path) -> list[Callable[[], Path]]:
    """One function per site of `factsheet_sites`, each writing its sheet into ``out_dir/sites``."""
    (out_dir / FOLDER).mkdir(exist_ok=True)
    run = SheetRun(result)
    return [
        partial(_write_sheet, run, site_id, out_dir / factsheet_file(site_id)) for site_id in factsheet_sites(result)
    ]


def _write_sheet(run: SheetRun, site_id: str, path: Path) -> Path:
    path.write_text(report_template(FACTSHEET_TEMPLATE).render(sheet_context(run, site_id)), encoding="utf-8")
    return path


def write_factsheets(result: RunResult, out_dir: Path) -> list[Path]:
    """Write one fact sheet per site of `factsheet_sites` into ``out_dir/sites``."""
    return [write() for write in sheet_writers(result, out_dir)]


WRITER = OutputWriter(
    name="factsheets",
    files="sites/<site>.html",
    write=lambda folder: write_factsheets(folder.result, folder.out_dir),
    independent=True,
    parts=lambda folder: sheet_writers(folder.result, folder.out_dir),
)
