"""SPARQL SELECT results as a small table, and its formats chosen by name from a registry:
the SPARQL 1.1 CSV and JSON results formats, and an aligned text table for people."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import ToolError, did_you_mean


@dataclass(frozen=True)
class ResultTable:
    """SELECT results; an ASK answer is a one-cell table with `boolean` set."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]
    boolean: bool | None = None

    @classmethod
    def ask(cls, answer: bool) -> "ResultTable":
        return cls(("ask",), ((Literal(answer),),), boolean=answer)

    def as_dicts(self) -> list[dict[str, str | None]]:
        """Rows as {variable: lexical value}, convenient in notebooks and tests."""
        return [
            {var: (None if term is None else str(term)) for var, term in zip(self.variables, row)}
            for row in self.rows
        ]


def to_csv(table: ResultTable, prefixes: Mapping[str, str] | None = None) -> str:
    """SPARQL 1.1 Query Results CSV: lexical values, empty for unbound, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.variables)
    for row in table.rows:
        writer.writerow(["" if term is None else _csv_value(term) for term in row])
    return buffer.getvalue()


def _csv_value(term: Node) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_json(table: ResultTable, prefixes: Mapping[str, str] | None = None) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if table.boolean is not None:
        return json.dumps({"head": {}, "boolean": table.boolean}, indent=2) + "\n"
    bindings = []
    for row in table.rows:
        binding = {}
        for var, term in zip(table.variables, row):
            if term is not None:
                binding[var] = _json_term(term)
        bindings.append(binding)
    document = {"head": {"vars": list(table.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def to_table(table: ResultTable, prefixes: Mapping[str, str] | None = None) -> str:
    """An aligned plain-text table; IRIs shortened with the given prefixes."""
    namespaces = sorted((prefixes or {}).items(), key=lambda item: -len(item[1]))

    def show(term: Node | None) -> str:
        if term is None:
            return ""
        if isinstance(term, URIRef):
            for prefix, namespace in namespaces:
                if str(term).startswith(namespace):
                    return f"{prefix}:{str(term)[len(namespace):]}"
            return f"<{term}>"
        return " ".join(str(term).split())

    cells = [list(table.variables)] + [[show(term) for term in row] for row in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.variables))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    count = len(table.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


RESULT_FORMATS: dict[str, Callable[[ResultTable, Mapping[str, str] | None], str]] = {
    "table": to_table,
    "csv": to_csv,
    "json": to_json,
}


def format_results(table: ResultTable, format_name: str, prefixes: Mapping[str, str] | None = None) -> str:
    try:
        formatter = RESULT_FORMATS[format_name]
    except KeyError:
        hint = did_you_mean(format_name, RESULT_FORMATS) or f"Choose one of: {', '.join(RESULT_FORMATS)}."
        raise ToolError(f"unknown result format '{format_name}'. {hint}") from None
    return formatter(table, prefixes)
