"""Reuse of the stages a weight change leaves as they were: the inputs read, the candidates, the criteria evaluation.

What a workshop changes most (the weights, the aggregation method, the allocation's settings)
reaches only the scores, the ranking, SMAA, the allocation and the outputs. Reading the files,
building the candidate sites and evaluating the criteria (`mca.app.pipeline.evaluated`) depend on
the rest of the scenario, the files read, the code and the software, so `StageCache` keeps their
result (`Evaluated`, pickled) under ``stages/`` in the run cache folder
(`mca.app.run_cache.cache_dir`), by the SHA-256 of:

- every section of the scenario but `WEIGHT_SIDE` (name, description, demand, scoring,
  allocation, outputs), and the scenario's folder if a string in them names something in it
  (relative paths resolve against it; a variant in another folder naming none reuses the stages);
- the code, the software and the environment, as `mca.app.run_cache` fingerprints them;

and before every reuse checks, as the run cache does, every file the stages read (the input
edge's list, the reads Python saw, the files beside each input) by SHA-256 and modification
time, and the stored bytes by their SHA-256. Anything different is a miss and the stages run.
The newest `MAX_STAGES` are kept. A pickle is only read back from this user's own cache folder,
written by this code (the same trust as the files the run cache copies back).
"""

from __future__ import annotations

import json
import os
import pickle
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mca.app.run_cache import (
    cache_dir,
    dependencies_unchanged,
    dependency_record,
    fingerprint_key,
    note_reads,
    sha256_bytes,
    write_atomically,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from criteria import Evaluation
    from mca.app.scenario import LoadedScenario
    from mca.inputs import InputData

WEIGHT_SIDE = ("name", "description", "demand", "scoring", "allocation", "outputs")
"""Scenario sections the inputs, candidates and criteria evaluation do not read."""
MAX_STAGES = 8
"""Stored evaluations kept, most recently used first (assumption: a study's few input variants; ~1.5 MB each)."""
FOLDER = "stages"
"""Sub-folder of the run cache holding the stored evaluations."""


@dataclass(frozen=True)
class Evaluated:
    """The weight-independent part of a run: what the files hold, the candidate sites, their criteria evaluation."""

    data: InputData
    sites: gpd.GeoDataFrame
    evaluation: Evaluation


def stage_key(loaded: LoadedScenario) -> str:
    """The key of the stages of ``loaded`` (the sections they read, code, software, environment).

    The scenario's folder counts too when the sections name something in it (a relative path).
    """
    sections = loaded.scenario.model_dump(mode="json", exclude=set(WEIGHT_SIDE))
    base = Path(loaded.base_dir).resolve()
    return fingerprint_key({"stages": sections, "base_dir": str(base) if _names_a_file_in(sections, base) else None})


def _names_a_file_in(value: Any, folder: Path) -> bool:
    """Whether a string in ``value`` (nested dicts and lists) is a relative path of something in ``folder``."""
    if isinstance(value, str):
        return bool(value) and not Path(value).is_absolute() and (folder / value).exists()
    if isinstance(value, dict):
        return any(_names_a_file_in(item, folder) for item in value.values())
    if isinstance(value, list):
        return any(_names_a_file_in(item, folder) for item in value)
    return False


class StageCache:
    """Stored `Evaluated` under ``root/stages``: a JSON line (dependencies, SHA-256 of the pickle), then the pickle."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (Path(root) if root is not None else cache_dir()) / FOLDER

    def find(self, loaded: LoadedScenario) -> Evaluated | None:
        """The stored stages of ``loaded`` if every file they read is unchanged, else None."""
        path = self.root / stage_key(loaded)
        try:
            header, _, payload = path.read_bytes().partition(b"\n")
            entry = json.loads(header)
        except (OSError, ValueError):
            return None
        if sha256_bytes(payload) != entry.get("sha256") or not dependencies_unchanged(entry):
            return None
        with suppress(OSError):
            os.utime(path)
        note_reads(Path(state["path"]) for state in entry["dependencies"])
        value = pickle.loads(payload)
        return value if isinstance(value, Evaluated) else None

    def store(self, loaded: LoadedScenario, value: Evaluated, reads: set[Path]) -> None:
        """Keep ``value`` for the next run whose stages read the same (a failure to write is no error)."""
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        entry: dict[str, Any] = {"sha256": sha256_bytes(payload), **dependency_record(value.data.files, reads)}
        with suppress(OSError):
            write_atomically(self.root / stage_key(loaded), json.dumps(entry).encode() + b"\n" + payload)
            self.prune()

    def prune(self, keep: int = MAX_STAGES) -> None:
        """Remove all but the ``keep`` most recently used entries."""
        entries = [p for p in self.root.iterdir() if not p.name.startswith(".")]
        entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
