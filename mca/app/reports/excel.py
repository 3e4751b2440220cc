"""The Excel workbook of one run: one formatted sheet per table, plus a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import mca
from mca.app.reports import tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.stamp import fix_workbook_dates, output_time
from mca.app.results import RunResult

HECTARE_FORMAT = "0.0"
SCORE_FORMAT = "0.000"
INTEGER_FORMAT = "0"
_SCORE_PREFIXES = ("score", "suit_", "contrib_", "vs_", "weight")
_MAX_COLUMN_WIDTH = 60


def summary_items(result: RunResult, *, details: bool = True) -> list[tuple[str, Any]]:
    """Key figures of the run as ``(label, value)`` pairs, shared by the workbook and the HTML.

    With ``details`` every scalar of the solver and allocation summaries is added as well.
    """
    ranking = result.ranking
    items: list[tuple[str, Any]] = [
        ("scenario", result.scenario_name),
        ("description", str(result.scenario.get("description", ""))),
        ("schematic data", "yes — demonstration only" if result.schematic else "no"),
        ("candidate sites", len(ranking)),
        ("excluded sites", int(ranking["excluded"].astype(bool).sum())),
        ("demand (ha)", float(result.segments["hectares"].sum())),
        ("allocated (ha)", float(result.allocation["hectares"].sum())),
        ("shortfall (ha)", float(result.shortfall["hectares"].sum()) if "hectares" in result.shortfall else 0.0),
        ("solver status", result.solver.get("status", "")),
    ]
    if not details:
        return items
    for key in sorted(result.solver):
        if key != "status" and _is_scalar(result.solver[key]):
            items.append((f"solver {key}", result.solver[key]))
    for key in sorted(result.allocation_summary):
        if _is_scalar(result.allocation_summary[key]):
            items.append((f"allocation {key}", result.allocation_summary[key]))
    return items


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def number_format(column: str, periods: list[str]) -> str | None:
    """The Excel number format for a column, chosen by its name."""
    if column == "hectares" or column.endswith("_ha") or column in periods or column == "total":
        return HECTARE_FORMAT
    if column.startswith(_SCORE_PREFIXES):
        return SCORE_FORMAT
    if column == "rank":
        return INTEGER_FORMAT
    return None


def _format_sheet(sheet: Worksheet, frame: pd.DataFrame, periods: list[str]) -> None:
    """Bold frozen header, autofilter, column widths and number formats."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        texts = [str(column), *(str(v) for v in frame[column].tolist())]
        sheet.column_dimensions[letter].width = min(max(len(t) for t in texts) + 2, _MAX_COLUMN_WIDTH)
        fmt = number_format(str(column), periods)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt


def workbook_sheets(result: RunResult) -> dict[str, pd.DataFrame]:
    """The sheets of the workbook, in order, as frames."""
    summary = pd.DataFrame(summary_items(result), columns=["item", "value"])
    summary["value"] = summary["value"].map(str)
    return {
        "summary": summary,
        "ranking": tables.ranking_table(result),
        "allocation": tables.allocation_table(result),
        "demand": tables.demand_by_segment(result),
        "shortfall": tables.shortfall_table(result),
        "exclusions": tables.exclusions_table(result),
        "assumptions": tables.assumptions_table(result),
    }


def write_excel(result: RunResult, path: Path) -> Path:
    """Write the workbook ``path``, dated by `output_time` so that reruns are byte-identical.

    Sheets: summary, ranking, allocation, demand, shortfall, exclusions, assumptions.
    """
    periods = tables.periods_of(result)
    sheets = workbook_sheets(result)
    when, _basis = output_time(result)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame, periods)
        properties = writer.book.properties
        properties.creator = properties.lastModifiedBy = f"mca-sites {mca.__version__}"
        properties.created = properties.modified = when.replace(tzinfo=None)
    fix_workbook_dates(path, when)
    return path


WRITER = OutputWriter(
    name="excel", files="{stem}.xlsx", write=lambda folder: [write_excel(folder.result, folder.path("{stem}.xlsx"))]
)
