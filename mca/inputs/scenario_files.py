"""Read scenario YAML files and their ``extends`` chain, with the line of every key.

The app composes the validated `Scenario` from what this returns; this module only reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mca.core.errors import UserError

KeyPath = tuple[str | int, ...]
"""A key's place in the YAML tree, e.g. ``("demand", "method")``."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
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


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    if not path.exists():
        raise UserError("scenario file does not exist", source=path)
    if path.is_dir():
        raise UserError("is a folder, not a scenario file", source=path)
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise UserError("scenario file is empty", source=path)
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
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
    return data, _key_lines(node)


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
