"""What the fast engine compiles shapes into: one Check per constraint component of a shape, a
single SPARQL query over all its focus nodes, and the helpers the components share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import ToolError

if TYPE_CHECKING:
    from kg.validate.fast.components.logical import Member

# The SHACL parameters whose names are Python keywords.
SH_class, SH_in, SH_or = URIRef(str(SH) + "class"), URIRef(str(SH) + "in"), URIRef(str(SH) + "or")


class UnsupportedShapeError(ToolError):
    """The shapes graph uses a SHACL feature this engine does not implement."""


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Result:
    """One validation result before it is shown: data terms are still Oxigraph terms."""

    focus: Term
    source_shape: Node
    path: Node | None
    value: Term | None
    message: str | None


# How a check turns the solutions of its query into results.
Results = Callable[[list[ox.QuerySolution]], Iterator[Result]]


@dataclass(frozen=True)
class Scope:
    """Where a component applies: the focus nodes of a node shape and, for a property shape,
    its path. `values` is a SPARQL pattern binding each value node ?v of focus node ?this."""

    shape: Node  # the shape that holds the component: sh:sourceShape of its results
    name: str  # for error messages
    focus: str  # SPARQL group pattern binding ?this to every focus node, once
    path: Node | None  # the sh:path node in the shapes graph (None for node-level components)
    values: str
    message: str | None


@dataclass(frozen=True)
class Check:
    """One constraint component of one shape, as a single query over all its focus nodes."""

    shape: str
    component: str
    query: str
    results: Results

    def run(self, store: ox.Store) -> list[Result]:
        try:
            solutions = store.query(self.query)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ToolError(f"shape {self.shape}, {self.component}: the query failed: {exc}\n{self.query}") from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise ToolError(f"shape {self.shape}, {self.component}: the query is not a SELECT query\n{self.query}")
        return list(self.results(list(solutions)))



class Parameters(Protocol):
    """How a component reads the value of its parameter from the shapes graph (the compiler
    does); each raises UnsupportedShapeError, naming the shape, for a value it cannot use."""

    def iri(self, value: Node, parameter: URIRef, name: str) -> URIRef: ...

    def literal(self, value: Node, parameter: URIRef, name: str) -> Literal: ...

    def datatype(self, value: Node, name: str) -> URIRef: ...

    def pattern(self, value: Node, name: str) -> str: ...

    def non_negative(self, shape: Node, parameter: URIRef, value: Node, name: str) -> int: ...

    def term(self, value: Node, name: str) -> Node: ...

    def list_items(self, head: Node, parameter: URIRef, name: str) -> list[Node]: ...

    def or_member(self, member: Node, name: str) -> Member: ...


# A constraint component: the check for one parameter's value in one shape.
Component = Callable[[Parameters, Scope, Node], Check]


def select_query(scope: Scope, body: str, projection: str = "?this ?v") -> str:
    return f"SELECT {projection} WHERE {{ {scope.focus} {body} }}"


def value_results(scope: Scope, keep: Callable[[Term], bool] | None = None) -> Results:
    """Results for rows (?this, ?v): one per failing value node, sh:value the value."""

    def results(solutions: list[ox.QuerySolution]) -> Iterator[Result]:
        for row in solutions:
            value = row["v"]
            if keep is None or keep(value):
                yield Result(row["this"], scope.shape, scope.path, value, scope.message)

    return results


def focus_results(scope: Scope) -> Results:
    """Results for rows (?this): one per failing focus node, no sh:value."""

    def results(solutions: list[ox.QuerySolution]) -> Iterator[Result]:
        for row in solutions:
            yield Result(row["this"], scope.shape, scope.path, None, scope.message)

    return results


def iri(term: URIRef) -> str:
    return f"<{term}>"


def sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return iri(term)
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapeError(f"not supported by the fast SHACL engine: the blank node {term} as a value in a shape")


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a warning with a traceback for every ill-typed literal it is given; the
    validation reports those literals itself."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)

