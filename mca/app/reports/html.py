"""The self-contained HTML report: inline CSS, images as data URIs, no external requests."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import mca
from mca.app.reports import tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.excel import summary_items
from mca.app.reports.maps import notice_text, period_labels
from mca.app.results import RunResult
from mca.core.vocabulary import ALL_SECTORS

TEMPLATE_NAME = "report.html.j2"
TOP_RANKED = 25
TOP_ROBUSTNESS_SITES = 10
MAX_ACCEPTABILITY_RANKS = 10

Formatter = Callable[[Any], str]


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _fixed(decimals: int) -> Formatter:
    return lambda v: "–" if _is_missing(v) else f"{float(v):,.{decimals}f}"


def _percent(value: Any) -> str:
    return "–" if _is_missing(value) else f"{float(value):.0%}"


def _integer(value: Any) -> str:
    return "–" if _is_missing(value) else f"{int(value)}"


def _text(value: Any) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def column_formatter(column: str, periods: list[str]) -> Formatter:
    """How a column is shown: hectares with 1 decimal, scores with 3, ranks as integers."""
    if column in ("hectares", "total") or column.endswith("_ha") or column in periods:
        return _fixed(1)
    if column.startswith(("score", "suit_", "contrib_", "vs_", "weight")):
        return _fixed(3)
    if column == "rank":
        return _integer
    return _text


def table_view(
    frame: pd.DataFrame,
    periods: list[str],
    headers: Mapping[str, str] | None = None,
    formatters: Mapping[str, Formatter] | None = None,
) -> dict[str, Any]:
    """A frame as ``{"columns": [...], "rows": [[...]], "numeric": [...]}`` of display strings."""
    headers = headers or {}
    formatters = formatters or {}
    columns = [str(c) for c in frame.columns]
    fmts = [formatters.get(c, column_formatter(c, periods)) for c in columns]
    rows = [[fmt(v) for fmt, v in zip(fmts, record)] for record in frame.itertuples(index=False, name=None)]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns
    ]
    return {"columns": [headers.get(c, c.replace("_", " ")) for c in columns], "rows": rows, "numeric": numeric}


def image_data_uri(path: Path) -> str:
    """A PNG file as a ``data:image/png;base64`` URI."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _item_text(label: str, value: Any) -> str:
    """A key figure for display: hectares with one decimal, other numbers as they come."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number and (label.endswith("(ha)") or label.endswith("_ha")):
        return _fixed(1)(value)
    if is_number and not _is_missing(value):
        return f"{value:.6g}"
    return _text(value)


def _scalar_items(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(k).replace("_", " "), _item_text(str(k), mapping[k]))
        for k in sorted(mapping)
        if _is_missing(mapping[k]) or isinstance(mapping[k], (str, int, float, bool))
    ]


def _period_headers(periods: list[str]) -> dict[str, str]:
    return {p: f"{label} (ha)" for p, label in zip(periods, period_labels(periods))} | {"total": "total (ha)"}


def _criteria_view(result: RunResult, periods: list[str]) -> dict[str, Any]:
    rows = []
    for name in tables.criterion_names(result):
        meta = result.criteria_meta.get(name, {})
        rows.append(
            {
                "criterion": name,
                "weight": result.weights.get(name, float("nan")),
                "unit": meta.get("unit", ""),
                "direction": meta.get("direction", ""),
                "description": meta.get("description", ""),
            }
        )
    frame = pd.DataFrame(rows, columns=["criterion", "weight", "unit", "direction", "description"])
    return table_view(frame, periods)


def top_ranked(result: RunResult) -> int:
    """How many ranked sites the report lists: the scenario's ``outputs.top_sites_in_report``."""
    return int(result.scenario.get("outputs", {}).get("top_sites_in_report", TOP_RANKED))


def _ranking_views(result: RunResult, periods: list[str]) -> tuple[dict, dict, dict]:
    ranking = tables.ranking_table(result)
    contrib = [c for c in ranking.columns if c.startswith("contrib_")]
    ranked = ranking[~ranking["excluded"]].head(top_ranked(result))
    ranked = ranked[["rank", "site_id", "name", "kind", "park", "score", *contrib]]
    headers = {c: f"from {c.removeprefix('contrib_').replace('_', ' ')}" for c in contrib}
    excluded = ranking[ranking["excluded"]][["site_id", "name", "kind", "park", "exclusion_reasons"]]
    exclusions = tables.exclusions_table(result)
    partial = exclusions[
        (exclusions["sector"].astype(str) != ALL_SECTORS) & ~exclusions["site_id"].isin(excluded["site_id"])
    ]
    partial = partial[["site_id", "sector", "criterion", "reason"]]
    return (
        table_view(ranked, periods, {"site_id": "site", **headers}),
        table_view(excluded, periods, {"site_id": "site", "exclusion_reasons": "reasons"}),
        table_view(partial, periods, {"site_id": "site", "sector": "excluded for sector"}),
    )


def _acceptability_view(result: RunResult, periods: list[str]) -> dict[str, Any] | None:
    if result.acceptability is None or result.acceptability.empty:
        return None
    frame = result.acceptability.copy()
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.iloc[:, :MAX_ACCEPTABILITY_RANKS]
    first = frame.columns[0]
    frame.index = frame.index.astype(str)
    frame = frame.rename_axis("site").reset_index()
    frame = frame.sort_values([first, "site"], ascending=[False, True], kind="mergesort")
    frame = frame.head(TOP_ROBUSTNESS_SITES)
    rank_columns = [c for c in frame.columns if c != "site"]
    return table_view(frame, periods, {c: f"rank {c}" for c in rank_columns}, dict.fromkeys(rank_columns, _percent))


def _central_weights_view(result: RunResult, periods: list[str]) -> dict[str, Any] | None:
    if result.central_weights is None or result.central_weights.empty:
        return None
    frame = result.central_weights.copy()
    frame.columns = [str(c) for c in frame.columns]
    frame.index = frame.index.astype(str)
    frame = frame.rename_axis("site").reset_index()
    return table_view(frame, periods, formatters={c: _fixed(3) for c in frame.columns[1:]})


def report_context(result: RunResult, images: Mapping[str, Path]) -> dict[str, Any]:
    """Everything the template shows, as display strings, tables and data URIs."""
    periods = tables.periods_of(result)
    period_headers = _period_headers(periods)
    ranked, excluded, partial = _ranking_views(result, periods)
    demand = tables.demand_by_segment(result)
    demand.insert(1, "label", demand["sector"].map(tables.SECTOR_LABELS).fillna(""))
    by_site = tables.allocation_by_site(result)
    by_kind = tables.allocation_by_kind(result)
    by_kind["total"] = by_kind.sum(axis=1)
    shortfall = tables.shortfall_table(result)
    return {
        "title": f"Business-park site selection — {result.scenario_name}",
        "scenario_name": result.scenario_name,
        "description": str(result.scenario.get("description", "") or ""),
        "schematic": result.schematic,
        "schematic_notice": notice_text(result),
        "summary": [
            (label, _item_text(label, value))
            for label, value in summary_items(result, details=False)
            if label not in ("scenario", "description")
        ],
        "assumptions": table_view(tables.assumptions_table(result), periods),
        "criteria": _criteria_view(result, periods),
        "input_files": [Path(p).name for p in result.input_files],
        "demand_items": _scalar_items(result.demand),
        "demand": table_view(demand, periods, {**period_headers, "size_class": "size class"}),
        "ranked": ranked,
        "ranked_limit": top_ranked(result),
        "excluded": excluded,
        "partial": partial,
        "allocation_by_site": table_view(by_site, periods, {**period_headers, "site_id": "site"}),
        "allocation_by_kind": table_view(by_kind.rename_axis("site kind").reset_index(), periods, period_headers),
        "shortfall": table_view(shortfall, periods, {"size_class": "size class", "hectares": "hectares not placed"}),
        "shortfall_total": _fixed(1)(float(shortfall["hectares"].sum())),
        "allocation_items": _scalar_items(result.allocation_summary),
        "solver_items": _scalar_items(result.solver),
        "acceptability": _acceptability_view(result, periods),
        "central_weights": _central_weights_view(result, periods),
        "images": {name: image_data_uri(path) for name, path in sorted(images.items())},
        "version": mca.__version__,
        "scenario_file": result.scenario_path.name if result.scenario_path else "",
    }


def render_html(result: RunResult, images: Mapping[str, Path]) -> str:
    """The report as one HTML string; ``images`` maps PNG file names to their paths."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("mca.app", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(TEMPLATE_NAME).render(report_context(result, images))


def write_html(result: RunResult, path: Path, images: Mapping[str, Path]) -> Path:
    """Write ``report.html`` (UTF-8) with the given PNGs embedded."""
    path.write_text(render_html(result, images), encoding="utf-8")
    return path


WRITER = OutputWriter(
    name="html",
    files="report.html",
    write=lambda folder: [
        write_html(folder.result, folder.path("report.html"), {p.name: p for p in folder.written.get("maps", [])})
    ],
)
