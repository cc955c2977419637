"""Derived facts: the SPARQL Update rules of ontology/rules/*.ru, applied in file-name order to
the built graph (parts both ways, superclasses and super-properties of the aligned vocabularies,
directions, the bounds of figures, sortable dates, point geometries); then what SPARQL 1.1
cannot compute portably: the loose name keys of places (kg.build.names) and, from each incident's
sort date, its day number and the Monday of its week (SPARQL has no date arithmetic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS, SKOS, XSD

import pyoxigraph as ox

from kg.errors import ToolError
from kg.build.names import name_key
from kg.terms import to_oxigraph_quad, to_rdflib

BK = Namespace("https://w3id.org/border-kg/def#")


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(rules_dir.glob("*.ru")) if rules_dir.is_dir() else []


def apply_rules(graph: Graph, rules_dir: Path) -> None:
    """Apply the rules to the graph in place. They run on a pyoxigraph copy of the graph (a
    tenth of the time rdflib takes to parse and run them), and what they add is added back."""
    store = ox.Store()
    store.bulk_extend(to_oxigraph_quad(triple) for triple in graph)
    # pyoxigraph writes some literals in canonical form (1.0 as "1"^^xsd:decimal): only what the
    # rules add goes back, so the graph's own statements keep the form they were written in.
    before = set(store)
    for path in rule_files(rules_dir):
        try:
            store.update(path.read_text(encoding="utf-8"))
        except (SyntaxError, OSError, ValueError) as exc:
            raise ToolError(f"the rule {path} cannot be applied: {exc}") from exc
    for quad in set(store) - before:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    add_name_keys(graph)
    add_day_numbers(graph)


def add_name_keys(graph: Graph) -> None:
    """bk:nameKey for every name and alternative name of a place."""
    places = set(graph.subjects(RDF.type, BK.Place))
    for place in places:
        for name in [*graph.objects(place, RDFS.label), *graph.objects(place, SKOS.altLabel)]:
            key = name_key(str(name))
            if key:
                graph.add((place, BK.nameKey, Literal(key)))


def add_day_numbers(graph: Graph) -> None:
    """bk:dayNumber (days since 1970-01-01) and bk:weekStart (the Monday of the ISO week) of
    every incident's bk:sortDate, for queries that compare or group dates."""
    epoch = dt.date(1970, 1, 1)
    for incident, day in list(graph.subject_objects(BK.sortDate)):
        date = dt.date.fromisoformat(str(day))
        graph.add((incident, BK.dayNumber, Literal((date - epoch).days, datatype=XSD.integer)))
        monday = date - dt.timedelta(days=date.weekday())
        graph.add((incident, BK.weekStart, Literal(monday.isoformat(), datatype=XSD.date)))
