"""String-based constraint components: sh:pattern, sh:maxLength."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate.fast.checks import Check, Parameters, Scope, value_check, value_results


def pattern_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    pattern = parameters.pattern(value, scope.name)
    regex = str(ox.Literal(_to_rust_regex(pattern)))  # escaped by the RDF library
    return value_check(scope, f"sh:pattern {pattern}", f"FILTER(isBlank(?v) || !REGEX(STR(?v), {regex}))", value_results(scope))


def max_length_check(parameters: Parameters, scope: Scope, value: Node) -> Check:
    n = parameters.non_negative(scope.shape, SH.maxLength, value, scope.name)
    return value_check(scope, f"sh:maxLength {n}", f"FILTER(isBlank(?v) || STRLEN(STR(?v)) > {n})", value_results(scope))


def _to_rust_regex(pattern: str) -> str:
    """pySHACL matches sh:pattern with Python's re, whose `$` also matches before a final
    newline; in Oxigraph's regex engine `$` is the end of the text only. Other constructs SHACL
    patterns use mean the same in both; those Oxigraph lacks (look-around, back-references) make
    the query fail with an error naming the shape."""
    out, i, class_start = [], 0, None  # class_start: index of the first member of an open [...]
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if class_start is not None:
            if c == "]" and i > class_start:
                class_start = None
        elif c == "[":
            class_start = i + (2 if pattern.startswith("[^", i) else 1)
        elif c == "$":
            c = "(?:\\n?$)"
        out.append(c)
        i += 1
    return "".join(out)

