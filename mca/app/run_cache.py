"""Reuse of a run's files when nothing it depends on has changed (``mca run``; ``--no-cache`` turns it off).

The files of a run are a function of what it read, the code and the software (a rerun on the
same inputs is byte-identical, which the tests hold). So ``mca run`` keeps a copy of each
scenario's files, and a later run of the same scenario argument whose dependencies are all
unchanged copies them back instead of recomputing, without importing a data library. What a
stored run depends on, and what is checked before every reuse:

- every file it read: the input edge's list (scenario chain, parks table, layers, demand
  source, policy, tables; `mca.inputs.InputData.files`) and any other file Python opened for
  reading while the run was computed (an audit hook records them), outside the Python
  installation and the project's own packages; each by SHA-256 and modification time (the
  outputs are dated by the newest input file, `mca.app.reports.stamp`); and the files beside
  each input that share its stem (a Shapefile's ``.dbf``, ``.prj``, …, which GDAL reads
  unseen): their contents and which of them exist;
- the code: the SHA-256 of every file of the project's packages (``mca``, ``demand``,
  ``candidates``, ``criteria``, ``solvers``), templates and translations included;
- the software: Python's version, the platform, and the name and version of every installed
  distribution; the environment: ``SOURCE_DATE_EPOCH``.

Anything different is a miss and the scenario is computed as usual. A run whose solver stopped
at its time limit (a result that depends on the machine's speed) is never stored. Stored files
are kept by their SHA-256 (and checked against it when copied back) under ``MCA_CACHE_DIR``
(default ``~/.cache/mca-sites``); the newest `MAX_ENTRIES` runs are kept. ``timings.json`` is
not stored: a reuse writes its own, saying so.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

CACHE_VARIABLE = "MCA_CACHE_DIR"
"""Environment variable naming the cache folder."""
FORMAT = 1
"""Version of the entry layout; a different one is a miss."""
MAX_ENTRIES = 16
"""Stored runs kept, newest first (assumption: a study's scenarios; a Heerlen run takes about 6 MB)."""
PACKAGES = ("mca", "demand", "candidates", "criteria", "solvers")
"""The project's packages, whose files make up the code fingerprint."""
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)
"""Environment variables that change a run's files."""
TIMINGS_FILE = "timings.json"
"""The run's wall-clock record (`mca.app.reports.manifest.TIMINGS_NAME`): never stored, written anew."""
CACHEABLE_STATUS = "optimal"
"""Only runs whose solver proved optimality are stored (a time limit depends on the machine)."""


def cache_dir() -> Path:
    """``MCA_CACHE_DIR``, else ``$XDG_CACHE_HOME/mca-sites``, else ``~/.cache/mca-sites``."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mca-sites"


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def package_roots(names: Iterable[str] = PACKAGES) -> list[Path]:
    """The folders of the project's packages, found without importing them."""
    roots = []
    for name in names:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            roots.append(Path(location).resolve())
    return roots


def code_fingerprint(roots: Iterable[Path]) -> str:
    """SHA-256 over the path and content of every file under ``roots`` (compiled caches left out)."""
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(p for p in Path(root).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            digest.update(f"{path.relative_to(root.parent).as_posix()}\0".encode())
            digest.update(sha256_bytes(path.read_bytes()).encode())
    return digest.hexdigest()


@cache
def running_code() -> str:
    """`code_fingerprint` of the project's packages, taken once per process (the code it runs is the code it imported).

    Taken by the first cache lookup of ``mca run``, before the writer helper is forked, so that
    the helper and its copies inherit it instead of reading every source file again.
    """
    return code_fingerprint(package_roots())


def software_fingerprint() -> str:
    """SHA-256 over Python's version, the platform and every installed distribution's name-version."""
    names: set[str] = set()
    for folder in sys.path:
        with suppress(OSError):
            names.update(entry.name for entry in os.scandir(folder or ".") if entry.name.endswith(".dist-info"))
    text = "\n".join([sys.version, platform.platform(), *sorted(names)])
    return sha256_bytes(text.encode())


def lookup_key(scenario: Path | None) -> str:
    """The name of the entry of one scenario argument under this code, software and environment."""
    return fingerprint_key({"scenario": str(Path(scenario).resolve()) if scenario is not None else None})


def fingerprint_key(parts: dict[str, Any]) -> str:
    """SHA-256 of ``parts`` (JSON) with the entry format, code, software and environment."""
    parts = {
        **parts,
        "format": FORMAT,
        "code": running_code(),
        "software": software_fingerprint(),
        "environment": {name: os.environ.get(name) for name in ENVIRONMENT},
    }
    return sha256_bytes(json.dumps(parts, sort_keys=True).encode())


def file_state(path: Path) -> dict[str, Any]:
    """What a dependency is checked by: its path, SHA-256 and modification time (ns)."""
    return {"path": str(path), "sha256": sha256_bytes(path.read_bytes()), "mtime_ns": path.stat().st_mtime_ns}


def sidecars(path: Path) -> list[str]:
    """Names of the files beside ``path`` that share its stem (``x.dbf`` for ``x.shp``) or extend its name."""
    try:
        return sorted(
            entry.name
            for entry in os.scandir(path.parent)
            if entry.name != path.name and entry.name.startswith((f"{path.stem}.", f"{path.name}-"))
        )
    except OSError:
        return []


def unchanged(state: dict[str, Any]) -> bool:
    """Whether the file of ``state`` still has that content and modification time."""
    path = Path(state["path"])
    try:
        return file_state(path) == state
    except OSError:
        return False


def dependency_record(files: Iterable[Path], reads: Iterable[Path]) -> dict[str, Any]:
    """What a stored result depends on: ``files`` and ``reads`` by `file_state`, and the files beside ``files``."""
    inputs = sorted({Path(p) for p in files}, key=str)
    beside = {path: sidecars(path) for path in inputs}
    paths = {*inputs, *map(Path, reads), *(path.parent / name for path, names in beside.items() for name in names)}
    return {
        "dependencies": [file_state(path) for path in sorted(paths, key=str) if path.is_file()],
        "sidecars": [(str(path), names) for path, names in beside.items()],
    }


def dependencies_unchanged(record: dict[str, Any]) -> bool:
    """Whether every file of a `dependency_record` is unchanged and the same files lie beside the inputs."""
    if not all(unchanged(state) for state in record["dependencies"]):
        return False
    return all(sidecars(Path(path)) == names for path, names in record["sidecars"])


@dataclass(frozen=True)
class CachedRun:
    """A stored run whose dependencies are unchanged: its scenario name, summary line and files."""

    name: str
    summary: str
    finished_at: str
    files: list[tuple[str, bytes]]

    def restore(self, folder: Path, started: float) -> list[Path]:
        """Write the stored files into ``folder`` and a ``timings.json`` saying they were reused."""
        written = []
        for relative, data in self.files:
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        timings = {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "reused_run_finished_at": self.finished_at,
            "run_s": round(time.perf_counter() - started, 3),
        }
        timings_path = folder / TIMINGS_FILE
        timings_path.write_text(json.dumps(timings, sort_keys=True, indent=2) + "\n", encoding="utf-8")
        return [*written, timings_path]


class RunCache:
    """Stored runs under ``root``: ``entries/<key>.json`` and ``files/<sha256>``."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self._keys: dict[Path | None, str] = {}

    def key(self, scenario: Path | None) -> str:
        """The entry key of ``scenario`` (computed once per cache object)."""
        if scenario not in self._keys:
            self._keys[scenario] = lookup_key(scenario)
        return self._keys[scenario]

    def find(self, scenario: Path | None) -> CachedRun | None:
        """The stored run of ``scenario`` if every dependency and stored file checks out, else None."""
        try:
            entry = json.loads((self.root / "entries" / f"{self.key(scenario)}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("format") != FORMAT or not dependencies_unchanged(entry):
            return None
        files = []
        for relative, digest in entry["files"]:
            try:
                data = (self.root / "files" / digest).read_bytes()
            except OSError:
                return None
            if sha256_bytes(data) != digest:
                return None
            files.append((relative, data))
        return CachedRun(entry["name"], entry["summary"], entry["finished_at"], files)

    def store(
        self, scenario: Path | None, run: StoredRun, folder: Path, files: Iterable[Path], reads: Iterable[Path]
    ) -> None:
        """Keep the files of a finished run (written into ``folder``) for reuse, then prune old entries."""
        if run.solver_status != CACHEABLE_STATUS:
            return
        stored = []
        for path in sorted(Path(p) for p in files):
            relative = path.relative_to(folder).as_posix()
            if relative == TIMINGS_FILE:
                continue
            data = path.read_bytes()
            digest = sha256_bytes(data)
            target = self.root / "files" / digest
            if not target.exists():
                write_atomically(target, data)
            stored.append((relative, digest))
        entry = {
            "format": FORMAT,
            "name": run.name,
            "summary": run.summary,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **dependency_record(run.input_files, reads),
            "files": stored,
        }
        write_atomically(self.root / "entries" / f"{self.key(scenario)}.json", json.dumps(entry, indent=1).encode())
        self.prune()

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Remove all but the newest ``keep`` entries, and the stored files no entry names."""
        entries = sorted((self.root / "entries").glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
        named: set[str] = set()
        for entry in entries[:keep]:
            with suppress(OSError, ValueError, KeyError):
                named.update(digest for _, digest in json.loads(entry.read_text(encoding="utf-8"))["files"])
        for stored in (self.root / "files").iterdir():
            if stored.name not in named and not stored.name.startswith("."):
                stored.unlink(missing_ok=True)


@dataclass(frozen=True)
class StoredRun:
    """What the cache keeps of a computed run besides its files."""

    name: str
    summary: str
    solver_status: str
    input_files: list[Path]


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a hidden temporary sibling, so readers see all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


_READS: list[set[Path]] = []
"""The sets recording file reads, innermost last (see `recording_reads`)."""
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: note a file opened for reading while a recording is on."""
    if event != "open" or not _READS or not isinstance(args[0], str | bytes | os.PathLike):
        return
    mode, flags = args[1], args[2]
    reading = not any(c in mode for c in "wax+") if isinstance(mode, str) else not (flags or 0) & _WRITE_FLAGS
    if reading:
        _READS[-1].add(Path(os.fsdecode(args[0])))


_hook_installed = False


@contextmanager
def recording_reads(exclude: Iterable[Path] = ()) -> Iterator[set[Path]]:
    """Collect the files Python opens for reading in the block (regular files only, on the way out).

    Files of the Python installation, the project's packages, ``exclude`` (the staging
    folders) and ``/proc``, ``/sys``, ``/dev`` are left out: the fingerprints cover the first
    two, and the rest are not inputs.
    """
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # an audit hook stays for the life of the process
        _hook_installed = True
    reads: set[Path] = set()
    _READS.append(set())
    try:
        yield reads
    finally:
        seen = _READS.pop()
        note_reads(seen)  # an enclosing recording sees them too
        prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, "/proc", "/sys", "/dev"]
        skip = [Path(p).resolve() for p in prefixes] + [Path(p).resolve() for p in (*package_roots(), *exclude)]
        for path in seen:
            with suppress(OSError):
                full = path.resolve()
                if full.is_file() and not any(full.is_relative_to(root) for root in skip):
                    reads.add(full)


def note_reads(paths: Iterable[Path]) -> None:
    """Count ``paths`` as read in the innermost `recording_reads` block, if any (files a helper process read)."""
    if _READS:
        _READS[-1].update(Path(path) for path in paths)


MAX_DRAWINGS = 64
"""Drawn images kept for reuse, most recently used first (assumption: a study's scenarios × six drawings)."""
DRAWINGS_FOLDER = "drawings"
"""Sub-folder of the cache holding drawn images by the SHA-256 of what they draw."""


class DrawingStore:
    """Images kept by the SHA-256 of the data they draw, this code and this software (``drawings/<key>``).

    A drawing is a function of the data handed to it, the code and the software, so an image
    whose key is stored is reused byte for byte instead of being drawn again.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / DRAWINGS_FOLDER
        self._fingerprint: str | None = None

    def key(self, data: bytes) -> str:
        """The key of a drawing's serialised data under this code, software and environment."""
        if self._fingerprint is None:
            environment = json.dumps({name: os.environ.get(name) for name in ENVIRONMENT}, sort_keys=True)
            parts = (str(FORMAT), running_code(), software_fingerprint(), environment)
            self._fingerprint = sha256_bytes("\0".join(parts).encode())
        return sha256_bytes(self._fingerprint.encode() + data)

    def get(self, key: str) -> bytes | None:
        """The stored image of ``key`` (marked as recently used), or None, also when it is damaged."""
        path = self.root / key
        try:
            digest, _, data = path.read_bytes().partition(b"\n")
            os.utime(path)
        except OSError:
            return None
        return data if sha256_bytes(data).encode() == digest else None

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` as the image of ``key``, after a line with its SHA-256 (checked by `get`)."""
        write_atomically(self.root / key, sha256_bytes(data).encode() + b"\n" + data)

    def prune(self, keep: int = MAX_DRAWINGS) -> None:
        """Remove all but the ``keep`` most recently used images."""
        with suppress(OSError):
            images = [p for p in self.root.iterdir() if not p.name.startswith(".")]
            images.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in images[keep:]:
                old.unlink(missing_ok=True)


_DRAWINGS: list[DrawingStore] = []
"""The drawing store in use, innermost last (see `reusing_drawings`)."""


@contextmanager
def reusing_drawings(root: Path) -> Iterator[DrawingStore]:
    """Within the block, drawings whose data are unchanged are reused from ``root`` (`drawing_store`)."""
    store = DrawingStore(root)
    _DRAWINGS.append(store)
    try:
        yield store
    finally:
        _DRAWINGS.pop()
        store.prune()


def drawing_store() -> DrawingStore | None:
    """The drawing store of the enclosing `reusing_drawings` block, or None (then everything is drawn)."""
    return _DRAWINGS[-1] if _DRAWINGS else None
