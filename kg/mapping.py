"""The record mapping (ontology/mapping.yaml): which record kinds exist, their fields, and
how each field becomes RDF. The builder has no per-field code; it follows this data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import URIRef

from kg.errors import ToolError

VALUE_TYPES = ("text", "date", "day", "count", "decimal", "ref", "concept", "nested", "scheme", "broader")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    predicate: URIRef
    value_type: str
    target: str | None  # the kind of a ref or nested field, the scheme IRI of a concept field
    many: bool
    required: bool
    aliases: tuple[str, ...]  # names people may try for this field; suggested in errors


@dataclass(frozen=True)
class KindSpec:
    name: str
    section: str | None
    iri_template: str
    class_field: str | None
    classes: dict[str, URIRef]
    class_scheme: str | None  # the class field names a concept of this scheme; its bk:kindClass is the class
    kind_predicate: URIRef | None  # where the kind concept itself is written
    fixed_class: URIRef | None
    notation_predicate: URIRef | None  # where the record id is written as a literal (a concept's notation)
    fields: dict[str, FieldSpec]
    nested_in: str | None

    @property
    def field_names(self) -> tuple[str, ...]:
        names = ["id"] if self.nested_in is None else []
        if self.class_field:
            names.append(self.class_field)
        return tuple(names) + tuple(self.fields)


@dataclass(frozen=True)
class Mapping:
    prefixes: dict[str, str]
    id_pattern: re.Pattern[str]
    kinds: dict[str, KindSpec]

    @property
    def sections(self) -> dict[str, KindSpec]:
        return {kind.section: kind for kind in self.kinds.values() if kind.section}

    def expand(self, curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        if prefix not in self.prefixes:
            raise ToolError(f"mapping: unknown prefix '{prefix}' in '{curie}'")
        return URIRef(self.prefixes[prefix] + local)


def load_mapping(path: Path) -> Mapping:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ToolError(f"cannot read the mapping {path}: {exc}") from exc
    prefixes = {str(k): str(v) for k, v in raw["prefixes"].items()}
    skeleton = Mapping(prefixes, re.compile(raw["id_pattern"]), {})
    kinds = {name: _kind(skeleton, name, spec) for name, spec in raw["kinds"].items()}
    for kind in kinds.values():
        for field in kind.fields.values():
            if field.value_type in ("ref", "nested") and field.target not in kinds:
                raise ToolError(f"mapping: field {kind.name}.{field.name} refers to unknown kind '{field.target}'")
    return Mapping(prefixes, skeleton.id_pattern, kinds)


def _kind(mapping: Mapping, name: str, spec: dict) -> KindSpec:
    fields = {}
    for field_name, field in spec["fields"].items():
        value_type, _, target = str(field["type"]).partition(":")
        if value_type not in VALUE_TYPES:
            raise ToolError(f"mapping: field {name}.{field_name} has unknown type '{field['type']}'")
        fields[field_name] = FieldSpec(
            name=field_name,
            predicate=mapping.expand(field["predicate"]),
            value_type=value_type,
            target=str(mapping.expand(target)) if value_type == "concept" else (target or None),
            many=bool(field.get("many", False)),
            required=bool(field.get("required", False)),
            aliases=tuple(field.get("aliases", ())),
        )
    return KindSpec(
        name=name,
        section=spec.get("section"),
        iri_template=spec["iri"],
        class_field=spec.get("class_field"),
        classes={key: mapping.expand(curie) for key, curie in spec.get("classes", {}).items()},
        class_scheme=str(mapping.expand(spec["class_scheme"])) if "class_scheme" in spec else None,
        kind_predicate=mapping.expand(spec["kind_predicate"]) if "kind_predicate" in spec else None,
        fixed_class=mapping.expand(spec["class"]) if "class" in spec else None,
        notation_predicate=mapping.expand(spec["notation_predicate"]) if "notation_predicate" in spec else None,
        fields=fields,
        nested_in=spec.get("nested_in"),
    )
