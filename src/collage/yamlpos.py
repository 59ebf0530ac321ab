"""YAML to plain Python data, remembering the line of every key and value.

Validation reports `collage.yaml:42: messages[3].photo: …`, so every value needs its position. PyYAML
throws positions away once it builds objects, so we build them ourselves from its node tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """1-based lines of values (`value`) and of the keys that hold them (`key`), by field path."""

    value: dict[Path_, int] = field(default_factory=dict)
    key: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of `path`, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            sub = path[:end]
            if sub in self.key:
                return self.key[sub]
            if sub in self.value:
                return self.value[sub]
        return None


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def load(text: str, text_keys: frozenset[str]) -> tuple[Any, Positions]:
    """Parse one YAML document. Scalars under `text_keys` stay the text that was written, so a
    location `NO` stays "NO" (not False) and an id `0012` stays "0012" (not 12)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # str(exc) quotes the offending source line, which may be a private field: report the
        # problem and its position only.
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(
            f"YAML syntax error: {what}",
            None if mark is None else mark.line + 1,
            None if mark is None else mark.column + 1,
        ) from None
    except yaml.YAMLError as exc:  # e.g. a non-UTF-8 stream
        raise YamlSyntaxError(f"YAML error: {type(exc).__name__}", None, None) from None
    positions = Positions()
    try:
        data = _build(loader, node, (), None, positions, text_keys) if node is not None else None
    finally:
        loader.dispose()
    return data, positions


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    key: str | None,
    positions: Positions,
    text_keys: frozenset[str],
) -> Any:
    positions.value[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            k = loader.construct_object(key_node, deep=True)
            if not isinstance(k, str):
                k = str(k)
            if k in result:
                raise YamlSyntaxError(
                    f"duplicate key '{k}' in the same mapping", key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            positions.key[(*path, k)] = key_node.start_mark.line + 1
            result[k] = _build(loader, value_node, (*path, k), k, positions, text_keys)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), key, positions, text_keys) for i, item in enumerate(node.value)
        ]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if key in text_keys and isinstance(node, yaml.ScalarNode) and node.style is None:
        return node.value
    return loader.construct_object(node, deep=True)
