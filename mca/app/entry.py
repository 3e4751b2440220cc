"""The ``mca`` executable: the CLI behind a guard that turns Ctrl-C into exit status 130 at any moment.

The guard is installed before anything heavy is imported, so an interrupt while the libraries
load, while a run cleans up or while output goes to a closed pipe ends quietly with the
conventional status instead of a traceback.
"""

from __future__ import annotations

import gc
import os
import sys

INTERRUPTED = 130
"""Exit status of a process ended by Ctrl-C (128 + SIGINT), as shells report it."""


def main() -> None:
    """Run the CLI; exit 130 on an interrupt, quietly on a closed output pipe."""
    try:
        from mca.app.cli import app

        app()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush does not fail
        sys.exit(1)
    except BaseException as exc:
        if not interrupted(exc):
            raise
        sys.stderr.write("\ninterrupted; earlier results are unchanged\n")
        sys.exit(INTERRUPTED)
    finally:
        # the interpreter's last garbage collection walks every object still alive (about 0.08 s with the
        # data libraries imported); frozen, they are skipped, and their memory goes with the process
        gc.freeze()


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C, or an error raised while a Ctrl-C was being handled.

    A library cleaning up after an interrupt (a workbook writer closing a half-written file,
    say) may raise its own error, which Python chains to the interrupt as its context.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
