"""The import's table of events (events.tsv.gz; manifest.py says what it holds), written by the
row loop as it maps the rows, in bounded memory.

Each process that maps rows (the one process of an import, or the task of each part) keeps the
table's lines of its rows and writes them, sorted by IRI, into a run file of its own each
RUN_EVENTS events. At the end the runs are merged by IRI into events.tsv.gz, one line held per
run. The merge also finds an event that two parts both imported (a repeated event id in two parts
of a file mapped in parts): the rows of one process never repeat an IRI (the row loop refuses a
repeated one), so within a run every IRI is new.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import heapq
import io
from dataclasses import dataclass
from pathlib import Path

from isal import igzip

from kg.importers.acled.shards import HashedFile

EVENTS_FILE = "events.tsv.gz"
RUN_EVENTS = 250_000  # events per run: about 40 MB of memory before a run is written
DIGEST_LENGTH = 16  # hex digits of a row's digest: 64 bits tell changed rows apart
TABLE_LEVEL = 2  # ISA-L's gzip level for the merged table (0-3)


def table_line(*fields: str) -> str:
    """A line of the table as the csv module writes it (tab-separated, quoted where needed)."""
    text = io.StringIO()
    csv.writer(text, delimiter="\t", lineterminator="\n").writerow(fields)
    return text.getvalue()


def row_digest(cells: list[str]) -> str:
    """A digest of a row's cells, as read from the file: tells a changed row from the same row."""
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


@dataclass(frozen=True)
class Repeat:
    """An event imported by two parts of a file: the IRI, the line of the first row, and the
    line of a later row with the same event."""

    iri: str
    first_line: int
    line: int


@dataclass(frozen=True)
class EventTable:
    """events.tsv.gz as merged: how many events, its SHA-256, and the events two parts imported
    (the table is not final while there are any)."""

    count: int
    sha256: str
    repeats: tuple[Repeat, ...] = ()


class EventRuns:
    """The table's lines of the rows mapped by one process, in sorted runs prefix-NNNNN.tsv in
    folder: IRI, event id, timestamp, digest, line."""

    def __init__(self, folder: Path, prefix: str, run_events: int = RUN_EVENTS):
        self.folder = folder
        self.prefix = prefix
        self.run_events = run_events
        self.pending: list[str] = []  # the runs' lines
        self.runs: list[Path] = []

    def add(self, iri: str, event_id: str, timestamp: str, digest: str, line: int) -> None:
        if "\t" in event_id or '"' in event_id:  # quoted as csv quotes it; an IRI is never quoted, the other fields are digits
            self.pending.append(table_line(iri, event_id, timestamp, digest, str(line)))
        else:
            self.pending.append(f"{iri}\t{event_id}\t{timestamp}\t{digest}\t{line}\n")
        if len(self.pending) >= self.run_events:
            self._write_run()

    def _write_run(self) -> None:
        if not self.pending:
            return
        self.pending.sort()  # by IRI: it comes first and ends with '>', which no IRI holds elsewhere
        path = self.folder / f"{self.prefix}-{len(self.runs) + 1:05d}.tsv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(self.pending)
        self.runs.append(path)
        self.pending = []

    def close(self) -> list[Path]:
        """The runs, every line written."""
        self._write_run()
        return self.runs


def final_table(runs: list[Path], folder: Path) -> EventTable:
    """Merge the runs into the table, then remove them."""
    table = merge_runs(runs, folder)
    remove_runs(runs)
    return table


def remove_runs(runs: list[Path]) -> None:
    """The runs, once the table merged from them is final."""
    for run in runs:
        run.unlink()


def merge_runs(runs: list[Path], folder: Path) -> EventTable:
    """Merge the runs into folder/events.tsv.gz (sorted by IRI, deterministic bytes: the same
    events give the same file however they were split into runs), keeping of each event the
    first row's line. The runs stay (the caller removes them once the table is final).

    Lines are merged as text: the IRI (never quoted: an IRI holds no tab or quote) comes first
    and the line number (digits) last, so a run's order is its lines' order and each field
    needed is found without parsing the line."""
    count = 0
    repeats: list[Repeat] = []
    batch: list[str] = []
    group: list[str] = []  # the runs' lines of one IRI: more than one for an event two parts imported
    iri = ""

    def first_of(group: list[str]) -> str:
        """The table's line of the group's first row (the repeats noted)."""
        first = group[0]
        if len(group) > 1:
            numbered = sorted((int(text[text.rindex("\t") + 1 :]), text) for text in group)
            repeats.extend(Repeat(iri, numbered[0][0], later) for later, _ in numbered[1:])
            first = numbered[0][1]
        return first[: first.rindex("\t")] + "\n"

    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(run.open(encoding="utf-8", newline="")) for run in runs]
        raw = stack.enter_context(HashedFile(folder / EVENTS_FILE))
        compressed = stack.enter_context(igzip.GzipFile(fileobj=raw, mode="wb", compresslevel=TABLE_LEVEL, mtime=0))
        for text in heapq.merge(*handles):
            line_iri = text[: text.index("\t")]
            if line_iri == iri:
                group.append(text)
                continue
            if group:
                batch.append(first_of(group))
                if len(batch) >= 10_000:
                    compressed.write("".join(batch).encode("utf-8"))
                    count += len(batch)
                    batch = []
            iri, group = line_iri, [text]
        if group:
            batch.append(first_of(group))
        compressed.write("".join(batch).encode("utf-8"))
        count += len(batch)
    return EventTable(count, raw.digest.hexdigest(), tuple(repeats))
