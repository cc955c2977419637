"""Reading an ACLED export as rows, whole or in parts.

A file is read as bytes in large blocks, each cut after its last newline and decoded as a whole
(so a bad byte is found on its own line), and the csv module parses the lines. The same reader
serves the whole file (from byte 0, header first) and a part of it (a byte range that starts
where a row starts), so both give the same rows with the same line numbers.

Where rows start: a newline ends a row when the number of quote characters before it is even.
That holds for CSV as ACLED (and RFC 4180) writes it, where a quote inside a field appears only
in a quoted field and doubled, and it stays true inside quoted fields that hold newlines, which
is why a file is split by counting quotes, not at any newline. One pass over the bytes counts
them (bytes.count, no parsing).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kg.errors import DataError, DataErrors, SourceLocation
from kg.importers.acled.rows import RowConverter
from kg.importers.acled.shards import ShardWriter
from kg.importers.acled.values import RowProblem

BLOCK_BYTES = 1 << 22
BATCH_LINES = 50_000
MAX_REPORTED_ERRORS = 200
BOM = b"\xef\xbb\xbf"
READ_HINT = "Save the file as UTF-8 CSV, as ACLED exports it."


def text_lines(path: Path, start: int = 0, end: int | None = None) -> Iterator[str]:
    """The lines of the bytes start..end of the file (to its end by default) as text, line
    endings kept, as a file opened with newline="" gives them; a byte order mark at the start
    of the file is dropped. A line that is not UTF-8 raises UnicodeDecodeError when it is
    reached, after the lines before it."""
    with path.open("rb") as handle:
        handle.seek(start)
        left = (path.stat().st_size if end is None else end) - start
        carry = b""
        while left > 0 or carry:
            block = handle.read(min(BLOCK_BYTES, left)) if left > 0 else b""
            left = left - len(block) if block else 0
            data = carry + block
            cut = data.rfind(b"\n") + 1 if left > 0 else len(data)
            if cut == 0:  # no newline yet: read on
                carry = data
                continue
            data, carry = data[:cut], data[cut:]
            if start == 0 and data.startswith(BOM):
                data = data[len(BOM):]
            start = -1  # the byte order mark can only be the file's first bytes
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Again line by line, to stop at the line that is not UTF-8 (raising its error).
                for line in data.splitlines(keepends=True):
                    yield from io.StringIO(line.decode("utf-8"), newline="")
            else:
                yield from io.StringIO(text, newline="")


@dataclass(frozen=True)
class RowStart:
    offset: int  # the byte where a row starts
    line: int  # its line number in the file


def row_starts(path: Path, targets: list[int]) -> list[RowStart]:
    """For each byte offset of targets (in increasing order), the first row that starts after
    a newline at or after it; offsets past the last row are left out (see the module's note on
    quotes)."""
    found: list[RowStart] = []
    size = path.stat().st_size
    waiting = iter(targets)
    target = next(waiting, None)
    quotes = newlines = offset = 0
    with path.open("rb") as handle:
        while target is not None and (block := handle.read(BLOCK_BYTES)):
            counted = 0  # the bytes of block before counted are counted
            while target is not None:
                newline = block.find(b"\n", max(counted, target - offset))
                if newline < 0:
                    break
                quotes += block.count(b'"', counted, newline)
                newlines += block.count(b"\n", counted, newline) + 1
                counted = newline + 1
                if quotes % 2 == 0 and offset + counted < size:
                    found.append(RowStart(offset + counted, newlines + 1))
                    while target is not None and target < offset + counted:
                        target = next(waiting, None)
            quotes += block.count(b'"', counted)
            newlines += block.count(b"\n", counted)
            offset += len(block)
    return found


class CsvReader(Protocol):
    """What the loop needs of a csv.reader."""

    @property
    def line_num(self) -> int: ...

    def __next__(self) -> list[str]: ...


def read_header(reader: CsvReader, shown: str) -> list[str]:
    try:
        return next(reader)
    except StopIteration:
        raise DataErrors([DataError(SourceLocation(shown, 1), "the file is empty", hint="Export the events again from ACLED.")]) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataErrors([DataError(SourceLocation(shown, 1), f"the header cannot be read: {exc}", hint=READ_HINT)]) from None


@dataclass(frozen=True)
class RowReject:
    """A bad row: its line in the file, its number among the rows read, and the problem."""

    line: int
    row: int
    message: str
    field: str | None = None
    hint: str | None = None

    def error(self, shown: str, rows_before: int = 0) -> DataError:
        """As a DataError of the file shown, after rows_before rows of earlier parts."""
        return DataError(SourceLocation(shown, self.line), self.message, field=self.field, hint=self.hint,
                         record=f"row {rows_before + self.row}")


@dataclass(frozen=True)
class RowsRead:
    rows: int
    rejected: int
    rejects: tuple[RowReject, ...]  # the first MAX_REPORTED_ERRORS
    unreadable: bool  # a line that is not UTF-8 ended the reading


def convert_rows(reader: CsvReader, converter: RowConverter, writer: ShardWriter, lines_before: int = 0,
                 report: Callable[[int], None] | None = None) -> RowsRead:
    """Map the rows of a csv reader (whose first line is line lines_before + 1 of the file) and
    write their lines, the bad ones reported; report (if given) is called with the rows read so
    far after each batch of lines written."""
    rows = rejected = 0
    rejects: list[RowReject] = []

    def reject(line: int, message: str, field: str | None = None, hint: str | None = None) -> None:
        nonlocal rejected
        rejected += 1
        if len(rejects) < MAX_REPORTED_ERRORS:
            rejects.append(RowReject(line, rows, message, field, hint))

    batch: list[str] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError as exc:
            rows += 1
            # the line that cannot be decoded is the one after the last line read
            reject(lines_before + reader.line_num + 1, f"the row cannot be read: {exc}", hint=READ_HINT)
            writer.write(batch)
            return RowsRead(rows, rejected, tuple(rejects), True)  # the decoder cannot resume inside the file
        except csv.Error as exc:
            rows += 1
            reject(lines_before + reader.line_num, f"the row cannot be read: {exc}", hint=READ_HINT)
            continue
        rows += 1
        try:
            batch.extend(converter.row(cells, lines_before + reader.line_num))
        except RowProblem as problem:
            reject(lines_before + reader.line_num, problem.message, problem.column, problem.hint)
        if len(batch) >= BATCH_LINES:
            writer.write(batch)
            batch = []
            if report:
                report(rows)
    writer.write(batch)
    return RowsRead(rows, rejected, tuple(rejects), False)
