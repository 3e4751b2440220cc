"""mca sweep: spec expansion, overrides, failures, chunks, HiGHS threads, and a two-worker LocalCluster
giving the serial table."""

from __future__ import annotations

import os
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
import yaml

import mca.app.sweep as sweep_module
from mca.app.sweep import (
    VariantOutcome,
    chunk_size,
    no_regret,
    run_sweep,
    solver_threads,
    tidy_table,
    variant_table,
    write_sweep,
)
from mca.app.sweep_spec import SweepSpec, Variant, apply_overrides, load_sweep, variant_count, variants
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
        grid={"demand.variant": ["low", "no_such_variant", "high"], "allocation.ladder": ["strict", "weighted"]},
        top_k=5,
        smaa_samples=600,
        smaa_chunk=250,
    )
    base = SCENARIO_DIR / "heerlen_base.yaml"
    serial = run_sweep(spec, base, serial=True)
    seen: list[int] = []
    # chunks of 4 and 2 variants: the failing variants share their tasks with variants that run
    parallel = run_sweep(spec, base, workers=2, chunk=4, progress=lambda done, total: seen.append(done))
    assert sorted(seen) == [2, 6] or sorted(seen) == [4, 6]
    assert list(variant_table(parallel)["status"]) == ["ok", "ok", "failed", "failed", "ok", "ok"]
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


def test_chunk_size_gives_each_thread_several_tasks_of_at_most_max_chunk() -> None:
    assert chunk_size(1_008, 2) == sweep_module.MAX_CHUNK
    assert chunk_size(40, 2) == 40 // (2 * sweep_module.CHUNKS_PER_THREAD)
    assert chunk_size(5, 2) == 1
    assert chunk_size(0, 0) == 1


def test_a_lost_chunk_is_run_again_variant_by_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    from dask.distributed import LocalCluster

    spec = SweepSpec(
        name="chunks",
        base=SCENARIO_DIR / "heerlen_base.yaml",
        grid={"demand.variant": ["low", "mid", "high"], "allocation.ladder": ["strict", "weighted", "off"]},
    )
    names = [v.name for v in variants(spec)]
    lost = names[4]

    def chunk_that_breaks(base: str, chunk: list[Variant], top_k: int) -> list[VariantOutcome]:
        """Stands in for run_chunk: a task with ``lost`` in it dies; outcomes come back in reverse."""
        if any(v.name == lost for v in chunk):
            raise RuntimeError("worker lost")
        return [VariantOutcome(v.number, v.name, v.overrides, totals={"n": float(v.number)}) for v in chunk[::-1]]

    monkeypatch.setattr(sweep_module, "run_chunk", chunk_that_breaks)
    seen: list[int] = []
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = run_sweep(
            spec, spec.base, scheduler=cluster.scheduler_address, chunk=4, progress=lambda d, t: seen.append(d)
        )
    assert [o.name for o in result.outcomes] == names
    assert [o.error for o in result.outcomes] == [None] * 4 + ["RuntimeError: worker lost"] + [None] * 4
    assert [o.totals.get("n") for o in result.outcomes if o.ok] == [1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 9.0]
    assert max(seen) == 9


def _tiny_mip(threads: int | None = None) -> highspy.HighsStatus:
    """Solve max x + 1.5 y s.t. x + 2 y <= 7.5, x, y integer in [0, 10] (optimum 7 at x = 7, y = 0)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if threads is not None:
        h.setOptionValue("threads", threads)
    h.addVars(2, np.zeros(2), np.full(2, 10.0))
    h.changeColsIntegrality(2, np.array([0, 1], dtype=np.int32), np.array([1, 1], dtype=np.uint8))
    h.addRow(-highspy.kHighsInf, 7.5, 2, np.array([0, 1], dtype=np.int32), np.array([1.0, 2.0]))
    h.changeColsCost(2, np.array([0, 1], dtype=np.int32), np.array([-1.0, -1.5]))
    status = h.run()
    assert status != highspy.HighsStatus.kOk or h.getInfo().objective_function_value == pytest.approx(-7.0)
    return status


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts threads in /proc")
def test_solver_threads_holds_highs_to_one_thread_and_releases_it() -> None:
    with solver_threads(None):
        threads_before = set(os.listdir("/proc/self/task"))
        assert _tiny_mip() == highspy.HighsStatus.kOk  # the default solves on the held scheduler
        # and starts no HiGHS worker thread (a thread of an earlier test may end meanwhile)
        assert not set(os.listdir("/proc/self/task")) - threads_before
        assert _tiny_mip(threads=2) == highspy.HighsStatus.kError  # HiGHS refuses another size
    assert _tiny_mip(threads=2) == highspy.HighsStatus.kOk  # released: a new scheduler of the asked size
    with solver_threads(2):
        assert _tiny_mip(threads=2) == highspy.HighsStatus.kOk  # a scenario's own threads are kept
