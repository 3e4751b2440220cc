"""The writing of ``mca run``, prepared in a second process while the first computes the chain.

`writer` forks a helper (`mca.app.forking`) once pandas and GeoPandas are imported, before the
scenario's modules; on the second core, the helper imports Matplotlib and warms it up, then the
writers, while this process imports the rest, loads and scores; pyogrio, openpyxl and Jinja (and
the templates) follow while the allocation is solved.
`Writer.ahead` hands it the run before its allocation (`mca.app.pipeline.ranked_result`): while
this process solves the allocation, a forked copy of the helper draws what reads nothing of it
(`mca.app.reports.draw_ahead`) into the drawing store. `Writer.write` hands the helper the whole
`RunResult` and returns the files it wrote: the helper tells the copy drawing ahead to end after
its current drawing and at once writes the run with another forked copy of itself (`write_all`
with ``processes=2``), inside the drawing store when one is given, so each drawing made ahead is
copied from the store (one still being drawn ahead may be drawn twice, to the same bytes); it
sends back the files written and read. This process imports none of the writers. Where no
process can be forked, the writing is done here.

The two messages go through one pipe, each pickled behind its length (`_framed`).
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mca.app import forking
from mca.app.run_cache import note_reads, recording_reads, reusing_drawings

if TYPE_CHECKING:
    from mca.app.results import RunResult

DRAWING = ("mca.app.render_setup",)
"""What the helper imports first: Matplotlib (through `mca.app.render_setup`, which then warms it up)."""
WRITERS = ("mca.app.reports",)
"""What it imports next, to draw ahead: the writers (pandas and GeoPandas came with the fork)."""
LATE = ("pyogrio", "openpyxl", "jinja2", "babel.numbers")
"""What it imports once it has started drawing ahead, while the allocation is solved (it then compiles the
report templates)."""
PROCESSES = 2
"""Processes that write a run (this machine's and a planner's laptop's cores: assumption, at least two)."""
LENGTH = struct.Struct("<Q")
"""The header of a message: the length of the pickle that follows."""


class Writer:
    """Writes a run's outputs: through a forked helper (`writer`), else in this process."""

    def __init__(self, helper: forking.Child | None, jobs: int | None, drawings: Path | None) -> None:
        self._helper, self._jobs, self._drawings = helper, jobs, drawings
        self._sending: threading.Thread | None = None

    def ahead(self, result: RunResult) -> None:
        """Hand the helper the run before its allocation, to draw ahead into the drawing store (if any).

        Sent by a thread, so that this process solves the allocation while the helper, still
        importing, has not yet read the message (a pipe holds 64 KiB; the run is about 1 MB).
        """
        if self._helper is None or self._jobs is None or self._drawings is None:
            return
        message = _framed(("ahead", result))
        self._sending = threading.Thread(target=_send_quietly, args=(self._jobs, message), daemon=True)
        self._sending.start()

    def write(self, result: RunResult, folder: Path) -> list[Path]:
        """Write every output of ``result`` into ``folder`` (drawings reused from the drawing store, if any)."""
        if self._helper is None or self._jobs is None:
            files, reads = _write(result, folder, self._drawings, 1)
        else:
            message = _framed(("run", result, folder))
            self._finish_sending()
            _send(self._jobs, message)
            os.close(self._jobs)
            self._jobs = None
            files, reads = self._helper.answer()
            self._helper = None
        note_reads(reads)
        return list(files)

    def close(self) -> None:
        """Stop a helper that was given no run (the chain failed) or is still writing (an interrupt)."""
        if self._helper is not None:
            self._helper.stop()  # first: a message still being sent then ends with a broken pipe
            self._helper = None
        self._finish_sending()
        if self._jobs is not None:
            os.close(self._jobs)
            self._jobs = None

    def _finish_sending(self) -> None:
        """Wait for the message `ahead` sends, if any."""
        if self._sending is not None:
            self._sending.join()
            self._sending = None


@contextmanager
def writer(drawings: Path | None) -> Iterator[Writer]:
    """A `Writer` whose helper imports the writers meanwhile; the helper is stopped on the way out.

    ``drawings``: the drawing store the run will use (the helper draws ahead into it), or None.
    """
    if not forking.available():
        yield Writer(None, None, drawings)
        return
    scratch = tempfile.mkdtemp(prefix="mca-writer-")
    jobs, sender = os.pipe()
    helper = forking.fork(partial(_serve, jobs, scratch, drawings), close=[sender])
    os.close(jobs)
    handle = Writer(helper, sender, drawings)
    try:
        yield handle
    finally:
        handle.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _framed(message: tuple[Any, ...]) -> bytes:
    """``message`` pickled behind its length."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def _send(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to the pipe ``descriptor``."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _send_quietly(descriptor: int, data: bytes) -> None:
    """`_send`, where a helper stopped meanwhile (a failed chain, an interrupt) only ends the sending."""
    with suppress(OSError):
        _send(descriptor, data)


def _receive(descriptor: int) -> tuple[Any, ...] | None:
    """The next message from the pipe ``descriptor``; None when it is closed without one."""
    header = _read(descriptor, LENGTH.size)
    if len(header) < LENGTH.size:
        return None
    (length,) = LENGTH.unpack(header)
    data = _read(descriptor, length)
    return pickle.loads(data) if len(data) == length else None


def _read(descriptor: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``descriptor``: fewer only at its end."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(descriptor, min(size, 1 << 20))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _waiting(descriptor: int) -> bool:
    """Whether something (a message, or the end of the pipe) can be read from ``descriptor`` now."""
    return bool(select.select([descriptor], [], [], 0)[0])


def _serve(jobs: int, scratch: str, drawings: Path | None) -> tuple[list[Path], set[Path]] | None:
    """In the helper: import the writers, draw ahead, wait for the run, write it; None if no run comes.

    With a drawing store ``drawings`` the helper starts drawing ahead into it as soon as the run
    before its allocation comes and imports the rest (pyogrio, openpyxl, Jinja) meanwhile; else it imports
    everything first. The helper and its copies keep their temporary files (openpyxl's, the
    drawings made ahead) in ``scratch``, which `writer` removes once they have ended: a helper
    stopped while writing (an interrupt) leaves none behind.
    """
    tempfile.tempdir = scratch
    timings = _imported(DRAWING, "writer_imports", then="mca.app.render_setup:warm_up")
    timings |= _imported(WRITERS, "writer_data_imports")
    late = partial(_imported, LATE, "writer_late_imports", then="mca.app.render_setup:compile_templates")
    if drawings is None:
        timings |= late()
    message = _receive(jobs)
    ahead = None
    if message is not None and message[0] == "ahead" and drawings is not None:
        stop, stopper = os.pipe()
        ahead = forking.fork(partial(_draw_ahead, message[1], drawings, stop), close=[stopper, jobs])
        os.close(stop)
        timings |= late()
        message = _receive(jobs)
        os.close(stopper)  # the drawing ahead ends before its next drawing
    if message is None:
        return None
    _, result, folder = message
    result.timings.update({key: round(value, 3) for key, value in timings.items()})
    written = _write(result, folder, drawings, PROCESSES)
    if ahead is not None:
        from mca.app.reports.manifest import TIMINGS_NAME, add_timings

        add_timings(folder / TIMINGS_NAME, ahead.answer())
    return written


def _imported(modules: tuple[str, ...], name: str, then: str | None = None) -> dict[str, float]:
    """Import ``modules``, then call ``then`` (``module:function``) if given.

    Returns the wall and CPU seconds, as ``<name>_s`` and ``<name>_cpu_s``.
    """
    started, cpu = time.perf_counter(), time.process_time()
    for module in modules:
        importlib.import_module(module)
    if then is not None:
        module, function = then.split(":")
        getattr(importlib.import_module(module), function)()
    return {f"{name}_s": time.perf_counter() - started, f"{name}_cpu_s": time.process_time() - cpu}


def _draw_ahead(result: RunResult, drawings: Path, stop: int) -> dict[str, float | str]:
    """In a copy of the helper: draw ahead into the store ``drawings`` until ``stop`` ends; the drawings and seconds.

    Drawing ahead only saves time: should a drawing fail here, the drawing ahead ends and says
    why in ``timings.json``, and the writing draws it again (and fails there, if it fails again).
    """
    from mca.app.reports import draw_ahead

    started, cpu = time.perf_counter(), time.process_time()
    outcome: dict[str, float | str] = {}
    with reusing_drawings(drawings):
        try:
            outcome["drawn_ahead"] = draw_ahead(result, until=partial(_waiting, stop))
        except Exception as exc:  # an optimisation: the writing draws again and reports a real failure
            outcome["drawing_ahead_failed"] = f"{type(exc).__name__}: {exc}"[:300]
    outcome["drawing_ahead_s"] = round(time.perf_counter() - started, 3)
    outcome["drawing_ahead_cpu_s"] = round(time.process_time() - cpu, 3)
    return outcome


def _write(result: RunResult, folder: Path, drawings: Path | None, processes: int) -> tuple[list[Path], set[Path]]:
    """`write_all` (inside the drawing store ``drawings``, if any); the files written and read."""
    from mca.app.reports import write_all

    store: AbstractContextManager[object] = reusing_drawings(drawings) if drawings is not None else nullcontext()
    with recording_reads() as reads, store:
        files = write_all(result, folder, processes=processes)
    return files, reads
