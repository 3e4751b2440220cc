"""Faults from outside: interrupts, kills, concurrent runs, bad --out folders and full disks.

Each leaves nothing behind (no output folder, staging folder, lock or solver temp file) and
never loses earlier results.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mca.app import output, pipeline
from mca.app.cli import app
from mca.app.output import LOCK_NAME, NEARLY_FULL_BYTES
from mca.app.run_cache import CACHE_VARIABLE

runner = CliRunner()


def start_run(scenario: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    """``mca run`` in a subprocess whose temporary folder is ``tmp``.

    Runs that must be caught in the act pass ``--no-cache``: a run the cache can answer (an
    earlier test ran the same scenario) ends in a quarter of a second, before the interrupt.
    SIGINT is restored to its default in the child (:func:`_interruptible`).
    """
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "TMP": str(tmp)}
    command = [sys.executable, "-m", "mca", "run", str(scenario), "--out", str(out), *extra]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_interruptible
    )


def _interruptible() -> None:
    """Ctrl-C as in a terminal: a shell starts background jobs with SIGINT ignored, and children inherit it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition: Callable[[], bool], run: subprocess.Popen[str], timeout: float = 300.0) -> None:
    """Poll ``condition()`` until it holds or ``run`` ends (a test helper, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition() and run.poll() is None:
        assert time.monotonic() < deadline, "the run never reached the expected state"
        time.sleep(0.05)


@pytest.mark.parametrize("moment", ["importing", "reading", "writing"])
def test_an_interrupt_at_any_moment_exits_130_and_leaves_nothing(quick_scenario: Path, tmp_path: Path, moment: str):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    run = start_run(quick_scenario, out, tmp, "--no-cache")
    if moment == "importing":
        time.sleep(0.3)
    elif moment == "reading":
        wait_for(lambda: (out / LOCK_NAME).exists(), run)
    else:
        wait_for(lambda: any(p.name.endswith(".csv") for p in out.glob(".quick.partial-*/*")), run)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    if run.returncode == 0:  # finished before the signal arrived: nothing to check
        pytest.skip("the run finished before the interrupt")
    assert run.returncode == 130, err
    assert "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []
    assert list(tmp.iterdir()) == []


def test_a_run_that_draws_ahead_leaves_no_temporary_file(
    quick_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache, the writer helper draws ahead of the allocation in scratch space that goes with it."""
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    run = start_run(quick_scenario, out, tmp)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    timings = json.loads((out / "quick" / "timings.json").read_text(encoding="utf-8"))
    assert 0 <= timings["drawn_ahead"] <= 5 and "drawing_ahead_s" in timings  # drawn ahead, as many as time allowed
    assert list(tmp.iterdir()) == []


def test_a_killed_run_is_cleaned_up_by_the_next(quick_scenario: Path, tmp_path: Path) -> None:
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    run = start_run(quick_scenario, out, tmp, "--no-cache")
    wait_for(lambda: any(out.glob(".quick.partial-*")) if out.exists() else False, run)
    run.kill()
    run.wait(timeout=60)
    assert (out / LOCK_NAME).exists() and any(out.glob(".quick.partial-*"))
    again = start_run(quick_scenario, out, tmp)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["quick"]
    assert (out / "quick").stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_two_runs_into_one_folder_cannot_both_succeed(quick_scenario: Path, tmp_path: Path) -> None:
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    first = start_run(quick_scenario, out, tmp, "--no-cache")
    wait_for(lambda: (out / LOCK_NAME).exists(), first)
    second = start_run(quick_scenario, out, tmp, "--force")
    _, second_err = second.communicate(timeout=300)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 1 and "another mca run" in second_err and str(first.pid) in second_err
    assert len(second_err.strip().splitlines()) == 1


def test_out_problems_are_one_line_errors(quick_scenario: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    for out, message in ((a_file, "is a file"), (a_file / "sub", "cannot create the output folder")):
        result = runner.invoke(app, ["run", str(quick_scenario), "--out", str(out)])
        assert result.exit_code == 1 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_a_failure_after_loading_leaves_no_folder(
    quick_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "x.csv"))

    monkeypatch.setattr(pipeline, "run_scenario", fail)
    result = runner.invoke(app, ["run", str(quick_scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no space left" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_full_disk_keeps_the_earlier_results(quick_scenario: Path, tmp_path: Path) -> None:
    """On a real small filesystem where the platform allows mounting one (root in CI)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(disk)], check=False).returncode:
        pytest.skip("this platform does not allow mounting a tmpfs")
    try:
        earlier = disk / "out" / "quick"
        earlier.mkdir(parents=True)
        (earlier / "ranking.csv").write_text("earlier result\n", encoding="utf-8")
        result = runner.invoke(app, ["run", str(quick_scenario), "--out", str(disk / "out"), "--force"])
        assert result.exit_code == 1 and "no space left" in result.stderr, result.stderr
        assert (earlier / "ranking.csv").read_text(encoding="utf-8") == "earlier result\n"
        assert sorted(p.name for p in (disk / "out").iterdir()) == ["quick"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_library_failing_to_write_on_a_nearly_full_disk_is_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GDAL may say only "Failed to commit transaction", and free the pages it wrote, when the disk is full."""
    failure = RuntimeError("Failed to commit transaction")
    for free, full in ((NEARLY_FULL_BYTES // 2, True), (NEARLY_FULL_BYTES * 8, False)):
        monkeypatch.setattr(shutil, "disk_usage", lambda _folder, free=free: shutil._ntuple_diskusage(1, 1, free))
        assert output._disk_full(tmp_path, failure) is full
    assert output._disk_full(tmp_path, RuntimeError("database or disk is full"))  # said in words: whatever is free
