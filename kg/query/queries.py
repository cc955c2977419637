"""Stored SPARQL queries (queries/*.rq): discovery, their header, and safe parameter binding.

A stored query starts with a comment header:

    # title: Which places does a name refer to?
    # description: Looks a name up among the names and alternative spellings
    #   of every place in the gazetteer.
    # param: name (text) the place name to look up

A parameter of type `name` is a place name: it is bound as ?name and, folded for loose
matching (kg.build.names.name_key), as ?name_key, to compare with the places' bk:nameKey.

Parameters are bound as a VALUES block placed first inside the outermost WHERE clause. The
value is turned into an RDF term and written by the RDF library (which escapes it), so no value can
change the shape of the query; the same text runs on every engine and on remote endpoints.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import ToolError, did_you_mean
from kg.build.names import name_key
from kg.terms import to_oxigraph

_HEADER_LINE = re.compile(r"^#\s*(\w+)\s*:\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_PARAM = re.compile(r"^(\w+)\s*(?:\((\w+)\))?\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
PARAMETER_TYPES = ("text", "name", "integer", "date", "iri")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    warning: str | None = None  # "# warning: ..." template: kg build reports each row as a warning


def read_query(path: Path) -> StoredQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(f"cannot read the query {path}: {exc}") from exc
    header: dict[str, list[str]] = {}
    last_key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        continuation = _CONTINUATION.match(line)
        match = _HEADER_LINE.match(line)
        if continuation and last_key and not match:
            header[last_key][-1] += " " + continuation.group(1).strip()
        elif match:
            last_key = match.group(1).lower()
            header.setdefault(last_key, []).append(match.group(2).strip())
    parameters = tuple(_parameter(path, spec) for spec in header.get("param", []))
    return StoredQuery(
        name=path.stem,
        path=path,
        title=" ".join(header.get("title", [path.stem])),
        description=" ".join(header.get("description", [])),
        parameters=parameters,
        text=text,
        warning=" ".join(header["warning"]) if "warning" in header else None,
    )


def _parameter(path: Path, spec: str) -> Parameter:
    match = _PARAM.match(spec)
    if not match:
        raise ToolError(f"{path}: cannot read the parameter line '# param: {spec}'")
    name, type_name, description = match.group(1), match.group(2) or "text", match.group(3).strip()
    if type_name not in PARAMETER_TYPES:
        raise ToolError(f"{path}: parameter '{name}' has unknown type '{type_name}' (use {', '.join(PARAMETER_TYPES)})")
    return Parameter(name, type_name, description)


def stored_queries(queries_dir: Path) -> dict[str, StoredQuery]:
    return {path.stem: read_query(path) for path in sorted(queries_dir.glob("*.rq"))}


def find_query(name_or_path: str, queries_dir: Path) -> StoredQuery:
    """A stored query by name, or any .rq file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or "/" in name_or_path:
        if not candidate.is_file():
            raise ToolError(f"there is no query file {name_or_path}")
        return read_query(candidate)
    queries = stored_queries(queries_dir)
    if name_or_path not in queries:
        hint = did_you_mean(name_or_path, queries) or "Run 'kg queries' to list them."
        raise ToolError(f"there is no stored query '{name_or_path}'. {hint}")
    return queries[name_or_path]


def parameter_term(parameter: Parameter, value: str) -> Node:
    """The RDF term for a parameter value, checked against the parameter's type."""
    if parameter.type == "integer":
        if not re.fullmatch(r"[-+]?\d+", value.strip()):
            raise ToolError(f"parameter '{parameter.name}' takes a whole number, not '{value}'")
        return Literal(int(value), datatype=XSD.integer)
    if parameter.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ToolError(f"parameter '{parameter.name}' takes a date YYYY-MM-DD, not '{value}'") from None
        return Literal(value, datatype=XSD.date)
    if parameter.type == "iri":
        if _IRI_FORBIDDEN.search(value) or ":" not in value:
            raise ToolError(f"parameter '{parameter.name}' takes an absolute IRI, not '{value}'")
        return URIRef(value)
    return Literal(value)


def bind_parameters(query: StoredQuery, values: dict[str, str]) -> str:
    """The query text with its parameters bound. Every declared parameter must be given."""
    declared = {p.name: p for p in query.parameters}
    for name in values:
        if name not in declared:
            known = ", ".join(declared) or "none"
            hint = did_you_mean(name, declared) or f"Parameters of {query.name}: {known}."
            raise ToolError(f"the query '{query.name}' has no parameter '{name}'. {hint}")
    missing = [name for name in declared if name not in values]
    if missing:
        raise ToolError(
            f"the query '{query.name}' needs --param {missing[0]}=VALUE "
            f"({declared[missing[0]].description or declared[missing[0]].type})"
        )
    if not declared:
        return query.text
    match = _first_where(query.text)
    if match is None:
        raise ToolError(f"the query '{query.name}' declares parameters but has no 'WHERE {{' to bind them in")
    variables, bound = [], []
    for name, parameter in declared.items():
        variables.append(f"?{name}")
        bound.append(parameter_term(parameter, values[name]))
        if parameter.type == "name":
            variables.append(f"?{name}_key")
            bound.append(Literal(name_key(values[name])))
    names = " ".join(variables)
    # pyoxigraph writes terms in canonical N-Triples form: escaped, on one line, valid SPARQL.
    terms = " ".join(str(to_oxigraph(term)) for term in bound)
    block = f"\n  VALUES ({names}) {{ ({terms}) }}\n"
    return query.text[: match.end()] + block + query.text[match.end() :]


def _first_where(text: str) -> re.Match[str] | None:
    """The first WHERE { outside comment lines."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            match = _WHERE.search(line)
            if match:
                return _WHERE.search(text, offset + match.start())
        offset += len(line)
    return None
