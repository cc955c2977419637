"""Read YAML record files into values that remember their line and column.

PyYAML's composer gives every node a position; we resolve scalars ourselves with the
YAML 1.2 core rules, so that dates stay text (we check them with our own messages) and
words like ``no`` or ``on`` stay words instead of turning into booleans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

from kg.errors import DataError, DataErrors, SourceLocation

Scalar = Union[str, int, float, bool, None]

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(frozen=True)
class Node:
    """A YAML value with its position. Mappings hold dict[str, Entry], sequences list[Node]."""

    value: "Scalar | dict[str, Entry] | list[Node]"
    location: SourceLocation

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        return "scalar"


@dataclass(frozen=True)
class Entry:
    """A key of a mapping (with the key's position) and its value."""

    key_location: SourceLocation
    value: Node


def read_yaml(path: Path, shown_as: str) -> Node:
    """Parse one YAML file. Raises DataErrors naming the file, line and column on failure."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataErrors(
            [
                DataError(
                    SourceLocation(shown_as, line, column),
                    f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    hint="Save the file as UTF-8.",
                )
            ]
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = SourceLocation(shown_as, mark.line + 1, mark.column + 1) if mark else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise DataErrors(
            [DataError(location, f"this is not valid YAML: {problem}", hint="Fix the YAML syntax here.")]
        ) from None
    except yaml.YAMLError as exc:
        raise DataErrors([DataError(SourceLocation(shown_as, 1), f"this is not valid YAML: {exc}")]) from None
    if root is None:
        return Node(None, SourceLocation(shown_as, 1, 1))
    errors: list[DataError] = []
    node = _convert(root, shown_as, errors)
    if errors:
        raise DataErrors(errors)
    return node


def _location(node: yaml.Node, file: str) -> SourceLocation:
    return SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, file: str, errors: list[DataError]) -> Node:
    location = _location(node, file)
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            key_location = _location(key_node, file)
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(DataError(key_location, "a key must be a plain word", hint="Use a field name as key."))
                continue
            key = str(key_node.value)
            if key in entries:
                first = entries[key].key_location
                errors.append(
                    DataError(
                        key_location,
                        f"the key '{key}' appears twice in the same mapping (first at line {first.line})",
                        field=key,
                        hint="Keep one of them.",
                    )
                )
                continue
            entries[key] = Entry(key_location, _convert(value_node, file, errors))
        return Node(entries, location)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, file, errors) for item in node.value], location)
    return Node(_scalar(node), location)


def _scalar(node: yaml.ScalarNode) -> Scalar:
    text = node.value
    if node.style is not None:  # quoted or block scalars are always text
        return text
    if text in _NULL:
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text
