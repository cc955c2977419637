"""The fast SHACL engine (kg.validate.fast: SPARQL over pyoxigraph, the default) against pySHACL
(kg.validate.shacl), the reference: the same violations, field by field (focus node, shape, message,
path, value, severity, record, record location), on every broken graph of tests/shape_cases/,
on every case of tests/bad_data/ that reaches SHACL, on the curated graph, and on a few thousand
synthetic crossings with seeded damage. Running pySHACL is what makes these tests slow."""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg import Project, build_graph
from kg.api import BuildResult, validate_graph
from kg.validate.fast import UnsupportedShapeError, compile_shapes, validate_store
from kg.validate.shacl import ValidationReport, validate

from conftest import REPO
from test_bad_data import CASES as BAD_DATA_CASES
from test_bad_data import data_folder

CASES = sorted(p for p in (REPO / "tests" / "shape_cases").iterdir() if p.is_dir())


def store_of(turtle: bytes, ontology: Graph) -> ox.Store:
    """A store whose default graph holds the data and the ontology that pySHACL mixes in."""
    store = ox.Store()
    store.load(turtle, ox.RdfFormat.TURTLE)
    store.load(ontology.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    return store


def rows(report: ValidationReport) -> list[tuple]:
    """Every field of every violation, sorted: the order within ties is not part of the contract."""
    return sorted((dataclasses.astuple(v) for v in report.violations), key=row_order)


def row_order(row: tuple) -> list[tuple[bool, str]]:
    return [(field is not None, str(field)) for field in row]


def both_engines(turtle: bytes, project: Project) -> tuple[ValidationReport, ValidationReport]:
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    reference = validate(graph, project.shapes, project.ontology)
    fast = validate_store(store_of(turtle, project.ontology), project.shapes, prefixes=graph)
    return reference, fast


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# ---------------------------------------------------------------------------------------------
# 1. The broken graphs of tests/shape_cases/
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_broken_graph_gives_the_same_violations_as_pyshacl(project: Project, case: Path) -> None:
    reference, fast = both_engines((case / "graph.ttl").read_bytes(), project)
    assert sorted(f"{v.focus_node} | {v.message}" for v in fast.violations) == expected_lines(case)
    assert rows(fast) == rows(reference)
    assert fast.conforms is reference.conforms is False


# ---------------------------------------------------------------------------------------------
# 2. The bad-data cases that reach SHACL, and the curated graph: built from records, so that
#    violations name the record file and line
# ---------------------------------------------------------------------------------------------

# A case reaches SHACL when its records are well-formed; its expected messages then name shapes.
REACHING_SHACL = [case for case in BAD_DATA_CASES if "[shape " in (case / "expected.txt").read_text(encoding="utf-8")]


def test_there_are_bad_data_cases_that_reach_shacl() -> None:
    assert len(REACHING_SHACL) >= 9


@pytest.mark.slow
@pytest.mark.parametrize("case", REACHING_SHACL, ids=lambda p: p.name)
def test_bad_data_gives_the_same_violations_as_pyshacl(case: Path, tmp_path: Path) -> None:
    project = Project(root=REPO, data_dir=data_folder(tmp_path, case), out_dir=tmp_path / "out")
    graph, index, _ = build_graph(project)
    fast = validate_graph(graph, project, index, engine="oxigraph")
    reference = validate_graph(graph, project, index, engine="pyshacl")
    assert fast.violations and all(v.location is not None for v in fast.violations), fast.render()
    assert rows(fast) == rows(reference)
    assert fast.render() == reference.render()


@pytest.mark.slow
def test_the_curated_graph_conforms_under_both_engines(project: Project, built: BuildResult) -> None:
    assert built.report.conforms  # the default engine, run by the build
    reference = validate_graph(built.graph, project, built.index, engine="pyshacl")
    assert reference.conforms, reference.render()
    assert reference.violations == ()


# ---------------------------------------------------------------------------------------------
# 3. Seeded damage at scale
# ---------------------------------------------------------------------------------------------

PREFIXES = """\
@prefix bk:       <https://w3id.org/border-kg/def#> .
@prefix place:    <https://w3id.org/border-kg/id/place/> .
@prefix incident: <https://w3id.org/border-kg/id/incident/> .
@prefix source:   <https://w3id.org/border-kg/id/source/> .
@prefix rdfs:     <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:      <http://www.w3.org/2001/XMLSchema#> .
"""

DAMAGE = (
    "negative count",
    "decimal count",
    "missing destination",
    "same country",
    "parts do not add up",
    "date as plain text",
    "impossible date",
    "range without maximum",
    "count without qualifier",
)


@dataclasses.dataclass(frozen=True)
class SyntheticGraph:
    common: str  # prefixes, gazetteer and reports
    crossings: tuple[str, ...]  # one Turtle chunk per crossing: itself, its parts, their count claims
    damaged: dict[str, str]  # crossing -> kind of damage

    def turtle(self, start: int = 0, stop: int | None = None) -> bytes:
        """The graph, or only the crossings [start:stop] with the common part."""
        return (self.common + "".join(self.crossings[start:stop])).encode("utf-8")


def synthetic_crossings(n: int, *, seed: int = 2021, damaged_share: float = 0.05) -> SyntheticGraph:
    """n border crossings (about a tenth of them composite, with two or three parts) between the
    districts and countries of a small gazetteer, each with a count claim and a source, and a
    seeded random share of them damaged, in turn in each way of DAMAGE."""
    rnd = random.Random(seed)
    common = [PREFIXES]
    countries = ["AF", "TJ", "UZ", "KG"]
    districts: dict[str, list[str]] = {}
    for code in countries:
        c = code.lower()
        common.append(f'place:{c} a bk:Country ; rdfs:label "Country {code}" ; bk:isoCode "{code}" .\n')
        districts[code] = []
        for r in range(3):
            common.append(f'place:{c}-r{r} a bk:Region ; rdfs:label "Region {code}-{r}" ; bk:isoCode "{code}-R{r}" ; bk:locatedIn place:{c} .\n')
            for d in range(3):
                districts[code].append(f"place:{c}-r{r}-d{d}")
                common.append(f'place:{c}-r{r}-d{d} a bk:District ; rdfs:label "District {code}-{r}-{d}" ; bk:locatedIn place:{c}-r{r} .\n')
        common.append(f'place:{c}-point a bk:BorderCrossingPoint ; rdfs:label "Crossing point {code}" ; bk:locatedIn {districts[code][0]} .\n')
    reports = [f"source:report-{i}" for i in range(40)]
    for i, report in enumerate(reports):
        common.append(f'{report} a bk:Report ; rdfs:label "Report {i}" ; bk:date "2021-{1 + i % 12:02d}-{1 + i % 28:02d}"^^xsd:date .\n')

    chosen = rnd.sample(range(n), round(n * damaged_share))
    damaged = {i: DAMAGE[k % len(DAMAGE)] for k, i in enumerate(chosen)}

    def crossing(out: list[str], node: str, label: str, damage: str | None, count: int, parts: int = 0, exact: bool = False) -> None:
        origin_country, destination_country = rnd.sample(countries, 2)
        if damage == "same country":
            destination_country = origin_country
        origin = rnd.choice(districts[origin_country])
        destination = rnd.choice([*districts[destination_country], f"place:{destination_country.lower()}"])
        date = f'"2021-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"^^xsd:date'
        if damage == "date as plain text":
            date = '"2021-07-01"'
        elif damage == "impossible date":
            date = '"2021-02-30"^^xsd:date'
        elif rnd.random() < 0.1:
            date = f'"2021-{rnd.randint(1, 12):02d}"^^xsd:gYearMonth'
        lines = [f"{node} a bk:BorderCrossing", f'rdfs:label "{label}"', f"bk:date {date}", f"bk:origin {origin}"]
        if damage != "missing destination":
            lines.append(f"bk:destination {destination}")
        lines.append(f"bk:source {rnd.choice(reports)}")
        if rnd.random() < 0.3:
            lines.append(f"bk:crossingPoint place:{destination_country.lower()}-point")
        if rnd.random() < 0.5:
            lines.append("bk:mode " + rnd.choice(["bk:onFoot", "bk:byRiver"]))
        if parts:
            lines.append("bk:hasPart " + " , ".join(f"{node}-{p}" for p in range(parts)))
        lines.append(f"bk:reportedCount {node}.count-1")
        out.append(" ;\n    ".join(lines) + " .\n")
        qualifier = "bk:exactly" if exact else rnd.choice(["bk:exactly", "bk:exactly", "bk:approximately", "bk:moreThan"])
        if damage == "range without maximum":
            qualifier = "bk:between"
        value = {"negative count": f"-{count}", "decimal count": f"{count}.5"}.get(damage or "", str(count))
        claim = [f"{node}.count-1 a bk:CountClaim", "bk:measure bk:peopleMoved", f"bk:value {value}",
                 f"bk:source {rnd.choice(reports)}"]
        # The bounds the build's rules derive from the qualifier (ontology/rules/50-figure-bounds.ru).
        bounds = {"bk:exactly": (count, count), "bk:approximately": (count * 9 // 10, -(-count * 11 // 10)),
                  "bk:moreThan": (count + 1, None), "bk:between": (count, None)}[qualifier]
        if damage not in ("negative count", "decimal count"):
            claim.append(f"bk:minValue {bounds[0]}")
            if bounds[1] is not None:
                claim.append(f"bk:maxValue {bounds[1]}")
        if damage != "count without qualifier":
            claim.append(f"bk:qualifier {qualifier}")
        out.append(" ;\n    ".join(claim) + " .\n")

    chunks = []
    for i in range(n):
        out: list[str] = []
        node = f"incident:crossing-{i:05d}"
        damage = damaged.get(i)
        if rnd.random() < 0.1 or damage == "parts do not add up":
            counts = [rnd.randint(1, 200) for _ in range(rnd.randint(2, 3))]
            for p, count in enumerate(counts):
                crossing(out, f"{node}-{p}", f"Crossing {i}, part {p}", None, count, exact=True)
            total = sum(counts) + (rnd.randint(1, 50) if damage == "parts do not add up" else 0)
            crossing(out, node, f"Crossing {i}", damage, total, parts=len(counts), exact=True)
        else:
            crossing(out, node, f"Crossing {i}", damage, rnd.randint(1, 500))
        chunks.append("".join(out))
    return SyntheticGraph("".join(common), tuple(chunks), {f"incident:crossing-{i:05d}": d for i, d in damaged.items()})


@functools.cache
def worker_project() -> Project:
    return Project()


def pyshacl_rows(turtle: bytes) -> list[tuple]:
    """pySHACL's violations of a graph, as rows; run in a worker process."""
    project = worker_project()
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    return rows(validate(graph, project.shapes, project.ontology))


SLICE = 25


@pytest.mark.slow
def test_seeded_damage_gives_the_same_violations_in_both_engines(project: Project) -> None:
    """The fast engine validates 400 crossings at once (20 of them damaged, each kind of damage
    at least twice). pySHACL's SPARQL constraints take time quadratic in the number of
    crossings (22 s for 100 crossings at once, 3.3 s for 25), so it validates slices of 25
    crossings, each with the gazetteer and the reports, on every core. Every violation concerns
    one crossing, its parts or its count claim, so the slices' violations together are those
    of the whole graph. (2,000 crossings in slices of 100 took about 4 minutes of the suite.)"""
    synthetic = synthetic_crossings(400)
    assert len(synthetic.damaged) == 20 and set(synthetic.damaged.values()) == set(DAMAGE)
    prefixes = Graph().parse(data=synthetic.common, format="turtle")
    fast = validate_store(store_of(synthetic.turtle(), project.ontology), project.shapes, prefixes=prefixes)
    slices = [synthetic.turtle(start, start + SLICE) for start in range(0, len(synthetic.crossings), SLICE)]
    workers = min(4, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        reference = [row for slice_rows in pool.map(pyshacl_rows, slices) for row in slice_rows]
    assert rows(fast) == sorted(reference, key=row_order)
    # Each damaged crossing is reported (on itself or on its count claim), and nothing else.
    assert {v.focus_node.removesuffix(".count-1") for v in fast.violations} == set(synthetic.damaged)


@pytest.mark.slow
def test_undamaged_synthetic_crossings_conform(project: Project) -> None:
    reference, fast = both_engines(synthetic_crossings(100, damaged_share=0).turtle(), project)
    assert reference.conforms and fast.conforms, fast.render()


# ---------------------------------------------------------------------------------------------
# 4. Unsupported features are refused, not skipped
# ---------------------------------------------------------------------------------------------

SHAPES_PREFIXES = """\
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix bk:   <https://w3id.org/border-kg/def#> .
@prefix bksh: <https://w3id.org/border-kg/shapes#> .
"""


def shapes_of(turtle: str) -> Graph:
    return Graph().parse(data=SHAPES_PREFIXES + turtle, format="turtle")


def test_a_qualified_value_shape_is_refused_with_the_shape_named() -> None:
    shapes = shapes_of("""
        bksh:CompositeShape a sh:NodeShape ; sh:targetClass bk:BorderCrossing ;
            sh:property [ sh:path bk:hasPart ; sh:qualifiedValueShape [ sh:class bk:BorderCrossing ] ;
                          sh:qualifiedMinCount 2 ; sh:message "Two parts at least." ] .
    """)
    with pytest.raises(UnsupportedShapeError, match=r"bksh:CompositeShape .*sh:qualified(ValueShape|MinCount)"):
        validate_store(ox.Store(), shapes)


@pytest.mark.parametrize(
    ("shape", "feature"),
    [
        ("sh:targetNode bk:x ; sh:property [ sh:path bk:p ; sh:minCount 1 ; sh:message 'm' ]", "sh:targetNode"),
        ("sh:targetClass bk:C ; sh:property [ sh:path ( bk:p bk:q ) ; sh:minCount 1 ; sh:message 'm' ]", "the path"),
        ("sh:targetClass bk:C ; sh:property [ sh:path bk:p ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message 'm' ]", "sh:severity"),
        ("sh:targetClass bk:C ; sh:property [ sh:path bk:p ; sh:minCount 1 ]", "without sh:message"),
        ("sh:targetClass bk:C ; sh:property [ sh:path bk:p ; sh:pattern 'a' ; sh:flags 'i' ; sh:message 'm' ]", "sh:flags"),
        ("sh:targetClass bk:C ; sh:property [ sh:path bk:p ; sh:or ( [ sh:nodeKind sh:IRI ] ) ; sh:message 'm' ]", "sh:or member"),
        ("sh:targetClass bk:C ; sh:not [ sh:class bk:D ] ; sh:message 'm'", "sh:not"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x } LIMIT 1' ]", "LIMIT"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT ?x WHERE { $this <urn:p> ?x }' ]", "does not select \\$this"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT $this FROM <urn:g> WHERE { $this <urn:p> ?x }' ]", "FROM"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x } OFFSET 2' ]", "LIMIT or OFFSET"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'ASK { $this <urn:p> ?x }' ]", "not a SELECT"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x ' ]", "does not parse: line 1, column 39 of the query: expected one of"),
        ("sh:targetClass bk:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x . MINUS { ?x <urn:q> ?y } }' ]", "MINUS"),
        ("sh:targetClass bk:C ; sh:rule [ a sh:TripleRule ]", "sh:rule"),
    ],
)
def test_other_unsupported_features_are_refused(shape: str, feature: str) -> None:
    shapes = shapes_of(f"bksh:S a sh:NodeShape ; {shape} .")
    with pytest.raises(UnsupportedShapeError, match=f"bksh:S.*{feature}"):
        compile_shapes(shapes)


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { $this <urn:p> ?x { SELECT ?x WHERE { ?x <urn:q> ?y } LIMIT 1 } }",
        "SELECT $this WHERE { $this <urn:p> ?x FILTER (?x != 'LIMIT 1 OFFSET 2 FROM') } # LIMIT 3",
        "SELECT $this (COUNT(?x) AS ?n) WHERE { $this <urn:p> ?x } GROUP BY $this HAVING (COUNT(?x) > 1)",
    ],
)
def test_solution_modifiers_inside_a_sub_query_or_a_string_are_not_the_outer_querys(select: str) -> None:
    shapes = shapes_of(f'bksh:S a sh:NodeShape ; sh:targetClass bk:C ; sh:sparql [ sh:select """{select}""" ; sh:message "m" ] .')
    assert len(compile_shapes(shapes)) == 1


def test_a_custom_constraint_component_is_refused() -> None:
    shapes = shapes_of("""
        bksh:S a sh:NodeShape ; sh:targetClass bk:C .
        bksh:Even a sh:ConstraintComponent ; sh:parameter [ sh:path bk:even ] .
    """)
    with pytest.raises(UnsupportedShapeError, match=r"sh:ConstraintComponent.*outside any supported shape"):
        compile_shapes(shapes)


def test_the_project_shapes_are_supported(project: Project) -> None:
    assert len(compile_shapes(project.shapes)) > 100
