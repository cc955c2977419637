"""The project's own data/ on its own terms. Answers are pinned on tests/fixtures/data (see
test_competency.py); here the live records, whatever reports they hold by now, must build
without a violation or a warning, and every stored query must run on them and give the same
rows on both embedded engines."""

from __future__ import annotations

import pytest

from kg import Project, build, run_query
from kg.api import BuildResult, list_queries

from conftest import REPO, unordered

pytestmark = pytest.mark.slow

SAMPLE_PARAMETERS = {"name": "Badakhshan"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildResult]:
    project = Project(root=REPO, data_dir=REPO / "data", out_dir=tmp_path_factory.mktemp("live"))
    return project, build(project)


def test_the_curated_data_builds_without_a_violation_or_a_warning(live: tuple[Project, BuildResult]) -> None:
    _, result = live
    assert result.conforms, result.report.render()
    assert [warning.message for warning in result.warnings] == []


def test_every_curated_place_has_a_point_or_says_why_not(live: tuple[Project, BuildResult]) -> None:
    project, _ = live
    assert run_query(project, "places_without_point").rows == ()


@pytest.mark.parametrize("name", [query.name for query in list_queries(Project(root=REPO))])
def test_every_stored_query_runs_alike_on_both_engines(live: tuple[Project, BuildResult], name: str) -> None:
    project, _ = live
    query = next(q for q in list_queries(project) if q.name == name)
    params = {p.name: SAMPLE_PARAMETERS[p.name] for p in query.parameters}
    first, second = (run_query(project, name, params, engine=engine) for engine in ("oxigraph", "rdflib"))
    assert first.variables == second.variables

    assert [[unordered(v) for v in row.values()] for row in first.as_dicts()] == [
        [unordered(v) for v in row.values()] for row in second.as_dicts()
    ]
