"""Typed records -> RDF, following the mapping. Also keeps, for every node and field it
writes, the record file and line it came from, so that a SHACL violation can name them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.errors import SourceLocation
from kg.build.mapping import Mapping
from kg.build.records import Concept, DateValue, Decimal, Record, RecordSet, Ref


@dataclass(frozen=True)
class Origin:
    """Where a node of the graph came from."""

    record: str
    location: SourceLocation
    fields: dict[str, SourceLocation]  # predicate IRI -> location of that field


class RecordIndex:
    """Node IRI -> Origin. Written beside the graph (out/kg.records.json) for `kg validate`."""

    def __init__(self, origins: dict[str, Origin] | None = None, graph_sha256: str | None = None):
        self.origins: dict[str, Origin] = origins or {}
        self.graph_sha256 = graph_sha256  # of the graph file this index was written with

    def describes(self, graph_bytes: bytes) -> bool:
        return self.graph_sha256 == hashlib.sha256(graph_bytes).hexdigest()

    def locate(self, node: str, predicate: str | None = None) -> tuple[str | None, SourceLocation | None]:
        origin = self.origins.get(node)
        if origin is None:
            return None, None
        if predicate is not None and predicate in origin.fields:
            return origin.record, origin.fields[predicate]
        return origin.record, origin.location

    def to_json(self, graph_bytes: bytes) -> str:
        """The index, tied to the graph file it describes by that file's SHA-256."""

        def loc(location: SourceLocation) -> list:
            return [location.file, location.line, location.column]

        nodes = {
            node: {
                "record": origin.record,
                "at": loc(origin.location),
                "fields": {p: loc(l) for p, l in sorted(origin.fields.items())},
            }
            for node, origin in sorted(self.origins.items())
        }
        payload = {"graph_sha256": hashlib.sha256(graph_bytes).hexdigest(), "nodes": nodes}
        return json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: Path) -> "RecordIndex":
        """The index written by the last build, or an empty one if it is missing or unreadable."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["nodes"]
        except (OSError, ValueError, TypeError, KeyError):
            return cls()
        return cls(
            {
                node: Origin(
                    entry["record"],
                    SourceLocation(*entry["at"]),
                    {p: SourceLocation(*l) for p, l in entry["fields"].items()},
                )
                for node, entry in raw["nodes"].items()
            },
            raw.get("graph_sha256"),
        )


class IriMinter:
    """Deterministic IRIs from stable record ids: BASE + kind path + percent-encoded id."""

    def __init__(self, mapping: Mapping, base_iri: str):
        self.mapping = mapping
        self.base_iri = base_iri

    def iri(self, kind: str, record_id: str) -> URIRef:
        template = self.mapping.kinds[kind].iri_template
        return URIRef(self.base_iri + template.format(id=quote(record_id, safe="")))

    def namespaces(self) -> dict[str, str]:
        """A prefix for each top-level kind, e.g. place: -> BASE/place/ (for readable Turtle)."""
        prefixes = {}
        for kind in self.mapping.kinds.values():
            if kind.nested_in is None:
                folder = kind.iri_template.rsplit("{id}", 1)[0]
                prefixes[kind.name] = self.base_iri + folder
        return prefixes


def records_to_graph(records: RecordSet, mapping: Mapping, base_iri: str, ontology: Graph) -> tuple[Graph, RecordIndex]:
    """The built graph: the ontology (so the file is self-contained for any store) plus the data."""
    minter = IriMinter(mapping, base_iri)
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in ontology.namespaces():
        graph.bind(prefix, namespace)
    for prefix, namespace in minter.namespaces().items():
        graph.bind(prefix, namespace)
    for triple in ontology:
        graph.add(triple)
    index = RecordIndex()
    for record in records.records:
        _add_record(graph, index, minter, record)
    return graph, index


def _add_record(graph: Graph, index: RecordIndex, minter: IriMinter, record: Record) -> URIRef:
    node = minter.iri(record.kind, record.id)
    graph.add((node, RDF.type, record.rdf_class))
    notation = minter.mapping.kinds[record.kind].notation_predicate
    if notation is not None:
        graph.add((node, notation, Literal(record.id)))
    fields: dict[str, SourceLocation] = {}
    for field in record.fields:
        fields[str(field.spec.predicate)] = field.location
        for value in field.values:
            graph.add((node, field.spec.predicate, _term(graph, index, minter, value)))
    index.origins[str(node)] = Origin(record.label, record.location, fields)
    return node


def _term(graph: Graph, index: RecordIndex, minter: IriMinter, value: object) -> URIRef | Literal:
    if isinstance(value, Record):
        return _add_record(graph, index, minter, value)
    if isinstance(value, Ref):
        return minter.iri(value.kind, value.id)
    if isinstance(value, Concept):
        return value.iri
    if isinstance(value, DateValue):
        return Literal(value.lexical, datatype=value.datatype)
    if isinstance(value, Decimal):
        return Literal(value.lexical, datatype=XSD.decimal)
    if isinstance(value, bool):
        raise TypeError("booleans are not record values")
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    return Literal(str(value))
