"""Locations of the bundled data and scenarios."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
HEERLEN_DIR = DATA_DIR / "heerlen"
SCENARIO_DIR = PROJECT_ROOT / "scenarios"


def resolve(path: Path, base_dir: Path | None) -> Path:
    """``path`` made absolute against ``base_dir`` when it is relative (unchanged without a ``base_dir``)."""
    if path.is_absolute() or base_dir is None:
        return path
    return (Path(base_dir) / path).resolve()
