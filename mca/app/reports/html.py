"""The self-contained HTML report, the answer first.

Then the ranked list, the allocation, the robustness and the assumptions as an appendix. Inline
CSS with a print stylesheet (A4), images as data URIs, no external requests; every label from
the message catalogue (`mca.app.i18n`).
"""

from __future__ import annotations

import ast
import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

import mca
from candidates import overlapping_sites
from mca.app.i18n import Language, is_missing, language_of
from mca.app.i18n.catalogue import MESSAGES
from mca.app.render_setup import REPORT_TEMPLATE, report_template
from mca.app.reports import robustness, tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.cartography import notice_text
from mca.app.reports.factsheets import factsheet_href, factsheet_sites
from mca.app.reports.maps import DRAWN_FILES
from mca.app.results import ROUNDING_ITEM, RunResult
from mca.core.vocabulary import ALL_SECTORS

TOP_RANKED = 25
MAX_REASONS = 4


def image_data_uri(path: Path) -> str:
    """A PNG file as a ``data:image/png;base64`` URI."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def top_ranked(result: RunResult) -> int:
    """How many ranked sites the report lists: the scenario's ``outputs.top_sites_in_report``."""
    return int(result.scenario.get("outputs", {}).get("top_sites_in_report", TOP_RANKED))


def _site_link(result: RunResult, site_id: str, name: str, linked: set[str]) -> dict[str, str]:
    return {"text": name or site_id, "href": factsheet_href(site_id) if site_id in linked else ""}


def _trail(rows: pd.DataFrame, lang: Language) -> str:
    """The reason trail of a site's allocation rows: Ladder phase and the site's rank for the sector."""
    parts = []
    if "ladder_phase" in rows:
        parts += [lang.ladder(p) for p in sorted({str(p) for p in rows["ladder_phase"].dropna()})]
    if "sector_rank" in rows:
        ranks = rows.dropna(subset=["sector_rank"]).groupby("sector")["sector_rank"].min()
        parts += [f"{lang('col.sector_rank')} {lang.name('sector', s)}: {lang.integer(r)}" for s, r in ranks.items()]
    return "; ".join(parts)


def allocated_rows(result: RunResult, lang: Language, linked: set[str]) -> list[dict[str, Any]]:
    """One row per site that receives land, numbered as on the allocation map."""
    by_site = tables.allocation_by_site(result)
    rows = []
    for number, record in enumerate(by_site.to_dict(orient="records"), start=1):
        site_rows = result.allocation[result.allocation["site_id"] == record["site_id"]]
        per_sector = site_rows.groupby("sector")["hectares"].sum()
        sectors = ", ".join(f"{lang.name('sector', s)} {lang.number(h)}" for s, h in per_sector.items() if h >= 0.05)
        row = {
            "number": number,
            "site": _site_link(result, record["site_id"], str(record.get("name") or ""), linked),
            "kind": lang.name("kind", record.get("kind")),
            "hectares": lang.ha(record["total"]),
            "sectors": sectors,
            "reason": _trail(site_rows, lang),
        }
        if "regret" in site_rows:
            twins = sorted({str(t) for t in site_rows.get("interchangeable_with", pd.Series(dtype=str)) if t})
            row["regret"] = " ".join([lang.number(site_rows["regret"].max(), 2), *(f"≈ {t}" for t in twins)])
        rows.append(row)
    return rows


def exclusion_summary(result: RunResult, lang: Language) -> dict[str, Any]:
    """How many sites are closed to every sector and to some, and the criteria behind them."""
    excluded = set(result.ranking.loc[result.ranking["excluded"].astype(bool), "site_id"])
    rows = result.exclusions
    partial = set(rows.loc[rows["sector"].astype(str) != ALL_SECTORS, "site_id"]) - excluded
    counts = rows.groupby("criterion")["site_id"].nunique().sort_values(ascending=False, kind="mergesort")
    reasons = [
        f"{lang.name('criterion', c)} ({lang.count(int(n), 'n_sites.one', 'n_sites.many')})" for c, n in counts.items()
    ]
    return {
        "text": lang(
            "report.excluded_text",
            closed=lang.count(len(excluded), "n_sites.one", "n_sites.many"),
            partial=lang.count(len(partial), "n_sites.one", "n_sites.many"),
        ),
        "reasons": reasons[: MAX_REASONS + 2],
        "partial_count": len(partial),
    }


def overlap_text(result: RunResult, lang: Language) -> str:
    """A warning naming candidate sites that overlap one another (empty when none do)."""
    pairs = overlapping_sites(result.sites)
    if pairs.empty:
        return ""
    names = result.sites.set_index("site_id")["name"]
    text = [
        f"{names.get(a, a)} ↔ {names.get(b, b)} ({lang.ha(ha, 2)})"
        for a, b, ha in pairs[["site_id", "other_site_id", "overlap_ha"]].itertuples(index=False)
    ]
    return lang("report.overlaps", pairs="; ".join(text))


def robustness_summary(result: RunResult, lang: Language, stability: pd.DataFrame) -> list[str]:
    """Plain sentences on the weight stability of the top five and the SMAA winner."""
    lines = []
    if len(stability):
        width = stability["upper"] - stability["lower"]
        tight = stability.loc[width.idxmin()]
        lines.append(
            lang(
                "report.robust_stability",
                k=robustness.TOP_K,
                criterion=lang.name("criterion", tight["criterion"]),
                lower=lang.percent(tight["lower"]),
                upper=lang.percent(tight["upper"]),
                weight=lang.percent(tight["weight"]),
            )
        )
    acceptability = result.acceptability
    if acceptability is not None and not acceptability.empty:
        first = acceptability.iloc[:, 0].astype(float)
        best = str(first.idxmax())
        names = result.sites.set_index("site_id")["name"]
        lines.append(lang("report.robust_smaa", site=str(names.get(best, best)), share=lang.percent(first.max())))
    return lines or [lang("report.robust_none")]


def ranked_rows(result: RunResult, lang: Language, linked: set[str]) -> list[dict[str, Any]]:
    """The top of the ranking with each criterion's contribution as a share of the bar."""
    ranking = tables.ranking_table(result)
    ranked = ranking[~ranking["excluded"]].head(top_ranked(result))
    contrib = [c for c in ranked.columns if c.startswith("contrib_")]
    rows = []
    for record in ranked.to_dict(orient="records"):
        parts = [
            {"criterion": lang.name("criterion", c.removeprefix("contrib_")), "value": float(record[c]), "index": i}
            for i, c in enumerate(contrib)
            if not is_missing(record[c])
        ]
        rows.append(
            {
                "rank": lang.integer(record["rank"]),
                "site": _site_link(result, record["site_id"], str(record.get("name") or ""), linked),
                "kind": lang.name("kind", record.get("kind")),
                "score": lang.number(record["score"], 3),
                "parts": parts,
            }
        )
    return rows


def excluded_rows(result: RunResult, lang: Language) -> list[list[str]]:
    """Sites closed to every sector: name, kind and reasons."""
    ranking = tables.ranking_table(result)
    excluded = ranking[ranking["excluded"]]
    return [
        [str(r.get("name") or r["site_id"]), lang.name("kind", r.get("kind")), str(r.get("exclusion_reasons") or "")]
        for r in excluded.to_dict(orient="records")
    ]


def readable_value(value: Any, lang: Language) -> str:
    """A setting's value for people: no ``None``, dicts as ``key = value`` lines, lists joined."""
    parsed = value
    if (isinstance(value, str) and value[:1] in "[{(") or value in ("None", "True", "False"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
    if parsed is None:
        return lang("value.none")
    if isinstance(parsed, bool):
        return lang.yes_no(parsed)
    if isinstance(parsed, dict):
        return "; ".join(
            f"{str(k).replace('_', ' ')} = {readable_value(repr(v) if not isinstance(v, str) else v, lang)}"
            for k, v in parsed.items()
        ) or lang("value.empty")
    if isinstance(parsed, (list, tuple)):
        return ", ".join(readable_value(v if isinstance(v, str) else repr(v), lang) for v in parsed) or lang(
            "value.empty"
        )
    if isinstance(parsed, float):
        return lang.number(parsed, 3).rstrip("0").rstrip(",.") if parsed != int(parsed) else lang.integer(parsed)
    return str(parsed)


def assumption_groups(result: RunResult, lang: Language) -> list[dict[str, Any]]:
    """Assumptions grouped by stage (the number that starts each item), values readable."""
    groups: dict[str, list[list[str]]] = {}
    for record in tables.assumptions_table(result).to_dict(orient="records"):
        item = str(record["item"])
        head, _, rest = item.partition(" ")
        stage = head if head.isdigit() else "other"
        label = (rest if stage != "other" else item).split(":", 1)[-1].strip().replace("_", " ") or item
        basis = str(record["basis"])
        kind = "assumption" if basis.lower().startswith("assumption") else "source"
        groups.setdefault(stage, []).append([label, readable_value(record["value"], lang), basis, kind])
    order = sorted(groups, key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0))
    key = {s: f"stage.{s}" if f"stage.{s}" in _stage_keys() else "stage.other" for s in order}
    return [{"title": lang(key[s]), "rows": groups[s]} for s in order]


def _stage_keys() -> set[str]:
    return {k for k in MESSAGES if k.startswith("stage.")}


def report_context(result: RunResult, images: Mapping[str, str]) -> dict[str, Any]:
    """Everything the template shows, as display strings and rows; ``images``: the image sources by file name."""
    lang = language_of(result.scenario)
    linked = set(factsheet_sites(result))
    periods = tables.periods_of(result)
    demand_total = float(result.segments["hectares"].sum())
    placed = float(result.allocation["hectares"].sum()) if len(result.allocation) else 0.0
    short = float(result.shortfall["hectares"].sum()) if len(result.shortfall) else 0.0
    stability = robustness.stability(result)
    allocated = allocated_rows(result, lang, linked)
    rounding = float(result.allocation_summary.get(ROUNDING_ITEM, 0.0) or 0.0)
    return {
        "t": lang,
        "lang": lang.code,
        "scenario_name": result.scenario_name,
        "description": str(result.scenario.get("description", "") or ""),
        "notice": notice_text(result, lang),
        "lead": lang(
            "report.lead",
            horizon=periods[-1] if periods else "",
            demand=lang.ha(demand_total),
            placed=lang.ha(placed),
            sites=lang.count(len(allocated), "n_sites.one", "n_sites.many"),
            shortfall_text=lang("report.lead_shortfall", shortfall=lang.ha(short)) if short > 0.05 else "",
        ),
        "rounding": lang("report.lead_rounding", rounding=lang.ha(rounding)) if rounding > 0.05 else "",
        "allocated": allocated,
        "overlaps": overlap_text(result, lang),
        "has_regret": any("regret" in row for row in allocated),
        "exclusions": exclusion_summary(result, lang),
        "robust_lines": robustness_summary(result, lang, stability),
        "stability": [
            [lang.name("criterion", r.criterion), lang.percent(r.weight), lang.percent(r.lower), lang.percent(r.upper)]
            for r in stability.itertuples(index=False)
        ],
        "top_k": robustness.TOP_K,
        "ranked": ranked_rows(result, lang, linked),
        "ranked_total": int(result.ranking["rank"].notna().sum()),
        "excluded": excluded_rows(result, lang),
        "demand": _demand_rows(result, lang, periods),
        "period_labels": lang.periods(periods),
        "by_kind": _kind_rows(result, lang, periods),
        "shortfall": _shortfall_rows(result, lang, periods),
        "shortfall_total": lang.ha(short),
        "cross_checks": _cross_checks(result, lang),
        "criteria": _criteria_rows(result, lang),
        "appendix": assumption_groups(result, lang),
        "solver": _solver_rows(result, lang),
        "input_files": [Path(p).name for p in result.input_files],
        "images": dict(sorted(images.items())),
        "footer": lang(
            "report.footer",
            version=mca.__version__,
            source=lang("report.footer_source", file=result.scenario_path.name) if result.scenario_path else "",
        ),
    }


def _shortfall_rows(result: RunResult, lang: Language, periods: list[str]) -> list[list[str]]:
    labels = dict(zip(periods, lang.periods(periods)))
    return [
        [
            lang.name("sector", r["sector"]),
            str(r["size_class"]),
            labels.get(str(r["period"]), str(r["period"])),
            lang.number(r["hectares"]),
            str(r["explanation"] or ""),
        ]
        for r in tables.shortfall_table(result).to_dict(orient="records")
        if float(r["hectares"]) > 1e-9
    ]


def _solver_rows(result: RunResult, lang: Language) -> list[list[str]]:
    return [
        [lang("summary.solver"), str(result.solver.get("name", ""))],
        [lang("col.status"), str(result.solver.get("status", ""))],
        [lang("col.objective"), lang.number(result.solver.get("objective"), 3)],
        [lang("col.gap"), lang.percent(result.solver.get("gap"), 2)],
    ]


def _demand_rows(result: RunResult, lang: Language, periods: list[str]) -> list[list[str]]:
    demand = tables.demand_by_segment(result)
    demand = demand[demand["total"] > 1e-9]
    return [
        [
            lang.name("sector", r["sector"]),
            str(r["size_class"]),
            *(lang.number(r[p]) for p in periods),
            lang.number(r["total"]),
        ]
        for r in demand.to_dict(orient="records")
    ]


def _kind_rows(result: RunResult, lang: Language, periods: list[str]) -> list[list[str]]:
    by_kind = tables.allocation_by_kind(result)
    return [
        [
            lang.name("kind", kind),
            *(lang.number(row.get(p, 0.0)) for p in periods),
            lang.number(sum(row.get(p, 0.0) for p in periods)),
        ]
        for kind, row in by_kind.iterrows()
    ]


def _cross_checks(result: RunResult, lang: Language) -> list[list[str]]:
    checks = result.demand.get("cross_checks") or []
    return [
        [
            str(c.get("name", "")),
            lang.ha(c.get("reference_ha")),
            lang.ha(c.get("forecast_ha")),
            str(c.get("source", "")),
        ]
        for c in checks
        if isinstance(c, dict)
    ]


def _criteria_rows(result: RunResult, lang: Language) -> list[list[str]]:
    rows = []
    for name in tables.criterion_names(result):
        meta = result.criteria_meta.get(name, {})
        direction = str(meta.get("direction", ""))
        rows.append(
            [
                lang.name("criterion", name),
                lang.percent(result.weights.get(name)) if name in result.weights else "–",
                str(meta.get("unit", "")),
                lang(f"direction.{direction}") if direction in ("max", "min") else "",
                str(meta.get("description", "")),
            ]
        )
    return rows


def render_html(result: RunResult, images: Mapping[str, Path]) -> str:
    """The report as one HTML string; ``images`` maps PNG file names to their paths."""
    uris = {name: image_data_uri(path) for name, path in images.items()}
    return report_template(REPORT_TEMPLATE).render(report_context(result, uris))


def _slot(name: str) -> str:
    """Where the report holds the place of image ``name`` until `embed_images` fills it."""
    return f"mca-image-slot:{name}"


def write_shell(result: RunResult, path: Path) -> Path:
    """Write ``report.html`` with a slot for each map and chart in place of its data (see `embed_images`)."""
    slots = {name: _slot(name) for name in DRAWN_FILES}
    path.write_text(report_template(REPORT_TEMPLATE).render(report_context(result, slots)), encoding="utf-8")
    return path


def embed_images(path: Path, images: Mapping[str, Path]) -> Path:
    """Fill the image slots of the report at ``path`` with ``images`` (PNG file names to paths).

    The report is rendered with the slots while the maps are being drawn (`write_shell`); this
    gives the bytes of `render_html` with the same images.
    """
    text = path.read_text(encoding="utf-8")
    for name in DRAWN_FILES:
        slot = _slot(name)
        if name in images:
            text = text.replace(slot, image_data_uri(images[name]))
        elif slot in text:
            raise ValueError(f"the maps writer wrote no {name} for the report")
    path.write_text(text, encoding="utf-8")
    return path


WRITER = OutputWriter(
    name="html",
    files="report.html",
    write=lambda folder: [write_shell(folder.result, folder.path("report.html"))],
    independent=True,
    finish=lambda folder: [
        embed_images(folder.path("report.html"), {p.name: p for p in folder.written.get("maps", [])})
    ],
)
