"""The manifest of an import: what a folder of shards holds, so that a newer export of the same
data set can be compared with it (kg import --previous, kg diff).

An import folder holds, beside its shards:
- manifest.json: the data set (IRI and name), the source file (name, SHA-256, rows), the layout,
  the statement format, each shard (name, statements, SHA-256), the tool's version, the events'
  table (name, count, SHA-256) and, when the import was compared with a previous one, the change
  (the RDF Patch file, its id and the id before it). Sorted keys, no time of day: the same
  import writes the same bytes.
- events.tsv.gz: one line per imported event, sorted by IRI: the event's IRI, its ACLED id
  (event_id_cnty, or data_id for a row without one), its ACLED timestamp (the Unix time of the
  row's last change; empty where the row has none) and a digest of the row's cells, so that a
  row changed without a new timestamp is told apart from one that did not change.

The importer writes the events' table as it maps the rows (eventtable.py) and takes each
shard's count and SHA-256 as it writes it (shards.py); nothing is read again for the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from isal import igzip

from kg.errors import DataError, DataErrors, SourceLocation, ToolError, relative
from kg.importers.acled.eventtable import EVENTS_FILE
from kg.importers.acled.mapping import AcledMapping
from kg.importers.acled.shards import ShardEntry

MANIFEST_FILE = "manifest.json"
CHANGE_FILE = "change.rdfp"
MANIFEST_FORMAT = "border-kg import manifest 1"


@dataclass(frozen=True, slots=True)
class EventEntry:
    """One imported event as the manifest remembers it."""

    iri: str  # the N-Triples term
    event_id: str
    timestamp: int | None
    digest: str


@dataclass(frozen=True)
class ChangeEntry:
    """The RDF Patch an import wrote, from the previous import to this one."""

    file: str
    id: str
    prev: str | None
    previous_source: str  # the previous import's source file name
    previous_sha256: str  # and its SHA-256


@dataclass(frozen=True)
class Manifest:
    dataset_iri: str  # the N-Triples term
    dataset_name: str
    source_file: str
    source_sha256: str
    rows: int
    imported: int
    layout: str
    statement_format: str  # ntriples or nquads
    shards: tuple[ShardEntry, ...]
    events: int
    events_sha256: str
    tool_version: str
    change: ChangeEntry | None = None

    def to_json(self) -> str:
        document = {
            "format": MANIFEST_FORMAT,
            "tool": {"name": "border-kg", "version": self.tool_version},
            "dataset": {"iri": self.dataset_iri[1:-1], "name": self.dataset_name},
            "source": {"file": self.source_file, "sha256": self.source_sha256, "rows": self.rows, "imported": self.imported,
                       "layout": self.layout},
            "statements": {"format": self.statement_format,
                           "shards": [{"file": s.file, "statements": s.statements, "sha256": s.sha256} for s in self.shards]},
            "events": {"file": EVENTS_FILE, "count": self.events, "sha256": self.events_sha256},
            "change": None if self.change is None else {
                "file": self.change.file, "id": self.change.id, "prev": self.change.prev,
                "previous": {"file": self.change.previous_source, "sha256": self.change.previous_sha256}},
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an import folder; a ToolError that says what to do when there is none or
    it cannot be read."""
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise ToolError(f"{relative(folder)} has no {MANIFEST_FILE}: it is not an import folder, or was imported before "
                        "imports wrote manifests. Import that export again with kg import acled")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != MANIFEST_FORMAT:
            raise ToolError(f"{relative(path)} is not a manifest this version reads (format {document.get('format')!r}, "
                            f"not {MANIFEST_FORMAT!r}); import that export again")
        change = document["change"]
        return Manifest(
            dataset_iri=f"<{document['dataset']['iri']}>",
            dataset_name=document["dataset"]["name"],
            source_file=document["source"]["file"],
            source_sha256=document["source"]["sha256"],
            rows=document["source"]["rows"],
            imported=document["source"]["imported"],
            layout=document["source"]["layout"],
            statement_format=document["statements"]["format"],
            shards=tuple(ShardEntry(s["file"], s["statements"], s["sha256"]) for s in document["statements"]["shards"]),
            events=document["events"]["count"],
            events_sha256=document["events"]["sha256"],
            tool_version=document["tool"]["version"],
            change=None if change is None else ChangeEntry(change["file"], change["id"], change["prev"],
                                                           change["previous"]["file"], change["previous"]["sha256"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ToolError(f"{relative(path)} cannot be read ({type(exc).__name__}: {exc}); import that export again") from None


def statement_counts(files: Iterable[Path]) -> dict[Path, int]:
    """The statements of each shard among files, by the manifests of the import folders they
    are in (a file outside an import folder has none)."""
    counts: dict[Path, int] = {}
    for folder in sorted({file.parent for file in files}):
        if (folder / MANIFEST_FILE).is_file():
            counts.update({folder / shard.file: shard.statements for shard in read_manifest(folder).shards})
    return counts


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def iter_events(folder: Path) -> Iterator[EventEntry]:
    """The events of an import folder's events.tsv.gz, one at a time, in IRI order."""
    path = folder / EVENTS_FILE
    if not path.is_file():
        raise ToolError(f"{relative(folder)} has no {EVENTS_FILE}; import that export again")
    with igzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
            if len(row) != 4:
                raise ToolError(f"{relative(path)}:{number}: a line holds 4 fields (IRI, id, timestamp, digest), not {len(row)}; "
                                "import that export again")
            yield EventEntry(row[0], row[1], int(row[2]) if row[2] else None, row[3])


def read_events(folder: Path) -> dict[str, EventEntry]:
    """The events of an import folder's events.tsv.gz, by IRI."""
    return {event.iri: event for event in iter_events(folder)}


@dataclass(frozen=True)
class DeletedEvent:
    event_id: str
    deleted: int  # Unix time
    line: int


def read_deleted(mapping: AcledMapping, path: Path) -> dict[str, DeletedEvent]:
    """ACLED's deleted-events list (columns event_id_cnty and deleted_timestamp, by the
    mapping), by event id; DataErrors naming the file, line and column for what is wrong."""
    shown = relative(path)
    if not path.is_file():
        raise ToolError(f"there is no file {path}")
    id_column, stamp_column = mapping.deleted_id_column, mapping.deleted_timestamp_column
    found: dict[str, DeletedEvent] = {}
    errors: list[DataError] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [column for column in (id_column, stamp_column) if column not in header]
        if missing:
            raise DataErrors([DataError(SourceLocation(shown, 1), f"the header lacks the column{'s' if len(missing) > 1 else ''} "
                                        f"{' and '.join(missing)}",
                                        hint=f"A deleted-events list from ACLED has the columns {id_column} and {stamp_column}.")])
        id_index, stamp_index = header.index(id_column), header.index(stamp_column)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(DataError(SourceLocation(shown, line), f"the row has {len(cells)} cells, the header {len(header)}",
                                        hint="Check for unquoted commas or a cut line."))
                continue
            event_id, stamp = cells[id_index].strip(), cells[stamp_index].strip()
            if not event_id:
                errors.append(DataError(SourceLocation(shown, line), "the event id is empty", field=id_column,
                                        hint="Fill in the id of the deleted event, or remove the row."))
            elif not stamp.isdecimal():
                errors.append(DataError(SourceLocation(shown, line), f"'{stamp}' is not a Unix time in seconds", field=stamp_column,
                                        hint="Write the seconds since 1970, as ACLED's deleted_timestamp column does."))
            else:
                found[event_id] = DeletedEvent(event_id, int(stamp), line)
    if errors:
        raise DataErrors(errors)
    return found


def iter_manifest_shards(folder: Path, manifest: Manifest) -> Iterator[Path]:
    """The shards the manifest lists, checked to be there."""
    for shard in manifest.shards:
        path = folder / shard.file
        if not path.is_file():
            raise ToolError(f"{relative(folder)} lacks the shard {shard.file} its manifest lists; import that export again")
        yield path
