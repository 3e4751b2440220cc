"""The Excel workbook of one run.

A summary, the tables, the decision matrix and the robustness; numbers stored as numbers with
formats, labels in the output language.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import mca
from mca.app.i18n import Language, language_of
from mca.app.reports import robustness, tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.stamp import fix_workbook_dates, output_time
from mca.app.results import ROUNDING_ITEM, RunResult

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

HECTARE_FORMAT = "#,##0.0"
SCORE_FORMAT = "0.000"
SHARE_FORMAT = "0%"
INTEGER_FORMAT = "0"
_SCORE_PREFIXES = ("score", "suit_", "contrib_", "vs_", "weight")
_MAX_COLUMN_WIDTH = 60
HEADER_KEYS = {
    "site_id": "col.site",
    "name": "col.name",
    "kind": "col.kind",
    "park": "col.park",
    "rank": "col.rank",
    "score": "col.score",
    "sector": "col.sector",
    "size_class": "col.size_class",
    "period": "col.period",
    "criterion": "col.criterion",
    "reason": "col.reason",
    "weight": "col.weight",
    "lower": "col.lower",
    "upper": "col.upper",
    "explanation": "col.explanation",
    "item": "col.item",
    "value": "col.value",
    "basis": "col.basis",
    "exclusion_reasons": "col.reasons",
    "total": "total",
    "ladder_phase": "col.ladder",
    "sector_rank": "col.sector_rank",
    "policy_rules": "col.rules",
    "regret": "col.regret",
}


def summary_items(result: RunResult, lang: Language | None = None) -> list[tuple[str, Any]]:
    """Key figures of the run as ``(label, value)`` pairs; numbers stay numbers."""
    lang = lang or language_of(result.scenario)
    ranking = result.ranking
    short = float(result.shortfall["hectares"].sum()) if "hectares" in result.shortfall else 0.0
    return [
        (lang("summary.scenario"), result.scenario_name),
        (lang("summary.description"), str(result.scenario.get("description", "") or "")),
        (lang("summary.schematic"), lang.yes_no(result.schematic)),
        (lang("summary.candidates"), len(ranking)),
        (lang("summary.ranked"), int(ranking["rank"].notna().sum())),
        (lang("summary.excluded"), int(ranking["excluded"].astype(bool).sum())),
        (lang("summary.demand"), float(result.segments["hectares"].sum())),
        (lang("summary.allocated"), float(result.allocation["hectares"].sum())),
        (lang("summary.shortfall"), short),
        (lang("summary.rounding"), float(result.allocation_summary.get(ROUNDING_ITEM, 0.0) or 0.0)),
        (lang("summary.solver"), str(result.solver.get("name", ""))),
        (lang("summary.solver_status"), str(result.solver.get("status", ""))),
        (lang("summary.objective"), result.solver.get("objective")),
        (lang("summary.gap"), result.solver.get("gap")),
    ]


def number_format(column: str, periods: list[str]) -> str | None:
    """The Excel number format for a column, chosen by its name."""
    if column in ("hectares", "total") or column.endswith("_ha") or column in periods or column.startswith("ha_"):
        return HECTARE_FORMAT
    if column in ("lower", "upper") or column.startswith("rank "):
        return SHARE_FORMAT
    if column.startswith(_SCORE_PREFIXES):
        return SCORE_FORMAT
    if column in ("rank", "shared_rank", "sector_rank", "plots"):
        return INTEGER_FORMAT
    return None


def header(column: str, lang: Language, periods: list[str]) -> str:
    """A column header in the output language, with its unit where it has one."""
    if column in HEADER_KEYS:
        return lang(HEADER_KEYS[column])
    if column == "hectares" or column.endswith("_ha"):
        return f"{column.removesuffix('_ha').replace('_', ' ')} (ha)"
    if column in periods:
        return f"{lang.periods(periods)[periods.index(column)]} (ha)"
    for prefix, key in (("contrib_", "col.contribution"), ("vs_", "col.value")):
        if column.startswith(prefix):
            return f"{lang(key)}: {lang.name('criterion', column.removeprefix(prefix))}"
    return column.replace("_", " ")


def _format_sheet(sheet: Worksheet, frame: pd.DataFrame, periods: list[str]) -> None:
    """Bold frozen header, autofilter, column widths and number formats."""
    from openpyxl.styles import Font  # imported here: the writer helper imports openpyxl late (`writer_process`)
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        texts = [str(sheet.cell(row=1, column=index).value), *(str(v) for v in frame[column].tolist()[:200])]
        sheet.column_dimensions[letter].width = min(max(len(t) for t in texts) + 2, _MAX_COLUMN_WIDTH)
        fmt = number_format(str(column), periods)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt


def decision_matrix(result: RunResult, lang: Language) -> pd.DataFrame:
    """Sites × criteria in raw units (the values the ranking starts from), headers with units."""
    columns = {"site_id": "site_id", "name": "name", "kind": "kind"}
    frame = pd.DataFrame(result.sites[[c for c in columns if c in result.sites]])
    for name in tables.criterion_names(result):
        meta = result.criteria_meta.get(name, {})
        primary = str(meta.get("primary", name))
        if primary in result.sites:
            unit = f" ({meta['unit']})" if meta.get("unit") else ""
            values = pd.to_numeric(result.sites[primary], errors="coerce")
            categorical = values.isna() & result.sites[primary].notna()  # a category (nnn_zone, park_profile)
            frame[f"{lang.name('criterion', name)}{unit}"] = result.sites[primary] if categorical.any() else values
    return frame.sort_values("site_id", kind="mergesort").reset_index(drop=True)


def allocation_sheet(result: RunResult) -> pd.DataFrame:
    """The allocation table with the reason trail and any further columns the solver adds (regret)."""
    frame = tables.allocation_table(result)
    keys = ["site_id", "sector", "size_class", "period"]
    extra = [c for c in result.allocation.columns if c not in frame.columns]
    if not extra or frame.empty:
        return frame
    trail = tables.flatten_columns(result.allocation[[*keys, *extra]]).assign(period=lambda f: f["period"].astype(str))
    return frame.merge(trail.drop_duplicates(keys), on=keys, how="left")


def robustness_sheet(result: RunResult) -> pd.DataFrame:
    """Weight stability of the top five per criterion, then the SMAA rank acceptability of each site."""
    stability = robustness.stability(result)
    acceptability = result.acceptability
    if acceptability is None or acceptability.empty:
        return stability
    table = acceptability.copy()
    table.columns = [f"rank {c}" for c in table.columns]
    table = table.rename_axis("site_id").reset_index()
    return pd.concat([stability, pd.DataFrame([{}]), table], ignore_index=True)


def workbook_sheets(result: RunResult, lang: Language) -> dict[str, pd.DataFrame]:
    """The sheets of the workbook, in order, as frames (column names still ids)."""
    return {
        "summary": pd.DataFrame(summary_items(result, lang), columns=["item", "value"]),
        "ranking": tables.ranking_table(result),
        "allocation": allocation_sheet(result),
        "demand": tables.demand_by_segment(result),
        "shortfall": tables.shortfall_table(result),
        "exclusions": tables.exclusions_table(result),
        "matrix": decision_matrix(result, lang),
        "robustness": robustness_sheet(result),
        "assumptions": tables.assumptions_table(result),
    }


def write_excel(result: RunResult, path: Path) -> Path:
    """Write the workbook ``path``, dated by `output_time` so that reruns are byte-identical."""
    lang = language_of(result.scenario)
    periods = tables.periods_of(result)
    when, _basis = output_time(result)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for key, frame in workbook_sheets(result, lang).items():
            name = lang(f"sheet_name.{key}")[:31]
            shown = frame.rename(columns={c: header(str(c), lang, periods) for c in frame.columns})
            shown.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame, periods)
        properties = writer.book.properties
        properties.creator = properties.lastModifiedBy = f"mca-sites {mca.__version__}"
        properties.created = properties.modified = when.replace(tzinfo=None)
    fix_workbook_dates(path, when)
    return path


WRITER = OutputWriter(
    name="excel",
    files="{stem}.xlsx",
    write=lambda folder: [write_excel(folder.result, folder.path("{stem}.xlsx"))],
    independent=True,
)
