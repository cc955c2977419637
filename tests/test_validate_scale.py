"""The set-based validator's rewrites for large stores give the results the plain queries give:
queries written for the store's class hierarchy (kg.validate.fast.checks.ClassHierarchy) and
screened by an ASK on the path alone and keeping a path's failing values for each shape node by
node, against the ones that follow rdf:type/rdfs:subClassOf* node by node and always run over all
focus nodes, and checks run on several threads
against one thread; and `kg validate --profile` shows the slowest checks. (Agreement with pySHACL
is tests/test_fastshacl.py's.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import Project
from kg.validate.fast import ClassHierarchy, compile_shapes, validate_store
from kg.validate.fast import checks
from kg.validate.fast.checks import Result
from rdflib import URIRef

from conftest import REPO, run_kg
from test_fastshacl import store_of

CASES = sorted(p for p in (REPO / "tests" / "shape_cases").iterdir() if p.is_dir())
BK = "https://w3id.org/border-kg/def#"

# Instances of classes the data declares below bk:ConflictEvent, one through a blank node: the
# shapes of bk:ConflictEvent and bk:Incident apply to both, and both lack an event type.
SUBCLASSES_IN_THE_DATA = f"""
@prefix bk: <{BK}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:Skirmish rdfs:subClassOf bk:ConflictEvent .
ex:Raid rdfs:subClassOf [ rdfs:subClassOf bk:ConflictEvent ] .
ex:one a ex:Skirmish ; rdfs:label "one" ; bk:source ex:nowhere .
ex:two a ex:Raid ; rdfs:label "two" ; bk:source ex:nowhere .
""".encode()


def results_of(store: ox.Store, hierarchy: ClassHierarchy | None, project: Project, *, screened: bool = True) -> list[tuple[str, set[Result]]]:
    checks = compile_shapes(project.shapes, hierarchy)
    if not screened:
        assert any(c.screen for c in checks) and any(c.candidates for c in checks)
        checks = [dataclasses.replace(c, screen=None, candidates=None) for c in checks]
    return [(f"{c.shape} {c.component}", set(c.run(store))) for c in checks]


def assert_same_results_both_ways(store: ox.Store, project: Project) -> list[tuple[str, set[Result]]]:
    """Queries for the hierarchy, screened by ASK queries on the paths and with the failing
    values of a path kept for each shape node by node (as validate_store runs them), against
    queries that follow the class paths, unscreened, each over all its focus nodes."""
    named = results_of(store, ClassHierarchy.of(store), project)
    followed = results_of(store, None, project, screened=False)
    assert named == followed
    return named


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_queries_for_the_hierarchy_find_what_the_path_queries_find(project: Project, case: Path) -> None:
    results = assert_same_results_both_ways(store_of((case / "graph.ttl").read_bytes(), project.ontology), project)
    assert any(found for _, found in results)  # every case is broken somewhere


@pytest.mark.parametrize("through_blank_node", [True, False], ids=["path-followed", "classes-named"])
def test_subclasses_declared_in_the_data_are_targets_too(project: Project, through_blank_node: bool) -> None:
    data = SUBCLASSES_IN_THE_DATA if through_blank_node else b"\n".join(
        line for line in SUBCLASSES_IN_THE_DATA.splitlines() if b"Raid" not in line and b"ex:two" not in line
    )
    store = store_of(data, project.ontology)
    assert (ClassHierarchy.of(store).closure(URIRef(BK + "ConflictEvent")) is None) is through_blank_node
    results = assert_same_results_both_ways(store, project)
    no_event_type = dict(results)["bksh:ConflictEventShape (property bk:eventType) sh:minCount 1"]
    expected = {"https://example.org/one", "https://example.org/two"} if through_blank_node else {"https://example.org/one"}
    assert {r.focus.value for r in no_event_type} == expected


def test_the_hierarchy_names_classes_and_gives_up_on_blank_nodes() -> None:
    store = ox.Store()
    store.load(b"""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix ex: <https://example.org/> .
        ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:B . ex:A rdfs:subClassOf ex:C .
        ex:D rdfs:subClassOf ex:Other . [] rdfs:subClassOf ex:E .
    """, ox.RdfFormat.TURTLE)
    hierarchy = ClassHierarchy.of(store)
    ex = "https://example.org/"
    assert hierarchy.closure(URIRef(ex + "A")) == [ox.NamedNode(ex + c) for c in "ABC"]  # a cycle ends
    assert hierarchy.closure(URIRef(ex + "D")) == [ox.NamedNode(ex + "D")]
    assert hierarchy.closure(URIRef(ex + "E")) is None  # a blank node cannot be named in a query
    assert hierarchy.closure(URIRef(ex + "Nothing")) == [ox.NamedNode(ex + "Nothing")]


@pytest.mark.parametrize("case", CASES[:8], ids=lambda p: p.name)
def test_threads_give_the_same_report_as_one_thread(project: Project, case: Path) -> None:
    store = store_of((case / "graph.ttl").read_bytes(), project.ontology)
    one = validate_store(store, project.shapes, threads=1)
    four = validate_store(store, project.shapes, threads=4)
    assert one.violations and one.violations == four.violations
    assert [t.check for t in one.timings] == [t.check for t in four.timings]
    assert (one.threads, four.threads) == (1, 4)


def test_the_report_times_every_check(project: Project) -> None:
    report = validate_store(store_of(SUBCLASSES_IN_THE_DATA, project.ontology), project.shapes, threads=2)
    assert len(report.timings) == len(compile_shapes(project.shapes))
    assert all(t.seconds >= 0 for t in report.timings)
    failing = {t.check: t.results for t in report.timings if t.results}
    assert failing["bksh:ConflictEventShape (property bk:eventType) sh:minCount 1"] == 2
    assert sum(failing.values()) == len(report.violations)


def test_profile_prints_the_slowest_checks(project: Project, built: object) -> None:
    run = run_kg("--out", str(project.out), "validate", "--profile", "3")
    assert run.returncode == 0
    assert run.stdout.strip() == "The graph conforms to the shapes."
    lines = run.stderr.splitlines()
    assert "checks took" in lines[0] and lines[0].endswith("the 3 slowest (seconds, results, check):")
    assert len(lines) == 4
    seconds = [float(line.split()[0]) for line in lines[1:]]
    assert seconds == sorted(seconds, reverse=True)
    assert all("Shape" in line for line in lines[1:])


def test_profile_refuses_pyshacl_and_zero(project: Project, built: object) -> None:
    run = run_kg("--out", str(project.out), "validate", "--engine", "pyshacl", "--profile")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "kg: error: --profile times the checks of the oxigraph engine; pySHACL does not time its own: "
        "drop --profile or --engine pyshacl"
    )
    run = run_kg("--out", str(project.out), "validate", "--profile", "0")
    assert run.returncode == 2
    assert run.stderr.strip() == "kg: error: --profile takes the number of checks to show, 1 or more, not 0"


def test_timings_do_not_change_what_a_report_is(project: Project) -> None:
    report = validate_store(store_of(SUBCLASSES_IN_THE_DATA, project.ontology), project.shapes, threads=1)
    assert dataclasses.replace(report, timings=()).render() == report.render()


def test_shapes_with_the_same_path_share_one_screen(project: Project) -> None:
    """The screens of maxCount on rdfs:label, in five shapes, are one query (asked once by Screens)."""
    checks = [c for c in compile_shapes(project.shapes) if c.component == "sh:maxCount 1" and "(property rdfs:label)" in c.shape]
    assert len(checks) >= 3
    assert len({c.screen for c in checks}) == 1 and checks[0].screen is not None


def test_a_check_with_many_failing_focus_nodes_keeps_them_with_one_query(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MEMBER_TESTS_LIMIT focus nodes among a path's failing values, the check's query keeps
    those of the shape, instead of one ASK per node: the same results."""
    store = store_of((REPO / "tests" / "shape_cases" / "quote-longer-than-200-characters" / "graph.ttl").read_bytes(), project.ontology)
    by_node = results_of(store, ClassHierarchy.of(store), project)
    monkeypatch.setattr(checks, "MEMBER_TESTS_LIMIT", 0)
    assert results_of(store, ClassHierarchy.of(store), project) == by_node
    assert dict(by_node)["bksh:SourceShape (property bk:quote) sh:maxLength 200"]


def test_shapes_with_the_same_path_and_test_share_their_candidates(project: Project) -> None:
    """The failing values of rdfs:label for sh:datatype xsd:string, in three shapes, are one query."""
    found = [c for c in compile_shapes(project.shapes) if c.component.startswith("sh:datatype") and "(property rdfs:label)" in c.shape]
    assert len(found) >= 3 and all(c.candidates for c in found)
    assert len({c.candidates.query for c in found if c.candidates}) == 1
    assert len({c.candidates.member for c in found if c.candidates}) == len(found)
