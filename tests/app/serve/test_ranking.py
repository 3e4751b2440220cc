"""The live ranker against the reference ranking (`rank_sites`, method wsm) and its group maths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import criteria
from candidates.synthetic import synthetic_region
from mca.app.serve.group import Group, Submission, ahp_group_weights
from mca.app.serve.ranking import LiveRanker
from mca.core.vocabulary import ALL_SECTORS
from mca.scoring import rank_sites, resolve_weights, unscorable_exclusions
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import AHPWeights, DirectWeights


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    region = synthetic_region(n_parks=12, n_sites=300, n_road_edges=3000, seed=3)
    evaluation = criteria.evaluate(region.candidates, region.layers)
    raw, directions = evaluation.ranking_matrix()
    evaluation = evaluation.with_exclusions(unscorable_exclusions(raw))
    return raw, directions, evaluation.exclusions


def _closed_to_all(exclusions: pd.DataFrame, sectors: list[str]) -> pd.DataFrame:
    """The exclusions plus a "*" row for every site that each sector excludes separately."""
    per_sector = exclusions[exclusions["sector"].isin(sectors)].groupby("site_id")["sector"].nunique()
    closed = per_sector.index[per_sector == len(sectors)]
    extra = pd.DataFrame({"site_id": closed, "criterion": "all", "sector": ALL_SECTORS, "reason": "every sector"})
    return pd.concat([exclusions, extra], ignore_index=True)


def _reference(raw, directions, exclusions, weights: dict[str, float], sector: str | None) -> pd.DataFrame:
    settings = ScoringSettings(
        weight_sets={"w": DirectWeights(weights=weights)}, default_weight_set="w", sector_weight_sets={}
    )
    return rank_sites(raw, directions, exclusions, settings, weight_set="w", method="wsm", sector=sector)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_ranking_equals_rank_sites_for_random_weights(synthetic, seed: int) -> None:
    raw, directions, exclusions = synthetic
    sectors = sorted(set(exclusions["sector"]) - {ALL_SECTORS})
    ranker = LiveRanker(raw, directions, exclusions, ScoringSettings(), sectors)
    rng = np.random.default_rng(seed)
    weights = dict(zip(raw.columns, rng.dirichlet(np.ones(raw.shape[1])) * 7))
    everyone = _closed_to_all(exclusions, sectors)
    assert len(everyone) > len(exclusions)  # the synthetic region has sites closed to each sector separately
    for scope in ranker.scopes:
        rows = everyone if scope == ALL_SECTORS else exclusions
        reference = _reference(raw, directions, rows, weights, None if scope == ALL_SECTORS else scope)
        reference = reference.set_index("site_id").reindex(ranker.site_ids)
        live = ranker.rank(weights, scope)
        assert (live.ranks > 0).tolist() == reference["rank"].notna().tolist()
        assert live.ranks[live.ranks > 0].tolist() == reference["rank"].dropna().astype(int).tolist()
        np.testing.assert_allclose(live.scores, reference["score"].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)


def test_ties_are_broken_by_site_id_like_the_reference(synthetic) -> None:
    raw, directions, exclusions = synthetic
    ranker = LiveRanker(raw, directions, exclusions, ScoringSettings())
    only_adjacency = {c: float(c == "adjacency") for c in raw.columns}  # many sites share a share of 0 or 1
    live = ranker.rank(only_adjacency)
    reference = _reference(raw, directions, exclusions, only_adjacency, None).set_index("site_id")
    assert live.ranks[live.ranks > 0].tolist() == reference.reindex(ranker.site_ids)["rank"].dropna().tolist()
    assert len(set(np.round(live.scores[live.ranks > 0], 12))) < (live.ranks > 0).sum()  # there were ties


def test_rank_rejects_negative_or_zero_weights(synthetic) -> None:
    raw, directions, exclusions = synthetic
    ranker = LiveRanker(raw, directions, exclusions, ScoringSettings())
    with pytest.raises(Exception, match="non-negative"):
        ranker.rank(dict.fromkeys(raw.columns, 0.0))
    with pytest.raises(Exception, match="unknown scope"):
        ranker.rank(dict.fromkeys(raw.columns, 1.0), "no_such_sector")


CRITERIA = ["a", "b", "c"]


def _ahp(ab: float, ac: float, bc: float) -> AHPWeights:
    return AHPWeights(judgments={"a": {"b": ab, "c": ac}, "b": {"c": bc}})


def test_group_of_consistent_ahp_judgments_gives_the_geometric_mean_of_their_weights() -> None:
    # Consistent matrices have weights w with a_ij = w_i / w_j; the element-wise geometric mean of
    # two such matrices is consistent again, with weights ∝ the geometric mean of the two vectors.
    first, second = _ahp(2, 4, 2), _ahp(1 / 3, 1, 3)  # weights ∝ (4, 2, 1) and (1, 3, 1)
    vector, cr = ahp_group_weights([first, second], CRITERIA)
    expected = np.sqrt(np.array([4, 2, 1]) * np.array([1, 3, 1]))
    np.testing.assert_allclose(vector, expected / expected.sum(), rtol=1e-9)
    assert cr == pytest.approx(0.0, abs=1e-9)


def test_mixed_group_averages_normalised_weights_and_reports_spread() -> None:
    group = Group(CRITERIA)
    for name, weight_set in [("Ann", DirectWeights(weights={"a": 2, "b": 1, "c": 1})), ("Bob", _ahp(1, 1, 1))]:
        group.submit(Submission(name, weight_set, resolve_weights(weight_set, CRITERIA)))
    weights, rule, cr = group.aggregate()
    assert rule.startswith("mean")
    assert cr is None
    assert weights == pytest.approx({"a": (0.5 + 1 / 3) / 2, "b": (0.25 + 1 / 3) / 2, "c": (0.25 + 1 / 3) / 2})
    spread = {row["criterion"]: row for row in group.summary()["spread"]}
    assert spread["a"]["min"] == pytest.approx(1 / 3, abs=1e-4)
    assert spread["a"]["max"] == pytest.approx(0.5, abs=1e-4)


def test_a_new_submission_under_the_same_name_replaces_the_old_one() -> None:
    group = Group(CRITERIA)
    for weights in ({"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 0}):
        weight_set = DirectWeights(weights=weights)
        group.submit(Submission("Ann", weight_set, resolve_weights(weight_set, CRITERIA)))
    assert [p["name"] for p in group.summary()["participants"]] == ["Ann"]
    assert group.aggregate()[0] == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.0})


def test_group_robustness_puts_a_dominating_site_first() -> None:
    values = pd.DataFrame({"a": [1.0, 0.5, 0.0], "b": [1.0, 0.2, 0.9], "c": [1.0, 0.7, 0.3]}, index=["s1", "s2", "s3"])
    group = Group(CRITERIA)
    for name, weights in [("Ann", {"a": 3, "b": 1, "c": 1}), ("Bob", {"a": 1, "b": 3, "c": 1})]:
        weight_set = DirectWeights(weights=weights)
        group.submit(Submission(name, weight_set, resolve_weights(weight_set, CRITERIA)))
    result = group.robustness(values, pd.Series({"s1": "one"}))
    assert result["sites"][0]["site_id"] == "s1"
    assert result["sites"][0]["first"] == 1.0
    assert result["margin"] == pytest.approx(0.2)  # 0.6 vs the mean 0.4 on a and on b


def test_identical_submissions_give_a_zero_margin_and_the_plain_ranking() -> None:
    values = pd.DataFrame({"a": [1.0, 0.5, 0.0], "b": [0.0, 0.2, 0.9], "c": [0.3, 0.7, 0.3]}, index=["s1", "s2", "s3"])
    group = Group(CRITERIA)
    for name, weights in [("Ann", {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}), ("Bob", {"a": 1.0, "b": 1.0, "c": 1.0})]:
        weight_set = DirectWeights(weights=weights)
        group.submit(Submission(name, weight_set, resolve_weights(weight_set, CRITERIA)))
    result = group.robustness(values, pd.Series(dtype=str))
    assert result["margin"] == 0.0
    assert [s["first"] for s in result["sites"]] == [1.0, 0.0, 0.0]
