"""Other constraint components: sh:in."""

from __future__ import annotations

from rdflib.term import Node

from kg.validate.fast.checks import SH_in, Check, Parameters, Scope, sparql_term, value_check, value_results


def in_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    allowed = [parameters.term(item, scope.name) for item in parameters.list_items(value, SH_in, scope.name)]
    test = " || ".join(f"sameTerm(?v, {sparql_term(a)})" for a in allowed)
    return value_check(scope, "sh:in", f"FILTER(!({test}))", value_results(scope))

