"""Applying an RDF Patch (Jena's text format, as kg import --previous and kg diff write it) to
a triple store: `kg load --patch FILE`.

The patch is read strictly: header rows (H), then transactions (TX ... TC, or TA to abort one),
whose A and D rows each hold one statement in N-Triples or N-Quads syntax; prefix rows (PA, PD)
are allowed and change nothing in a store. Any other row is an error naming the file and line.
A statement without a graph goes into the graph given (kg load --graph); with one, into its own.

The whole patch goes to the store as one SPARQL Update request, `DELETE DATA {...}; INSERT DATA
{...}`, which Oxigraph and Fuseki (TDB2) run as one transaction: the store holds the state
before or the state after, never half of it. Virtuoso runs the two operations of a request one
after the other without a transaction around both; the count check after the request tells
when that went wrong. Before sending, the store is checked to be at the patch's starting state:
every statement the patch deletes is there and none it adds is; otherwise nothing is sent
(unless force). After, each graph's count must be its count before, less the deletions, plus
the additions. A retried request changes nothing more: deleting and inserting the same
statements again leaves the same graphs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import EndpointError, ToolError, relative
from kg.stores.remote import Endpoint, count_triples, graph_iri

CHECK_BATCH = 2000  # statements per query of the starting-state check
SHOWN = 3  # statements named in an error


class PatchSyntaxError(ToolError):
    """A row of a patch file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class PatchRow:
    line: int
    statement: str  # the N-Triples terms, space-separated, without the closing ' .'
    graph: str | None  # the graph IRI, or None for the graph the patch is applied to
    triple: str  # subject, predicate and object (N-Triples terms)


@dataclass(frozen=True)
class Patch:
    file: str
    headers: tuple[tuple[str, str], ...]
    deletes: tuple[PatchRow, ...]
    adds: tuple[PatchRow, ...]

    @property
    def id(self) -> str | None:
        return next((value for key, value in self.headers if key == "id"), None)

    def graphs(self, default: str) -> list[str]:
        return sorted({row.graph or default for row in (*self.deletes, *self.adds)})


def _row_statement(text: str, file: str, line: int) -> tuple[str, str | None, str]:
    if not text.endswith(" ."):
        raise PatchSyntaxError(f"{file}:{line}: a row ends with ' .' (a space and a dot); add it")
    try:
        quads = list(ox.parse(input=(text + "\n").encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise PatchSyntaxError(f"{file}:{line}: the statement cannot be read: {exc}. Write it in N-Triples or N-Quads "
                               "syntax (IRIs in <>, literals in quotes)") from None
    if len(quads) != 1:
        raise PatchSyntaxError(f"{file}:{line}: an A or D row holds exactly one statement")
    quad = quads[0]
    if any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name)):
        raise PatchSyntaxError(f"{file}:{line}: the statement has a blank node, which names no node of the store; "
                               "kg load --patch applies statements whose nodes are IRIs")
    graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
    return str(quad.triple) if graph is None else str(quad), graph, str(quad.triple)


def read_patch(path: Path) -> Patch:
    """Parse an RDF Patch file strictly; PatchSyntaxError names the file and line of a problem."""
    shown = relative(path)
    if not path.is_file():
        raise ToolError(f"there is no patch file {path}")
    headers: list[tuple[str, str]] = []
    deletes: dict[str, PatchRow] = {}
    adds: dict[str, PatchRow] = {}
    block: tuple[dict[str, PatchRow], dict[str, PatchRow]] | None = None
    opened_at = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, 1):
            text = raw.rstrip("\r\n").strip()
            if not text or text.startswith("#"):
                continue
            code, _, rest = text.partition(" ")
            if code == "H":
                if opened_at:
                    raise PatchSyntaxError(f"{shown}:{number}: a header row (H) comes before the first transaction; move it up")
                key, _, value = rest.partition(" ")
                if not key or not value.endswith(" ."):
                    raise PatchSyntaxError(f"{shown}:{number}: a header row is 'H KEY VALUE .'")
                headers.append((key, value[:-2].strip().strip("<>")))
            elif code in ("TX", "TC", "TA"):
                if rest != ".":
                    raise PatchSyntaxError(f"{shown}:{number}: the row is '{code} .', with nothing between")
                if code == "TX":
                    if block is not None:
                        raise PatchSyntaxError(f"{shown}:{number}: TX inside the transaction opened at line {opened_at}; "
                                               "end that one with TC first")
                    block, opened_at = ({}, {}), number
                elif block is None:
                    raise PatchSyntaxError(f"{shown}:{number}: {code} without a TX before it")
                else:
                    if code == "TC":
                        for rows, others, kind in ((block[0], adds, "adds"), (block[1], deletes, "deletes")):
                            for key, row in rows.items():
                                clash = others.get(key)
                                if clash is not None:
                                    raise PatchSyntaxError(f"{shown}:{row.line}: the patch also {kind} this statement at "
                                                           f"line {clash.line}; a patch applied as one change deletes or adds "
                                                           "a statement, not both. Remove one of the rows")
                        deletes.update(block[0])
                        adds.update(block[1])
                    block = None
            elif code in ("A", "D"):
                if block is None:
                    raise PatchSyntaxError(f"{shown}:{number}: an {code} row outside a transaction; put it between TX . and TC .")
                statement, graph, triple = _row_statement(rest, shown, number)
                mine, opposite = (block[1], block[0]) if code == "A" else (block[0], block[1])
                if statement in opposite:
                    raise PatchSyntaxError(f"{shown}:{number}: the patch both adds and deletes this statement (also at "
                                           f"line {opposite[statement].line}); remove one of the rows")
                mine.setdefault(statement, PatchRow(number, statement, graph, triple))
            elif code in ("PA", "PD"):
                if block is None:
                    raise PatchSyntaxError(f"{shown}:{number}: a {code} row outside a transaction; put it between TX . and TC .")
            else:
                raise PatchSyntaxError(f"{shown}:{number}: '{code}' is not an RDF Patch row; rows start with H, TX, TC, TA, "
                                       "PA, PD, A or D")
    if block is not None:
        raise PatchSyntaxError(f"{shown}:{opened_at}: the transaction opened here has no TC (the file may be cut short); "
                               "nothing of it was applied")
    return Patch(shown, tuple(headers), tuple(deletes.values()), tuple(adds.values()))


@dataclass(frozen=True)
class GraphChange:
    graph: str
    before: int
    deleted: int
    added: int
    after: int


@dataclass(frozen=True)
class PatchPlan:
    patch: Patch
    endpoint: Endpoint
    default_graph: str

    def describe(self) -> str:
        graphs = self.patch.graphs(self.default_graph)
        lines = [f"Would apply {self.patch.file}: delete {len(self.patch.deletes)} and add {len(self.patch.adds)} "
                 f"statements in {', '.join(f'<{g}>' for g in graphs) or 'no graph'}",
                 f"  check at {self.endpoint.query_url} that every statement to delete is there and none to add is,",
                 f"  then POST {self.endpoint.update_url} one request DELETE DATA {{...}}; INSERT DATA {{...}},",
                 "  then count each graph's triples: before, less the deletions, plus the additions"]
        return "\n".join(lines)


@dataclass(frozen=True)
class PatchReport:
    patch: Patch
    graphs: tuple[GraphChange, ...]
    seconds: float
    forced: int = 0  # rows that did not fit the store's state, applied anyway (force)
    already: bool = False  # the store was at the patch's end state: nothing was sent


def _by_graph(rows: Sequence[PatchRow], default: str) -> dict[str, list[PatchRow]]:
    grouped: dict[str, list[PatchRow]] = {}
    for row in rows:
        grouped.setdefault(row.graph or default, []).append(row)
    return grouped


def _present(endpoint: Endpoint, graph: str, rows: Sequence[PatchRow]) -> set[int]:
    """The lines of the rows whose statements the graph holds."""
    found: set[int] = set()
    for start in range(0, len(rows), CHECK_BATCH):
        batch = rows[start : start + CHECK_BATCH]
        values = "\n".join(f"({row.line} {row.triple})" for row in batch)
        table = endpoint.select(f"SELECT ?line WHERE {{ VALUES (?line ?s ?p ?o) {{\n{values}\n}} "
                                f"GRAPH {graph_iri(graph)} {{ ?s ?p ?o }} }}")
        found.update(int(str(row[0])) for row in table.rows)
    return found


def _examples(rows: Iterable[PatchRow]) -> str:
    listed = list(rows)
    shown = "; ".join(f"line {row.line}: {row.statement}" for row in listed[:SHOWN])
    return shown + (f"; and {len(listed) - SHOWN} more" if len(listed) > SHOWN else "")


def _update_text(patch: Patch, default: str) -> str:
    def block(rows: Sequence[PatchRow]) -> str:
        return "".join(f"GRAPH {graph_iri(graph)} {{\n{''.join(row.triple + ' .' + chr(10) for row in part)}}}\n"
                       for graph, part in sorted(_by_graph(rows, default).items()))

    parts = []
    if patch.deletes:
        parts.append(f"DELETE DATA {{\n{block(patch.deletes)}}}")
    if patch.adds:
        parts.append(f"INSERT DATA {{\n{block(patch.adds)}}}")
    return " ;\n".join(parts)


def apply_patch(plan: PatchPlan, *, force: bool = False) -> PatchReport:
    """Apply the patch to the store in one update request, checked before and after."""
    started = time.monotonic()
    patch, endpoint, default = plan.patch, plan.endpoint, plan.default_graph
    if endpoint.update_url is None:
        raise ToolError(f"the {endpoint.preset.name} preset has no update endpoint; pass --update-endpoint URL")
    graphs = patch.graphs(default)
    before = {graph: count_triples(endpoint, graph) for graph in graphs}
    deletes, adds = _by_graph(patch.deletes, default), _by_graph(patch.adds, default)
    held = {(graph, kind): _present(endpoint, graph, rows) for kind, grouped in (("D", deletes), ("A", adds))
            for graph, rows in grouped.items()}
    missing = [row for graph, rows in deletes.items() for row in rows if row.line not in held[graph, "D"]]
    present = [row for graph, rows in adds.items() for row in rows if row.line in held[graph, "A"]]
    rows = len(patch.deletes) + len(patch.adds)
    if rows and len(missing) + len(present) == rows:
        # Every statement to delete is gone and every one to add is there: applied before (a
        # reply lost after the store had applied it, or the same patch run twice).
        return PatchReport(patch, tuple(GraphChange(graph, before[graph], 0, 0, before[graph]) for graph in graphs),
                           time.monotonic() - started, already=True)
    if (missing or present) and not force:
        problems = []
        if missing:
            problems.append(f"{len(missing)} of the {len(patch.deletes)} statements it deletes are not in the store ({_examples(missing)})")
        if present:
            problems.append(f"{len(present)} of the {len(patch.adds)} statements it adds are in the store already ({_examples(present)})")
        raise ToolError(f"the store is not at the starting state of {patch.file}: {'; '.join(problems)}. Nothing was changed. "
                        "Load the import the patch starts from (or apply the patches before this one), or pass --force to "
                        "apply it anyway")
    try:
        endpoint.update(_update_text(patch, default))
    except EndpointError as exc:
        raise EndpointError(f"{exc}\nThe patch is one request: Oxigraph and Fuseki applied all of it or none of it. Run the "
                            "same kg load --patch again: it checks the store's state first, and says if the patch was "
                            "applied already", transient=exc.transient) from None
    changes = []
    for graph in graphs:
        gone = len(deletes.get(graph, ())) - sum(1 for row in missing if (row.graph or default) == graph)
        came = len(adds.get(graph, ())) - sum(1 for row in present if (row.graph or default) == graph)
        after = count_triples(endpoint, graph)
        if after != before[graph] - gone + came:
            raise EndpointError(f"after the patch, the graph <{graph}> holds {after} triples, not the {before[graph]} before less "
                                f"{gone} deleted plus {came} added = {before[graph] - gone + came}: another client may have "
                                "changed it meanwhile, or the store did not apply the whole request. Check the store's log; "
                                "then reload the graph in full with kg load", transient=False)
        changes.append(GraphChange(graph, before[graph], gone, came, after))
    return PatchReport(patch, tuple(changes), time.monotonic() - started, len(missing) + len(present))
