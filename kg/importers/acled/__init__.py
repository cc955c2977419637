"""Import ACLED event exports (CSV) into the border-kg ontology, as a stream.

The mapping is data (ontology/acled.yaml, with the controlled lists of
ontology/acled-vocabulary.ttl): mapping.py checks it and compiles it, once per file, into a
plan of column positions and prepared terms for the layout the header shows (today's, or the
v6 layout of 2016-2018); rows.py streams rows through it, each row becoming N-Triples lines;
shards.py writes them to gzip shards at once, so memory holds only the deduplication tables,
not the rows; gazetteer.py links places to the curated ones; cube.py counts events and
fatalities per country, region, event type and month, written after the last row as a W3C Data
Cube in shards of their own. Terms are written by pyoxigraph
(escaped by the RDF library); the importer only puts them side by side.

Rows with problems are reported with their line number, column and what to do. By default a
file with any bad row is not imported at all; with skip_bad_rows the good rows are, and an
import of no row at all fails.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.errors import DataError, DataErrors, SourceLocation, ToolError, relative
from kg.importers.acled.cube import CUBE_SHARD_PREFIX, CubeTally
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.rows import RowConverter
from kg.importers.acled.shards import ShardWriter
from kg.importers.acled.values import RowProblem
from kg.project import Project

__all__ = ["DEFAULT_SHARD_LINES", "ImportResult", "Progress", "RowErrors", "import_acled"]

DEFAULT_SHARD_LINES = 1_000_000
MAX_REPORTED_ERRORS = 200
BATCH_LINES = 50_000

Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class ImportResult:
    file: str
    layout: str  # the title of the layout the header was read as
    rows: int
    imported: int
    rejected: int
    lines: int  # of the events' shards
    files: tuple[Path, ...]  # the events' shards
    seconds: float
    errors: tuple[DataError, ...] = ()  # the first MAX_REPORTED_ERRORS of the rejected rows
    warnings: tuple[str, ...] = ()
    observations: int = 0  # of the cube
    cube_files: tuple[Path, ...] = ()  # the cube's shards (none without the cube)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class RowErrors(DataErrors):
    """The bad rows of an import that wrote nothing: the first ones, how many there were, and
    what to do next."""

    def __init__(self, errors: list[DataError], total: int, advice: str):
        self.total, self.advice = total, advice
        super().__init__(errors)

    def render(self) -> str:
        shown = len(self.errors)
        if self.total > shown:
            head = f"The first {shown} of {self.total} problems in the data:"
        else:
            head = f"{shown} problem{'s' if shown != 1 else ''} in the data:"
        return "\n".join([head, *(f"  {error}" for error in self.errors), self.advice])


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
    dataset_name: str | None = None,
) -> ImportResult:
    """Stream an ACLED CSV into gzip (or, with compress=False, plain) N-Triples shards (or
    N-Quads, in the data set's named graph) in the folder target, linking its places to those
    of the curated graph; with cube, also the statistics cube, in shards cube-NNNNN (N-Quads:
    in the named graph of the cube's qb:DataSet). The data set is named dataset_name (default: the
    file's name without .csv; a newer export of the same data set keeps the name). Raises DataErrors when rows are bad (unless skip_bad_rows, and then
    only when no row is good), ConfigError when ontology/acled.yaml has a mistake."""
    if format_name not in ("ntriples", "nquads"):
        raise ToolError(f"kg import writes ntriples or nquads shards, not {format_name}")
    if not csv_file.is_file():
        raise ToolError(f"there is no file {csv_file}")
    shown = relative(csv_file)
    started = time.monotonic()
    mapping = AcledMapping(project)
    gazetteer = Gazetteer(curated, mapping)
    errors: list[DataError] = []
    with csv_file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataErrors([DataError(SourceLocation(shown, 1), "the file is empty", hint="Export the events again from ACLED.")]) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataErrors([DataError(SourceLocation(shown, 1), f"the header cannot be read: {exc}",
                                        hint="Save the file as UTF-8 CSV, as ACLED exports it.")]) from None
        plan = mapping.compile(header, dataset_name or csv_file.stem, shown)
        tally = CubeTally(plan.cube, project.base_iri) if cube else None
        converter = RowConverter(mapping, plan, gazetteer, tally)
        writer = ShardWriter(target, "nq" if format_name == "nquads" else "nt", lines_per_shard,
                             plan.dataset if format_name == "nquads" else None, compress)
        rows = rejected = 0

        def reject(line: int, message: str, field: str | None = None, hint: str | None = None) -> None:
            nonlocal rejected
            rejected += 1
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append(DataError(SourceLocation(shown, line), message, field=field, hint=hint, record=f"row {rows}"))

        try:
            writer.write(list(plan.dataset_lines))
            batch: list[str] = []
            last_report = time.monotonic()
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except (UnicodeDecodeError, csv.Error) as exc:
                    rows += 1
                    reject(reader.line_num, f"the row cannot be read: {exc}", hint="Save the file as UTF-8 CSV, as ACLED exports it.")
                    if isinstance(exc, UnicodeDecodeError):
                        break  # the decoder cannot resume inside the file
                    continue
                rows += 1
                try:
                    batch.extend(converter.row(cells, reader.line_num))
                except RowProblem as problem:
                    reject(reader.line_num, problem.message, problem.column, problem.hint)
                if len(batch) >= BATCH_LINES:
                    writer.write(batch)
                    batch = []
                    now = time.monotonic()
                    if progress and now - last_report >= 0.5:
                        progress(rows, writer.lines, now - started)
                        last_report = now
            batch.extend(converter.closing_lines())
            writer.write(batch)
            if rows == 0:
                raise DataErrors([DataError(SourceLocation(shown, 1), "the file has a header but no rows",
                                            hint="Export the events again from ACLED; there is nothing to import.")])
            if rejected and not skip_bad_rows:
                raise RowErrors(errors, rejected, f"Nothing was imported from {shown}. Correct these rows, "
                                "or import the other rows with --skip-bad-rows.")
            if rejected == rows:
                raise RowErrors(errors, rejected, f"None of the {rows} rows of {shown} could be imported, so nothing was written.")
            lines = writer.lines
            if tally is not None:
                writer.begin_series(CUBE_SHARD_PREFIX, plan.cube.dataset)
                cube_lines = tally.lines()
                while part := list(itertools.islice(cube_lines, BATCH_LINES)):
                    writer.write(part)
            series = writer.commit()
        except BaseException:
            writer.abort()
            raise
    seconds = time.monotonic() - started
    if progress:
        progress(rows, writer.lines, seconds)
    return ImportResult(shown, plan.layout.title, rows, rows - rejected, rejected, lines, tuple(series["kg"]), seconds,
                        tuple(errors), tuple(converter.warnings()), len(tally) if tally is not None else 0,
                        tuple(series.get(CUBE_SHARD_PREFIX, ())))
