"""Linking ACLED places to the curated gazetteer."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.api import build_graph
from kg.importers.acled.values import ISO_CODE, LOCATED_IN, iri, normalised
from kg.project import Project
from kg.terms import to_oxigraph


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
