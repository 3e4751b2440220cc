"""Scenario comparison: ranks and allocations side by side, the 80/20 programme and site frequencies.

The **programme** follows 002 (§3.2 and the no-regret passage: "80 % no-regret / 20 %
flexibel"): 80 % of the hectares in plans that fit every scenario, 20 % kept flexible. The
hectares every scenario places on the same site (the smallest allocation of that site over the
scenarios) are the no-regret programme; the comparison says whether they cover ``share`` of
the base demand (the first scenario's demand) and how many hectares stay flexible.

The **frequency view** is kept beside it: a site is *chosen* in a scenario when the allocation
places land on it; ``no_regret`` lists the sites chosen in at least ``share`` of the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mca.app.results import RunResult
from mca.core.csvio import write_csv


@dataclass
class ScenarioComparison:
    """``ranks`` and ``allocated_ha``: site × scenario; ``no_regret``: the safe sites."""

    scenarios: list[str]
    ranks: pd.DataFrame
    allocated_ha: pd.DataFrame
    totals: pd.DataFrame
    no_regret: pd.DataFrame
    share: float
    programme: pd.DataFrame
    """Per site: ``common_ha`` (placed there in every scenario), ``min_ha``/``max_ha`` over the scenarios."""
    programme_summary: pd.DataFrame
    """One row per figure of the 80/20 programme (``item``, ``value``), see :func:`programme_summary`."""
    names: pd.Series
    """The name of every site (index ``site_id``), for charts and tables."""


def compare_runs(results: list[RunResult], share: float = 0.8) -> ScenarioComparison:
    """Compare the runs of several scenarios on the same or overlapping candidate sets."""
    names = [r.scenario_name for r in results]
    ranks = pd.concat({r.scenario_name: r.ranking.set_index("site_id")["rank"] for r in results}, axis=1)
    allocated = (
        pd.concat(
            {
                r.scenario_name: r.allocation.groupby("site_id")["hectares"].sum()
                if len(r.allocation)
                else pd.Series(dtype=float)
                for r in results
            },
            axis=1,
        )
        .reindex(ranks.index)
        .fillna(0.0)
    )
    chosen = allocated > 1e-6
    info = pd.concat([r.sites.set_index("site_id")[["name", "kind", "park"]] for r in results])
    info = info[~info.index.duplicated()]
    summary = info.reindex(ranks.index).assign(
        chosen_in=chosen.sum(axis=1).astype(int),
        share_chosen=chosen.mean(axis=1),
        mean_allocated_ha=allocated.mean(axis=1),
        best_rank=ranks.min(axis=1),
        worst_rank=ranks.max(axis=1),
    )
    no_regret = summary[summary["share_chosen"] >= share - 1e-9].sort_values(
        ["share_chosen", "mean_allocated_ha", "best_rank"], ascending=[False, False, True]
    )
    totals = pd.DataFrame(
        {
            r.scenario_name: {
                "demand_ha": float(r.segments["hectares"].sum()),
                "placed_ha": float(r.allocation["hectares"].sum()) if len(r.allocation) else 0.0,
                "shortfall_ha": float(r.shortfall["hectares"].sum()) if len(r.shortfall) else 0.0,
                "sites_chosen": int(chosen[r.scenario_name].sum()),
            }
            for r in results
        }
    ).T
    programme = no_regret_programme(allocated, info)
    return ScenarioComparison(
        scenarios=names,
        ranks=ranks.sort_index(),
        allocated_ha=allocated.sort_index(),
        totals=totals,
        no_regret=no_regret,
        share=share,
        programme=programme,
        programme_summary=programme_summary(programme, totals, share),
        names=info["name"].reindex(ranks.index).fillna(ranks.index.to_series()).astype(str),
    )


def no_regret_programme(allocated: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """Sites with hectares in every scenario: ``common_ha`` = the least any scenario places there."""
    common = allocated.min(axis=1)
    frame = info.reindex(allocated.index).assign(
        common_ha=common, min_ha=allocated.min(axis=1), max_ha=allocated.max(axis=1)
    )
    return frame[common > 1e-6].sort_values(["common_ha", "max_ha"], ascending=False)


def programme_summary(programme: pd.DataFrame, totals: pd.DataFrame, share: float) -> pd.DataFrame:
    """The 80/20 figures: no-regret hectares against ``share`` of the base (first) demand, and the flexible rest."""
    base = totals.index[0]
    base_demand = float(totals.at[base, "demand_ha"])
    common = float(programme["common_ha"].sum())
    target = share * base_demand
    rows = {
        "base_scenario": base,
        "base_demand_ha": round(base_demand, 6),
        "no_regret_ha": round(common, 6),
        "no_regret_share_of_base_demand": round(common / base_demand, 6) if base_demand > 0 else None,
        "target_share": share,
        "target_ha": round(target, 6),
        "covers_target": bool(common >= target - 1e-6),
        "flexible_ha": round(max(0.0, base_demand - common), 6),
        "no_regret_sites": len(programme),
    }
    rows |= {f"flexible_ha ({name})": round(float(totals.at[name, "placed_ha"]) - common, 6) for name in totals.index}
    return pd.DataFrame({"item": list(rows), "value": list(rows.values())})


def write_comparison(comparison: ScenarioComparison, out_dir: Path) -> list[Path]:
    """Write the comparison tables (CSV, deterministic) into ``out_dir`` (the charts: `mca.app.reports.comparison`)."""
    out_dir = Path(out_dir)
    files = {
        "ranks_by_scenario.csv": comparison.ranks,
        "allocation_by_scenario.csv": comparison.allocated_ha,
        "scenario_totals.csv": comparison.totals,
        "no_regret_sites.csv": comparison.no_regret,
        "programme_sites.csv": comparison.programme,
    }
    written = []
    for name, frame in files.items():
        path = out_dir / name
        write_csv(frame, path, index=True)
        written.append(path)
    summary = out_dir / "programme_80_20.csv"
    write_csv(comparison.programme_summary, summary, index=False)
    written.append(summary)
    return written
