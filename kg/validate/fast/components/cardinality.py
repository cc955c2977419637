"""Cardinality constraint components: sh:minCount, sh:maxCount."""

from __future__ import annotations

from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate.fast.checks import Check, Parameters, Scope, focus_results, select_query


def min_count(parameters: Parameters, scope: Scope, value: Node) -> Check:
    n = parameters.non_negative(scope.shape, SH.minCount, value, scope.name)
    if n == 0:
        query = select_query(scope, "FILTER(false)", "?this")
    elif n == 1:
        # MINUS: one anti-join of the focus nodes with the path's subjects, where NOT EXISTS
        # would look each focus node up (the same result: ?this is bound on both sides).
        query = select_query(scope, f"MINUS {{ {scope.values} }}", "?this")
    else:
        query = select_query(scope, f"OPTIONAL {{ {scope.values} }}", "?this") + f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
    return Check(scope.name, f"sh:minCount {n}", query, focus_results(scope))


def max_count(parameters: Parameters, scope: Scope, value: Node) -> Check:
    n = parameters.non_negative(scope.shape, SH.maxCount, value, scope.name)
    if n == 0:
        query = select_query(scope, f"FILTER EXISTS {{ {scope.values} }}", "?this")
    else:
        # Grouped on the path alone first: only the few nodes with too many values are then
        # joined with the focus nodes, rather than every focus node with its values.
        # The screen, the same for every shape with this path and count, is asked once.
        # COUNT(*): the values of one node on a path are one triple pattern's, distinct already
        # (a third faster than COUNT(DISTINCT ?v) on a million nodes).
        crowded = f"SELECT ?this WHERE {{ {scope.values} }} GROUP BY ?this HAVING (COUNT(*) > {n})"
        query = select_query(scope, f"{{ {crowded} }}", "?this")
        return Check(scope.name, f"sh:maxCount {n}", query, focus_results(scope), f"ASK {{ {{ {crowded} }} }}")
    return Check(scope.name, f"sh:maxCount {n}", query, focus_results(scope))

