"""Validation and stored queries at the scale of an ACLED export of N events (1M by default):
generate the export, import it, bulk-load it with the curated build into an on-disk store, then
time `kg validate --store-dir` and each stored query that reads the statistics cube beside its
raw-event counterpart (bench/raw/*.rq: the same figures counted from the events), all measured
in one run on the same store. Prints a Markdown table and writes it to
bench/results-scale-YYYY-MM-DD.md.

    python bench/scale.py                         # 1M events (import ~2.5 min, store ~10 min)
    python bench/scale.py --rows 20000            # quick
    python bench/scale.py --store-dir DIR         # time an existing store made by kg store

Uses the project's .venv (make demo creates it) and only the standard library. Times are
wall-clock seconds of whole `kg` processes (start-up, about 0.3 s, included); queries run
--runs times each and show the median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CUBE_QUERIES = ("events_by_type", "events_by_region", "events_by_month")
VALIDATION_TARGET_SECONDS = 120.0
QUERY_TARGET_SECONDS = 1.0


@dataclass(frozen=True)
class Timing:
    label: str
    command: tuple[str, ...]
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def shown(self, workdir: Path) -> str:
        text = " ".join(self.command).replace(str(VENV_BIN) + "/", ".venv/bin/")
        return text.replace(str(workdir), "WORK").replace(str(ROOT) + "/", "")


def run(label: str, command: list[str], runs: int = 1, ok_codes: tuple[int, ...] = (0,)) -> Timing:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds.append(time.perf_counter() - started)
        if done.returncode not in ok_codes:
            raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        print(f"  {label}: {seconds[-1]:.2f} s", file=sys.stderr, flush=True)
    return Timing(label, tuple(command), tuple(seconds))


def build_store(rows: int, seed: int, workdir: Path) -> tuple[Path, list[Timing]]:
    """Generate, import, build and bulk-load: the store and how long each step took."""
    python, kg = str(VENV_BIN / "python"), str(VENV_BIN / "kg")
    csv, shards, out, store = workdir / f"acled-{rows}.csv", workdir / f"acled-{rows}", workdir / "out", workdir / "store"
    for stale in (shards, out, store):
        shutil.rmtree(stale, ignore_errors=True)
    steps = [
        run("generate", [python, "bench/generate_acled.py", "--rows", str(rows), "--seed", str(seed), "-o", str(csv)]),
        run("import", [kg, "import", "acled", str(csv), "-o", str(shards)]),
        run("build (curated data)", [kg, "--out", str(out), "build"]),
        run("store", [kg, "--out", str(out), "store", str(store), str(shards)]),
    ]
    csv.unlink()
    return store, steps


def measure(store: Path, runs: int) -> tuple[Timing, list[tuple[Timing, Timing]]]:
    kg = str(VENV_BIN / "kg")
    # Exit 1 (violations) is a result like any other: the time is what is measured.
    validation = run("kg validate", [kg, "validate", "--store-dir", str(store)], ok_codes=(0, 1))
    pairs = []
    for name in CUBE_QUERIES:
        cube = run(f"{name} (cube)", [kg, "query", name, "--store-dir", str(store)], runs)
        raw = run(f"{name} (raw events)", [kg, "query", f"bench/raw/{name}.rq", "--store-dir", str(store)], runs)
        pairs.append((cube, raw))
    return validation, pairs


def table(rows: int | None, store: Path, workdir: Path, steps: list[Timing], validation: Timing,
          pairs: list[tuple[Timing, Timing]], runs: int) -> str:
    load = os.getloadavg()
    lines = [
        f"## {f'{rows:,} events' if rows else f'the store {store}'}, {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"{os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end, "
        f"Python {sys.version.split()[0]}; queries: median of {runs} runs; WORK = {workdir}.",
        "",
        "| what | command | s | baseline | baseline s | ratio |",
        "| --- | --- | --: | --- | --: | --: |",
    ]
    for step in steps:
        lines.append(f"| {step.label} | `{step.shown(workdir)}` | {step.median:.1f} | | | |")
    lines.append(
        f"| kg validate (target {VALIDATION_TARGET_SECONDS:.0f} s) | `{validation.shown(workdir)}` | {validation.median:.1f} "
        f"| target | {VALIDATION_TARGET_SECONDS:.0f} | {validation.median / VALIDATION_TARGET_SECONDS:.2f} |"
    )
    for cube, raw in pairs:
        lines.append(
            f"| {cube.label} | `{cube.shown(workdir)}` | {cube.median:.2f} | raw: `{raw.shown(workdir)}` "
            f"| {raw.median:.2f} | {cube.median / raw.median:.3f} |"
        )
    lines += [
        "",
        f"ratio: the time over the baseline's (validation: over the target of {VALIDATION_TARGET_SECONDS:.0f} s; "
        f"queries: cube over raw events; each cube query's target is {QUERY_TARGET_SECONDS:.0f} s).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="events to generate (default: 1000000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs of each query (default: 3)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work" / "scale",
                        help="scratch folder for the shards and the store (default: bench/work/scale)")
    parser.add_argument("--store-dir", type=Path, help="time this existing store instead of building one")
    parser.add_argument("--keep", action="store_true", help="keep the shards and the store")
    parser.add_argument("--out", type=Path, help=f"results file (default: bench/results-scale-{time.strftime('%Y-%m-%d')}.md)")
    args = parser.parse_args()
    if not (VENV_BIN / "kg").exists():
        raise SystemExit(f"{VENV_BIN / 'kg'} is missing: run make demo (or make .venv/bin/.installed) first")
    if args.rows < 1 or args.runs < 1:
        raise SystemExit("--rows and --runs take a whole number, 1 or more")
    workdir = args.workdir.resolve()
    if args.store_dir is not None:
        store, steps, rows = args.store_dir.resolve(), [], None
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        store, steps = build_store(args.rows, args.seed, workdir)
        rows = args.rows
    try:
        validation, pairs = measure(store, args.runs)
    finally:
        if args.store_dir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    text = table(rows, store, workdir, steps, validation, pairs, args.runs)
    print(text)
    out = args.out or ROOT / "bench" / f"results-scale-{time.strftime('%Y-%m-%d')}.md"
    with out.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")
    print(f"Appended to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
