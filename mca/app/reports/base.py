"""The contract of an output writer, checked once when the writer is registered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mca.app.results import RunResult
from mca.core.registry import Registry

RESERVED = ("manifest",)
"""Names no writer may take: the manifest is always written last, by `write_all` itself."""


@dataclass(frozen=True)
class RunFolder:
    """What a writer gets: the run and where to write it.

    ``out_dir`` is the run folder, ``stem`` the scenario name made safe for file names and
    ``written`` the files the writers before it wrote, by writer name.
    """

    result: RunResult
    out_dir: Path
    stem: str
    written: Mapping[str, list[Path]]

    def path(self, pattern: str) -> Path:
        """The path in the folder of a file name pattern such as ``{stem}.xlsx``."""
        return self.out_dir / pattern.format(stem=self.stem)


@dataclass(frozen=True)
class OutputWriter:
    """One output of a run.

    ``files`` says which files it writes (``{stem}`` = the scenario's file stem); ``write``
    writes them into the run folder and gives their paths in writing order. ``independent``:
    it reads nothing the other writers write (``RunFolder.written``), so it may be written at
    the same time as they are (`mca.app.reports.parallel`); ``parts``, if given, splits it into
    functions that each write one of its files, in order (together the same files as ``write``).
    ``ahead`` names (by index) those of its parts that read nothing of the allocation and draw
    through the drawing store (`mca.app.reports.reuse.drawn_from`): they are drawn from the run
    before its allocation (`draw_ahead`) and queued last when the whole run is written, by when
    the store holds them.
    ``finish``, if given, completes the writer's files once every other writer has written
    (``RunFolder.written`` complete) and gives them again: so an independent writer can do
    most of its work alongside the others and read their files at the end (the report embeds
    the maps).
    """

    name: str
    files: str
    write: Callable[[RunFolder], list[Path]]
    aliases: tuple[str, ...] = ()
    independent: bool = False
    parts: Callable[[RunFolder], list[Callable[[], Path]]] | None = None
    ahead: tuple[int, ...] = ()
    finish: Callable[[RunFolder], list[Path]] | None = None


def check_writer(writer: Any, _registry: Registry[OutputWriter]) -> None:
    """Refuse a writer that breaks the contract of `OutputWriter`."""
    if not isinstance(writer, OutputWriter):
        raise TypeError(f"expected an OutputWriter, got {type(writer).__name__}")
    if writer.name in RESERVED:
        raise ValueError(f"'{writer.name}' is reserved: the manifest is always written last")
    if not writer.files.strip():
        raise ValueError("files must say which files the writer writes")
    if not callable(writer.write):
        raise TypeError("write must be a function of RunFolder")
    if writer.ahead and (writer.parts is None or not writer.independent):
        raise ValueError("only an independent writer with parts can draw parts ahead")


def files_inside(writer: OutputWriter, paths: list[Path], out_dir: Path) -> list[Path]:
    """``paths``, after checking that each is a file the writer wrote inside ``out_dir``."""
    folder = out_dir.resolve()
    for path in paths:
        if not (Path(path).is_file() and Path(path).resolve().is_relative_to(folder)):
            raise TypeError(f"output writer '{writer.name}' gave {path}, not a file inside the run folder")
    return paths
