"""Exports: every format parses back into the same graph, in rdflib and in Oxigraph's strict
parser (a second, independent implementation); output is byte-identical for the same data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg import Project, build, export
from kg.api import BuildResult
from kg.export import FORMATS

from conftest import REPO, run_kg

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
    assert len(quads) == len(built.graph)
    assert {q.graph_name for q in quads if isinstance(q, ox.Quad)} <= {ox.DefaultGraph()}


def test_built_turtle_is_the_exported_turtle(project: Project, built: BuildResult) -> None:
    assert export(project, "turtle") == project.graph_file.read_bytes()


def test_same_data_gives_byte_identical_turtle_whatever_the_record_order(tmp_path: Path, built: BuildResult, project: Project) -> None:
    # Rename the record files so they are read in the opposite order, and write each file's
    # sections in reverse: the records reach the builder in a different order.
    data = tmp_path / "data"
    data.mkdir()
    files = sorted((REPO / "data").glob("*.yaml"))
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
