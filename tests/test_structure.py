"""The structure rules of docs/architecture.md that no linter checks: short functions."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mca", "criteria", "candidates", "solvers", "demand")
MAX_FUNCTION_LINES = 60
"""Longest function body allowed, in lines from ``def`` to its last line (docstring included)."""

DECLARATIVE_TABLES: frozenset[str] = frozenset({"mca/scoring/settings.py:default_weight_sets"})
"""Functions allowed to be longer because they only list data (``path:function``)."""


def long_functions(root: Path = ROOT) -> list[str]:
    """``path:function (N lines)`` for every function of the packages longer than the limit."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    name = f"{path.relative_to(root)}:{node.name}"
                    if length > MAX_FUNCTION_LINES and name not in DECLARATIVE_TABLES:
                        found.append(f"{name} ({length} lines)")
    return found


def test_no_function_is_longer_than_the_limit() -> None:
    assert long_functions() == []


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "mca").mkdir()
    (tmp_path / "mca" / "long.py").write_text(f"def too_long():\n{body}\n", encoding="utf-8")
    assert long_functions(tmp_path) == [f"mca/long.py:too_long ({MAX_FUNCTION_LINES + 1} lines)"]
