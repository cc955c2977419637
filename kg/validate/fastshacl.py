"""A fast SHACL validator for large graphs held in a pyoxigraph Store.

It covers the part of SHACL that ontology/shapes.ttl uses and reports exactly what pySHACL (the
reference engine, kg.validate.shacl) reports, in the same Violation dataclasses. Instead of walking focus
nodes one by one, each constraint component is one SPARQL query over all focus nodes of its shape,
run by Oxigraph; SHACL-SPARQL constraints run once for all focus nodes, with $this joined to the
shape's targets.

Supported:
  node shapes with sh:targetClass (instances of subclasses included, as pySHACL does with the
    ontology mixed into the data graph), sh:property, sh:sparql, sh:message, sh:deactivated and,
    at node level, the value constraints below;
  property shapes with sh:path (an IRI or [sh:inversePath IRI]) and sh:minCount, sh:maxCount,
    sh:datatype, sh:class, sh:in, sh:pattern, sh:minInclusive, sh:maxLength, sh:or, sh:message;
  sh:or over shapes that are each [sh:datatype X], [sh:class X] or [sh:path P ; sh:minCount 1];
  sh:sparql SELECT constraints with $this, ?path, ?value and {?var} in their messages.
Anything else in the shapes graph raises UnsupportedShapeError, naming the shape and the feature.

Messages follow pySHACL: a property shape's results carry its own sh:message; results of a node
shape's own constraints carry the node shape's; a SPARQL constraint's carry its sh:message (or the
node shape's). Where pySHACL would make up a generic message ("Less than 1 values on ..."), this
engine refuses the shape instead: give the shape an sh:message.

Where SPARQL and pySHACL (Python and rdflib) can disagree on odd literals, a query selects a
superset of the failing values and the few candidates are decided in Python with pySHACL's own
rules: sh:datatype (ill-typed literals, as rdflib sees them) and sh:minInclusive (rdflib's
ordering). Two differences cannot be helped. Oxigraph stores valid literals in canonical form, so
a value written "05"^^xsd:integer or "1.0"^^xsd:decimal is checked and shown as "5" or "1". And
SHACL-SPARQL queries run with Oxigraph's standard SPARQL semantics, where pySHACL uses rdflib's,
which departs from the standard on odd data: rdflib finds "2021-06-01"^^xsd:date < -1 true (it
orders unrelated types by datatype IRI) where the standard has an error, and in a property path
it takes a subject that is the literal 0 (false in Python) for an unbound variable.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from kg.errors import ToolError
from kg.build.rdfmap import RecordIndex
from kg.terms import to_rdflib
from kg.validate.shacl import ValidationReport, make_violation, sort_violations

__all__ = ["Check", "UnsupportedShapeError", "compile_shapes", "validate_store"]


class UnsupportedShapeError(ToolError):
    """The shapes graph uses a SHACL feature this engine does not implement."""


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def validate_store(
    store: ox.Store,
    shapes: Graph,
    index: RecordIndex | None = None,
    *,
    prefixes: Graph | Mapping[str, str] | None = None,
) -> ValidationReport:
    """Validate the default graph of `store` (data and ontology together) against `shapes`.

    `prefixes` are used to show data terms (focus nodes, values): an rdflib Graph (its namespace
    bindings, e.g. the graph the data was parsed into, to show terms as kg.validate.shacl.validate does) or
    a prefix -> namespace mapping. By default the prefixes of the shapes graph are used.
    The whole shapes graph is checked before any query runs."""
    checks = compile_shapes(shapes)
    results = [result for check in checks for result in check.run(store)]
    display = _display_graph(shapes, prefixes)
    index = index or RecordIndex()
    with _quiet_rdflib():
        violations = sort_violations(
            make_violation(
                focus=to_rdflib(r.focus),
                path=r.path,
                value=to_rdflib(r.value) if r.value is not None else None,
                source_shape=r.source_shape,
                message=r.message,
                severity=SH.Violation,
                shapes=shapes,
                data=display,
                index=index,
            )
            for r in results
        )
    return ValidationReport(not violations, violations)


# ---------------------------------------------------------------------------------------------
# Compiled shapes: one Check per constraint component (or SPARQL constraint) of a shape
# ---------------------------------------------------------------------------------------------


_Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class _Result:
    """One validation result before it is shown: data terms are still Oxigraph terms."""

    focus: _Term
    source_shape: Node
    path: Node | None
    value: _Term | None
    message: str | None


# How a check turns the solutions of its query into results.
_Results = Callable[[list[ox.QuerySolution]], Iterator[_Result]]


@dataclass(frozen=True)
class _Scope:
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
    results: _Results

    def run(self, store: ox.Store) -> list[_Result]:
        try:
            solutions = store.query(self.query)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ToolError(f"shape {self.shape}, {self.component}: the query failed: {exc}\n{self.query}") from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise ToolError(f"shape {self.shape}, {self.component}: the query is not a SELECT query\n{self.query}")
        return list(self.results(list(solutions)))


# The SHACL terms each kind of shape may use. Other predicates outside the SHACL namespace are
# not SHACL features and are ignored, as pySHACL ignores them.
_NON_VALIDATING = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
_VALUE_PARAMETERS = {URIRef(str(SH) + name) for name in ("class", "datatype", "in", "pattern", "minInclusive", "maxLength", "or")}
_NODE_SHAPE_TERMS = {SH.targetClass, SH.property, SH.sparql, SH.message, SH.deactivated} | _VALUE_PARAMETERS | _NON_VALIDATING
_PROPERTY_SHAPE_TERMS = {SH.path, SH.minCount, SH.maxCount, SH.message, SH.deactivated} | _VALUE_PARAMETERS | _NON_VALIDATING
_SPARQL_CONSTRAINT_TERMS = {SH.select, SH.message, SH.prefixes, SH.deactivated}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape, SH.Shape}
_MULTI_VALUED = {SH.targetClass, SH.property, SH.sparql}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every check of the shapes graph; raises UnsupportedShapeError for anything unsupported."""
    compiler = _Compiler(shapes)
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
    node_shapes |= {s for p in _TARGETS for s in shapes.subjects(p, None)}
    node_shapes |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if not shapes.value(None, SH.property, s)}
    checks = [check for shape in sorted(node_shapes, key=str) for check in compiler.node_shape(shape)]
    compiler.check_nothing_left()
    return checks


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.used: set[Node] = set()  # every node of the shapes graph that was understood

    # -- shapes ---------------------------------------------------------------------------
    # Every shape is compiled in full, even when deactivated or without targets, so that
    # anything unsupported in it is reported.

    def node_shape(self, shape: Node) -> list[Check]:
        g = self.g
        name = self.name(shape)
        self.used.add(shape)
        if g.value(shape, SH.path) is not None:
            raise self.unsupported(shape, "a property shape that is not the object of an sh:property")
        self.check_terms(shape, _NODE_SHAPE_TERMS, "node shape")
        self.check_types(shape)
        classes: list[URIRef] = []
        for cls in sorted(g.objects(shape, SH.targetClass), key=str):
            if not isinstance(cls, URIRef):
                raise self.unsupported(shape, f"sh:targetClass {self.show(cls)} (only IRIs are supported)")
            classes.append(cls)
        union = " UNION ".join(f"{{ ?this {_iri(RDF.type)}/{_iri(RDFS.subClassOf)}* {_iri(c)} }}" for c in classes)
        focus = f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        scope = _Scope(shape, name, focus, None, "BIND(?this AS ?v)", self.message(shape))
        checks = self.value_checks(scope, node_level=True)
        for prop in sorted(g.objects(shape, SH.property), key=str):
            checks += self.property_shape(prop, parent=scope)
        for constraint in sorted(g.objects(shape, SH.sparql), key=str):
            checks += self.sparql_constraint(constraint, scope)
        # Without targets, pySHACL validates a shape only when another shape refers to it,
        # which none of the supported features does.
        return [] if self.deactivated(shape) or not classes else checks

    def property_shape(self, shape: Node, parent: _Scope) -> list[Check]:
        g = self.g
        self.used.add(shape)
        path = g.value(shape, SH.path)
        if isinstance(shape, BNode):
            on = self.show(path) if isinstance(path, URIRef) else f"[{self.describe(path)}]" if path is not None else "without sh:path"
            name = f"{parent.name} (property {on})"
        else:
            name = self.name(shape)
        self.check_terms(shape, _PROPERTY_SHAPE_TERMS, "property shape", name)
        self.check_types(shape, name)
        if path is None:
            raise self.unsupported(shape, "an sh:property value without sh:path", name)
        step = self.path(path, name)
        scope = _Scope(shape, name, parent.focus, path, step("?this", "?v"), self.message(shape))
        checks = []
        min_count = self.integer(shape, SH.minCount, name)
        if min_count is not None:
            checks.append(_min_count(scope, min_count))
        max_count = self.integer(shape, SH.maxCount, name)
        if max_count is not None:
            checks.append(_max_count(scope, max_count))
        checks += self.value_checks(scope, node_level=False)
        if checks and scope.message is None:
            raise self.unsupported(
                shape, "a property shape without sh:message (pySHACL would make up a generic message); add an sh:message", name
            )
        return [] if self.deactivated(shape) else checks

    def value_checks(self, scope: _Scope, *, node_level: bool) -> list[Check]:
        """The components that test each value node: the same at node and property level."""
        g, shape, name = self.g, scope.shape, scope.name
        checks = []
        for parameter in _VALUE_PARAMETERS_IN_ORDER:
            value = g.value(shape, parameter)
            if value is None:
                continue
            if node_level and scope.message is None:
                raise self.unsupported(
                    shape, "a node shape with constraints of its own but no sh:message (pySHACL would make up a generic message)"
                )
            if parameter == SH_class:
                checks.append(_class(scope, self.iri(value, parameter, name)))
            elif parameter == SH.datatype:
                checks.append(_datatype(scope, self.datatype(value, name)))
            elif parameter == SH_in:
                checks.append(_in(scope, [self.term(v, name) for v in self.list_items(value, parameter, name)]))
            elif parameter == SH.pattern:
                checks.append(_pattern(scope, self.pattern(value, name)))
            elif parameter == SH.minInclusive:
                if not isinstance(value, Literal):
                    raise self.unsupported(shape, f"sh:minInclusive {self.show(value)} (must be a literal)", name)
                checks.append(_min_inclusive(scope, value))
            elif parameter == SH.maxLength:
                checks.append(_max_length(scope, self.non_negative(shape, parameter, value, name)))
            elif parameter == SH_or:
                members = [self.or_member(m, name) for m in self.list_items(value, parameter, name)]
                checks.append(_or(scope, members))
        return checks

    def or_member(self, member: Node, name: str) -> _Member:
        """A member of sh:or: [sh:datatype X], [sh:class X] or [sh:path P ; sh:minCount 1]."""
        g = self.g
        self.used.add(member)
        self.check_types(member, name)
        terms = {p for p in g.predicates(member, None) if _is_shacl(p) and p not in _NON_VALIDATING | {SH.message}}
        if terms == {SH.datatype}:
            datatype = self.datatype(next(g.objects(member, SH.datatype)), name)
            return _Member(_datatype_test("?v", datatype), datatype)
        if terms == {SH_class}:
            cls = self.iri(next(g.objects(member, SH_class)), SH_class, name)
            return _Member(f"EXISTS {{ {_has_class('?v', cls)} }}", None)
        if terms == {SH.path, SH.minCount} and self.integer(member, SH.minCount, name) == 1:
            return _Member(f"EXISTS {{ {self.path(next(g.objects(member, SH.path)), name)('?v', '?orValue')} }}", None)
        shown = ", ".join(sorted(self.show(p) for p in terms)) or "no constraint"
        raise self.unsupported(
            member, f"an sh:or member with {shown} (supported: [sh:datatype X], [sh:class X], [sh:path P ; sh:minCount 1])", name
        )

    def sparql_constraint(self, constraint: Node, scope: _Scope) -> list[Check]:
        g = self.g
        self.used.add(constraint)
        name = f"{scope.name} (SPARQL constraint)"
        self.check_terms(constraint, _SPARQL_CONSTRAINT_TERMS, "SPARQL constraint", name)
        for t in g.objects(constraint, RDF.type):
            if t != SH.SPARQLConstraint:
                raise self.unsupported(constraint, f"rdf:type {self.show(t)} on an sh:sparql value", name)
        select = g.value(constraint, SH.select)
        if not isinstance(select, Literal):
            raise self.unsupported(constraint, "an sh:sparql constraint without an sh:select query", name)
        own = self.message(constraint, name)
        if own is not None and scope.message is not None:
            raise self.unsupported(
                constraint, "sh:message on both a node shape and its SPARQL constraint (pySHACL reports both, in no fixed order)", name
            )
        prefixes = self.sparql_prefixes(constraint, name)
        check = _sparql(scope, name, str(select), prefixes, own if own is not None else scope.message)
        return [] if self.deactivated(constraint) else [check]

    # -- parameters -------------------------------------------------------------------------

    def path(self, path: Node, name: str) -> Callable[[str, str], str]:
        """A supported sh:path, as a function (subject, object) -> SPARQL triple pattern."""
        if isinstance(path, URIRef):
            return lambda s, o: f"{s} {_iri(path)} {o} ."
        if isinstance(path, BNode):
            self.used.add(path)
            inverse = self.g.value(path, SH.inversePath)
            if isinstance(inverse, URIRef) and set(self.g.predicate_objects(path)) == {(SH.inversePath, inverse)}:
                return lambda s, o: f"{o} {_iri(inverse)} {s} ."
        raise self.unsupported(None, f"the path {self.describe(path)} (supported: an IRI, or [sh:inversePath IRI])", name)

    def datatype(self, value: Node, name: str) -> URIRef:
        datatype = self.iri(value, SH.datatype, name)
        if datatype == RDFS.Datatype:
            raise self.unsupported(None, "sh:datatype rdfs:Datatype (RDF 1.0 and 1.1 disagree about plain literals)", name)
        return datatype

    def pattern(self, value: Node, name: str) -> str:
        if not isinstance(value, Literal):
            raise self.unsupported(None, f"sh:pattern {self.show(value)} (must be a literal)", name)
        text = str(value.value) if value.value is not None and len(value.value) > 1 else str(value)
        try:
            re.compile(text)
        except re.error as exc:
            raise self.unsupported(None, f"sh:pattern {text!r}, which Python cannot compile: {exc}", name) from exc
        return text

    def integer(self, shape: Node, parameter: URIRef, name: str) -> int | None:
        value = self.g.value(shape, parameter)
        return None if value is None else self.non_negative(shape, parameter, value, name)

    def non_negative(self, shape: Node, parameter: URIRef, value: Node, name: str) -> int:
        number = value.value if isinstance(value, Literal) else None
        if not (type(number) is int and number >= 0):
            raise self.unsupported(shape, f"{self.show(parameter)} {self.show(value)} (must be a non-negative integer)", name)
        return number

    def iri(self, value: Node, parameter: URIRef, name: str) -> URIRef:
        if not isinstance(value, URIRef):
            raise self.unsupported(None, f"{self.show(parameter)} {self.show(value)} (must be an IRI)", name)
        return value

    def term(self, value: Node, name: str) -> Node:
        if isinstance(value, BNode):
            raise self.unsupported(None, "a blank node as a value in sh:in", name)
        return value

    def list_items(self, head: Node, parameter: URIRef, name: str) -> list[Node]:
        items: list[Node] = []
        node: Node = head
        seen: set[Node] = set()
        while node != RDF.nil:
            first, rest = self.g.value(node, RDF.first), self.g.value(node, RDF.rest)
            if first is None or rest is None or node in seen:
                raise self.unsupported(None, f"{self.show(parameter)} whose value is not a well-formed RDF list", name)
            seen.add(node)
            items.append(first)
            node = rest
        if not items:
            raise self.unsupported(None, f"an empty {self.show(parameter)} list", name)
        return items

    def message(self, node: Node, name: str | None = None) -> str | None:
        messages = list(self.g.objects(node, SH.message))
        if len(messages) > 1:
            raise self.unsupported(node, "more than one sh:message (pySHACL would report them all, in no fixed order)", name)
        return str(messages[0]) if messages else None

    def deactivated(self, node: Node) -> bool:
        value = self.g.value(node, SH.deactivated)
        return isinstance(value, Literal) and value.value is True

    def sparql_prefixes(self, constraint: Node, name: str) -> dict[str, str]:
        """The prefixes pySHACL declares for a SPARQL constraint: rdf, rdfs, owl, and those
        declared (sh:declare) by its sh:prefixes node and, unless that node is an ontology with
        declarations of its own, by every ontology of the shapes graph."""
        g = self.g
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        graph_declares = set(g.objects(g.identifier, SH.declare))
        global_declares = graph_declares.union(*(set(g.objects(o, SH.declare)) for o in ontologies))
        declared: dict[str, str] = {}
        for holder in g.objects(constraint, SH.prefixes):
            own = set(g.objects(holder, SH.declare))
            declares = own | graph_declares if own and holder in ontologies else global_declares | own
            for declare in declares:
                self.used.add(declare)
                prefix, namespace = g.value(declare, SH.prefix), g.value(declare, SH.namespace)
                if not isinstance(prefix, Literal) or not isinstance(namespace, Literal):
                    raise self.unsupported(declare, "an sh:declare without one sh:prefix and one sh:namespace literal", name)
                if declared.setdefault(str(prefix), str(namespace)) != str(namespace):
                    raise self.unsupported(declare, f"the prefix {prefix} declared for two namespaces", name)
        return {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)} | declared

    # -- checks of the shapes graph ---------------------------------------------------------

    def check_terms(self, node: Node, allowed: set[URIRef], kind: str, name: str | None = None) -> None:
        for p in sorted(set(self.g.predicates(node, None)), key=str):
            if _is_shacl(p) and p not in allowed:
                raise self.unsupported(node, f"{self.show(p)} on a {kind}", name)
            if _is_shacl(p) and p not in _MULTI_VALUED and len(set(self.g.objects(node, p))) > 1:
                raise self.unsupported(node, f"more than one value of {self.show(p)}", name)

    def check_types(self, node: Node, name: str | None = None) -> None:
        class_types = {RDFS.Class, OWL.Class} | set(self.g.subjects(RDFS.subClassOf, RDFS.Class))
        for t in self.g.objects(node, RDF.type):
            if t in class_types:
                raise self.unsupported(node, f"a shape that is also a class ({self.show(t)}): implicit class targets", name)
            if _is_shacl(t) and t not in _SHAPE_TYPES:
                raise self.unsupported(node, f"rdf:type {self.show(t)} on a shape", name)

    def check_nothing_left(self) -> None:
        """A node with SHACL terms that no supported construct accounts for (a custom constraint
        component, a rule, a function, a shape reached only through an unsupported feature...)
        is refused rather than silently ignored."""
        for subject in sorted(set(self.g.subjects(None, None)), key=str):
            if subject in self.used:
                continue
            terms = {p for p in self.g.predicates(subject, None) if _is_shacl(p) and p != SH.declare}
            terms |= {t for t in self.g.objects(subject, RDF.type) if _is_shacl(t)}
            if terms and not (terms <= {SH.prefix, SH.namespace} and self.g.value(None, SH.declare, subject) is not None):
                shown = ", ".join(sorted(self.show(t) for t in terms))
                raise self.unsupported(subject, f"{shown}, outside any supported shape or constraint")

    # -- naming -----------------------------------------------------------------------------

    def unsupported(self, node: Node | None, feature: str, name: str | None = None) -> UnsupportedShapeError:
        where = name or (self.name(node) if node is not None else "?")
        return UnsupportedShapeError(f"shape {where}: not supported by the fast SHACL engine: {feature}")

    def name(self, node: Node) -> str:
        return self.show(node) if isinstance(node, URIRef) else f"[{self.describe(node)}]"

    def show(self, term: Node) -> str:
        return term.n3(self.g.namespace_manager)

    def describe(self, node: Node) -> str:
        if not isinstance(node, BNode):
            return self.show(node)
        parts = sorted(f"{self.show(p)} {self.show(o)}" for p, o in self.g.predicate_objects(node))
        text = " ; ".join(parts) or ""
        return text if len(text) <= 120 else text[:117] + "..."


SH_class, SH_in, SH_or = URIRef(str(SH) + "class"), URIRef(str(SH) + "in"), URIRef(str(SH) + "or")
_VALUE_PARAMETERS_IN_ORDER = (SH_class, SH.datatype, SH_in, SH.pattern, SH.minInclusive, SH.maxLength, SH_or)


def _is_shacl(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(SH))


# ---------------------------------------------------------------------------------------------
# Constraint components: one query each, over all focus nodes of the shape
# ---------------------------------------------------------------------------------------------


def _select(scope: _Scope, body: str, projection: str = "?this ?v") -> str:
    return f"SELECT {projection} WHERE {{ {scope.focus} {body} }}"


def _value_results(scope: _Scope, keep: Callable[[_Term], bool] | None = None) -> _Results:
    """Results for rows (?this, ?v): one per failing value node, sh:value the value."""

    def results(solutions: list[ox.QuerySolution]) -> Iterator[_Result]:
        for row in solutions:
            value = row["v"]
            if keep is None or keep(value):
                yield _Result(row["this"], scope.shape, scope.path, value, scope.message)

    return results


def _focus_results(scope: _Scope) -> _Results:
    """Results for rows (?this): one per failing focus node, no sh:value."""

    def results(solutions: list[ox.QuerySolution]) -> Iterator[_Result]:
        for row in solutions:
            yield _Result(row["this"], scope.shape, scope.path, None, scope.message)

    return results


def _min_count(scope: _Scope, n: int) -> Check:
    if n == 0:
        query = _select(scope, "FILTER(false)", "?this")
    elif n == 1:
        query = _select(scope, f"FILTER NOT EXISTS {{ {scope.values} }}", "?this")
    else:
        query = _select(scope, f"OPTIONAL {{ {scope.values} }}", "?this") + f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
    return Check(scope.name, f"sh:minCount {n}", query, _focus_results(scope))


def _max_count(scope: _Scope, n: int) -> Check:
    if n == 0:
        query = _select(scope, f"FILTER EXISTS {{ {scope.values} }}", "?this")
    else:
        query = _select(scope, scope.values, "?this") + f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
    return Check(scope.name, f"sh:maxCount {n}", query, _focus_results(scope))


def _class(scope: _Scope, cls: URIRef) -> Check:
    # Literals have no rdf:type, so they fail, as in pySHACL.
    query = _select(scope, f"{scope.values} FILTER NOT EXISTS {{ {_has_class('?v', cls)} }}")
    return Check(scope.name, f"sh:class {cls}", query, _value_results(scope))


def _datatype(scope: _Scope, datatype: URIRef) -> Check:
    # The query finds every value that is not a well-formed literal of the datatype as Oxigraph
    # sees it; pySHACL's rules (rdflib's idea of ill-typed) have the last word on the literals of
    # that datatype, which are few among the candidates.
    query = _select(scope, f"{scope.values} FILTER(!{_datatype_test('?v', datatype)})")
    keep = lambda v: not _datatype_conforms(v, datatype)  # noqa: E731
    return Check(scope.name, f"sh:datatype {datatype}", query, _value_results(scope, keep))


def _in(scope: _Scope, allowed: list[Node]) -> Check:
    test = " || ".join(f"sameTerm(?v, {_sparql_term(a)})" for a in allowed)
    query = _select(scope, f"{scope.values} FILTER(!({test}))")
    return Check(scope.name, "sh:in", query, _value_results(scope))


def _pattern(scope: _Scope, pattern: str) -> Check:
    regex = str(ox.Literal(_to_rust_regex(pattern)))  # escaped by the RDF library
    query = _select(scope, f"{scope.values} FILTER(isBlank(?v) || !REGEX(STR(?v), {regex}))")
    return Check(scope.name, f"sh:pattern {pattern}", query, _value_results(scope))


def _min_inclusive(scope: _Scope, minimum: Literal) -> Check:
    # Values that SPARQL cannot show to be >= the minimum are candidates; pySHACL's comparison
    # (rdflib's ordering of literals) decides.
    query = _select(scope, f"{scope.values} FILTER(!COALESCE(?v >= {_sparql_term(minimum)}, false))")
    keep = lambda v: not _min_inclusive_conforms(v, minimum)  # noqa: E731
    return Check(scope.name, f"sh:minInclusive {minimum}", query, _value_results(scope, keep))


def _max_length(scope: _Scope, n: int) -> Check:
    query = _select(scope, f"{scope.values} FILTER(isBlank(?v) || STRLEN(STR(?v)) > {n})")
    return Check(scope.name, f"sh:maxLength {n}", query, _value_results(scope))


@dataclass(frozen=True)
class _Member:
    """A member shape of sh:or: the SPARQL test that the value ?v conforms to it, and its
    sh:datatype, if that is what it is (pySHACL's rules then decide the candidates)."""

    test: str
    datatype: URIRef | None


def _or(scope: _Scope, members: list[_Member]) -> Check:
    query = _select(scope, f"{scope.values} FILTER(!({' || '.join(m.test for m in members)}))")
    datatypes = [m.datatype for m in members if m.datatype is not None]
    keep = lambda v: not any(_datatype_conforms(v, d) for d in datatypes)  # noqa: E731
    return Check(scope.name, "sh:or", query, _value_results(scope, keep if datatypes else None))


# -- SHACL-SPARQL -------------------------------------------------------------------------------

_UNSUPPORTED_SPARQL = [
    (re.compile(r"\bMINUS\s*\{", re.I), "MINUS (not allowed in SPARQL constraints)"),
    (re.compile(r"\bVALUES\s*[\(\{\?\$]", re.I), "VALUES (not allowed in SPARQL constraints)"),
    (re.compile(r"\bSERVICE\b", re.I), "SERVICE (not allowed in SPARQL constraints)"),
    (re.compile(r"[\$\?](PATH|currentShape|shapesGraph)\b"), "the pre-bound variable $\\1"),
    (re.compile(r"\bAS\s+[\$\?]this\b", re.I), "re-binding $this with AS"),
]


def _sparql(scope: _Scope, name: str, select: str, prefixes: dict[str, str], message: str | None) -> Check:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    for regex, feature in _UNSUPPORTED_SPARQL:
        found = regex.search(select)
        if found:
            raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: {found.expand(feature)}")
    projected = _check_select(prologue + select, name)
    brace = _where_brace(select, name)
    # $this is joined to the focus nodes by putting the target pattern first in the WHERE
    # group: the query then runs once for all focus nodes, with the meaning of pySHACL's
    # pre-binding of $this (filters, EXISTS and OPTIONAL see ?this bound).
    query = prologue + select[: brace + 1] + f" {scope.focus} " + select[brace + 1 :]
    others = [v for v in projected if v not in ("this", "path", "value")]

    def results(solutions: list[ox.QuerySolution]) -> Iterator[_Result]:
        seen = set()
        for row in solutions:
            focus, path, value = row["this"], _get(row, "path"), _get(row, "value")
            bound = {v: row[v] for v in others if row[v] is not None}
            key = (focus, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            yield _Result(
                focus,
                scope.shape,
                to_rdflib(path) if path is not None else None,
                value,
                _fill_message(message, bound, focus, path, value if value is not None else focus),
            )

    return Check(name, "sh:sparql", query, results)


def _get(row: ox.QuerySolution, variable: str) -> _Term | None:
    try:
        term: _Term | None = row[variable]
    except (KeyError, IndexError):
        return None
    return term


@functools.lru_cache(maxsize=256)
def _check_select(text: str, name: str) -> tuple[str, ...]:
    """Parse the query (with rdflib, for a clear syntax error) and check that it can run once for
    all focus nodes: $this projected, no LIMIT/OFFSET, no aggregation that is not grouped by $this.
    Remembered: rdflib's parser takes most of the time of compiling the project's shapes."""
    try:
        query = prepareQuery(text)
    except Exception as exc:  # pyparsing raises its own exception types
        raise UnsupportedShapeError(f"shape {name}: the sh:select query does not parse: {exc}") from exc
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that is not a SELECT")
    if algebra.get("datasetClause"):
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: FROM in a SPARQL constraint")
    projected = tuple(str(v) for v in algebra["PV"])
    if "failure" in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: the ?failure variable")
    if "this" not in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that does not select $this")
    node = algebra.p
    while isinstance(node, CompValue):
        if node.name == "Slice":
            raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: LIMIT or OFFSET in a SPARQL constraint")
        if node.name == "Group" and Variable("this") not in (node.get("expr") or []):
            raise UnsupportedShapeError(
                f"shape {name}: not supported by the fast SHACL engine: aggregation that is not grouped by $this"
            )
        if node.name not in ("Project", "Distinct", "Reduced", "OrderBy", "Extend", "Filter", "AggregateJoin", "Group"):
            break
        node = node.p
    return projected


def _where_brace(text: str, name: str) -> int:
    """The position of the brace that opens the WHERE group of a SELECT query: the first '{'
    outside comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote) - 1
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            i = text.index(">", i)
        elif c == "{":
            if re.search(r"\bEXISTS\b", text[:i], re.I):
                raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: EXISTS in the SELECT clause")
            return i
        i += 1
    raise UnsupportedShapeError(f"shape {name}: the sh:select query has no WHERE group")


def _fill_message(message: str | None, bound: dict[str, _Term], this: _Term, path: _Term | None, value: _Term) -> str | None:
    """pySHACL's {?var} substitution, in its order: other variables, then this, path, value."""
    if message is None:
        return None
    values = {var: to_rdflib(term) for var, term in bound.items()}
    for var, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            values[var] = to_rdflib(term)
    for var, node in values.items():
        message = re.sub("{{[?$]{}}}".format(var), str(node), message)
    return message


# ---------------------------------------------------------------------------------------------
# Value tests: SPARQL expressions, and pySHACL's rules for the candidates they leave
# ---------------------------------------------------------------------------------------------

# XSD datatypes Oxigraph can cast to: a literal of one of these is well-formed if it casts.
_CASTABLE = {
    XSD[t]
    for t in (
        "string boolean integer decimal double float date dateTime time gYearMonth gYear gMonthDay gDay gMonth "
        "duration yearMonthDuration dayTimeDuration"
    ).split()
}


def _datatype_test(var: str, datatype: URIRef) -> str:
    """A SPARQL expression true only for values pySHACL surely accepts for sh:datatype."""
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    same = f"isLiteral({var}) && datatype({var}) = {_iri(datatype)}"
    if datatype in (XSD.string, RDF.langString):
        return f"({same})"
    if datatype not in _CASTABLE:
        return "false"  # every value is a candidate; Python decides
    test = f"{same} && COALESCE(isLiteral({_iri(datatype)}({var})), false)"
    if datatype in (XSD.date, XSD.dateTime):
        # Python's dates (rdflib) only know the years 1 to 9999.
        test += f" && COALESCE(YEAR({var}) >= 1 && YEAR({var}) <= 9999, false)"
    return f"({test})"


_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _datatype_conforms(term: _Term, datatype: URIRef) -> bool:
    """pySHACL's DatatypeConstraintComponent on one value."""
    with _quiet_rdflib():
        v = to_rdflib(term)
    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and _actual_datatype(v, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and datatype == XSD.string:
        return _actual_datatype(v, datatype)
    if datatype == RDF.langString and v.language:
        return _actual_datatype(v, datatype)
    return False


def _actual_datatype(v: Literal, datatype: URIRef) -> bool:
    expected = _PYTHON_TYPES.get(datatype)
    return True if expected is None else isinstance(v.value, expected)


def _min_inclusive_conforms(term: _Term, minimum: Literal) -> bool:
    """pySHACL's MinInclusiveConstraintComponent on one value."""
    from pyshacl.rdfutil import compare_literal  # here: importing pySHACL takes longer than a whole validation

    with _quiet_rdflib():
        v = to_rdflib(term)
    if not isinstance(v, Literal):
        return False
    if isinstance(minimum.value, str) != isinstance(v.value, str):
        return False
    try:
        return bool(compare_literal(v, minimum) >= 0)
    except (TypeError, NotImplementedError):
        return False


def _has_class(var: str, cls: URIRef) -> str:
    return f"{var} {_iri(RDF.type)}/{_iri(RDFS.subClassOf)}* {_iri(cls)} ."


def _to_rust_regex(pattern: str) -> str:
    """pySHACL matches sh:pattern with Python's re, whose `$` also matches before a final
    newline; in Oxigraph's regex engine `$` is the end of the text only. Other constructs SHACL
    patterns use mean the same in both; those Oxigraph lacks (look-around, back-references) make
    the query fail with an error naming the shape."""
    out, i, class_start = [], 0, None  # class_start: index of the first member of an open [...]
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if class_start is not None:
            if c == "]" and i > class_start:
                class_start = None
        elif c == "[":
            class_start = i + (2 if pattern.startswith("[^", i) else 1)
        elif c == "$":
            c = "(?:\\n?$)"
        out.append(c)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


def _iri(term: URIRef) -> str:
    return f"<{term}>"


def _sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapeError(f"not supported by the fast SHACL engine: the blank node {term} as a value in a shape")


def _display_graph(shapes: Graph, prefixes: Graph | Mapping[str, str] | None) -> Graph:
    if isinstance(prefixes, Graph):
        return prefixes
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (shapes.namespaces() if prefixes is None else prefixes.items()):
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a warning with a traceback for every ill-typed literal it is given; the
    validation reports those literals itself."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
