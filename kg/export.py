"""Writing the graph in the standard RDF formats, chosen by name from a registry.

- Turtle and N-Triples: the graph as built.
- N-Quads and TriG: the same triples in named graphs that say "according to whom": each
  node's triples go into the graph named by each source it cites (bk:source, or for a
  statement the report it is carried in, bk:reportedIn); the ontology goes into the graph
  named by the ontology IRI; everything else (places, actors, the sources' own descriptions)
  into the reference graph. A triple cited by two sources is in both graphs; the union of
  the graphs is the built graph.
- JSON-LD: compacted with the published context ontology/context.jsonld, embedded.

Output is deterministic: triples are written in a canonical order, so the same data gives
byte-identical files that diff cleanly in git. Files are written atomically (a temporary
file in the same folder, then a rename), so a failed write never leaves half a file. Large
exports can be split into numbered, gzip-compressed N-Triples or N-Quads files for bulk
loaders.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from rdflib.plugins.serializers.jsonld import from_rdf

from kg.errors import ToolError, did_you_mean
from kg.project import BK
from kg.terms import sorted_triples, to_oxigraph_quad

ONTOLOGY_NAMESPACE = "https://w3id.org/border-kg/def"


@dataclass(frozen=True)
class ExportOptions:
    reference_graph: str
    jsonld_context: dict[str, Any]
    ontology_graph: str = ONTOLOGY_NAMESPACE
    ontology_subjects: frozenset = frozenset()  # subjects whose triples go to the ontology graph


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdf_format: ox.RdfFormat
    extension: str
    quads: bool
    write: Callable[[Graph, "ExportFormat", ExportOptions], bytes]


def _write_triples(graph: Graph, fmt: ExportFormat, options: ExportOptions) -> bytes:
    triples = (to_oxigraph_quad(triple).triple for triple in sorted_triples(graph))
    return _serialized(triples, graph, fmt)


def _write_quads(graph: Graph, fmt: ExportFormat, options: ExportOptions) -> bytes:
    return _serialized(according_to_whom(graph, options), graph, fmt)


def _serialized(statements: Iterable[ox.Triple] | Iterable[ox.Quad], graph: Graph, fmt: ExportFormat) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(statements, buffer, format=fmt.rdf_format, prefixes=_prefixes(graph, fmt))
    return buffer.getvalue()


def _write_jsonld(graph: Graph, fmt: ExportFormat, options: ExportOptions) -> bytes:
    # rdflib's JSON-LD writer lists nodes in set order (which changes from run to run) and
    # each node's values in insertion order: insert sorted, then sort the nodes by @id.
    ordered = Graph(bind_namespaces="none")
    for triple in sorted_triples(graph):
        ordered.add(triple)
    document = from_rdf(ordered, context_data=options.jsonld_context["@context"])
    document["@graph"].sort(key=lambda node: node["@id"])
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _prefixes(graph: Graph, fmt: ExportFormat) -> dict[str, str] | None:
    if fmt.rdf_format not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return None
    return {prefix: str(ns) for prefix, ns in sorted(graph.namespaces()) if prefix}


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ox.RdfFormat.TURTLE, "ttl", False, _write_triples),
        ExportFormat("ntriples", ox.RdfFormat.N_TRIPLES, "nt", False, _write_triples),
        ExportFormat("nquads", ox.RdfFormat.N_QUADS, "nq", True, _write_quads),
        ExportFormat("trig", ox.RdfFormat.TRIG, "trig", True, _write_quads),
        ExportFormat("jsonld", ox.RdfFormat.JSON_LD, "jsonld", False, _write_jsonld),
    )
}
SPLITTABLE = ("ntriples", "nquads")


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        hint = did_you_mean(name, FORMATS) or f"Choose one of: {', '.join(FORMATS)}."
        raise ToolError(f"unknown export format '{name}'. {hint}") from None


def serialize(graph: Graph, format_name: str, options: ExportOptions) -> bytes:
    fmt = export_format(format_name)
    return fmt.write(graph, fmt, options)


def according_to_whom(graph: Graph, options: ExportOptions) -> Iterator[ox.Quad]:
    """The graph's triples as quads in named graphs by source (see the module docstring)."""
    graphs_of: dict[Node, list[str]] = {}
    for subject in set(graph.subjects()):
        if subject in options.ontology_subjects:
            graphs_of[subject] = [options.ontology_graph]
        else:
            sources = set(graph.objects(subject, BK.source)) | set(graph.objects(subject, BK.reportedIn))
            graphs_of[subject] = sorted(str(source) for source in sources) or [options.reference_graph]
    quads = [(name, triple) for triple in sorted_triples(graph) for name in graphs_of[triple[0]]]
    quads.sort(key=lambda quad: quad[0])  # stable: graph by graph, triples in canonical order
    for name, triple in quads:
        yield to_oxigraph_quad(triple, ox.NamedNode(name))


def write_split(data: bytes, format_name: str, folder: Path, lines_per_file: int) -> list[Path]:
    """Split a line-based export (N-Triples, N-Quads) into numbered gzip files kg-00001.nt.gz, ...
    Files from an earlier split that the new one does not overwrite are removed."""
    if format_name not in SPLITTABLE:
        raise ToolError(f"only {' and '.join(SPLITTABLE)} exports can be split, not {format_name}")
    if lines_per_file < 1:
        raise ToolError("--split takes a number of statements per file, 1 or more")
    extension = FORMATS[format_name].extension
    lines = data.splitlines(keepends=True)
    written = []
    for number, start in enumerate(range(0, max(len(lines), 1), lines_per_file), start=1):
        path = folder / f"kg-{number:05d}.{extension}.gz"
        write_atomic(path, gzip.compress(b"".join(lines[start : start + lines_per_file]), mtime=0))
        written.append(path)
    for stale in folder.glob(f"kg-*.{extension}.gz"):
        if stale not in written:
            stale.unlink()
    return written


def load_context(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToolError(f"cannot read the JSON-LD context {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ToolError(f"the JSON-LD context {path} is not a JSON object")
    return document


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path so that readers see either the old file or the whole new one.
    Temporary files left by a writer that was killed are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
