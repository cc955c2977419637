#!/usr/bin/env python3
"""Patch vs full reload: a 1% change of a synthetic ACLED export applied to an Oxigraph server
by `kg load --patch`, beside a full reload of the newer import, in the same run.

    python bench/patch.py --rows 1000000          # the issue's size (minutes; several GB of disk)
    python bench/patch.py --rows 20000            # a quick look

Steps, each timed (wall clock) and written with its command to the results file:
1. `bench/generate_acled.py --rows N --seed S` writes the older export; this script derives the
   newer one from it: of every 100 events, one is touched (--change-percent), in turns changed
   (fatalities + 1, timestamp + 1 day), deleted, or added (a copy of the row under a new id).
2. `kg import acled OLD.csv -o OLD` and `kg import acled NEW.csv -o NEW --previous OLD` (the
   second also writes NEW/change.rdfp and says the change in words).
3. An `oxigraph serve` (the `oxigraph` PyPI package in the project's .venv) on a loopback port.
   The older import goes into a named graph by one Graph Store PUT, streamed from the shards.
4. Full reload: the newer import by one streamed Graph Store PUT of all its shards into the
   same graph (what `kg load` does for the build: one PUT that replaces the graph), then a count.
   `oxigraph serve` holds a request's transaction in memory (1.17M statements: 4 GB), so for
   large sizes --chunk-lines N sends a PUT of the first N statements and POSTs of the others.
5. Back to the older import (the same PUT, not timed), then `kg load --patch NEW/change.rdfp`
   (checks the starting state, one DELETE DATA/INSERT DATA request, counts after).
6. Both must leave the graph with the newer import's statement count; the script checks it.

Only the standard library (any Python 3.9+); it needs the project's .venv (make demo). The
scratch folder (--workdir, default bench/work/patch/) is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
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
from collections.abc import Iterator
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


def shard_lines(folder: Path) -> Iterator[bytes]:
    manifest = json.loads((folder / "manifest.json").read_text())
    for shard in manifest["statements"]["shards"]:
        with gzip.open(folder / shard["file"], "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def statements(folder: Path) -> int:
    manifest = json.loads((folder / "manifest.json").read_text())
    return sum(shard["statements"] for shard in manifest["statements"]["shards"])


def send(url: str, method: str, body: Iterator[bytes] | bytes) -> None:
    target = f"{url}/store?{urllib.parse.urlencode({'graph': GRAPH})}"
    request = urllib.request.Request(target, data=body, method=method, headers={"Content-Type": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=3600) as response:
        response.read()


def chunks(folder: Path, lines: int) -> Iterator[bytes]:
    """The import's statements in pieces of at most `lines` lines."""
    piece: list[bytes] = []
    rest = b""
    for block in shard_lines(folder):
        *complete, rest = (rest + block).split(b"\n")
        for line in complete:
            piece.append(line + b"\n")
            if len(piece) == lines:
                yield b"".join(piece)
                piece = []
    if piece:
        yield b"".join(piece)


def reload(url: str, folder: Path, chunk_lines: int | None) -> None:
    """Replace GRAPH with the import: one Graph Store PUT of all its shards, streamed; or, with
    chunk_lines, a PUT of the first piece and a POST of each further piece (bounded server
    memory: Oxigraph holds a request's whole transaction in memory)."""
    if chunk_lines is None:
        send(url, "PUT", shard_lines(folder))
        return
    for number, piece in enumerate(chunks(folder, chunk_lines)):
        send(url, "PUT" if number == 0 else "POST", piece)


def count(url: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(f"{url}/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=3600) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def timed(what: str, command: str, timings: list[Timing], action: object) -> None:
    started = time.monotonic()
    action()  # type: ignore[operator]
    timings.append(Timing(what, command, time.monotonic() - started))


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


def report(rows: int, counts: dict[str, int], timings: list[Timing], sizes: dict[str, int], command: str) -> str:
    by_name = {timing.what: timing for timing in timings}
    full, patch = by_name["full reload"], by_name["kg load --patch"]
    lines = [f"# Patch vs full reload, {dt.date.today()}", "",
             f"Command: `{command}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
             f"{os.getloadavg()[0]:.1f} at the end  ",
             f"Data: {rows:,} events (seed {sizes['seed']}); the newer export: {counts['changed']:,} changed, "
             f"{counts['deleted']:,} deleted, {counts['added']:,} added; older import {sizes['old']:,} statements, newer "
             f"{sizes['new']:,}; the patch {sizes['deletions']:,} deletions and {sizes['additions']:,} additions "
             f"({sizes['patch_bytes'] / 1e6:.1f} MB)", "",
             "| step | command | wall s |", "| --- | --- | --: |"]
    lines += [f"| {t.what} | `{t.command}` | {t.seconds:.2f} |" for t in timings]
    lines += ["", f"Full reload / patch: {full.seconds / patch.seconds:.1f}x "
              f"({full.seconds:.2f} s vs {patch.seconds:.2f} s); both leave {sizes['new']:,} triples in the graph."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change-percent", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work" / "patch")
    parser.add_argument("--out", type=Path, help="results file (default: bench/patch-results-DATE-ROWS.md)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--chunk-lines", type=int, metavar="N",
                        help="load imports by a PUT and POSTs of N statements each instead of one PUT of all (for sizes "
                        "whose single PUT does not fit the server's memory: 1.17M statements took 4 GB)")
    args = parser.parse_args(argv)
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
    server, url = start_server(work / "store")
    try:
        reload(url, old_dir, args.chunk_lines)
        how = (f"PUT {url}/store?graph=<{GRAPH}> (all shards of new/, streamed)" if args.chunk_lines is None else
               f"PUT + POSTs of {args.chunk_lines:,} statements {url}/store?graph=<{GRAPH}> (shards of new/)")
        timed("full reload", f"{how} + count", timings, lambda: reload(url, new_dir, args.chunk_lines))
        if count(url) != sizes["new"]:
            sys.exit("the full reload did not leave the newer import's statements in the graph")
        reload(url, old_dir, args.chunk_lines)
        run([str(VENV / "kg"), "load", "--patch", str(patch), "--graph", GRAPH, "--endpoint", url, "--store", "oxigraph",
             "--timeout", "3600"], "kg load --patch", timings)
        if count(url) != sizes["new"]:
            sys.exit("the patch did not leave the newer import's statements in the graph")
    finally:
        server.terminate()
        server.wait()
    command = "python bench/patch.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(args.rows, counts, timings, sizes, command.strip())
    out = args.out or ROOT / "bench" / f"patch-results-{dt.date.today()}-{args.rows}.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"Wrote {shown(str(out))}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
