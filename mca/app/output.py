"""Safe output: written to a temporary sibling and moved into place only when complete.

A failed, interrupted or killed run leaves nothing half-written and never loses earlier
results: a run holds a lock file in the output folder (a second run into the same folder stops
with a message naming the first), writes each scenario into a hidden staging folder, and only
at the end swaps the staging folders for the targets. Staging folders left by a killed run are
removed by the next run into that folder. The run's temporary files (the solver's model and
solution files) live inside the staging area, so they go with it.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from mca.core.errors import UserError

LOCK_NAME = ".mca-run.lock"
"""The lock file a run holds in its output folder (it names the process and start time)."""
SCRATCH_VARIABLES: tuple[str, ...] = ("TMPDIR", "TMP")
"""Environment variables that name the temporary folder (PuLP reads them)."""
LEFTOVER_MARKS: tuple[str, ...] = (".partial-", ".old-")
"""Hidden staging (``.NAME.partial-…``) and backup (``.NAME.old-…``) folders of a run."""


def output_targets(out_dir: Path, names: list[str]) -> list[Path]:
    """The output folder of each scenario under ``out_dir``; two scenarios may not share one."""
    targets = [Path(out_dir) / name for name in names]
    if len(set(targets)) != len(targets):
        raise UserError(f"two scenarios share a name: {', '.join(names)}", field="name")
    for target in targets:
        if target.resolve().parent != Path(out_dir).resolve():
            raise UserError("scenario name would leave the output folder", source=target, field="name")
    return targets


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(lock: Path) -> tuple[int, str] | None:
    """The process id and start time written in a lock file, or None when unreadable."""
    try:
        pid_text, started = lock.read_text(encoding="utf-8").split("\n", 1)
        return int(pid_text), started.strip()
    except (OSError, ValueError):
        return None


def _prepare_folder(out_dir: Path) -> bool:
    """Create ``out_dir`` if needed (True when created); a one-line error if it cannot be used."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError("the output path is a file, not a folder", source=out_dir, field="--out")
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder: {exc.strerror}", source=out_dir, field="--out") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise UserError("the output folder is not writable", source=out_dir, field="--out")
    return created


@contextmanager
def run_lock(out_dir: Path) -> Iterator[list[Path]]:
    """Hold the output folder's lock; yield the stale staging folders removed on the way in.

    A lock of a process that no longer runs is taken over. On the way out the lock is removed,
    and so is the output folder if this run created it and leaves it empty.
    """
    out_dir = Path(out_dir)
    created = _prepare_folder(out_dir)
    lock = out_dir / LOCK_NAME
    for _attempt in range(2):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None and _pid_alive(holder[0]) and holder[0] != os.getpid():
                raise UserError(
                    f"another mca run (process {holder[0]}, started {holder[1]}) is writing into this folder; "
                    "wait for it to finish or choose another --out",
                    source=out_dir,
                    field="--out",
                ) from None
            lock.unlink(missing_ok=True)  # left by a run that was killed
    else:
        raise UserError("cannot take the output folder's lock", source=lock, field="--out")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n{datetime.now(UTC).isoformat(timespec='seconds')}\n")
    try:
        yield _remove_leftovers(out_dir)
    finally:
        lock.unlink(missing_ok=True)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()


def _remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the hidden staging and backup folders of killed runs (the lock says none runs)."""
    leftovers = sorted(
        entry
        for entry in out_dir.iterdir()
        if entry.name.startswith(".") and entry.is_dir() and any(mark in entry.name for mark in LEFTOVER_MARKS)
    )
    for entry in leftovers:
        shutil.rmtree(entry, ignore_errors=True)
    return leftovers


def _writing_error(exc: OSError, target: Path) -> UserError:
    """A one-line error for a failure to write (no space, no permission, …)."""
    reason = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return UserError(
        f"cannot write the outputs ({reason}); earlier results are unchanged", source=exc.filename or target
    )


@contextmanager
def staged_output(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target``, on failure it is removed.

    The caller holds the output folder's `run_lock`. An existing ``target`` is only replaced
    when ``force`` is true; the check is made before any work starts, so a refused run costs
    nothing and leaves nothing behind.
    """
    target = Path(target)
    if target.exists() and not force:
        raise UserError("output folder exists; use --force to replace it", source=target)
    if target.exists() and not target.is_dir():
        raise UserError("output path exists and is not a folder", source=target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield staging
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _writing_error(exc, target) from None
    except Exception as exc:
        full = _disk_full(staging, exc)
        shutil.rmtree(staging, ignore_errors=True)
        if full:  # a library (GDAL, SQLite) reports a full disk in its own exception type
            raise _writing_error(OSError(errno.ENOSPC, "no space left", str(target)), target) from None
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish(staging, target)


FULL_DISK_MESSAGES = ("no space left", "disk is full", "disk full")
"""How libraries that wrap their own I/O (GDAL, SQLite, zip) say that the disk is full."""
NEARLY_FULL_BYTES = 1024 * 1024
"""Free space below which a library's failure to write is taken for a full disk (assumption: a run writes
several MB, and a library such as GDAL may say only "Failed to commit transaction", then free what it wrote)."""


def _disk_full(folder: Path, exc: Exception) -> bool:
    """Whether ``exc``, raised while writing into ``folder``, comes from a full disk."""
    if isinstance(exc, UserError):
        return False
    text = str(exc).lower()
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    return any(message in text for message in FULL_DISK_MESSAGES) or (free is not None and free < NEARLY_FULL_BYTES)


def _publish(staging: Path, target: Path) -> None:
    """Swap ``staging`` in for ``target`` (kept as a backup until the swap is done)."""
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700 folders; outputs are shared like any other
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        target.rename(backup)
    staging.rename(target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def scratch_space(staging: Path) -> Iterator[Path]:
    """Point the process's temporary files into ``staging/.tmp`` for a while.

    Both Python's ``tempfile`` and the ``TMPDIR``/``TMP`` variables (which PuLP reads for the
    solver's model and solution files) point there; the folder is removed on the way out,
    before the staging folder is published, and with it on an interrupt.
    """
    scratch = staging / ".tmp"
    scratch.mkdir()
    previous = tempfile.tempdir, {name: os.environ.get(name) for name in SCRATCH_VARIABLES}
    tempfile.tempdir = str(scratch)
    os.environ.update(dict.fromkeys(SCRATCH_VARIABLES, str(scratch)))
    try:
        yield scratch
    finally:
        tempfile.tempdir = previous[0]
        for name, value in previous[1].items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def staged_outputs(targets: list[Path], *, force: bool) -> Iterator[list[Path]]:
    """Temporary folders for all targets, moved into place together only when all succeed.

    All targets share one output folder, whose lock is held throughout; the run's temporary
    files go into the first staging folder's scratch space.
    """
    folders = {Path(t).parent for t in targets}
    if len(folders) != 1:
        raise UserError("outputs of one run must share one output folder", field="--out")
    with run_lock(folders.pop()), ExitStack() as stack:
        staging = [stack.enter_context(staged_output(t, force=force)) for t in targets]
        with scratch_space(staging[0]):
            yield staging


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; it replaces ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".partial-{path.name}")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise _writing_error(exc, path) from None
    finally:
        tmp.unlink(missing_ok=True)
