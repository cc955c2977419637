"""Value type constraint components: sh:class, sh:datatype; and pySHACL's rules for the
datatype candidates a query leaves."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from kg.terms import to_rdflib
from kg.validate.fast.checks import SH_class, Check, Parameters, Scope, Term, iri, quiet_rdflib, value_check, value_results


def class_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    cls = parameters.iri(value, SH_class, scope.name)
    # Literals have no rdf:type, so they fail, as in pySHACL.
    test = f"FILTER NOT EXISTS {{ {parameters.has_class('?v', cls)} }}"
    # Each distinct value is looked up once: paths to classes have few (event types, places...).
    return value_check(scope, f"sh:class {cls}", test, value_results(scope), distinct_values=True)


def datatype_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    datatype = parameters.datatype(value, scope.name)
    # The query finds every value that is not a well-formed literal of the datatype as Oxigraph
    # sees it; pySHACL's rules (rdflib's idea of ill-typed) have the last word on the literals of
    # that datatype, which are few among the candidates.
    keep = lambda v: not datatype_conforms(v, datatype)  # noqa: E731
    return value_check(scope, f"sh:datatype {datatype}", f"FILTER(!{datatype_test('?v', datatype)})", value_results(scope, keep))


# XSD datatypes Oxigraph can cast to: a literal of one of these is well-formed if it casts.
_CASTABLE = {
    XSD[t]
    for t in (
        "string boolean integer decimal double float date dateTime time gYearMonth gYear gMonthDay gDay gMonth "
        "duration yearMonthDuration dayTimeDuration"
    ).split()
}


def datatype_test(var: str, datatype: URIRef) -> str:
    """A SPARQL expression true only for values pySHACL surely accepts for sh:datatype."""
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    same = f"isLiteral({var}) && datatype({var}) = {iri(datatype)}"
    if datatype in (XSD.string, RDF.langString):
        return f"({same})"
    if datatype not in _CASTABLE:
        return "false"  # every value is a candidate; Python decides
    test = f"{same} && COALESCE(isLiteral({iri(datatype)}({var})), false)"
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


def datatype_conforms(term: Term, datatype: URIRef) -> bool:
    """pySHACL's DatatypeConstraintComponent on one value."""
    with quiet_rdflib():
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

