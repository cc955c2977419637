"""Logical constraint components: sh:or over members that are each [sh:datatype X],
[sh:class X] or [sh:path P ; sh:minCount 1]."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kg.validate.fast.checks import SH_or, Check, Parameters, Scope, value_check, value_results
from kg.validate.fast.components.value_type import datatype_conforms


@dataclass(frozen=True)
class Member:
    """A member shape of sh:or: how the value ?v conforms to it, either `test`, a SPARQL
    expression, or `path`, a pattern with solutions when it does ([sh:path P ; sh:minCount 1]);
    and its sh:datatype, if that is what it is (pySHACL's rules then decide the candidates)."""

    test: str | None
    datatype: URIRef | None = None
    path: str | None = None


def or_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    members = [parameters.or_member(member, scope.name) for member in parameters.list_items(value, SH_or, scope.name)]
    # A value fails when it conforms to no member. MINUS for the path members: one anti-join with
    # the subjects of each path, where EXISTS would look each value up.
    failing = " ".join(f"MINUS {{ {m.path} }}" for m in members if m.path is not None)
    tests = [m.test for m in members if m.test is not None]
    if tests:
        failing += f" FILTER(!({' || '.join(tests)}))"
    datatypes = [m.datatype for m in members if m.datatype is not None]
    keep = lambda v: not any(datatype_conforms(v, d) for d in datatypes)  # noqa: E731
    return value_check(scope, "sh:or", failing, value_results(scope, keep if datatypes else None))
