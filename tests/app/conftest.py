"""The app's tests keep ``mca run``'s reuse cache (`mca.app.run_cache`) in temporary folders.

A session-wide folder serves the fixtures shared by a module; each test gets a fresh one of
its own, so that no test reuses another's run unless it asks to, and none touches the home folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mca.app.run_cache import CACHE_VARIABLE
from mca.core.paths import HEERLEN_DIR, SCENARIO_DIR


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


def study_scenario(folder: Path, name: str, own: tuple[str, str] | None = None) -> Path:
    """``folder/<name>.yaml``: the base case without SMAA (a run of a few seconds).

    ``own`` = (scenario key, bundled file): the scenario reads its own copy of that Heerlen file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    line = ""
    if own is not None:
        key, bundled = own
        shutil.copy(HEERLEN_DIR / bundled, folder / bundled)
        line = f"{key}: {bundled}\n"
    scenario = folder / f"{name}.yaml"
    scenario.write_text(
        f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: {name}\n{line}outputs:\n  robustness: false\n",
        encoding="utf-8",
    )
    return scenario


@pytest.fixture
def make_study() -> Callable[..., Path]:
    """The builder of a quick scenario: ``make_study(folder, name, own=(key, bundled file))``."""
    return study_scenario


@pytest.fixture(scope="module")
def quick_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base case without SMAA, so that a run takes a few seconds."""
    return study_scenario(tmp_path_factory.mktemp("scenario"), "quick")
