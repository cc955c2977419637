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

Layout: compiler.py walks the shapes graph into Checks (checks.py); components/ holds one module
per family of constraint components, as pySHACL's constraints/ does, and the table from SHACL
parameter to component; sparql.py the SHACL-SPARQL constraints.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH

from kg.build.rdfmap import RecordIndex
from kg.terms import to_rdflib
from kg.validate.fast.checks import Check, ClassHierarchy, Result, SharedAnswers, UnsupportedShapeError, quiet_rdflib
from kg.validate.fast.compiler import compile_shapes
from kg.validate.shacl import CheckTiming, ValidationReport, make_violation, sort_violations

__all__ = ["Check", "ClassHierarchy", "UnsupportedShapeError", "compile_shapes", "validate_store", "DEFAULT_THREADS"]

# Checks run side by side on this many threads (pyoxigraph lets go of the GIL while a query runs).
DEFAULT_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Run:
    results: list[Result]
    timing: CheckTiming


def _run(check: Check, store: ox.Store, shared: SharedAnswers) -> _Run:
    started = time.perf_counter()
    results = check.run(store, shared)
    return _Run(results, CheckTiming(f"{check.shape} {check.component}", time.perf_counter() - started, len(results)))


def validate_store(
    store: ox.Store,
    shapes: Graph,
    index: RecordIndex | None = None,
    *,
    prefixes: Graph | Mapping[str, str] | None = None,
    threads: int = DEFAULT_THREADS,
) -> ValidationReport:
    """Validate the default graph of `store` (data and ontology together) against `shapes`.

    `prefixes` are used to show data terms (focus nodes, values): an rdflib Graph (its namespace
    bindings, e.g. the graph the data was parsed into, to show terms as kg.validate.shacl.validate does) or
    a prefix -> namespace mapping. By default the prefixes of the shapes graph are used.
    The whole shapes graph is checked before any query runs; the queries are written for the
    class hierarchy the store holds, and run on `threads` threads (the report is the same)."""
    checks = compile_shapes(shapes, ClassHierarchy.of(store))
    shared = SharedAnswers(store)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        runs = list(pool.map(lambda check: _run(check, store, shared), checks))
    results = [result for run in runs for result in run.results]
    display = _display_graph(shapes, prefixes)
    index = index or RecordIndex()
    with quiet_rdflib():
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
    return ValidationReport(not violations, violations, timings=tuple(run.timing for run in runs), threads=max(1, threads))


def _display_graph(shapes: Graph, prefixes: Graph | Mapping[str, str] | None) -> Graph:
    if isinstance(prefixes, Graph):
        return prefixes
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (shapes.namespaces() if prefixes is None else prefixes.items()):
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph

