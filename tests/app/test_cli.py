"""The `mca` command line on the bundled Heerlen data, end to end."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from skcriteria.agg.moora import ReferencePointMOORA
from typer.testing import CliRunner

from candidates import SOURCES, CandidateSource, SourceInputs, available
from mca import __version__
from mca.app import commands, sweep
from mca.app.cli import app
from mca.app.console import EMITTERS, METHOD_CHOICES, SOLVER_CHOICES, Emitter, View
from mca.app.results import RunResult
from mca.core.paths import PROJECT_ROOT, SCENARIO_DIR
from mca.scoring.methods import METHODS, AggregationMethod
from solvers.settings import AllocationSettings

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"mca {__version__}"
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("run", "compare", "demand", "candidates", "rank", "robustness", "allocate", "check-data"):
        assert command in out


HEAVY_LIBRARIES = ("pandas", "geopandas", "shapely", "pyogrio", "matplotlib", "scipy", "skcriteria", "pulp", "numpy")
HELP_PROBE = """
import sys
from mca.app.cli import app
for words in sys.argv[1:]:
    try:
        app([*words.split(), "--help"])
    except SystemExit as exc:
        assert exc.code == 0, (words, exc.code)
    loaded = sorted(m for m in HEAVY if m in sys.modules)
    print(f"loaded after help of {words or 'mca'}: {' '.join(loaded)}".rstrip())
"""


def test_help_loads_no_data_library() -> None:
    """``mca --help`` and every command's help import only Typer and Rich (issue 14: help in ≤ 0.3 s)."""
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None]
    assert {"run", "rank", "allocate", "sweep", "serve"} <= set(names)
    helps = ["", *names, "layers", "layers check", "layers fetch"]
    probe = f"HEAVY = {HEAVY_LIBRARIES!r}\n{HELP_PROBE}"
    done = subprocess.run([sys.executable, "-c", probe, *helps], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("loaded after help of")]
    assert lines == [f"loaded after help of {words or 'mca'}:" for words in helps]
    assert commands.DEFAULT_WORKERS == sweep.DEFAULT_WORKERS


def test_demand_json_reproduces_the_source_figures() -> None:
    code, out, _ = invoke("demand", "--format", "json")
    assert code == 0
    data = json.loads(out)
    parkstad = {(e["method"], e["variant"]): e["parkstad_2030_ha"] for e in data["estimates"]}
    assert round(parkstad[("method2", "wlo_laag")]) == 37  # 001, Tabel 10
    assert round(parkstad[("method2", "wlo_hoog")]) == 84  # 001, Tabel 10
    assert round(parkstad[("method1", "intensification_30")]) == 40  # 001, Bijlage 3
    assert round(parkstad[("method1", "intensification_10")]) == 51
    segments = pd.DataFrame(data["segments"])
    assert set(segments.columns) >= {"sector", "size_class", "period", "hectares"}
    assert segments["hectares"].sum() == pytest.approx(data["total_heerlen_ha"])


def test_check_data_names_every_disagreeing_park() -> None:
    code, out, _ = invoke("check-data")
    assert code == 0
    for park in ("Baaks-Soureth", "C-Mill", "Coriopolis (SD)", "De Kissel"):
        assert f"{park} " in out and "net_issued_ha" in out


@pytest.fixture(scope="module")
def sites_json() -> list[dict]:
    code, out, err = invoke("candidates", "--format", "json")
    assert code == 0, err
    return json.loads(out)["sites"]


def test_candidates_cover_every_kind_and_explain_natura2000_exclusions(sites_json: list[dict]) -> None:
    kinds = {s["kind"] for s in sites_json}
    assert {"available_plot", "intensification", "expansion"} <= kinds
    touching = [s for s in sites_json if s["kind"] == "expansion" and s["criteria"]["natura2000_overlap_ha"] > 0]
    assert touching, "the schematic data has expansion sites on Natura 2000"
    for site in touching:
        assert site["excluded"]
        reasons = [e["reason"] for e in site["exclusions"] if e["criterion"] == "natura2000"]
        assert reasons and all("Natura 2000" in r for r in reasons)


def test_rank_json_contributions_add_up_to_the_score() -> None:
    code, out, _ = invoke("rank", "--format", "json")
    assert code == 0
    ranked = [r for r in json.loads(out) if r["rank"] is not None]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    for row in ranked:
        assert sum(row["contributions"].values()) == pytest.approx(row["score"], abs=1e-9)


def test_unknown_weight_set_is_a_one_line_error() -> None:
    code, _, err = invoke("rank", "--weights", "nonexistent")
    assert code == 1
    assert err.startswith("error:") and err.count("\n") <= 2 and "nonexistent" in err


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    code, _, err = invoke("run", "--out", str(out))
    assert code == 0, err
    return out / "heerlen_base"


EXPECTED_OUTPUTS = [
    "ranking.csv",
    "allocation.csv",
    "exclusions.csv",
    "demand_segments.csv",
    "heerlen_base.xlsx",
    "heerlen_base.gpkg",
    "map_suitability.png",
    "map_exclusions.png",
    "map_allocation.png",
    "report.html",
    "manifest.json",
]


def test_run_writes_every_output(first_run: Path) -> None:
    for name in EXPECTED_OUTPUTS:
        assert (first_run / name).stat().st_size > 0, name
    manifest = json.loads((first_run / "manifest.json").read_text())
    assert manifest["solver"]["status"] == "optimal"
    leftovers = [p.name for p in first_run.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_run_refuses_to_overwrite_and_is_deterministic_with_force(first_run: Path) -> None:
    out_dir = first_run.parent
    before = {name: (first_run / name).read_bytes() for name in ("ranking.csv", "allocation.csv", "exclusions.csv")}
    code, _, err = invoke("run", "--out", str(out_dir))
    assert code == 1 and "--force" in err
    assert (first_run / "ranking.csv").read_bytes() == before["ranking.csv"]
    code, _, err = invoke("run", "--out", str(out_dir), "--force")
    assert code == 0, err
    for name, content in before.items():
        assert (first_run / name).read_bytes() == content, f"{name} differs between identical runs"


def test_broken_scenario_exits_nonzero_without_traceback_or_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(SCENARIO_DIR / "heerlen_base.yaml") + "\nname: bad\ncriteria:\n  teleport: {}\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "mca", "run", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0] and "teleport" in lines[0] and "line 4" in lines[0]
    assert not out.exists()


def test_compare_finds_the_no_regret_sites(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, _, err = invoke(
        "compare",
        str(SCENARIO_DIR / "heerlen_wlo_low.yaml"),
        str(SCENARIO_DIR / "heerlen_wlo_high.yaml"),
        "--out",
        str(out),
        "--share",
        "1.0",
    )
    assert code == 0, err
    allocated = pd.read_csv(out / "allocation_by_scenario.csv", index_col=0)
    no_regret = pd.read_csv(out / "no_regret_sites.csv", index_col=0)
    chosen_in_both = set(allocated.index[(allocated > 1e-6).all(axis=1)])
    assert set(no_regret.index) == chosen_in_both
    assert (out / "chart_comparison.png").stat().st_size > 0


def test_the_comparison_chart_labels_sites_by_name(make_run_result: Callable[..., RunResult], tmp_path: Path) -> None:
    from mca.app.compare import compare_runs
    from mca.app.reports.comparison import site_labels

    first, second = make_run_result(tmp_path / "a"), make_run_result(tmp_path / "b")
    second.scenario_name = "other"
    comparison = compare_runs([first, second], share=1.0)
    ids = list(comparison.ranks.index)
    names = first.sites.set_index("site_id")["name"]
    safe = set(comparison.no_regret.index)
    assert safe and site_labels(comparison, ids) == [("★ " if s in safe else "") + names[s] for s in ids]


def test_candidate_exclusion_flag_matches_the_ranking(sites_json: list[dict]) -> None:
    code, out, _ = invoke("candidates", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    flagged = set(table.loc[table["excluded"], "site_id"])
    code, out, _ = invoke("rank", "--format", "json")
    unranked = {r["site_id"] for r in json.loads(out) if r["rank"] is None}
    assert flagged == unranked == {s["site_id"] for s in sites_json if s["excluded"]}
    # sector-only exclusions keep the site in the list but still show their reasons
    partly = table[~table["excluded"] & (table["exclusion_reasons"].fillna("") != "")]
    assert len(partly) and partly["exclusion_reasons"].str.contains(r"\[").all()


# Registries: the command-line choices follow them, and a throwaway entry is used end to end.


def choices_in_error(*args: str) -> str:
    """The error Typer gives for a value outside an option's choices (exit status 2)."""
    code, _, err = invoke(*args)
    assert code == 2
    return " ".join(err.replace("│", " ").split())


def quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def test_command_line_choices_follow_the_registries() -> None:
    assert METHODS.spellings() == METHOD_CHOICES  # the light copies equal the registry and the settings
    assert SOLVER_CHOICES == get_args(AllocationSettings.model_fields["solver"].annotation) == ("cbc", "highs")
    assert quoted(METHODS.spellings()) in choices_in_error("rank", "--method", "promethee")
    assert quoted(SOLVER_CHOICES) in choices_in_error("allocate", "--solver", "glpk")
    plain_formats = tuple(e.name for e in EMITTERS if not e.geo)
    assert quoted(plain_formats) in choices_in_error("demand", "--format", "xml")
    assert quoted(plain_formats) in choices_in_error("rank", "--format", "xml")
    assert quoted(EMITTERS.names()) in choices_in_error("candidates", "--format", "xml")
    assert "gpkg" in EMITTERS.names() and "gpkg" not in plain_formats


def test_both_electre_spellings_rank_alike() -> None:
    code, long_name, _ = invoke("rank", "--method", "electre2", "--format", "csv")
    assert code == 0
    code, short_name, _ = invoke("rank", "--method", "electre", "--format", "csv")
    assert code == 0 and short_name == long_name
    code, weighted_sum, _ = invoke("rank", "--method", "wsm", "--format", "csv")
    assert code == 0 and weighted_sum != long_name


def test_gpkg_without_out_is_a_one_line_error() -> None:
    code, _, err = invoke("candidates", "--format", "gpkg")
    assert code == 1 and err.startswith("error:") and "--format gpkg needs --out PATH" in err


def test_an_extra_emitter_is_used_by_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    def tab_separated(view: View, _path: Path | None) -> None:
        sys.stdout.write((view.csv or "").replace(",", "\t"))

    with EMITTERS.registered(Emitter("tsv_test", "tab-separated (test only)", tab_separated)):
        commands.demand(None, "tsv_test")
    lines = capsys.readouterr().out.splitlines()
    code, csv_out, _ = invoke("demand", "--format", "csv")
    assert code == 0 and lines == [line.replace(",", "\t") for line in csv_out.splitlines()]
    assert lines[0].split("\t") == ["sector", "size_class", "period", "hectares"]


def copied_plots(inputs: SourceInputs) -> gpd.GeoDataFrame:
    """The available plots again, as sites of an invented kind (test only)."""
    sites = available.SOURCE.build(inputs)
    return sites.assign(site_id=sites["site_id"].str.replace("AV-", "CP-", n=1), kind="copied_test")


def test_an_extra_candidate_source_reaches_the_candidates_listing() -> None:
    source = CandidateSource("copied_test", "copied_test", "CP", "Copies of the available plots.", copied_plots)
    with SOURCES.registered(source):
        code, out, err = invoke("candidates", "--format", "json")
    assert code == 0, err
    sites = {site["site_id"]: site for site in json.loads(out)["sites"]}
    copies = {s[3:]: site for s, site in sites.items() if s.startswith("CP-")}
    originals = {s[3:]: site for s, site in sites.items() if s.startswith("AV-")}
    assert copies and copies.keys() == originals.keys()
    for park, copy in copies.items():
        assert copy["kind"] == "copied_test"
        assert copy["capacity_ha"] == originals[park]["capacity_ha"]
        assert copy["criteria"] == originals[park]["criteria"]  # same geometry, same criteria values


def test_an_extra_method_named_in_a_scenario_ranks_the_sites(tmp_path: Path) -> None:
    moora = AggregationMethod(
        name="moora_test",
        description="Reference-point MOORA (test only): 1 − weighted Chebyshev distance to the best.",
        decision_maker=ReferencePointMOORA,
        score=lambda result: 1 - result.e_.score,
        yields="scores",
    )
    scenario = tmp_path / "moora.yaml"
    base = (SCENARIO_DIR / "heerlen_base.yaml").as_posix()
    scenario.write_text(f"extends: {base}\nname: moora\nscoring:\n  method: moora_test\n", encoding="utf-8")
    with METHODS.registered(moora):
        code, out, err = invoke("rank", str(scenario), "--format", "json")
    assert code == 0, err
    ranked = pd.DataFrame([r for r in json.loads(out) if r["rank"] is not None]).set_index("site_id")
    values = pd.DataFrame(list(ranked["value_scores"]), index=ranked.index)
    # Reference-point MOORA with the equal weights of 'balanced': 1 − max_j w_j (max_i v_ij − v_ij).
    by_hand = 1 - (values.max() - values).max(axis=1) / values.shape[1]
    assert np.allclose(ranked["score"], by_hand.reindex(ranked.index))
    assert (np.diff(ranked.sort_values("rank")["score"]) <= 1e-12).all()
