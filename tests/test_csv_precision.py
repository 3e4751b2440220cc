"""Hectares read back from a run's CSVs balance: placed + shortfall − rounding = demand (issue 10).

The Heerlen base case is solved once; its allocation and demand segments go through the run's own
table writers (``allocation.csv``, ``demand_segments.csv``) and its shortfall and XXL rounding frames
through the same CSV writer (`mca.core.csvio`), and the balance is checked per segment and period.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mca.app import pipeline
from mca.app.reports.tables import allocation_table, segments_table
from mca.app.scenario import load_scenario
from mca.core.csvio import CSV_FLOAT_FORMAT, write_csv

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "heerlen_base.yaml"
KEYS = ["sector", "size_class", "period"]
RELATIVE = 1e-9


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """The solved Heerlen base case: allocation, shortfall, rounding and demand frames as the run holds them."""
    inputs = pipeline.load_inputs(load_scenario(BASE))
    scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
    forecast = pipeline.demand_forecast(inputs)
    result = pipeline.allocate(inputs, scored, forecast)
    run = SimpleNamespace(allocation=result.allocation, segments=forecast.segments, sites=scored.sites)
    return {
        "allocation": allocation_table(run),  # type: ignore[arg-type]
        "demand_segments": segments_table(run),  # type: ignore[arg-type]
        "shortfall": result.shortfall,
        "rounding": result.rounding,
    }


def _read_back(frames: dict[str, pd.DataFrame], folder: Path, float_format: str) -> dict[str, pd.DataFrame]:
    """Each frame written to ``<name>.csv`` with ``float_format`` and read back."""
    read = {}
    for name, frame in frames.items():
        path = write_csv(frame, folder / f"{name}.csv", float_format=float_format)
        read[name] = pd.read_csv(path, dtype={"period": str})
    return read


def _balance(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per segment and period: demand and the residual placed + shortfall − rounding − demand."""

    def summed(name: str) -> pd.Series:
        frame = tables[name].assign(period=tables[name]["period"].astype(str))
        return frame.groupby(KEYS)["hectares"].sum()

    demand = summed("demand_segments")
    placed, shortfall, rounding = (
        summed(n).reindex(demand.index, fill_value=0.0) for n in ("allocation", "shortfall", "rounding")
    )
    return pd.DataFrame({"demand": demand, "residual": placed + shortfall - rounding - demand})


def test_the_csv_round_trip_keeps_every_segment_balance_to_1e9_relative(frames, tmp_path: Path) -> None:
    in_memory = _balance(frames)
    from_csv = _balance(_read_back(frames, tmp_path, CSV_FLOAT_FORMAT))
    added = (from_csv["residual"] - in_memory["residual"]).abs()
    assert (added <= RELATIVE * in_memory["demand"]).all(), added[added > RELATIVE * in_memory["demand"]]
    six_digits = _balance(_read_back(frames, tmp_path, "%.6g"))  # the former format lost up to 5e-6 per number
    assert ((six_digits["residual"] - in_memory["residual"]).abs() > RELATIVE * in_memory["demand"]).any()


def test_the_csvs_are_byte_identical_when_written_twice(frames, tmp_path: Path) -> None:
    for name, frame in frames.items():
        first = write_csv(frame, tmp_path / f"{name}_1.csv").read_bytes()
        assert write_csv(frame.copy(), tmp_path / f"{name}_2.csv").read_bytes() == first, name


def test_placed_plus_shortfall_minus_rounding_is_demand_read_from_the_csvs(frames, tmp_path: Path) -> None:
    balance = _balance(_read_back(frames, tmp_path, CSV_FLOAT_FORMAT))
    assert (balance["demand"] > 0).any()
    assert np.all(balance["residual"].abs() <= RELATIVE * balance["demand"])
