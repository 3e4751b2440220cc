"""The vision as rules: the policy table (one cited row per rule) applied to the allocation problem.

Each rule kind acts in one way (docs/policy.md):

- a **closure** of site × segment pairs (`policy_reasons`): ``keep_as_is``, ``env_reserve``,
  ``logistics_where``, ``sector_profile``, ``expansion_access``, ``min_plot``,
  ``public_attracting``, ``grid_congestion``; each closed pair names the rule and its citation;
- a **scope** of an exclusion criterion (`scoped_exclusions`): ``exclusion_scope``;
- a **capacity** (`policy_sites`, `expansion_cap`): ``xxl_redevelopment``,
  ``expansion_site_cap``, ``expansion_total_cap`` (a row in the model);
- a **priority** (`prioritised_suitability`): ``intensify_priority``.

``transformation_compensation`` acts in the demand stage (``demand.transformed_ha``). The
table arrives as a frame of text columns (`solvers.policy_settings.POLICY_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mca.core.errors import UserError
from mca.core.sectors import PERIODS, SIZE_CLASSES, Sector, segment_id
from mca.core.vocabulary import AVAILABLE_PLOT, EXPANSION, INTENSIFICATION, USER
from solvers.compatibility import Compatibility, build_compatibility
from solvers.policy_settings import POLICY_COLUMNS, PolicySettings
from solvers.settings import AllocationSettings

REASON_COLUMNS = ["site_id", "segment", "rule", "reason"]
LADDER_KINDS = (AVAILABLE_PLOT, INTENSIFICATION, EXPANSION)
"""What a site is on the Ladder: reuse of available plots, intensification, or new ground."""
USER_KIND_WORDS = {"reuse": AVAILABLE_PLOT, "intensification": INTENSIFICATION, "expansion": EXPANSION}
"""The kind a user site declares (column ``ladder_kind``) and the Ladder kind it means."""


def select_rules(table: pd.DataFrame, settings: PolicySettings) -> pd.DataFrame:
    """The rules that apply in a scenario: none when disabled, without ``disable``, ``values`` replaced."""
    rules = table.reindex(columns=list(POLICY_COLUMNS)).fillna("").astype(str)
    if not settings.enabled:
        return rules.iloc[0:0]
    known = set(rules["rule_id"])
    for field, ids in (("policy.disable", settings.disable), ("policy.values", list(settings.values))):
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UserError(f"unknown rule id {unknown[0]!r}", source="scenario", field=field)
    rules = rules[~rules["rule_id"].isin(settings.disable)].copy()
    for rule_id, value in settings.values.items():
        rules.loc[rules["rule_id"] == rule_id, "value"] = value if isinstance(value, str) else f"{value:g}"
    return rules.reset_index(drop=True)


def ladder_kinds(sites: pd.DataFrame) -> pd.Series:
    """Each site's Ladder kind: its own kind, or for a user site the kind it declares (default expansion)."""
    kinds = sites["kind"].astype(str)
    declared = sites["ladder_kind"] if "ladder_kind" in sites else pd.Series("", index=sites.index)
    words = declared.fillna("").astype(str).str.strip().str.lower()
    bad = (kinds == USER) & (words != "") & ~words.isin(list(USER_KIND_WORDS))
    if bad.any():
        raise UserError(
            f"site {sites.loc[bad, 'site_id'].iloc[0]!r}: ladder_kind must be one of {', '.join(USER_KIND_WORDS)}",
            source="candidates",
            field="ladder_kind",
        )
    user_kind = words.map(USER_KIND_WORDS).fillna(EXPANSION)
    return kinds.where(kinds != USER, user_kind).rename("ladder_kind")


def citation(rule: pd.Series) -> str:
    """``rule_id (document, section, line N: "quote")`` for reasons and the trail."""
    line = f", line {rule['line']}" if rule["line"] else ""
    return f'{rule["rule_id"]} ({rule["document"]}, {rule["section"]}{line}: "{rule["quote"]}")'


def _items(spec: str) -> list[str]:
    return [part.strip() for part in str(spec).split(";") if part.strip()]


def _numbers(rule: pd.Series) -> list[float]:
    return [float(part) for part in _items(rule["value"])]


def _everything(items: list[str]) -> bool:
    """Whether a ';'-list names everything (``*`` or empty)."""
    return not items or items == ["*"]


def in_list(values: pd.Series, spec: str) -> np.ndarray:
    """True where ``values`` is in the ';'-list ``spec`` (``*`` or empty: everywhere)."""
    items = _items(spec)
    if _everything(items):
        return np.ones(len(values), dtype=bool)
    return np.asarray(values.astype(str).isin(items).to_numpy(), dtype=bool)


def _of_kind(rules: pd.DataFrame, kind: str) -> pd.DataFrame:
    return rules[rules["kind"] == kind]


@dataclass(frozen=True)
class Scope:
    """What a rule's scope reads of a site frame, as text, worked out once for all its rules: park and Ladder kind."""

    parks: pd.Series
    kinds: pd.Series

    @classmethod
    def of(cls, sites: pd.DataFrame) -> Scope:
        """The scope columns of ``sites`` (a site without a park has the park ``""``)."""
        park = sites["park"] if "park" in sites else pd.Series("", index=sites.index)
        return cls(park.fillna("").astype(str), ladder_kinds(sites))

    def covers(self, rule: pd.Series) -> np.ndarray:
        """Sites the rule's parks and site kinds cover."""
        return np.asarray(in_list(self.parks, rule["parks"]) & in_list(self.kinds, rule["site_kinds"]))


def in_scope(sites: pd.DataFrame, rule: pd.Series) -> np.ndarray:
    """Sites the rule's parks and site kinds cover (for one rule; `Scope` for several)."""
    return Scope.of(sites).covers(rule)


def policy_sites(sites: pd.DataFrame, rules: pd.DataFrame, periods: Sequence[str]) -> pd.DataFrame:
    """Sites with their Ladder kind as ``kind`` (user sites keep theirs in ``candidate_kind``) and capacity rules.

    ``xxl_redevelopment``: an intensification site's contiguous area becomes ``min(capacity, value)``,
    the largest plot one redevelopment frees on that park. ``expansion_site_cap``: every capacity
    column and the contiguous area of a new site at most ``value``.
    """
    out = sites.copy()
    out["candidate_kind"] = out["kind"]
    scope = Scope.of(sites)
    out["kind"] = scope.kinds.to_numpy()
    columns = [c for c in (*(f"capacity_{p}_ha" for p in periods), "capacity_ha") if c in out]
    last = out[columns[len(periods) - 1] if len(columns) >= len(periods) else columns[-1]]
    for _, rule in _of_kind(rules, "xxl_redevelopment").iterrows():
        hit = scope.covers(rule) & (out["kind"] == INTENSIFICATION).to_numpy()
        out.loc[hit, "contiguous_ha"] = np.minimum(last[hit], _numbers(rule)[0])
    for _, rule in _of_kind(rules, "expansion_site_cap").iterrows():
        hit = scope.covers(rule) & (out["kind"] == EXPANSION).to_numpy()
        for column in [*columns, "contiguous_ha"]:
            out.loc[hit, column] = np.minimum(out.loc[hit, column], _numbers(rule)[0])
    return out


def expansion_cap(rules: pd.DataFrame) -> float | None:
    """The most hectares all new ground may take to the last period (``expansion_total_cap``), if set."""
    caps = [_numbers(rule)[0] for _, rule in _of_kind(rules, "expansion_total_cap").iterrows()]
    return min(caps) if caps else None


def scoped_exclusions(exclusions: pd.DataFrame, sites: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Exclusions less the rows an ``exclusion_scope`` rule limits to other site kinds (nitrogen, NNN: new ground)."""
    if not len(exclusions):
        return exclusions
    kinds = ladder_kinds(sites).set_axis(sites["site_id"].to_numpy())
    keep = np.ones(len(exclusions), dtype=bool)
    for _, rule in _of_kind(rules, "exclusion_scope").iterrows():
        covered = exclusions["criterion"].astype(str).isin(_items(rule["target"])).to_numpy()
        in_scope = in_list(kinds.reindex(exclusions["site_id"]).fillna(""), rule["site_kinds"])
        keep &= ~covered | in_scope
    return exclusions[keep].reset_index(drop=True)


def prioritised_suitability(suitability: pd.DataFrame, sites: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Suitability with existing-stock sites outside the priority parks multiplied by ``1 − value``.

    ``intensify_priority`` (the Ladder's first step, 001 §3.1): within the existing stock the
    vision's intensification parks come first; values stay in [0, 1].
    """
    priority = _of_kind(rules, "intensify_priority")
    if not len(priority):
        return suitability
    scope = Scope.of(sites)
    in_priority = np.zeros(len(sites), dtype=bool)
    for _, rule in priority.iterrows():
        in_priority |= scope.covers(rule)
    existing = (scope.kinds != EXPANSION).to_numpy()
    factor = 1.0 - max(_numbers(rule)[0] for _, rule in priority.iterrows())
    scale = pd.Series(np.where(existing & ~in_priority, factor, 1.0), index=sites["site_id"].to_numpy())
    return suitability.mul(scale.reindex(suitability.index).fillna(1.0), axis=0)


def _closed(
    site_ids: pd.Series, text: str, rule: pd.Series, sectors: Sequence[str], sizes: Sequence[str]
) -> list[dict[str, str]]:
    reason = f"{text}; {citation(rule)}"
    return [
        {"site_id": s, "segment": segment_id(k, z), "rule": rule["rule_id"], "reason": reason}
        for s in site_ids
        for k in sectors
        for z in sizes
    ]


def _sizes(rule: pd.Series) -> list[str]:
    items = _items(rule["size_classes"])
    return list(SIZE_CLASSES) if _everything(items) else items


def _named_sectors(rule: pd.Series, sectors: Sequence[Sector]) -> list[str]:
    items = _items(rule["sectors"])
    return [s.id for s in sectors if _everything(items) or s.id in items]


def _closure_rows(
    sites: pd.DataFrame,
    scope: Scope,
    rule: pd.Series,
    sectors: Sequence[Sector],
    values: pd.DataFrame,
    congested: set[str],
) -> list[dict[str, str]]:
    """The pairs one closure rule closes, with its reason."""
    kind, ids = rule["kind"], sites["site_id"]
    hit = scope.covers(rule)
    named = _named_sectors(rule, sectors)
    if kind == "keep_as_is":
        return _closed(
            ids[hit], "keep as is: no intensification programmed", rule, [s.id for s in sectors], SIZE_CLASSES
        )
    if kind == "env_reserve":
        light = [s.id for s in sectors if s.min_env_category < _numbers(rule)[0]]
        return _closed(
            ids[hit], "environmental space kept for activities of higher nuisance", rule, light, SIZE_CLASSES
        )
    if kind == "logistics_where":
        return _closed(ids[hit], "no logistics redevelopment on scattered plots", rule, named, _sizes(rule))
    if kind == "sector_profile":
        other = [s.id for s in sectors if s.id not in named]
        return _closed(ids[hit], f"park profile admits {', '.join(named)} only", rule, other, SIZE_CLASSES)
    if kind == "min_plot":
        small = hit & (sites[_last_capacity(sites)].to_numpy(dtype=float) < _numbers(rule)[0])
        return _closed(
            ids[small], f"site offers less than the minimum plot {rule['value']} ha", rule, named, _sizes(rule)
        )
    if kind == "public_attracting":
        kinds = sites["kind"].astype(str).to_numpy()
        urban = sites["profile"].astype(str).to_numpy() == rule["target"] if "profile" in sites else False
        away = hit & ~urban & (kinds != EXPANSION)
        return _closed(
            ids[away], "public-attracting use away from urban work locations and park edges", rule, named, SIZE_CLASSES
        )
    if kind == "grid_congestion":
        on_congested = hit & sites["park"].isin(sorted(congested)).to_numpy()
        return _closed(ids[on_congested], "grid congestion on the park", rule, named, SIZE_CLASSES)
    if kind == "expansion_access":
        return _access_rows(sites, rule, sectors, values, hit)
    return []


def _last_capacity(sites: pd.DataFrame) -> str:
    columns = sorted(c for c in sites if c.startswith("capacity_") and c.endswith("_ha") and c != "capacity_ha")
    return columns[-1] if columns else "capacity_ha"


def _access_rows(
    sites: pd.DataFrame, rule: pd.Series, sectors: Sequence[Sector], values: pd.DataFrame, hit: np.ndarray
) -> list[dict[str, str]]:
    """New ground closed unless every criterion of ``target`` is within its limit (Ladder step 3)."""
    new = hit & (sites["kind"].astype(str) == EXPANSION).to_numpy()
    failing = np.zeros(len(sites), dtype=bool)
    for criterion, limit in zip(_items(rule["target"]), _numbers(rule)):
        if criterion not in values:
            continue
        value = values[criterion].reindex(sites["site_id"]).to_numpy(dtype=float)
        failing |= ~(value <= limit)
    text = (
        "new ground without multimodal access ("
        + ", ".join(f"{c} ≤ {v:g}" for c, v in zip(_items(rule["target"]), _numbers(rule)))
        + ")"
    )
    return _closed(sites["site_id"][new & failing], text, rule, [s.id for s in sectors], SIZE_CLASSES)


def policy_reasons(
    sites: pd.DataFrame,
    sectors: Sequence[Sector],
    rules: pd.DataFrame,
    *,
    values: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per pair a closure rule closes: ``site_id, segment, rule`` (the rule id), ``reason`` with the citation.

    ``sites`` as returned by :func:`policy_sites` (Ladder kind in ``kind``); ``values``: criteria
    values by site_id (for ``expansion_access``); ``congestion``: ``park_id, congested``.
    """
    values = values if values is not None else pd.DataFrame(index=sites["site_id"])
    congested = set() if congestion is None else set(congestion.loc[congestion["congested"], "park_id"])
    rows: list[dict[str, str]] = []
    sites = sites.reset_index(drop=True)
    scope = Scope.of(sites)
    for _, rule in rules.iterrows():
        rows += _closure_rows(sites, scope, rule, sectors, values, congested)
    return pd.DataFrame(rows, columns=REASON_COLUMNS)


def policy_notes(rules: pd.DataFrame, values: pd.DataFrame | None, congestion: pd.DataFrame | None) -> list[str]:
    """Rules that could not act for lack of data (grid congestion without a table, a missing criterion)."""
    notes = []
    for _, rule in _of_kind(rules, "grid_congestion").iterrows():
        if congestion is None:
            notes.append(f"{rule['rule_id']}: no grid-congestion table given; rule not applied (no data)")
    for _, rule in _of_kind(rules, "expansion_access").iterrows():
        for criterion in _items(rule["target"]):
            if values is None or criterion not in values:
                notes.append(f"{rule['rule_id']}: criterion {criterion!r} not evaluated; its limit not applied")
    return notes


@dataclass
class PolicyApplied:
    """The allocation inputs after the policy: sites, compatibility, suitability, cap on new ground, notes."""

    sites: pd.DataFrame
    compatibility: Compatibility
    suitability: pd.DataFrame
    expansion_cap_ha: float | None
    rules: pd.DataFrame
    notes: list[str]


def apply_policy(
    sites: pd.DataFrame,
    sectors: Sequence[Sector],
    settings: AllocationSettings,
    rules: pd.DataFrame,
    *,
    exclusions: pd.DataFrame,
    suitability: pd.DataFrame,
    values: pd.DataFrame | None = None,
    congestion: pd.DataFrame | None = None,
    periods: Sequence[str] = PERIODS,
) -> PolicyApplied:
    """Apply the selected ``rules`` (see :func:`select_rules`) to the allocation's sites, pairs and scores.

    With no rules (the policy-neutral case) the sites still take their Ladder kind and the
    park-flag profile rules stay off: only exclusions, environmental category and contiguity close pairs.
    """
    adjusted = policy_sites(sites, rules, periods)
    closures = policy_reasons(adjusted, sectors, rules, values=values, congestion=congestion)
    compatibility = build_compatibility(
        adjusted,
        sectors,
        settings,
        exclusions=scoped_exclusions(exclusions, sites, rules),
        policy_closures=closures,
    )
    return PolicyApplied(
        sites=adjusted,
        compatibility=compatibility,
        suitability=prioritised_suitability(suitability, adjusted, rules),
        expansion_cap_ha=expansion_cap(rules),
        rules=rules,
        notes=policy_notes(rules, values, congestion),
    )
