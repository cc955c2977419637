"""An on-disk Oxigraph store for graphs too large for memory: the curated build plus imported
shards (folders of gzip N-Triples/N-Quads from `kg import`), bulk-loaded once and then queried
read-only by `kg query --store DIR`."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from isal import igzip

from kg.query.engines import query_store
from kg.errors import ToolError
from kg.progress import Progress, Step
from kg.query.results import ResultTable

SHARD_PATTERNS = ("*.nt.gz", "*.nq.gz", "*.nt", "*.nq", "*.ttl")


def rdf_files(paths: list[Path]) -> list[Path]:
    """The RDF files named, with folders expanded to the shards they hold (in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for pattern in SHARD_PATTERNS for p in path.glob(pattern))
            if not found:
                raise ToolError(f"the folder {path} holds no RDF shards ({', '.join(SHARD_PATTERNS)})")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise ToolError(f"there is no file or folder {path}")
    return files


def rdf_format(path: Path) -> ox.RdfFormat:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    extension = name.rsplit(".", 1)[-1]
    found = ox.RdfFormat.from_extension(extension)
    if found is None:
        raise ToolError(f"cannot tell the RDF format of {path} from its name")
    return found


@contextmanager
def opened(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed on the fly when it is gzip."""
    # A GzipFile reads as any binary file does, though typeshed does not count it as an IO[bytes].
    handle = cast(IO[bytes], igzip.GzipFile(path, "rb")) if path.name.endswith(".gz") else path.open("rb")
    with handle:
        yield handle


def load_files(store: ox.Store, files: list[Path], progress: Progress | None = None, *, merge_graphs: bool = False) -> None:
    """Bulk-load RDF files (gzip or plain, format from the name) into a pyoxigraph store; with
    merge_graphs, the statements of quad files go into the default graph too."""
    for number, file in enumerate(files, 1):
        format = rdf_format(file)
        with opened(file) as handle:
            try:
                if merge_graphs and format.supports_datasets:
                    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in ox.parse(handle, format=format))
                else:
                    store.bulk_load(handle, format=format)
            except SyntaxError as exc:
                raise ToolError(f"cannot parse {file}: {exc}") from None
        if progress:
            progress(Step("loaded", number, len(files), "files", file.name))


@dataclass(frozen=True)
class StoreReport:
    folder: Path
    files: int
    quads: int
    seconds: float


def replace_folder(complete: Path, folder: Path) -> None:
    """Put the complete folder in the place of folder: the previous one stays whole until the
    new one is in place (renames within one parent folder)."""
    previous = folder.with_name(f".{folder.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if folder.exists():
        folder.rename(previous)
    complete.rename(folder)
    shutil.rmtree(previous, ignore_errors=True)


def build_store(folder: Path, inputs: list[Path], progress: Progress | None = None) -> StoreReport:
    """Bulk-load the inputs into a new store that then replaces folder (the previous store, if
    any, stays whole until the new one is complete)."""
    files = rdf_files(inputs)
    started = time.monotonic()
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        store = ox.Store(str(temporary))
        load_files(store, files, progress)
        store.optimize()
        quads = len(store)
        store.flush()
        del store
        replace_folder(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return StoreReport(folder, len(files), quads, time.monotonic() - started)


class OxigraphStoreEngine:
    """Queries an on-disk store, read-only, over the union of its graphs."""

    name = "oxigraph-store"

    def __init__(self, folder: Path):
        if not folder.is_dir():
            raise ToolError(f"there is no store at {folder}; create it with 'kg store {folder} ...'")
        try:
            self.store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise ToolError(f"cannot open the store {folder}: {exc}") from None

    def query(self, sparql: str) -> ResultTable:
        return query_store(self.store, sparql, union_of_graphs=True)
