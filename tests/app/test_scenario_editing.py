"""Scenario editing and the terminal: a new weight set keeps the built-in ones; readable help and width."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mca.app.cli import app
from mca.app.scenario import load_scenario
from mca.core.paths import SCENARIO_DIR
from mca.scoring.settings import default_weight_sets


def test_adding_a_weight_set_keeps_the_inherited_ones(tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: workshop\nscoring:\n  weight_sets:\n"
        "    workshop:\n      method: direct\n      description: 'assumption: a workshop set'\n"
        "      weights: {adjacency: 1, road_access: 2, access_pressure: 1, env_space: 1, size_shape: 1,"
        " public_transport: 1}\n",
        encoding="utf-8",
    )
    base = set(load_scenario(None).scenario.scoring.weight_sets)
    names = set(load_scenario(variant).scenario.scoring.weight_sets)
    assert names == base | {"workshop"}
    assert set(default_weight_sets()) <= names


def test_help_shows_readable_argument_types_and_the_width_option() -> None:
    runner = CliRunner()
    run_help = runner.invoke(app, ["run", "--help"], terminal_width=100).output
    assert "list[Path]" not in run_help and run_help.count("FILE...") == 2  # usage line and argument
    assert "--width" in runner.invoke(app, ["--help"], terminal_width=100).output


def test_width_option_sets_the_table_width() -> None:
    from mca.app import console

    before = console.out.width
    try:
        result = CliRunner().invoke(app, ["--width", "30", "show"])
        assert result.exit_code == 2  # a usage error: fewer than 40 columns
        console.set_width(132)
        assert console.out.width == 132
    finally:
        console.out.width = console.err.width = before
