"""Conversions between rdflib terms (our in-memory graph) and pyoxigraph terms (the fast
serializers and the embedded store)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

_ORDER_OF_KIND = {URIRef: 0, BNode: 1, Literal: 2}


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_oxigraph_quad(triple: tuple[Node, Node, Node], graph_name: ox.NamedNode | None = None) -> ox.Quad:
    """An rdflib triple as a pyoxigraph quad in graph_name (default: the default graph)."""
    subject, predicate, object_ = (to_oxigraph(term) for term in triple)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {triple!r}")
    return ox.Quad(subject, predicate, object_, graph_name)


@overload
def to_rdflib(term: None) -> None: ...
@overload
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node: ...
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"cannot convert {term!r}")


def term_sort_key(term: Node) -> tuple[int, str, str]:
    extra = ""
    if isinstance(term, Literal):
        extra = f"{term.datatype or ''}@{term.language or ''}"
    return (_ORDER_OF_KIND.get(type(term), 3), str(term), extra)


def sorted_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[tuple[Node, Node, Node]]:
    """A canonical order, so that the same graph always serialises to the same bytes:
    by subject, rdf:type first, then by predicate and object."""
    return sorted(
        triples,
        key=lambda t: (term_sort_key(t[0]), t[1] != RDF.type, str(t[1]), term_sort_key(t[2])),
    )
