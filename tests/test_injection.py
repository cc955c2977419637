"""Nothing injected: text from reports with quotes, backslashes, newlines, angle brackets, braces
and SPARQL or Turtle keywords goes into the graph, the exports and the store as exactly that
text; ids in any script become valid IRIs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import Endpoint, Project, build, export, publish, run_query
from kg.export import FORMATS
from kg.stores.remote import count_triples

from conftest import REPO
from servers import OxigraphServer, staging_graphs
from test_export import parse_back

INJECTIONS = [
    'Quote " and backslash \\ and """ triple quotes',
    "Newline\nsecond line\r\nthird line",
    '<http://evil.example/s> <http://evil.example/p> "o" .',
    '" . <http://evil.example/s> <http://evil.example/p> <http://evil.example/o> . "',
    '} } ; DROP ALL ; INSERT DATA { <http://evil.example/s> <http://evil.example/p> "x" } #',
    "'; DELETE WHERE { ?s ?p ?o } #",
    "@prefix evil: <http://evil.example/> . evil:s evil:p evil:o .",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "Right to left: شهر توس, Cyrillic: Шаартуз, emoji 🙂, tab\there",
]
UNICODE_IDS = {"шаартуз": "Шаартуз", "شهرتوس": "شهرتوس"}
PLACE = "https://w3id.org/border-kg/id/place/"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("hostile")
    data = folder / "data"
    data.mkdir()
    shutil.copyfile(REPO / "tests" / "bad_data" / "_base" / "base.yaml", data / "base.yaml")
    places = [
        {"id": f"injected-{n}", "type": "district", "name": text, "alt_names": [text], "in": "tj-gbao"}
        for n, text in enumerate(INJECTIONS, start=1)
    ]
    places += [{"id": key, "type": "district", "name": name, "in": "tj-gbao"} for key, name in UNICODE_IDS.items()]
    sources = [{"id": "statement-hostile", "type": "statement", "title": INJECTIONS[4], "speaker": ["afghan-forces"],
                "quotes": INJECTIONS, "summary": "\n".join(INJECTIONS)}]
    incidents = [{"id": "crossing-into-шаартуз", "type": "crossing", "title": INJECTIONS[1], "date": "2021-07-05",
                  "from": "af-badakhshan", "to": "шаартуз", "sources": ["report-a", "statement-hostile"]}]
    (data / "hostile.yaml").write_text(
        yaml.safe_dump({"places": places, "sources": sources, "incidents": incidents}, allow_unicode=True),
        encoding="utf-8",
    )
    project = Project(root=REPO, data_dir=data, out_dir=folder / "out")
    result = build(project)
    assert result.conforms, result.report.render()
    return project


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield running
    running.stop()


def labels_in(store_query, iri: str, graph: str | None = None) -> set[str]:
    pattern = f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?label"
    query = f"SELECT ?label WHERE {{ {'GRAPH <' + graph + '> { ' + pattern + ' }' if graph else pattern} }}"
    return {str(row[0]) for row in store_query(query).rows}


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_the_store_holds_exactly_the_text(hostile: Project, server: OxigraphServer, protocol: str) -> None:
    endpoint = Endpoint.resolve(server.url, "oxigraph")
    graph = f"https://example.org/hostile/{protocol}"
    report = publish(hostile, endpoint, graph=graph, protocol=protocol, batch_size=7)
    built = Graph().parse(hostile.graph_file)
    assert report.triples_in_store == count_triples(endpoint, graph) == len(built)
    for n, text in enumerate(INJECTIONS, start=1):
        assert labels_in(endpoint.select, f"{PLACE}injected-{n}", graph) == {text}
    quotes = endpoint.select(
        f"SELECT ?q WHERE {{ GRAPH <{graph}> {{ ?s <https://w3id.org/border-kg/def#quote> ?q }} }}"
    )
    assert {str(row[0]) for row in quotes.rows} == set(INJECTIONS)
    evil = endpoint.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER (CONTAINS(STR(?s), 'evil.example')) } }")
    assert int(evil.rows[0][0]) == 0
    graphs = {str(row[0]) for row in endpoint.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
    assert graph in graphs and staging_graphs(endpoint, graph) == set()


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_exports_round_trip_hostile_text(hostile: Project, format_name: str) -> None:
    data = export(hostile, format_name)
    built = Graph().parse(hostile.graph_file)
    assert isomorphic(parse_back(data, format_name), built)
    assert len({q.triple for q in ox.parse(data, format=FORMATS[format_name].rdf_format)}) == len(built)


def test_ids_in_any_script_become_valid_iris(hostile: Project) -> None:
    graph = Graph().parse(hostile.graph_file)
    minted = {str(node) for node in graph.all_nodes() if str(node).startswith("https://w3id.org/border-kg/id/")}
    for iri in minted:
        ox.NamedNode(iri)  # raises on an invalid IRI
        assert iri.isascii() and " " not in iri
    for key, name in UNICODE_IDS.items():
        (row,) = run_query(hostile, "place_lookup", {"name": name}).as_dicts()
        assert row["place"] == PLACE + "".join(f"%{byte:02X}" for byte in key.encode("utf-8"))
    crossing = [r for r in run_query(hostile, "crossings_timeline").as_dicts() if r["destination"] == "Шаартуз"]
    assert len(crossing) == 1 and crossing[0]["movement"] == INJECTIONS[1]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_query_parameters_changes_nothing(hostile: Project, server: OxigraphServer, value: str) -> None:
    endpoint = Endpoint.resolve(server.url, "oxigraph")
    graph = "https://example.org/hostile/params"
    publish(hostile, endpoint, graph=graph)
    before = count_triples(endpoint, graph)
    rows = run_query(hostile, "place_lookup", {"name": value}, endpoint=endpoint, graph=graph).as_dicts()
    assert [r["label"] for r in rows] == [value], "the hostile name is found as a name, and only as that"
    assert count_triples(endpoint, graph) == before
