"""Mapping an ACLED export in parts on a Dask cluster (kg import acled --workers N, or
--scheduler ADDRESS for an existing cluster), with the row code of the single-process import.

Parts: the driver splits the file into byte ranges that start where a row starts (reading.py
says how quotes tell where that is: one pass that counts bytes, no parsing), each given the
line number its first row has in the file. Each Dask task reads its range with the same reader,
maps the rows with the same RowConverter, and writes its own shards (rows-PPPPP-NNNNN, gzip in
the task), its runs of the events' table (events-PPPPP-NNNNN.tsv, sorted by IRI) and its row
state (place points, the first class of each actor, the cube's tallies: state-PPPPP.pickle)
into the import's temporary folder; it returns its bad rows and the names of those files.

Merging, in the order of the parts: the driver merges the parts' runs into the events' table;
an event that two parts accepted is a repeated row of the later part, so that part is mapped
again with the earlier line given (its rows with that id are then refused with the message and
line numbers of the single-process import), and the runs merged again; the closing lines
(places' points, actors' classes and countries), the warnings and the cube come from the merged
state. A place or actor that several parts meet is written by each, in the same lines: the
shards then repeat those lines, which is the same set of statements (kg store and kg load keep
each statement once). Bad rows keep the single import's all-or-nothing verdict and messages, and
a line that is not UTF-8 ends the import there, as it does in one process.

Memory is bounded: each worker holds the tables of the part it maps (parts of PART_BYTES at
most); the driver holds the merged state (places, actors, cube: not rows), reading the parts'
states one at a time, and, while merging the events' table, one line of each run.

Workers must see the input file and the output folder at the same paths as the driver (one
machine, or a shared filesystem); a task that cannot says so.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import math
import pickle
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import DataError, ToolError, relative
from kg.importers.acled import EVENT_RUN_PREFIX
from kg.importers.acled.cube import CubeTally, Key, Tally
from kg.importers.acled.eventtable import EventRuns, EventTable, final_table, merge_runs, remove_runs
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.reading import MAX_REPORTED_ERRORS, RowsRead, RowStart, convert_rows, read_header, row_starts, text_lines
from kg.importers.acled.result import ImportResult, Mapped, close_import, imported
from kg.importers.acled.rows import RowConverter, RowState
from kg.importers.acled.shards import SHARD_EXTENSIONS, ShardEntry, ShardWriter
from kg.progress import Progress
from kg.project import Project

if TYPE_CHECKING:
    from distributed import Client, Future

PART_BYTES = 64 << 20  # about 130,000 rows of the generated exports (bench/generate_acled.py)
PART_PREFIX = "rows"
STATE_PREFIX = "state"


@dataclass(frozen=True)
class Part:
    number: int  # from 1, in the order of the file
    start: int  # its first byte
    end: int  # the byte after its last
    first_line: int  # the line number of its first row


@dataclass(frozen=True)
class PartJob:
    """What every part needs; sent to the workers once."""

    csv_file: Path  # absolute: the workers open it
    shown: str
    dataset_name: str
    header: tuple[str, ...]
    mapping: AcledMapping
    gazetteer: Gazetteer
    base_iri: str
    cube: bool
    folder: Path  # the import's temporary folder, where the parts write their shards
    target: Path
    extension: str
    lines_per_shard: int
    quads: bool
    compress: bool


@dataclass(frozen=True)
class PartResult:
    part: Part
    read: RowsRead
    state_file: Path  # the part's RowState and cube tallies, pickled (read by part_state)
    files: tuple[Path, ...]
    shards: tuple[ShardEntry, ...]  # of files
    lines: int
    event_runs: tuple[Path, ...]


def map_part(job: PartJob, part: Part, earlier: dict[str, int]) -> PartResult:
    """Map the rows of one part into its shards and runs of the events' table (a Dask task).
    earlier: events (IRIs) accepted by earlier parts that this part repeats, with their lines."""
    check_visible(job, part)
    plan = job.mapping.compile(list(job.header), job.dataset_name, job.shown)
    tally = CubeTally(plan.cube, job.base_iri) if job.cube else None
    remove_part_files(job.folder, part.number)  # of an earlier run of the part
    prefix = f"{PART_PREFIX}-{part.number:05d}"
    events = EventRuns(job.folder, f"{EVENT_RUN_PREFIX}-{part.number:05d}")
    converter = RowConverter(job.mapping, plan, job.gazetteer, tally, events)
    converter.state.events.update(earlier)
    writer = ShardWriter(job.target, job.extension, job.lines_per_shard, plan.dataset if job.quads else None, job.compress,
                         folder=job.folder, prefix=prefix)
    try:
        read = convert_rows(csv.reader(text_lines(job.csv_file, part.start, part.end)), converter, writer, part.first_line - 1)
        files = writer.close()[prefix]
        runs = events.close()
    except BaseException:
        writer.abort()
        raise
    converter.state.events.clear()  # the driver finds repeats in the events' table
    state_file = job.folder / f"{STATE_PREFIX}-{part.number:05d}.pickle"
    state_file.write_bytes(pickle.dumps((converter.state, tally.tallies if tally is not None else {})))
    return PartResult(part, read, state_file, tuple(files), tuple(writer.entries(files)), writer.lines, tuple(runs))


def part_state(result: PartResult) -> tuple[RowState, dict[Key, Tally]]:
    """The row state and cube tallies a part wrote (a file of the import's own temporary
    folder), the file removed."""
    state, tallies = pickle.loads(result.state_file.read_bytes())
    result.state_file.unlink()
    return state, tallies


def remove_part_files(folder: Path, number: int) -> None:
    """The shards, event runs and state a part wrote."""
    for pattern in (f"{PART_PREFIX}-{number:05d}-*", f"{EVENT_RUN_PREFIX}-{number:05d}-*", f"{STATE_PREFIX}-{number:05d}.pickle"):
        for written in folder.glob(pattern):
            written.unlink()


def check_visible(job: PartJob, part: Part) -> None:
    where = f"the Dask worker on {socket.gethostname()} (part {part.number}, from line {part.first_line})"
    if not job.csv_file.is_file():
        raise ToolError(f"{where} cannot read {job.csv_file}: the file to import must be at the same path on every "
                        "worker (a shared filesystem), or import on this machine with --workers N")
    if not job.folder.is_dir():
        raise ToolError(f"{where} cannot write into {job.target.parent}: the output folder must be at the same path "
                        "on every worker (a shared filesystem); choose one with -o")


def import_in_parts(project: Project, csv_file: Path, target: Path, curated: Graph, *, format_name: str, skip_bad_rows: bool,
                    lines_per_shard: int, compress: bool, cube: bool, progress: Progress | None, workers: int,
                    scheduler: str | None, part_bytes: int | None, dataset_name: str) -> ImportResult:
    """import_acled with workers > 1 or a scheduler: the same shards as a set of statements."""
    shown = relative(csv_file)
    started = time.monotonic()
    csv_file = csv_file.resolve()
    mapping = AcledMapping(project)
    gazetteer = Gazetteer(curated, mapping)
    size = csv_file.stat().st_size
    header_end = next(iter(row_starts(csv_file, [0])), None)
    header = read_header(csv.reader(text_lines(csv_file, 0, header_end.offset if header_end else size)), shown)
    plan = mapping.compile(header, dataset_name, shown)
    quads = format_name == "nquads"
    writer = ShardWriter(target, SHARD_EXTENSIONS[format_name], lines_per_shard, plan.dataset if quads else None, compress)
    tally = CubeTally(plan.cube, project.base_iri) if cube else None
    converter = RowConverter(mapping, plan, gazetteer, tally)
    job = PartJob(csv_file, shown, dataset_name, tuple(header), mapping, gazetteer, project.base_iri, cube, writer.folder, target.resolve(),
                  writer.extension.removesuffix(".gz"), lines_per_shard, quads, compress)
    parts: list[Part] = []
    results: list[PartResult] = []
    try:
        writer.write(list(plan.dataset_lines))
        if header_end is not None:  # else the file has no row
            with contextlib.ExitStack() as cluster:
                with ThreadPoolExecutor(1) as pool:  # the split reads the whole file: in a thread, while the cluster starts
                    splitting = pool.submit(split, csv_file, header_end, size, workers if scheduler is None else 1, part_bytes)
                    client = cluster.enter_context(dask_client(workers, scheduler))
                    parts = splitting.result()
                threads = sum(client.nthreads().values())
                if part_bytes is None and len(parts) < threads:  # an existing cluster with more threads than parts
                    parts = split(csv_file, header_end, size, threads, part_bytes)
                results = run_parts(client, job, parts, {}, progress, started)
                results = results[:first_unreadable(results) + 1]
                for dropped in parts[len(results):]:
                    remove_part_files(writer.folder, dropped.number)
                table = merge_runs(event_runs(results), writer.folder)
                if table.repeats:  # the table is made again once those parts are mapped again
                    repeated = repeats_by_part(table, parts)
                    again = [result.part for result in results if result.part.number in repeated]
                    rerun = {result.part.number: result for result in run_parts(client, job, again, repeated, None, started)}
                    results = [rerun.get(result.part.number, result) for result in results]
                    table = merge_runs(event_runs(results), writer.folder)
            remove_runs(event_runs(results))  # a rerun needs the other parts' runs: removed once the table is final
        else:
            table = final_table([], writer.folder)
        rows_before = 0
        errors: list[DataError] = []
        for result in results:
            state, tallies = part_state(result)
            converter.state.merge(state)
            if tally is not None:
                tally.merge(tallies)
            errors.extend(reject.error(shown, rows_before) for reject in result.read.rejects)
            rows_before += result.read.rows
    except BaseException:
        writer.abort()
        raise
    mapped = Mapped(rows_before, sum(result.read.rejected for result in results), errors[:MAX_REPORTED_ERRORS],
                    sum(result.lines for result in results), [file for result in results for file in result.files],
                    [shard for result in results for shard in result.shards], len(parts), table)
    outcome = close_import(writer, plan, converter, tally, mapped, skip_bad_rows=skip_bad_rows, shown=shown, started=started)
    if progress:
        progress(imported(outcome.rows, outcome.lines, outcome.seconds))
    return outcome


def split(csv_file: Path, first: RowStart, size: int, threads: int, part_bytes: int | None) -> list[Part]:
    """The rows from the first row to the end of the file, in parts of about part_bytes (by
    default PART_BYTES, and at least one part per worker thread), cut where rows start."""
    count = max(1, math.ceil((size - first.offset) / (part_bytes or PART_BYTES)), 1 if part_bytes else threads)
    step = (size - first.offset) / count
    starts = row_starts(csv_file, [round(first.offset + step * number) for number in range(1, count)]) if count > 1 else []
    offsets = [first.offset, *(row.offset for row in starts), size]
    lines = [first.line, *(row.line for row in starts)]
    return [Part(number, offsets[number - 1], offsets[number], lines[number - 1]) for number in range(1, len(offsets))]


def event_runs(results: list[PartResult]) -> list[Path]:
    """The parts' runs of the events' table, in the order of the parts."""
    return [run for result in results for run in result.event_runs]


def repeats_by_part(table: EventTable, parts: list[Part]) -> dict[int, dict[str, int]]:
    """The events of earlier parts that each part repeats (part -> IRI -> the first line)."""
    first_lines = [part.first_line for part in parts]
    repeated: dict[int, dict[str, int]] = {}
    for repeat in table.repeats:
        part = parts[bisect.bisect_right(first_lines, repeat.line) - 1]
        repeated.setdefault(part.number, {})[repeat.iri] = repeat.first_line
    return repeated


def run_parts(client: Client, job: PartJob, parts: list[Part], earlier: dict[int, dict[str, int]], progress: Progress | None,
              started: float) -> list[PartResult]:
    """Map the parts on the cluster (given the earlier parts' events each repeats); the results
    in the order of the parts. A failed part stops the import: the parts not yet begun
    are cancelled, and those that run are waited for (Dask cannot stop a running task), so
    that none writes into the temporary folder once it is removed."""
    from distributed import as_completed, wait
    from distributed.scheduler import KilledWorker

    token = uuid.uuid4().hex[:8]
    shared = client.scatter(job, broadcast=True, hash=False)  # a key of its own: released with this call's futures
    futures: list[Future] = [client.submit(map_part, shared, part, earlier.get(part.number, {}), pure=False,
                                           key=f"kg-import-{token}-part-{part.number}") for part in parts]
    done: dict[int, PartResult] = {}
    try:
        for future in as_completed(futures):
            try:
                result: PartResult = future.result()
            except KilledWorker as exc:
                raise _died(job, parts[futures.index(future)], exc) from None
            done[result.part.number] = result
            if progress:
                progress(imported(sum(part.read.rows for part in done.values()), sum(part.lines for part in done.values()),
                                  time.monotonic() - started))
    except BaseException as failure:
        with contextlib.suppress(OSError, TimeoutError):  # a lost scheduler: the first failure is the one to tell
            running = {key for keys in client.processing().values() for key in keys}
            client.cancel([future for future in futures if future.key not in running and future.status != "error"])
            wait([future for future in futures if future.key in running])
            # Parts fail in the order they happen to finish; the first part's failure is the
            # one told, as the import in one process would meet it first.
            failed = next(((part, future) for part, future in zip(parts, futures) if future.status == "error"), None)
            if failed is not None and not isinstance(failure, KeyboardInterrupt):
                part, future = failed
                cause = future.exception()
                raise (_died(job, part, cause) if isinstance(cause, KilledWorker) else cause) from None
        raise
    return [done[part.number] for part in parts]


def _died(job: PartJob, part: Part, exc: BaseException) -> ToolError:
    return ToolError(f"a Dask worker died while mapping part {part.number} of {job.shown} (from line "
                     f"{part.first_line}): nothing was imported ({exc})")


def first_unreadable(results: list[PartResult]) -> int:
    """The index of the first part that ended at a line that is not UTF-8 (the rows after it
    are not imported, as in one process), or the last part's."""
    return next((index for index, result in enumerate(results) if result.read.unreadable), len(results) - 1)


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Client]:
    """A client of the cluster at scheduler, or of a local cluster of workers processes (one
    thread each: the rows are mapped in Python), shut down afterwards."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is None:
        # Dask starts its worker processes with MALLOC_TRIM_THRESHOLD_=65536, so that glibc hands
        # freed memory back at once; the row loop, which allocates and frees small strings all
        # the time, then runs 25-30% slower than in a process of its own (a part of the 1M-row
        # benchmark: 5.4 s against 4.2 s). The parts' memory is bounded by their size anyway.
        environ = {name: value for name, value in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
                   if name != "MALLOC_TRIM_THRESHOLD_"}
        # dashboard_address ":0": any free port (the scheduler serves its status page even without the dashboard)
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), \
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            with Client(cluster) as client:
                yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ToolError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with `dask scheduler` and its "
                        "workers with `dask worker ADDRESS`, or import on this machine with --workers N") from None
    with client:
        if not client.nthreads():
            raise ToolError(f"the Dask scheduler at {scheduler} has no workers; start them with `dask worker {scheduler}`")
        yield client
