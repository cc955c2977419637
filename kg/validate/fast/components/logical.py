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
    """A member shape of sh:or: the SPARQL test that the value ?v conforms to it, and its
    sh:datatype, if that is what it is (pySHACL's rules then decide the candidates)."""

    test: str
    datatype: URIRef | None


def or_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    members = [parameters.or_member(member, scope.name) for member in parameters.list_items(value, SH_or, scope.name)]
    failing = f"FILTER(!({' || '.join(m.test for m in members)}))"
    datatypes = [m.datatype for m in members if m.datatype is not None]
    keep = lambda v: not any(datatype_conforms(v, d) for d in datatypes)  # noqa: E731
    return value_check(scope, "sh:or", failing, value_results(scope, keep if datatypes else None))

