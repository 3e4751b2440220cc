"""One value matrix: ranking, suitability and SMAA score the same numbers (issue 10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mca.core.vocabulary import ALL_SECTORS, EXCLUSION_COLUMNS
from mca.scoring import ScoringSettings, rank_sites, smaa
from mca.scoring.ranking import value_matrix

SCENARIOS = sorted(Path(__file__).resolve().parents[2].joinpath("scenarios").glob("*.yaml"))


def _matrix() -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """Five sites; site e, excluded everywhere, has a road distance far outside the others' range."""
    raw = pd.DataFrame(
        {"road": [1.0, 2.0, 3.0, 4.0, 40.0], "adjacency": [0.2, 0.9, 0.5, 0.4, 1.0]},
        index=pd.Index(list("abcde"), name="site_id"),
    )
    exclusions = pd.DataFrame([("e", "natura2000", ALL_SECTORS, "inside")], columns=list(EXCLUSION_COLUMNS))
    return raw, {"road": "min", "adjacency": "max"}, exclusions


def test_excluded_sites_are_out_of_every_scale() -> None:
    raw, directions, exclusions = _matrix()
    matrix = value_matrix(raw, directions, exclusions, ScoringSettings())
    eligible = matrix.eligible
    assert list(eligible.index) == list("abcd")
    assert eligible["road"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3, 0.0])
    assert eligible.min().tolist() == [0.0, 0.0] and eligible.max().tolist() == [1.0, 1.0]


def test_smaa_without_margin_reproduces_the_ranking() -> None:
    raw, directions, exclusions = _matrix()
    settings = ScoringSettings(
        weight_sets={"main": {"method": "direct", "weights": {"road": 0.7, "adjacency": 0.3}}},
        default_weight_set="main",
        sector_weight_sets={},
    )
    ranking = rank_sites(raw, directions, exclusions, settings).dropna(subset=["rank"]).set_index("site_id")
    weights = ranking.attrs["weights"]
    scores = value_matrix(raw, directions, exclusions, settings).eligible
    result = smaa(scores, list(scores.columns), samples=10, margin=0.0, base_weights=weights)
    assert result.expected_rank.to_dict() == pytest.approx(ranking["rank"].astype(float).to_dict())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_robustness_with_zero_margin_gives_the_ranks_of_rank(path: Path) -> None:
    from mca.app import pipeline
    from mca.app.scenario import load_scenario

    inputs = pipeline.load_inputs(load_scenario(path))
    scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
    ranking = pipeline.ranked_list(inputs, scored).dropna(subset=["rank"]).set_index("site_id")["rank"]
    result = pipeline.robustness(inputs, scored, samples=5, margin=0.0, seed=0)
    expected = result.expected_rank.reindex(ranking.index).to_numpy()
    assert np.array_equal(expected, ranking.astype(float).to_numpy())
    assert set(result.expected_rank.index) == set(ranking.index)
