"""SHACL-SPARQL constraints (sh:sparql with sh:select): checked for what cannot run once for all
focus nodes, then run with $this joined to the shape's targets."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox

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
    projected, brace = _check_select(prologue, select, name)
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


def _check_select(prologue: str, select: str, name: str) -> tuple[tuple[str, ...], int]:
    """Parse the query (with Oxigraph, on an empty store: a syntax error says where) and check
    that it can run once for all focus nodes: a SELECT of $this without FROM, and no LIMIT,
    OFFSET or grouping other than by $this among the solution modifiers of the outer query
    (those of a sub-query apply within it, and are fine). The projected variables, and where
    the WHERE group opens in select."""
    try:
        solutions = _EMPTY.query(prologue + select)
    except SyntaxError as exc:
        raise UnsupportedShapeError(f"shape {name}: the sh:select query does not parse: {_in_select(str(exc), prologue)}") from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that is not a SELECT")
    projected = tuple(variable.value for variable in solutions.variables)
    if "failure" in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: the ?failure variable")
    if "this" not in projected:
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: a query that does not select $this")
    opening = _where_brace(select, name)
    head = _code(select[:opening])
    if re.search(r"\bFROM\b", head, re.I):
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: FROM in a SPARQL constraint")
    modifiers = _code(select[_closing_brace(select, opening) + 1 :])
    if re.search(r"\b(LIMIT|OFFSET)\b", modifiers, re.I):
        raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: LIMIT or OFFSET in a SPARQL constraint")
    grouped = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|$)", modifiers, re.I | re.S)
    aggregated = re.search(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", head, re.I)
    if (grouped and not re.search(r"[$?]this\b", grouped.group(1))) or (aggregated and not grouped):
        raise UnsupportedShapeError(
            f"shape {name}: not supported by the fast SHACL engine: aggregation that is not grouped by $this"
        )
    return projected, opening


_EMPTY = ox.Store()  # the queries are parsed by running them on it


def _in_select(message: str, prologue: str) -> str:
    """Oxigraph's "error at LINE:COLUMN" counted within the sh:select text, not the prefixes
    put before it."""
    shift = prologue.count("\n")
    return re.sub(r"^error at (\d+):(\d+)", lambda m: f"line {int(m[1]) - shift}, column {m[2]} of the query", message)


def _code(text: str) -> str:
    """The text with comments, strings and IRIs blanked out, so that words in them are not read
    as keywords."""
    return "".join(_scan(text, keep_code_only=True))


def _scan(text: str, keep_code_only: bool = False) -> Iterator[str]:
    """The query text piece by piece: comments, strings and IRIs as one piece each (as a space
    when keep_code_only), every other character on its own."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        start = i
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and (iri := _IRI.match(text, i)):
            i = iri.end()
        else:
            yield c
            i += 1
            continue
        yield " " if keep_code_only else text[start:i]


_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def _where_brace(text: str, name: str) -> int:
    """The position of the brace that opens the WHERE group of a SELECT query: the first '{'
    outside comments, strings and IRIs."""
    position = 0
    for piece in _scan(text):
        if piece == "{":
            if re.search(r"\bEXISTS\b", _code(text[:position]), re.I):
                raise UnsupportedShapeError(f"shape {name}: not supported by the fast SHACL engine: EXISTS in the SELECT clause")
            return position
        position += len(piece)
    raise UnsupportedShapeError(f"shape {name}: the sh:select query has no WHERE group")


def _closing_brace(text: str, opening: int) -> int:
    """The position of the brace that closes the group opened at the position given."""
    depth, position = 0, opening
    for piece in _scan(text[opening:]):
        depth += {"{": 1, "}": -1}.get(piece, 0)
        if depth == 0:
            return position
        position += len(piece)
    return len(text)  # not reached: the query has parsed


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

