"""SHACL-SPARQL constraints (sh:sparql with sh:select): checked for what cannot run once for all
focus nodes, then run with $this joined to the shape's targets."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.terms import to_rdflib
from kg.validate.fast.checks import Check, Result, Scope, Term, UnsupportedShapeError

_UNSUPPORTED_SPARQL = [
    (re.compile(r"\bMINUS\s*\{", re.I), "MINUS (not allowed in SPARQL constraints)"),
    (re.compile(r"\bVALUES\s*[\(\{\?\$]", re.I), "VALUES (not allowed in SPARQL constraints)"),
    (re.compile(r"\bSERVICE\b", re.I), "SERVICE (not allowed in SPARQL constraints)"),
    (re.compile(r"[\$\?](PATH|currentShape|shapesGraph)\b"), "the pre-bound variable $\\1"),
    (re.compile(r"\bAS\s+[\$\?]this\b", re.I), "re-binding $this with AS"),
]


def sparql_check(scope: Scope, name: str, select: str, prefixes: dict[str, str], message: str | None) -> Check:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    for regex, feature in _UNSUPPORTED_SPARQL:
        found = regex.search(select)
        if found:
            raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: {found.expand(feature)}")
    projected = _check_select(prologue + select, name)
    brace = _where_brace(select, name)
    # $this is joined to the focus nodes by putting the target pattern first in the WHERE
    # group: the query then runs once for all focus nodes, with the meaning of pySHACL's
    # pre-binding of $this (filters, EXISTS and OPTIONAL see ?this bound).
    query = prologue + select[: brace + 1] + f" {scope.focus} " + select[brace + 1 :]
    others = [v for v in projected if v not in ("this", "path", "value")]

    def results(solutions: list[ox.QuerySolution]) -> Iterator[Result]:
        seen = set()
        for row in solutions:
            focus, path, value = row["this"], _get(row, "path"), _get(row, "value")
            bound = {v: row[v] for v in others if row[v] is not None}
            key = (focus, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            yield Result(
                focus,
                scope.shape,
                to_rdflib(path) if path is not None else None,
                value,
                _fill_message(message, bound, focus, path, value if value is not None else focus),
            )

    return Check(name, "sh:sparql", query, results)


def _get(row: ox.QuerySolution, variable: str) -> Term | None:
    try:
        term: Term | None = row[variable]
    except (KeyError, IndexError):
        return None
    return term


@functools.lru_cache(maxsize=256)
def _check_select(text: str, name: str) -> tuple[str, ...]:
    """Parse the query (with rdflib, for a clear syntax error) and check that it can run once for
    all focus nodes: $this projected, no LIMIT/OFFSET, no aggregation that is not grouped by $this.
    Remembered: rdflib's parser takes most of the time of compiling the project's shapes."""
    try:
        query = prepareQuery(text)
    except Exception as exc:  # pyparsing raises its own exception types
        raise UnsupportedShapeError(f"shape {name}: the sh:select query does not parse: {exc}") from exc
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that is not a SELECT")
    if algebra.get("datasetClause"):
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: FROM in a SPARQL constraint")
    projected = tuple(str(v) for v in algebra["PV"])
    if "failure" in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: the ?failure variable")
    if "this" not in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that does not select $this")
    node = algebra.p
    while isinstance(node, CompValue):
        if node.name == "Slice":
            raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: LIMIT or OFFSET in a SPARQL constraint")
        if node.name == "Group" and Variable("this") not in (node.get("expr") or []):
            raise UnsupportedShapeError(
                f"shape {name}: not supported by the fast SHACL engine: aggregation that is not grouped by $this"
            )
        if node.name not in ("Project", "Distinct", "Reduced", "OrderBy", "Extend", "Filter", "AggregateJoin", "Group"):
            break
        node = node.p
    return projected


def _where_brace(text: str, name: str) -> int:
    """The position of the brace that opens the WHERE group of a SELECT query: the first '{'
    outside comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote) - 1
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            i = text.index(">", i)
        elif c == "{":
            if re.search(r"\bEXISTS\b", text[:i], re.I):
                raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: EXISTS in the SELECT clause")
            return i
        i += 1
    raise UnsupportedShapeError(f"shape {name}: the sh:select query has no WHERE group")


def _fill_message(message: str | None, bound: dict[str, Term], this: Term, path: Term | None, value: Term) -> str | None:
    """pySHACL's {?var} substitution, in its order: other variables, then this, path, value."""
    if message is None:
        return None
    values = {var: to_rdflib(term) for var, term in bound.items()}
    for var, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            values[var] = to_rdflib(term)
    for var, node in values.items():
        message = re.sub("{{[?$]{}}}".format(var), str(node), message)
    return message

