#!/usr/bin/env python3
"""Bootstrap and run the project with nothing but Python 3.11 installed.

    python3 dev.py run [MCA-RUN-ARGS...]   # the main job on the bundled Heerlen data
    python3 dev.py test [PYTEST-ARGS...]   # the test suite
    python3 dev.py lint                    # import contracts, ruff, mypy (as in CI)
    python3 dev.py mca ARGS...             # any other `mca` command
    python3 dev.py bench                   # the benchmark scripts

The first call creates a virtual environment in `.venv/` and installs the package
with its test and lint extras; later calls reinstall only when `pyproject.toml` changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-pyproject-sha256"


def _python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment() -> None:
    """Create `.venv` and install the project into it when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by any python3
        sys.exit(f"dev.py: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if _python().exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    if not _python().exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing mca-sites and its dependencies into .venv", file=sys.stderr)
    pip = [str(_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test,lint]"], check=True)
    STAMP.write_text(digest)


LINTERS: tuple[tuple[str, ...], ...] = (
    ("lint-imports",),
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy",),
)
"""The checks `lint` runs, in order: import contracts first, they say the most about structure."""


def lint() -> int:
    """Run every linter; the exit status is the first failure's, 0 when all pass."""
    status = 0
    for command in LINTERS:
        print(f"dev.py lint: {' '.join(command)}", file=sys.stderr, flush=True)
        code = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT).returncode
        status = status or code
    return status


def main(argv: list[str]) -> int:
    """Dispatch ``run``, ``test``, ``lint``, ``mca`` or ``bench``."""
    if not argv or argv[0] not in {"run", "test", "lint", "mca", "bench"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "lint":
        return lint()
    if command == "run":
        args = [str(BIN / "mca"), "run", *rest]
    elif command == "mca":
        args = [str(BIN / "mca"), *rest]
    elif command == "test":
        args = [str(_python()), "-m", "pytest", *rest]
    else:
        args = [str(_python()), str(ROOT / "benchmarks" / "run_all.py"), *rest]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
