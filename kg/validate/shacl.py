"""SHACL validation with pySHACL, reported as small frozen dataclasses instead of pySHACL's
(conforms, graph, text) tuple. Each violation is traced back to the record file and line
it came from, when the graph was built from records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import SourceLocation
from kg.build.rdfmap import RecordIndex


@dataclass(frozen=True)
class Violation:
    focus_node: str
    shape: str
    message: str
    path: str | None
    value: str | None
    severity: str
    record: str | None
    location: SourceLocation | None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        subject = self.record or self.focus_node
        detail = f" [shape {self.shape}"
        if self.path:
            detail += f", property {self.path}"
        if self.value is not None:
            detail += f", value {self.value}"
        return f"{where}{subject}: {self.message}{detail}]"


@dataclass(frozen=True)
class CheckTiming:
    """How long one check of the set-based engine took: wall-clock seconds, while other checks
    may have run beside it on other threads."""

    check: str  # the shape and the constraint component
    seconds: float
    results: int


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    note: str | None = None
    timings: tuple[CheckTiming, ...] = ()  # of the set-based engine's checks, in their order
    threads: int = 1

    def profile(self, limit: int) -> str:
        """The slowest checks, slowest first, for `kg validate --profile`."""
        total = sum(t.seconds for t in self.timings)
        lines = [
            f"{len(self.timings)} checks took {total:.2f} s in all, on {self.threads} thread{'s' if self.threads != 1 else ''}; "
            f"the {min(limit, len(self.timings))} slowest (seconds, results, check):"
        ]
        slowest = sorted(self.timings, key=lambda t: (-t.seconds, t.check))[:limit]
        lines += [f"  {t.seconds:8.2f}  {t.results:6d}  {t.check}" for t in slowest]
        return "\n".join(lines)

    def render(self) -> str:
        if self.conforms:
            return "The graph conforms to the shapes."
        count = len(self.violations)
        lines = [f"The graph does not conform: {count} violation{'s' if count != 1 else ''}."]
        lines += [f"  {v}" for v in self.violations]
        if self.note:
            lines.append(f"Note: {self.note}")
        return "\n".join(lines)


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, index: RecordIndex | None = None) -> ValidationReport:
    """Validate data against shapes. The ontology (with its vocabularies) is added to a copy of
    the data, so that class hierarchies and concepts are known: pySHACL's own ont_graph mixing
    left out the vocabularies' concepts."""
    from pyshacl import validate as pyshacl_validate  # here: importing pySHACL alone takes longer than a fast validation

    if ontology is not None:
        data = data + ontology
    conforms, results, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    violations = sort_violations(
        _violation(results, result, focus, shapes, data, index or RecordIndex())
        for result, focus in results.subject_objects(SH.focusNode)
    )
    return ValidationReport(bool(conforms), violations)


def sort_violations(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    """Violations in report order: by record location, then focus node, shape, message, value."""
    return tuple(
        sorted(violations, key=lambda v: (v.location or SourceLocation("~", 0), v.focus_node, v.shape, v.message, v.value or ""))
    )


def _violation(results: Graph, result: Node, focus: Node, shapes: Graph, data: Graph, index: RecordIndex) -> Violation:
    return make_violation(
        focus=focus,
        path=results.value(result, SH.resultPath),
        value=results.value(result, SH.value),
        source_shape=results.value(result, SH.sourceShape),
        message=results.value(result, SH.resultMessage),
        severity=results.value(result, SH.resultSeverity),
        shapes=shapes,
        data=data,
        index=index,
    )


def make_violation(
    *,
    focus: Node,
    path: Node | None,
    value: Node | None,
    source_shape: Node | None,
    message: Node | str | None,
    severity: Node | None,
    shapes: Graph,
    data: Graph,
    index: RecordIndex,
) -> Violation:
    """One validation result as a Violation. Terms of the data are shown with the prefixes of
    `data`, shapes and paths with those of `shapes`; the value is left out when it is the focus
    node itself. Shared by every engine, so that they report results in the same words."""
    path_iri = str(path) if isinstance(path, URIRef) else None
    record, location = index.locate(str(focus), path_iri)
    return Violation(
        focus_node=_show(data, focus),
        shape=_shape_name(shapes, source_shape),
        message=str(message) if message is not None else "violates the shape",
        path=_show(shapes, path) if path is not None else None,
        value=_show(data, value) if value is not None and value != focus else None,
        severity=_show(shapes, severity).split(":")[-1] if severity is not None else "Violation",
        record=record,
        location=location,
    )


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A named shape, or for a blank property shape, the named node shape that holds it."""
    if shape is None:
        return "?"
    if isinstance(shape, BNode):
        parent = next(shapes.subjects(SH.property, shape), None) or next(shapes.subjects(SH.sparql, shape), None)
        if parent is not None:
            return _shape_name(shapes, parent)
    return _show(shapes, shape)


def _show(graph: Graph, term: Node) -> str:
    if isinstance(term, URIRef):
        return term.n3(graph.namespace_manager)
    if isinstance(term, BNode):
        return "[inverse path]" if graph.value(term, SH.inversePath) is not None else "_:" + str(term)
    return term.n3(graph.namespace_manager)
