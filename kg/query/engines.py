"""Embedded query engines, chosen by name from a registry. Both load the built graph file and
answer SPARQL SELECT (and ASK) queries with the same ResultTable.

- oxigraph (default): pyoxigraph's in-memory store; 15-50x faster than rdflib here.
- rdflib: the reference implementation, pure Python.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import ToolError, did_you_mean, require_built_graph
from kg.query.results import ResultTable
from kg.terms import to_rdflib


class QueryEngine(Protocol):
    name: str

    def query(self, sparql: str) -> ResultTable: ...


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, graph_file: Path):
        self.store = ox.Store()
        try:
            self.store.bulk_load(path=str(graph_file), format=ox.RdfFormat.from_extension(graph_file.suffix.lstrip(".")))
        except (SyntaxError, ValueError, OSError) as exc:
            raise ToolError(f"cannot load {graph_file}: {exc}") from exc

    def query(self, sparql: str) -> ResultTable:
        return query_store(self.store, sparql)


def query_store(store: ox.Store, sparql: str, *, union_of_graphs: bool = False) -> ResultTable:
    """A SELECT or ASK query on a pyoxigraph store (in memory or on disk) as a ResultTable."""
    try:
        result = store.query(sparql, use_default_graph_as_union=union_of_graphs)
    except SyntaxError as exc:
        raise ToolError(f"the query is not valid SPARQL 1.1: {exc}") from exc
    if isinstance(result, ox.QueryTriples):
        raise ToolError("kg query runs SELECT and ASK queries; use kg export for graphs")
    return solutions_table(result)


class RdflibEngine:
    name = "rdflib"

    def __init__(self, graph_file: Path):
        self.graph = Graph()
        try:
            self.graph.parse(graph_file)
        except Exception as exc:  # rdflib's parsers raise many exception types
            raise ToolError(f"cannot load {graph_file}: {exc}") from exc

    def query(self, sparql: str) -> ResultTable:
        try:
            result = self.graph.query(sparql)
        except Exception as exc:
            raise ToolError(f"the query failed: {exc}") from exc
        if result.type == "ASK":
            return ResultTable.ask(bool(result.askAnswer))
        if result.type != "SELECT":
            raise ToolError("kg query runs SELECT and ASK queries; use kg export for graphs")
        variables = tuple(result.vars or ())
        rows = tuple(tuple(solution.get(variable) for variable in variables) for solution in result.bindings)
        return ResultTable(tuple(str(variable) for variable in variables), rows)


def solutions_table(result: ox.QuerySolutions | ox.QueryBoolean) -> ResultTable:
    """pyoxigraph SELECT or ASK results as a ResultTable."""
    if isinstance(result, ox.QueryBoolean):
        return ResultTable.ask(bool(result))
    variables = tuple(v.value for v in result.variables)
    return ResultTable(variables, tuple(tuple(to_rdflib(solution[v]) for v in variables) for solution in result))


ENGINES: dict[str, Callable[[Path], QueryEngine]] = {
    OxigraphEngine.name: OxigraphEngine,
    RdflibEngine.name: RdflibEngine,
}


def open_engine(name: str, graph_file: Path) -> QueryEngine:
    if name not in ENGINES:
        hint = did_you_mean(name, ENGINES) or f"Choose one of: {', '.join(ENGINES)}."
        raise ToolError(f"unknown engine '{name}'. {hint}")
    return ENGINES[name](require_built_graph(graph_file))
