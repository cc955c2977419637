"""Broken curated data is rejected with messages that name the file, line, column, field and
what to do. Each folder of tests/bad_data/ holds record files that are added to the minimal
valid dataset in _base/ (unless the folder has a file named no-base) and expected.txt: the
exact problem lines `kg build` must print, in order. `pytest --update-golden` rewrites an
expected.txt from what kg build now prints; review the diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, Golden, run_kg

CORPUS = REPO / "tests" / "bad_data"
BASE = CORPUS / "_base"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p != BASE)


def data_folder(tmp_path: Path, case: Path | None) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    sources = [] if case is not None and (case / "no-base").exists() else sorted(BASE.glob("*.yaml"))
    if case is not None:
        sources += sorted(case.glob("*.yaml"))
    for source in sources:
        shutil.copyfile(source, data / source.name)
    return data


def test_the_base_dataset_builds(tmp_path: Path) -> None:
    data_folder(tmp_path, None)
    result = run_kg("--data", "data", "--out", "out", "build", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The graph conforms to the shapes." in result.stdout
    assert (tmp_path / "out" / "kg.ttl").is_file()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_data_is_rejected_with_its_message(tmp_path: Path, case: Path, golden: Golden) -> None:
    data_folder(tmp_path, case)
    result = run_kg("--data", "data", "--out", "out", "build", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    printed = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    assert printed, output
    golden.check(case / "expected.txt", "".join(f"{line}\n" for line in printed), problem_lines)
    assert not (tmp_path / "out" / "kg.ttl").exists(), "nothing may be written from invalid data"


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_failed_build_leaves_the_previous_output(tmp_path: Path) -> None:
    data_folder(tmp_path, None)
    assert run_kg("--data", "data", "--out", "out", "build", cwd=tmp_path).returncode == 0
    before = (tmp_path / "out" / "kg.ttl").read_bytes()
    shutil.copyfile(CORPUS / "parts-do-not-add-up" / "case.yaml", tmp_path / "data" / "case.yaml")
    result = run_kg("--data", "data", "--out", "out", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Nothing written: out keeps its previous contents." in result.stdout
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == before
