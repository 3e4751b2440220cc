"""mca sweep: spec expansion, overrides, failures, and a two-worker LocalCluster giving the serial table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from mca.app.sweep import no_regret, run_sweep, tidy_table, variant_table, write_sweep
from mca.app.sweep_spec import SweepSpec, apply_overrides, load_sweep, variant_count, variants
from mca.core.errors import UserError
from mca.core.paths import SCENARIO_DIR

EXAMPLE = SCENARIO_DIR / "sweeps" / "heerlen_study.yaml"


def _spec_file(tmp_path: Path, **content: object) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump({"base": str(SCENARIO_DIR / "heerlen_base.yaml"), **content}))
    return path


def test_example_spec_expands_to_the_product_of_its_grid() -> None:
    spec, base = load_sweep(EXAMPLE)
    expected = 1
    for values in spec.grid.values():
        expected *= len(values)
    listed = list(variants(spec))
    assert base.name == "heerlen_base.yaml"
    assert len(listed) == variant_count(spec) == expected
    assert len({v.name for v in listed}) == expected
    assert {tuple(sorted(v.overrides.items())) for v in listed} == {
        tuple(sorted(zip(spec.grid, combo, strict=True)))
        for combo in pd.MultiIndex.from_product(list(spec.grid.values()))
    }


def test_list_entries_combine_with_every_grid_point(tmp_path: Path) -> None:
    spec, _ = load_sweep(
        _spec_file(
            tmp_path,
            grid={"allocation.ladder": ["strict", "off"]},
            variants=[{"name": "a", "set": {"demand.variant": "low"}}, {"set": {"demand.variant": "high"}}],
        )
    )
    listed = list(variants(spec))
    assert len(listed) == 4
    assert [v.overrides["demand.variant"] for v in listed] == ["low", "low", "high", "high"]
    assert listed[0].name.endswith("-a")


def test_overrides_set_nested_paths_and_refuse_non_sections() -> None:
    data = {"demand": {"variant": "mid"}, "sectors": [{"id": "x", "n": 1}]}
    changed = apply_overrides(data, {"demand.variant": "low", "scoring.method": "topsis", "sectors.0.n": 2})
    assert changed == {"demand": {"variant": "low"}, "scoring": {"method": "topsis"}, "sectors": [{"id": "x", "n": 2}]}
    assert data["demand"]["variant"] == "mid"  # the input is not changed
    with pytest.raises(UserError):
        apply_overrides(data, {"demand.variant.deeper": 1})


def test_bad_spec_is_one_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no values"):
        load_sweep(_spec_file(tmp_path, grid={"demand.variant": []}))
    with pytest.raises(UserError, match="unknown key"):
        load_sweep(_spec_file(tmp_path, gird={}))


def test_a_failed_variant_is_reported_and_the_others_run(tmp_path: Path) -> None:
    spec, base = load_sweep(_spec_file(tmp_path, grid={"demand.variant": ["no_such_variant", "low"]}, top_k=3))
    result = run_sweep(spec, base, serial=True)
    table = variant_table(result)
    assert list(table["status"]) == ["failed", "ok"]
    assert "no_such_variant" in table.loc[0, "error"]
    placed = table.loc[1, "placed_ha"]
    assert placed > 0 and table.loc[1, "shortfall_ha"] >= 0
    assert 0 <= table.loc[1, "regional_outlet_ha"] <= table.loc[1, "shortfall_ha"] + 1e-9
    tidy = tidy_table(result)
    assert set(tidy["variant"]) == {result.outcomes[1].name}
    assert tidy.loc[tidy["measure"] == "site_ha", "value"].sum() == pytest.approx(placed)
    assert (tidy["measure"] == "top_k_rank").sum() == 3
    # one successful variant: its placed sites are the no-regret programme
    assert set(no_regret(result)["site_id"]) == set(result.outcomes[1].site_hectares)


def test_local_cluster_with_two_workers_gives_the_serial_tables(tmp_path: Path) -> None:
    spec = SweepSpec(
        name="cluster_check",
        base=SCENARIO_DIR / "heerlen_base.yaml",
        grid={"demand.variant": ["low", "high"], "allocation.ladder": ["strict", "weighted"]},
        top_k=5,
        smaa_samples=600,
        smaa_chunk=250,
    )
    base = SCENARIO_DIR / "heerlen_base.yaml"
    serial = run_sweep(spec, base, serial=True)
    seen: list[int] = []
    parallel = run_sweep(spec, base, workers=2, progress=lambda done, total: seen.append(done))
    assert seen[-1] == 4
    for make in (variant_table, tidy_table, no_regret):
        pd.testing.assert_frame_equal(make(serial), make(parallel))
    assert serial.smaa_acceptability is not None and parallel.smaa_acceptability is not None
    pd.testing.assert_frame_equal(serial.smaa_acceptability, parallel.smaa_acceptability)
    assert serial.smaa_acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)
    written = write_sweep(parallel, tmp_path)
    assert sorted(p.name for p in written) == [
        "no_regret.csv",
        "results.csv",
        "smaa_acceptability.csv",
        "variants.csv",
    ]
