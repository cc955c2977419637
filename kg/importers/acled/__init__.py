"""Import ACLED event exports (CSV) into the border-kg ontology, as a stream.

The mapping is data (ontology/acled.yaml, with the controlled lists of
ontology/acled-vocabulary.ttl); this module compiles it, once per file, into a plan of column
positions and prepared terms, then streams rows through it: each row becomes N-Triples lines
written at once to gzip shards, so memory holds only the deduplication tables (actors, places,
event ids), not the rows. Terms are written by pyoxigraph (escaped by the RDF library); the
importer only puts them side by side.

Rows with problems are reported with their line number, column and what to do. By default a
file with any bad row is not imported at all; with skip_bad_rows the good rows are.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import DataError, DataErrors, SourceLocation, ToolError, relative
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.rows import Importer
from kg.importers.acled.values import RowProblem
from kg.importers.acled.shards import ShardWriter
from kg.project import Project

__all__ = ["DEFAULT_SHARD_LINES", "ImportResult", "Progress", "import_acled"]

DEFAULT_SHARD_LINES = 1_000_000
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class ImportResult:
    file: str
    rows: int
    imported: int
    rejected: int
    lines: int
    files: tuple[Path, ...]
    seconds: float
    errors: tuple[DataError, ...] = field(default=())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, float], None]


def import_acled(
    project: Project,
    csv_file: Path,
    target: Path,
    *,
    format_name: str = "ntriples",
    skip_bad_rows: bool = False,
    lines_per_shard: int = DEFAULT_SHARD_LINES,
    compress: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Stream an ACLED CSV into gzip (or, with compress=False, plain) N-Triples shards (or
    N-Quads, in the data set's named graph) in the folder target. Raises DataErrors when rows are bad (unless skip_bad_rows)."""
    if format_name not in ("ntriples", "nquads"):
        raise ToolError(f"kg import writes ntriples or nquads shards, not {format_name}")
    if not csv_file.is_file():
        raise ToolError(f"there is no file {csv_file}")
    shown = relative(csv_file)
    started = time.monotonic()
    mapping = AcledMapping(project)
    gazetteer = Gazetteer(project)
    errors: list[DataError] = []
    with csv_file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataErrors([DataError(SourceLocation(shown, 1), "the file is empty", hint="Export the events again from ACLED.")]) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataErrors([DataError(SourceLocation(shown, 1), f"the header cannot be read: {exc}")]) from None
        plan = mapping.compile(header, csv_file.stem, shown)
        importer = Importer(mapping, plan, gazetteer, shown)
        writer = ShardWriter(target, "nq" if format_name == "nquads" else "nt", lines_per_shard,
                             plan.dataset if format_name == "nquads" else None, compress)
        rows = rejected = 0
        try:
            writer.write(plan.dataset_triples)
            batch: list[str] = []
            last_report = time.monotonic()
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except (UnicodeDecodeError, csv.Error) as exc:
                    rows += 1
                    rejected += 1
                    errors.append(DataError(SourceLocation(shown, reader.line_num), f"the row cannot be read: {exc}"))
                    if isinstance(exc, UnicodeDecodeError):
                        break  # the decoder cannot resume inside the file
                    continue
                rows += 1
                try:
                    batch.extend(importer.row(cells, reader.line_num))
                except RowProblem as problem:
                    rejected += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(DataError(SourceLocation(shown, reader.line_num), problem.message,
                                                field=problem.column, hint=problem.hint, record=f"row {rows}"))
                if len(batch) >= 50_000:
                    writer.write(batch)
                    batch = []
                    now = time.monotonic()
                    if progress and now - last_report >= 0.5:
                        progress(rows, writer.lines, now - started)
                        last_report = now
            if batch:
                writer.write(batch)
            if errors and not skip_bad_rows:
                raise DataErrors(errors)
            files = writer.commit()
        except BaseException:
            writer.abort()
            raise
    seconds = time.monotonic() - started
    if progress:
        progress(rows, writer.lines, seconds)
    return ImportResult(shown, rows, rows - rejected, rejected, writer.lines, tuple(files), seconds, tuple(errors))
