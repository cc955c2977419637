"""Other constraint components: sh:in."""

from __future__ import annotations

from rdflib.term import Node

from kg.validate.fast.checks import SH_in, Check, Parameters, Scope, select_query, sparql_term, value_results


def in_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    allowed = [parameters.term(item, scope.name) for item in parameters.list_items(value, SH_in, scope.name)]
    test = " || ".join(f"sameTerm(?v, {sparql_term(a)})" for a in allowed)
    query = select_query(scope, f"{scope.values} FILTER(!({test}))")
    return Check(scope.name, "sh:in", query, value_results(scope))

