"""SHACL shapes against deliberately broken graphs. Each folder of tests/shape_cases/ holds a
graph.ttl (instance data; the ontology is mixed in by the validator) and expected.txt: comment
lines (#), then one line per expected violation, "FOCUS-NODE | MESSAGE". The match is exact,
both ways, with the default validation engine (tests/test_fastshacl.py checks that pySHACL, the
reference, gives the same). `pytest --update-golden` rewrites expected.txt, keeping its comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from kg import Project
from kg.api import BuildResult, validate_graph
from kg.project import BK
from kg.validate.shacl import ValidationReport

from conftest import REPO, Golden

CASES = sorted(p for p in (REPO / "tests" / "shape_cases").iterdir() if p.is_dir())


def violation_lines(text: str) -> list[str]:
    """The violations an expected.txt names, sorted: its lines without comments and blanks."""
    return sorted(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def expected_lines(case: Path) -> list[str]:
    return violation_lines((case / "expected.txt").read_text(encoding="utf-8"))


def expected_text(case: Path, lines: list[str]) -> str:
    """An expected.txt naming these violations, with the comments of the present one."""
    path = case / "expected.txt"
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")] if path.exists() else []
    return "".join(f"{line}\n" for line in [*comments, *lines])


def validate_case(graph: Graph, project: Project, engine: str | None = None) -> ValidationReport:
    """A shape case's graph validated with the ontology mixed in, as a build holds it."""
    return validate_graph(graph + project.ontology, project, **({"engine": engine} if engine else {}))


@pytest.fixture(scope="module")
def reports(project: Project) -> dict[str, list[str]]:
    """Each case validated once: case name -> sorted 'focus | message' lines."""
    out = {}
    for case in CASES:
        graph = Graph()
        graph.parse(case / "graph.ttl", format="turtle")
        report = validate_case(graph, project)
        assert not report.conforms or not report.violations
        out[case.name] = sorted(f"{v.focus_node} | {v.message}" for v in report.violations)
    return out


def test_there_are_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_broken_graph_gives_the_expected_violations(reports: dict[str, list[str]], case: Path, golden: Golden) -> None:
    assert reports[case.name], f"{case.name}: the graph conforms, but a shape case must break a shape"
    golden.check(case / "expected.txt", expected_text(case, reports[case.name]), violation_lines)


def test_every_sparql_rule_is_exercised(project: Project, reports: dict[str, list[str]]) -> None:
    messages = {line.split(" | ", 1)[1] for lines in reports.values() for line in lines}
    templates = [str(m) for c in project.shapes.objects(None, SH.sparql) for m in project.shapes.objects(c, SH.message)]
    assert len(templates) == 16
    for template in templates:
        fixed_start = template.split("{")[0]
        assert any(message.startswith(fixed_start) for message in messages), template


def test_the_curated_graph_conforms(built: BuildResult) -> None:
    assert built.report.conforms
    assert built.report.violations == ()


@pytest.mark.parametrize("open_qualifier", [None, "moreThan"])
def test_parts_of_open_size_are_not_called_inconsistent(project: Project, open_qualifier: str | None) -> None:
    """A part with no figure, or only a lower bound, could make up any difference."""
    graph = Graph()
    graph.parse(REPO / "tests" / "shape_cases" / "composite-crossing-parts-do-not-add-up" / "graph.ttl")
    part_claim = URIRef("https://w3id.org/border-kg/id/incident/crossing-x-b.count-1")
    part = URIRef("https://w3id.org/border-kg/id/incident/crossing-x-b")
    if open_qualifier is None:
        graph.remove((part, BK.reportedCount, part_claim))
        graph.remove((part_claim, None, None))
    else:
        # "more than 150", with the bounds the build derives for it: at least 151, no upper bound.
        graph.set((part_claim, BK.qualifier, BK[open_qualifier]))
        graph.set((part_claim, BK.minValue, Literal(151)))
        graph.remove((part_claim, BK.maxValue, None))
    report = validate_case(graph, project)
    assert report.conforms, report.render()
