"""Read scenario YAML files and their ``extends`` chain, with the line of every key.

The app composes the validated `Scenario` from what this returns; this module only reads.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from mca.core.errors import UserError

KeyPath = tuple[str | int, ...]
"""A key's place in the YAML tree, e.g. ``("demand", "method")``."""


MAX_BYTES = 1 << 20
"""Largest scenario file read (1 MiB); real scenarios are a few kilobytes."""
MAX_NODES = 100_000
"""Most YAML nodes a scenario may hold with its aliases expanded (refuses alias bombs at once)."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists in a scenario."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate and non-scalar keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _key_lines(node: yaml.Node, prefix: KeyPath = ()) -> dict[KeyPath, int]:
    """Map each key path in a composed YAML tree to its 1-based line number."""
    lines: dict[KeyPath, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, key_node.value)
            lines[path] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, path))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, index)
            lines[path] = item.start_mark.line + 1
            lines.update(_key_lines(item, path))
    return lines


def _expanded_size(node: yaml.Node, path: Path, depth: int = 0, sizes: dict[int, int] | None = None) -> int:
    """The number of nodes under ``node`` with aliases expanded; a UserError past the limits."""
    sizes = {} if sizes is None else sizes
    if id(node) in sizes:
        if sizes[id(node)] < 0:
            raise UserError("an alias refers to a node that contains it", source=path, field=_line(node))
        return sizes[id(node)]
    if depth > MAX_DEPTH:
        raise UserError(f"nested deeper than {MAX_DEPTH} levels", source=path, field=_line(node))
    sizes[id(node)] = -1
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    size = 1 + sum(_expanded_size(child, path, depth + 1, sizes) for child in children)
    if size > MAX_NODES:
        raise UserError(f"more than {MAX_NODES:,} values once aliases are expanded", source=path, field=_line(node))
    sizes[id(node)] = size
    return size


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _non_finite(data: Any, where: KeyPath = ()) -> tuple[KeyPath, float] | None:
    """The first number in ``data`` that is infinite or NaN, with its key path."""
    if isinstance(data, float) and not math.isfinite(data):
        return where, data
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _non_finite(value, (*where, key))
        if found is not None:
            return found
    return None


def _read_text(path: Path) -> str:
    """The scenario file as text: UTF-8 (a BOM is allowed), below the size limit, no NUL bytes."""
    if not path.exists():
        raise UserError("scenario file does not exist", source=path)
    if path.is_dir():
        raise UserError("is a folder, not a scenario file", source=path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read the scenario file: {exc.strerror}", source=path) from None
    if len(raw) > MAX_BYTES:
        raise UserError(f"scenario file is larger than {MAX_BYTES >> 20} MiB", source=path)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError("scenario file is UTF-16 encoded; save it as UTF-8", source=path)
    if b"\x00" in raw:
        raise UserError("not a text file (it holds NUL bytes)", source=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text (byte {raw[exc.start]:#04x} at position {exc.start})", source=path) from None
    if not text.strip():
        raise UserError("scenario file is empty", source=path)
    return text


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    """A scenario file's mapping and the line of every key, within the size and depth limits."""
    loader = _LineLoader(_read_text(path))
    try:
        node = loader.get_single_node()
        if node is not None:
            _expanded_size(node, path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else None
        raise UserError(f"invalid YAML: {exc.problem or exc}", source=path, field=where) from None
    except yaml.YAMLError as exc:
        raise UserError(f"invalid YAML: {exc}", source=path) from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        raise UserError("a scenario file must be a mapping of sections", source=path)
    lines = _key_lines(node)
    bad = _non_finite(data)
    if bad is not None:
        key_path, value = bad
        field = ".".join(map(str, key_path))
        line = next((lines[key_path[:n]] for n in range(len(key_path), 0, -1) if key_path[:n] in lines), None)
        field = f"{field} (line {line})" if line is not None else field
        raise UserError(f"{value} is not a finite number", source=path, field=field)
    return data, lines


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_scenario_chain(
    path: Path, chain: tuple[Path, ...] = ()
) -> tuple[dict, dict[KeyPath, tuple[Path, int]], list[Path]]:
    """Read a scenario and its ``extends`` chain; return data, key → (file, line), files."""
    path = path.resolve()
    if path in chain:
        raise UserError("extends forms a cycle", source=path, field="extends")
    data, lines = _read_yaml(path)
    origin = {key: (path, line) for key, line in lines.items()}
    parent = data.pop("extends", None)
    if parent is None:
        return data, origin, [path]
    if not isinstance(parent, str) or not parent.strip():
        raise UserError("extends must name a scenario file", source=path, field="extends")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise UserError(f"extended scenario '{parent}' does not exist", source=path, field="extends")
    base, base_origin, files = read_scenario_chain(parent_path, (*chain, path))
    return _deep_merge(base, data), {**base_origin, **origin}, [path, *files]
