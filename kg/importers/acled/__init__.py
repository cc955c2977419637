"""Import ACLED event exports (CSV) into the border-kg ontology, as a stream.

The mapping is data (ontology/acled.yaml, with the controlled lists of
ontology/acled-vocabulary.ttl): mapping.py checks it and compiles it, once per file, into a
plan of column positions and prepared terms for the layout the header shows (today's, or the
v6 layout of 2016-2018); reading.py reads the rows and rows.py streams them through the plan,
each row becoming N-Triples lines; shards.py writes them to gzip shards at once, so memory holds
only the deduplication tables, not the rows; gazetteer.py links places to the curated ones;
cube.py counts events and fatalities per country, region, event type and month, written after
the last row as a W3C Data Cube in shards of their own; eventtable.py keeps the table of the
imported events (events.tsv.gz) that the import's manifest describes. Terms are written by pyoxigraph
(escaped by the RDF library); the importer only puts them side by side, except the dateTime and
WKT literals it writes itself from numbers, which need no escaping (values.generated). parallel.py maps the
rows in parts on a Dask cluster (workers > 1, or a scheduler's address), with the same code.

Rows with problems are reported with their line number, column and what to do. By default a
file with any bad row is not imported at all; with skip_bad_rows the good rows are, and an
import of no row at all fails.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from rdflib import Graph

from kg.errors import ToolError, relative
from kg.importers.acled.cube import CubeTally
from kg.importers.acled.eventtable import EventRuns, final_table
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.reading import convert_rows, read_header, text_lines
from kg.importers.acled.result import ImportResult, Mapped, RowErrors, close_import, imported
from kg.importers.acled.rows import RowConverter
from kg.importers.acled.shards import SHARD_EXTENSIONS, ShardWriter
from kg.progress import Progress
from kg.project import Project

__all__ = ["DEFAULT_SHARD_LINES", "ImportResult", "RowErrors", "import_acled"]

DEFAULT_SHARD_LINES = 1_000_000
EVENT_RUN_PREFIX = "events"  # the events table's runs in the import's temporary folder


def import_acled(
    project: Project,
    csv_file: Path,
    target: Path,
    curated: Graph,
    *,
    format_name: str = "ntriples",
    skip_bad_rows: bool = False,
    lines_per_shard: int = DEFAULT_SHARD_LINES,
    compress: bool = True,
    cube: bool = True,
    progress: Progress | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    part_bytes: int | None = None,
    dataset_name: str | None = None,
) -> ImportResult:
    """Stream an ACLED CSV into gzip (or, with compress=False, plain) N-Triples shards (or
    N-Quads, in the data set's named graph) in the folder target, linking its places to those
    of the curated graph; with cube, also the statistics cube, in shards cube-NNNNN (N-Quads:
    in the named graph of the cube's qb:DataSet). The data set is named dataset_name (default: the
    file's name without .csv; a newer export of the same data set keeps the name). Raises
    DataErrors when rows are bad (unless skip_bad_rows, and then only when no row is good),
    ConfigError when ontology/acled.yaml has a mistake.

    With workers > 1 the rows are mapped in parts on a local Dask cluster of that many worker
    processes, with scheduler (an address such as tcp://host:8786) on that existing cluster
    (see parallel.py; part_bytes: the size of a part, by default chosen from the file's size);
    the graph is the same set of statements. The local cluster starts its workers as new Python
    processes, which import the caller's main module: a script that calls this with workers > 1
    must do so under `if __name__ == "__main__":`."""
    if format_name not in SHARD_EXTENSIONS:
        raise ToolError(f"kg import writes ntriples or nquads shards, not {format_name}")
    if not csv_file.is_file():
        raise ToolError(f"there is no file {csv_file}")
    if workers < 1:
        raise ToolError(f"an import runs on 1 worker or more (--workers), not {workers}")
    if workers > 1 and scheduler is not None:
        raise ToolError(f"--workers {workers} and --scheduler {scheduler} exclude each other: the import runs on the "
                        "workers of the cluster at --scheduler; give one or the other")
    name = dataset_name or csv_file.stem
    if workers > 1 or scheduler is not None:
        from kg.importers.acled.parallel import import_in_parts

        return import_in_parts(project, csv_file, target, curated, format_name=format_name, skip_bad_rows=skip_bad_rows,
                               lines_per_shard=lines_per_shard, compress=compress, cube=cube, progress=progress,
                               workers=workers, scheduler=scheduler, part_bytes=part_bytes,
                               dataset_name=name)
    shown = relative(csv_file)
    started = time.monotonic()
    mapping = AcledMapping(project)
    gazetteer = Gazetteer(curated, mapping)
    reader = csv.reader(text_lines(csv_file))
    header = read_header(reader, shown)
    plan = mapping.compile(header, name, shown)
    tally = CubeTally(plan.cube, project.base_iri) if cube else None
    writer = ShardWriter(target, SHARD_EXTENSIONS[format_name], lines_per_shard,
                         plan.dataset if format_name == "nquads" else None, compress)
    events = EventRuns(writer.folder, EVENT_RUN_PREFIX)
    converter = RowConverter(mapping, plan, gazetteer, tally, events)
    last_report = started

    def report(rows: int) -> None:
        nonlocal last_report
        now = time.monotonic()
        if progress and now - last_report >= 0.5:
            progress(imported(rows, writer.lines, now - started))
            last_report = now

    try:
        writer.write(list(plan.dataset_lines))
        read = convert_rows(reader, converter, writer, report=report)
        table = final_table(events.close(), writer.folder)
    except BaseException:
        writer.abort()
        raise
    mapped = Mapped(read.rows, read.rejected, [reject.error(shown) for reject in read.rejects], 0, [], [], 1, table)
    result = close_import(writer, plan, converter, tally, mapped, skip_bad_rows=skip_bad_rows, shown=shown, started=started)
    if progress:
        progress(imported(result.rows, result.lines, result.seconds))
    return result
