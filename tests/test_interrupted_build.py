"""An interrupted build never leaves a broken or mixed out/: killed at any moment, out/kg.ttl is
the previous build's file or the new one, whole, and kg validate still works."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import REPO, run_kg, run_kg_process

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


def test_killing_a_build_part_way_leaves_the_previous_output(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    out = tmp_path / "out"
    assert run_kg("--data", str(data), "--out", str(out), "build").returncode == 0
    old = (out / "kg.ttl").read_bytes()
    # Change the data so that a finished build writes a different file.
    gazetteer = data / "gazetteer.yaml"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8").replace("name: Vanj,", "name: Vanch,"), encoding="utf-8")

    started = time.monotonic()  # a build in a process of its own, as the ones killed below
    assert run_kg_process("--data", str(data), "--out", str(tmp_path / "reference"), "build").returncode == 0
    duration = time.monotonic() - started
    new = (tmp_path / "reference" / "kg.ttl").read_bytes()
    assert new != old

    command = [sys.executable, "-m", "kg.cli", "--data", str(data), "--out", str(out), "build"]
    env = {**os.environ, "KG_ROOT": str(REPO)}
    outcomes = set()
    for step in range(10):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.3 + 0.8 * step / 9))  # from well before the end to just after it
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = (out / "kg.ttl").read_bytes()
        assert current in (old, new), f"kill {step}: kg.ttl is neither the old nor the new build"
        outcomes.add("new" if current == new else "old")
        assert len(Graph().parse(data=current, format="turtle")) > 0
        validated = run_kg("--data", str(data), "--out", str(out), "validate")
        assert validated.returncode == 0, validated.stdout + validated.stderr
        # Leave the old file in place again for the next kill.
        (out / "kg.ttl").write_bytes(old)
    assert "old" in outcomes
    # The next complete build cleans up whatever temporary files the killed ones left.
    assert run_kg("--data", str(data), "--out", str(out), "build").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["kg.records.json", "kg.ttl"]
