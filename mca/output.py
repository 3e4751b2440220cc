"""Safe output folders: written to a temporary sibling, moved into place only when complete."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mca.errors import UserError


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
