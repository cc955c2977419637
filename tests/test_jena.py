"""Portability: Apache Jena (a second engine, from Debian's packages) runs every stored query
on the exported Turtle and gets the rows of the embedded store; Jena's strict parser accepts
every export. Skipped where Jena is not installed, except in CI (KG_REQUIRE_JENA=1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import Project, export, run_query
from kg.api import BuildResult
from kg.export import FORMATS
from kg.query.queries import bind_parameters, find_query
from kg.stores.remote import results_from_json

import jena
from test_remote_oxigraph import normalised
from test_stored_queries import EXPECTED_FILES, case_of

pytestmark = [pytest.mark.jena, pytest.mark.slow]

if not jena.available():
    if jena.REQUIRED:
        raise RuntimeError(jena.MISSING_MESSAGE + ", and KG_REQUIRE_JENA=1")
    pytest.skip(jena.MISSING_MESSAGE, allow_module_level=True)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> jena.Jena:
    return jena.Jena(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="module")
def jena_results(project: Project, built: BuildResult, engine: jena.Jena, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Jena's results of every case of queries/expected/, on the exported Turtle, by case."""
    work = tmp_path_factory.mktemp("jena-queries")
    data = work / "kg.ttl"
    data.write_bytes(export(project, "turtle"))
    queries = []
    for expected_file in EXPECTED_FILES:
        name, params = case_of(expected_file)
        query = work / f"{expected_file.stem}.rq"
        query.write_text(bind_parameters(find_query(name, project.queries_dir), params), encoding="utf-8")
        queries.append(query)
    return engine.select(data, queries, work / "results")


@pytest.mark.parametrize("expected_file", EXPECTED_FILES, ids=lambda p: p.stem)
def test_jena_gives_the_embedded_rows(project: Project, jena_results: dict[str, dict], expected_file: Path) -> None:
    name, params = case_of(expected_file)
    from_jena = results_from_json(jena_results[expected_file.stem])
    embedded = run_query(project, name, params)
    assert from_jena.variables == embedded.variables
    assert normalised(from_jena) == normalised(embedded)


@pytest.mark.parametrize("format_name", sorted(set(FORMATS) - {"jsonld"}))
def test_jena_strict_parser_accepts_the_export(
    project: Project, built: BuildResult, engine: jena.Jena, format_name: str, tmp_path: Path
) -> None:
    data = tmp_path / f"kg.{FORMATS[format_name].extension}"
    data.write_bytes(export(project, format_name))
    result = engine.validate(data)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr and "WARN" not in result.stderr


def test_jena_strict_parser_rejects_broken_turtle(engine: jena.Jena, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    assert engine.validate(broken).returncode != 0
