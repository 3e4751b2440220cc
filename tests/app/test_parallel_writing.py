"""Writing with forked helper processes gives the files of serial writing, and their failures fail the run."""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mca.app import forking, reports
from mca.app.cli import app
from mca.app.reports import WRITERS, OutputWriter, RunFolder, excel, maps, write_all
from mca.app.reports.manifest import TIMINGS_NAME
from mca.app.reports.parallel import queued_parts
from mca.app.run_cache import CACHE_VARIABLE
from mca.core.errors import UserError

pytestmark = pytest.mark.skipif(not forking.available(), reason="helpers are forked on Linux only")
runner = CliRunner()


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, but the wall-clock timings."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != TIMINGS_NAME
    }


def test_two_processes_write_the_files_of_one_in_the_same_order(tmp_path: Path, make_run_result) -> None:
    result = make_run_result(tmp_path / "inputs")
    serial = write_all(result, tmp_path / "serial")
    shared = write_all(result, tmp_path / "shared", processes=2)
    assert [p.relative_to(tmp_path / "shared") for p in shared] == [p.relative_to(tmp_path / "serial") for p in serial]
    assert contents(tmp_path / "shared") == contents(tmp_path / "serial")


def test_every_independent_file_is_one_part_of_the_queue(tmp_path: Path, make_run_result) -> None:
    folder = RunFolder(make_run_result(tmp_path / "inputs"), tmp_path, "base", {})
    independent = [w for w in WRITERS if w.independent]
    parts = queued_parts(folder, independent)
    assert parts[0][0] == "maps" and {name for name, _, _ in parts} == {w.name for w in independent}
    last = [(name, index) for name, index, _ in parts[-len(maps.AHEAD_FILES) :]]  # drawn ahead: queued last
    assert last == [("maps", index) for index in reversed(WRITERS.get("maps").ahead)]
    assert len({(name, index) for name, index, _ in parts}) == len(parts)
    html = WRITERS.get("html")  # rendered alongside the maps, which it embeds once they are all written
    assert html.independent and html.finish is not None and "maps" not in {w.name for w in WRITERS if w.finish}


def test_a_failing_part_fails_the_writing_whichever_process_takes_it(tmp_path: Path, make_run_result) -> None:
    def fail(_folder: RunFolder) -> list[Path]:
        raise UserError("cannot write the notes", source="notes.txt")

    result = make_run_result(tmp_path / "inputs")
    with WRITERS.registered(OutputWriter(name="notes_test", files="notes.txt", write=fail, independent=True)):
        for _ in range(3):
            with pytest.raises(UserError, match=r"^notes\.txt: cannot write the notes$"):
                write_all(result, tmp_path / "out", processes=2)
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_a_helper_that_dies_is_a_one_line_error() -> None:
    helper = forking.fork(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(forking.HelperDiedError, match="ended without finishing \\(signal 9\\)"):
        helper.answer()


def test_a_reaped_helper_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    helper = forking.fork(lambda: 1)
    assert helper.answer() == 1 and helper.reaped and helper.reply == -1
    signals: list[int] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append(pid))
    helper.stop()  # its process id may be another process's by now, its pipe another file's
    assert signals == []


def test_a_helper_sends_back_its_value_and_its_exception() -> None:
    assert forking.fork(lambda: {"a": [1, 2]}).answer() == {"a": [1, 2]}
    with pytest.raises(OSError, match="No space") as raised:
        forking.fork(lambda: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left", "x.csv"))).answer()
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == "x.csv"


def test_a_run_whose_helper_fails_to_write_keeps_the_earlier_results(
    quick_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = tmp_path / "out" / "quick"
    earlier.mkdir(parents=True)
    (earlier / "ranking.csv").write_text("earlier result\n", encoding="utf-8")
    parent, write_excel = os.getpid(), excel.write_excel

    def full_disk_in_a_helper(result: object, path: Path) -> Path:
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return write_excel(result, path)  # type: ignore[arg-type]

    monkeypatch.setattr(excel, "write_excel", full_disk_in_a_helper)
    result = runner.invoke(app, ["run", str(quick_scenario), "--out", str(tmp_path / "out"), "--force"])
    assert result.exit_code == 1 and "no space left" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("error:") == 1
    assert (earlier / "ranking.csv").read_text(encoding="utf-8") == "earlier result\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["quick"]


def test_a_drawing_that_fails_ahead_is_drawn_again_and_the_run_goes_on(
    quick_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing ahead only saves time: its failure ends it, says why in timings.json, and the writing draws."""

    def broken(before: object, until: object) -> int:
        raise KeyError("allocation")  # as a view reading what the run before its allocation lacks would

    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setattr(reports, "draw_ahead", broken)
    result = runner.invoke(app, ["run", str(quick_scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    timings = json.loads((tmp_path / "out" / "quick" / TIMINGS_NAME).read_text(encoding="utf-8"))
    assert timings["drawing_ahead_failed"] == "KeyError: 'allocation'" and "drawn_ahead" not in timings
    assert all((tmp_path / "out" / "quick" / name).stat().st_size > 0 for name in maps.AHEAD_FILES)
