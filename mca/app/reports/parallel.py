"""Writing one run with two processes: the independent writers' parts shared out (`write_all`, ``processes=2``).

The writers that read nothing the others write (`OutputWriter.independent`) are cut into parts
(a writer's ``parts``, each drawing one file, else the whole writer) and queued, the largest
writers first. A forked copy of this process (`mca.app.forking`) and this process each take the
next part until the queue is empty: the queue is a pipe holding one byte per part, and a read of
one byte takes exactly one. Both write into the same folder, each file from the same data and
code as a serial `write_all` writes it, so the files and their bytes are the same; the copy
sends back the paths it wrote and the files it read, or the exception that stopped it, which is
raised here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from mca.app import forking
from mca.app.reports.base import OutputWriter, RunFolder
from mca.app.run_cache import note_reads, recording_reads

LARGEST_FIRST = ("maps", "geopackage", "excel", "html")
"""Writers queued first, largest first (`benchmarks/bench_cli.py`, Heerlen base case, CPU s: maps and charts
2.0 (0.07-0.4 a drawing), GeoPackage 0.13, workbook 0.13, the report without its images 0.1); the rest
follow in writing order, the fact sheets (0.15 s, about 0.01 s a sheet) last, so that small parts even out
the two processes' shares."""
MAX_PARTS = 255
"""Parts a queue may hold (one byte names a part)."""

Part = tuple[str, int, Callable[[], list[Path]]]
Done = dict[tuple[str, int], list[Path]]


def queued_parts(folder: RunFolder, writers: list[OutputWriter]) -> list[Part]:
    """The parts of ``writers`` in queue order: (writer name, index within the writer, write function).

    Largest writers first (`LARGEST_FIRST`), the parts a writer draws ahead of the allocation last (reversed).
    """
    first = {name: i for i, name in enumerate(LARGEST_FIRST)}
    parts: list[Part] = []
    drawn_ahead: list[Part] = []
    for writer in sorted(writers, key=lambda w: first.get(w.name, len(first))):
        if writer.parts is None:
            parts.append((writer.name, 0, partial(writer.write, folder)))
        else:
            own = [(writer.name, i, partial(_one, draw)) for i, draw in enumerate(writer.parts(folder))]
            parts += [part for part in own if part[1] not in writer.ahead]
            drawn_ahead += [own[i] for i in writer.ahead]
    # last, and in the reverse of the order they are drawn ahead (`mca.app.reports.draw_ahead`): those the
    # drawing ahead did not reach first, the one it is finishing when the run comes as late as possible
    parts += drawn_ahead[::-1]
    if len(parts) > MAX_PARTS:
        raise ValueError(f"{len(parts)} parts to write, at most {MAX_PARTS}")
    return parts


def write_shared(folder: RunFolder, writers: list[OutputWriter]) -> dict[str, list[Path]]:
    """Write ``writers`` (all independent) with a forked helper; their paths by writer name, in order."""
    parts = queued_parts(folder, writers)
    queue, filler = os.pipe()
    os.write(filler, bytes(range(len(parts))))  # at most 255 bytes: within any pipe's buffer
    os.close(filler)
    try:
        helper = forking.fork(partial(_take_recorded, parts, queue))
        try:
            done = _take(parts, queue)
        except BaseException:
            helper.stop()
            raise
    finally:
        os.close(queue)
    theirs, reads = helper.answer()
    note_reads(reads)
    done.update(theirs)
    return {w.name: [p for key in sorted(k for k in done if k[0] == w.name) for p in done[key]] for w in writers}


def _one(draw: Callable[[], Path]) -> list[Path]:
    """The path written by ``draw`` as a list."""
    return [draw()]


def _take(parts: list[Part], queue: int) -> Done:
    """Write the parts taken from ``queue`` until it is empty; their paths by (writer, index)."""
    done: Done = {}
    while taken := os.read(queue, 1):
        name, index, write = parts[taken[0]]
        done[(name, index)] = write()
    return done


def _take_recorded(parts: list[Part], queue: int) -> tuple[Done, set[Path]]:
    """`_take`, and the files read meanwhile (for the run cache of the process that forked this one)."""
    with recording_reads() as reads:
        done = _take(parts, queue)
    return done, reads
