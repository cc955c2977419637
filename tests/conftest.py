"""Shared fixtures and helpers: the curated graph built once per session into a temporary out/
folder; the kg command run in this process (run_kg) or as a separate one (run_kg_process);
expected ("golden") files, rewritten only with --update-golden; the markers of tests that start
servers. The markers are described in pyproject.toml."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from kg import Project, build
from kg.api import BuildResult
from kg.cli import main

REPO = Path(__file__).resolve().parent.parent
# A frozen copy of the curated data: answers checked against it do not change when a report
# is added to data/ (see tests/fixtures/README.md).
FIXTURE_DATA = REPO / "tests" / "fixtures" / "data"

# Fixtures that start a real SPARQL server (oxigraph serve, kg serve, kg serve behind TLS): the
# tests that use them are marked `server`.
SERVER_FIXTURES = {"server", "served", "https_endpoint"}


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(root=REPO, data_dir=FIXTURE_DATA, out_dir=tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="session")
def built(project: Project) -> BuildResult:
    result = build(project)
    assert result.conforms, result.report.render()
    return result


# -- the kg command -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KgRun:
    """What a run of the kg command gave: as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


def run_kg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> KgRun:
    """Run the kg command as a user would, in this process: kg.cli.main(args) in the folder cwd
    (default: the repository) with the environment variables env added, its standard output
    and error captured. Use run_kg_process where a separate process is the point of the test."""
    output = io.BytesIO()
    stdout, stderr = io.TextIOWrapper(output, encoding="utf-8"), io.StringIO()
    with (
        contextlib.chdir(cwd or REPO),
        mock.patch.dict(os.environ, {"KG_ROOT": str(REPO), **(env or {})}),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            returncode = main(list(args))
        except SystemExit as exit:  # argparse's usage errors and --help
            returncode = exit.code if isinstance(exit.code, int) else 2
    stdout.flush()
    return KgRun(returncode, output.getvalue().decode("utf-8"), stderr.getvalue())


def run_kg_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the kg command in a subprocess, for tests of what only a real process shows: its exit
    code, signals, being killed part way."""
    environment = {**os.environ, "KG_ROOT": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=cwd or REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


# -- expected files -----------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected files that differ from what the code now gives (queries/expected/*.csv, "
        "tests/bad_data/*/expected.txt, tests/shape_cases/*/expected.txt) instead of failing; review the diff",
    )


@dataclass
class Golden:
    """Compares what a test got with an expected file. A difference fails the test, unless the
    run has --update-golden: then the file is rewritten and listed at the end of the run."""

    update: bool
    rewritten: list[Path] = field(default_factory=list)

    def check(self, path: Path, actual: str, normal_form: Callable[[str], object] = lambda text: text) -> None:
        """`normal_form` maps a file's text to what must be equal (e.g. its lines, sorted)."""
        expected = path.read_text(encoding="utf-8") if path.exists() else None
        if expected is not None and normal_form(expected) == normal_form(actual):
            return
        if self.update:
            path.write_text(actual, encoding="utf-8")
            self.rewritten.append(path)
            return
        assert expected is not None, f"{path} does not exist; run pytest --update-golden to write it, then review it"
        assert normal_form(actual) == normal_form(expected), f"differs from {path} (pytest --update-golden rewrites it)"


_GOLDEN = pytest.StashKey[Golden]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_GOLDEN] = Golden(update=config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def golden(pytestconfig: pytest.Config) -> Golden:
    return pytestconfig.stash[_GOLDEN]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    golden = config.stash[_GOLDEN]
    if golden.rewritten:
        terminalreporter.section("expected files rewritten (--update-golden): review them with git diff")
        for path in golden.rewritten:
            terminalreporter.write_line(str(path.relative_to(REPO)))


# -- markers ------------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


def unordered(cell: object) -> object:
    """A result cell made comparable across engines: values joined by " | " (a GROUP_CONCAT,
    whose order SPARQL leaves to the engine) become a sorted tuple; anything else is as it is."""
    if isinstance(cell, str) and " | " in cell:
        return tuple(sorted(cell.split(" | ")))
    return cell


@pytest.fixture(scope="session", autouse=True)
def pyshacl_parses_each_query_once() -> Iterator[None]:
    """pySHACL, the reference the fast engine is compared with, hands rdflib the text of a SPARQL
    constraint once per focus node, and rdflib parses it every time: most of pySHACL's time.
    In the tests each text is parsed once, as rdflib's own prepareQuery does; the evaluation,
    and so the reference results, are unchanged. (Worker processes forked from a test inherit
    it.)"""
    cache: dict[tuple, object] = {}
    query = SPARQLProcessor.query

    def cached_query(self, strOrQuery, initBindings={}, initNs={}, base=None, DEBUG=False):  # noqa: B006, N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return query(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = cached_query
    try:
        yield
    finally:
        SPARQLProcessor.query = query
