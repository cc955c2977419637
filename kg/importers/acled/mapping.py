"""The ACLED mapping (ontology/acled.yaml) and its plan compiled against one file's header."""

from __future__ import annotations

import re
import string
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import yaml
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import DataError, DataErrors, SourceLocation, ToolError, close_matches, suggestion
from kg.importers.acled.values import RDF_TYPE, RDFS_LABEL, XSD, RowProblem, iri, literal, parse_date, slug, typed
from kg.project import Project


@dataclass(frozen=True)
class ColumnRule:
    column: str
    index: int
    predicate: str
    convert: Callable[[str], str]
    required: bool


@dataclass
class Plan:
    """The mapping compiled against one file's header: column positions and prepared terms."""

    header: tuple[str, ...]
    index: dict[str, int]
    event_iri_prefix: str
    event_class: str
    label_parts: list[tuple[str, int | None]]  # literal text, or a column index
    rules: list[ColumnRule]
    actor_roles: list[tuple[int, int | None, str | None, str]]  # column, type column, split, predicate
    place_levels: list[tuple[int, str, int | None, int | None]]  # column, class, latitude, longitude
    place_predicate: str
    dataset: str
    dataset_triples: list[str]
    iso_index: int | None
    year_index: int | None


class AcledMapping:
    """ontology/acled.yaml with the vocabulary and the curated gazetteer it links to."""

    def __init__(self, project: Project):
        path = project.ontology_dir / "acled.yaml"
        try:
            self.spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ToolError(f"cannot read the ACLED mapping {path}: {exc}") from exc
        self.project = project
        self.prefixes: dict[str, str] = self.spec["prefixes"]
        vocabulary = Graph().parse(project.ontology_dir / "acled-vocabulary.ttl")
        self.schemes: dict[str, dict[str, str]] = {}
        self.concept_labels: dict[str, str] = {}
        for concept in vocabulary.subjects(RDF.type, SKOS.Concept):
            for scheme in vocabulary.objects(concept, SKOS.inScheme):
                for notation in vocabulary.objects(concept, SKOS.notation):
                    self.schemes.setdefault(str(scheme), {})[str(notation)] = iri(str(concept))
            self.concept_labels[iri(str(concept))] = str(vocabulary.value(concept, RDFS.label))
        # Sorted, so that messages listing the choices read the same in every run.
        self.schemes = {scheme: dict(sorted(notations.items())) for scheme, notations in self.schemes.items()}
        self.vocabulary = vocabulary
        self.sub_event_parent = {
            str(vocabulary.value(sub, SKOS.notation)): str(vocabulary.value(parent, SKOS.notation))
            for sub, parent in vocabulary.subject_objects(SKOS.broader)
        }

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return self.prefixes[prefix] + local

    def compile(self, header: list[str], dataset_name: str, file: str) -> Plan:
        index = {name.strip(): position for position, name in enumerate(header)}
        missing = [column for column in self.spec["required_columns"] if column not in index]
        if missing:
            raise DataErrors(
                [
                    DataError(
                        SourceLocation(file, 1),
                        f"the header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        hint="Export the file from ACLED with all columns; the header must name "
                        + ", ".join(self.spec["required_columns"])
                        + ".",
                    )
                ]
            )
        base = self.project.base_iri
        event = self.spec["event"]
        rules = []
        for column, rule in event["columns"].items():
            if column in index:
                # Values repeat a lot (dates, counts, concepts, sources): convert each once.
                convert = lru_cache(maxsize=65536)(self._converter(column, rule))
                rules.append(ColumnRule(column, index[column], iri(self.expand(rule["predicate"])), convert,
                                        bool(rule.get("required", False))))
        label_parts: list[tuple[str, int | None]] = []
        for text, column, _, _ in string.Formatter().parse(event["label"]):
            if text:
                label_parts.append((text, None))
            if column:
                label_parts.append(("", index.get(column)))
        actors = self.spec["actors"]
        roles = [
            (index[role["column"]], index.get(role.get("type_column", "")), role.get("split"), iri(self.expand(role["predicate"])))
            for role in actors["roles"]
            if role["column"] in index
        ]
        places = self.spec["places"]
        levels = [
            (index[level["column"]], iri(self.expand(level["class"])), index.get(level.get("latitude", "")), index.get(level.get("longitude", "")))
            for level in places["levels"]
            if level["column"] in index
        ]
        dataset_spec = self.spec["dataset"]
        dataset = iri(base + dataset_spec["iri"].format(name=slug(dataset_name)))
        dataset_triples = [
            f"{dataset} {RDF_TYPE} {iri(self.expand(dataset_spec['class']))} .\n",
            f"{dataset} {RDFS_LABEL} {literal(dataset_spec['label'].format(name=dataset_name))} .\n",
        ]
        return Plan(
            header=tuple(header),
            index=index,
            event_iri_prefix=base + event["iri"].split("{")[0],
            event_class=iri(self.expand(event["class"])),
            label_parts=label_parts,
            rules=rules,
            actor_roles=roles,
            place_levels=levels,
            place_predicate=iri(self.expand(places["event_predicate"])),
            dataset=dataset,
            dataset_triples=dataset_triples,
            iso_index=index.get("iso"),
            year_index=index.get("year"),
        )

    def _converter(self, column: str, rule: dict) -> Callable[[str], str]:
        kind = rule["type"]
        if kind == "text":
            return literal
        if kind in ("integer", "count"):
            def number(value: str) -> str:
                text = value.strip()
                if not re.fullmatch(r"[-+]?\d+", text):
                    raise RowProblem(column, f"'{value}' is not a whole number")
                if kind == "count" and int(text) < 0:
                    raise RowProblem(column, f"a count cannot be negative ({text})")
                return typed(str(int(text)), XSD + "integer")
            return number
        if kind == "date":
            return lambda value: typed(parse_date(value), XSD + "date")
        if kind == "flag":
            return lambda value: typed("true", XSD + "boolean")
        if kind == "unix-time":
            def moment(value: str) -> str:
                try:
                    stamp = dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)
                except (ValueError, OverflowError, OSError):
                    raise RowProblem(column, f"'{value}' is not a Unix time in seconds") from None
                return typed(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), XSD + "dateTime")
            return moment
        if kind == "concept":
            concepts = self.schemes[self.expand(rule["scheme"])]

            def concept(value: str) -> str:
                found = concepts.get(value.strip())
                if found is None:
                    close = suggestion(close_matches(value.strip(), concepts))
                    raise RowProblem(column, f"unknown {column.replace('_', ' ')} '{value}'", close or f"ACLED uses: {', '.join(concepts)}.")
                return found
            return concept
        raise ToolError(f"the ACLED mapping gives column {column} an unknown type '{kind}'")
