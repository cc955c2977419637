"""The ontology's own files are checked when they are read: a mistake in ontology/mapping.yaml
or in a vocabulary file names the file, the line (or the concept) and what to do, and `kg build`
stops with exit code 2 instead of a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_kg
from kg.errors import ToolError
from kg.project import Project

MAPPING_MISTAKES = [
    pytest.param("    section: places\n", "    sektion: places\n",
                 "ontology/mapping.yaml:46:5: kinds.place.sektion: unknown key. Did you mean 'section'?", id="unknown-key"),
    pytest.param("  place:\n    section: places\n    iri: place/{id}\n", "  place:\n    section: places\n",
                 "ontology/mapping.yaml:45:3: kinds.place: the key 'iri' is missing. Add 'iri:' with a single value.", id="missing-key"),
    pytest.param("aliases: [lat]", "aliases: {lat: 1}",
                 "ontology/mapping.yaml:57:66: kinds.place.fields.latitude.aliases: this is a mapping (key: value lines), "
                 "not a list ([a, b] or '- ' lines). Write a list ([a, b] or '- ' lines) here.", id="wrong-kind-of-value"),
    pytest.param("alt_names: {predicate: skos:altLabel, type: text, many: true}", "alt_names: {predicate: skos:altLabel, type: text, many: yes}",
                 "ontology/mapping.yaml:53:63: kinds.place.fields.alt_names.many: 'yes' is not true or false. Write true or false.",
                 id="not-a-flag"),
    pytest.param("type: decimal, aliases: [lat]", "type: decimel, aliases: [lat]",
                 "ontology/mapping.yaml:57:48: kinds.place.fields.latitude.type: unknown value type 'decimel'. Did you mean 'decimal'?",
                 id="unknown-value-type"),
    pytest.param("predicate: bk:latitude", "predicate: bx:latitude",
                 "ontology/mapping.yaml:57:29: kinds.place.fields.latitude.predicate: 'bx:latitude' does not start with a known prefix. "
                 "Use one of bk:, dcterms:, prov:, rdfs:, skos: (see prefixes:).", id="unknown-prefix"),
    pytest.param('in: {predicate: bk:locatedIn, type: "ref:place"}', 'in: {predicate: bk:locatedIn, type: "ref:plaice"}',
                 "ontology/mapping.yaml:55:43: kinds.place.fields.in.type: there is no kind 'plaice' in this mapping. Did you mean 'place'?",
                 id="ref-to-unknown-kind"),
    pytest.param('"nested:date-claim"', '"nested:date"',
                 "ontology/mapping.yaml:124:49: kinds.incident.fields.dates.type: there is no kind 'date' in this mapping. "
                 "The kinds are: concept, place, actor, source, incident, count, date-claim, account, status, claim, policy.",
                 id="nested-unknown-kind"),
    pytest.param('"concept:bk:Modes"', '"concept:bk:Mode"',
                 "ontology/mapping.yaml:116:40: kinds.incident.fields.mode.type: there is no concept scheme bk:Mode in the "
                 "ontology's vocabularies. Did you mean 'bk:Modes'?", id="unknown-scheme"),
    pytest.param('"broader:scheme"', '"broader:schema"',
                 "ontology/mapping.yaml:43:48: kinds.concept.fields.broader.type: there is no field 'schema' in this kind for the "
                 "broader concept's scheme. Did you mean 'scheme'?", id="broader-unknown-field"),
    pytest.param("    class_scheme: bk:PlaceKinds\n    kind_predicate: bk:kind\n", "    class_scheme: bk:PlaceKinds\n",
                 "ontology/mapping.yaml:49:19: kinds.place.class_scheme: class_scheme and kind_predicate go together: the kind "
                 "concept is written with kind_predicate. Give both (e.g. kind_predicate: bk:kind), or neither.",
                 id="class-scheme-without-kind-predicate"),
    pytest.param(r"id_pattern: '^[^\W_](?:[^\W_]|-)*$'", r"id_pattern: '^[^\W_](?:[^\W_]|-*$'",
                 r"ontology/mapping.yaml:31:13: id_pattern: '^[^\W_](?:[^\W_]|-*$' is not a valid regular expression: missing ), "
                 "unterminated subpattern at position 7. Write a Python regular expression, in single quotes so that backslashes "
                 "stay as written.", id="bad-regex"),
    pytest.param('"concept:bk:Modes"', '"concept"',
                 "ontology/mapping.yaml:116:40: kinds.incident.fields.mode.type: the value type 'concept' needs what it names. "
                 "Write 'concept:CURIE'.", id="concept-without-scheme"),
    pytest.param("    class_scheme: bk:PlaceKinds\n", "    class_scheme: bk:PlaceKind\n",
                 "ontology/mapping.yaml:49:19: kinds.place.class_scheme: there is no concept scheme bk:PlaceKind in the ontology's "
                 "vocabularies. Did you mean 'bk:PlaceKinds'?", id="unknown-class-scheme"),
    pytest.param("  actor:\n    section: actors\n    iri: actor/{id}\n    class_field: type\n",
                 "  actor:\n    section: actors\n    iri: actor/{id}\n    class: bk:Actor\n    class_field: type\n",
                 "ontology/mapping.yaml:62:3: kinds.actor: a kind has one fixed class or a field that names the class. "
                 "Give it 'class:' (a CURIE) or 'class_field:' with 'classes:' or 'class_scheme:', not both.", id="class-and-class-field"),
    pytest.param("  status:\n    section: statuses\n", "  status:\n",
                 "ontology/mapping.yaml:162:3: kinds.status: a kind is either read from a section of the data files or nested in "
                 "another kind. Give it 'section:' (the section name) or 'nested_in:' (the kind it is nested in).",
                 id="neither-section-nor-nested-in"),
    pytest.param("    iri: place/{id}\n", "    iri: place/{name}\n",
                 "ontology/mapping.yaml:47:10: kinds.place.iri: the template 'place/{name}' must hold {id} and no other placeholder. "
                 "Write e.g. 'place/{id}'.", id="template-without-id"),
]

VOCABULARY = "1 problem in the ontology's vocabularies:\n  ontology/vocabulary.ttl: "
VOCABULARY_MISTAKES = [
    pytest.param('skos:inScheme bk:CountQualifiers ; skos:notation "exactly" ;', "skos:inScheme bk:CountQualifiers ;",
                 VOCABULARY + 'the concept bk:exactly has no skos:notation. Add skos:notation "WORD" (the word records use for it).',
                 id="concept-without-notation"),
    pytest.param("bk:exactly a skos:Concept ; skos:inScheme bk:CountQualifiers ;", "bk:exactly a skos:Concept ;",
                 VOCABULARY + "the concept bk:exactly has no skos:inScheme. Add skos:inScheme and the scheme it belongs to.",
                 id="concept-without-scheme"),
    pytest.param('bk:CountQualifiers a skos:ConceptScheme ; skos:notation "qualifiers" ;', "bk:CountQualifiers a skos:ConceptScheme ;",
                 VOCABULARY + 'the concept scheme bk:CountQualifiers has no skos:notation. '
                 'Add skos:notation "WORD" (the word data/ uses to name the scheme).', id="scheme-without-notation"),
    pytest.param('skos:notation "nearly"', 'skos:notation "about"',
                 VOCABULARY + "the concepts bk:approximately and bk:nearly have the same notation 'about' in bk:CountQualifiers. "
                 "Give each concept of a scheme its own notation.", id="one-notation-twice"),
    pytest.param('skos:notation "at-least" ;\n    skos:broader bk:lowerBound ; bk:lowerFactor 1.0 ; bk:lowerOffset 0 ;',
                 'skos:notation "at-least" ;\n    skos:broader bk:lowerBound ; bk:lowerFactor 1.0 ;',
                 VOCABULARY + "the concept bk:atLeast of bk:CountQualifiers has no bk:lowerOffset. "
                 "Add it: the build computes figure bounds from it (ontology/rules/50-figure-bounds.ru).",
                 id="qualifier-without-bound"),
]


def broken_project(root: Path, file: str, old: str, new: str) -> Project:
    """A copy of the ontology under root with one change to one file."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    path = root / "ontology" / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"the test's anchor is gone from {file}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return Project(root=root, data_dir=REPO / "tests" / "fixtures" / "data", out_dir=root / "out")


def message(project: Project) -> str:
    with pytest.raises(ToolError) as failure:
        project.mapping  # noqa: B018  (reads the vocabularies first)
    return str(failure.value)


@pytest.mark.parametrize(("old", "new", "expected"), MAPPING_MISTAKES)
def test_a_mistake_in_the_mapping_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert message(broken_project(tmp_path, "mapping.yaml", old, new)) == expected


@pytest.mark.parametrize(("old", "new", "expected"), VOCABULARY_MISTAKES)
def test_a_mistake_in_a_vocabulary_names_the_concept_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert message(broken_project(tmp_path, "vocabulary.ttl", old, new)) == expected


def test_every_problem_of_the_vocabularies_is_listed_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = broken_project(tmp_path, "vocabulary.ttl", 'skos:notation "nearly"', 'skos:notation "about"')
    acled = tmp_path / "ontology" / "acled-vocabulary.ttl"
    acled.write_text(acled.read_text(encoding="utf-8").replace('    skos:notation "acled-actor-types" ;\n', "", 1), encoding="utf-8")
    assert message(project).splitlines() == [
        "2 problems in the ontology's vocabularies:",
        "  ontology/acled-vocabulary.ttl: the concept scheme acled:ActorTypes has no skos:notation. "
        'Add skos:notation "WORD" (the word data/ uses to name the scheme).',
        "  ontology/vocabulary.ttl: the concepts bk:approximately and bk:nearly have the same notation 'about' in "
        "bk:CountQualifiers. Give each concept of a scheme its own notation.",
    ]


def test_a_turtle_syntax_error_names_the_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = broken_project(tmp_path, "shapes.ttl", "sh:NodeShape", "sh:NodeShape .")
    line = 1 + (REPO / "ontology" / "shapes.ttl").read_text(encoding="utf-8").split("sh:NodeShape")[0].count("\n")
    with pytest.raises(ToolError) as failure:
        project.shapes  # noqa: B018
    assert str(failure.value) == (
        f"ontology/shapes.ttl:{line}: this is not valid Turtle: expected directive or statement. "
        "Fix that line (or the statement before it, which may not be closed with '.')."
    )


def test_kg_build_stops_with_exit_code_2_and_the_located_message(tmp_path: Path) -> None:
    broken_project(tmp_path, "mapping.yaml", '"concept:bk:Modes"', '"concept:bk:Mode"')
    run = run_kg("--data", str(REPO / "tests" / "fixtures" / "data"), "--out", str(tmp_path / "out"), "build",
                 cwd=tmp_path, env={"KG_ROOT": str(tmp_path)})
    assert run.returncode == 2
    assert "ontology/mapping.yaml:116:40: kinds.incident.fields.mode.type: there is no concept scheme bk:Mode" in run.stderr
    assert "Traceback" not in run.stderr
