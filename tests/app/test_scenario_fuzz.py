"""Fuzzing the scenario loader: any file built from the real schema's keys loads or gives a UserError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mca.app.scenario import load_scenario
from mca.core.errors import UserError
from mca.core.paths import SCENARIO_DIR


def _key_paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of the resolved base scenario, e.g. ``("demand", "method")``."""
    paths = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            paths += _key_paths(value, (*prefix, str(key)))
    return paths


BASE = load_scenario(SCENARIO_DIR / "heerlen_base.yaml").scenario.model_dump(mode="json")
KEY_PATHS = _key_paths(BASE)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["method2", "wlo_hoog", "cbc", "highs", "strict", "wsm", "electre", "*", "..", "production"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8,
)


def _nest(assignments: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """A nested mapping with each value set at its key path (later paths win on conflicts)."""
    root: dict[str, Any] = {}
    for path, value in assignments:
        node = root
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    return root


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    assignments=st.lists(st.tuples(st.sampled_from(KEY_PATHS), values), min_size=1, max_size=6),
    extend=st.booleans(),
)
def test_loading_succeeds_or_raises_a_user_error(assignments: list[tuple[tuple[str, ...], Any]], extend: bool) -> None:
    data = _nest(assignments)
    if extend:
        data["extends"] = str(SCENARIO_DIR / "heerlen_base.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        error = None
        try:
            load_scenario(path)
        except UserError as caught:
            error = caught
    assert error is None or error.source, "a user error names its file"
