"""The end of an import, whole or in parts: the verdict on the bad rows, the closing lines and
the cube written, the shards moved into place, and what the import tells its caller."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataError, DataErrors, SourceLocation
from kg.importers.acled.cube import CUBE_SHARD_PREFIX, CubeTally
from kg.importers.acled.eventtable import EventTable
from kg.importers.acled.mapping import Plan
from kg.importers.acled.reading import BATCH_LINES
from kg.importers.acled.rows import RowConverter
from kg.importers.acled.shards import ShardEntry, ShardWriter
from kg.progress import Step


def imported(rows: int, statements: int, seconds: float) -> Step:
    """The importer's step: rows read so far, statements written, and the rate."""
    rate = rows / seconds if seconds else 0
    return Step("imported", rows, None, "rows", f"{statements:,} statements, {rate:,.0f} rows/s")


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
    parts: int = 1  # the parts the file was mapped in (kg.importers.acled.parallel)
    shards: tuple[ShardEntry, ...] = ()  # of files and cube_files, in that order
    events: EventTable = EventTable(0, "")  # the events' table (events.tsv.gz) in the folder

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


@dataclass(frozen=True)
class Mapped:
    """All the rows of a file, mapped (in one part or several) and written, but not yet judged."""

    rows: int
    rejected: int
    errors: list[DataError]  # the first MAX_REPORTED_ERRORS
    lines: int  # written into the events' shards, by the parts
    files: list[Path]  # the parts' shards, in the writer's temporary folder (none when the writer wrote the rows)
    shards: list[ShardEntry]  # of files
    parts: int
    events: EventTable  # merged into the writer's temporary folder


def close_import(writer: ShardWriter, plan: Plan, converter: RowConverter, tally: CubeTally | None, mapped: Mapped,
                 *, skip_bad_rows: bool, shown: str, started: float) -> ImportResult:
    """Judge the rows, write the closing lines (from the converter's state, that of all rows)
    and the cube into the writer, and move the shards into place; on any failure the writer's
    folder goes and nothing is written."""
    try:
        writer.write(converter.closing_lines())
        if mapped.rows == 0:
            raise DataErrors([DataError(SourceLocation(shown, 1), "the file has a header but no rows",
                                        hint="Export the events again from ACLED; there is nothing to import.")])
        if mapped.rejected and not skip_bad_rows:
            raise RowErrors(mapped.errors, mapped.rejected, f"Nothing was imported from {shown}. Correct these rows, "
                            "or import the other rows with --skip-bad-rows.")
        if mapped.rejected == mapped.rows:
            raise RowErrors(mapped.errors, mapped.rejected,
                            f"None of the {mapped.rows} rows of {shown} could be imported, so nothing was written.")
        lines = writer.lines + mapped.lines
        if tally is not None:
            writer.begin_series(CUBE_SHARD_PREFIX, plan.cube.dataset)
            cube_lines = tally.lines()
            while part := list(itertools.islice(cube_lines, BATCH_LINES)):
                writer.write(part)
        series = writer.commit({"rows": mapped.files} if mapped.files else None)
    except BaseException:
        writer.abort()
        raise
    files = (*series["kg"], *series.get("rows", ()))
    cube_files = tuple(series.get(CUBE_SHARD_PREFIX, ()))
    shards = (*writer.entries(series["kg"]), *mapped.shards, *writer.entries(list(cube_files)))
    return ImportResult(shown, plan.layout.title, mapped.rows, mapped.rows - mapped.rejected, mapped.rejected, lines, files,
                        time.monotonic() - started, tuple(mapped.errors), tuple(converter.warnings()), len(tally) if tally is not None else 0,
                        cube_files, mapped.parts, shards, mapped.events)
