#!/usr/bin/env python3
"""Patch vs full reload: a 1% change of a synthetic ACLED export applied to an Oxigraph server
by `kg load --patch`, beside a full reload of the newer import by `kg load`, in the same run.

    python bench/patch.py --rows 1000000          # the issue's size (minutes; several GB of disk)
    python bench/patch.py --rows 20000            # a quick look

Steps, each timed (wall clock) and written with its command to the results file:
1. `bench/generate_acled.py --rows N --seed S` writes the older export; this script derives the
   newer one from it: of every 100 events, one is touched (--change-percent), in turns changed
   (fatalities + 1, timestamp + 1 day), deleted, or added (a copy of the row under a new id).
2. `kg import acled OLD.csv -o OLD` and `kg import acled NEW.csv -o NEW --previous OLD` (the
   second also writes NEW/change.rdfp and says the change in words).
3. `oxigraph load` (the `oxigraph` PyPI package in the project's .venv; the offline bulk loader)
   puts the older import into a named graph of a new store: the starting state, timed but not
   compared. Then an `oxigraph serve` of that store on a loopback port.
4. `kg load --patch NEW/change.rdfp` (checks the starting state, one DELETE DATA/INSERT DATA
   request, counts after): the graph then holds the newer import's statements.
5. Full reload: `kg load NEW --in-place` replaces the graph's statements with the newer import's
   (empties it in bounded DELETEs, then Graph Store POSTs of the shards a chunk at a time).
   With --staged, also `kg load NEW` as it runs by default: POSTs into a staging graph, then one
   MOVE onto the graph, which Oxigraph runs as one transaction held in memory (slow for
   millions of statements: leave it out at 1M rows).
6. Each step must leave the graph with the newer import's statement count; the script checks it.

Only the standard library (any Python 3.9+); it needs the project's .venv (make demo). The
scratch folder (--workdir, default bench/work/patch/) is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
GRAPH = "https://example.org/bench/acled"


@dataclass(frozen=True)
class Timing:
    what: str
    command: str
    seconds: float
    note: str = ""


def run(command: list[str], what: str, timings: list[Timing], note: str = "") -> str:
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{what} failed ({done.returncode}): {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    timings.append(Timing(what, " ".join(shown(part) for part in command), seconds, note))
    return done.stdout


def shown(part: str) -> str:
    return part.replace(str(ROOT) + "/", "")


def derive_newer(old: Path, new: Path, percent: float) -> dict[str, int]:
    """The newer export: of every round(100 / percent) rows, one is changed, deleted or added."""
    step = max(1, round(100 / percent))
    counts = {"changed": 0, "deleted": 0, "added": 0}
    with old.open(newline="", encoding="utf-8") as source, new.open("w", newline="", encoding="utf-8") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        header = next(reader)
        writer.writerow(header)
        ids, fatalities, stamp = (header.index(name) for name in ("event_id_cnty", "fatalities", "timestamp"))
        for number, row in enumerate(reader):
            touch = number % step == step - 1
            kind = ("changed", "deleted", "added")[(number // step) % 3] if touch else None
            if kind == "deleted":
                counts["deleted"] += 1
                continue
            if kind == "changed":
                row[fatalities] = str(int(row[fatalities]) + 1)
                row[stamp] = str(int(row[stamp]) + 86400)
                counts["changed"] += 1
            writer.writerow(row)
            if kind == "added":
                writer.writerow([f"{row[ids]}N" if i == ids else str(int(cell) + 86400) if i == stamp else cell
                                 for i, cell in enumerate(row)])
                counts["added"] += 1
    return counts


def statements(folder: Path) -> int:
    manifest = json.loads((folder / "manifest.json").read_text())
    return sum(shard["statements"] for shard in manifest["statements"]["shards"])


def count(url: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(f"{url}/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=3600) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([str(VENV / "oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("oxigraph serve did not answer within 30 s")


def report(rows: int, counts: dict[str, int], timings: list[Timing], sizes: dict[str, int], command: str, loads: str) -> str:
    by_name = {timing.what: timing for timing in timings}
    full, patch = by_name["full reload (kg load --in-place)"], by_name["kg load --patch"]
    lines = [f"# Patch vs full reload, {dt.date.today()}", "",
             f"Command: `{command}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
             f"{loads}  ",
             f"Data: {rows:,} events (seed {sizes['seed']}); the newer export: {counts['changed']:,} changed, "
             f"{counts['deleted']:,} deleted, {counts['added']:,} added; older import {sizes['old']:,} statements, newer "
             f"{sizes['new']:,}; the patch {sizes['deletions']:,} deletions and {sizes['additions']:,} additions "
             f"({sizes['patch_bytes'] / 1e6:.1f} MB)", "",
             "| step | command | wall s | statements/s |", "| --- | --- | --: | --: |"]
    lines += [f"| {t.what} | `{t.command}` | {t.seconds:.2f} | {t.note} |" for t in timings]
    lines += ["", f"Full reload / patch: {full.seconds / patch.seconds:.1f}x "
              f"({full.seconds:.2f} s vs {patch.seconds:.2f} s); each leaves {sizes['new']:,} triples in the graph.",
              "statements/s: the import's statements over the step's wall time (the full reload also deletes as many)."]
    return "\n".join(lines) + "\n"


def loads_now() -> str:
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change-percent", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work" / "patch")
    parser.add_argument("--out", type=Path, help="results file (default: bench/patch-results-DATE-ROWS.md)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--batch-size", type=int, metavar="N", help="kg load --batch-size (default: kg load's)")
    parser.add_argument("--staged", action="store_true",
                        help="also time kg load NEW without --in-place (a staging graph MOVEd onto the graph: one "
                        "transaction on Oxigraph, slow and memory-hungry for millions of statements)")
    args = parser.parse_args(argv)
    loads_at_start = loads_now()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    timings: list[Timing] = []
    old_csv, new_csv, old_dir, new_dir = work / "old.csv", work / "new.csv", work / "old", work / "new"
    run([sys.executable, str(ROOT / "bench" / "generate_acled.py"), "--rows", str(args.rows), "--seed", str(args.seed), "-o",
         str(old_csv)], "generate the older export", timings)
    counts = derive_newer(old_csv, new_csv, args.change_percent)
    run([str(VENV / "kg"), "import", "acled", str(old_csv), "-o", str(old_dir)], "kg import (older)", timings)
    summary = run([str(VENV / "kg"), "import", "acled", str(new_csv), "-o", str(new_dir), "--previous", str(old_dir)],
                  "kg import --previous (newer, with the patch)", timings)
    print(summary)
    patch = new_dir / "change.rdfp"
    manifest = json.loads((new_dir / "manifest.json").read_text())
    rows = patch.read_text(encoding="utf-8").splitlines()
    sizes = {"seed": args.seed, "old": statements(old_dir), "new": statements(new_dir), "patch_bytes": patch.stat().st_size,
             "deletions": sum(1 for row in rows if row.startswith("D ")), "additions": sum(1 for row in rows if row.startswith("A "))}
    assert manifest["change"]["file"] == "change.rdfp"
    # The older import is the store's starting state, not a figure compared: Oxigraph's offline
    # bulk loader puts it in fastest (kg load into an empty graph runs at ~50-100k statements/s).
    shards = [str(old_dir / shard["file"]) for shard in json.loads((old_dir / "manifest.json").read_text())["statements"]["shards"]]
    run([str(VENV / "oxigraph"), "load", "--location", str(work / "store"), "--graph", GRAPH, "--file", *shards],
        "oxigraph load (older import, the starting state; server stopped)", timings)
    server, url = start_server(work / "store")
    try:
        target = ["--graph", GRAPH, "--endpoint", url, "--store", "oxigraph", "--timeout", "3600"]
        batch = ["--batch-size", str(args.batch_size)] if args.batch_size else []

        def kg_load(what: str, folder: Path, *options: str) -> None:
            started = len(timings)
            run([str(VENV / "kg"), "load", str(folder), *target, *batch, *options], what, timings)
            seconds = timings[started].seconds
            timings[started] = Timing(what, timings[started].command, seconds, f"{statements(folder) / seconds:,.0f}")

        if count(url) != sizes["old"]:
            sys.exit("oxigraph load did not leave the older import's statements in the graph")
        run([str(VENV / "kg"), "load", "--patch", str(patch), *target], "kg load --patch", timings)
        if count(url) != sizes["new"]:
            sys.exit("the patch did not leave the newer import's statements in the graph")
        kg_load("full reload (kg load --in-place)", new_dir, "--in-place")
        if count(url) != sizes["new"]:
            sys.exit("the full reload did not leave the newer import's statements in the graph")
        if args.staged:
            kg_load("full reload (kg load, staged and MOVEd)", new_dir)
            if count(url) != sizes["new"]:
                sys.exit("the staged full reload did not leave the newer import's statements in the graph")
    finally:
        server.terminate()
        server.wait()
    command = "python bench/patch.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(args.rows, counts, timings, sizes, command.strip(), f"{loads_at_start} (1/5/15 min) at the start, "
                  f"{loads_now()} at the end")
    out = args.out or ROOT / "bench" / f"patch-results-{dt.date.today()}-{args.rows}.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"Wrote {shown(str(out))}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
