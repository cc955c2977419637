"""Every stored query beside its expected results (queries/expected/NAME[@param=value].csv),
run on both embedded engines; and the stored queries' headers and parameter binding.
`pytest --update-golden` rewrites an expected file from what the default engine now gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kg import Project, ToolError, run_query
from kg.api import DEFAULT_ENGINE, BuildResult, list_queries
from kg.query.engines import ENGINES
from kg.query.queries import bind_parameters, find_query
from kg.query.results import to_csv

from conftest import REPO, unordered, Golden

EXPECTED_DIR = REPO / "queries" / "expected"
EXPECTED_FILES = sorted(EXPECTED_DIR.glob("*.csv"))


def case_of(path: Path) -> tuple[str, dict[str, str]]:
    """queries/expected/place_lookup@name=Ishkashim.csv -> ('place_lookup', {'name': 'Ishkashim'})"""
    name, *bindings = path.stem.split("@")
    return name, dict(binding.split("=", 1) for binding in bindings)


def csv_rows(text: str) -> list[list[object]]:
    """The rows of a CSV result, lists of values in a cell compared as sets (conftest.unordered)."""
    return [[unordered(cell) for cell in row] for row in csv.reader(io.StringIO(text))]


def test_every_stored_query_has_expected_results() -> None:
    stored = {path.stem for path in (REPO / "queries").glob("*.rq")}
    covered = {case_of(path)[0] for path in EXPECTED_FILES}
    assert stored == covered


@pytest.mark.parametrize("expected_file", EXPECTED_FILES, ids=lambda p: p.stem)
def test_stored_query_gives_expected_results(project: Project, built: BuildResult, expected_file: Path, golden: Golden) -> None:
    name, params = case_of(expected_file)
    golden.check(expected_file, to_csv(run_query(project, name, params, engine=DEFAULT_ENGINE)), csv_rows)


@pytest.mark.slow  # rdflib, the reference, is slow on the larger queries (disagreements: about 100 s)
@pytest.mark.parametrize("expected_file", EXPECTED_FILES, ids=lambda p: p.stem)
def test_every_engine_gives_the_same_rows(project: Project, built: BuildResult, expected_file: Path) -> None:
    name, params = case_of(expected_file)
    results = {engine: to_csv(run_query(project, name, params, engine=engine)) for engine in sorted(ENGINES)}
    for engine, text in results.items():
        assert csv_rows(text) == csv_rows(results[DEFAULT_ENGINE]), f"{engine} and {DEFAULT_ENGINE} differ"


def test_stored_queries_have_headers(project: Project) -> None:
    for query in list_queries(project):
        assert query.title and query.title != query.name, query.name
        assert len(query.description) > 40, query.name
    lookup = find_query("place_lookup", project.queries_dir)
    assert [(p.name, p.type) for p in lookup.parameters] == [("name", "name")]


INJECTIONS = [
    'Shahrituz" } } ; DROP ALL ; #',
    'x")) } UNION { ?placeNode ?p ?spelling } #',
    "Shahrituz'\n} SELECT * WHERE { ?s ?p ?o",
    "\\\" } # backslash",
    "<http://example.org/> } }",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_parameter_values_cannot_change_the_query(project: Project, built: BuildResult, value: str) -> None:
    rows = run_query(project, "place_lookup", {"name": value}).rows
    assert rows == ()
    query = find_query("place_lookup", project.queries_dir)
    bound = bind_parameters(query, {"name": value})
    # The only change to the text is one VALUES line, and the value is one escaped literal in it.
    added = [line for line in bound.splitlines() if line not in query.text.splitlines()]
    assert len(added) == 1 and added[0].strip().startswith("VALUES (?name ?name_key) {")


def test_parameter_value_with_quotes_matches_literally(project: Project, built: BuildResult) -> None:
    # A legitimate name is found whatever its case, with the binding intact.
    assert {r["label"] for r in run_query(project, "place_lookup", {"name": "SHAHRITOUS"}).as_dicts()} == {"Shahritus"}


def test_missing_and_unknown_parameters_are_refused(project: Project, built: BuildResult) -> None:
    with pytest.raises(ToolError, match=r"needs --param name=VALUE"):
        run_query(project, "place_lookup")
    with pytest.raises(ToolError, match=r"has no parameter 'nam'\. Did you mean 'name'\?"):
        run_query(project, "place_lookup", {"nam": "x", "name": "y"})
    with pytest.raises(ToolError, match=r"no stored query 'crossing_timeline'\. Did you mean 'crossings_timeline'\?"):
        run_query(project, "crossing_timeline")


def test_a_query_file_by_path_runs(project: Project, built: BuildResult, tmp_path: Path) -> None:
    query = tmp_path / "count_places.rq"
    query.write_text(
        "PREFIX bk: <https://w3id.org/border-kg/def#>\n"
        "SELECT (COUNT(?p) AS ?districts) WHERE { ?p a bk:District }\n",
        encoding="utf-8",
    )
    table = run_query(project, str(query))
    assert table.variables == ("districts",)
    assert int(table.rows[0][0]) == 25


def test_invalid_sparql_is_a_tool_error(project: Project, built: BuildResult, tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    with pytest.raises(ToolError, match="not valid SPARQL"):
        run_query(project, str(query))
