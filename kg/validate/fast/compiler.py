"""The shapes graph -> Checks: walks the node and property shapes, reads their parameters and
refuses, naming the shape, anything the fast engine does not implement."""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kg.validate.fast.checks import SH_class, Check, ClassHierarchy, Scope, UnsupportedShapeError, focus_pattern, instance_test, iri, member_pattern
from kg.validate.fast.components import COUNT_COMPONENTS, VALUE_COMPONENTS
from kg.validate.fast.components.logical import Member
from kg.validate.fast.components.value_type import datatype_test
from kg.validate.fast.sparql import sparql_check


# The SHACL terms each kind of shape may use. Other predicates outside the SHACL namespace are
# not SHACL features and are ignored, as pySHACL ignores them.
_NON_VALIDATING = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
_NODE_SHAPE_TERMS = {SH.targetClass, SH.property, SH.sparql, SH.message, SH.deactivated} | set(VALUE_COMPONENTS) | _NON_VALIDATING
_PROPERTY_SHAPE_TERMS = (
    {SH.path, SH.message, SH.deactivated} | set(COUNT_COMPONENTS) | set(VALUE_COMPONENTS) | _NON_VALIDATING
)
_SPARQL_CONSTRAINT_TERMS = {SH.select, SH.message, SH.prefixes, SH.deactivated}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape, SH.Shape}
_MULTI_VALUED = {SH.targetClass, SH.property, SH.sparql}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}


def compile_shapes(shapes: Graph, hierarchy: ClassHierarchy | None = None) -> list[Check]:
    """Every check of the shapes graph; raises UnsupportedShapeError for anything unsupported.
    With the class hierarchy of the data (ClassHierarchy.of(store)), instance tests name the
    classes they accept: the checks are then valid for that data only."""
    compiler = _Compiler(shapes, hierarchy)
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
    node_shapes |= {s for p in _TARGETS for s in shapes.subjects(p, None)}
    node_shapes |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if not shapes.value(None, SH.property, s)}
    checks = [check for shape in sorted(node_shapes, key=str) for check in compiler.node_shape(shape)]
    compiler.check_nothing_left()
    return checks


class _Compiler:
    def __init__(self, shapes: Graph, hierarchy: ClassHierarchy | None):
        self.g = shapes
        self.hierarchy = hierarchy
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
        focus, member = focus_pattern(classes, self.hierarchy), member_pattern(classes, self.hierarchy)
        scope = Scope(shape, name, focus, member, None, "BIND(?this AS ?v)", self.message(shape))
        checks = self.value_checks(scope, node_level=True)
        for prop in sorted(g.objects(shape, SH.property), key=str):
            checks += self.property_shape(prop, parent=scope)
        for constraint in sorted(g.objects(shape, SH.sparql), key=str):
            checks += self.sparql_constraint(constraint, scope)
        # Without targets, pySHACL validates a shape only when another shape refers to it,
        # which none of the supported features does.
        return [] if self.deactivated(shape) or not classes else checks

    def property_shape(self, shape: Node, parent: Scope) -> list[Check]:
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
        scope = Scope(shape, name, parent.focus, parent.member, path, step("?this", "?v"), self.message(shape))
        checks = [
            component(self, scope, value)
            for parameter, component in COUNT_COMPONENTS.items()
            if (value := g.value(shape, parameter)) is not None
        ]
        checks += self.value_checks(scope, node_level=False)
        if checks and scope.message is None:
            raise self.unsupported(
                shape, "a property shape without sh:message (pySHACL would make up a generic message); add an sh:message", name
            )
        return [] if self.deactivated(shape) else checks

    def value_checks(self, scope: Scope, *, node_level: bool) -> list[Check]:
        """The components that test each value node: the same at node and property level."""
        checks = []
        for parameter, component in VALUE_COMPONENTS.items():
            value = self.g.value(scope.shape, parameter)
            if value is None:
                continue
            if node_level and scope.message is None:
                raise self.unsupported(
                    scope.shape, "a node shape with constraints of its own but no sh:message (pySHACL would make up a generic message)"
                )
            checks.append(component(self, scope, value))
        return checks

    def or_member(self, member: Node, name: str) -> Member:
        """A member of sh:or: [sh:datatype X], [sh:class X] or [sh:path P ; sh:minCount 1]."""
        g = self.g
        self.used.add(member)
        self.check_types(member, name)
        terms = {p for p in g.predicates(member, None) if _is_shacl(p) and p not in _NON_VALIDATING | {SH.message}}
        if terms == {SH.datatype}:
            datatype = self.datatype(next(g.objects(member, SH.datatype)), name)
            return Member(datatype_test("?v", datatype), datatype)
        if terms == {SH_class}:
            cls = self.iri(next(g.objects(member, SH_class)), SH_class, name)
            return Member(f"EXISTS {{ {self.has_class('?v', cls)} }}")
        if terms == {SH.path, SH.minCount} and self.integer(member, SH.minCount, name) == 1:
            return Member(None, path=self.path(next(g.objects(member, SH.path)), name)("?v", "?orValue"))
        shown = ", ".join(sorted(self.show(p) for p in terms)) or "no constraint"
        raise self.unsupported(
            member, f"an sh:or member with {shown} (supported: [sh:datatype X], [sh:class X], [sh:path P ; sh:minCount 1])", name
        )

    def sparql_constraint(self, constraint: Node, scope: Scope) -> list[Check]:
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
        check = sparql_check(scope, name, str(select), prefixes, own if own is not None else scope.message)
        return [] if self.deactivated(constraint) else [check]

    # -- parameters -------------------------------------------------------------------------

    def has_class(self, var: str, cls: URIRef) -> str:
        return instance_test(var, cls, self.hierarchy)

    def path(self, path: Node, name: str) -> Callable[[str, str], str]:
        """A supported sh:path, as a function (subject, object) -> SPARQL triple pattern."""
        if isinstance(path, URIRef):
            return lambda s, o: f"{s} {iri(path)} {o} ."
        if isinstance(path, BNode):
            self.used.add(path)
            inverse = self.g.value(path, SH.inversePath)
            if isinstance(inverse, URIRef) and set(self.g.predicate_objects(path)) == {(SH.inversePath, inverse)}:
                return lambda s, o: f"{o} {iri(inverse)} {s} ."
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

    def literal(self, value: Node, parameter: URIRef, name: str) -> Literal:
        if not isinstance(value, Literal):
            raise self.unsupported(None, f"{self.show(parameter)} {self.show(value)} (must be a literal)", name)
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




def _is_shacl(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(SH))

