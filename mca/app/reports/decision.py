"""``decision_matrix.csv``: the ranking's raw values, value scores, weights and contributions (issue 10).

One row per ranked site and criterion, so that anyone can recompute the weighted sum, TOPSIS or
SMAA with other code. Numbers are written with 17 significant digits (round-trip exact).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mca.app.reports.base import OutputWriter
from mca.app.results import RunResult
from mca.core.csvio import write_csv
from mca.scoring.ranking import decision_matrix

FILE = "decision_matrix.csv"


def decision_table(result: RunResult) -> pd.DataFrame:
    """The decision matrix of the run's default ranking (`mca.scoring.ranking.decision_matrix`)."""
    meta = result.criteria_meta
    columns = {name: str(meta.get(name, {}).get("primary", name)) for name in result.weights}
    sites = pd.DataFrame(result.sites.drop(columns="geometry", errors="ignore")).set_index("site_id")
    raw = pd.DataFrame({name: sites[column] for name, column in columns.items()})  # categories stay text
    directions = {name: str(meta.get(name, {}).get("direction", "max")) for name in result.weights}
    units = {name: str(meta.get(name, {}).get("unit") or "") for name in result.weights}
    return decision_matrix(result.ranking, raw, directions, result.weights, columns=columns, units=units)


def write_decision_matrix(result: RunResult, out_dir: Path) -> list[Path]:
    """Write ``decision_matrix.csv`` into ``out_dir``."""
    return [write_csv(decision_table(result), out_dir / FILE, float_format="%.17g")]


WRITER = OutputWriter(
    name="decision_matrix",
    files=FILE,
    write=lambda folder: write_decision_matrix(folder.result, folder.out_dir),
    independent=True,
)
