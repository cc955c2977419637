"""Publishing to and querying a real Oxigraph server over the SPARQL 1.1 protocols."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import csv
import io
import pytest
from rdflib import Literal
from rdflib.term import Node

from kg import Endpoint, Project, ToolError, build, publish, run_query
from kg.api import BuildResult
from kg.progress import Step
from kg.stores.remote import LoadReport, count_triples
from kg.query.results import ResultTable

from conftest import REPO, run_kg, unordered
from servers import OxigraphServer, staging_graphs
from test_stored_queries import EXPECTED_FILES, case_of


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def endpoint(server: OxigraphServer) -> Endpoint:
    return Endpoint.resolve(server.url, "oxigraph", timeout=30)


def normalised(table: ResultTable) -> list[tuple]:
    """Rows with typed literals compared by value (1578 and "1578"^^xsd:integer alike)."""

    def value(term: Node | None) -> object:
        if isinstance(term, Literal):
            python = term.toPython()
            return (type(python).__name__, unordered(str(python)), term.language)
        return None if term is None else str(term)

    return [tuple(value(term) for term in row) for row in table.rows]


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_load_puts_exactly_the_built_triples_in_the_graph(
    project: Project, built: BuildResult, endpoint: Endpoint, protocol: str
) -> None:
    graph = f"https://example.org/test/{protocol}"
    steps: list[Step] = []
    report = publish(project, endpoint, graph=graph, protocol=protocol, batch_size=100, progress=steps.append)
    assert isinstance(report, LoadReport)
    assert {(step.action, step.unit, step.total) for step in steps} == {("sent", "triples", len(built.graph))}
    assert steps[-1].done == len(built.graph)
    assert report.triples_sent == report.triples_in_store == len(built.graph)
    assert count_triples(endpoint, graph) == len(built.graph)
    assert staging_graphs(endpoint, graph) == set()


@pytest.mark.parametrize("expected_file", EXPECTED_FILES, ids=lambda p: p.stem)
def test_stored_queries_give_the_same_rows_on_the_server(
    project: Project, built: BuildResult, endpoint: Endpoint, expected_file: Path
) -> None:
    graph = "https://example.org/test/queries"
    if count_triples(endpoint, graph) != len(built.graph):
        publish(project, endpoint, graph=graph)
    name, params = case_of(expected_file)
    remote = run_query(project, name, params, endpoint=endpoint, graph=graph)
    embedded = run_query(project, name, params)
    assert remote.variables == embedded.variables
    assert normalised(remote) == normalised(embedded)


def test_a_second_load_is_idempotent(project: Project, built: BuildResult, endpoint: Endpoint) -> None:
    graph = "https://example.org/test/twice"
    publish(project, endpoint, graph=graph)
    first = run_query(project, "incident_sources", endpoint=endpoint, graph=graph)
    again = publish(project, endpoint, graph=graph, protocol="update")
    assert isinstance(again, LoadReport) and again.triples_in_store == len(built.graph)
    assert run_query(project, "incident_sources", endpoint=endpoint, graph=graph) == first


def test_loading_another_build_leaves_other_graphs_untouched(
    project: Project, built: BuildResult, endpoint: Endpoint, tmp_path: Path
) -> None:
    first_graph, second_graph = "https://example.org/test/first", "https://example.org/test/second"
    publish(project, endpoint, graph=first_graph)
    before = run_query(project, "crossings_timeline", endpoint=endpoint, graph=first_graph)
    # A second, different build: a smaller data set under another base IRI.
    other = Project(root=REPO, data_dir=REPO / "tests" / "bad_data" / "_base", out_dir=tmp_path / "out",
                    base_iri="https://example.org/other/")
    assert build(other).conforms
    publish(other, endpoint, graph=second_graph)
    assert count_triples(endpoint, first_graph) == len(built.graph)
    assert run_query(project, "crossings_timeline", endpoint=endpoint, graph=first_graph) == before
    assert count_triples(endpoint, second_graph) < len(built.graph)


def test_cli_load_and_query_against_the_server(project: Project, built: BuildResult, server: OxigraphServer) -> None:
    graph = "https://example.org/test/cli"
    out = str(project.out)
    loaded = run_kg("--out", out, "load", "--endpoint", server.url, "--store", "oxigraph", "--graph", graph)
    assert loaded.returncode == 0, loaded.stderr
    assert f"Loaded {len(built.graph)} triples into <{graph}> by gsp" in loaded.stdout
    assert f"the store holds {len(built.graph)} triples in that graph" in loaded.stdout
    queried = run_kg("--out", out, "query", "crossings_by_country", "--format", "csv",
                     "--endpoint", f"{server.url}/query", "--graph", graph)
    assert queried.returncode == 0, queried.stderr
    embedded = run_kg("--out", out, "query", "crossings_by_country", "--format", "csv").stdout
    assert [[unordered(c) for c in row] for row in csv.reader(io.StringIO(queried.stdout))] == [
        [unordered(c) for c in row] for row in csv.reader(io.StringIO(embedded))
    ]


def test_dry_run_sends_nothing(project: Project, built: BuildResult, server: OxigraphServer, endpoint: Endpoint) -> None:
    graph = "https://example.org/test/dry-run"
    result = run_kg("--out", str(project.out), "load", "--endpoint", server.url, "--store", "oxigraph",
                    "--graph", graph, "--dry-run", "--protocol", "update", "--batch-size", "300")
    assert result.returncode == 0, result.stderr
    assert f"Would load {len(built.graph)} triples into the graph <{graph}>" in result.stdout
    assert f"{-(-len(built.graph) // 300)} INSERT DATA batch(es) of at most 300 triples" in result.stdout
    assert f"into a staging graph <{graph}-staging-ID> of this load's own (ID: 32 random hex digits" in result.stdout
    assert count_triples(endpoint, graph) == 0


def test_unreachable_endpoint_is_an_endpoint_error(project: Project, built: BuildResult) -> None:
    result = run_kg("--out", str(project.out), "query", "policies", "--endpoint", "http://127.0.0.1:9/query", "--retries", "1")
    assert result.returncode == 3
    assert "kg: endpoint error: cannot reach http://127.0.0.1:9/query" in result.stderr


def test_credentials_are_refused_in_the_url() -> None:
    with pytest.raises(ToolError, match="KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or a netrc file"):
        Endpoint.resolve("http://dba:secret@127.0.0.1:8890", "virtuoso")


def test_credentials_come_from_the_environment_and_stay_out_of_messages(
    project: Project, built: BuildResult, server: OxigraphServer
) -> None:
    secret = "s3cret-Pa55"
    env = {"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": secret}
    result = run_kg("--out", str(project.out), "load", "--endpoint", server.url, "--store", "virtuoso",
                    "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "/sparql-graph-crud-auth" in result.stdout, "credentials switch Virtuoso to its authenticated paths"
    assert "credentials: from the environment (KG_ENDPOINT_USER, KG_ENDPOINT_PASSWORD)" in result.stdout
    failed = run_kg("--out", str(project.out), "load", "--endpoint", "http://127.0.0.1:9", "--store", "virtuoso",
                    "--retries", "2", env=env)
    assert failed.returncode == 3
    exported = run_kg("--out", str(project.out), "export", "--format", "nquads", env=env)
    for text in (result.stdout, result.stderr, failed.stdout, failed.stderr, exported.stdout, exported.stderr):
        assert secret not in text
    for written in project.out.rglob("*"):
        if written.is_file():
            assert secret.encode() not in written.read_bytes(), written


def test_netrc_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example.org login reader password hunter2\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.setenv("NETRC", str(netrc))
    endpoint = Endpoint.resolve("https://store.example.org/sparql", "generic")
    assert endpoint.credentials is not None and endpoint.credentials.user == "reader"
    assert "hunter2" not in repr(endpoint)
    assert Endpoint.resolve("https://elsewhere.example.org/sparql").credentials is None
