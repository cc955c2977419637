"""Importing a newer export of a living data set: the full shards as always, plus the manifest
and, when there is a previous import, the change from it as an RDF Patch (change.rdfp) and in
words.

The previous import is the folder given (kg import --previous DIR) or, by default, the output
folder when it holds a manifest already. The new import keeps the previous one's data set (its
name, and so its IRI and graph), whatever the newer file is called. Everything is written into
a folder beside the output folder, which replaces it only when shards, manifest and patch are
all complete; the previous import is read before that, so it may be the output folder itself.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg import __version__
from kg.diff import ChangeSummary, diff_statements, summarize, write_patch, written_lines
from kg.errors import DataError, DataErrors, SourceLocation, ToolError, relative
from kg.importers.acled import ImportResult, import_acled
from kg.importers.acled.manifest import (
    CHANGE_FILE,
    MANIFEST_FILE,
    ChangeEntry,
    EventEntry,
    Manifest,
    file_sha256,
    iter_events,
    iter_manifest_shards,
    read_deleted,
    read_events,
    read_manifest,
)
from kg.importers.acled.mapping import AcledMapping
from kg.project import Project
from kg.stores.store import rdf_files, replace_folder


@dataclass(frozen=True)
class LivingImport:
    result: ImportResult
    manifest: Manifest
    previous: Path | None  # the import compared with
    change: ChangeSummary | None
    patch: Path | None
    renamed_from: str | None = None  # the data set's name, when the file is named otherwise


def field_names(mapping: AcledMapping) -> dict[str, str]:
    """Predicate (N-Triples IRI) -> the ACLED column it comes from, for the analyst's summary."""
    return {column.predicate: column.name for column in mapping.columns.values()}


def _check_deleted(mapping: AcledMapping, deleted_file: Path, events: Iterable[EventEntry], csv_file: Path) -> set[str]:
    """The ids of ACLED's deleted-events list; DataErrors when the newer export still holds an
    event the list says was deleted after the row's last change."""
    listed = read_deleted(mapping, deleted_file)
    by_id = {event.event_id: event for event in events if event.event_id in listed}
    errors = []
    for event_id, entry in sorted(listed.items()):
        event = by_id.get(event_id)
        if event is not None and (event.timestamp is None or event.timestamp <= entry.deleted):
            errors.append(DataError(
                SourceLocation(relative(deleted_file), entry.line),
                f"the event {event_id} is listed as deleted (at {entry.deleted}), but {relative(csv_file)} still holds it "
                f"(timestamp {event.timestamp if event.timestamp is not None else 'empty'})",
                field=mapping.deleted_id_column,
                hint="Export the events again from ACLED (the export is older than the list), or use the list that came with "
                     "this export."))
    if errors:
        raise DataErrors(errors)
    return set(listed)


def import_living(
    project: Project,
    csv_file: Path,
    target: Path,
    curated: Graph,
    *,
    previous: Path | None = None,
    deleted: Path | None = None,
    **options: Any,
) -> LivingImport:
    """Import csv_file into target (as import_acled, with its options), write the manifest and,
    with a previous import, the patch from it (change.rdfp) and the change in words."""
    if previous is None and (target / MANIFEST_FILE).is_file():
        previous = target
    old_manifest = read_manifest(previous) if previous is not None else None
    if deleted is not None and old_manifest is None:
        raise ToolError("--deleted lists events to take out of a previous import; give it with --previous DIR")
    mapping = AcledMapping(project)
    name = old_manifest.dataset_name if old_manifest else csv_file.stem
    fmt = options.get("format_name", "ntriples")
    if old_manifest is not None and old_manifest.statement_format != fmt:
        raise ToolError(f"{relative(previous or target)} holds {old_manifest.statement_format} shards; import the newer export "
                        f"with --format {old_manifest.statement_format} too, so that the two can be compared")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.living.", dir=target.parent))
    try:
        staged = work / target.name
        with ThreadPoolExecutor(max_workers=1) as hashing:  # hashlib lets go of the GIL: beside the import
            source_sha256 = hashing.submit(file_sha256, csv_file)
            result = import_acled(project, csv_file, staged, curated, dataset_name=name, **options)
        listed = _check_deleted(mapping, deleted, iter_events(staged), csv_file) if deleted is not None else set()
        manifest = Manifest(
            dataset_iri=mapping.dataset_iri(name), dataset_name=name, source_file=csv_file.name,
            source_sha256=source_sha256.result(), rows=result.rows, imported=result.imported, layout=result.layout,
            statement_format=fmt, shards=result.shards, events=result.events.count, events_sha256=result.events.sha256,
            tool_version=__version__)
        summary = patch = None
        if old_manifest is not None and previous is not None:
            old_files = list(iter_manifest_shards(previous, old_manifest))
            difference = diff_statements(old_files, [*result.files, *result.cube_files], work / "diff", written_lines)
            summary = summarize(difference, read_events(previous), read_events(staged), field_names(mapping), listed)
            prev = old_manifest.change.id if old_manifest.change else None
            patch = staged / CHANGE_FILE
            identity = write_patch(difference, patch, prev)
            manifest = dataclasses.replace(manifest, change=ChangeEntry(
                CHANGE_FILE, identity, prev, old_manifest.source_file, old_manifest.source_sha256))
        (staged / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
        replace_folder(staged, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    moved = dataclasses.replace(result, files=tuple(target / f.name for f in result.files),
                                cube_files=tuple(target / f.name for f in result.cube_files))
    return LivingImport(moved, manifest, previous, summary, target / CHANGE_FILE if patch else None,
                        name if name != csv_file.stem else None)


@dataclass(frozen=True)
class Comparison:
    summary: ChangeSummary
    patch_id: str | None  # when a patch was written


def compare(project: Project, old: Path, new: Path, patch: Path | None = None) -> Comparison:
    """The change from old to new (two import folders, or two builds, shard folders or RDF
    files), in words and, with patch, as an RDF Patch file. Two imports are compared event by
    event; anything else node by node."""
    imports = (old / MANIFEST_FILE).is_file() and (new / MANIFEST_FILE).is_file()
    with tempfile.TemporaryDirectory(prefix=".kg-diff.") as work:
        if imports:
            old_manifest, new_manifest = read_manifest(old), read_manifest(new)
            if old_manifest.dataset_iri != new_manifest.dataset_iri:
                raise ToolError(f"{relative(old)} and {relative(new)} are imports of two data sets ({old_manifest.dataset_iri} "
                                f"and {new_manifest.dataset_iri}): compare imports of the same data set, made with "
                                "kg import acled NEWER.csv --previous OLDER_DIR")
            if old_manifest.statement_format != new_manifest.statement_format:
                raise ToolError(f"{relative(old)} holds {old_manifest.statement_format} shards and {relative(new)} "
                                f"{new_manifest.statement_format}: every statement would differ. Import both with the same --format")
            difference = diff_statements(list(iter_manifest_shards(old, old_manifest)),
                                         list(iter_manifest_shards(new, new_manifest)), Path(work), written_lines)
            summary = summarize(difference, read_events(old), read_events(new), field_names(AcledMapping(project)))
            prev = old_manifest.change.id if old_manifest.change else None
        else:
            difference = diff_statements(rdf_files([old]), rdf_files([new]), Path(work))
            summary, prev = summarize(difference), None
        identity = write_patch(difference, patch, prev) if patch is not None else None
    return Comparison(summary, identity)
