"""Writing the graph in the standard RDF formats, chosen by name from a registry.

Output is deterministic: triples are written in a canonical order, so the same data gives
byte-identical files that diff cleanly in git. Files are written atomically (a temporary
file in the same folder, then a rename), so a failed write never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import ToolError, did_you_mean
from kg.terms import oxigraph_triples


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdf_format: ox.RdfFormat
    extension: str
    quads: bool  # written as quads in the default graph


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ox.RdfFormat.TURTLE, "ttl", quads=False),
        ExportFormat("ntriples", ox.RdfFormat.N_TRIPLES, "nt", quads=False),
        ExportFormat("nquads", ox.RdfFormat.N_QUADS, "nq", quads=True),
        ExportFormat("trig", ox.RdfFormat.TRIG, "trig", quads=True),
        ExportFormat("jsonld", ox.RdfFormat.JSON_LD, "jsonld", quads=False),
    )
}


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        hint = did_you_mean(name, FORMATS) or f"Choose one of: {', '.join(FORMATS)}."
        raise ToolError(f"unknown export format '{name}'. {hint}") from None


def serialize(graph: Graph, format_name: str) -> bytes:
    fmt = export_format(format_name)
    triples = oxigraph_triples(graph)
    items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples) if fmt.quads else triples
    prefixes = {prefix: str(ns) for prefix, ns in sorted(graph.namespaces()) if prefix}
    return ox.serialize(items, format=fmt.rdf_format, prefixes=prefixes if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
