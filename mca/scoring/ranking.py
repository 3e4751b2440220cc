"""Ranking of candidate sites and per-sector suitability from a raw criteria matrix.

Inputs are plain frames: ``raw`` (index ``site_id``, one column per ranking criterion in raw
units), ``directions`` (criterion → ``"max"``/``"min"``) and ``exclusions`` (``site_id,
criterion, sector, reason``; sector ``"*"`` = all sectors). A ranking without a sector applies
only the ``"*"`` exclusions; a ranking or suitability for a sector also applies that sector's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from mca.core.errors import DataError, UserError
from mca.core.sectors import Sector
from mca.core.vocabulary import ALL_SECTORS, EXCLUSION_COLUMNS
from mca.scoring.aggregation import aggregate
from mca.scoring.methods import get_method
from mca.scoring.settings import ScoringSettings
from mca.scoring.valuefunctions import Direction, MinMaxValueFunction, apply_value_function
from mca.scoring.weights import WeightsResult, resolve_weights


def excluded_sites(exclusions: pd.DataFrame, site_ids: Iterable[str], sector: str | None = None) -> pd.DataFrame:
    """Per site: ``excluded`` (bool) and ``exclusion_reasons`` ("criterion: reason; …").

    Applies the ``"*"`` exclusions and, when ``sector`` is given, that sector's.
    """
    index = pd.Index([str(s) for s in site_ids], name="site_id")
    missing = [c for c in EXCLUSION_COLUMNS if c not in exclusions.columns]
    if missing:
        raise DataError(f"exclusions lack columns {missing}", source="exclusions", field=missing[0])
    rows = exclusions.astype({"site_id": str, "sector": str})
    unknown = sorted(set(rows["site_id"]) - set(index))
    if unknown:
        raise DataError(f"exclusions name unknown sites {unknown[:5]}", source="exclusions", field="site_id")
    applies = rows["sector"].eq(ALL_SECTORS)
    if sector is not None:
        applies |= rows["sector"].eq(sector)
    rows = rows[applies]
    text = (
        (rows["criterion"].astype(str) + ": " + rows["reason"].astype(str))
        .groupby(rows["site_id"], sort=False)
        .agg(lambda reasons: "; ".join(dict.fromkeys(reasons)))
    )
    result = pd.DataFrame(index=index)
    result["excluded"] = index.isin(rows["site_id"])
    result["exclusion_reasons"] = text.reindex(index).fillna("")
    return result


def unscorable_exclusions(raw: pd.DataFrame) -> pd.DataFrame:
    """Exclusion rows (all sectors) for the sites a ranking criterion has no value for.

    A missing value (e.g. no road route to a junction) is not silently scored as the worst: the
    site is excluded and the reason says which criterion could not be computed, so the analyst
    can repair the layer or drop the site.
    """
    missing = raw.isna().stack()
    missing = missing[missing]
    names = missing.index.get_level_values(1)
    return pd.DataFrame(
        {
            "site_id": missing.index.get_level_values(0),
            "criterion": names,
            "sector": ALL_SECTORS,
            "reason": [
                f"no value for {name} (e.g. no road route to a junction, or no features in its layer)" for name in names
            ],
        },
        columns=list(EXCLUSION_COLUMNS),
    )


def closed_to_every_sector(exclusions: pd.DataFrame, sectors: Iterable[str]) -> pd.DataFrame:
    """``exclusions`` plus one ``"*"`` row for each site excluded for each of ``sectors`` separately.

    A site closed to every sector one by one (nitrogen for some, distance to dwellings for the
    others) cannot receive anything, so it must not be ranked either.
    """
    wanted = {str(s) for s in sectors}
    rows = exclusions[exclusions["sector"].astype(str).isin(wanted)]
    covered = rows.groupby("site_id")["sector"].nunique()
    closed = sorted(set(covered.index[covered >= len(wanted)]) - set(excluded_everywhere(exclusions)))
    if not wanted or not closed:
        return exclusions
    by_site = rows[rows["site_id"].isin(closed)].groupby("site_id", sort=True)
    extra = pd.DataFrame(
        {
            "site_id": closed,
            "criterion": [" + ".join(sorted(set(g["criterion"].astype(str)))) for _, g in by_site],
            "sector": ALL_SECTORS,
            "reason": ["excluded for every sector separately" for _ in closed],
        },
        columns=list(EXCLUSION_COLUMNS),
    )
    return pd.concat([exclusions, extra], ignore_index=True)


def excluded_everywhere(exclusions: pd.DataFrame) -> list[str]:
    """The sites excluded for every sector (``"*"`` exclusions), sorted."""
    return sorted(set(exclusions.loc[exclusions["sector"] == ALL_SECTORS, "site_id"]))


def _check_raw(raw: pd.DataFrame, directions: Mapping[str, str], settings: ScoringSettings) -> None:
    for criterion in raw.columns:
        if directions.get(criterion) not in ("max", "min"):
            raise DataError(
                f"direction of criterion '{criterion}' is {directions.get(criterion)!r}; expected 'max' or 'min'",
                source="criteria",
                field=str(criterion),
            )
    unknown = sorted(set(settings.value_functions) - set(raw.columns))
    if unknown:
        raise UserError(
            f"value functions for unknown criteria {unknown}; criteria: {list(raw.columns)}",
            source="scoring.value_functions",
            field=unknown[0],
        )
    if raw.index.has_duplicates:
        raise DataError("duplicate site ids in the criteria matrix", source="criteria", field="site_id")


def value_scores(
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    settings: ScoringSettings,
    excluded: pd.Series | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """Value scores in [0, 1] per site and criterion (same shape as ``raw``).

    Criteria without a configured value function or value table get the min-max scale over the
    sites that are not ``excluded``; those scores depend on the candidate set. A criterion whose raw
    values are categories (text) must have a value table: categories are never min-max-scaled.
    ``sector`` selects the sector values of a value table.
    """
    _check_raw(raw, directions, settings)
    keep = pd.Series(True, index=raw.index) if excluded is None else ~excluded.reindex(raw.index)
    columns = {}
    for criterion in raw.columns:
        spec = settings.value_function(str(criterion))
        if spec is None:
            _refuse_categories(raw[criterion])
        columns[criterion] = apply_value_function(
            raw[criterion],
            spec or MinMaxValueFunction(),
            cast(Direction, directions[criterion]),
            reference=raw.loc[keep, criterion],
            sector=sector,
        )
    return pd.DataFrame(columns, index=raw.index)


def _refuse_categories(values: pd.Series) -> None:
    """A UserError when ``values`` hold categories (text), which only a value table may score."""
    present = values.dropna()
    numeric = pd.to_numeric(present, errors="coerce")
    if numeric.isna().any():
        found = sorted({str(v) for v in present[numeric.isna()]})[:5]
        raise UserError(
            f"criterion '{values.name}' has categories {found} and no value table; give one in "
            "scoring.value_tables (categories are never min-max-scaled)",
            source="scoring.value_tables",
            field=str(values.name),
        )


@dataclass(frozen=True)
class ValueMatrix:
    """The one value matrix of a ranking: ``scores`` (every site × criterion) and ``status`` (exclusions).

    The scale of each criterion is set on the sites that are not excluded only, so ranking,
    per-sector suitability, weight-set comparison and SMAA score the same numbers.
    """

    scores: pd.DataFrame
    status: pd.DataFrame

    @property
    def eligible(self) -> pd.DataFrame:
        """The value scores of the sites that are not excluded."""
        return self.scores[~self.status["excluded"].to_numpy(dtype=bool)]


def value_matrix(
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    exclusions: pd.DataFrame,
    settings: ScoringSettings,
    sector: str | None = None,
) -> ValueMatrix:
    """The value matrix for ``sector`` (``None``: the ``"*"`` exclusions only), excluded sites out of every scale."""
    raw = raw.set_axis(raw.index.astype(str).rename("site_id"))
    status = excluded_sites(exclusions, raw.index, sector)
    return ValueMatrix(value_scores(raw, directions, settings, status["excluded"], sector), status)


def weight_set_name(settings: ScoringSettings, weight_set: str | None, sector: str | None) -> str:
    """The weight set to use: the one named, else the sector's, else the default."""
    name = weight_set or settings.sector_weight_sets.get(sector or "", settings.default_weight_set)
    if name not in settings.weight_sets:
        raise UserError(
            f"unknown weight set '{name}'; known: {sorted(settings.weight_sets)}",
            source="scoring.weight_sets",
            field=name,
        )
    return name


def ranking_weights(
    settings: ScoringSettings, weight_set: str | None, sector: str | None, criteria: list[str]
) -> dict[str, float]:
    """The normalised weights a ranking with ``weight_set`` and ``sector`` uses (see :func:`weight_set_name`)."""
    return dict(_resolve(settings, weight_set_name(settings, weight_set, sector), criteria).weights)


def _resolve(settings: ScoringSettings, name: str, criteria: list[str]) -> WeightsResult:
    return resolve_weights(settings.weight_sets[name], criteria, name=name)


def _check_complete(eligible: pd.DataFrame) -> None:
    """Refuse value scores with a gap for a site that is not excluded."""
    missing = eligible[eligible.isna().any(axis=1)]
    if not missing.empty:
        column = str(missing.columns[missing.isna().any()][0])
        raise DataError(
            f"missing criterion values for non-excluded sites {list(missing.index[:5])}",
            source="criteria",
            field=column,
        )


def rank_sites(
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    exclusions: pd.DataFrame,
    settings: ScoringSettings,
    weight_set: str | None = None,
    method: str | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """The ranked sites, best first, excluded ones last.

    Columns: ``site_id, rank, score, shared_rank, excluded, exclusion_reasons``,
    ``vs_<criterion>`` (value scores) and, for a method with contributions (``wsm``),
    ``contrib_<criterion>`` (weight × value score, summing to ``score``).

    Excluded sites have no rank or score (``<NA>``/NaN) and come last, by site_id. ``attrs`` holds
    ``weight_set``, ``method`` (its registered name), ``sector``, ``weights`` and ``warnings``.
    """
    spec = get_method(method or settings.method)
    criteria = [str(c) for c in raw.columns]
    name = weight_set_name(settings, weight_set, sector)
    resolved = _resolve(settings, name, criteria)
    matrix = value_matrix(raw, directions, exclusions, settings, sector)
    status, scores, eligible = matrix.status, matrix.scores, matrix.eligible
    _check_complete(eligible)
    result = status.copy()
    if len(eligible):
        ranked = aggregate(eligible, resolved.weights, spec.name).set_index("site_id")
        result = result.join(ranked)
    else:
        result = result.assign(score=np.nan, rank=np.nan, shared_rank=np.nan)
    result["rank"] = result["rank"].astype("Int64")
    result["shared_rank"] = result["shared_rank"].astype("Int64")
    for criterion in criteria:
        result[f"vs_{criterion}"] = scores[criterion]
    if spec.contributions:
        for criterion in criteria:
            contribution = resolved.weights[criterion] * scores[criterion]
            result[f"contrib_{criterion}"] = contribution.where(~result["excluded"])
    result = result.reset_index()
    result = result.sort_values(["excluded", "rank", "site_id"], na_position="last", kind="mergesort").reset_index(
        drop=True
    )
    front = ["site_id", "rank", "score", "shared_rank", "excluded", "exclusion_reasons"]
    result = result[front + [c for c in result.columns if c not in front]]
    result.attrs.update(
        weight_set=name,
        method=spec.name,
        sector=sector,
        weights=resolved.weights,
        consistency_ratio=resolved.consistency_ratio,
        warnings=list(resolved.warnings),
    )
    return result


def suitability(
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    exclusions: pd.DataFrame,
    settings: ScoringSettings,
    sectors: Iterable[Sector | str],
    method: str | None = None,
) -> pd.DataFrame:
    """Suitability in [0, 1], index ``site_id``, one column per sector id.

    Each sector uses its own weight set (``sector_weight_sets`` or the default) and its own
    exclusions plus the ``"*"`` ones; excluded sites get 0. With the default method (``wsm``) the
    suitability is the weighted-sum score.
    """
    spec = get_method(method or settings.method)
    criteria = [str(c) for c in raw.columns]
    index = pd.Index(raw.index.astype(str), name="site_id")
    columns = {}
    for sector in sectors:
        sector_id = sector.id if isinstance(sector, Sector) else str(sector)
        resolved = _resolve(settings, weight_set_name(settings, None, sector_id), criteria)
        eligible = value_matrix(raw, directions, exclusions, settings, sector_id).eligible
        _check_complete(eligible)
        scores = pd.Series(np.nan, index=index)  # the score of `rank_sites`, without building its ranking
        if len(eligible):
            scores = aggregate(eligible, resolved.weights, spec.name).set_index("site_id")["score"].reindex(index)
        columns[sector_id] = scores.fillna(0.0)
    return pd.DataFrame(columns, index=index)


DECISION_COLUMNS = [
    "site_id",
    "criterion",
    "column",
    "raw_value",
    "unit",
    "direction",
    "value_score",
    "weight",
    "contribution",
]
"""Columns of the exported decision matrix (one row per ranked site and criterion)."""


def decision_matrix(
    ranking: pd.DataFrame,
    raw: pd.DataFrame,
    directions: Mapping[str, str],
    weights: Mapping[str, float],
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The decision matrix of a ranking in long form, enough to recompute it with other code.

    One row per site that is ranked (not excluded) and criterion of ``weights``: the raw value
    the criterion ranks on (``column``, from ``columns``, default the criterion's name; a category as
    its text, e.g. ``zilvergroen``, whose ``value_score`` is its value in the criterion's table), its
    ``unit`` and ``direction``, the ``value_score`` (``vs_<criterion>`` of ``ranking``), the
    normalised ``weight`` and ``contribution = weight × value_score``, which sum per site to the
    weighted-sum score. Sites in ranking order, criteria in weight order.
    """
    ranked = ranking[~ranking["excluded"].astype(bool)].set_index("site_id")
    raw = raw.set_axis(raw.index.astype(str))
    rows = []
    for site_id in ranked.index:
        for criterion, weight in weights.items():
            score = float(ranked.at[site_id, f"vs_{criterion}"])
            rows.append(
                (
                    site_id,
                    criterion,
                    (columns or {}).get(criterion, criterion),
                    _raw_value(raw.at[str(site_id), criterion]),
                    (units or {}).get(criterion, ""),
                    directions[criterion],
                    score,
                    float(weight),
                    float(weight) * score,
                )
            )
    return pd.DataFrame(rows, columns=DECISION_COLUMNS)


def _raw_value(value: object) -> float | str:
    """A raw criterion value for the decision matrix: a number, or a category as its text."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if not pd.isna(number) or pd.isna(value) else str(value)
