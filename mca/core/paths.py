"""Locations of the bundled data and scenarios."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
HEERLEN_DIR = DATA_DIR / "heerlen"
SCENARIO_DIR = PROJECT_ROOT / "scenarios"
