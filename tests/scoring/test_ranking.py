"""Ranking with exclusions and contributions; per-sector suitability; unit invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mca.core.errors import DataError, UserError
from mca.core.sectors import DEFAULT_SECTORS
from mca.scoring.ranking import excluded_sites, rank_sites, suitability
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import resolve_weights

DIRECTIONS = {"road_access": "min", "env_space": "max", "size_shape": "max"}
NO_EXCLUSIONS = pd.DataFrame(columns=["site_id", "criterion", "sector", "reason"])


def scoring(weights=None, value_functions=None, **kw) -> ScoringSettings:
    weights = weights or {"road_access": 2, "env_space": 1, "size_shape": 1}
    return ScoringSettings(
        value_functions=value_functions or {},
        weight_sets={"main": {"method": "direct", "weights": weights}},
        default_weight_set="main",
        sector_weight_sets={},
        **kw,
    )


def raw_frame(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(DIRECTIONS)).rename_axis("site_id")


RAW = raw_frame(
    {
        "a": [500, 300, 4],
        "b": [2750, 1000, 10],
        "c": [5000, 100, 2],
        "d": [1000, 700, 8],
    }
)
LINEAR = {
    "road_access": {"type": "linear", "worst": 5000, "best": 500},
    "env_space": {"type": "linear", "worst": 100, "best": 1100},
    "size_shape": {"type": "linear", "worst": 2, "best": 10},
}


def test_known_answer_with_linear_value_functions():
    # weights 0.5 / 0.25 / 0.25; value scores a (1, .2, .25), b (.5, .9, 1), c (0, 0, 0),
    # d (8/9, .6, .75) → scores a .6125, b .725, c 0, d .7819…
    result = rank_sites(RAW, DIRECTIONS, NO_EXCLUSIONS, scoring(value_functions=LINEAR))
    assert result["site_id"].tolist() == ["d", "b", "a", "c"]
    score = result.set_index("site_id")["score"]
    assert score["a"] == pytest.approx(0.5 * 1 + 0.25 * 0.2 + 0.25 * 0.25)
    assert score["d"] == pytest.approx(0.5 * 8 / 9 + 0.25 * 0.6 + 0.25 * 0.75)
    assert score["c"] == 0
    assert result.attrs["weights"] == pytest.approx({"road_access": 0.5, "env_space": 0.25, "size_shape": 0.25})


def test_excluded_sites_have_no_rank_and_come_last_with_reasons():
    exclusions = pd.DataFrame(
        {
            "site_id": ["d", "d", "b", "a"],
            "criterion": ["natura2000", "nnn", "env_space", "nitrogen"],
            "sector": ["*", "*", "production", "*"],
            "reason": ["inside Natura 2000", "inside NNN", "dwellings within 200 m", "deposition"],
        }
    )
    result = rank_sites(RAW, DIRECTIONS, exclusions, scoring(value_functions=LINEAR))
    assert result["site_id"].tolist() == ["b", "c", "a", "d"]
    assert result["rank"].tolist()[:2] == [1, 2]
    assert result["rank"].iloc[2:].isna().all() and result["score"].iloc[2:].isna().all()
    reasons = result.set_index("site_id")["exclusion_reasons"]
    assert reasons["d"] == "natura2000: inside Natura 2000; nnn: inside NNN"
    assert reasons["b"] == ""  # the production-only exclusion does not apply without a sector
    production = rank_sites(RAW, DIRECTIONS, exclusions, scoring(value_functions=LINEAR), sector="production")
    assert production.set_index("site_id").loc["b", "excluded"]
    assert production["site_id"].tolist()[:1] == ["c"]


def test_minmax_default_uses_only_non_excluded_sites():
    exclusions = pd.DataFrame({"site_id": ["c"], "criterion": ["nnn"], "sector": ["*"], "reason": ["inside NNN"]})
    result = rank_sites(RAW, DIRECTIONS, exclusions, scoring()).set_index("site_id")
    # road_access over a, b, d: best 500 → 1, worst 2750 → 0
    assert result.loc[["a", "b", "d"], "vs_road_access"].tolist() == pytest.approx([1.0, 0.0, 1750 / 2250])


def test_contributions_only_for_wsm():
    assert not any(
        c.startswith("contrib_") for c in rank_sites(RAW, DIRECTIONS, NO_EXCLUSIONS, scoring(), method="topsis").columns
    )


def test_errors_name_the_problem():
    with pytest.raises(DataError, match="direction of criterion 'size_shape'"):
        rank_sites(RAW, {**DIRECTIONS, "size_shape": "up"}, NO_EXCLUSIONS, scoring())
    with pytest.raises(UserError, match="unknown weight set 'nope'"):
        rank_sites(RAW, DIRECTIONS, NO_EXCLUSIONS, scoring(), weight_set="nope")
    holes = RAW.astype(float).copy()
    holes.loc["b", "env_space"] = np.nan
    with pytest.raises(DataError, match="non-excluded sites \\['b'\\]") as error:
        rank_sites(holes, DIRECTIONS, NO_EXCLUSIONS, scoring())
    assert error.value.field == "env_space"
    with pytest.raises(DataError, match="unknown sites"):
        excluded_sites(
            pd.DataFrame({"site_id": ["zz"], "criterion": ["x"], "sector": ["*"], "reason": ["r"]}), RAW.index
        )
    with pytest.raises(UserError, match="unknown criteria \\['public_transprt'\\]"):
        rank_sites(RAW, DIRECTIONS, NO_EXCLUSIONS, scoring(value_functions={"public_transprt": {"type": "minmax"}}))


def test_suitability_per_sector_uses_sector_weights_and_exclusions():
    criteria = ["adjacency", "road_access", "access_pressure", "env_space", "size_shape", "public_transport"]
    directions = dict(zip(criteria, ["max", "min", "min", "max", "max", "min"]))
    rng = np.random.default_rng(7)
    raw = pd.DataFrame(
        rng.integers(0, 5000, (12, 6)),
        columns=criteria,
        index=pd.Index([f"s{i:02d}" for i in range(12)], name="site_id"),
    )
    exclusions = pd.DataFrame(
        {
            "site_id": ["s00", "s01"],
            "criterion": ["natura2000", "env_space"],
            "sector": ["*", "production"],
            "reason": ["N2000", "too close"],
        }
    )
    settings = ScoringSettings()
    table = suitability(raw, directions, exclusions, settings, DEFAULT_SECTORS)
    assert list(table.columns) == [s.id for s in DEFAULT_SECTORS]
    assert ((table >= 0) & (table <= 1)).all().all()
    assert (table.loc["s00"] == 0).all()
    assert table.loc["s01", "production"] == 0 and (table.loc["s01"].drop("production") > 0).all()
    # wholesale_logistics uses the "logistics" weight set: its score is that weighted sum
    ranking = rank_sites(raw, directions, exclusions, settings, sector="wholesale_logistics")
    weights = resolve_weights(settings.weight_sets["logistics"], criteria).weights
    assert ranking.attrs["weight_set"] == "logistics"
    vs = ranking.set_index("site_id")[[f"vs_{c}" for c in criteria]].dropna()
    expected = vs.drop(index="s00").to_numpy() @ np.array([weights[c] for c in criteria])
    assert table.loc[vs.drop(index="s00").index, "wholesale_logistics"].to_numpy() == (pytest.approx(expected))
    # consumer has no sector weight set: the default ("balanced")
    assert rank_sites(raw, directions, exclusions, settings, sector="consumer").attrs["weight_set"] == "balanced"


sites = st.integers(2, 10).flatmap(
    lambda n: st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 2_000), st.integers(0, 40)), min_size=n, max_size=n
    )
)
int_weights = st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda w: sum(w) > 0)


def as_raw(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=list(DIRECTIONS), index=pd.Index([f"s{i:02d}" for i in range(len(rows))], name="site_id")
    )


def ranks(result: pd.DataFrame) -> list[str]:
    return result["site_id"].tolist()


@hsettings(max_examples=40, deadline=None)
@given(sites, int_weights, st.sampled_from(["wsm", "topsis"]))
def test_ranking_unchanged_when_metres_become_kilometres(rows, weights, method):
    raw = as_raw(rows)
    w = dict(zip(DIRECTIONS, weights))
    km = raw.assign(road_access=raw["road_access"] * 0.001)
    # minmax default: no thresholds needed
    assert ranks(rank_sites(raw, DIRECTIONS, NO_EXCLUSIONS, scoring(w), method=method)) == ranks(
        rank_sites(km, DIRECTIONS, NO_EXCLUSIONS, scoring(w), method=method)
    )
    # linear thresholds scaled with the unit
    in_km = {**LINEAR, "road_access": {"type": "linear", "worst": 5.0, "best": 0.5}}
    assert ranks(rank_sites(raw, DIRECTIONS, NO_EXCLUSIONS, scoring(w, LINEAR), method=method)) == (
        ranks(rank_sites(km, DIRECTIONS, NO_EXCLUSIONS, scoring(w, in_km), method=method))
    )


@hsettings(max_examples=40, deadline=None)
@given(sites, int_weights, st.floats(1e-3, 1e3))
def test_ranking_unchanged_when_weights_are_rescaled(rows, weights, factor):
    raw = as_raw(rows)
    w = dict(zip(DIRECTIONS, weights))
    scaled = {c: v * factor for c, v in w.items()}
    assert ranks(rank_sites(raw, DIRECTIONS, NO_EXCLUSIONS, scoring(w))) == ranks(
        rank_sites(raw, DIRECTIONS, NO_EXCLUSIONS, scoring(scaled))
    )


@hsettings(max_examples=40, deadline=None)
@given(sites, int_weights, st.integers(0, 3))
def test_contributions_sum_to_score(rows, weights, n_excluded):
    raw = as_raw(rows)
    exclusions = pd.DataFrame(
        {"site_id": list(raw.index[:n_excluded]), "criterion": "nnn", "sector": "*", "reason": "inside NNN"}
    )
    result = rank_sites(raw, DIRECTIONS, exclusions, scoring(dict(zip(DIRECTIONS, weights))))
    kept = result[~result["excluded"]]
    contributions = kept[[f"contrib_{c}" for c in DIRECTIONS]].sum(axis=1)
    assert contributions.to_numpy() == pytest.approx(kept["score"].to_numpy())
    assert kept["rank"].tolist() == list(range(1, len(kept) + 1))
    assert result["excluded"].sum() == min(n_excluded, len(raw))
    assert result["rank"][result["excluded"]].isna().all()
