#!/usr/bin/env python3
"""Benchmark `kg import acled` against Morph-KGC (RML) and a naive rdflib script, same input.

    python bench/run.py [--sizes 10000 100000 1000000] [--skip-morph] [--ours-workers 2] [--rounds 3]

For each size: generate a synthetic ACLED CSV (bench/generate_acled.py, fixed seed), then run
  (a) ours:       .venv/bin/kg import acled FILE -o DIR           (gzip N-Triples shards)
      with --ours-workers N also (or with --skip-ours only)
                  .venv/bin/kg import acled FILE -o DIR --workers N   (rows mapped on a local Dask
                  cluster of N worker processes, children of kg: the tree's memory counts them)
  (b) Morph-KGC:  bench/.venv-morph/bin/python -m morph_kgc INI    (RML mapping bench/morph/)
                  the virtualenv is created and filled (pip install morph-kgc) on first use;
                  Morph-KGC pins pyoxigraph<0.4, so it never goes into the project's .venv
  (c) rdflib:     .venv/bin/python bench/rdflib_baseline.py FILE OUT.nt (skipped above --rdflib-max)
each as a subprocess with a timeout, measuring wall time, output triples (lines, ungzipped) and
peak memory. With --rounds N the builders run N times, in turns (ours, Morph-KGC, ours, ...):
on a shared machine whose speed drifts, each round's ratio compares runs made minutes apart,
and the median of the rounds' ratios is given beside them. Prints Markdown tables and writes
them to bench/results-YYYY-MM-DD.md; the generated CSVs and outputs are deleted afterwards
(unless --keep).

Standard library only: run it with any Python 3.9+.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MORPH_VENV = BENCH / ".venv-morph"
TIME = Path("/usr/bin/time")
OURS, MORPH, RDFLIB = "kg import (ours)", "Morph-KGC", "rdflib (naive)"


def ours_with_workers(workers: int) -> str:
    return f"kg import (ours, {workers} workers)"



# -- running and measuring ----------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    rows: int
    status: str = "ok"
    round: int = 1
    seconds: float = 0.0
    triples: int = 0
    distinct: int | None = None
    shared: float | None = None  # share of this tool's distinct triples that ours also has
    max_rss_mb: float | None = None  # largest single process (GNU time / getrusage)
    tree_mb: float | None = None  # sampled sum of RSS over the process tree
    note: str = ""
    output: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _tree_rss_kb(root: int) -> int:
    children = _children_map()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def _log_stem(run: Run) -> str:
    return f"{run.rows}-{re.sub(r'[^a-z]+', '-', run.tool.lower()).strip('-')}"


def measure(run: Run, command: list[str], timeout: float, logs: Path, cwd: Path | None = None) -> Run:
    """Run command (its own process group), time it, sample its tree's memory, kill on timeout."""
    logs.mkdir(parents=True, exist_ok=True)
    stem = _log_stem(run)
    time_file = logs / f"{stem}.time"
    time_file.unlink(missing_ok=True)
    wrapped = [str(TIME), "-v", "-o", str(time_file), *command] if TIME.exists() else command
    with open(logs / f"{stem}.out", "wb") as out, open(logs / f"{stem}.err", "wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(wrapped, stdout=out, stderr=err, cwd=cwd, start_new_session=True)
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(process.pid))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)  # the process group this call started
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            code = None
        run.seconds = time.monotonic() - started
        stop.set()
        sampler.join()
    run.tree_mb = peak[0] / 1024 if peak[0] else None
    if time_file.exists():
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_file.read_text(errors="replace"))
        if match:
            run.max_rss_mb = int(match.group(1)) / 1024
    if run.max_rss_mb is None:
        import resource  # fallback: the largest child waited for so far

        run.max_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if code is None:
        run.status = f"timeout after {timeout:.0f} s"
    elif code != 0:
        tail = (logs / f"{stem}.err").read_text(errors="replace").strip().splitlines()[-3:]
        run.status = f"failed (exit {code})"
        run.note = " / ".join(tail)[-300:]
    return run


# -- counting output ----------------------------------------------------------------------------


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with _open(path) as handle:
            while chunk := handle.read(1 << 20):
                total += chunk.count(b"\n")
    return total


def hashes(paths: list[Path]) -> set[int]:
    seen: set[int] = set()
    for path in paths:
        with _open(path) as handle:
            seen.update(hash(line.rstrip()) for line in handle if line.strip())
    return seen


# -- the three builders -------------------------------------------------------------------------


def ensure_morph_venv(python: str) -> Path:
    interpreter = MORPH_VENV / "bin" / "python"
    marker = MORPH_VENV / ".installed"
    if marker.exists() and interpreter.exists():
        return interpreter
    print(f"Creating {MORPH_VENV.relative_to(ROOT)} and installing morph-kgc (first use)...", flush=True)
    if not interpreter.exists():
        subprocess.run([python, "-m", "venv", str(MORPH_VENV)], check=True, timeout=300)
    pip = subprocess.run([str(interpreter), "-m", "pip", "install", "--quiet", "morph-kgc"],
                         capture_output=True, text=True, timeout=1800)
    if pip.returncode != 0:
        raise SystemExit(f"pip install morph-kgc failed:\n{pip.stdout[-2000:]}{pip.stderr[-2000:]}")
    marker.write_text("morph-kgc\n")
    return interpreter


def run_ours(csv_file: Path, rows: int, work: Path, args, workers: int = 1) -> Run:
    if workers == 1 and args.skip_ours:
        return Run(OURS, rows, status="skipped (--skip-ours)")
    target = work / (f"ours-{rows}" if workers == 1 else f"ours-{workers}-workers-{rows}")
    shutil.rmtree(target, ignore_errors=True)  # else the import compares itself with the last run's (a living data set)
    command = [str(args.venv / "bin" / "kg"), "import", "acled", str(csv_file), "-o", str(target), *args.ours_arg]
    if workers > 1:
        command += ["--workers", str(workers)]
    run = measure(Run(OURS if workers == 1 else ours_with_workers(workers), rows), command, args.timeout, work / "logs")
    if run.ok:
        stdout = (work / "logs" / f"{_log_stem(run)}.out").read_text(errors="replace")
        match = re.search(r"Imported (\d+) of (\d+) rows.*\(([\d.]+) s", stdout)
        if match and match.group(1) != match.group(2):
            run.status = f"rejected {int(match.group(2)) - int(match.group(1))} rows"
        if match:
            run.note = f"importer's own clock {float(match.group(3)):.1f} s"
        # the events' shards: kg-* (and rows-* of the parts of a parallel import), not the cube's
        run.output = sorted([*target.glob("kg-*.n[tq]*"), *target.glob("rows-*.n[tq]*")])
    return run


def run_morph(csv_file: Path, rows: int, work: Path, args) -> Run:
    if args.skip_morph:
        return Run(MORPH, rows, status="skipped (--skip-morph)")
    interpreter = ensure_morph_venv(args.python)
    folder = work / f"morph-{rows}"
    shutil.rmtree(folder, ignore_errors=True)
    prepare = [str(args.venv / "bin" / "python"), str(BENCH / "morph" / "prepare.py"), str(csv_file), str(folder)]
    if args.morph_processes:
        prepare += ["--processes", str(args.morph_processes)]
    subprocess.run(prepare, check=True, timeout=300, stdout=subprocess.DEVNULL)
    run = measure(Run(MORPH, rows), [str(interpreter), "-m", "morph_kgc", str(folder / "morph.ini")],
                  args.timeout, work / "logs", cwd=folder)
    if run.ok:
        run.output = sorted((folder / "out").glob("*.nt"))
        run.note = f"number_of_processes {args.morph_processes or 'default (2 x cores)'}"
    return run


def run_rdflib(csv_file: Path, rows: int, work: Path, args) -> Run:
    if rows > args.rdflib_max:
        return Run(RDFLIB, rows, status=f"skipped (> {args.rdflib_max:,} rows)")
    target = work / f"rdflib-{rows}.nt"
    run = measure(Run(RDFLIB, rows), [str(args.venv / "bin" / "python"), str(BENCH / "rdflib_baseline.py"), str(csv_file), str(target)],
                  args.timeout, work / "logs")
    if run.ok:
        run.output = [target]
    return run


# -- tables -------------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _label(run: Run, rounds: int) -> str:
    return f"{run.tool}, round {run.round}" if rounds > 1 else run.tool


def results_table(runs: list[Run], rounds: int) -> list[str]:
    lines = ["| rows | builder | status | wall s | rows/s | triples | triples/s | distinct | in ours | max RSS MB | tree RSS MB |",
             "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in runs:
        if r.ok:
            lines.append(f"| {r.rows:,} | {_label(r, rounds)} | ok | {r.seconds:.2f} | {_num(r.rows / r.seconds)} | {r.triples:,} | "
                         f"{_num(r.triples / r.seconds)} | {_num(r.distinct)} | "
                         f"{'-' if r.shared is None else f'{100 * r.shared:.1f}%'} | {_num(r.max_rss_mb)} | {_num(r.tree_mb)} |")
        else:
            lines.append(f"| {r.rows:,} | {_label(r, rounds)} | {r.status} | - | - | - | - | - | - | - | - |")
    return lines


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def ratio_table(runs: list[Run], rounds: int) -> list[str]:
    """Each pair of builders compared within each round (and, over several rounds, the median
    of the rounds' speed-ups)."""
    lines = ["| rows | comparison | speed-up (wall time B / A) | triples/s A / B | max RSS A / B | tree RSS A / B |",
             "| ---: | --- | ---: | ---: | ---: | ---: |"]
    by_size: dict[int, dict[int, dict[str, Run]]] = {}
    for r in runs:
        by_size.setdefault(r.rows, {}).setdefault(r.round, {})[r.tool] = r
    for rows, by_round in by_size.items():
        names = list(dict.fromkeys(name for tools in by_round.values() for name in tools))
        parallel = [name for name in names if name.startswith("kg import (ours, ")]
        pairs = [(OURS, MORPH), *((name, MORPH) for name in parallel), *((name, OURS) for name in parallel),
                 (RDFLIB, MORPH), (OURS, RDFLIB), (MORPH, RDFLIB)]
        for a_name, b_name in pairs:
            speedups = []
            for number, tools in by_round.items():
                a, b = tools.get(a_name), tools.get(b_name)
                if a is None or b is None:
                    continue
                compared = f"{a_name} vs {b_name}" + (f", round {number}" if rounds > 1 else "")
                if not (a.ok and b.ok):
                    missing = b if a.ok else a
                    lines.append(f"| {rows:,} | {compared} | n/a: {missing.tool} {missing.status} | - | - | - |")
                    continue
                speedups.append(b.seconds / a.seconds)
                lines.append(f"| {rows:,} | {compared} | {_ratio(b.seconds, a.seconds)} | "
                             f"{_ratio(a.triples / a.seconds, b.triples / b.seconds)} | {_ratio(a.max_rss_mb, b.max_rss_mb)} | "
                             f"{_ratio(a.tree_mb, b.tree_mb)} |")
            if rounds > 1 and speedups:
                lines.append(f"| {rows:,} | **{a_name} vs {b_name}, median of {len(speedups)} rounds** | "
                             f"**{statistics.median(speedups):.2f}x** (from {min(speedups):.2f}x to {max(speedups):.2f}x) | - | - | - |")
    return lines


def scaling_table(runs: list[Run]) -> list[str]:
    """How each builder's rate and memory grow with the size, against its smallest size."""
    lines = ["| builder | rows | rows/s | rate vs smallest size | tree RSS MB | tree RSS vs smallest size |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    by_tool_size: dict[tuple[str, int], list[Run]] = {}
    for r in runs:
        if r.ok:
            by_tool_size.setdefault((r.tool, r.rows), []).append(r)
    by_tool: dict[str, list[Run]] = {}
    for (tool, _), rounds in by_tool_size.items():  # over several rounds, the run of the median wall time
        by_tool.setdefault(tool, []).append(sorted(rounds, key=lambda r: r.seconds)[(len(rounds) - 1) // 2])
    for tool, sized in by_tool.items():
        if len(sized) < 2:
            continue
        sized.sort(key=lambda r: r.rows)
        first = sized[0]
        for r in sized:
            lines.append(f"| {tool} | {r.rows:,} | {_num(r.rows / r.seconds)} | {_ratio(r.rows / r.seconds, first.rows / first.seconds)} | "
                         f"{_num(r.tree_mb)} | {_ratio(r.tree_mb, first.tree_mb)} |")
    return lines if len(lines) > 2 else []


def machine() -> str:
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def versions(args) -> str:
    found = []
    for label, python, module in [("rdflib", args.venv / "bin" / "python", "rdflib"),
                                  ("pyoxigraph", args.venv / "bin" / "python", "pyoxigraph"),
                                  ("morph-kgc", MORPH_VENV / "bin" / "python", "morph-kgc")]:
        if not Path(python).exists():
            continue
        try:
            out = subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version('{module}'))"],
                                 capture_output=True, text=True, timeout=60)
            if out.returncode == 0:
                found.append(f"{label} {out.stdout.strip()}")
        except (OSError, subprocess.TimeoutExpired):
            pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=30)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "kg"], capture_output=True, text=True, timeout=30)
        if commit.returncode == 0:
            found.append(f"border-kg {commit.stdout.strip()}{' (kg/ modified)' if dirty.stdout.strip() else ''}")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return ", ".join(found)


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kg import acled against Morph-KGC and rdflib.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], metavar="ROWS")
    parser.add_argument("--skip-morph", action="store_true", help="do not run Morph-KGC")
    parser.add_argument("--rdflib-max", type=int, default=100_000, metavar="ROWS",
                        help="skip the rdflib baseline above this many rows (default 100000)")
    parser.add_argument("--compare-max", type=int, default=100_000, metavar="ROWS",
                        help="count distinct triples and overlap with ours up to this many rows (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="run the builders N times in turns and give each round's ratios and their median (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, metavar="SECONDS", help="per builder and size (default 3600)")
    parser.add_argument("--morph-processes", type=int, help="Morph-KGC number_of_processes (default: its own, 2 x cores)")
    parser.add_argument("--ours-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for kg import (repeatable), e.g. --ours-arg=--no-compress")
    parser.add_argument("--ours-workers", type=int, metavar="N",
                        help="also run ours with --workers N (a local Dask cluster), as the builder 'kg import (ours, N workers)'")
    parser.add_argument("--skip-ours", action="store_true",
                        help="do not run ours in one process (with --ours-workers: only the parallel import, e.g. at 10M rows)")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the project's virtualenv (default .venv)")
    parser.add_argument("--python", default=sys.executable, help="Python that creates bench/.venv-morph")
    parser.add_argument("--workdir", type=Path, default=BENCH / "work", help="scratch folder (default bench/work)")
    parser.add_argument("--out", type=Path, help="the results file (default bench/results-YYYY-MM-DD.md)")
    parser.add_argument("--keep", action="store_true", help="keep the generated CSVs and the outputs")
    args = parser.parse_args(argv)
    args.venv = args.venv.resolve()
    if not (args.venv / "bin" / "kg").exists():
        parser.error(f"there is no {args.venv / 'bin' / 'kg'}: create the project's virtualenv first (make demo)")
    out_file = args.out or BENCH / f"results-{dt.date.today().isoformat()}.md"
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)

    runs: list[Run] = []
    notes: list[str] = []
    try:
        for rows in args.sizes:
            csv_file = work / f"acled-{rows}.csv"
            started = time.monotonic()
            subprocess.run([sys.executable, str(BENCH / "generate_acled.py"), "--rows", str(rows), "--seed", str(args.seed),
                            "-o", str(csv_file)], check=True, timeout=args.timeout)
            notes.append(f"{rows:,} rows: generated in {time.monotonic() - started:.1f} s, "
                         f"{csv_file.stat().st_size / 1e6:,.1f} MB of CSV")
            print(notes[-1], flush=True)
            size_runs = []
            builders = [run_ours, *([lambda *given: run_ours(*given, workers=args.ours_workers)] if args.ours_workers else []),
                        run_morph, run_rdflib]
            for number in range(1, args.rounds + 1):
                for builder in builders:
                    run = builder(csv_file, rows, work, args)
                    run.round = number
                    if run.ok:
                        run.triples = count_lines(run.output)
                    print(f"  {_label(run, args.rounds)}: {run.status}" +
                          (f", {run.seconds:.1f} s, {run.triples:,} triples" if run.ok else ""), flush=True)
                    size_runs.append(run)
            if rows <= args.compare_max:  # on the last round's outputs (each round replaces the one before)
                last = [r for r in size_runs if r.round == args.rounds]
                ours = next((r for r in last if r.tool == OURS and r.ok), None)
                reference = hashes(ours.output) if ours else None
                for run in last:
                    if run.ok:
                        seen = reference if run is ours else hashes(run.output)
                        run.distinct = len(seen)
                        if reference is not None and seen:
                            run.shared = len(seen & reference) / len(seen)
            runs.extend(size_runs)
            if not args.keep:
                csv_file.unlink(missing_ok=True)
                for run in size_runs:
                    for path in run.output:
                        path.unlink(missing_ok=True)
                for folder in [work / f"ours-{rows}", work / f"ours-{args.ours_workers}-workers-{rows}", work / f"morph-{rows}"]:
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            for path in [*work.glob("acled-*.csv"), *work.glob("rdflib-*.nt")]:
                path.unlink(missing_ok=True)

    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [f"# kg import acled vs Morph-KGC vs rdflib, {dt.date.today().isoformat()}", "",
             f"Command: `{command.strip()}`  ", f"Machine: {machine()}  ",
             f"Python {platform.python_version()}; {versions(args)}; seed {args.seed}", "",
             "## Results", "", *results_table(runs, args.rounds), "",
             "## Ratios (A vs B)", "", *ratio_table(runs, args.rounds), "",
             *(["## Scaling", "", *scaling, ""] if (scaling := scaling_table(runs)) else []),
             "## Notes", ""]
    lines += [f"- {note}" for note in notes]
    lines += [f"- {r.rows:,} rows, {_label(r, args.rounds)}: {r.note}" for r in runs if r.note]
    lines += ["- wall s: the whole subprocess, start-up included. triples: output lines (ungzipped); "
              "distinct and 'in ours' (share of that builder's distinct triples also in ours) are counted up to "
              f"{args.compare_max:,} rows.",
              "- triples of a parallel import (ours, N workers) are the lines of its shards: a place or actor met by several "
              "parts is written by each, so they exceed the distinct triples, which equal those of ours in one process.",
              "- max RSS: GNU time's 'Maximum resident set size' (the largest single process of the tree). "
              "tree RSS: the sum of VmRSS over the process tree, sampled every 0.2 s (counts pages shared "
              "by forked workers more than once).",
              f"- rdflib is skipped above {args.rdflib_max:,} rows; Morph-KGC runs in bench/.venv-morph.",
              "- See bench/README.md for what the Morph-KGC mapping and the rdflib script leave out."]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    print(f"Wrote {out_file}")
    return 0 if all(r.ok or r.status.startswith("skipped") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
