"""What the fast engine compiles shapes into: one Check per constraint component of a shape, a
single SPARQL query over all its focus nodes, and the helpers the components share."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
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
    member: str  # SPARQL group pattern that matches when the bound ?this is a focus node
    path: Node | None  # the sh:path node in the shapes graph (None for node-level components)
    values: str
    message: str | None


# Above this many focus nodes among a path's failing values, a check keeps those of its shape with
# one query (Check.query) rather than one ASK per node (about 0.1 ms each).
MEMBER_TESTS_LIMIT = 2000


@dataclass(frozen=True)
class Candidates:
    """The failing values of a path, found without the shape's focus nodes: `query` selects
    (?this ?v) for the path and the test alone, so every shape with the same path and test asks
    the same query, answered once. `member` is an ASK that is true when ?this (substituted) is a
    focus node of the shape: the few candidates are kept with it, node by node, rather than
    joined with the focus nodes in the query (Oxigraph then tests every value of the path)."""

    query: str
    member: str


@dataclass(frozen=True)
class Check:
    """One constraint component of one shape, as a single query over all its focus nodes.
    `screen`, if any, is an ASK query that is false only when the query has no solutions: it
    runs first, and the query only when it is true. With `candidates`, the solutions are the
    candidates kept for the shape, and the query runs only when too many focus nodes fail."""

    shape: str
    component: str
    query: str
    results: Results
    screen: str | None = None
    candidates: Candidates | None = None

    def run(self, store: ox.Store, shared: SharedAnswers | None = None) -> list[Result]:
        shared = shared or SharedAnswers(store)
        if self.screen is not None and not shared.answer(self, self.screen):
            return []
        if self.candidates is None:
            return list(self.results(list(self._query(store, self.query, ox.QuerySolutions))))
        rows = shared.solutions(self, self.candidates.query)
        nodes = {row["this"] for row in rows}
        if len(nodes) > MEMBER_TESTS_LIMIT:
            return list(self.results(list(self._query(store, self.query, ox.QuerySolutions))))
        members = {node for node in nodes if self._query(store, self.candidates.member, ox.QueryBoolean, this=node)}
        return list(self.results([row for row in rows if row["this"] in members]))

    def _query(self, store: ox.Store, query: str, kind: type[QueryKind], *, this: Term | None = None) -> QueryKind:
        """The answer of the query, with ?this bound to `this` when given."""
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
        if this is not None:
            substitutions[ox.Variable("this")] = this
        try:
            answer = store.query(query, substitutions=substitutions)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ToolError(f"shape {self.shape}, {self.component}: the query failed: {exc}\n{query}") from exc
        if not isinstance(answer, kind):
            raise ToolError(f"shape {self.shape}, {self.component}: the query is not {_KINDS[kind]} query\n{query}")
        return answer


class SharedAnswers:
    """The answers of the queries that several checks share (a screen or the candidates of the
    same path in several shapes) on one store, each asked once however many checks share it,
    also when the checks run on several threads."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._answers: dict[str, object] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def answer(self, check: Check, screen: str) -> bool:
        return self._asked(screen, lambda: bool(check._query(self.store, screen, ox.QueryBoolean)))

    def solutions(self, check: Check, query: str) -> list[ox.QuerySolution]:
        return self._asked(query, lambda: list(check._query(self.store, query, ox.QuerySolutions)))

    def _asked(self, query: str, ask: Callable[[], Answer]) -> Answer:
        with self._lock:
            lock = self._locks.setdefault(query, threading.Lock())
        with lock:
            if query not in self._answers:
                self._answers[query] = ask()
            return cast(Answer, self._answers[query])


QueryKind = TypeVar("QueryKind", ox.QuerySolutions, ox.QueryBoolean)
Answer = TypeVar("Answer")
_KINDS = {ox.QuerySolutions: "a SELECT", ox.QueryBoolean: "an ASK"}


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

    def has_class(self, var: str, cls: URIRef) -> str: ...


# A constraint component: the check for one parameter's value in one shape.
Component = Callable[[Parameters, Scope, Node], Check]


@dataclass(frozen=True)
class ClassHierarchy:
    """The rdfs:subClassOf links of the data being validated, read once before the queries are
    written: an instance test then names the classes it accepts, which Oxigraph answers with
    one index lookup, instead of following rdf:type/rdfs:subClassOf* for every node."""

    subclasses: Mapping[Term, frozenset[Term]]  # class -> its direct subclasses

    @classmethod
    def of(cls, store: ox.Store) -> ClassHierarchy:
        found: dict[Term, set[Term]] = {}
        for row in store.query(f"SELECT ?sub ?super WHERE {{ ?sub {iri(RDFS.subClassOf)} ?super }}"):  # type: ignore[union-attr]
            found.setdefault(row["super"], set()).add(row["sub"])
        return cls({parent: frozenset(children) for parent, children in found.items()})

    def closure(self, cls: URIRef) -> list[ox.NamedNode] | None:
        """cls and every class below it, in a fixed order; None when one of them is a blank node,
        which a query cannot name."""
        top = ox.NamedNode(str(cls))
        seen: set[Term] = {top}
        todo: list[Term] = [top]
        while todo:
            for child in self.subclasses.get(todo.pop(), frozenset()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        if not all(isinstance(c, ox.NamedNode) for c in seen):
            return None
        return sorted((c for c in seen if isinstance(c, ox.NamedNode)), key=lambda c: c.value)


def instance_test(var: str, cls: URIRef, hierarchy: ClassHierarchy | None) -> str:
    """A SPARQL pattern that matches when the node var is an instance of cls or of a subclass
    (SHACL's instance test); with the hierarchy, the classes are named rather than followed."""
    classes = hierarchy.closure(cls) if hierarchy is not None else None
    if classes is None:
        return f"{var} {iri(RDF.type)}/{iri(RDFS.subClassOf)}* {iri(cls)} ."
    if len(classes) == 1:
        return f"{var} {iri(RDF.type)} {iri(cls)} ."
    bound = f"?{var.lstrip('?$')}Class"
    return f"{var} {iri(RDF.type)} {bound} . FILTER({bound} IN ({', '.join(str(c) for c in classes)}))"


def member_pattern(classes: list[URIRef], hierarchy: ClassHierarchy | None) -> str:
    """A SPARQL group pattern that matches when the bound ?this is an instance of one of the
    target classes or their subclasses (the test of one node that focus_pattern lists)."""
    return " UNION ".join(f"{{ {instance_test('?this', c, hierarchy)} }}" for c in classes)


def focus_pattern(classes: list[URIRef], hierarchy: ClassHierarchy | None) -> str:
    """A SPARQL group pattern binding ?this, once each, to every instance of the target classes
    and their subclasses: one index scan per class when the hierarchy is known."""
    named: set[str] = set()
    for cls in classes:
        closure = hierarchy.closure(cls) if hierarchy is not None else None
        if closure is None:
            union = " UNION ".join(f"{{ {instance_test('?this', c, None)} }}" for c in classes)
            return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        named.update(str(c) for c in closure)
    if len(named) == 1:
        return f"?this {iri(RDF.type)} {next(iter(named))} ."
    union = " UNION ".join(f"{{ ?this {iri(RDF.type)} {c} }}" for c in sorted(named))
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def select_query(scope: Scope, body: str, projection: str = "?this ?v") -> str:
    return f"SELECT {projection} WHERE {{ {scope.focus} {body} }}"


def value_check(scope: Scope, component: str, failing: str, results: Results, *, distinct_values: bool = False) -> Check:
    """The check of a test of each value node: `failing` (a FILTER, or a MINUS, on ?v alone)
    keeps the values that fail. On a property shape, the path is read with the test alone and
    only the few failing values are then kept for the shape's focus nodes (Candidates), rather
    than every focus node (millions, on an imported store) joined with its values; the same
    solutions either way. With distinct_values (for costly tests of paths with few distinct
    values, as sh:class), an ASK that tests each distinct value of the path once screens the
    store first: when no value fails anywhere, no focus node's value can."""
    if scope.path is None:
        return Check(scope.name, component, select_query(scope, f"{scope.values} {failing}"), results)
    query = f"SELECT ?this ?v WHERE {{ {{ SELECT ?this ?v WHERE {{ {scope.values} {failing} }} }} FILTER EXISTS {{ {scope.member} }} }}"
    # The distinct values are renamed and bound again: Oxigraph would otherwise move the test into
    # the sub-query, before the DISTINCT, and test every value.
    distinct = f"{{ SELECT DISTINCT (?v AS ?distinctValue) WHERE {{ {scope.values} }} }} BIND(?distinctValue AS ?v)"
    screen = f"ASK {{ {distinct} {failing} }}" if distinct_values else None
    candidates = Candidates(f"SELECT ?this ?v WHERE {{ {scope.values} {failing} }}", f"ASK {{ {scope.member} }}")
    return Check(scope.name, component, query, results, screen, candidates)


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

