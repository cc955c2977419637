"""The record mapping (ontology/mapping.yaml): which record kinds exist, their fields, and
how each field becomes RDF. The builder has no per-field code; it follows this data.

The file is checked when it is read: a mistake raises kg.config.ConfigError naming the file,
line, column and key path (kinds.incident.fields.mode.type) and what to do."""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.config import ConfigMap, Prefixes, read_config
from kg.errors import did_you_mean
from kg.build.vocabulary import Vocabulary

VALUE_TYPES = ("text", "date", "day", "count", "decimal", "ref", "concept", "nested", "scheme", "broader")
# What follows the ':' of the value types that name something: a kind, a scheme or a field.
TYPE_TARGETS = {"ref": "KIND", "nested": "KIND", "concept": "CURIE", "broader": "FIELD"}

MAPPING_KEYS = ("prefixes", "id_pattern", "kinds")
KIND_KEYS = ("section", "nested_in", "iri", "class", "class_field", "classes", "class_scheme", "kind_predicate",
             "notation_predicate", "fields")
FIELD_KEYS = ("predicate", "type", "many", "required", "aliases")


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
    id_pattern: re.Pattern[str]
    kinds: dict[str, KindSpec]

    @property
    def sections(self) -> dict[str, KindSpec]:
        return {kind.section: kind for kind in self.kinds.values() if kind.section}


def load_mapping(path: Path, vocabulary: Vocabulary) -> Mapping:
    """The mapping at path, checked against itself and the ontology's concept schemes."""
    config = read_config(path)
    config.check_keys(MAPPING_KEYS)
    prefixes = Prefixes.from_config(config.section("prefixes"))
    id_pattern = _pattern(config, "id_pattern")
    kinds = config.section("kinds")
    reader = _KindReader(prefixes, {str(scheme) for scheme in vocabulary.schemes.values()}, kinds.keys())
    return Mapping(id_pattern, {name: reader.kind(name, spec) for name, spec in kinds.children()})


def _not_both(both: bool) -> str:
    """The end of a hint about two keys that exclude each other: given both, or neither."""
    return ", not both" if both else ""


def _pattern(config: ConfigMap, key: str) -> re.Pattern[str]:
    text = config.text(key)
    try:
        return re.compile(text)
    except re.error as exc:
        raise config.error(key, f"'{text}' is not a valid regular expression: {exc.msg} at position {exc.pos}",
                           "Write a Python regular expression, in single quotes so that backslashes stay as written.") from None


@dataclass(frozen=True)
class _KindReader:
    prefixes: Prefixes
    schemes: Collection[str]  # the IRIs of the ontology's concept schemes
    kind_names: Collection[str]

    def kind(self, name: str, spec: ConfigMap) -> KindSpec:
        spec.check_keys(KIND_KEYS)
        section, nested_in = spec.optional_text("section"), spec.optional_text("nested_in")
        if (section is None) == (nested_in is None):
            raise spec.error(None, "a kind is either read from a section of the data files or nested in another kind",
                             f"Give it 'section:' (the section name) or 'nested_in:' (the kind it is nested in){_not_both(section is not None)}.")
        if nested_in is not None and nested_in not in self.kind_names:
            raise spec.error("nested_in", f"there is no kind '{nested_in}' in this mapping", self._kind_hint(nested_in))
        field_names = spec.section("fields").keys()
        return KindSpec(
            name=name,
            section=section,
            iri_template=self._template(spec, "iri"),
            class_field=self._class_field(spec),
            classes={key: URIRef(self.prefixes.expand(classes, key)) for classes in self._classes(spec) for key in classes.keys()},
            class_scheme=self._scheme(spec, "class_scheme", spec.text("class_scheme")) if spec.has("class_scheme") else None,
            kind_predicate=self._term(spec, "kind_predicate"),
            fixed_class=self._term(spec, "class"),
            notation_predicate=self._term(spec, "notation_predicate"),
            fields={field: self.field(field, config, field_names) for field, config in spec.section("fields").children()},
            nested_in=nested_in,
        )

    def field(self, name: str, spec: ConfigMap, field_names: Collection[str]) -> FieldSpec:
        spec.check_keys(FIELD_KEYS)
        value_type, target = self._type(spec, field_names)
        return FieldSpec(
            name=name,
            predicate=URIRef(self.prefixes.expand(spec, "predicate")),
            value_type=value_type,
            target=target,
            many=spec.flag("many"),
            required=spec.flag("required"),
            aliases=tuple(spec.texts("aliases")),
        )

    # -- the parts that name something else --------------------------------------------------------

    def _type(self, spec: ConfigMap, field_names: Collection[str]) -> tuple[str, str | None]:
        """The value type and its target: a kind name, a scheme IRI, a field name or None."""
        written = spec.text("type")
        value_type, colon, target = written.partition(":")
        if value_type not in VALUE_TYPES:
            hint = did_you_mean(value_type, VALUE_TYPES) or f"The value types are: {', '.join(VALUE_TYPES)} (see the top of the file)."
            raise spec.error("type", f"unknown value type '{value_type}'", hint)
        needed = TYPE_TARGETS.get(value_type)
        if needed is None and colon:
            raise spec.error("type", f"the value type '{value_type}' takes nothing after ':'", f"Write '{value_type}'.")
        if needed is not None and not target:
            raise spec.error("type", f"the value type '{value_type}' needs what it names", f"Write '{value_type}:{needed}'.")
        if value_type in ("ref", "nested") and target not in self.kind_names:
            raise spec.error("type", f"there is no kind '{target}' in this mapping", self._kind_hint(target))
        if value_type == "broader" and target not in field_names:
            hint = did_you_mean(target, field_names) or f"The fields of this kind are: {', '.join(field_names)}."
            raise spec.error("type", f"there is no field '{target}' in this kind for the broader concept's scheme", hint)
        if value_type == "concept":
            return value_type, self._scheme(spec, "type", target)
        return value_type, target or None

    def _scheme(self, spec: ConfigMap, key: str, curie: str) -> str:
        """The IRI of the concept scheme written as curie at spec[key]; it must be one of the ontology's."""
        scheme = self.prefixes.resolve(curie, spec, key)
        if scheme not in self.schemes:
            known = sorted(self.prefixes.shorten(iri) for iri in self.schemes)
            hint = did_you_mean(curie, known) or f"The ontology's schemes are: {', '.join(known)}."
            raise spec.error(key, f"there is no concept scheme {curie} in the ontology's vocabularies", hint)
        return scheme

    def _class_field(self, spec: ConfigMap) -> str | None:
        """The field that names a record's class; a kind has either that or one fixed class."""
        if spec.has("class") == spec.has("class_field"):
            raise spec.error(None, "a kind has one fixed class or a field that names the class",
                             f"Give it 'class:' (a CURIE) or 'class_field:' with 'classes:' or 'class_scheme:'{_not_both(spec.has('class'))}.")
        if spec.has("class"):
            for key in ("classes", "class_scheme", "kind_predicate"):
                if spec.has(key):
                    raise spec.error(key, "this goes with 'class_field:', and the kind has a fixed 'class:'",
                                     f"Remove '{key}:', or replace 'class:' with 'class_field:'.")
            return None
        if spec.has("classes") == spec.has("class_scheme"):
            raise spec.error("class_field", "the class field needs either 'classes:' (value -> class) or 'class_scheme:' "
                             "(a concept scheme whose concepts name the class)", f"Give one of them{_not_both(spec.has('classes'))}.")
        if spec.has("class_scheme") != spec.has("kind_predicate"):
            present = "class_scheme" if spec.has("class_scheme") else "kind_predicate"
            raise spec.error(present, "class_scheme and kind_predicate go together: the kind concept is written with "
                             "kind_predicate", "Give both (e.g. kind_predicate: bk:kind), or neither.")
        return spec.text("class_field")

    def _classes(self, spec: ConfigMap) -> list[ConfigMap]:
        return [spec.section("classes")] if spec.has("classes") else []

    def _term(self, spec: ConfigMap, key: str) -> URIRef | None:
        return URIRef(self.prefixes.expand(spec, key)) if spec.has(key) else None

    def _template(self, spec: ConfigMap, key: str) -> str:
        """An IRI template relative to the base IRI, with {id} as its one placeholder."""
        text = spec.text(key)
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise spec.error(key, f"'{text}' is not a template ({exc})", "Write {id} for the record id.") from None
        if used != {"id"}:
            raise spec.error(key, f"the template '{text}' must hold {{id}} and no other placeholder", "Write e.g. 'place/{id}'.")
        return text

    def _kind_hint(self, name: str) -> str:
        return did_you_mean(name, self.kind_names) or f"The kinds are: {', '.join(self.kind_names)}."
