"""The statistics cube kg import acled writes (W3C RDF Data Cube): its observations against a
direct count of each fixture CSV, the cube-backed stored queries against the same questions
asked of the raw events on one store, and the Data Cube integrity constraints that apply
(queries/cube_checks/, see its README for those that do not), each shown to catch a planted
violation."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS

from kg import Project, run_query
from kg.api import BuildResult, make_store
from kg.importers.acled import ImportResult, import_acled
from kg.importers.acled.values import parse_date
from kg.stores.store import load_files
from kg.terms import to_oxigraph_quad

from conftest import REPO, run_kg
from test_acled import V6_TYPES

FIXTURES = REPO / "tests" / "acled"
ALL = sorted(path for path in FIXTURES.glob("events-*.csv") if path.stem != "events-broken")
STORED = [FIXTURES / f"events-{name}.csv" for name in ("current", "older", "multi-country", "v6")]
CHECKS = sorted((REPO / "queries" / "cube_checks").glob("ic-*.rq"))
ACLED = "https://w3id.org/border-kg/acled#"


@pytest.fixture(scope="module")
def imports(project: Project, built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImportResult]:
    return {csv_file.stem: import_acled(project, csv_file, tmp_path_factory.mktemp("cube") / csv_file.stem, built.graph)
            for csv_file in ALL}


def notation_of(project: Project, local_name: str) -> str:
    return str(project.ontology.value(URIRef(ACLED + local_name), SKOS.notation))


def direct_counts(project: Project, csv_file: Path) -> dict[str, tuple[int, int]]:
    """Observation label -> (events, fatalities), counted from the CSV's rows."""
    counts: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    with csv_file.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind = row["event_type"]
            if "gwno" in row:  # the v6 layout: today's type, as ACLED's note of 2019 gives it
                kind = notation_of(project, V6_TYPES[row["event_id_cnty"]][0])
            area = ", ".join(name for name in (row["admin1"].strip(), row["country"].strip()) if name)
            label = f"{kind}, {area}, {parse_date(row['event_date'])[:7]}"
            counts[label] += 1
            dead[label] += int(row["fatalities"])
    return {label: (count, dead[label]) for label, count in counts.items()}


def cube_store(*results: ImportResult, with_ontology: Project | None = None) -> ox.Store:
    store = ox.Store()
    load_files(store, [file for result in results for file in result.cube_files])
    if with_ontology is not None:
        store.bulk_extend(to_oxigraph_quad(triple) for triple in with_ontology.ontology)
    return store


OBSERVATIONS = """
PREFIX bk: <https://w3id.org/border-kg/def#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?events ?fatalities WHERE {
  ?o a qb:Observation ; rdfs:label ?label ; bk:eventCount ?events ; bk:fatalityCount ?fatalities }
"""


@pytest.mark.parametrize("fixture", [path.stem for path in ALL])
def test_the_cube_matches_a_direct_count_of_the_csv(project: Project, imports: dict[str, ImportResult], fixture: str) -> None:
    result = imports[fixture]
    assert [file.name for file in result.cube_files] == ["cube-00001.nt.gz"]
    solutions = cube_store(result).query(OBSERVATIONS)
    assert isinstance(solutions, ox.QuerySolutions)
    found = {row["label"].value: (int(row["events"].value), int(row["fatalities"].value)) for row in solutions}
    assert found == direct_counts(project, FIXTURES / f"{fixture}.csv")
    assert result.observations == len(found)


# The questions of events_by_type and events_by_region, asked of the raw events (as those
# stored queries did before they read the cube).
RAW = {
    "events_by_type": """
PREFIX bk: <https://w3id.org/border-kg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event_type (COUNT(?event) AS ?events) (SUM(?dead) AS ?fatalities) WHERE {
  ?event a bk:ConflictEvent ; bk:eventType ?type ; bk:fatalities ?dead .
  ?type rdfs:label ?event_type .
} GROUP BY ?event_type
""",
    "events_by_region": """
PREFIX bk: <https://w3id.org/border-kg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?region (COUNT(?event) AS ?events) (SUM(?dead) AS ?fatalities) WHERE {
  ?event a bk:ConflictEvent ; bk:place/bk:locatedIn* ?regionNode ; bk:fatalities ?dead .
  ?regionNode a bk:Region ; rdfs:label ?region ; bk:locatedIn/rdfs:label ?country .
} GROUP BY ?country ?region
""",
    "events_by_month": """
PREFIX bk: <https://w3id.org/border-kg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?month (COUNT(?event) AS ?events) (SUM(?dead) AS ?fatalities) WHERE {
  ?event a bk:ConflictEvent ; bk:date ?date ; bk:place/bk:locatedIn* ?countryNode ; bk:fatalities ?dead .
  ?countryNode a bk:Country ; rdfs:label ?country .
  BIND (SUBSTR(STR(?date), 1, 7) AS ?month)
} GROUP BY ?country ?month
""",
}


@pytest.fixture(scope="module")
def store(project: Project, imports: dict[str, ImportResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "store"
    make_store(project, folder, [imports[csv_file.stem].files[0].parent for csv_file in STORED])
    return folder


@pytest.mark.parametrize("query", sorted(RAW))
def test_the_cube_queries_answer_as_the_raw_events_do(project: Project, store: Path, query: str) -> None:
    from_cube = run_query(project, query, store_dir=store).as_dicts()
    raw = ox.Store.read_only(str(store)).query(RAW[query], use_default_graph_as_union=True)
    assert isinstance(raw, ox.QuerySolutions)
    columns = [variable.value for variable in raw.variables]
    from_events = [{column: row[column].value for column in columns} for row in raw]
    assert from_events, "the raw events answer something"
    assert sorted(map(str, from_cube)) == sorted(map(str, from_events))


def test_events_by_month_matches_a_direct_count(project: Project, store: Path) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    dead: Counter[tuple[str, str]] = Counter()
    for csv_file in STORED:
        with csv_file.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["country"], parse_date(row["event_date"])[:7])
                expected[key] += 1
                dead[key] += int(row["fatalities"])
    months = run_query(project, "events_by_month", store_dir=store).as_dicts()
    assert {(r["country"], r["month"]): (int(str(r["events"])), int(str(r["fatalities"]))) for r in months} == {
        key: (count, dead[key]) for key, count in expected.items()
    }


# -- the Data Cube integrity constraints ----------------------------------------------------------


def ask(store: ox.Store, check: Path) -> bool:
    answer = store.query(check.read_text(encoding="utf-8"))
    assert isinstance(answer, ox.QueryBoolean)
    return bool(answer)


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_the_cube_of_every_fixture_keeps_the_integrity_constraints(project: Project, imports: dict[str, ImportResult],
                                                                   check: Path) -> None:
    store = cube_store(*imports.values(), with_ontology=project)
    assert not ask(store, check), check.read_text(encoding="utf-8").splitlines()[0]


OBSERVATION = "?o a qb:Observation ; bk:refRegion ?region ; bk:refEventType ?type ; bk:refMonth ?month"
PLANTED = {  # constraint: a SPARQL Update that breaks it
    "ic-01": f"DELETE {{ ?o qb:dataSet ?d }} WHERE {{ {{ SELECT ?o ?d WHERE {{ ?o qb:dataSet ?d }} LIMIT 1 }} }}",
    "ic-02": "INSERT { ?d qb:structure acled:AnotherStructure } WHERE { ?d a qb:DataSet }",
    "ic-03": "DELETE { acled:EventStatistics qb:component ?c } WHERE { acled:EventStatistics qb:component ?c . "
             "?c qb:measure ?m }",
    "ic-04": "DELETE { bk:refMonth rdfs:range ?r } WHERE { bk:refMonth rdfs:range ?r }",
    "ic-05": "DELETE { bk:refEventType qb:codeList ?l } WHERE { bk:refEventType qb:codeList ?l }",
    "ic-06": "INSERT DATA { acled:EventStatistics-month qb:componentRequired false }",
    "ic-11": f"DELETE {{ ?o bk:refMonth ?month }} WHERE {{ {{ SELECT ?o ?month WHERE {{ {OBSERVATION} }} LIMIT 1 }} }}",
    "ic-12": f"INSERT {{ ?copy a qb:Observation ; qb:dataSet ?d ; bk:refCountry ?c ; bk:refRegion ?region ; "
             f"bk:refEventType ?type ; bk:refMonth ?month }} WHERE {{ {{ SELECT * WHERE {{ {OBSERVATION} ; qb:dataSet ?d ; "
             f"bk:refCountry ?c }} LIMIT 1 }} BIND (IRI(CONCAT(STR(?o), '-copy')) AS ?copy) }}",
    "ic-13": "INSERT DATA { acled:EventStatistics qb:component [ qb:attribute bk:note ; qb:componentProperty bk:note ; "
             "qb:componentRequired true ] . bk:note a qb:AttributeProperty }",
    "ic-14": f"DELETE {{ ?o bk:fatalityCount ?n }} WHERE {{ {{ SELECT ?o ?n WHERE {{ ?o bk:fatalityCount ?n }} LIMIT 1 }} }}",
    "ic-19": f"DELETE {{ ?o bk:refEventType ?type }} INSERT {{ ?o bk:refEventType acled:battles--armed-clash }} "
             f"WHERE {{ {{ SELECT ?o ?type WHERE {{ {OBSERVATION} }} LIMIT 1 }} }}",
}
PREFIXES = """PREFIX acled: <https://w3id.org/border-kg/acled#>
PREFIX bk: <https://w3id.org/border-kg/def#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def test_every_check_has_a_planted_violation() -> None:
    assert sorted(PLANTED) == [check.stem for check in CHECKS]


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_each_integrity_constraint_catches_its_violation(project: Project, imports: dict[str, ImportResult], check: Path) -> None:
    store = cube_store(imports["events-multi-country"], with_ontology=project)
    store.update(PREFIXES + PLANTED[check.stem])
    assert ask(store, check)


# -- where the cube goes -----------------------------------------------------------------------------


def test_with_nquads_the_cube_is_in_a_named_graph_of_its_own(project: Project, built: BuildResult, tmp_path: Path) -> None:
    result = import_acled(project, FIXTURES / "events-current.csv", tmp_path / "q", built.graph, format_name="nquads")
    (cube_file,) = result.cube_files
    assert cube_file.name == "cube-00001.nq.gz"
    quads = list(ox.parse(gzip.decompress(cube_file.read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert {quad.graph_name.value for quad in quads} == {"https://w3id.org/border-kg/id/source/acled-events-current/cube"}
    events = [quad for file in result.files for quad in ox.parse(gzip.decompress(file.read_bytes()), format=ox.RdfFormat.N_QUADS)]
    assert {quad.graph_name.value for quad in events} == {"https://w3id.org/border-kg/id/source/acled-events-current"}
    assert len(quads) == 3 + 9 * result.observations


def test_without_the_cube_no_cube_shard_is_written(tmp_path: Path) -> None:
    result = run_kg("import", "acled", "tests/acled/events-current.csv", "-o", str(tmp_path / "out"), "--no-cube")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["events.tsv.gz", "kg-00001.nt.gz", "manifest.json"]
    with_cube = run_kg("import", "acled", "tests/acled/events-current.csv", "-o", str(tmp_path / "cube"))
    assert sorted(path.name for path in (tmp_path / "cube").iterdir()) == ["cube-00001.nt.gz", "events.tsv.gz", "kg-00001.nt.gz", "manifest.json"]
    assert "statistics cube" in with_cube.stdout


def test_the_cube_is_sharded_as_the_events_are(project: Project, built: BuildResult, imports: dict[str, ImportResult],
                                                tmp_path: Path) -> None:
    whole = imports["events-multi-country"]
    sharded = import_acled(project, FIXTURES / "events-multi-country.csv", tmp_path / "out", built.graph, lines_per_shard=10)
    cube_lines = [line for file in sharded.cube_files for line in gzip.decompress(file.read_bytes()).splitlines()]
    assert cube_lines == gzip.decompress(whole.cube_files[0].read_bytes()).splitlines()
    assert len(cube_lines) == 3 + 9 * whole.observations
    names = [file.name for file in sharded.cube_files]
    assert names == [f"cube-{number:05d}.nt.gz" for number in range(1, len(cube_lines) // 10 + 2)]
    assert [file.name for file in sharded.files][:2] == ["kg-00001.nt.gz", "kg-00002.nt.gz"]
