"""decision_matrix.csv: an outside reviewer recomputes the ranking from it with other code (issue 10)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mca.app import pipeline
from mca.app.reports.decision import write_decision_matrix
from mca.app.scenario import load_scenario

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "heerlen_base.yaml"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pipeline.Inputs, pipeline.Scored]:
    """The decision matrix of the Heerlen base case as written to and read back from the CSV."""
    inputs = pipeline.load_inputs(load_scenario(BASE))
    scored = pipeline.score_sites(inputs, pipeline.candidate_sites(inputs))
    ranking = pipeline.ranked_list(inputs, scored)
    criteria = list(scored.raw.columns)
    run = SimpleNamespace(
        criteria_meta=scored.evaluation.meta.to_dict(orient="index"),
        weights=pipeline.default_weights(inputs.scenario.scoring, criteria),
        sites=scored.sites.join(scored.evaluation.values, on="site_id"),
        ranking=ranking,
    )
    (path,) = write_decision_matrix(run, tmp_path_factory.mktemp("run"))  # type: ignore[arg-type]
    return pd.read_csv(path, dtype={"site_id": str}), inputs, scored


def _pivot(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.pivot(index="site_id", columns="criterion", values=column)


def test_weighted_sum_is_the_sum_of_contributions(exported) -> None:
    frame, inputs, scored = exported
    ranking = pipeline.ranked_list(inputs, scored).dropna(subset=["rank"]).set_index("site_id")
    recomputed = frame.groupby("site_id")["contribution"].sum()
    assert recomputed.reindex(ranking.index).to_numpy() == pytest.approx(ranking["score"].to_numpy(), abs=1e-12)
    assert frame.groupby("site_id")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert set(frame["direction"]) <= {"max", "min"}


def test_value_scores_follow_from_the_raw_values_by_min_max_over_the_ranked_sites(exported) -> None:
    frame, inputs, _ = exported
    linear = [c for c in frame["criterion"].unique() if c not in inputs.scenario.scoring.value_functions]
    for criterion in linear:
        rows = frame[frame["criterion"] == criterion]
        raw, direction = rows["raw_value"].to_numpy(), rows["direction"].iloc[0]
        if np.ptp(raw) == 0:
            continue
        expected = (raw - raw.min()) / np.ptp(raw)
        expected = expected if direction == "max" else 1 - expected
        assert rows["value_score"].to_numpy() == pytest.approx(expected, abs=1e-12), criterion


def test_topsis_recomputed_with_pymcdm_gives_the_ranking(exported) -> None:
    from pymcdm.methods import TOPSIS

    frame, inputs, scored = exported
    values = _pivot(frame, "value_score")
    weights = _pivot(frame, "weight").iloc[0].reindex(values.columns).to_numpy()
    topsis = TOPSIS(normalization_function=lambda x, cost: x)  # the value scores already share one scale
    closeness = topsis(values.to_numpy(), weights, np.ones(values.shape[1], dtype=int))
    ours = pipeline.ranked_list(inputs, scored, method="topsis").set_index("site_id")["score"]
    assert closeness == pytest.approx(ours.reindex(values.index).to_numpy(), abs=1e-9)


def test_rank_json_carries_the_decision_matrix(exported) -> None:
    from mca.app.views import ranking_records
    from mca.scoring.ranking import ranking_weights

    frame, inputs, scored = exported
    ranking = pipeline.ranked_list(inputs, scored)
    weights = ranking_weights(inputs.scenario.scoring, None, None, list(scored.raw.columns))
    records = [r for r in ranking_records(ranking, scored, weights) if r["rank"] is not None]
    for record in records:
        decision = record["decision"]
        assert sum(c["contribution"] for c in decision.values()) == pytest.approx(record["score"], abs=1e-12)
        rows = frame[frame["site_id"] == record["site_id"]].set_index("criterion")
        assert {c: d["raw_value"] for c, d in decision.items()} == pytest.approx(rows["raw_value"].to_dict())
