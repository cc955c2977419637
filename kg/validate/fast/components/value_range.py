"""Value range constraint components: sh:minInclusive, decided on the candidates with
pySHACL's ordering of literals."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import SH
from rdflib.term import Node

from kg.terms import to_rdflib
from kg.validate.fast.checks import Check, Parameters, Scope, Term, quiet_rdflib, sparql_term, value_check, value_results


def min_inclusive_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    minimum = parameters.literal(value, SH.minInclusive, scope.name)
    # Values that SPARQL cannot show to be >= the minimum are candidates; pySHACL's comparison
    # (rdflib's ordering of literals) decides.
    keep = lambda v: not _min_inclusive_conforms(v, minimum)  # noqa: E731
    return value_check(scope, f"sh:minInclusive {minimum}", f"FILTER(!COALESCE(?v >= {sparql_term(minimum)}, false))", value_results(scope, keep))


def _min_inclusive_conforms(term: Term, minimum: Literal) -> bool:
    """pySHACL's MinInclusiveConstraintComponent on one value."""
    from pyshacl.rdfutil import compare_literal  # here: importing pySHACL takes longer than a whole validation

    with quiet_rdflib():
        v = to_rdflib(term)
    if not isinstance(v, Literal):
        return False
    if isinstance(minimum.value, str) != isinstance(v.value, str):
        return False
    try:
        return bool(compare_literal(v, minimum) >= 0)
    except (TypeError, NotImplementedError):
        return False

