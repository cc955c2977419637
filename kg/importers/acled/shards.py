"""Writing the import's lines into numbered gzip shards, replaced as a whole on success.

Compression is ISA-L's gzip (python-isal), about four times as fast as zlib's level 1 at
a similar size; the files are ordinary gzip. Each shard's statement count and SHA-256 are
taken as it is written, for the import's manifest, so no shard is read again."""

from __future__ import annotations

import hashlib
import io
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from isal import igzip

from kg.errors import ToolError
from kg.stores.store import replace_folder

SHARD_EXTENSIONS = {"ntriples": "nt", "nquads": "nq"}  # the file extension of each statement format
COMPRESS_LEVEL = 1  # ISA-L's levels are 0-3; 1 is as fast as 0 and a tenth smaller


@dataclass(frozen=True)
class ShardEntry:
    """A shard as the manifest lists it: its name, statements and SHA-256 (of the file's bytes)."""

    file: str
    statements: int
    sha256: str


class HashedFile(io.RawIOBase):
    """A file being written whose bytes are hashed on the way (digest, once closed)."""

    def __init__(self, path: Path):
        self.handle = path.open("wb")
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.digest.update(data)
        return self.handle.write(data)

    def close(self) -> None:
        if not self.closed:
            self.handle.close()
        super().close()


class ShardWriter:
    """N-Triples (or N-Quads) lines into numbered gzip shards, in a temporary folder that
    replaces the target folder only when the whole import has succeeded. Compression runs in
    a thread of its own (ISA-L releases the GIL), beside the row loop. The shards are a series
    (kg-00001.nt.gz, ...); begin_series starts another one (cube-00001.nt.gz, ...), in a named
    graph of its own for N-Quads. Given a folder (the temporary folder of another writer), the
    writer adds its series (prefix-00001...) to that folder and leaves replacing the target to
    the folder's owner: so each part of a file mapped in parts writes its own shards."""

    def __init__(self, target: Path, extension: str, lines_per_shard: int, graph: str | None, compress: bool = True,
                 *, folder: Path | None = None, prefix: str = "kg"):
        if lines_per_shard < 1:
            raise ToolError(f"a shard holds 1 statement or more (--shard-lines), not {lines_per_shard}")
        self.target = target
        self.extension = f"{extension}.gz" if compress else extension
        self.compress = compress
        self.lines_per_shard = lines_per_shard
        self.quads = graph is not None
        self.suffix = f" {graph} .\n" if graph else " .\n"
        self.prefix = prefix
        self.owned = folder is None
        if folder is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        self.folder = folder
        self.series: dict[str, list[Path]] = {self.prefix: []}
        self.lines = 0
        self._in_shard = 0
        self._statements: dict[str, int] = {}  # by shard name
        self._sha256: dict[str, str] = {}  # by shard name, filled by the compressing thread as each shard is closed
        self._queue: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._compress, daemon=True)
        self._thread.start()

    def begin_series(self, prefix: str, graph: str) -> None:
        """Write the lines that follow into shards of their own, named prefix-00001...; with
        N-Quads, in the named graph given."""
        if prefix in self.series:
            raise ValueError(f"the shards {prefix}-* are written already")
        self.prefix = prefix
        self.series[prefix] = []
        if self.quads:
            self.suffix = f" {graph} .\n"

    def write(self, lines: list[str]) -> None:
        """Append the lines; a shard is never longer than lines_per_shard."""
        if self._failure is not None:
            raise self._failure
        if self.suffix != " .\n":
            lines = [line[:-3] + self.suffix for line in lines]
        start = 0
        while start < len(lines):
            series = self.series[self.prefix]
            if not series or self._in_shard >= self.lines_per_shard:
                series.append(self.folder / f"{self.prefix}-{len(series) + 1:05d}.{self.extension}")
                self._in_shard = 0
            part = lines[start : start + self.lines_per_shard - self._in_shard]
            self._queue.put((series[-1], "".join(part).encode("utf-8")))
            self._statements[series[-1].name] = self._statements.get(series[-1].name, 0) + len(part)
            self._in_shard += len(part)
            start += len(part)
        self.lines += len(lines)

    def _compress(self) -> None:
        path: Path | None = None
        raw: HashedFile | None = None
        handle: io.RawIOBase | igzip.GzipFile | None = None

        def close() -> None:
            if handle is not None and raw is not None and path is not None:
                handle.close()
                raw.close()
                self._sha256[path.name] = raw.digest.hexdigest()
        try:
            while (item := self._queue.get()) is not None:
                if item[0] != path:
                    close()
                    path = item[0]
                    raw = HashedFile(path)
                    handle = igzip.GzipFile(fileobj=raw, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0) if self.compress else raw
                assert handle is not None
                handle.write(item[1])
            close()
        except BaseException as exc:  # reported to the writer on its next call
            self._failure = exc
            while self._queue.get() is not None:
                pass
            for opened in (handle, raw):
                if opened is not None:
                    opened.close()

    def _finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def entries(self, shards: list[Path]) -> list[ShardEntry]:
        """The manifest's entries of these shards of this writer (after close or commit; the
        paths before or after the commit)."""
        return [ShardEntry(shard.name, self._statements[shard.name], self._sha256[shard.name]) for shard in shards]

    def close(self) -> dict[str, list[Path]]:
        """The shards of each series, complete, in the temporary folder (of a writer given one)."""
        self._finish()
        return self.series

    def commit(self, others: dict[str, list[Path]] | None = None) -> dict[str, list[Path]]:
        """The shards of each series (and of the series others wrote into this writer's
        folder), in the target folder."""
        self._finish()
        replace_folder(self.folder, self.target)
        series = {**self.series, **(others or {})}
        return {prefix: [self.target / shard.name for shard in shards] for prefix, shards in series.items()}

    def abort(self) -> None:
        """Stop; the writer's folder (of a writer given one: its shards) is removed."""
        try:
            self._finish()
        finally:
            if self.owned:
                shutil.rmtree(self.folder, ignore_errors=True)
            else:
                for shard in (shard for shards in self.series.values() for shard in shards):
                    shard.unlink(missing_ok=True)
