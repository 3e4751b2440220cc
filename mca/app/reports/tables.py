"""Deterministic tables of one run: the CSV outputs and the summaries the other writers share.

Every table here has a fixed column order and sorted rows, so that the same run gives the
same bytes; cells holding lists or dicts are flattened to text so that CSV, Excel and
GeoPackage can store them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from mca.app.reports.base import OutputWriter
from mca.app.results import RunResult
from mca.core.csvio import write_csv
from mca.core.jsonable import dumps
from mca.core.sectors import DEFAULT_SECTORS

RANKING_BASE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "kind",
    "park",
    "rank",
    "score",
    "excluded",
    "exclusion_reasons",
)
SITE_LABEL_COLUMNS: tuple[str, ...] = ("name", "kind", "park")
SECTOR_LABELS: dict[str, str] = {sector.id: sector.label for sector in DEFAULT_SECTORS}
_SECTOR_ORDER: dict[str, int] = {sector.id: i for i, sector in enumerate(DEFAULT_SECTORS)}


def flatten_value(value: Any) -> Any:
    """A cell as a scalar: lists joined by "; " (sets sorted first), dicts as JSON."""
    if isinstance(value, (set, frozenset)):
        return "; ".join(sorted(str(v) for v in value))
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return dumps(value, sort_keys=True, indent=None)
    return value


def flatten_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose object columns hold no lists, sets or dicts."""
    out = frame.copy()
    for column in out.columns:
        if column != "geometry" and out[column].dtype == object:
            out[column] = out[column].map(flatten_value)
    return out


def safe_filename(name: str) -> str:
    """``name`` reduced to letters, digits, ``.``, ``_`` and ``-`` for use as a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return cleaned or "scenario"


def sector_order(sectors: Iterable[str]) -> list[str]:
    """Sector ids in the order of ``DEFAULT_SECTORS``, unknown ids after them alphabetically."""
    unique = {str(s) for s in sectors}
    return sorted(unique, key=lambda s: (_SECTOR_ORDER.get(s, len(_SECTOR_ORDER)), s))


def periods_of(result: RunResult) -> list[str]:
    """All planning periods that occur in the demand or the allocation, sorted."""
    values = set(result.segments.get("period", pd.Series(dtype=str)).astype(str))
    values |= set(result.allocation.get("period", pd.Series(dtype=str)).astype(str))
    return sorted(values)


def criterion_names(result: RunResult) -> list[str]:
    """Criteria in weight order, then any other criterion found in the ranking, alphabetically."""
    names = list(result.weights)
    names += [c for c in result.criteria_meta if c not in names]
    for column in sorted(result.ranking.columns):
        for prefix in ("contrib_", "vs_"):
            if column.startswith(prefix) and column[len(prefix) :] not in names:
                names.append(column[len(prefix) :])
    return names


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    present = [k for k in keys if k in frame.columns]
    if not present:
        return frame.reset_index(drop=True)
    return frame.sort_values(present, kind="mergesort", key=_sort_key).reset_index(drop=True)


def _sort_key(column: pd.Series) -> pd.Series:
    return column if pd.api.types.is_numeric_dtype(column) else column.astype(str)


def _with_site_labels(frame: pd.DataFrame, result: RunResult) -> pd.DataFrame:
    """``frame`` with the name, kind and park of each site inserted after ``site_id``."""
    labels = [c for c in SITE_LABEL_COLUMNS if c in result.sites.columns and c not in frame.columns]
    if not labels:
        return frame
    lookup = pd.DataFrame(result.sites[["site_id", *labels]]).drop_duplicates("site_id")
    merged = frame.merge(lookup, on="site_id", how="left")
    order = ["site_id", *labels, *[c for c in frame.columns if c != "site_id"]]
    return merged[order]


def ranking_table(result: RunResult) -> pd.DataFrame:
    """The ranked list: ranked sites by rank, then excluded sites by ``site_id``."""
    frame = flatten_columns(result.ranking)
    criteria = criterion_names(result)
    contrib = [f"contrib_{c}" for c in criteria if f"contrib_{c}" in frame.columns]
    versus = [f"vs_{c}" for c in criteria if f"vs_{c}" in frame.columns]
    base = [c for c in RANKING_BASE_COLUMNS if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in {*base, *contrib, *versus})
    frame = frame[[*base, *contrib, *versus, *rest]]
    excluded = frame["excluded"].astype(bool)
    ranked = _sorted(frame[~excluded], ["rank", "site_id"])
    dropped = _sorted(frame[excluded], ["site_id"])
    table = pd.concat([ranked, dropped], ignore_index=True)
    table["rank"] = pd.to_numeric(table["rank"]).round().astype("Int64")
    table["excluded"] = table["excluded"].astype(bool)
    return table


def allocation_table(result: RunResult) -> pd.DataFrame:
    """Allocation rows with site labels, sorted by site, sector, size class and period."""
    regret = [c for c in ("regret", "interchangeable_with") if c in result.allocation]
    frame = result.allocation[["site_id", "sector", "size_class", "period", "hectares", *regret]].copy()
    frame["period"] = frame["period"].astype(str)
    frame = _with_site_labels(frame, result)
    return _sorted(frame, ["site_id", "sector", "size_class", "period"])


def exclusions_table(result: RunResult) -> pd.DataFrame:
    """Exclusions with site labels, sorted by site, criterion and sector."""
    frame = flatten_columns(result.exclusions[["site_id", "criterion", "sector", "reason"]])
    frame = _with_site_labels(frame, result)
    return _sorted(frame, ["site_id", "criterion", "sector"])


def segments_table(result: RunResult) -> pd.DataFrame:
    """Demand segments, sorted by sector, size class and period."""
    frame = result.segments[["sector", "size_class", "period", "hectares"]].copy()
    frame["period"] = frame["period"].astype(str)
    return _sorted(frame, ["sector", "size_class", "period"])


def shortfall_table(result: RunResult) -> pd.DataFrame:
    """Demand that could not be placed, with the solver's explanation, sorted like the segments."""
    columns = ["sector", "size_class", "period", "hectares", "explanation"]
    frame = flatten_columns(result.shortfall.reindex(columns=columns))
    frame["period"] = frame["period"].astype(str)
    return _sorted(frame, ["sector", "size_class", "period"])


def assumptions_table(result: RunResult) -> pd.DataFrame:
    """Assumptions and source figures: ``item, value, basis``, sorted by item."""
    frame = flatten_columns(result.assumptions[["item", "value", "basis"]])
    return _sorted(frame, ["item"])


def _period_pivot(frame: pd.DataFrame, index: list[str], periods: list[str]) -> pd.DataFrame:
    """Hectares summed per ``index`` × period, with every period column and a ``total``."""
    data = frame.assign(period=frame["period"].astype(str))
    pivot = data.pivot_table(index=index, columns="period", values="hectares", aggfunc="sum", fill_value=0.0)
    pivot = pivot.reindex(columns=periods, fill_value=0.0)
    pivot.columns = [str(c) for c in pivot.columns]
    pivot["total"] = pivot.sum(axis=1)
    return pivot.reset_index()


def demand_by_segment(result: RunResult) -> pd.DataFrame:
    """Demand per sector and size class (rows) and period (columns), with a total."""
    pivot = _period_pivot(result.segments, ["sector", "size_class"], periods_of(result))
    order = {s: i for i, s in enumerate(sector_order(pivot["sector"]))}
    pivot["_order"] = pivot["sector"].map(order)
    pivot = pivot.sort_values(["_order", "size_class"], kind="mergesort").drop(columns="_order")
    return pivot.reset_index(drop=True)


def demand_by_sector(result: RunResult) -> pd.DataFrame:
    """Demand per sector (index, in sector order) and period (columns), in hectares."""
    pivot = _period_pivot(result.segments, ["sector"], periods_of(result)).set_index("sector")
    return pivot.reindex(sector_order(pivot.index)).drop(columns="total")


def allocation_by_site(result: RunResult) -> pd.DataFrame:
    """Allocated hectares per site and period with a total; largest total first."""
    periods = periods_of(result)
    if result.allocation.empty:
        return pd.DataFrame(columns=["site_id", *SITE_LABEL_COLUMNS, *periods, "total"])
    pivot = _with_site_labels(_period_pivot(result.allocation, ["site_id"], periods), result)
    pivot = pivot.assign(_site=pivot["site_id"].astype(str))
    pivot = pivot.sort_values(["total", "_site"], ascending=[False, True], kind="mergesort")
    return pivot.drop(columns="_site").reset_index(drop=True)


def allocation_by_kind(result: RunResult) -> pd.DataFrame:
    """Allocated hectares per site kind (index, sorted) and period (columns)."""
    periods = periods_of(result)
    if result.allocation.empty:
        return pd.DataFrame(columns=periods, dtype=float)
    frame = result.allocation.merge(
        pd.DataFrame(result.sites[["site_id", "kind"]]).drop_duplicates("site_id"),
        on="site_id",
        how="left",
    )
    frame["kind"] = frame["kind"].fillna("unknown").astype(str)
    pivot = _period_pivot(frame, ["kind"], periods).set_index("kind").sort_index()
    return pivot.drop(columns="total")


def allocated_by_site_and_sector(result: RunResult) -> pd.DataFrame:
    """Allocated hectares per site (index) and sector (columns, in sector order)."""
    if result.allocation.empty:
        return pd.DataFrame(dtype=float)
    pivot = result.allocation.pivot_table(
        index="site_id", columns="sector", values="hectares", aggfunc="sum", fill_value=0.0
    )
    return pivot.reindex(columns=sector_order(pivot.columns)).sort_index()


def write_csvs(result: RunResult, out_dir: Path) -> list[Path]:
    """Write ``ranking.csv``, ``allocation.csv``, ``exclusions.csv`` and ``demand_segments.csv``."""
    tables = {
        "ranking.csv": ranking_table(result),
        "allocation.csv": allocation_table(result),
        "exclusions.csv": exclusions_table(result),
        "demand_segments.csv": segments_table(result),
    }
    return [write_csv(frame, out_dir / name) for name, frame in tables.items()]


WRITER = OutputWriter(
    name="csv",
    files="ranking.csv, allocation.csv, exclusions.csv, demand_segments.csv",
    write=lambda folder: write_csvs(folder.result, folder.out_dir),
    independent=True,
)
