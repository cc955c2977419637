"""Sanity queries (queries/sanity/*.rq) return no rows on the built graph, and each of them
does catch the problem it is about when that problem is planted."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg import Project
from kg.api import BuildResult, export_options
from kg.query.engines import ENGINES, open_engine
from kg.export import serialize
from kg.project import BK
from kg.build.rdfmap import IriMinter

from conftest import REPO

SANITY = sorted((REPO / "queries" / "sanity").glob("*.rq"))
PLACE = URIRef("https://w3id.org/border-kg/id/place/tj-vanj")


def plant(graph: Graph, name: str) -> Graph:
    """A copy of the graph with the problem the named sanity query looks for."""
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    if name == "undeclared_terms":
        broken.add((PLACE, BK.elevation, Literal(2000)))
    elif name == "foreign_predicates":
        broken.add((PLACE, URIRef("http://xmlns.com/foaf/0.1/name"), Literal("Vanj")))
    elif name == "nodes_without_type_or_label":
        broken.add((PLACE, BK.locatedIn, URIRef("https://w3id.org/border-kg/id/place/nowhere")))
    elif name == "undocumented_terms":
        broken.add((BK.Refugee, RDF.type, OWL.Class))
        broken.add((BK.Refugee, RDFS.label, Literal("refugee", lang="en")))
    else:
        raise AssertionError(f"no planted problem for {name}")
    return broken


EXPECTED_PROBLEMS = {
    "undeclared_terms": {("https://w3id.org/border-kg/def#elevation",)},
    "foreign_predicates": {("http://xmlns.com/foaf/0.1/name",)},
    "nodes_without_type_or_label": {
        ("https://w3id.org/border-kg/id/place/nowhere", "no rdf:type"),
        ("https://w3id.org/border-kg/id/place/nowhere", "no rdfs:label"),
    },
    "undocumented_terms": {("https://w3id.org/border-kg/def#Refugee", "skos:definition")},
}


# rdflib, the reference engine, takes seconds on some of these queries.
ENGINE_PARAMS = [pytest.param(name, marks=[pytest.mark.slow] if name == "rdflib" else []) for name in sorted(ENGINES)]


def rows_of(project: Project, graph: Graph, query: Path, engine: str, tmp_path: Path) -> set[tuple[str, ...]]:
    graph_file = tmp_path / "graph.nt"
    graph_file.write_bytes(serialize(graph, "ntriples", export_options(project)))
    table = open_engine(engine, graph_file).query(query.read_text(encoding="utf-8"))
    return {tuple(str(term) for term in row) for row in table.rows}


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
@pytest.mark.parametrize("query", SANITY, ids=lambda p: p.stem)
def test_sanity_query_finds_nothing_in_the_built_graph(
    project: Project, built: BuildResult, query: Path, engine: str, tmp_path: Path
) -> None:
    assert rows_of(project, built.graph, query, engine, tmp_path) == set()


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
@pytest.mark.parametrize("query", SANITY, ids=lambda p: p.stem)
def test_sanity_query_catches_its_problem(
    project: Project, built: BuildResult, query: Path, engine: str, tmp_path: Path
) -> None:
    assert rows_of(project, plant(built.graph, query.stem), query, engine, tmp_path) == EXPECTED_PROBLEMS[query.stem]


def test_every_record_kind_has_a_readable_prefix(project: Project, built: BuildResult) -> None:
    turtle = serialize(built.graph, "turtle", export_options(project)).decode("utf-8")
    kinds = {record.kind for record in built.records.records}
    for prefix in IriMinter(project.mapping, project.base_iri).namespaces():
        if prefix in kinds:
            assert f"\n{prefix}:" in turtle or turtle.startswith(f"{prefix}:"), prefix
