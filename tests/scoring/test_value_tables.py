"""Declared value tables: categories scored by their table, never min-max over codes (issue 10)."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from mca.core.errors import UserError
from mca.core.sectors import DEFAULT_SECTORS
from mca.core.vocabulary import EXCLUSION_COLUMNS, PROFILES
from mca.scoring.ranking import decision_matrix, rank_sites, suitability, value_scores
from mca.scoring.settings import ScoringSettings
from mca.scoring.valuefunctions import UNSOURCED, CategoricalValueFunction
from mca.scoring.valuetables import PARK_PROFILE_VALUES, default_value_tables, value_table_rows
from mca.scoring.weights import DirectWeights

SITES = ["s1", "s2", "s3", "s4", "s5"]
NO_EXCLUSIONS = pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})


def settings_with(weights: dict[str, float], **fields: object) -> ScoringSettings:
    """Scoring settings with one direct weight set 'w' as the default for every sector."""
    return ScoringSettings(
        weight_sets={"w": DirectWeights(weights=weights)},
        default_weight_set="w",
        sector_weight_sets={},
        **fields,
    )


def raw_matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nnn_zone": ["zilvergroen", "goudgroen", "zilvergroen", "goudgroen", "zilvergroen"],
            "park_profile": ["industrieel", "logistiek", "gemengd", "regulier", "none"],
            "road_access": [1200.0, 800.0, 2500.0, 400.0, 3000.0],
        },
        index=pd.Index(SITES, name="site_id"),
    )


DIRECTIONS = {"nnn_zone": "max", "park_profile": "max", "road_access": "min"}
WEIGHTS = {"nnn_zone": 1.0, "park_profile": 1.0, "road_access": 2.0}


def test_known_answers_from_the_tables() -> None:
    scores = value_scores(raw_matrix(), DIRECTIONS, settings_with(WEIGHTS))
    assert scores["nnn_zone"].tolist() == [0.5, 0.0, 0.5, 0.0, 0.5]
    mean = {c: sum(PARK_PROFILE_VALUES[s][c][0] for s in PARK_PROFILE_VALUES) / 5 for c in (*PROFILES, "none")}
    assert scores["park_profile"].tolist() == pytest.approx([mean[c] for c in raw_matrix()["park_profile"]])
    assert mean == pytest.approx({"industrieel": 0.4, "logistiek": 0.45, "regulier": 0.65, "gemengd": 0.35, "none": 0})
    production = value_scores(raw_matrix(), DIRECTIONS, settings_with(WEIGHTS), sector="production")
    assert production["park_profile"].tolist() == [1.0, 0.25, 0.0, 0.5, 0.0]
    assert production["nnn_zone"].tolist() == scores["nnn_zone"].tolist()  # no sector values: the one table


def test_categories_are_never_min_max_scaled() -> None:
    """Only zilvergroen and goudgroen occur: min-max would give them 1 and 0, the table 0.5 and 0."""
    scores = value_scores(raw_matrix(), DIRECTIONS, settings_with(WEIGHTS))
    assert scores["nnn_zone"].max() == 0.5
    coded = CategoricalValueFunction(mapping={1: 0.2, 2: 0.4, 5: 0.6})  # numeric codes, unevenly spaced
    raw = pd.DataFrame({"code": [1, 2, 5, 2]}, index=["a", "b", "c", "d"])
    by_table = value_scores(raw, {"code": "max"}, settings_with({"code": 1}, value_functions={"code": coded}))
    assert by_table["code"].tolist() == [0.2, 0.4, 0.6, 0.4]  # min-max over the codes: 0, 0.25, 1, 0.25


def test_text_categories_without_a_table_are_refused() -> None:
    raw = raw_matrix().rename(columns={"nnn_zone": "zone"})
    directions = {**DIRECTIONS, "zone": "max"}
    with pytest.raises(UserError, match=r"'zone' has categories \['goudgroen', 'zilvergroen'\] and no value table"):
        value_scores(raw, directions, settings_with({"zone": 1, "park_profile": 1, "road_access": 1}))


def test_ranks_do_not_change_when_the_categories_are_relabelled() -> None:
    settings = settings_with(WEIGHTS)
    before = rank_sites(raw_matrix(), DIRECTIONS, NO_EXCLUSIONS, settings).set_index("site_id")
    relabel = {"none": "N", "zilvergroen": "Z", "goudgroen": "G"}
    nnn = default_value_tables()["nnn_zone"]
    relabelled_table = CategoricalValueFunction(mapping={relabel[c]: v for c, v in nnn.mapping.items()})
    raw = raw_matrix().assign(nnn_zone=raw_matrix()["nnn_zone"].map(relabel))
    after = rank_sites(
        raw, DIRECTIONS, NO_EXCLUSIONS, settings_with(WEIGHTS, value_tables={"nnn_zone": relabelled_table})
    ).set_index("site_id")
    assert after["rank"].tolist() == before["rank"].tolist()
    assert after["score"].to_numpy() == pytest.approx(before["score"].to_numpy(), abs=1e-15)


def test_sector_values_reach_the_suitability() -> None:
    suit = suitability(raw_matrix(), DIRECTIONS, NO_EXCLUSIONS, settings_with(WEIGHTS), DEFAULT_SECTORS)
    # s1 (industrieel) against s3 (gemengd): same NNN zone, so the profile decides between sectors
    assert suit.loc["s1", "production"] > suit.loc["s1", "consumer"]
    assert suit.loc["s3", "consumer"] > suit.loc["s3", "production"]


def test_decision_matrix_carries_the_category_and_its_table_value() -> None:
    settings = settings_with(WEIGHTS)
    ranking = rank_sites(raw_matrix(), DIRECTIONS, NO_EXCLUSIONS, settings)
    weights = ranking.attrs["weights"]
    matrix = decision_matrix(ranking, raw_matrix(), DIRECTIONS, weights).set_index(["site_id", "criterion"])
    tables = default_value_tables()
    for site in SITES:
        for criterion in ("nnn_zone", "park_profile"):
            row = matrix.loc[(site, criterion)]
            assert row["raw_value"] == raw_matrix().at[site, criterion]
            assert row["value_score"] == tables[criterion].mapping[row["raw_value"]]
            assert row["contribution"] == pytest.approx(row["weight"] * row["value_score"])
    assert isinstance(matrix.loc[("s1", "road_access"), "raw_value"], float)
    by_site = matrix.groupby(level="site_id")["contribution"].sum()
    assert by_site.reindex(ranking["site_id"]).to_numpy() == pytest.approx(ranking["score"].to_numpy())


def test_every_value_is_cited_or_labelled_an_assumption() -> None:
    rows = value_table_rows(default_value_tables())
    assert len(rows) == 3 + 5 * 6  # NNN: 3 zones; profile: 5 categories, without a sector and for 5 sectors
    labelled = rows["basis"].str.startswith("assumption") | rows["basis"].str.contains(r"\b00\d[ ,]")
    assert labelled.all(), rows[~labelled]
    assert rows["value"].between(0, 1).all()


def test_the_tables_value_every_category_and_sector() -> None:
    tables = default_value_tables()
    assert set(tables["nnn_zone"].mapping) == {"none", "zilvergroen", "goudgroen"}
    profile = tables["park_profile"]
    assert set(profile.mapping) == {*PROFILES, "none"}
    sectors = {s.id for s in DEFAULT_SECTORS} | {"medtech_logistics"}
    assert set(profile.by_sector) == sectors
    assert all(set(profile.table(s)) == set(profile.mapping) for s in sectors)


def test_a_scenario_table_replaces_only_its_criterion_and_may_cite_each_value() -> None:
    settings = ScoringSettings.model_validate(
        {
            "value_tables": {
                "nnn_zone": {
                    "type": "categorical",
                    "mapping": {
                        "none": 1,
                        "zilvergroen": {"value": 0.8, "source": "POL 2014 (Limburg), zilvergroen"},
                        "goudgroen": 0,
                    },
                }
            }
        }
    )
    table = settings.value_tables["nnn_zone"]
    assert table.mapping == {"none": 1.0, "zilvergroen": 0.8, "goudgroen": 0.0}
    assert table.basis("zilvergroen") == "POL 2014 (Limburg), zilvergroen"
    assert table.basis("none") == UNSOURCED
    assert settings.value_tables["park_profile"] == default_value_tables()["park_profile"]
    assert ScoringSettings.model_validate(settings.model_dump(mode="json")) == settings


def test_a_sector_table_may_only_value_known_categories() -> None:
    with pytest.raises(ValidationError, match=r"by_sector.production names categories \['kantoor'\]"):
        CategoricalValueFunction(mapping={"regulier": 1.0}, by_sector={"production": {"kantoor": 0.5}})


def test_default_criteria_keep_their_scale() -> None:
    """The Heerlen criteria have no value function or table: their min-max scale is unchanged."""
    defaults = ScoringSettings()
    names = {"adjacency", "road_access", "access_pressure", "env_space", "size_shape", "public_transport"}
    assert all(defaults.value_function(name) is None for name in names)


def test_built_in_weight_sets_weigh_an_enabled_opt_in_criterion_zero() -> None:
    from mca.scoring.settings import default_weight_sets
    from mca.scoring.weights import resolve_weights

    six = ["adjacency", "road_access", "access_pressure", "env_space", "size_shape", "public_transport"]
    for name, weight_set in default_weight_sets().items():
        with_opt_in = resolve_weights(weight_set, [*six, "nnn_zone", "park_profile"], name=name).weights
        assert with_opt_in["nnn_zone"] == with_opt_in["park_profile"] == 0.0
        assert [with_opt_in[c] for c in six] == pytest.approx(list(resolve_weights(weight_set, six).weights.values()))
    with pytest.raises(UserError, match=r"no weight for criteria \['nnn_zone'\]"):
        resolve_weights(DirectWeights(weights=dict.fromkeys(six, 1.0)), [*six, "nnn_zone"])


@pytest.mark.parametrize("field", ["by_sector", "sector_sources"])
def test_a_sector_table_that_is_not_a_mapping_is_a_validation_error(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        CategoricalValueFunction.model_validate({"mapping": {"a": 1.0}, field: True})
