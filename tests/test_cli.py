"""The kg command as a user runs it: outputs, formats, exit codes and messages."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from kg import Project
from kg.api import BuildResult

from conftest import REPO, run_kg


@pytest.fixture()
def out_copy(tmp_path: Path, project: Project, built: BuildResult) -> Path:
    """A private copy of the built out/ folder, safe to damage."""
    target = tmp_path / "out"
    shutil.copytree(project.out, target)
    return target


def test_build_reports_counts_and_writes(tmp_path: Path) -> None:
    result = run_kg("--out", str(tmp_path), "build")
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(tmp_path / "kg.ttl")
    assert f"; {len(graph)} triples." in result.stdout
    assert "The graph conforms to the shapes." in result.stdout
    index = json.loads((tmp_path / "kg.records.json").read_text(encoding="utf-8"))
    assert index["graph_sha256"] == hashlib.sha256((tmp_path / "kg.ttl").read_bytes()).hexdigest()
    entry = index["nodes"]["https://w3id.org/border-kg/id/incident/crossing-2021-06-27-kaldar"]
    assert entry["record"] == "incident 'crossing-2021-06-27-kaldar'"
    assert entry["at"][0] == "data/incidents.yaml"


def test_validate_names_the_record_file_and_line_of_a_violation(out_copy: Path) -> None:
    claim = "<https://w3id.org/border-kg/id/incident/crossing-2021-07-05-vanj.count-1>"
    value = "<https://w3id.org/border-kg/def#value>"
    with (out_copy / "kg.ttl").open("a", encoding="utf-8") as ttl:
        ttl.write(f"{claim} {value} -3 .\n")
    result = run_kg("--out", str(out_copy), "validate")
    assert result.returncode == 1
    lines = (REPO / "data" / "incidents.yaml").read_text(encoding="utf-8").splitlines()
    value_line = next(
        n for n, text in enumerate(lines, 1) if "value: 173" in text
    )
    expected_location = f"data/incidents.yaml:{value_line}:"
    violation = [line for line in result.stdout.splitlines() if "zero or more" in line]
    assert len(violation) == 1
    assert violation[0].strip().startswith(expected_location)
    assert "incident 'crossing-2021-07-05-vanj', count 1:" in violation[0]
    assert "A count must be a whole number of people, zero or more." in violation[0]
    assert "The graph does not conform" in result.stdout
    assert "Note: kg.ttl has changed since it was built: record locations are those of the last build." in result.stdout


def test_validate_any_rdf_file(tmp_path: Path) -> None:
    broken = REPO / "tests" / "shape_cases" / "crossing-without-destination" / "graph.ttl"
    result = run_kg("validate", str(broken))
    assert result.returncode == 1
    assert "A crossing must name one place the people went into (its destination)." in result.stdout
    assert "shape bksh:BorderCrossingShape, property bk:destination" in result.stdout


def test_validate_a_missing_file_is_a_tool_error(tmp_path: Path) -> None:
    result = run_kg("validate", str(tmp_path / "nope.ttl"))
    assert result.returncode == 2
    assert f"there is no file {tmp_path / 'nope.ttl'}; check the path" in result.stderr


def test_validate_an_unparsable_file_is_a_tool_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = run_kg("validate", str(bad))
    assert result.returncode == 2
    assert f"cannot parse {bad}" in result.stderr


def test_queries_lists_every_stored_query_with_its_title(project: Project) -> None:
    result = run_kg("queries")
    assert result.returncode == 0
    names = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
    listed = [line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == names
    assert "place_lookup --param name=..." in result.stdout
    assert "    Timeline of border crossings" in result.stdout


def test_query_csv_is_sparql_csv(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "crossings_by_country", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert {(r["country"], r["troops"]) for r in rows} == {("Tajikistan", "1578"), ("Uzbekistan", "53")}


def test_query_json_is_sparql_json_with_types(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name=Ishkashim", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["head"]["vars"] == ["place", "label", "type", "located_in", "country"]
    bindings = document["results"]["bindings"]
    assert {b["place"]["value"] for b in bindings} == {
        "https://w3id.org/border-kg/id/place/af-sultan-ishkashim",
        "https://w3id.org/border-kg/id/place/tj-ishkashim",
    }
    assert all(b["place"]["type"] == "uri" for b in bindings)
    assert bindings[0]["type"] == {"type": "literal", "value": "district", "xml:lang": "en"}
    totals = json.loads(run_kg("--out", str(out_copy), "query", "crossings_by_country", "--format", "json").stdout)
    troops = totals["results"]["bindings"][0]["troops"]
    assert troops["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_query_table_shortens_iris(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name=Takhlan")
    assert result.returncode == 0
    assert "place:af-takhar" in result.stdout and "(1 row)" in result.stdout


def test_query_errors_say_what_to_do(out_copy: Path, tmp_path: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name")
    assert result.returncode == 2
    assert "--param takes NAME=VALUE, not 'name'" in result.stderr
    result = run_kg("--out", str(tmp_path / "empty"), "query", "policies")
    assert result.returncode == 2
    assert "run 'kg build' first" in result.stderr


def test_stats_counts_triples_and_classes(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "stats")
    assert result.returncode == 0
    graph = Graph().parse(out_copy / "kg.ttl")
    assert result.stdout.splitlines()[0] == f"{len(graph)} triples"
    counts = {line.split()[1]: int(line.split()[0]) for line in result.stdout.splitlines()[1:]}
    assert counts["bk:BorderCrossing"] == 12
    assert counts["bk:District"] == 15
    assert counts["bk:Policy"] == 2


def test_unknown_export_format_is_refused_by_name() -> None:
    result = run_kg("export", "--format", "rdfxml")
    assert result.returncode == 2
    assert "invalid choice: 'rdfxml'" in result.stderr
