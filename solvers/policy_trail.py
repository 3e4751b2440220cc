"""The policy's part of the allocation: the cap on new ground as a row, the reason trail, regional-outlet demand.

- :func:`expansion_cap_rows`: ``Σ_{s∈E} Σ_g Σ_t x[s,g,t] ≤ C`` (``expansion_total_cap``), the one
  row the policy adds to the model (row ``expansion_cap``).
- :func:`reason_trail`: every allocation row with the rules (and citations) in force on its
  site and segment, the site's rank for that sector and the Ladder phase.
- :func:`regional_outlet`: the shortfall that the cap on new ground sends to the regional
  outlet (Oostflank, 001 §3.2) instead of leaving it unexplained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from mca.core.vocabulary import EXPANSION
from solvers.policy import PolicyApplied, Scope, citation, in_list

if TYPE_CHECKING:
    from solvers.builders import ModelIndex

TRAIL_COLUMNS = ("ladder_phase", "sector_rank", "policy_rules")
"""Columns the reason trail adds to the allocation frame."""
OUTLET = "regional outlet (Oostflank in Brunssum, 001 §3.2 line 818)"
TOL = 1e-6


def expansion_cap_rows(ix: ModelIndex, x: pd.DataFrame, cap_ha: float | None) -> list[pulp.LpConstraint]:
    """``expansion_cap``: all hectares on new ground over all periods at most ``cap_ha`` (none without a cap)."""
    if cap_ha is None:
        return []
    on_new = ix.is_expansion[x["site"].to_numpy()]
    if not on_new.any():
        return []
    terms = pulp.LpAffineExpression([(v, 1.0) for v in x.loc[on_new, "var"]])
    return [pulp.LpConstraint(terms, pulp.LpConstraintLE, "expansion_cap", float(cap_ha))]


def sector_ranks(suitability: pd.DataFrame) -> pd.DataFrame:
    """Rank of each site per sector by suitability (1 = best; ties share the best rank)."""
    return suitability.rank(axis=0, ascending=False, method="min").astype(int)


def _rules_in_force(out: pd.DataFrame, applied: PolicyApplied) -> list[str]:
    """Per allocation row, the citations of the rules whose scope covers its pair, in table order.

    The pair is open, so these rules allowed it. Each rule's scope is evaluated once over all
    sites and rows (a site missing from the policy's sites is covered by none).
    """
    sites = applied.sites.drop_duplicates("site_id")
    sector, size = out["sector"].reset_index(drop=True), out["size_class"].reset_index(drop=True)
    found: list[list[str]] = [[] for _ in range(len(out))]
    scope = Scope.of(sites)
    for _, rule in applied.rules.iterrows():
        if rule["kind"] in ("exclusion_scope", "transformation_compensation"):
            continue
        site_ok = pd.Series(scope.covers(rule), index=sites["site_id"]).reindex(out["site_id"], fill_value=False)
        sector_ok = True if rule["kind"] == "sector_profile" else in_list(sector, rule["sectors"])
        covered = site_ok.to_numpy(dtype=bool) & sector_ok & in_list(size, rule["size_classes"])
        text = citation(rule)
        for row in np.flatnonzero(covered):
            found[row].append(text)
    return ["; ".join(items) for items in found]


def reason_trail(allocation: pd.DataFrame, applied: PolicyApplied) -> pd.DataFrame:
    """``allocation`` with ``ladder_phase`` (1 existing stock, 3 new ground), ``sector_rank`` and ``policy_rules``."""
    out = allocation.copy()
    if not len(out):
        return out.assign(**{c: pd.Series(dtype=object) for c in TRAIL_COLUMNS})
    sites = applied.sites
    kind = sites.set_index("site_id")["kind"].reindex(out["site_id"]).to_numpy()
    out["ladder_phase"] = np.where(kind == EXPANSION, "3 new ground (expansion)", "1 existing stock (reuse, intensify)")
    ranks = sector_ranks(applied.suitability)
    out["sector_rank"] = [int(ranks.at[s, k]) for s, k in zip(out["site_id"], out["sector"])]
    out["policy_rules"] = _rules_in_force(out, applied)
    return out


def regional_outlet(
    shortfall: pd.DataFrame, allocation: pd.DataFrame, applied: PolicyApplied, xxl_min_ha: float
) -> pd.DataFrame:
    """``shortfall`` with ``regional_outlet_ha``: the rows the cap on new ground could not take, else 0.

    A row goes to the regional outlet when the room left under the cap is smaller than what it
    needs: one whole plot (``xxl_min_ha``) for XXL, its hectares for MKB.
    """
    out = shortfall.copy()
    out["regional_outlet_ha"] = 0.0
    cap = applied.expansion_cap_ha
    if cap is None or not len(out):
        return out
    kind = applied.sites.set_index("site_id")["kind"]
    on_new = kind.reindex(allocation["site_id"]).to_numpy() == EXPANSION if len(allocation) else np.array([], bool)
    placed_new = float(allocation.loc[on_new, "hectares"].sum()) if len(allocation) else 0.0
    room = cap - placed_new
    needs = np.where(out["size_class"] == "XXL", xxl_min_ha, out["hectares"].to_numpy(dtype=float))
    capped = room < needs - TOL
    rule = applied.rules[applied.rules["kind"] == "expansion_total_cap"].iloc[0]
    out["regional_outlet_ha"] = np.where(capped, out["hectares"], 0.0)
    note = f"{OUTLET}: new ground in Heerlen is capped at {cap:g} ha, {max(room, 0):.1f} ha left; {citation(rule)}"
    if "explanation" in out:
        out.loc[capped, "explanation"] = out.loc[capped, "explanation"].astype(str) + "; " + note
    return out
