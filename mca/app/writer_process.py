"""The writing of ``mca run``, prepared in a second process while the first computes the chain.

`writer` forks a helper (`mca.app.forking`) before the chain starts; the helper imports the
writers and their libraries (Matplotlib, openpyxl, Jinja, pyogrio: about 0.7 s of CPU) on the
second core while this process reads, scores and allocates, then waits for the run. `Writer.write`
hands it the `RunResult` (pickled through a pipe) and returns the files it wrote: the helper
writes them with a forked copy of itself (`write_all` with ``processes=2``), inside the
drawing store when one is given, and sends back the files written and read. This process
imports none of the writers. Where no process can be forked, the writing is done here.
"""

from __future__ import annotations

import importlib
import os
import pickle
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from mca.app import forking
from mca.app.run_cache import note_reads, recording_reads, reusing_drawings

if TYPE_CHECKING:
    from mca.app.results import RunResult

PRELOADED = ("mca.app.reports", "jinja2", "babel.numbers", "pyogrio", "matplotlib.backends.backend_agg")
"""What the helper imports while it waits: the writers and the libraries they import when they run."""
PROCESSES = 2
"""Processes that write a run (this machine's and a planner's laptop's cores: assumption, at least two)."""


class Writer:
    """Writes a run's outputs: through a forked helper (`writer`), else in this process."""

    def __init__(self, helper: forking.Child | None, jobs: int | None) -> None:
        self._helper, self._jobs = helper, jobs

    def write(self, result: RunResult, folder: Path, drawings: Path | None) -> list[Path]:
        """Write every output of ``result`` into ``folder`` (drawings reused from the store ``drawings``)."""
        if self._helper is None or self._jobs is None:
            files, reads = _write(result, folder, drawings, 1)
        else:
            with os.fdopen(self._jobs, "wb") as handle:
                self._jobs = None
                pickle.dump((result, folder, drawings), handle, protocol=pickle.HIGHEST_PROTOCOL)
            files, reads = self._helper.answer()
            self._helper = None
        note_reads(reads)
        return list(files)

    def close(self) -> None:
        """Stop a helper that was given no run (the chain failed) or is still writing (an interrupt)."""
        if self._jobs is not None:
            os.close(self._jobs)
        if self._helper is not None:
            self._helper.stop()


@contextmanager
def writer() -> Iterator[Writer]:
    """A `Writer` whose helper imports the writers meanwhile; the helper is stopped on the way out."""
    if not forking.available():
        yield Writer(None, None)
        return
    jobs, sender = os.pipe()
    helper = forking.fork(partial(_serve, jobs), close=[sender])
    os.close(jobs)
    handle = Writer(helper, sender)
    try:
        yield handle
    finally:
        handle.close()


def _serve(jobs: int) -> tuple[list[Path], set[Path]] | None:
    """In the helper: import the writers, wait for the run, write it; None if no run comes."""
    started, cpu = time.perf_counter(), time.process_time()
    for name in PRELOADED:
        importlib.import_module(name)
    imports = {"writer_imports_s": time.perf_counter() - started, "writer_imports_cpu_s": time.process_time() - cpu}
    with os.fdopen(jobs, "rb") as handle:
        data = handle.read()
    if not data:
        return None
    result, folder, drawings = pickle.loads(data)
    result.timings.update({key: round(seconds, 3) for key, seconds in imports.items()})
    return _write(result, folder, drawings, PROCESSES)


def _write(result: RunResult, folder: Path, drawings: Path | None, processes: int) -> tuple[list[Path], set[Path]]:
    """`write_all` (inside the drawing store ``drawings``, if any); the files written and read."""
    from mca.app.reports import write_all

    store: AbstractContextManager[object] = reusing_drawings(drawings) if drawings is not None else nullcontext()
    with recording_reads() as reads, store:
        files = write_all(result, folder, processes=processes)
    return files, reads
