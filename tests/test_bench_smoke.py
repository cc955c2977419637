"""Smoke test of the benchmark command (bench/run.py): a tiny run without Morph-KGC.

Checks that the command works end to end and that its table has the rows it should, with
numbers above zero. No timing assertions.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

pytestmark = [
    pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "kg").exists(), reason="needs the project's .venv"),
    pytest.mark.subprocess,
    pytest.mark.slow,
]


def _number(cell: str) -> float:
    return float(cell.replace(",", "").rstrip("%x"))


def test_generator_is_seeded_and_valid(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        subprocess.run([sys.executable, str(BENCH / "generate_acled.py"), "--rows", "200", "--seed", "7", "-o", str(path)],
                       check=True, timeout=120)
    assert first.read_bytes() == second.read_bytes()
    header = (ROOT / "tests" / "acled" / "events-current.csv").read_text(encoding="utf-8").splitlines()[0]
    with first.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert ",".join(rows[0]) == header
    assert len(rows) == 201
    assert len({row[0] for row in rows[1:]}) == 200  # unique event ids


def test_bench_run_smoke(tmp_path):
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "300", "--skip-morph", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text(encoding="utf-8")
    assert text in done.stdout
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 11 and cells[0] == "300":
            rows[cells[1]] = cells
    assert set(rows) == {"kg import (ours)", "Morph-KGC", "rdflib (naive)"}
    assert "skipped" in rows["Morph-KGC"][2]
    for tool in ("kg import (ours)", "rdflib (naive)"):
        cells = rows[tool]
        assert cells[2] == "ok", cells
        wall, rows_per_s, triples, triples_per_s = (_number(c) for c in cells[3:7])
        assert wall > 0 and rows_per_s > 0 and triples > 300 and triples_per_s > 0, cells
        assert _number(cells[7]) > 0  # distinct triples
        assert _number(cells[9]) > 0  # peak memory
    assert re.search(r"\| 300 \| kg import \(ours\) vs rdflib \(naive\) \| [\d.]+x \|", text)
    # the big outputs are cleaned away
    work = tmp_path / "work"
    assert not list(work.glob("*.csv")) and not list(work.glob("ours-*")) and not list(work.glob("*.nt"))


def test_bench_scale_smoke(tmp_path):
    """bench/scale.py end to end on 300 events: every step and query has its row, the cube
    queries beside their raw-event counterparts, and the table is written to --out."""
    out = tmp_path / "scale.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "scale.py"), "--rows", "300", "--runs", "1", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    labels = [row.split(" | ")[0].removeprefix("| ") for row in rows[1:]]
    assert labels == ["generate", "import", "build (curated data)", "store", "kg validate (target 120 s)",
                      "events_by_type (cube)", "events_by_region (cube)", "events_by_month (cube)"]
    for row in rows[-3:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[3].startswith("raw: `.venv/bin/kg query bench/raw/")
        assert _number(cells[2]) > 0 and _number(cells[4]) > 0
        ratio = _number(cells[2]) / _number(cells[4])  # of the rounded times shown
        assert abs(_number(cells[5]) - ratio) <= 0.05 * ratio + 0.01
    assert out.read_text(encoding="utf-8").strip() == done.stdout.strip()
    assert not (tmp_path / "work").exists()  # shards and store are removed without --keep


def test_bench_run_in_rounds(tmp_path):
    """--rounds 3: every builder runs three times in turns; each round's ratio is given, and the
    median of them."""
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "200", "--skip-morph", "--rounds", "3", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text(encoding="utf-8")
    for number in (1, 2, 3):
        assert f"| 200 | kg import (ours), round {number} | ok |" in text
        assert f"| 200 | rdflib (naive), round {number} | ok |" in text
    speedups = [_number(found) for found in re.findall(r"\| 200 \| kg import \(ours\) vs rdflib \(naive\), round \d \| ([\d.]+)x \|", text)]
    assert len(speedups) == 3
    median = re.search(r"\| \*\*kg import \(ours\) vs rdflib \(naive\), median of 3 rounds\*\* \| \*\*([\d.]+)x\*\* "
                       r"\(from ([\d.]+)x to ([\d.]+)x\)", text)
    assert median is not None, text
    assert [_number(value) for value in median.groups()] == [sorted(speedups)[1], min(speedups), max(speedups)]
