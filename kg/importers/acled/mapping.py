"""The ACLED mapping (ontology/acled.yaml), checked when it is read, and its plan compiled
against one file's header: column positions, prepared terms and converters.

A mistake in acled.yaml raises kg.config.ConfigError naming the file, line and key; a file
whose header does not fit the layout raises DataErrors naming the missing columns."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from kg.config import ConfigMap, Prefixes, read_config
from kg.errors import DataError, DataErrors, SourceLocation, did_you_mean
from kg.importers.acled.cube import QB_DATA_SET, QB_STRUCTURE, CubeRule, CubeSpec
from kg.importers.acled.values import (
    RDF_TYPE,
    RDFS_LABEL,
    XSD_BOOLEAN,
    XSD_DATE,
    XSD_DATE_TIME,
    XSD_INTEGER,
    RowProblem,
    generated,
    iri,
    listed,
    literal,
    parse_date,
    slug,
    typed,
)
from kg.project import Project

UNIX_EPOCH = dt.datetime(1970, 1, 1)
TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))  # hours, minutes, seconds: faster than a format spec

MAPPING_FILE = "acled.yaml"
VALUE_TYPES = ("text", "integer", "count", "date", "concept", "flag", "unix-time")
UNCACHED_TYPES = ("text", "unix-time")

Convert = Callable[[str], str]


# -- the checked mapping -----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """How one column of a row becomes a statement about the event."""

    name: str
    predicate: str  # an N-Triples IRI, as are the other terms below
    value_type: str
    concepts: dict[str, str]  # notation -> concept, for a concept column
    within: str | None  # the column whose concept this column's concept is narrower than
    true_spellings: tuple[str, ...]  # for a flag column, as written in the mapping
    false_spellings: tuple[str, ...]


@dataclass(frozen=True)
class Translation:
    """Today's values for the columns a translated value stands for; by_actor_type, when given,
    decides by the first of its actor types found among the row's actors."""

    values: dict[str, str]
    by_actor_type: tuple[tuple[str, dict[str, str]], ...]  # (actor type concept, values)


@dataclass(frozen=True)
class Layout:
    title: str
    detect: tuple[str, ...]
    renamed: dict[str, str]
    required_columns: tuple[str, ...]
    filled_columns: tuple[str, ...]
    label: str
    translated_column: str | None
    translations: dict[str, Translation]
    translated_into: tuple[str, ...]  # the columns translations give values for


@dataclass(frozen=True)
class ActorKind:
    """What an actor of one ACLED actor type is: its class, and whether it belongs to the
    country of its event (by country_predicate)."""

    cls: str
    country_predicate: str | None


@dataclass(frozen=True)
class ActorRole:
    column: str
    type_column: str | None
    split: str | None
    predicate: str


@dataclass(frozen=True)
class PlaceLevel:
    column: str
    cls: str
    iso_numeric_column: str | None
    point: bool


@dataclass(frozen=True)
class GeometrySpec:
    latitude: str
    longitude: str
    template: str  # "{node}/geometry"
    predicate: str
    cls: str
    wkt_predicate: str
    wkt_datatype: str


@dataclass(frozen=True)
class ActorsSpec:
    template: str
    default_class: str
    type_predicate: str
    kinds: dict[str, ActorKind]  # by actor type concept
    roles: tuple[ActorRole, ...]


@dataclass(frozen=True)
class PlacesSpec:
    template: str
    event_predicate: str
    gazetteer_class: str  # a full IRI, for looking up the curated places
    located_in: str
    iso_code: str
    alt_label: str
    levels: tuple[PlaceLevel, ...]


class AcledMapping:
    """ontology/acled.yaml, checked, with the concepts of the vocabulary it names."""

    def __init__(self, project: Project):
        self.base = project.base_iri
        self.ontology = project.ontology
        self.schemes = project.vocabulary.concepts
        config = read_config(project.ontology_dir / MAPPING_FILE)
        config.check_keys({"prefixes", "layouts", "dataset", "event", "geometry", "actors", "places", "cube"})
        self.prefixes = Prefixes.from_config(config.section("prefixes"))

        event = config.section("event")
        event.check_keys({"class", "id_column", "iri", "fallback_id_column", "fallback_iri", "source_predicate",
                          "year_check", "columns", "timestamp_column", "deleted_events"})
        actors = config.section("actors")
        self.actor_types = self.scheme(actors, "type_scheme")
        self.columns = {name: self._column(name, spec) for name, spec in event.section("columns").children()}
        for column in self.columns.values():
            if column.within is not None and column.within not in self.columns:
                raise event.section("columns").section(column.name).error(
                    "within", f"there is no column '{column.within}' among event.columns", did_you_mean(column.within, self.columns))

        self.id_column = event.text("id_column")
        layouts = config.section("layouts")
        self.layouts = [self._layout(spec) for _, spec in layouts.children()]
        defaults = [layout for layout in self.layouts if not layout.detect]
        if len(defaults) != 1:
            raise layouts.error(None, f"{len(defaults)} layouts have no 'detect' columns; exactly one must",
                                "Give every layout but the default one a 'detect:' list of columns only it has.")

        dataset = config.section("dataset")
        dataset.check_keys({"iri", "class", "label"})
        self.dataset_template = self.template(dataset, "iri", {"name"})
        self.dataset_class = self.term(dataset, "class")
        self.dataset_label = self.template(dataset, "label", {"name"}, relative=False)

        self.event_class = self.term(event, "class")
        self.event_template = self.template(event, "iri", {"id"})
        self.event_affixes = alphanumeric_affixes(self.event_template, "id")
        self.fallback_id_column = event.optional_text("fallback_id_column")
        self.fallback_template = self.template(event, "fallback_iri", {"name", "id"}) if event.has("fallback_iri") else None
        if (self.fallback_id_column is None) != (self.fallback_template is None):
            raise event.error(None, "fallback_id_column and fallback_iri go together", "Give both, or neither.")
        self.source_predicate = self.term(event, "source_predicate")
        self.timestamp_column = event.text("timestamp_column")
        if self.timestamp_column not in self.columns:
            raise event.error("timestamp_column", f"there is no column '{self.timestamp_column}' among event.columns",
                              did_you_mean(self.timestamp_column, self.columns))
        deleted = event.section("deleted_events")
        deleted.check_keys({"id_column", "timestamp_column"})
        self.deleted_id_column = deleted.text("id_column")
        self.deleted_timestamp_column = deleted.text("timestamp_column")
        self.year_check: tuple[str, str] | None = None
        if event.has("year_check"):
            check = event.section("year_check")
            check.check_keys({"column", "date_column"})
            self.year_check = (check.text("column"), check.text("date_column"))

        self.geometry = self._geometry(config.section("geometry"))
        self.actors = self._actors(actors)
        self.places = self._places(config.section("places"))
        self.cube = self._cube(config.section("cube"))

    # -- helpers that check as they read ---------------------------------------------------------

    def term(self, config: ConfigMap, key: str) -> str:
        """The CURIE at config[key] as an N-Triples IRI."""
        return iri(self.prefixes.expand(config, key))

    def template(self, config: ConfigMap, key: str, placeholders: set[str] | None, *, relative: bool = True) -> str:
        """An IRI template relative to the base IRI (or a text template) whose {placeholders}
        are among those given (any, for None: a label may name any column of the file)."""
        text = config.text(key)
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise config.error(key, f"'{text}' is not a template ({exc})", "Write {name} for a value; {{ and }} for braces.") from None
        unknown = sorted(used - placeholders) if placeholders is not None else []
        if unknown:
            raise config.error(key, f"the template names {{{unknown[0]}}}, which is not given here",
                               f"Use {' and '.join(f'{{{p}}}' for p in sorted(placeholders or ()))}.")
        return self.base + text if relative else text

    def scheme(self, config: ConfigMap, key: str) -> dict[str, str]:
        """The concept scheme named at config[key]: notation -> N-Triples concept."""
        name = self.prefixes.expand(config, key)
        if name not in self.schemes:
            known = sorted(self.prefixes.shorten(scheme) for scheme in self.schemes)
            hint = did_you_mean(config.text(key), known) or f"The vocabulary's schemes are: {', '.join(known)}."
            raise config.error(key, f"there is no concept scheme {config.text(key)} in the vocabulary", hint)
        return {notation: iri(str(concept)) for notation, concept in self.schemes[name].items()}

    def notation(self, config: ConfigMap, key: str, value: str, concepts: dict[str, str], what: str) -> str:
        """value (written at config[key]) must be a notation of concepts."""
        if value not in concepts:
            hint = did_you_mean(value, concepts) or f"The vocabulary has: {', '.join(concepts)}."
            raise config.error(key, f"'{value}' is not {what} of the vocabulary", hint)
        return concepts[value]

    def label(self, concept: str) -> str:
        return str(self.ontology.value(URIRef(concept[1:-1]), RDFS.label) or concept)

    # -- sections ------------------------------------------------------------------------------

    def _column(self, name: str, spec: ConfigMap) -> ColumnSpec:
        spec.check_keys({"predicate", "type", "scheme", "within", "true", "false"})
        value_type = spec.choice("type", VALUE_TYPES)
        for key, needed_by in (("scheme", "concept"), ("within", "concept"), ("true", "flag"), ("false", "flag")):
            if spec.has(key) and value_type != needed_by:
                raise spec.error(key, f"'{key}' is for columns of type {needed_by}", f"Remove it, or make the type {needed_by}.")
        concepts = self.scheme(spec, "scheme") if value_type == "concept" else {}
        trues, falses = tuple(spec.texts("true")), tuple(spec.texts("false"))
        if value_type == "flag" and not trues:
            raise spec.error("true", "a flag column needs the spellings of true", "Add true: [the words that mean yes].")
        both = {word.casefold() for word in trues} & {word.casefold() for word in falses}
        if both:
            raise spec.error("false", f"'{sorted(both)[0]}' is listed as true and as false", "Keep it in one list.")
        return ColumnSpec(name, self.term(spec, "predicate"), value_type, concepts, spec.optional_text("within"), trues, falses)

    def _layout(self, spec: ConfigMap) -> Layout:
        spec.check_keys({"title", "detect", "renamed_columns", "required_columns", "filled_columns", "label", "translate"})
        translated_column = None
        translations: dict[str, Translation] = {}
        into: list[str] = []
        if spec.has("translate"):
            translate = spec.section("translate")
            translate.check_keys({"column", "values"})
            translated_column = translate.text("column")
            for value, entry in translate.section("values").children():
                translation = self._translation(entry)
                translations[value] = translation
                for values in (translation.values, *(v for _, v in translation.by_actor_type)):
                    into.extend(column for column in values if column not in into)
        if self.id_column not in spec.texts("required_columns"):
            raise spec.error("required_columns", f"the event id column {self.id_column} is not among them", "Add it.")
        return Layout(
            title=spec.text("title"),
            detect=tuple(column.lower() for column in spec.texts("detect")),
            renamed={old.lower(): new.lower() for old, new in spec.text_map("renamed_columns").items()},
            required_columns=tuple(spec.texts("required_columns")),
            filled_columns=tuple(spec.texts("filled_columns")),
            label=self.template(spec, "label", None, relative=False),
            translated_column=translated_column,
            translations=translations,
            translated_into=tuple(into),
        )

    def _translation(self, entry: ConfigMap) -> Translation:
        if entry.has("by_actor_type"):
            entry.check_keys({"by_actor_type"})
            rules = []
            by_type = entry.section("by_actor_type")
            for actor_type, values in by_type.children():
                concept = self.notation(by_type, actor_type, actor_type, self.actor_types, "an actor type")
                rules.append((concept, self._translated_values(values)))
            return Translation({}, tuple(rules))
        return Translation(self._translated_values(entry), ())

    def _translated_values(self, entry: ConfigMap) -> dict[str, str]:
        entry.check_keys(set(self.columns))
        values = {column: entry.text(column) for column in entry.keys()}
        for column, value in values.items():
            spec = self.columns[column]
            if spec.value_type == "concept":
                self.notation(entry, column, value, spec.concepts, f"a {column.replace('_', ' ')}")
        for column, value in values.items():
            spec = self.columns[column]
            if spec.within is not None and spec.within in values:
                broader = self.broader(spec.concepts[value])
                if broader != self.columns[spec.within].concepts.get(values[spec.within]):
                    raise entry.error(column, f"'{value}' is not a kind of '{values[spec.within]}'",
                                      f"The vocabulary puts it under '{self.label(broader or '')}'.")
        return values

    def broader_of(self, concepts: dict[str, str]) -> dict[str, tuple[str, str]]:
        """notation -> (broader concept, its label), for the concepts that have one."""
        found = {notation: self.broader(concept) for notation, concept in concepts.items()}
        return {notation: (broader, self.label(broader)) for notation, broader in found.items() if broader is not None}

    def broader(self, concept: str) -> str | None:
        parent = self.ontology.value(URIRef(concept[1:-1]), SKOS.broader)
        return iri(str(parent)) if parent is not None else None

    def _geometry(self, spec: ConfigMap) -> GeometrySpec:
        spec.check_keys({"latitude", "longitude", "iri", "predicate", "class", "wkt_predicate", "wkt_datatype"})
        return GeometrySpec(
            latitude=spec.text("latitude"),
            longitude=spec.text("longitude"),
            template=self.template(spec, "iri", {"node"}, relative=False),
            predicate=self.term(spec, "predicate"),
            cls=self.term(spec, "class"),
            wkt_predicate=self.term(spec, "wkt_predicate"),
            wkt_datatype=self.prefixes.expand(spec, "wkt_datatype"),
        )

    def _actors(self, spec: ConfigMap) -> ActorsSpec:
        spec.check_keys({"iri", "default_class", "type_scheme", "type_predicate", "kinds", "roles"})
        kinds = {}
        by_type = spec.section("kinds")
        for actor_type, kind in by_type.children():
            concept = self.notation(by_type, actor_type, actor_type, self.actor_types, "an actor type")
            kind.check_keys({"class", "country"})
            kinds[concept] = ActorKind(self.term(kind, "class"), self.term(kind, "country") if kind.has("country") else None)
        roles = []
        for role in spec.sections("roles"):
            role.check_keys({"column", "type_column", "split", "predicate"})
            roles.append(ActorRole(role.text("column"), role.optional_text("type_column"), role.optional_text("split"),
                                   self.term(role, "predicate")))
        return ActorsSpec(self.template(spec, "iri", {"name"}), self.term(spec, "default_class"), self.term(spec, "type_predicate"),
                          kinds, tuple(roles))

    def _places(self, spec: ConfigMap) -> PlacesSpec:
        spec.check_keys({"iri", "event_predicate", "gazetteer_class", "located_in", "iso_code", "alt_label", "levels"})
        levels = []
        for level in spec.sections("levels"):
            level.check_keys({"column", "class", "iso_numeric_column", "point"})
            levels.append(PlaceLevel(level.text("column"), self.term(level, "class"), level.optional_text("iso_numeric_column"),
                                     level.flag("point")))
        return PlacesSpec(
            template=self.template(spec, "iri", {"path"}),
            event_predicate=self.term(spec, "event_predicate"),
            gazetteer_class=self.prefixes.expand(spec, "gazetteer_class"),
            located_in=self.term(spec, "located_in"),
            iso_code=self.term(spec, "iso_code"),
            alt_label=self.term(spec, "alt_label"),
            levels=tuple(levels),
        )

    def _cube(self, spec: ConfigMap) -> CubeSpec:
        spec.check_keys({"iri", "label", "structure", "observation_iri", "observation_label", "country", "region",
                         "event_type", "month", "events", "fatalities"})
        if len(self.places.levels) < 2:
            raise spec.error(None, "the cube counts by country and region, but places: has fewer than two levels",
                             "Give places: the levels country and region, or remove cube:.")

        def by_column(key: str, value_types: tuple[str, ...]) -> tuple[str, str]:
            section = spec.section(key)
            section.check_keys({"predicate", "column"})
            column = section.text("column")
            found = self.columns.get(column)
            if found is None:
                raise section.error("column", f"there is no column '{column}' among event.columns", did_you_mean(column, self.columns))
            if found.value_type not in value_types:
                raise section.error("column", f"the column {column} is of type {found.value_type}",
                                    f"Name a column of type {' or '.join(value_types)}.")
            for layout in self.layouts:
                if column not in layout.required_columns or column not in layout.filled_columns:
                    raise section.error("column", f"{layout.title} does not fill in {column} in every row, so some events "
                                        "could not be counted", "Name a column among the filled_columns of every layout.")
            return self.term(section, "predicate"), column

        event_type, event_type_column = by_column("event_type", ("concept",))
        month, month_column = by_column("month", ("date",))
        fatalities, fatalities_column = by_column("fatalities", ("count",))
        return CubeSpec(
            template=self.template(spec, "iri", {"name"}),
            label=self.template(spec, "label", {"name"}, relative=False),
            structure=self.term(spec, "structure"),
            observation_template=self.template(spec, "observation_iri", {"name", "month", "event_type", "area"}),
            observation_label=self.template(spec, "observation_label", {"event_type", "area", "month"}, relative=False),
            country=self.term(spec, "country"),
            region=self.term(spec, "region"),
            event_type=event_type,
            event_type_column=event_type_column,
            month=month,
            month_column=month_column,
            events=self.term(spec, "events"),
            fatalities=fatalities,
            fatalities_column=fatalities_column,
        )

    def cube_rule(self, index: dict[str, int], dataset_name: str) -> CubeRule:
        spec = self.cube
        dataset = iri(spec.template.format(name=slug(dataset_name)))
        return CubeRule(
            spec=spec,
            dataset=dataset,
            dataset_lines=(
                f"{dataset} {RDF_TYPE} {QB_DATA_SET} .\n",
                f"{dataset} {RDFS_LABEL} {literal(spec.label.format(name=dataset_name))} .\n",
                f"{dataset} {QB_STRUCTURE} {spec.structure} .\n",
            ),
            observation_template=spec.observation_template.replace("{name}", slug(dataset_name)),
            event_type_index=index[spec.event_type_column],
            concepts=self.columns[spec.event_type_column].concepts,
            month_index=index[spec.month_column],
            fatalities_index=index[spec.fatalities_column],
        )

    # -- compiling against a header --------------------------------------------------------------

    def layout_of(self, header: list[str]) -> Layout:
        names = {name.strip().lower() for name in header}
        for layout in self.layouts:
            if any(column in names for column in layout.detect):
                return layout
        return next(layout for layout in self.layouts if not layout.detect)

    def compile(self, header: list[str], dataset_name: str, file: str) -> Plan:
        layout = self.layout_of(header)
        names = [layout.renamed.get(name.strip().lower(), name.strip().lower()) for name in header]
        index = {name: position for position, name in enumerate(names)}
        missing = [column for column in layout.required_columns if column not in index]
        if missing:
            hint = (f"The header was read as {layout.title}; export the file from ACLED with all columns: the header "
                    f"must name {', '.join(layout.required_columns)}.")
            raise DataErrors([DataError(SourceLocation(file, 1), f"the header lacks the column{'s' if len(missing) > 1 else ''} "
                                        f"{', '.join(missing)}", hint=hint)])
        padding = [column for column in layout.translated_into if column not in index]
        for column in padding:  # columns the layout fills in by translation, after the file's own
            index[column] = len(index)
        dataset = self.dataset_iri(dataset_name)
        plan = Plan(
            layout=layout,
            width=len(header),
            columns=tuple(names),
            padding=("",) * len(padding),
            index=index,
            id_index=index[self.id_column],
            fallback_index=index.get(self.fallback_id_column or ""),
            fallback_template=(self.fallback_template or "").replace("{name}", slug(dataset_name)),
            filled=tuple((column, index[column]) for column in layout.filled_columns if column in index),
            rules=tuple(
                ColumnRule(column.name, index[column.name], column.predicate, self.cached_converter(column))
                for column in self.columns.values()
                if column.name in index
            ),
            within=tuple(
                WithinRule(column.name, index[column.name], column.within, index[column.within],
                           self.broader_of(column.concepts), self.columns[column.within].concepts)
                for column in self.columns.values()
                if column.within is not None and column.name in index and column.within in index
            ),
            year_check=(self.year_check[0], index[self.year_check[0]], index[self.year_check[1]])
            if self.year_check and self.year_check[0] in index and self.year_check[1] in index else None,
            translation=TranslationRule(layout.translated_column, index[layout.translated_column], layout.translations,
                                        tuple(index[column] for column in layout.translated_into))
            if layout.translated_column is not None and layout.translated_column in index else None,
            label_parts=label_parts(layout.label, index),
            roles=tuple(
                RoleRule(role.column, index[role.column], index.get(role.type_column or ""), role.split, role.predicate)
                for role in self.actors.roles
                if role.column in index
            ),
            levels=tuple(
                LevelRule(index[level.column], level.cls, index.get(level.iso_numeric_column or ""), level.point)
                for level in self.places.levels
                if level.column in index
            ),
            point=(index[self.geometry.latitude], index[self.geometry.longitude])
            if self.geometry.latitude in index and self.geometry.longitude in index else None,
            dataset=dataset,
            cube=self.cube_rule(index, dataset_name),
            dataset_lines=(
                f"{dataset} {RDF_TYPE} {self.dataset_class} .\n",
                f"{dataset} {RDFS_LABEL} {literal(self.dataset_label.format(name=dataset_name))} .\n",
            ),
        )
        return plan

    def dataset_iri(self, dataset_name: str) -> str:
        """The IRI (an N-Triples term) of the data set of this name."""
        return iri(self.dataset_template.format(name=slug(dataset_name)))

    def event_iri(self, event_id: str) -> str:
        """The IRI (an N-Triples term) of the event with this id."""
        plain = event_id.isascii() and event_id.isalnum()  # ACLED's ids (AFG12345): nothing to percent-encode
        if plain and self.event_affixes is not None:  # and the IRI is valid as written
            return f"<{self.event_affixes[0]}{event_id}{self.event_affixes[1]}>"
        return iri(self.event_template.format(id=event_id if plain else quote(event_id, safe="")))

    def cached_converter(self, column: ColumnSpec) -> Convert:
        """The column's converter, remembering its last values where values repeat from row to
        row (a concept, a date, a count); a text or a Unix time is mostly new in each row, and
        converting it again costs less than keeping it."""
        convert = self.converter(column)
        return convert if column.value_type in UNCACHED_TYPES else lru_cache(maxsize=65536)(convert)

    def converter(self, column: ColumnSpec) -> Convert:
        name = column.name
        kind = column.value_type
        if kind == "text":
            return literal
        if kind in ("integer", "count"):
            def number(value: str) -> str:
                text = value.strip()
                if not re.fullmatch(r"[-+]?\d+", text):
                    raise RowProblem(name, f"'{value}' is not a whole number", "Write a whole number such as 0 or 12.")
                if kind == "count" and int(text) < 0:
                    raise RowProblem(name, f"a count cannot be negative ({text})", "Write 0 or more.")
                return typed(str(int(text)), XSD_INTEGER)
            return number
        if kind == "date":
            def date(value: str) -> str:
                try:
                    return typed(parse_date(value), XSD_DATE)
                except RowProblem as problem:
                    problem.column = name
                    raise
            return date
        if kind == "flag":
            true, false = typed("true", XSD_BOOLEAN), typed("false", XSD_BOOLEAN)
            yes = {word.strip().casefold() for word in column.true_spellings}
            no = {word.strip().casefold() for word in column.false_spellings}
            hint = (f"For yes write {listed(list(column.true_spellings), 'or')}; "
                    f"for no {listed([*column.false_spellings, 'nothing'], 'or')}.")

            def flag(value: str) -> str:
                word = value.strip().casefold()
                if word in yes:
                    return true
                if word in no:
                    return false
                raise RowProblem(name, f"'{value}' is neither yes nor no", hint)
            return flag
        if kind == "unix-time":
            def moment(value: str) -> str:
                try:
                    days, seconds = divmod(int(value), 86400)
                    day = utc_day(days)
                except (ValueError, OverflowError):
                    raise RowProblem(name, f"'{value}' is not a Unix time in seconds", "Write the seconds since 1970, as ACLED's timestamp column does.") from None
                hours, seconds = divmod(seconds, 3600)
                minutes, seconds = divmod(seconds, 60)
                return generated(f"{day}T{TWO_DIGITS[hours]}:{TWO_DIGITS[minutes]}:{TWO_DIGITS[seconds]}Z", XSD_DATE_TIME)
            return moment
        concepts = column.concepts  # kind == "concept" (the type was checked when read)

        def concept(value: str) -> str:
            found = concepts.get(value.strip())
            if found is None:
                hint = did_you_mean(value.strip(), concepts) or f"ACLED uses: {', '.join(concepts)}."
                raise RowProblem(name, f"unknown {name.replace('_', ' ')} '{value}'", hint)
            return found
        return concept


def alphanumeric_affixes(template: str, placeholder: str) -> tuple[str, str] | None:
    """The texts before and after the one {placeholder} of an IRI template, when any ASCII
    letters and digits put there make a valid IRI (they do but in a port, or first in the
    scheme: tried with samples); else None, and each IRI is checked as it is made."""
    parts = template.split("{" + placeholder + "}")
    if len(parts) != 2 or any(brace in part for part in parts for brace in "{}"):
        return None
    try:
        for sample in ("A", "1", "a1Z"):
            iri(f"{parts[0]}{sample}{parts[1]}")
    except ValueError:
        return None
    return parts[0], parts[1]


@lru_cache(maxsize=4096)
def utc_day(days: int) -> str:
    """The date (ISO) that many days after 1970-01-01: rows of one export share few days."""
    return (UNIX_EPOCH + dt.timedelta(days=days)).date().isoformat()


def label_parts(template: str, index: dict[str, int]) -> tuple[tuple[str, int | None], ...]:
    """A label template as literal texts and column positions (a column the file lacks is left out)."""
    parts: list[tuple[str, int | None]] = []
    for text, column, _, _ in string.Formatter().parse(template):
        if text:
            parts.append((text, None))
        if column and column in index:
            parts.append(("", index[column]))
    return tuple(parts)


# -- the plan for one file ---------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnRule:
    column: str
    index: int
    predicate: str
    convert: Convert


@dataclass(frozen=True)
class WithinRule:
    """The concept of column must be narrower than the concept of parent_column."""

    column: str
    index: int
    parent_column: str
    parent_index: int
    broader: dict[str, tuple[str, str]]  # notation of column -> its broader concept and that concept's label
    parent_concepts: dict[str, str]  # notation of parent_column -> concept


@dataclass(frozen=True)
class TranslationRule:
    column: str
    index: int
    table: dict[str, Translation]
    into: tuple[int, ...]  # the positions of the columns translations fill in


@dataclass(frozen=True)
class RoleRule:
    column: str
    index: int
    type_index: int | None
    split: str | None
    predicate: str


@dataclass(frozen=True)
class LevelRule:
    index: int
    cls: str
    iso_index: int | None
    point: bool


@dataclass(frozen=True)
class Plan:
    """The mapping compiled against one file's header."""

    layout: Layout
    width: int  # the number of cells of a row
    columns: tuple[str, ...]  # the header's names (lower case, renamed to today's)
    padding: tuple[str, ...]  # cells appended to each row for the columns translations fill in
    index: dict[str, int]
    id_index: int
    fallback_index: int | None
    fallback_template: str
    filled: tuple[tuple[str, int], ...]
    rules: tuple[ColumnRule, ...]
    within: tuple[WithinRule, ...]
    year_check: tuple[str, int, int] | None  # the year column, its position, the date's
    translation: TranslationRule | None
    label_parts: tuple[tuple[str, int | None], ...]  # literal text, or a column position
    roles: tuple[RoleRule, ...]
    levels: tuple[LevelRule, ...]
    point: tuple[int, int] | None  # latitude, longitude
    dataset: str
    cube: CubeRule
    dataset_lines: tuple[str, ...]

    def fallback_iri(self, data_id: str) -> str:
        """The IRI (an N-Triples term) of an event without an id, named by its row's data_id."""
        return iri(self.fallback_template.format(id=quote(data_id, safe="")))
