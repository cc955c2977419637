"""Errors are part of the interface: each names the file, the line, the field and what to do.

Exit codes of the ``kg`` command (documented in the README):
  0  success; the graph conforms
  1  the data is invalid: record errors, or SHACL violations
  2  usage or tool error: bad arguments, missing files, an unreadable query
  3  endpoint error: a remote SPARQL endpoint or triple store could not be reached or refused
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_TOOL_ERROR = 2
EXIT_ENDPOINT_ERROR = 3


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a record file: 1-based line and column."""

    file: str
    line: int
    column: int | None = None

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class DataError:
    """One problem in the curated data, with where it is and what to do about it."""

    location: SourceLocation | None
    message: str
    record: str | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        subject = []
        if self.record:
            subject.append(self.record)
        if self.field:
            subject.append(f"field '{self.field}'")
        prefix = f"{', '.join(subject)}: " if subject else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}{prefix}{self.message}.{hint}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column or 0, self.message) if loc else ("", 0, 0, self.message)


class DataErrors(Exception):
    """All the problems found in one run, reported together."""

    def __init__(self, errors: Iterable[DataError]):
        self.errors = tuple(sorted(errors, key=DataError.sort_key))
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the data:"]
        lines += [f"  {error}" for error in self.errors]
        return "\n".join(lines)


class ToolError(Exception):
    """A problem with how the tool was called or set up, not with the data."""


def require_built_graph(graph_file: Path) -> Path:
    """The built graph file, or a ToolError that says to build it first."""
    if not graph_file.is_file():
        raise ToolError(f"there is no built graph at {graph_file}; run 'kg build' first")
    return graph_file


class EndpointError(Exception):
    """A remote SPARQL endpoint or triple store could not be reached, or refused a request.
    `transient` tells a failure that may go away (the store was down or overloaded) from one
    that needs fixing first (bad credentials, no permission, a rejected request)."""

    def __init__(self, message: str, *, transient: bool = True):
        super().__init__(message)
        self.transient = transient


def close_matches(word: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """The candidates that look like a mistyping of word, closest first."""
    return difflib.get_close_matches(word, sorted(set(candidates)), n=limit, cutoff=0.7)


def suggestion(matches: list[str]) -> str | None:
    if not matches:
        return None
    return "Did you mean " + " or ".join(f"'{match}'" for match in matches) + "?"


def did_you_mean(word: str, candidates: Iterable[str], *, limit: int = 3) -> str | None:
    """A suggestion sentence naming the closest candidates, or None if nothing is close."""
    return suggestion(close_matches(word, candidates, limit=limit))


def relative(path: Path) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
