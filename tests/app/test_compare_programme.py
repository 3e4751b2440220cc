"""mca compare: the 80/20 programme of 002 beside the per-site frequency view (issue 11)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from mca.app.compare import compare_runs, write_comparison

SITES = pd.DataFrame({"site_id": ["a", "b", "c"], "name": ["A", "B", "C"], "kind": "intensification", "park": "p"})


def run(name: str, placed: dict[str, float], demand: float):
    allocation = pd.DataFrame({"site_id": list(placed), "hectares": list(placed.values())})
    return SimpleNamespace(
        scenario_name=name,
        ranking=SITES.assign(rank=[1, 2, 3]),
        allocation=allocation,
        sites=SITES,
        segments=pd.DataFrame({"hectares": [demand]}),
        shortfall=pd.DataFrame({"hectares": [max(0.0, demand - sum(placed.values()))]}),
    )


def summary(comparison) -> dict:
    return dict(zip(comparison.programme_summary["item"], comparison.programme_summary["value"]))


def test_no_regret_hectares_are_what_every_scenario_places_on_the_same_site() -> None:
    runs = [run("base", {"a": 6, "b": 4}, 10), run("high", {"a": 8, "b": 2, "c": 5}, 15), run("low", {"a": 5}, 5)]
    comparison = compare_runs(runs, share=0.8)
    assert comparison.programme["common_ha"].to_dict() == {"a": 5.0}  # b is missing in 'low'
    figures = summary(comparison)
    assert figures["base_scenario"] == "base" and figures["no_regret_ha"] == pytest.approx(5.0)
    assert figures["target_ha"] == pytest.approx(8.0) and figures["covers_target"] is False
    assert figures["flexible_ha"] == pytest.approx(5.0) and figures["flexible_ha (high)"] == pytest.approx(10.0)
    # the frequency view stays: a is chosen everywhere, b in two of three scenarios
    assert list(comparison.no_regret.index) == ["a"]
    assert comparison.no_regret.loc["a", "share_chosen"] == 1.0


def test_programme_covers_the_target_when_the_scenarios_agree(tmp_path) -> None:
    runs = [run("base", {"a": 6, "b": 4}, 10), run("other", {"a": 6, "b": 3, "c": 1}, 10)]
    comparison = compare_runs(runs, share=0.8)
    figures = summary(comparison)
    assert figures["no_regret_ha"] == pytest.approx(9.0) and figures["covers_target"] is True
    assert figures["no_regret_share_of_base_demand"] == pytest.approx(0.9)
    written = {p.name for p in write_comparison(comparison, tmp_path)}
    assert {"programme_80_20.csv", "programme_sites.csv", "no_regret_sites.csv"} <= written
    table = pd.read_csv(tmp_path / "programme_80_20.csv")
    assert table.set_index("item").at["no_regret_ha", "value"] == "9.0"
