"""Safe output: written to a temporary sibling and moved into place only when complete.

A failed run thus leaves nothing half-written, and nothing is overwritten silently.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from mca.core.errors import UserError


def output_targets(out_dir: Path, names: list[str]) -> list[Path]:
    """The output folder of each scenario under ``out_dir``; two scenarios may not share one."""
    targets = [Path(out_dir) / name for name in names]
    if len(set(targets)) != len(targets):
        raise UserError(f"two scenarios share a name: {', '.join(names)}", field="name")
    return targets


@contextmanager
def staged_output(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target``, on failure it is removed.

    An existing ``target`` is only replaced when ``force`` is true; the check is made before
    any work starts, so a refused run costs nothing and leaves nothing behind.
    """
    target = Path(target)
    if target.exists() and not force:
        raise UserError("output folder exists; use --force to replace it", source=target)
    if target.exists() and not target.is_dir():
        raise UserError("output path exists and is not a folder", source=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        target.rename(backup)
    staging.rename(target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def staged_outputs(targets: list[Path], *, force: bool) -> Iterator[list[Path]]:
    """Temporary folders for all targets, moved into place together only when all succeed."""
    with ExitStack() as stack:
        yield [stack.enter_context(staged_output(t, force=force)) for t in targets]


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
    finally:
        tmp.unlink(missing_ok=True)
