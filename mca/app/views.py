"""Views of a run for the terminal and JSON: site records, ranked records, the one-line summary."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from mca.app.pipeline import Scored
from mca.app.results import ROUNDING_ITEM, RunResult
from mca.core.jsonable import plain
from mca.core.vocabulary import ALL_SECTORS
from mca.scoring import excluded_sites
from mca.scoring.ranking import decision_matrix


def sites_with_criteria(scored: Scored, exclusions: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Candidates with every criterion value, the exclusion flag and every reason (also per sector).

    ``excluded`` follows the ranking's rule (closed to all sectors, at once or one by one: give
    the ranking's ``exclusions``, `mca.app.pipeline.ranking_exclusions`); ``exclusion_reasons``
    also lists the sector-specific exclusions, labelled with their sector.
    """
    sites = scored.sites.set_index("site_id")
    reasons = exclusion_reasons(scored.evaluation.exclusions)
    frame = sites.join(scored.evaluation.values)
    applied = scored.evaluation.exclusions if exclusions is None else exclusions
    frame["excluded"] = excluded_sites(applied, frame.index)["excluded"].to_numpy()
    frame["exclusion_reasons"] = reasons.reindex(frame.index).fillna("")
    return gpd.GeoDataFrame(frame.reset_index(), geometry="geometry", crs=sites.crs)


def exclusion_reasons(exclusions: pd.DataFrame) -> pd.Series:
    """Per site, its exclusion reasons joined as ``criterion [sector]: reason; …``."""
    if exclusions.empty:
        return pd.Series(dtype=str)
    label = exclusions["criterion"] + np.where(
        exclusions["sector"] == ALL_SECTORS, "", " [" + exclusions["sector"].astype(str) + "]"
    )
    text = label + ": " + exclusions["reason"]
    return text.groupby(exclusions["site_id"]).agg("; ".join)


def site_records(scored: Scored, exclusions: pd.DataFrame | None = None) -> list[dict]:
    """JSON-ready site objects: id, kind, criteria values and exclusions with reasons."""
    sites = scored.sites.set_index("site_id")
    values = scored.evaluation.values
    applied = scored.evaluation.exclusions if exclusions is None else exclusions
    excluded = excluded_sites(applied, sites.index)["excluded"]
    by_site = dict(tuple(scored.evaluation.exclusions.groupby("site_id")))
    rows = []
    for site_id, row in sites.iterrows():
        exclusions = by_site.get(site_id)
        rows.append(
            {
                "site_id": site_id,
                "name": row["name"],
                "kind": row["kind"],
                "park": row["park"],
                "area_ha": plain(row["area_ha"]),
                "capacity_ha": plain(row["capacity_ha"]),
                "contiguous_ha": plain(row["contiguous_ha"]),
                "criteria": {col: plain(values.at[site_id, col]) for col in values.columns},
                "excluded": bool(excluded[site_id]),
                "exclusions": []
                if exclusions is None
                else exclusions[["criterion", "sector", "reason"]].to_dict(orient="records"),
            }
        )
    return rows


def ranking_records(
    ranking: pd.DataFrame, scored: Scored | None = None, weights: dict[str, float] | None = None
) -> list[dict]:
    """JSON-ready ranked sites with a ``contributions`` mapping that adds up to the score.

    With ``scored`` and the ranking's normalised ``weights``, each ranked site also has
    ``decision``: per criterion its row of the decision matrix
    (`mca.scoring.ranking.decision_matrix`: column, raw value, unit, direction, value score,
    weight, contribution).
    """
    contrib = [c for c in ranking.columns if c.startswith("contrib_")]
    decision = _decision_by_site(ranking, scored, weights) if scored is not None and weights else {}
    rows = []
    for row in ranking.to_dict(orient="records"):
        record = {k: plain(v) for k, v in row.items() if not k.startswith(("contrib_", "vs_"))}
        if contrib:
            record["contributions"] = {c.removeprefix("contrib_"): plain(row[c]) for c in contrib}
        record["value_scores"] = {c.removeprefix("vs_"): plain(row[c]) for c in ranking.columns if c.startswith("vs_")}
        if record["site_id"] in decision:
            record["decision"] = decision[record["site_id"]]
        rows.append(record)
    return rows


def _decision_by_site(ranking: pd.DataFrame, scored: Scored, weights: dict[str, float]) -> dict[str, dict[str, dict]]:
    """The decision matrix of ``ranking`` as ``{site_id: {criterion: {column: value, …}}}``."""
    meta = scored.evaluation.meta
    names = list(weights)
    matrix = decision_matrix(
        ranking,
        scored.raw,
        scored.directions,
        weights,
        columns={name: str(meta.loc[name, "primary"]) if "primary" in meta else name for name in names},
        units={name: str(meta.loc[name, "unit"] or "") if "unit" in meta else "" for name in names},
    )
    out: dict[str, dict[str, dict]] = {}
    for row in matrix.to_dict(orient="records"):
        fields = {k: plain(v) for k, v in row.items() if k not in ("site_id", "criterion")}
        out.setdefault(str(row["site_id"]), {})[str(row["criterion"])] = fields
    return out


def one_line_summary(result: RunResult) -> str:
    """A one-line account of a run for the terminal."""
    placed = float(result.allocation["hectares"].sum()) if len(result.allocation) else 0.0
    short = float(result.shortfall["hectares"].sum()) if len(result.shortfall) else 0.0
    demand = float(result.segments["hectares"].sum())
    ranked = int(result.ranking["rank"].notna().sum())
    rounding = float(result.allocation_summary.get(ROUNDING_ITEM, 0.0))
    return (
        f"{len(result.sites)} sites ({ranked} ranked), demand {demand:.1f} ha, placed {placed:.1f} ha "
        f"(of which XXL plot rounding {rounding:.1f} ha), shortfall {short:.1f} ha, "
        f"solver {result.solver.get('status', '?')}"
    )
