"""The app's tests keep ``mca run``'s reuse cache (`mca.app.run_cache`) in temporary folders.

A session-wide folder serves the fixtures shared by a module; each test gets a fresh one of
its own, so that no test reuses another's run unless it asks to, and none touches the home folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mca.app.run_cache import CACHE_VARIABLE


@pytest.fixture(scope="session", autouse=True)
def session_run_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache folder of the session (module fixtures run with it); a test may switch back to it."""
    previous = os.environ.get(CACHE_VARIABLE)
    folder = tmp_path_factory.mktemp("run-cache-session")
    os.environ[CACHE_VARIABLE] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(CACHE_VARIABLE, None)
    else:
        os.environ[CACHE_VARIABLE] = previous


@pytest.fixture(autouse=True)
def run_cache_per_test(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path_factory.mktemp("run-cache")))
