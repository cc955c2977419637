"""Configuration files (the YAML mappings under ontology/), checked when they are read.

A mistake in a configuration file is reported like a mistake in the data: the file, the line
and column, the key (as a dotted path such as event.columns.fatalities.type) and what to do,
instead of a KeyError deep in the code. The file is read with kg.build.yamlfile, which keeps the
position of every key and value.

    config = read_config(path)
    config.check_keys({"prefixes", "event"})          # an unknown key: did you mean ...?
    event = config.section("event")                  # a required mapping
    template = event.text("iri")                     # a required text
    label = event.optional_text("label")             # text or None
    prefixes = Prefixes.from_config(config.section("prefixes"))
    predicate = prefixes.expand(event, "predicate")   # a CURIE with a known prefix
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataErrors, SourceLocation, ToolError, did_you_mean, relative
from kg.build.yamlfile import Entry, Node, read_yaml


class ConfigError(ToolError):
    """A mistake in a configuration file, with where it is and what to do about it."""

    def __init__(self, location: SourceLocation, key: str | None, message: str, hint: str | None = None):
        self.location, self.key, self.message, self.hint = location, key, message, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{self.location}: {key}{self.message}.{hint}"


_KINDS = {"mapping": "a mapping (key: value lines)", "list": "a list ([a, b] or '- ' lines)", "scalar": "a single value"}


@dataclass(frozen=True)
class ConfigMap:
    """A mapping of a configuration file, with its position and its key path for messages."""

    entries: dict[str, Entry]
    location: SourceLocation  # of the key that holds this mapping (of the file's start, at the top)
    path: str = ""

    # -- where ---------------------------------------------------------------------------------

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def location_of(self, key: str) -> SourceLocation:
        """The position of the key's value, or of this mapping when the key is absent."""
        entry = self.entries.get(key)
        return entry.value.location if entry is not None else self.location

    def error(self, key: str | None, message: str, hint: str | None = None) -> ConfigError:
        """An error located at the key's value (or at this mapping, for key None)."""
        if key is None:
            return ConfigError(self.location, self.path or None, message, hint)
        return ConfigError(self.location_of(key), self.key_path(key), message, hint)

    # -- keys ----------------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return list(self.entries)

    def has(self, key: str) -> bool:
        return key in self.entries

    def check_keys(self, allowed: Collection[str]) -> None:
        """Every key must be one of allowed; the first unknown one is reported at its line."""
        for key, entry in self.entries.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f"The keys here are: {', '.join(sorted(allowed))}."
                raise ConfigError(entry.key_location, self.key_path(key), "unknown key", hint)

    # -- values --------------------------------------------------------------------------------

    def node(self, key: str, kind: str) -> Node:
        """The value of a required key, which must be of the given kind (mapping, list, scalar)."""
        entry = self.entries.get(key)
        if entry is None:
            raise self.error(None, f"the key '{key}' is missing", f"Add '{key}:' with {_KINDS[kind]}.")
        return _of_kind(entry.value, kind, self.key_path(key))

    def text(self, key: str) -> str:
        """A required single value, as written (a number or a word stays as its text)."""
        return _text(self.node(key, "scalar"), self.key_path(key))

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self.entries else None

    def flag(self, key: str, default: bool = False) -> bool:
        if key not in self.entries:
            return default
        node = self.node(key, "scalar")
        if not isinstance(node.value, bool):
            raise ConfigError(node.location, self.key_path(key), f"'{node.text}' is not true or false", "Write true or false.")
        return node.value

    def choice(self, key: str, choices: Collection[str]) -> str:
        """A required value that must be one of choices."""
        value = self.text(key)
        if value not in choices:
            hint = did_you_mean(value, choices) or f"Choose one of: {', '.join(sorted(choices))}."
            raise self.error(key, f"unknown value '{value}'", hint)
        return value

    def texts(self, key: str) -> list[str]:
        """A list of single values (empty when the key is absent)."""
        if key not in self.entries:
            return []
        items = self.node(key, "list").value
        assert isinstance(items, list)
        return [_text(_of_kind(item, "scalar", self.key_path(key)), self.key_path(key)) for item in items]

    def text_map(self, key: str) -> dict[str, str]:
        """A mapping of words to single values (empty when the key is absent)."""
        if key not in self.entries:
            return {}
        section = self.section(key)
        return {name: section.text(name) for name in section.keys()}

    def section(self, key: str) -> ConfigMap:
        """A required mapping."""
        node = self.node(key, "mapping")
        assert isinstance(node.value, dict)
        return ConfigMap(node.value, self.entries[key].key_location, self.key_path(key))

    def sections(self, key: str) -> list[ConfigMap]:
        """A required list of mappings."""
        items = self.node(key, "list").value
        assert isinstance(items, list)
        found = []
        for position, item in enumerate(items):
            path = f"{self.key_path(key)}[{position + 1}]"
            node = _of_kind(item, "mapping", path)
            assert isinstance(node.value, dict)
            found.append(ConfigMap(node.value, node.location, path))
        return found

    def children(self) -> Iterator[tuple[str, ConfigMap]]:
        """Each key of this mapping whose value is itself a mapping (any other value is an error)."""
        for key in self.entries:
            yield key, self.section(key)


def _of_kind(node: Node, kind: str, path: str) -> Node:
    if node.value is None:
        raise ConfigError(node.location, path, "the key has no value", f"Give it {_KINDS[kind]}.")
    if node.kind != kind:
        raise ConfigError(node.location, path, f"this is {_KINDS[node.kind]}, not {_KINDS[kind]}", f"Write {_KINDS[kind]} here.")
    return node


def _text(node: Node, path: str) -> str:
    return node.text if node.text is not None else str(node.value)


def read_config(path: Path) -> ConfigMap:
    """The top mapping of a configuration file. Raises ConfigError for a file that cannot be
    read, is not YAML, repeats a key or is not a mapping."""
    shown = relative(path)
    try:
        root, problems = read_yaml(path, shown)
    except OSError as exc:
        raise ToolError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except DataErrors as exc:
        problems = list(exc.errors)
        root = None
    if problems:
        first = problems[0]
        raise ConfigError(first.location or SourceLocation(shown, 1), first.field, first.message, first.hint)
    assert root is not None
    if root.kind != "mapping":
        raise ConfigError(root.location, None, "the file must be a mapping of keys (prefixes:, ...)", "Check the file's first lines.")
    assert isinstance(root.value, dict)
    return ConfigMap(root.value, SourceLocation(shown, 1, 1))


@dataclass(frozen=True)
class Prefixes:
    """The prefixes of a configuration file, for writing IRIs as CURIEs (bk:Actor)."""

    namespaces: dict[str, str]

    @classmethod
    def from_config(cls, section: ConfigMap) -> Prefixes:
        return cls({prefix: section.text(prefix) for prefix in section.keys()})

    def expand(self, config: ConfigMap, key: str) -> str:
        """The CURIE at config[key] as a full IRI."""
        return self.resolve(config.text(key), config, key)

    def resolve(self, curie: str, config: ConfigMap, key: str) -> str:
        """A CURIE written at config[key] (the whole value or a part of it) as a full IRI."""
        prefix, colon, local = curie.partition(":")
        if not colon or prefix not in self.namespaces:
            known = ", ".join(f"{p}:" for p in sorted(self.namespaces))
            hint = did_you_mean(prefix, self.namespaces) if colon else None
            raise config.error(key, f"'{curie}' does not start with a known prefix", hint or f"Use one of {known} (see prefixes:).")
        return self.namespaces[prefix] + local

    def shorten(self, iri: str) -> str:
        """An IRI as a CURIE where one of the prefixes fits (as it is otherwise)."""
        for prefix, namespace in sorted(self.namespaces.items(), key=lambda item: -len(item[1])):
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri
