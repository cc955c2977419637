"""Import ACLED event exports (CSV) into the border-kg ontology, as a stream.

The mapping is data (ontology/acled.yaml, with the controlled lists of
ontology/acled-vocabulary.ttl); this module compiles it, once per file, into a plan of column
positions and prepared terms, then streams rows through it: each row becomes N-Triples lines
written at once to gzip shards, so memory holds only the deduplication tables (actors, places,
event ids), not the rows. Terms are written by pyoxigraph (escaped by the RDF library); the
importer only puts them side by side.

Rows with problems are reported with their line number, column and what to do. By default a
file with any bad row is not imported at all; with skip_bad_rows the good rows are.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import queue
import re
import shutil
import string
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import quote

import pycountry
import pyoxigraph as ox
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import DataError, DataErrors, SourceLocation, ToolError, close_matches, relative, suggestion
from kg.project import Project
from kg.api import build_graph
from kg.terms import to_oxigraph

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"<{RDF.type}>"
RDFS_LABEL = f"<{RDFS.label}>"
SKOS_ALT_LABEL = f"<{SKOS.altLabel}>"
LOCATED_IN = "<https://w3id.org/border-kg/def#locatedIn>"
ISO_CODE = "<https://w3id.org/border-kg/def#isoCode>"
SOURCE = "<https://w3id.org/border-kg/def#source>"
COUNTRY = "<https://w3id.org/border-kg/def#country>"
ACTOR_TYPE = "<https://w3id.org/border-kg/def#actorType>"
HAS_GEOMETRY = "<http://www.opengis.net/ont/geosparql#hasGeometry>"
AS_WKT = "<http://www.opengis.net/ont/geosparql#asWKT>"
GEOMETRY = "<http://www.opengis.net/ont/geosparql#Geometry>"
WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
DEFAULT_SHARD_LINES = 1_000_000
MAX_REPORTED_ERRORS = 200
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})


class RowProblem(Exception):
    def __init__(self, column: str | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.column, self.message, self.hint = column, message, hint


# -- terms ------------------------------------------------------------------------------------


def literal(value: str) -> str:
    return str(ox.Literal(value))


@lru_cache(maxsize=65536)
def typed(value: str, datatype: str) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype)))


def iri(value: str) -> str:
    return str(ox.NamedNode(value))


@lru_cache(maxsize=65536)
def slug(name: str) -> str:
    """A place or actor name as an IRI path segment: percent-encoded, case kept."""
    return quote(name.strip(), safe="")


def normalised(name: str) -> str:
    """For matching names: no case, no accents, no punctuation or spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


@lru_cache(maxsize=65536)
def parse_date(text: str) -> str:
    """ACLED dates -> ISO: 2021-07-05, 05 July 2021, 9-May-20 (older exports), 31-12-19."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        match = re.fullmatch(r"(\d{1,2})[- ]([A-Za-z]+)[- ](\d{2}|\d{4})", text)
        if match:
            day, month_name, year = match.groups()
            month = MONTHS.get(month_name.lower())
            if month is None:
                raise RowProblem("event_date", f"'{month_name}' in '{text}' is not a month name")
            return dt.date(_full_year(year), month, int(day)).isoformat()
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{2})", text)
        if match:
            day, month, year = match.groups()
            return dt.date(_full_year(year), int(month), int(day)).isoformat()
    except ValueError:
        raise RowProblem("event_date", f"'{text}' is not a real date") from None
    raise RowProblem(
        "event_date",
        f"'{text}' is not a date ACLED writes",
        "Use 2021-07-05, 05 July 2021, 5-Jul-21 or 05-07-21 (day first).",
    )


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 4:
        return number
    return 1900 + number if number >= 90 else 2000 + number  # ACLED starts in 1997


# -- the compiled mapping ----------------------------------------------------------------------


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


# -- the gazetteer link ------------------------------------------------------------------------


class Gazetteer:
    """The curated places, for linking: countries by ISO code, other places by name (or
    alternative name) within their parent. A linked place is written with its curated triples."""

    def __init__(self, project: Project):
        graph, _, _ = build_graph(project)
        self.by_iso: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        self.triples: dict[str, list[str]] = {}
        place_classes = set(project.ontology.transitive_subjects(RDFS.subClassOf, URIRef("https://w3id.org/border-kg/def#Place")))
        for node, cls in graph.subject_objects(RDF.type):
            if cls not in place_classes or not isinstance(node, URIRef):
                continue
            key = iri(str(node))
            self.triples[key] = [
                f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} .\n" for s, p, o in graph.triples((node, None, None))
            ]
            code = graph.value(node, URIRef(ISO_CODE[1:-1]))
            if code is not None and "-" not in str(code):
                self.by_iso[str(code)] = key
            parent = graph.value(node, URIRef(LOCATED_IN[1:-1]))
            parent_key = iri(str(parent)) if parent is not None else ""
            for name in [*graph.objects(node, RDFS.label), *graph.objects(node, SKOS.altLabel)]:
                self.by_name[(parent_key, normalised(str(name)))] = key


# -- streaming output --------------------------------------------------------------------------


class ShardWriter:
    """N-Triples (or N-Quads) lines into numbered gzip shards, in a temporary folder that
    replaces the target folder only when the whole import has succeeded. Compression runs in
    a thread of its own (zlib releases the GIL), beside the row loop."""

    def __init__(self, target: Path, extension: str, lines_per_shard: int, graph: str | None, compress: bool = True):
        self.target = target
        self.extension = f"{extension}.gz" if compress else extension
        self.compress = compress
        self.lines_per_shard = lines_per_shard
        self.suffix = f" {graph} .\n" if graph else " .\n"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        self.shards: list[Path] = []
        self.lines = 0
        self._in_shard = 0
        self._queue: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._compress, daemon=True)
        self._thread.start()

    def write(self, lines: list[str]) -> None:
        if not self.shards or self._in_shard >= self.lines_per_shard:
            self.shards.append(self.folder / f"kg-{len(self.shards) + 1:05d}.{self.extension}")
            self._in_shard = 0
        if self.suffix != " .\n":
            lines = [line[:-3] + self.suffix for line in lines]
        if self._failure is not None:
            raise self._failure
        self._queue.put((self.shards[-1], "".join(lines).encode("utf-8")))
        self.lines += len(lines)
        self._in_shard += len(lines)

    def _compress(self) -> None:
        handles: dict[Path, IO[bytes]] = {}
        try:
            while (item := self._queue.get()) is not None:
                path, data = item
                if path not in handles:
                    for handle in handles.values():
                        handle.close()
                    handles = {path: gzip.GzipFile(path, "wb", compresslevel=1, mtime=0) if self.compress else path.open("wb")}
                handles[path].write(data)
        except BaseException as exc:  # reported to the writer on its next call
            self._failure = exc
            while self._queue.get() is not None:
                pass
        finally:
            for handle in handles.values():
                handle.close()

    def _finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def commit(self) -> list[Path]:
        self._finish()
        previous = self.target.with_name(f".{self.target.name}.previous")
        if previous.exists():
            shutil.rmtree(previous)
        if self.target.exists():
            self.target.rename(previous)
        self.folder.rename(self.target)
        if previous.exists():
            shutil.rmtree(previous)
        return [self.target / shard.name for shard in self.shards]

    def abort(self) -> None:
        try:
            self._finish()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class ImportResult:
    file: str
    rows: int
    imported: int
    rejected: int
    lines: int
    files: tuple[Path, ...]
    seconds: float
    errors: tuple[DataError, ...] = field(default=())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, float], None]


# -- the row loop ------------------------------------------------------------------------------


class Importer:
    def __init__(self, mapping: AcledMapping, plan: Plan, gazetteer: Gazetteer, file: str):
        self.mapping = mapping
        self.plan = plan
        self.gazetteer = gazetteer
        self.file = file
        self.base = mapping.project.base_iri
        self.place_template = mapping.spec["places"]["iri"]
        self.actor_template = mapping.spec["actors"]["iri"]
        self.actor_classes = {name: iri(mapping.expand(cls)) for name, cls in mapping.spec["actors"]["classes"].items()}
        self.actor_default = iri(mapping.expand(mapping.spec["actors"]["default_class"]))
        self.actor_types = mapping.schemes[mapping.expand(mapping.spec["actors"]["type_scheme"])]
        self.places: dict[tuple[str, ...], str] = {}
        self.actors: dict[str, str] = {}
        self.actor_type_seen: set[tuple[str, str]] = set()
        self.linked: set[str] = set()  # curated places whose triples were written
        self.classed: set[str] = set()  # actors given a class from their actor type
        self.events: dict[str, int] = {}
        self.country_codes: dict[str, str] = {}

    def row(self, cells: list[str], line: int) -> list[str]:
        """The lines of one row; raises RowProblem for the first problem found. Places and
        actors first seen in a row are remembered only if the whole row is good: their
        triples are in that row's lines."""
        self.new_places: dict[tuple[str, ...], str] = {}
        self.new_actors: dict[str, str] = {}
        self.new_types: set[tuple[str, str]] = set()
        self.new_linked: set[str] = set()
        self.new_classed: set[str] = set()
        lines = self._row(cells)
        self.places.update(self.new_places)
        self.actors.update(self.new_actors)
        self.actor_type_seen.update(self.new_types)
        self.linked.update(self.new_linked)
        self.classed.update(self.new_classed)
        self.events[cells[self.plan.index["event_id_cnty"]].strip()] = line
        return lines

    def _row(self, cells: list[str]) -> list[str]:
        plan = self.plan
        if len(cells) != len(plan.header):
            raise RowProblem(None, f"the row has {len(cells)} cells, the header {len(plan.header)}", "Check for unquoted commas or a cut line.")
        event_id = cells[plan.index["event_id_cnty"]].strip()
        if not event_id:
            raise RowProblem("event_id_cnty", "the event id is empty")
        first = self.events.get(event_id)
        if first is not None:
            raise RowProblem("event_id_cnty", f"the event id {event_id} was already imported from line {first}")
        subject = iri(plan.event_iri_prefix + quote(event_id, safe=""))
        out = [f"{subject} {RDF_TYPE} {plan.event_class} .\n", f"{subject} {SOURCE} {plan.dataset} .\n"]
        for rule in plan.rules:
            value = cells[rule.index]
            if not value and rule.required:
                raise RowProblem(rule.column, f"the {rule.column.replace('_', ' ')} is empty", "ACLED fills this column in every row.")
            if value:
                try:
                    out.append(f"{subject} {rule.predicate} {rule.convert(value)} .\n")
                except RowProblem as problem:
                    problem.column = rule.column
                    raise
        if not cells[plan.index["actor1"]].strip():
            raise RowProblem("actor1", "the event has no actor1", "ACLED always names actor1; check the row.")
        if plan.year_index is not None and cells[plan.year_index]:
            year = parse_date(cells[plan.index["event_date"]])[:4]
            if cells[plan.year_index].strip() != year:
                raise RowProblem("year", f"the year {cells[plan.year_index]} does not match the event date ({year})")
        self.check_sub_event(cells)
        label = "".join(text if position is None else cells[position] for text, position in plan.label_parts)
        out.append(f"{subject} {RDFS_LABEL} {literal(label)} .\n")
        country = self.place(cells, subject, out)
        self.actor_lines(cells, subject, country, out)
        return out

    def place(self, cells: list[str], subject: str, out: list[str]) -> str:
        """The most precise place of the row (emitting any place not seen before); its country."""
        plan = self.plan
        path: tuple[str, ...] = ()
        parent = ""
        country = ""
        for depth, (column, cls, latitude, longitude) in enumerate(plan.place_levels):
            name = cells[column].strip()
            if not name:
                continue
            path = (*path, name)
            if latitude is not None and longitude is not None:
                self.check_coordinates(cells, latitude, longitude)
            node = self.places.get(path) or self.new_places.get(path)
            if node is None:
                node = self.new_place(path, name, depth, cls, parent, cells, latitude, longitude, out)
                self.new_places[path] = node
            if depth == 0:
                country = node
            parent = node
        if not parent:
            raise RowProblem("country", "the row names no place at all")
        out.append(f"{subject} {plan.place_predicate} {parent} .\n")
        return country

    def new_place(self, path, name, depth, cls, parent, cells, latitude, longitude, out) -> str:  # type: ignore[no-untyped-def]
        gazetteer = self.gazetteer
        linked = None
        if depth == 0:
            code = self.country_code(cells, name)
            linked = gazetteer.by_iso.get(code) if code else None
        else:
            linked = gazetteer.by_name.get((parent, normalised(name)))
        if linked is not None:
            # Two spellings can link to one curated place: its triples are written once.
            if linked not in self.linked and linked not in self.new_linked:
                self.new_linked.add(linked)
                out.extend(gazetteer.triples[linked])
            if not any(normalised(name) == normalised(label) for label in self._labels(linked)):
                out.append(f"{linked} {SKOS_ALT_LABEL} {literal(name)} .\n")
            node = linked
        else:
            node = iri(self.base + self.place_template.format(path="/".join(slug(part) for part in path)))
            out.append(f"{node} {RDF_TYPE} {cls} .\n")
            out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
            if parent:
                out.append(f"{node} {LOCATED_IN} {parent} .\n")
            elif depth == 0:
                code = self.country_code(cells, name)
                if code:
                    out.append(f"{node} {ISO_CODE} {literal(code)} .\n")
        if (
            latitude is not None and longitude is not None and cells[latitude] and cells[longitude]
            and not any(f" {HAS_GEOMETRY} " in line for line in gazetteer.triples.get(node, ()))
        ):
            lat, lon = float(cells[latitude]), float(cells[longitude])
            geometry = iri(node[1:-1] + "/geometry")
            out.append(f"{node} {HAS_GEOMETRY} {geometry} .\n")
            out.append(f"{geometry} {RDF_TYPE} {GEOMETRY} .\n")
            out.append(f"{geometry} {AS_WKT} {str(ox.Literal(f'POINT({lon} {lat})', datatype=WKT))} .\n")
        return node

    def check_sub_event(self, cells: list[str]) -> None:
        event_type = cells[self.plan.index["event_type"]].strip()
        sub_event = cells[self.plan.index["sub_event_type"]].strip()
        belongs = self.mapping.sub_event_parent.get(sub_event)
        if belongs is not None and belongs != event_type:
            raise RowProblem("sub_event_type", f"the sub-event type '{sub_event}' belongs to '{belongs}', not '{event_type}'")

    @staticmethod
    def check_coordinates(cells: list[str], latitude: int, longitude: int) -> None:
        if not (cells[latitude] or cells[longitude]):
            return
        try:
            lat, lon = float(cells[latitude]), float(cells[longitude])
        except ValueError:
            raise RowProblem("latitude", f"'{cells[latitude]}, {cells[longitude]}' are not coordinates",
                             "Give latitude and longitude in decimal degrees.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise RowProblem("latitude", f"{lat}, {lon} is outside the globe", "Latitude lies in -90..90, longitude in -180..180.")

    def _labels(self, node: str) -> list[str]:
        return [line.split(" ", 2)[2][:-3] for line in self.gazetteer.triples[node] if f" {RDFS_LABEL} " in line or f" {SKOS_ALT_LABEL} " in line]

    def country_code(self, cells: list[str], name: str) -> str | None:
        key = (cells[self.plan.iso_index] if self.plan.iso_index is not None else "") + "|" + name
        if key not in self.country_codes:
            country = None
            numeric = cells[self.plan.iso_index].strip() if self.plan.iso_index is not None else ""
            if numeric.isdigit():
                country = pycountry.countries.get(numeric=f"{int(numeric):03d}")
            if country is None:
                try:
                    country = pycountry.countries.lookup(name)
                except LookupError:
                    country = None
            self.country_codes[key] = country.alpha_2 if country else ""
        return self.country_codes[key] or None

    def actor_lines(self, cells: list[str], subject: str, country: str, out: list[str]) -> None:
        linked: set[tuple[str, str]] = set()  # an actor named twice in a row is linked once
        for column, type_column, split, predicate in self.plan.actor_roles:
            value = cells[column]
            if not value.strip():
                continue
            names = [part.strip() for part in value.split(split)] if split else [value.strip()]
            kind = cells[type_column].strip() if type_column is not None else ""
            for name in names:
                if not name:
                    continue
                node = self.actors.get(name) or self.new_actors.get(name)
                if node is None:
                    node = iri(self.base + self.actor_template.format(name=slug(name)))
                    self.new_actors[name] = node
                    out.append(f"{node} {RDF_TYPE} {self.actor_default} .\n")
                    out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
                if kind and (node, kind) not in self.actor_type_seen and (node, kind) not in self.new_types:
                    self.new_types.add((node, kind))
                    self.type_lines(node, kind, type_column or 0, country, out)
                if (predicate, node) not in linked:
                    linked.add((predicate, node))
                    out.append(f"{subject} {predicate} {node} .\n")

    def type_lines(self, node: str, kind: str, type_column: int, country: str, out: list[str]) -> None:
        """The actor type, and the class it implies, the first time the actor is seen with a
        type (which may be after it was first seen without one, as an associated actor)."""
        concept = self.actor_types.get(kind)
        if concept is None:
            raise RowProblem(self.plan.header[type_column], f"unknown actor type '{kind}'",
                             f"ACLED uses: {', '.join(k for k in self.actor_types if not k.isdigit())} (or codes 1-8).")
        out.append(f"{node} {ACTOR_TYPE} {concept} .\n")
        type_name = self.mapping.concept_labels.get(concept)
        cls = self.actor_classes.get(type_name or "")
        if cls is not None and node not in self.classed and node not in self.new_classed:
            self.new_classed.add(node)
            out.append(f"{node} {RDF_TYPE} {cls} .\n")
            if type_name == "State forces" and country:
                out.append(f"{node} {COUNTRY} {country} .\n")


def import_acled(
    project: Project,
    csv_file: Path,
    target: Path,
    *,
    format_name: str = "ntriples",
    skip_bad_rows: bool = False,
    lines_per_shard: int = DEFAULT_SHARD_LINES,
    compress: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Stream an ACLED CSV into gzip (or, with compress=False, plain) N-Triples shards (or
    N-Quads, in the data set's named graph) in the folder target. Raises DataErrors when rows are bad (unless skip_bad_rows)."""
    if format_name not in ("ntriples", "nquads"):
        raise ToolError(f"kg import writes ntriples or nquads shards, not {format_name}")
    if not csv_file.is_file():
        raise ToolError(f"there is no file {csv_file}")
    shown = relative(csv_file)
    started = time.monotonic()
    mapping = AcledMapping(project)
    gazetteer = Gazetteer(project)
    errors: list[DataError] = []
    with csv_file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataErrors([DataError(SourceLocation(shown, 1), "the file is empty", hint="Export the events again from ACLED.")]) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataErrors([DataError(SourceLocation(shown, 1), f"the header cannot be read: {exc}")]) from None
        plan = mapping.compile(header, csv_file.stem, shown)
        importer = Importer(mapping, plan, gazetteer, shown)
        writer = ShardWriter(target, "nq" if format_name == "nquads" else "nt", lines_per_shard,
                             plan.dataset if format_name == "nquads" else None, compress)
        rows = rejected = 0
        try:
            writer.write(plan.dataset_triples)
            batch: list[str] = []
            last_report = time.monotonic()
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except (UnicodeDecodeError, csv.Error) as exc:
                    rows += 1
                    rejected += 1
                    errors.append(DataError(SourceLocation(shown, reader.line_num), f"the row cannot be read: {exc}"))
                    if isinstance(exc, UnicodeDecodeError):
                        break  # the decoder cannot resume inside the file
                    continue
                rows += 1
                try:
                    batch.extend(importer.row(cells, reader.line_num))
                except RowProblem as problem:
                    rejected += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(DataError(SourceLocation(shown, reader.line_num), problem.message,
                                                field=problem.column, hint=problem.hint, record=f"row {rows}"))
                if len(batch) >= 50_000:
                    writer.write(batch)
                    batch = []
                    now = time.monotonic()
                    if progress and now - last_report >= 0.5:
                        progress(rows, writer.lines, now - started)
                        last_report = now
            if batch:
                writer.write(batch)
            if errors and not skip_bad_rows:
                raise DataErrors(errors)
            files = writer.commit()
        except BaseException:
            writer.abort()
            raise
    seconds = time.monotonic() - started
    if progress:
        progress(rows, writer.lines, seconds)
    return ImportResult(shown, rows, rows - rejected, rejected, writer.lines, tuple(files), seconds, tuple(errors))
