"""How long the kg command takes to start (`kg --help`) and to build the curated data (`kg build`),
each beside a baseline measured in the same run on the same machine: `python -c pass` (the
interpreter alone) for the start, and `kg build --engine pyshacl` (the reference validator) for
the build. Each command runs several times; the table shows the median and the range of the
wall-clock times of the whole process.

    python bench/startup.py                # 7 runs of each
    python bench/startup.py --runs 11

Uses the project's .venv (make demo creates it) and only the standard library.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True)
class Timing:
    label: str
    command: list[str]
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def row(self) -> str:
        shown = " ".join(self.command).replace(str(VENV_BIN) + "/", ".venv/bin/")
        return f"| {self.label} | `{shown}` | {self.median:.3f} | {min(self.seconds):.3f} - {max(self.seconds):.3f} |"


def timed(label: str, command: list[str], runs: int, env: dict[str, str]) -> Timing:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr}")
    return Timing(label, command, tuple(seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default: 7)")
    args = parser.parse_args()
    python, kg = VENV_BIN / "python", VENV_BIN / "kg"
    if not kg.exists():
        raise SystemExit(f"{kg} is missing: run make demo (or make .venv/bin/.installed) first")
    env = {**os.environ, "KG_ROOT": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as out:
        build = [str(kg), "--out", out, "build"]
        timings = [
            timed("baseline: the interpreter alone", [str(python), "-c", "pass"], args.runs, env),
            timed("kg --help", [str(kg), "--help"], args.runs, env),
            timed("baseline: kg build, pySHACL", [*build, "--engine", "pyshacl"], args.runs, env),
            timed("kg build (default engine)", build, args.runs, env),
        ]
        print(f"{args.runs} runs each, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print("| what | command | median s | range s |")
        print("| --- | --- | --: | --: |")
        for timing in timings:
            print(timing.row().replace(out, "TMP"))  # the output folder is a new temporary one
    return 0


if __name__ == "__main__":
    sys.exit(main())
