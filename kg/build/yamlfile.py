"""Read YAML record files into values that remember their line and column.

PyYAML's composer gives every node a position; we resolve scalars ourselves with the
YAML 1.2 core rules, so that dates stay text (we check them with our own messages) and
words like ``no`` or ``on`` stay words instead of turning into booleans. Every scalar keeps
its text as written, so that an id such as 007 stays 007.
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
# libyaml's parser (C) when PyYAML was built with it: ten times faster on the records; the
# nodes, their positions and values are the same as the pure-Python parser's
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(frozen=True)
class Node:
    """A YAML value with its position. Mappings hold dict[str, Entry], sequences list[Node];
    a scalar also keeps the text it was written as."""

    value: "Scalar | dict[str, Entry] | list[Node]"
    location: SourceLocation
    text: str | None = None

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


def read_yaml(path: Path, shown_as: str) -> tuple[Node, list[DataError]]:
    """Parse one YAML file into a Node, with the problems found on the way (duplicate keys).
    Raises DataErrors when the file cannot be read at all (encoding, YAML syntax)."""
    text = _decode(path.read_bytes(), shown_as)
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        root = _compose_for_the_message(text, shown_as)
    if root is None:
        return Node(None, SourceLocation(shown_as, 1, 1)), []
    problems: list[DataError] = []
    return _convert(root, shown_as, problems), problems


def _compose_for_the_message(text: str, shown_as: str) -> yaml.Node | None:
    """Parse again with PyYAML's own parser, whose messages quote the line and point at the
    column (libyaml's say less); raises its error as DataErrors."""
    try:
        root: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise DataErrors([_syntax_error(exc, shown_as)]) from None
    except yaml.YAMLError as exc:
        raise DataErrors([DataError(SourceLocation(shown_as, 1), f"this is not valid YAML: {exc}")]) from None
    return root


def _decode(raw: bytes, shown_as: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise DataErrors(
            [DataError(SourceLocation(shown_as, 1, 1), "the file is UTF-16, not UTF-8", hint="Save the file as UTF-8.")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise DataErrors(
            [
                DataError(
                    SourceLocation(shown_as, line, column),
                    f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}; perhaps it was saved as Latin-1 or Windows-1252)",
                    hint="Save the file as UTF-8.",
                )
            ]
        ) from None


def _syntax_error(exc: yaml.MarkedYAMLError, shown_as: str) -> DataError:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark
    hint = "Fix the YAML syntax here."
    if "'\\t'" in problem:
        message, hint = "a tab character is used for indentation, and YAML allows only spaces", "Replace the tabs with spaces."
    elif "mapping values are not allowed" in problem:
        message = "a ':' is not allowed here"
        hint = "Check the indentation of this line against the one above, and put text that holds ': ' in quotes."
    elif context.startswith("while parsing a flow") and exc.context_mark is not None:
        opener = "[" if "sequence" in context else "{"
        closer = "]" if opener == "[" else "}"
        mark = exc.context_mark
        message = f"the '{opener}' opened here is not closed ({problem})"
        hint = f"Close it with '{closer}', and separate its items with commas."
    else:
        message = " ".join(part for part in (context, problem) if part)
    location = SourceLocation(shown_as, mark.line + 1, mark.column + 1) if mark else SourceLocation(shown_as, 1)
    return DataError(location, f"this is not valid YAML: {message}", hint=hint)


def _location(node: yaml.Node, file: str) -> SourceLocation:
    return SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, file: str, problems: list[DataError]) -> Node:
    location = _location(node, file)
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            key_location = _location(key_node, file)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(DataError(key_location, "a key must be a plain word", hint="Use a field name as key."))
                continue
            key = str(key_node.value)
            if key in entries:
                first = entries[key].key_location
                problems.append(
                    DataError(
                        key_location,
                        f"the key '{key}' appears twice in the same mapping (first at line {first.line}); the first is kept",
                        field=key,
                        hint="Keep one of them.",
                    )
                )
                continue
            entries[key] = Entry(key_location, _convert(value_node, file, problems))
        return Node(entries, location)
    if isinstance(node, yaml.ScalarNode):
        return Node(_scalar(node), location, node.value)
    return Node([_convert(item, file, problems) for item in node.value], location)  # a yaml.SequenceNode


def _scalar(node: yaml.ScalarNode) -> Scalar:
    text: str = node.value
    if node.style:  # quoted or block scalars are always text (plain: None, or "" from libyaml)
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
