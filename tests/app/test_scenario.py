"""Scenario files: defaults, `extends`, and one-line errors that name file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mca.app.scenario import DEFAULT_SCENARIO, load_scenario
from mca.core.errors import UserError
from mca.core.paths import SCENARIO_DIR

BUNDLED = sorted(SCENARIO_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenarios_validate_and_carry_their_file_name(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.scenario.name == path.stem
    assert loaded.files[0] == path.resolve()


def test_default_is_the_heerlen_base_case() -> None:
    assert load_scenario(None).path == DEFAULT_SCENARIO.resolve()


def test_variant_overrides_only_what_it_names() -> None:
    base = load_scenario(SCENARIO_DIR / "heerlen_base.yaml").scenario
    high = load_scenario(SCENARIO_DIR / "heerlen_wlo_high.yaml").scenario
    assert (high.demand.method, high.demand.variant) == ("method2", "wlo_hoog")
    assert high.demand.conclusion_parkstad_2030_ha == base.demand.conclusion_parkstad_2030_ha
    assert high.allocation == base.allocation
    assert high.scoring == base.scoring


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> UserError:
    with pytest.raises(UserError) as info:
        load_scenario(path)
    message = info.value.one_line()
    assert "\n" not in message
    return info.value


def test_unknown_key_names_file_field_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: s\nallocation:\n  solver: cbc\n  time_limt_s: 5\n")
    err = error_of(path)
    assert err.source == str(path.resolve())
    assert err.field == "allocation.time_limt_s (line 4)"
    assert "unknown key" in err.message


def test_error_in_a_variant_points_at_the_variant(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "name: base\ndemand:\n  method: conclusion\n")
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nname: v\ndemand:\n  method: method9\n")
    err = error_of(variant)
    assert err.source == str(variant.resolve())
    assert err.field == "demand.method (line 4)"


def test_error_inherited_from_the_base_points_at_the_base(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "name: base\nscoring:\n  method: wsm\n  bogus: 1\n")
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nname: v\n")
    err = error_of(variant)
    assert err.source == str(base.resolve())
    assert "line 4" in err.field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: s\ndemand: [1, 2\n", "invalid YAML"),
        ("- just\n- a list\n", "mapping"),
        ("name: s\nname: t\n", "duplicate key"),
        ("name: s\nextends: nowhere.yaml\n", "does not exist"),
        ("name: s\ncriteria:\n  roadside_charm: {enabled: true}\n", "roadside_charm"),
        (
            "name: s\nscoring:\n  weight_sets:\n    bad:\n      method: direct\n      weights: {adjacency: -1}\n",
            "scoring.weight_sets.bad",
        ),
        ("name: s\ndemand:\n  sector_shares: {wholesale_logistics: 0.5, production: 0.2}\n", "sum"),
    ],
)
def test_malformed_scenarios_give_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    err = error_of(write(tmp_path, "s.yaml", text))
    assert expected in err.one_line()
    assert "s.yaml" in err.one_line()


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert "empty" in error_of(write(tmp_path, "e.yaml", "  \n")).message
    assert "does not exist" in error_of(tmp_path / "missing.yaml").message


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\n")
    assert "cycle" in error_of(tmp_path / "a.yaml").message


def test_base_case_size_split_keeps_001s_xxl_share_above_half() -> None:
    from demand import forecast
    from demand.forecast import overall_xxl_share
    from mca.inputs.demand_source import load_demand_source

    demand = load_scenario(None).scenario.demand
    assert 0.5 < overall_xxl_share(demand) < 0.6  # 001, Bijlage 3: XXL "meer dan 50 %"
    segments = forecast(demand, load_demand_source()).segments
    xxl = segments[segments["size_class"] == "XXL"]
    assert xxl["hectares"].sum() / segments["hectares"].sum() == pytest.approx(overall_xxl_share(demand))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: x\n".encode("utf-16"), "UTF-16"),
        (b"name: x\x00\n", "NUL bytes"),
        (b"name: \xe9t\xe9\n", "not UTF-8"),
        (b"name: x\n[a, b]: x\n", "plain name"),
        (b"name: x\ndemand:\n  explicit_parkstad_2030_ha: 1.0e+400\n", "not a finite number"),
        (b"name: x\nscoring:\n  weight_sets:\n    w:\n      weights: {road_access: .inf}\n", "not a finite number"),
        (b"name: x\nsectors:\n  - label: a\n  - id: {a: 1}\n", "sectors.0.id"),
        (b'name: "."\n', "safe folder name"),
        (b'name: ".."\n', "safe folder name"),
        (b"name: ../x\n", "safe folder name"),
    ],
)
def test_hostile_scenario_files_give_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    error = error_of(path)
    assert message in error.one_line() and error.source == str(path)


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "aliases are expanded" in error_of(path).message


def test_a_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "loop.yaml", "name: x\nloop: &l [1, *l]\n")
    assert "contains it" in error_of(path).message
