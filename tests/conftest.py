"""Shared fixtures: the curated graph built once per session into a temporary out/ folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg import Project, build
from kg.api import BuildResult

REPO = Path(__file__).resolve().parent.parent
# A frozen copy of the curated data: answers checked against it do not change when a report
# is added to data/ (see tests/fixtures/README.md).
FIXTURE_DATA = REPO / "tests" / "fixtures" / "data"


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(root=REPO, data_dir=FIXTURE_DATA, out_dir=tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="session")
def built(project: Project) -> BuildResult:
    result = build(project)
    assert result.conforms, result.report.render()
    return result


def run_kg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the kg command as a user would, in a subprocess."""
    environment = {**os.environ, "KG_ROOT": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=cwd or REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
