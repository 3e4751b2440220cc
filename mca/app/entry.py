"""The ``mca`` executable: the CLI behind a guard that turns Ctrl-C into exit status 130 at any moment.

The guard is installed before anything heavy is imported, so an interrupt while the libraries
load, while a run cleans up or while output goes to a closed pipe ends quietly with the
conventional status instead of a traceback.
"""

from __future__ import annotations

import os
import sys

INTERRUPTED = 130
"""Exit status of a process ended by Ctrl-C (128 + SIGINT), as shells report it."""


def main() -> None:
    """Run the CLI; exit 130 on an interrupt, quietly on a closed output pipe."""
    try:
        from mca.app.cli import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted; earlier results are unchanged\n")
        sys.exit(INTERRUPTED)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush does not fail
        sys.exit(1)
