"""The package type-checks under the mypy settings of pyproject.toml, and those settings are
strict enough to catch an unannotated function and a wrong return type."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from mypy import api as mypy

from conftest import REPO

pytestmark = pytest.mark.slow

CONFIG = str(REPO / "pyproject.toml")


def test_the_package_type_checks() -> None:
    with contextlib.chdir(REPO):  # pyproject.toml names the files: kg/
        report, errors, status = mypy.run(["--config-file", CONFIG])
    assert status == 0, report + errors


def test_the_settings_catch_a_missing_annotation_and_a_wrong_return_type(tmp_path: Path) -> None:
    module = tmp_path / "sloppy.py"
    module.write_text('def untyped(x):\n    return x\n\n\ndef count() -> int:\n    return "three"\n', encoding="utf-8")
    report, _, status = mypy.run(["--config-file", CONFIG, "--cache-dir", str(tmp_path / "cache"), str(module)])
    assert status == 1
    assert "sloppy.py:1: error: Function is missing a type annotation  [no-untyped-def]" in report
    assert 'sloppy.py:6: error: Incompatible return value type (got "str", expected "int")  [return-value]' in report
