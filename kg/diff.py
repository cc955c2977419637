"""The difference between two versions of a graph (two imports of a living data set, or two
builds), as sets of statements, as an RDF Patch, and in an analyst's words.

The difference is a set difference of the two sides' statements, each written as one canonical
N-Triples (or N-Quads) line by pyoxigraph, so the same statement is the same line whatever file
it came from. Memory stays bounded for millions of statements: each side's lines are first
partitioned by a hash of their subject into bucket files, and the buckets are compared one by
one, and the sorted runs of each are merged. Rows come out sorted, so a subject's rows stay
together and the same inputs give the same patch, byte for byte.

Blank nodes cannot be compared this way (a blank node's label means nothing outside its file),
so a graph with one is refused; the imports and the build mint IRIs for every node.

The RDF Patch is Jena's text format (https://jena.apache.org/documentation/rdf-patch/): a header
`H id <uuid:...>` (derived from the patch's content, so the same change has the same id) and
`H prev` (the id of the change before it, when known), one transaction `TX .` ... `TC .`, the
`D` rows (statements to delete) and then the `A` rows (statements to add), each a statement in
N-Triples or N-Quads syntax followed by ` .`.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ToolError, relative
from kg.importers.acled.manifest import EventEntry
from kg.stores.store import opened, rdf_format

BUCKET_BYTES = 48 << 20  # statement text per bucket and side, held in memory while comparing
GZIP_RATIO = 10  # how much larger N-Triples are than their gzip, to guess a side's size
SHOWN = 3  # examples per line of the summary

Reader = Callable[[Path], Iterator[tuple[str, str]]]  # a file's (subject, canonical statement) pairs


@dataclass(frozen=True)
class StatementDiff:
    """The statements only the old side has (deleted) and those only the new side has (added),
    each a file of canonical lines without the closing ' .'."""

    deleted: Path
    added: Path
    deletions: int
    additions: int

    @property
    def empty(self) -> bool:
        return self.deletions == 0 and self.additions == 0


def canonical_lines(file: Path) -> Iterator[tuple[str, str]]:
    """(subject, statement) of each statement of an RDF file (gzip or plain, format from the
    name), the statement as one canonical line; a ToolError for blank nodes and syntax errors."""
    format = rdf_format(file)
    with opened(file) as handle:
        try:
            for quad in ox.parse(handle, format=format):
                if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode) or isinstance(
                        quad.graph_name, ox.BlankNode):
                    raise ToolError(f"{relative(file)} holds a blank node, in the statement {quad}: statements with "
                                    "blank nodes cannot be compared between two files. Give the node an IRI")
                yield str(quad.subject), str(quad)
        except SyntaxError as exc:
            raise ToolError(f"cannot parse {relative(file)}: {exc}") from None


def written_lines(file: Path) -> Iterator[tuple[str, str]]:
    """(subject, statement) of each line of a shard kg import wrote: its lines are canonical
    already (pyoxigraph wrote every term, one statement per line, no blank nodes), so they are
    taken as they are, several times faster than parsing them again."""
    with opened(file) as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b" .\n"):
                raise ToolError(f"{relative(file)}:{number}: a line of a shard ends with ' .'; the shard is damaged: import "
                                "that export again")
            line = raw[:-3].decode("utf-8")
            yield line[: line.index(" ")], line


def bucket_count(old: list[Path], new: list[Path]) -> int:
    guess = max(sum(f.stat().st_size * (GZIP_RATIO if f.name.endswith(".gz") else 1) for f in side) for side in (old, new))
    return max(1, -(-guess // BUCKET_BYTES))


def _partition(files: list[Path], buckets: int, folder: Path, read: Reader) -> list[Path]:
    paths = [folder / f"{number:05d}" for number in range(buckets)]
    handles = [path.open("w", encoding="utf-8", newline="\n") for path in paths]
    try:
        for file in files:
            for subject, line in read(file):
                handles[zlib.crc32(subject.encode("utf-8")) % buckets].write(line + "\n")
    finally:
        for handle in handles:
            handle.close()
    return paths


def _lines(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="\n") as handle:
        return set(handle.read().splitlines())


def diff_statements(old: list[Path], new: list[Path], work: Path, read: Reader = canonical_lines) -> StatementDiff:
    """Compare the statements of two lists of RDF files (read by read: canonical_lines for any
    RDF file, written_lines for the shards of kg import), using the folder work for the buckets
    and the result (deleted.txt, added.txt)."""
    buckets = bucket_count(old, new)
    parts = []
    for name, files in (("old", old), ("new", new)):
        folder = work / name
        folder.mkdir(parents=True)
        parts.append(_partition(files, buckets, folder, read))
    runs: tuple[list[Path], list[Path]] = ([], [])  # per bucket, the sorted lines only old has, and only new has
    for number, (old_bucket, new_bucket) in enumerate(zip(*parts)):
        before, after = _lines(old_bucket), _lines(new_bucket)
        old_bucket.unlink()
        new_bucket.unlink()
        for kind, side, lines in (("deleted", runs[0], before - after), ("added", runs[1], after - before)):
            run = work / f"{kind}-{number:05d}"
            run.write_text("".join(f"{line}\n" for line in sorted(lines)), encoding="utf-8", newline="\n")
            side.append(run)
    deleted, added = work / "deleted.txt", work / "added.txt"
    return StatementDiff(deleted, added, _merge(runs[0], deleted), _merge(runs[1], added))


def _merge(runs: list[Path], target: Path) -> int:
    """Merge sorted files into one sorted file, whatever the number of buckets: the lines."""
    handles = [run.open(encoding="utf-8", newline="\n") for run in runs]
    count = 0
    try:
        with target.open("w", encoding="utf-8", newline="\n") as out:
            for line in heapq.merge(*handles):
                out.write(line)
                count += 1
    finally:
        for handle in handles:
            handle.close()
    for run in runs:
        run.unlink()
    return count


def _rows(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", newline="\n") as handle:
        for line in handle:
            yield line.rstrip("\n")


def patch_id(diff: StatementDiff, prev: str | None) -> str:
    """The patch's id: a UUID derived from its content (and the id before it)."""
    digest = hashlib.sha256((prev or "").encode("utf-8") + b"\n")
    for operation, path in (("D", diff.deleted), ("A", diff.added)):
        with path.open("rb") as handle:
            digest.update(operation.encode("ascii"))
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return f"uuid:{uuid.UUID(bytes=digest.digest()[:16], version=5)}"


def write_patch(diff: StatementDiff, path: Path, prev: str | None = None) -> str:
    """The RDF Patch of the difference, written to path (whole or not at all): its id."""
    identity = patch_id(diff, prev)
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"H id <{identity}> .\n")
        if prev:
            out.write(f"H prev <{prev}> .\n")
        out.write("TX .\n")
        for operation, rows in (("D", diff.deleted), ("A", diff.added)):
            for row in _rows(rows):
                out.write(f"{operation} {row} .\n")
        out.write("TC .\n")
    os.replace(temporary, path)
    return identity


# -- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of one node (an event, for imports) whose value changed."""

    node: str  # the event id, or the node's IRI
    field: str  # the ACLED column, or the predicate's local name
    old: str
    new: str


@dataclass(frozen=True)
class ChangeSummary:
    """The change in words: events (or nodes) added, removed and changed, and which fields."""

    deletions: int
    additions: int
    added: tuple[str, ...]  # event ids (or node IRIs), sorted
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    fields: tuple[tuple[str, tuple[FieldChange, ...]], ...]  # per field, the changes, most first
    other_nodes: int  # nodes other than events whose statements changed (places, actors, cube)
    listed_removed: tuple[str, ...] = ()  # removed events the deleted-events list names
    unstamped: tuple[str, ...] = ()  # changed events whose timestamp is not newer
    # Without the imports' event tables: a node 'added' only gained statements, one 'removed'
    # only lost some, one 'changed' did both.
    by_statements: bool = False

    @property
    def empty(self) -> bool:
        return self.deletions == 0 and self.additions == 0

    def render(self) -> str:
        if self.empty:
            return "No change: both sides hold the same statements."

        def counted(number: int, what: str) -> str:
            return f"{number} {what}{'s' if number != 1 else ''}"

        def examples(items: tuple[str, ...]) -> str:
            more = f", and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
            return f" ({', '.join(items[:SHOWN])}{more})" if items else ""

        if self.by_statements:
            lines = [f"{counted(len(self.added), 'node')} only gained statements{examples(self.added)}, "
                     f"{len(self.removed)} only lost statements{examples(self.removed)}, "
                     f"{len(self.changed)} both gained and lost{examples(self.changed)}."]
        else:
            lines = [f"{counted(len(self.added), 'event')} added{examples(self.added)}, {len(self.removed)} removed"
                     f"{examples(self.removed)}, {len(self.changed)} changed{examples(self.changed)}."]
        if self.listed_removed:
            others = len(self.removed) - len(self.listed_removed)
            lines.append(f"Of the removed, {counted(len(self.listed_removed), 'event')} {'is' if len(self.listed_removed) == 1 else 'are'} "
                         f"in ACLED's deleted-events list{examples(self.listed_removed)}"
                         + (f"; {others} {'is' if others == 1 else 'are'} only absent from the newer export." if others else "."))
        for name, changes in self.fields:
            shown = ", ".join(f"{change.node}: {change.old} -> {change.new}" for change in changes[:SHOWN])
            more = f", and {len(changes) - SHOWN} more" if len(changes) > SHOWN else ""
            lines.append(f"  {name} changed in {len(changes)}: {shown}{more}")
        if self.other_nodes:
            lines.append(f"Statements about {counted(self.other_nodes, 'other node')} (places, actors, the cube's "
                         "observations) changed with them.")
        if self.unstamped:
            lines.append(f"Warning: {counted(len(self.unstamped), 'event')} changed without a newer ACLED timestamp"
                         f"{examples(self.unstamped)}: ACLED marks every change with a new timestamp, so check that the "
                         "newer export is really newer, or that the mapping (ontology/acled.yaml) has not changed between the imports.")
        lines.append(f"The patch deletes {counted(self.deletions, 'statement')} and adds {self.additions}.")
        return "\n".join(lines)


def _shown(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return str(term)


def _statements(path: Path) -> Iterator[ox.Quad]:
    for row in _rows(path):
        yield from ox.parse(input=(row + " .\n").encode("utf-8"), format=ox.RdfFormat.N_QUADS)


def summarize(
    diff: StatementDiff,
    old_events: dict[str, EventEntry] | None = None,
    new_events: dict[str, EventEntry] | None = None,
    field_names: dict[str, str] | None = None,
    listed_deleted: Iterable[str] = (),
) -> ChangeSummary:
    """The change in words. With the events of both imports (by IRI), events are counted as
    added, removed and changed; without, every subject is a node of its own."""
    names = field_names or {}
    values: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(dict)
    subjects_before: set[str] = set()
    subjects_after: set[str] = set()
    for index, path in enumerate((diff.deleted, diff.added)):
        for quad in _statements(path):
            subject = str(quad.subject)
            (subjects_before if index == 0 else subjects_after).add(subject)
            slot = values[subject].setdefault(str(quad.predicate), ([], []))
            slot[index].append(_shown(quad.object))
    by_statements = old_events is None or new_events is None
    if old_events is None or new_events is None:
        old_events = {s: EventEntry(s, s[1:-1], None, "") for s in subjects_before}
        new_events = {s: EventEntry(s, s[1:-1], None, "") for s in subjects_after}
        kept = subjects_before & subjects_after
        added = sorted(subjects_after - subjects_before)
        removed = sorted(subjects_before - subjects_after)
    else:
        added = sorted(iri for iri in new_events if iri not in old_events)
        removed = sorted(iri for iri in old_events if iri not in new_events)
        kept = {iri for iri in values if iri in old_events and iri in new_events}
    changed = sorted(kept)
    fields: dict[str, list[FieldChange]] = defaultdict(list)
    unstamped = []
    for iri in changed:
        for predicate, (before, after) in sorted(values[iri].items()):
            if before and after:
                name = names.get(predicate) or _shown(ox.NamedNode(predicate[1:-1]))
                fields[name].append(FieldChange(new_events[iri].event_id, name, ", ".join(sorted(before)), ", ".join(sorted(after))))
        old, new = old_events[iri], new_events[iri]
        if old.timestamp is not None and new.timestamp is not None and new.timestamp <= old.timestamp:
            unstamped.append(new.event_id)
    listed = set(listed_deleted)
    events = set(old_events) | set(new_events)
    return ChangeSummary(
        deletions=diff.deletions,
        additions=diff.additions,
        added=tuple(sorted(new_events[iri].event_id for iri in added)),
        removed=tuple(sorted(old_events[iri].event_id for iri in removed)),
        changed=tuple(sorted(new_events[iri].event_id for iri in changed)),
        fields=tuple(sorted(((name, tuple(changes)) for name, changes in fields.items()), key=lambda item: (-len(item[1]), item[0]))),
        other_nodes=sum(1 for subject in values if subject not in events),
        listed_removed=tuple(sorted(old_events[iri].event_id for iri in removed if old_events[iri].event_id in listed)),
        unstamped=tuple(sorted(unstamped)),
        by_statements=by_statements,
    )
