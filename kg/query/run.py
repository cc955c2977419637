"""Running a stored query (or a .rq file) where the graph is: the built graph with an embedded
engine, an on-disk store, or a remote endpoint; and the prefixes results are shown with. Apart
from kg.api, which loads every part of the pipeline, so that `kg query` starts with only what a
query needs (the remote engine, for instance, only with an endpoint)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.build.rdfmap import IriMinter
from kg.project import Project
from kg.query.engines import QueryEngine, open_engine
from kg.query.queries import bind_parameters, find_query
from kg.query.results import ResultTable
from kg.stores.store import OxigraphStoreEngine

if TYPE_CHECKING:
    from kg.stores.remote import Endpoint

DEFAULT_ENGINE = "oxigraph"


def run_query(
    project: Project,
    name_or_path: str,
    params: dict[str, str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    endpoint: Endpoint | None = None,
    graph: str | None = None,
    store_dir: Path | None = None,
) -> ResultTable:
    """Run a stored query (or a .rq file) on the built graph with an embedded engine, on an
    on-disk store (store_dir, for large graphs), or on a remote endpoint (with graph as the
    default graph of the query, when given)."""
    query = find_query(name_or_path, project.queries_dir)
    text = bind_parameters(query, params or {})
    store: QueryEngine
    if endpoint:
        from kg.stores.remote import RemoteEngine

        store = RemoteEngine(endpoint, graph)
    elif store_dir:
        store = OxigraphStoreEngine(store_dir)
    else:
        store = open_engine(engine, project.graph_file)
    return store.query(text)


def display_prefixes(project: Project) -> dict[str, str]:
    """Prefixes for showing IRIs to people: the ontology's and one per record kind."""
    prefixes = {prefix: str(ns) for prefix, ns in project.ontology.namespaces() if prefix}
    prefixes.update(IriMinter(project.mapping, project.base_iri).namespaces())
    return prefixes
