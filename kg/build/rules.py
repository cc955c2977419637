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

from kg.errors import ToolError
from kg.build.names import name_key

BK = Namespace("https://w3id.org/border-kg/def#")


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(rules_dir.glob("*.ru")) if rules_dir.is_dir() else []


def apply_rules(graph: Graph, rules_dir: Path) -> None:
    for path in rule_files(rules_dir):
        try:
            graph.update(path.read_text(encoding="utf-8"))
        except Exception as exc:  # rdflib raises parser and evaluation errors of several types
            raise ToolError(f"the rule {path} cannot be applied: {exc}") from exc
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
