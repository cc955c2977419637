"""Linking ACLED places to the curated gazetteer: countries by ISO code, other places by name
(or alternative name) within their parent. The curated graph is given by the caller (kg.api
builds it from the records); a linked place is written with its curated statements (and
those of its geometry)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.values import iri, normalised
from kg.terms import to_oxigraph


@dataclass(frozen=True)
class CuratedPlace:
    node: str  # an N-Triples IRI
    names: frozenset[str]  # its label and alternative labels, normalised
    has_geometry: bool
    lines: tuple[str, ...]  # its statements and those of its geometry, as N-Triples lines


class Gazetteer:
    def __init__(self, curated: Graph, mapping: AcledMapping):
        spec = mapping.places
        located_in, iso_code = URIRef(spec.located_in[1:-1]), URIRef(spec.iso_code[1:-1])
        alt_label, has_geometry = URIRef(spec.alt_label[1:-1]), URIRef(mapping.geometry.predicate[1:-1])
        place_classes = set(mapping.ontology.transitive_subjects(RDFS.subClassOf, URIRef(spec.gazetteer_class)))
        self.by_iso: dict[str, CuratedPlace] = {}
        self.by_name: dict[tuple[str, str], CuratedPlace] = {}  # (parent, normalised name)
        self.with_geometry: set[str] = set()
        places = {node for node, cls in curated.subject_objects(RDF.type) if cls in place_classes and isinstance(node, URIRef)}
        for node in sorted(places):
            names = [*curated.objects(node, RDFS.label), *curated.objects(node, alt_label)]
            geometries = list(curated.objects(node, has_geometry))
            # A linked place brings its own statements, but of its links to other curated places
            # only the one to its parent, which the row links too (a place it faces across a
            # border is not in the import).
            statements = [
                (s, p, o)
                for subject in (node, *geometries)
                for s, p, o in curated.triples((subject, None, None))
                if o not in places or p == located_in
            ]
            place = CuratedPlace(
                node=iri(str(node)),
                names=frozenset(normalised(str(name)) for name in names),
                has_geometry=bool(geometries),
                lines=tuple(f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} .\n" for s, p, o in statements),
            )
            if place.has_geometry:
                self.with_geometry.add(place.node)
            code = curated.value(node, iso_code)
            if code is not None and "-" not in str(code):
                self.by_iso[str(code)] = place
            parent = curated.value(node, located_in)
            parent_key = iri(str(parent)) if parent is not None else ""
            for name in place.names:
                self.by_name[(parent_key, name)] = place
