"""Exports: every format parses back into the same graph, in rdflib and in Oxigraph's strict
parser (a second, independent implementation); output is byte-identical for the same data."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg import Project, build, export
from kg.api import BuildResult
from kg.export import FORMATS
from kg.project import BK

from conftest import FIXTURE_DATA, REPO, run_kg

RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}


def parse_back(data: bytes, format_name: str) -> Graph:
    if FORMATS[format_name].quads:
        dataset = Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMAT[format_name])
        graph = Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=data, format=RDFLIB_FORMAT[format_name])


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_export_parses_back_into_the_same_graph(project: Project, built: BuildResult, format_name: str) -> None:
    data = export(project, format_name)
    assert isomorphic(parse_back(data, format_name), built.graph)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_export_passes_oxigraphs_strict_parser(project: Project, built: BuildResult, format_name: str) -> None:
    data = export(project, format_name)
    quads = list(ox.parse(data, format=FORMATS[format_name].rdf_format))
    assert len({quad.triple for quad in quads}) == len(built.graph)
    graph_names = {quad.graph_name for quad in quads}
    if FORMATS[format_name].quads:
        # One graph per source that something cites, one for the ontology, one for the rest.
        cited = set(built.graph.objects(None, BK.source)) | set(built.graph.objects(None, BK.reportedIn))
        assert ox.DefaultGraph() not in graph_names and len(graph_names) == len(cited) + 2
    else:
        assert graph_names == {ox.DefaultGraph()}


def test_built_turtle_is_the_exported_turtle(project: Project, built: BuildResult) -> None:
    assert export(project, "turtle") == project.graph_file.read_bytes()


def test_same_data_gives_byte_identical_turtle_whatever_the_record_order(tmp_path: Path, built: BuildResult, project: Project) -> None:
    # Rename the record files so they are read in the opposite order, and write each file's
    # sections in reverse: the records reach the builder in a different order.
    data = tmp_path / "data"
    data.mkdir()
    files = sorted(FIXTURE_DATA.glob("*.yaml"))
    for position, source in enumerate(reversed(files)):
        shutil.copyfile(source, data / f"{position:02d}-{source.name}")
    shuffled = build(Project(root=REPO, data_dir=data, out_dir=tmp_path / "out"))
    assert shuffled.conforms
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == project.graph_file.read_bytes()


def test_a_second_build_rewrites_the_same_bytes(project: Project, built: BuildResult) -> None:
    before = project.graph_file.read_bytes()
    again = build(project)
    assert again.written and project.graph_file.read_bytes() == before


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    result = run_kg("--out", str(tmp_path), "--base-iri", "http://example.org/kg/", "build")
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(tmp_path / "kg.ttl")
    subjects = {str(s) for s in graph.subjects() if "example.org" in str(s)}
    assert "http://example.org/kg/place/tj-shahritus" in subjects
    assert not any("w3id.org/border-kg/id/" in str(s) for s in graph.subjects())


def test_export_cli_writes_a_file(tmp_path: Path, project: Project, built: BuildResult) -> None:
    target = tmp_path / "kg.nt"
    result = run_kg("--out", str(project.out), "export", "--format", "ntriples", "-o", str(target))
    assert result.returncode == 0, result.stderr
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(built.graph)
    assert all(line.startswith("<") and line.endswith(" .") for line in lines)


def test_export_before_build_says_what_to_do(tmp_path: Path) -> None:
    result = run_kg("--out", str(tmp_path / "empty"), "export", "--format", "turtle")
    assert result.returncode == 2
    assert "there is no built graph" in result.stderr and "run 'kg build' first" in result.stderr


def test_named_graphs_say_according_to_whom(project: Project, built: BuildResult) -> None:
    store = ox.Store()
    store.load(export(project, "trig"), format=ox.RdfFormat.TRIG)
    sources_of_figure = store.query(
        """PREFIX bk: <https://w3id.org/border-kg/def#>
        SELECT DISTINCT ?g WHERE { GRAPH ?g {
          <https://w3id.org/border-kg/id/incident/crossing-2021-06-22-sher-khan-bandar> bk:reportedCount ?c } }"""
    )
    # The incident's statements are in the graph of each source that tells of it.
    assert {row["g"].value.rsplit("/", 1)[1] for row in sources_of_figure} == {
        "report-2021-06-28", "report-2021-07-05", "report-a1-khovar", "report-a2-asia-plus", "report-a3-asia-plus",
        "report-a4-urdupoint", "report-a6-ria24",
    }
    ontology_graph = ox.NamedNode("https://w3id.org/border-kg/def")
    reference_graph = ox.NamedNode("https://w3id.org/border-kg/id/graph/reference")
    vanj = ox.NamedNode("https://w3id.org/border-kg/id/place/tj-vanj")
    assert list(store.quads_for_pattern(vanj, None, None, reference_graph))
    assert not list(store.quads_for_pattern(vanj, None, None, ontology_graph))
    assert len(list(store.quads_for_pattern(None, None, None, ontology_graph))) == len(project.ontology)


def test_jsonld_uses_the_published_context_and_is_deterministic(project: Project, built: BuildResult) -> None:
    first = run_kg("--out", str(project.out), "export", "--format", "jsonld")
    second = run_kg("--out", str(project.out), "export", "--format", "jsonld")
    assert first.returncode == 0 and first.stdout == second.stdout
    document = json.loads(first.stdout)
    published = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]
    ids = [node["@id"] for node in document["@graph"]]
    assert ids == sorted(ids) and "bk:BorderCrossing" in ids


def test_split_export_for_bulk_loaders(project: Project, built: BuildResult, tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "kg-00099.nt.gz").write_bytes(b"stale")
    result = run_kg("--out", str(project.out), "export", "--format", "ntriples", "--split", "250", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    files = sorted(folder.iterdir())
    count = -(-len(built.graph) // 250)
    assert [f.name for f in files] == [f"kg-{n:05d}.nt.gz" for n in range(1, count + 1)]
    graph = Graph()
    for file in files:
        text = gzip.decompress(file.read_bytes())
        assert text.count(b"\n") <= 250
        graph.parse(data=text, format="nt")
    assert isomorphic(graph, built.graph)
    again = tmp_path / "again"
    assert run_kg("--out", str(project.out), "export", "--format", "ntriples", "--split", "250", "-o", str(again)).returncode == 0
    assert [f.read_bytes() for f in sorted(again.iterdir())] == [f.read_bytes() for f in files]


def test_split_is_only_for_line_formats(project: Project, built: BuildResult, tmp_path: Path) -> None:
    result = run_kg("--out", str(project.out), "export", "--format", "turtle", "--split", "10", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "only ntriples and nquads exports can be split, not turtle" in result.stderr
