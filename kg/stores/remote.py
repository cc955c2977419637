"""Remote SPARQL endpoints and triple stores, over the standard SPARQL 1.1 protocols.

Each store is reached through a preset (chosen by name from a registry) that holds its
endpoint paths and quirks. Queries go through SPARQLWrapper (POST, SPARQL JSON results);
loads of the build use the Graph Store HTTP Protocol (PUT replaces one named graph in one
request) or SPARQL 1.1 Update in bounded batches into a staging graph of the load's own that is
then moved onto the target. Loads of files (import shards) read them a chunk at a time and send
each chunk in one Graph Store POST (or INSERT DATA) into a staging graph, or, in place, into
the emptied target.

Credentials come from the environment (KG_ENDPOINT_USER, KG_ENDPOINT_PASSWORD) or from a netrc
file, never from the command line, and never appear in messages.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import heapq
import http.client
import itertools
import netrc
import os
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import BASIC, DIGEST, INSERT, JSON, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper import Wrapper as sparqlwrapper_module
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import EndpointError, ToolError, did_you_mean, relative
from kg.progress import Progress, Step
from kg.query.results import ResultTable
from kg.stores.store import opened, rdf_files, rdf_format

T = TypeVar("T")
USER_VARIABLE = "KG_ENDPOINT_USER"
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
DEFAULT_BATCH_SIZE = 5000  # statements per SPARQL Update INSERT DATA request


@dataclass(frozen=True)
class StorePreset:
    """Where a store keeps its SPARQL endpoints, relative to the URL the user gives."""

    name: str
    endpoint_example: str
    query_path: str
    update_path: str | None
    gsp_path: str | None
    gsp_graph_parameter: str = "graph"
    gsp_content_type: str = "application/n-triples"
    auth_scheme: str = BASIC
    # Paths that take the place of the plain ones when credentials are given (Virtuoso).
    authenticated_update_path: str | None = None
    authenticated_gsp_path: str | None = None
    # A query parameter that makes a Graph Store POST skip the store's transaction: Oxigraph's
    # `no_transaction` sends it to its bulk loader, about twice as fast (50k -> 85-100k statements/s
    # here), no longer all-or-nothing. kg load adds it only to the POSTs of files' chunks, whose
    # graph is checked by counting after (and, staged, moved onto the target only then).
    gsp_bulk_parameter: str | None = None


PRESETS: dict[str, StorePreset] = {
    preset.name: preset
    for preset in (
        StorePreset("oxigraph", "http://127.0.0.1:7878", "/query", "/update", "/store", gsp_bulk_parameter="no_transaction"),
        StorePreset("fuseki", "http://127.0.0.1:3030/DATASET", "/query", "/update", "/data"),
        StorePreset(
            "graphdb", "http://127.0.0.1:7200/repositories/REPOSITORY", "", "/statements", "/rdf-graphs/service"
        ),
        StorePreset(
            "virtuoso",
            "http://127.0.0.1:8890",
            "/sparql",
            "/sparql",
            "/sparql-graph-crud",
            gsp_graph_parameter="graph-uri",
            gsp_content_type="text/turtle",  # N-Triples is Turtle; Virtuoso's loader knows Turtle best
            auth_scheme=DIGEST,
            authenticated_update_path="/sparql-auth",
            authenticated_gsp_path="/sparql-graph-crud-auth",
        ),
        # Any other SPARQL 1.1 store: the URL is the query endpoint; name the others explicitly.
        StorePreset("generic", "http://HOST/sparql", "", None, None),
    )
}


@dataclass(frozen=True)
class RetryPolicy:
    """How often a transient failure is retried: attempts in all, and the backoff between them."""

    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        while True:
            yield delay
            delay = min(delay * 2, self.max_delay)


# 500 is not among them: stores such as Virtuoso answer 500 for errors that will not go away
# (no permission, a query over their cost limit), and retrying those only wastes the user's time.
TRANSIENT_HTTP_STATUSES = frozenset({429, 502, 503, 504})
SPARQLWRAPPER_STATUSES = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
                          "EndPointInternalError": 500}


def _classify(exc: Exception, url: str) -> tuple[bool, str]:
    """(is it worth retrying, what to tell the user) for a failed request."""
    if isinstance(exc, SPARQLWrapperException):
        status = SPARQLWRAPPER_STATUSES.get(type(exc).__name__)
        return False, _refusal(url, status, _sparqlwrapper_body(exc))
    if isinstance(exc, urllib.error.HTTPError):
        transient = exc.code in TRANSIENT_HTTP_STATUSES
        return transient, _refusal(url, exc.code, _body(exc))
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, ssl.SSLCertVerificationError):
        return False, (f"the TLS certificate of {url} could not be verified ({exc.reason.verify_message}). "
                       "Fix the certificate, or for a test store you trust pass --no-verify-tls")
    if isinstance(exc, urllib.error.URLError):
        return True, f"cannot reach {url}: {exc.reason}"
    if isinstance(exc, (OSError, http.client.HTTPException)):
        return True, f"the connection to {url} failed: {exc or type(exc).__name__}"
    if isinstance(exc, ValueError):  # a reply cut short is not valid JSON
        return True, f"{url} sent an incomplete reply: {_shorten(str(exc))}"
    raise exc


def _refusal(url: str, status: int | None, body: str) -> str:
    answer = f"{url} answered HTTP {status}" if status else f"{url} refused the request"
    message = f"{answer}: {_shorten(body)}" if body.strip() else answer
    lowered = body.lower()
    if status == 401:
        message += f". Check the credentials for this endpoint ({USER_VARIABLE}/{PASSWORD_VARIABLE} or netrc)"
    elif status == 403 or "permission" in lowered:
        message += (". The store refused for lack of permission: give credentials with update rights "
                    "(for Virtuoso without credentials: GRANT SPARQL_UPDATE TO \"SPARQL\")")
    return message


def _sparqlwrapper_body(exc: SPARQLWrapperException) -> str:
    """The server's reply inside a SPARQLWrapper exception, which holds it as a bytes repr."""
    text = str(exc)
    marker = "Response:\n"
    if marker not in text:
        return ""
    raw = text.split(marker, 1)[1]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)
    origin: str  # where they came from, for messages: never the password itself


def find_credentials(url: str) -> Credentials | None:
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user and password is not None:
        return Credentials(user, password, f"the environment ({USER_VARIABLE}, {PASSWORD_VARIABLE})")
    host = urlsplit(url).hostname or ""
    path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
    if os.path.isfile(path):
        try:
            entry = netrc.netrc(path).authenticators(host)
        except (netrc.NetrcParseError, OSError) as exc:
            raise ToolError(f"cannot read the netrc file {path}: {exc}") from None
        if entry and entry[0] and entry[2] is not None:
            return Credentials(entry[0], entry[2], f"the netrc file {path} (machine {host})")
    return None


@dataclass(frozen=True)
class Endpoint:
    """A store's SPARQL endpoints, resolved from the user's URL and a preset."""

    url: str
    preset: StorePreset
    credentials: Credentials | None
    timeout: float = DEFAULT_TIMEOUT
    update_url_override: str | None = None
    gsp_url_override: str | None = None
    retry: "RetryPolicy" = field(default_factory=lambda: RetryPolicy())
    on_retry: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    verify_tls: bool = True

    @classmethod
    def resolve(
        cls,
        url: str,
        store: str = "generic",
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: "RetryPolicy | None" = None,
        on_retry: Callable[[str], None] | None = None,
        verify_tls: bool = True,
    ) -> "Endpoint":
        if store not in PRESETS:
            hint = did_you_mean(store, PRESETS) or f"Choose one of: {', '.join(PRESETS)}."
            raise ToolError(f"unknown store '{store}'. {hint}")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ToolError(f"the endpoint must be an http(s) URL, not '{url}'")
        if parts.username or parts.password:
            raise ToolError(
                f"put credentials in {USER_VARIABLE}/{PASSWORD_VARIABLE} or a netrc file, not in the endpoint URL"
            )
        return cls(
            url.rstrip("/"), PRESETS[store], find_credentials(url), timeout, update_url, gsp_url,
            retry or RetryPolicy(), on_retry, verify_tls,
        )

    @property
    def query_url(self) -> str:
        return self.url + self.preset.query_path

    @property
    def update_url(self) -> str | None:
        if self.update_url_override:
            return self.update_url_override
        path = self.preset.update_path
        if self.credentials and self.preset.authenticated_update_path:
            path = self.preset.authenticated_update_path
        return None if path is None else self.url + path

    def gsp_url(self, graph: str) -> str | None:
        base = self.gsp_url_override
        if base is None:
            path = self.preset.gsp_path
            if self.credentials and self.preset.authenticated_gsp_path:
                path = self.preset.authenticated_gsp_path
            if path is None:
                return None
            base = self.url + path
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}{urllib.parse.urlencode({self.preset.gsp_graph_parameter: graph})}"

    # -- SPARQL protocol ---------------------------------------------------------------------
    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(int(max(1, self.timeout)))
        if self.credentials:
            wrapper.setHTTPAuth(self.preset.auth_scheme)
            wrapper.setCredentials(self.credentials.user, self.credentials.password)
        return wrapper

    def select(self, query: str, default_graph: str | None = None) -> ResultTable:
        def run() -> dict:
            wrapper = self._wrapper(self.query_url)
            wrapper.setReturnFormat(JSON)
            if default_graph:
                wrapper.addDefaultGraph(default_graph)
            wrapper.setQuery(query)
            # SPARQLWrapper guesses the kind of request from keywords, comments included ("add
            # up" in a header made it send a query as an update): we know which one it is.
            wrapper.queryType = SELECT
            with self._transport():
                return wrapper.query().convert()

        return results_from_json(self._with_retries(run, self.query_url))

    def update(self, update: str) -> None:
        url = self.update_url
        if url is None:
            raise ToolError(f"the {self.preset.name} preset has no update endpoint; pass --update-endpoint URL")

        def run() -> None:
            wrapper = self._wrapper(url)
            wrapper.setQuery(update)
            wrapper.queryType = INSERT  # any update keyword: it makes SPARQLWrapper send update=
            with self._transport():
                wrapper.query().response.read()

        self._with_retries(run, url)

    def put_graph(self, graph: str, body: bytes) -> None:
        """Graph Store protocol PUT: replaces the graph with the body, in one request."""
        self._send_graph("PUT", graph, body)

    def post_graph(self, graph: str, body: bytes, *, bulk: bool = False) -> None:
        """Graph Store protocol POST: adds the body's statements to the graph (made if missing);
        bulk: by the store's bulk loader, outside a transaction, where the preset knows how."""
        self._send_graph("POST", graph, body, self.preset.gsp_bulk_parameter if bulk else None)

    def _send_graph(self, method: str, graph: str, body: bytes, flag: str | None = None) -> None:
        url = self.gsp_url(graph)
        if url is None:
            raise ToolError(f"the {self.preset.name} preset has no Graph Store endpoint; use --protocol update")
        if flag:
            url += f"&{flag}"

        def run() -> None:
            request = urllib.request.Request(
                url, data=body, method=method, headers={"Content-Type": self.preset.gsp_content_type}
            )
            with self._opener(url).open(request, timeout=self.timeout) as response:
                response.read()

        self._with_retries(run, _without_query(url))

    def _with_retries(self, action: Callable[[], T], url: str) -> T:
        """Run a request, retrying transient failures (connection refused or dropped, timeouts,
        HTTP 429 and 5xx) with exponential backoff, up to the retry policy's bound. Every request
        retried this way is idempotent: a query, a PUT, a POST or an update whose repetition
        changes nothing (RDF graphs are sets). A first attempt that failed for the client may still reach
        the store after the retry; why that too changes nothing is told at load()."""
        delays = self.retry.delays()
        attempt = 1
        while True:
            try:
                return action()
            except Exception as exc:  # classified below; anything unknown is re-raised
                transient, message = _classify(exc, url)
                if not transient or attempt >= self.retry.attempts:
                    tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                    raise EndpointError(message + tries, transient=transient) from None
                delay = next(delays)
                if self.on_retry:
                    self.on_retry(f"{message}; retrying in {delay:.1f} s (attempt {attempt + 1} of {self.retry.attempts})")
                time.sleep(delay)
                attempt += 1

    def _opener(self, url: str) -> urllib.request.OpenerDirector:
        """An opener with this endpoint's TLS setting and, if there are credentials, its auth."""
        handlers: list[urllib.request.BaseHandler] = []
        if not self.verify_tls:
            handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
        if self.credentials:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.credentials.user, self.credentials.password)
            handlers.append(
                urllib.request.HTTPDigestAuthHandler(manager)
                if self.preset.auth_scheme == DIGEST
                else urllib.request.HTTPBasicAuthHandler(manager)
            )
        return urllib.request.build_opener(*handlers)

    @contextlib.contextmanager
    def _transport(self) -> Iterator[None]:
        """SPARQLWrapper sends requests with a module-level urlopen; while it does, route them
        through this endpoint's opener (same TLS setting and authentication as the Graph Store
        requests). Without --no-verify-tls nothing changes: certificates are verified."""
        if self.verify_tls:
            yield
            return
        original = sparqlwrapper_module.urlopener
        opener = self._opener(self.url)
        sparqlwrapper_module.urlopener = lambda request, timeout=None: opener.open(request, timeout=timeout)
        try:
            yield
        finally:
            sparqlwrapper_module.urlopener = original


class RemoteEngine:
    """A remote endpoint behind the same interface as the embedded engines."""

    name = "remote"

    def __init__(self, endpoint: Endpoint, default_graph: str | None = None):
        self.endpoint = endpoint
        self.default_graph = default_graph

    def query(self, sparql: str) -> ResultTable:
        return self.endpoint.select(sparql, self.default_graph)


def results_from_json(document: dict) -> ResultTable:
    """SPARQL 1.1 JSON results -> ResultTable, also reading Virtuoso's 'typed-literal'."""
    if "boolean" in document:
        return ResultTable.ask(bool(document["boolean"]))
    variables = tuple(document["head"]["vars"])
    rows = tuple(
        tuple(_term(binding.get(var)) for var in variables) for binding in document["results"]["bindings"]
    )
    return ResultTable(variables, rows)


def _term(value: dict | None) -> Node | None:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    if "datatype" in value:
        return Literal(value["value"], datatype=URIRef(value["datatype"]))
    return Literal(value["value"])


def graph_iri(iri: str) -> str:
    """The graph IRI, checked and written as a SPARQL term by the RDF library."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise ToolError(f"'{iri}' is not a valid graph IRI: {exc}") from None


def _body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace")
    except OSError:
        return error.reason or ""


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


# -- loading -------------------------------------------------------------------------------

# Statements per Graph Store POST when loading files. Oxigraph's server holds each request's
# transaction in memory and slows down as it grows: 273k statements went in at ~50k statements/s
# in POSTs of 100k-250k, against ~17k/s as one PUT; emptying a graph of as many took 12 s as one
# DROP and 5 s in DELETEs of 50k (bench/README.md has the figures).
DEFAULT_GSP_BATCH_SIZE = 250_000


@dataclass(frozen=True)
class Chunk:
    """Statements in N-Triples, sent in one request. A chunk of a file keeps the file's blank and
    comment lines, so line n of the body is line first_line + n - 1 of the file."""

    body: bytes
    statements: int
    file: Path | None = None  # None: the built graph
    first_line: int = 1

    def line_of(self, body_line: int) -> str:
        return f"{relative(self.file)}:{self.first_line + body_line - 1}" if self.file else f"the build, statement {body_line}"


class StatementSource(Protocol):
    """What kg load sends: the built graph, or the statements of files read a chunk at a time."""

    @property
    def noun(self) -> str: ...  # what the statements are called in messages: "build" or "load"

    @property
    def total(self) -> int | None: ...  # statements to send, when known before reading them

    def describe(self) -> str: ...

    def chunks(self, size: int) -> Iterator[Chunk]: ...

    def distinct(self) -> int: ...  # statements, each counted once however often it is written


@dataclass(frozen=True)
class BuiltTriples:
    """The built graph's triples, held in memory (the curated build is small)."""

    triples: Sequence[ox.Triple]
    noun: str = "build"

    @property
    def total(self) -> int:
        return len(self.triples)

    def describe(self) -> str:
        return f"{len(self.triples)} triples"

    def chunks(self, size: int) -> Iterator[Chunk]:
        for start in range(0, len(self.triples), size):
            batch = self.triples[start : start + size]
            yield Chunk(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), len(batch))

    def distinct(self) -> int:
        return len(set(self.triples))


READ_BLOCK = 1 << 22  # bytes of a file read (decompressed) at a time


@dataclass(frozen=True)
class StatementFiles:
    """The statements of RDF files (shard folders of kg import, or N-Triples/Turtle files),
    read a chunk at a time: memory holds one chunk, never the files. N-Triples lines are sent as
    they are; other triple formats are parsed and written as N-Triples."""

    files: tuple[Path, ...]
    total: int | None  # from the import manifests, when they list every file
    noun: str = "load"

    @classmethod
    def read(cls, paths: Sequence[Path], counts: Callable[[Sequence[Path]], Mapping[Path, int]] | None = None) -> "StatementFiles":
        """The files of paths (folders of shards, or files); counts, if given, tells the
        statements of the files it knows (the import manifests: kg.api reads them)."""
        files = tuple(rdf_files(list(paths)))
        for file in files:
            if rdf_format(file).supports_datasets:
                raise ToolError(f"{relative(file)} holds N-Quads (statements in graphs of their own), and kg load fills the "
                                "one graph --graph names. Import with --format ntriples (the default), or load the file with "
                                "the store's own loader")
        known = counts(files) if counts is not None else {}
        total = sum(known[file] for file in files) if all(file in known for file in files) else None
        return cls(files, total)

    def describe(self) -> str:
        counted = f" ({self.total} statements by the import manifest)" if self.total is not None else ""
        return f"the statements of {len(self.files)} file(s){counted}"

    def chunks(self, size: int) -> Iterator[Chunk]:
        for file in self.files:
            if rdf_format(file) == ox.RdfFormat.N_TRIPLES:
                yield from _ntriples_chunks(file, size)
            else:
                yield from _parsed_chunks(file, size)

    def distinct(self) -> int:
        """Each statement counted once, the same statement in several files or lines too: hashes
        of the statements, sorted a chunk at a time and merged (8 bytes a statement in memory).
        N-Triples lines are compared as written (kg import writes each statement one way)."""
        runs = []
        for chunk in self.chunks(DEFAULT_GSP_BATCH_SIZE):
            statements = (line.strip() for line in chunk.body.split(b"\n"))
            runs.append(array("q", sorted({hash(line) for line in statements if line and not line.startswith(b"#")})))
        return sum(1 for _ in itertools.groupby(heapq.merge(*runs)))


def _ntriples_chunks(file: Path, size: int) -> Iterator[Chunk]:
    """The file's lines in chunks of at most size lines, as written."""
    with opened(file) as handle:
        lines: list[bytes] = []
        first_line, rest = 1, b""
        while True:
            block = handle.read(READ_BLOCK)
            if block:
                pieces = (rest + block).split(b"\n")
                rest = pieces.pop()
            else:
                pieces, rest = ([rest] if rest.strip() else []), b""
            for line in pieces:
                lines.append(line)
                if len(lines) == size:
                    yield _checked_chunk(file, first_line, lines)
                    first_line += len(lines)
                    lines = []
            if not block:
                break
        if lines:
            yield _checked_chunk(file, first_line, lines)


def _checked_chunk(file: Path, first_line: int, lines: list[bytes]) -> Chunk:
    body = b"\n".join(lines) + b"\n"
    statements = sum(1 for line in lines if line.strip() and not line.lstrip().startswith(b"#"))
    chunk = Chunk(body, statements, file, first_line)
    if b"_:" in body:
        for number, line in enumerate(lines, 1):
            if b"_:" in line and any(isinstance(term, ox.BlankNode) for quad in _parse_line(chunk, number, line)
                                     for term in (quad.subject, quad.object)):
                raise ToolError(f"{chunk.line_of(number)}: the statement has a blank node. kg load sends the files in "
                                "several requests, and a blank node's label names one node only within one request, "
                                "so the store would split it. Give the node an IRI (skolemize the file)")
    return chunk


def _parse_line(chunk: Chunk, number: int, line: bytes) -> list[ox.Quad]:
    try:
        return list(ox.parse(line + b"\n", format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise ToolError(f"{chunk.line_of(number)}: the statement cannot be read: {exc}. Fix or remove the line, then run "
                        "kg load again") from None


def _parsed_chunks(file: Path, size: int) -> Iterator[Chunk]:
    """A Turtle (or other triple format) file, parsed and written as N-Triples, size triples a chunk."""
    with opened(file) as handle:
        batch: list[ox.Triple] = []
        try:
            for quad in ox.parse(handle, format=rdf_format(file)):
                if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                    raise ToolError(f"{relative(file)}: a statement has a blank node ({quad.triple}). kg load sends the files "
                                    "in several requests, and a blank node's label names one node only within one request. "
                                    "Give the node an IRI (skolemize the file)")
                batch.append(quad.triple)
                if len(batch) == size:
                    yield Chunk(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), len(batch), file)
                    batch = []
        except SyntaxError as exc:
            raise ToolError(f"{relative(file)}: cannot be read: {exc}. Fix the file, then run kg load again") from None
    if batch:
        yield Chunk(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), len(batch), file)


def syntax_error_in(chunk: Chunk) -> str | None:
    """Where the chunk has a statement the store cannot read, and why, if it has one."""
    try:
        for _ in ox.parse(chunk.body, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        reason = re.sub(r"^Parser error (at|between) line .*?: ", "", exc.msg)  # positions within the chunk, not the file
        return f"{chunk.line_of(exc.lineno or 1)}: the statement cannot be read: {reason}"
    return None


@dataclass(frozen=True)
class LoadPlan:
    endpoint: Endpoint
    graph: str
    protocol: str  # "gsp" or "update"
    triples: int | None  # None: files whose statements are counted while sending them
    batch_size: int
    source: str = ""  # what is loaded, in words; "" for the build
    in_place: bool = False  # fill the graph itself, without a staging graph (files only)

    @property
    def batches(self) -> int:
        return -(-(self.triples or 0) // self.batch_size) if self.protocol == "update" else 1

    def describe(self) -> str:
        if self.source:
            return self._describe_files()
        lines = [f"Would load {self.triples} triples into the graph <{self.graph}>"]
        if self.protocol == "gsp":
            url = self.endpoint.gsp_url(self.graph) or "?"
            lines.append(f"  PUT {_without_query(url)} ({self.endpoint.preset.gsp_graph_parameter}=<{self.graph}>), "
                         f"{self.endpoint.preset.gsp_content_type}, replacing the graph in one request")
        else:
            staging = f"<{self.graph}{STAGING_INFIX}ID>"
            lines.append(f"  POST {self.endpoint.update_url}: DROP the staging graphs {staging} that earlier loads left,")
            lines.append(f"  then {self.batches} INSERT DATA batch(es) of at most {self.batch_size} triples into a staging "
                         f"graph {staging} of this load's own (ID: 32 random hex digits, new for every load),")
            lines.append(f"  check that it holds {self.triples} triples, then MOVE it onto <{self.graph}>")
        return self._describe_end(lines)

    def _describe_files(self) -> str:
        bulk = self.endpoint.preset.gsp_bulk_parameter
        requests = (f"Graph Store POSTs to {_without_query(self.endpoint.gsp_url(self.graph) or '?')} of at most "
                    f"{self.batch_size} statements{f' (with {bulk}: the store bulk-loads each)' if bulk else ''}"
                    if self.protocol == "gsp" else
                    f"INSERT DATA requests to {self.endpoint.update_url} of at most {self.batch_size} statements")
        lines = [f"Would load {self.source} into the graph <{self.graph}>, reading them a chunk at a time"]
        if self.in_place:
            lines.append(f"  POST {self.endpoint.update_url}: empty <{self.graph}> in DELETE requests of at most "
                         f"{self.batch_size} statements (from here on the graph holds part of the load until it ends),")
            lines.append(f"  then {requests} into <{self.graph}> itself")
        else:
            staging = f"<{self.graph}{STAGING_INFIX}ID>"
            lines.append(f"  POST {self.endpoint.update_url}: DROP the staging graphs {staging} that earlier loads left,")
            lines.append(f"  then {requests} into a staging graph {staging} of this load's own,")
            lines.append(f"  check that it holds every statement sent, then MOVE it onto <{self.graph}> (one operation; on "
                         "Oxigraph slow for millions of statements: see --in-place)")
        return self._describe_end(lines)

    def _describe_end(self, lines: list[str]) -> str:
        lines.append(f"  then count the triples of <{self.graph}> at {self.endpoint.query_url}")
        credentials = self.endpoint.credentials
        lines.append(f"  credentials: {'from ' + credentials.origin if credentials else 'none'}")
        return "\n".join(lines)


@dataclass(frozen=True)
class LoadReport:
    graph: str
    protocol: str
    triples_sent: int
    triples_in_store: int
    seconds: float


def plan_load(endpoint: Endpoint, graph: str, source: StatementSource, protocol: str | None, batch_size: int | None,
              in_place: bool = False) -> LoadPlan:
    graph_iri(graph)
    files = isinstance(source, StatementFiles)
    if protocol is None:
        protocol = "gsp" if endpoint.gsp_url(graph) else "update"
    if protocol not in ("gsp", "update"):
        raise ToolError(f"unknown protocol '{protocol}'; use gsp or update")
    if protocol == "gsp" and endpoint.gsp_url(graph) is None:
        raise ToolError(f"the {endpoint.preset.name} preset has no Graph Store endpoint; use --protocol update or --gsp-endpoint URL")
    if (protocol == "update" or files) and endpoint.update_url is None:
        needs = "" if protocol == "update" else " (loading files, to empty the graph or move the staging graph onto it)"
        raise ToolError(f"the {endpoint.preset.name} preset has no update endpoint{needs}; pass --update-endpoint URL")
    if in_place and not files:
        raise ToolError("--in-place goes with files to load (kg load PATH...); the build is small enough to stage")
    if batch_size is None:
        batch_size = DEFAULT_GSP_BATCH_SIZE if files and protocol == "gsp" else DEFAULT_BATCH_SIZE
    if batch_size < 1:
        raise ToolError("--batch-size must be at least 1")
    return LoadPlan(endpoint, graph, protocol, source.total, batch_size, source.describe() if files else "", in_place)


# A staging graph is named <GRAPH>-staging-<32 hex digits>: the target's IRI, this infix and a
# random UUID, new for every load. Only kg load makes graphs of this form.
STAGING_INFIX = "-staging-"


def new_staging_graph(graph: str) -> str:
    """A staging graph for one load of graph, named by no earlier attempt or earlier load."""
    return f"{graph}{STAGING_INFIX}{uuid.uuid4().hex}"


def leftover_staging_graphs(endpoint: Endpoint, graph: str) -> list[str]:
    """The staging graphs of graph that earlier loads left in the store: a load killed on the
    way, a store down when a failed load dropped its own, a late batch that came after the MOVE.
    `GRAPH ?g {}` lists the store's graphs without reading their triples (Oxigraph, Jena); a
    store that does not implement it (reported of Virtuoso and RDF4J) lists none, and its
    leftovers stay until dropped by hand (the error of a load that leaves one names it).
    `GRAPH ?g { ?s ?p ?o }` would find them there too, but reads the whole store on every load:
    2.8 s for a million triples on Oxigraph, against 0.01 s."""
    prefix = graph + STAGING_INFIX
    table = endpoint.select(f"SELECT ?g WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}")
    named = re.compile(re.escape(prefix) + "[0-9a-f]{32}")
    return sorted(str(row[0]) for row in table.rows if row[0] is not None and named.fullmatch(str(row[0])))


def load(plan: LoadPlan, source: StatementSource, progress: Progress | None = None) -> LoadReport:
    """Replace the plan's graph with the source's statements, then check the store holds exactly
    them. On failure, the error says what state the store was left in.

    The build by the Graph Store protocol goes in one PUT. Otherwise every load fills a staging
    graph of its own (INSERT DATA batches, or Graph Store POSTs of files' chunks), checks that it
    holds exactly the statements sent, and only then moves it onto the target; or, in place
    (files only), empties the target in bounded DELETEs and fills it, which leaves the target
    holding part of the load if it fails on the way (the error says so, with the count). Files
    are read a chunk at a time: memory holds one chunk. A retried request whose first attempt
    reaches the store late (after its retry, even during a later load) changes nothing that matters:
    - DROP SILENT GRAPH only ever names a staging graph of an earlier load, or this load's own
      after it failed: no later load stages in it.
    - INSERT DATA or POST puts a batch of this load into its graph again. The graph is a set and
      the statements have no blank nodes (files with them are refused), so the same triples
      change nothing, before or after the count check. Arriving after the MOVE, the batch makes
      a staging graph that the target never sees and the next load of the same graph drops.
    - A count query only reads.
    - MOVE is retried only once a look shows the last attempt has not taken effect; arriving
      late, it finds its source gone, and the store refuses it (SPARQL 1.1 Update lets a store
      refuse a MOVE from a graph that does not exist; Oxigraph and Jena do).
    - A Graph Store PUT carries the whole build in one request; a late one puts the same build.
    - In place, a late DELETE batch would remove statements already loaded: the count check
      after catches it, and the error says to load again."""
    started = time.monotonic()
    total = source.total

    def report(done: int) -> None:
        if progress is not None:
            progress(Step("sent", done, total, "triples"))
    endpoint = plan.endpoint
    whole = source if plan.protocol == "gsp" and isinstance(source, BuiltTriples) else None
    staging = None if whole is not None or plan.in_place else new_staging_graph(plan.graph)
    step, expected = ("put" if whole is not None else "clear" if plan.in_place else "stage"), total
    try:
        if whole is not None:
            endpoint.put_graph(plan.graph, ox.serialize(whole.triples, format=ox.RdfFormat.N_TRIPLES))
            report(whole.total)
        elif staging is not None:
            for leftover in leftover_staging_graphs(endpoint, plan.graph):
                endpoint.update(f"DROP SILENT GRAPH {graph_iri(leftover)}")
            expected = _fill(plan, staging, source, report)
            step = "move"
            _move_staging(plan, staging, expected)
        else:
            _empty_in_batches(plan)
            step = "fill"
            expected = _fill(plan, plan.graph, source, report)  # counted there: the graph holds them
        step = "count"
        in_store = expected if plan.in_place else count_triples(endpoint, plan.graph)
    except EndpointError as exc:
        if staging is not None and step != "count":
            _drop_if_possible(endpoint, staging)
        state = describe_state(plan, staging, step, expected, exc.transient, source.noun)
        raise EndpointError(f"{exc}\n{state}", transient=exc.transient) from None
    assert expected is not None  # counted while sending
    if in_store != expected:
        sent = "built" if isinstance(source, BuiltTriples) else "sent"
        raise EndpointError(
            f"after loading, the graph <{plan.graph}> holds {in_store} triples, not the {expected} {sent}; "
            "check the store's log, then load again"
        )
    return LoadReport(plan.graph, plan.protocol, expected, in_store, time.monotonic() - started)


def _fill(plan: LoadPlan, graph: str, source: StatementSource, report: Callable[[int], None]) -> int:
    """Send the source's statements into graph in batches, then check it holds exactly them: a
    graph short of them (a batch the store acknowledged but did not keep, a request that reached
    it out of order) is never moved onto the target. The statements it holds, each once."""
    endpoint, sent = plan.endpoint, 0
    for chunk in source.chunks(plan.batch_size):
        try:
            if plan.protocol == "gsp":
                endpoint.post_graph(graph, chunk.body, bulk=True)
            else:
                endpoint.update(f"INSERT DATA {{ GRAPH {graph_iri(graph)} {{\n{chunk.body.decode('utf-8')}}} }}")
        except EndpointError as exc:
            where = None if exc.transient else syntax_error_in(chunk)
            if where is None:
                raise
            last = chunk.first_line + chunk.body.count(b"\n") - 1
            request = f"lines {chunk.first_line}-{last} of the file" if chunk.file else "it"
            raise EndpointError(f"{where}. The store refused the request holding {request}; fix or remove the line, then "
                                "run kg load again", transient=False) from None
        sent += chunk.statements
        report(sent)
    held = count_triples(endpoint, graph)
    if held == sent or (held < sent and held == source.distinct()):
        return held
    expected = source.distinct()
    if graph == plan.graph:
        raise EndpointError(f"the graph <{graph}> holds {held} triples, not the {expected} sent: the store did not keep "
                            "every batch it acknowledged, or a request reached it out of order. Check the store's log")
    cause = ("the store did not keep every batch it acknowledged, or a request reached it out of order"
             if held < expected else "a batch with blank nodes was applied twice")
    raise EndpointError(
        f"the staging graph <{graph}> holds {held} triples, not the {expected} sent, so it was not moved "
        f"onto <{plan.graph}>, which was not touched: {cause}. Check the store's log"
    )


def _empty_in_batches(plan: LoadPlan) -> None:
    """Empty the target in DELETE requests of at most batch_size statements each: stores that
    hold a request's transaction in memory (Oxigraph) drop a large graph faster so, and within
    bounded memory."""
    target = graph_iri(plan.graph)
    delete = (f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{ SELECT ?s ?p ?o WHERE {{ GRAPH {target} "
              f"{{ ?s ?p ?o }} }} LIMIT {plan.batch_size} }}")
    while plan.endpoint.select(f"ASK {{ GRAPH {target} {{ ?s ?p ?o }} }}").boolean:
        plan.endpoint.update(delete)


def _move_staging(plan: LoadPlan, staging: str, expected: int) -> None:
    """MOVE the staging graph onto the target. Not blindly retried: had a first MOVE succeeded
    but its reply been lost, a second MOVE (of a now missing graph) must not touch the target.
    So after a failure, look: if the target already holds the build, the move happened."""
    once = dataclasses.replace(plan.endpoint, retry=RetryPolicy(attempts=1))
    move = f"MOVE GRAPH {graph_iri(staging)} TO GRAPH {graph_iri(plan.graph)}"
    delays = plan.endpoint.retry.delays()
    for attempt in range(1, plan.endpoint.retry.attempts + 1):
        try:
            once.update(move)
            return
        except EndpointError:
            if attempt == plan.endpoint.retry.attempts:
                raise
            time.sleep(next(delays))
            target, staged = _counts(plan, staging)
            if target == expected and staged == 0:
                return


def _probe(endpoint: Endpoint) -> Endpoint:
    """The endpoint for a quick look after a failure: one attempt, a short timeout."""
    return dataclasses.replace(endpoint, retry=RetryPolicy(attempts=1), timeout=min(endpoint.timeout, 10))


def _drop_if_possible(endpoint: Endpoint, staging: str) -> None:
    """After a failed load, drop its staging graph if the store answers; else the next load does."""
    with contextlib.suppress(EndpointError):
        _probe(endpoint).update(f"DROP SILENT GRAPH {graph_iri(staging)}")


def _counts(plan: LoadPlan, staging: str | None) -> tuple[int | None, int | None]:
    """Triples in the target and staging graphs, or None where the store cannot say now."""
    once = _probe(plan.endpoint)
    counts: list[int | None] = []
    for graph in (plan.graph, staging):
        try:
            counts.append(count_triples(once, graph) if graph else 0)
        except EndpointError:
            counts.append(None)
    return counts[0], counts[1]


def describe_state(plan: LoadPlan, staging: str | None, step: str, expected: int | None, transient: bool = True,
                   noun: str = "build") -> str:
    """What the store holds after a failed load, in words: checked where the store answers."""
    target, staged = _counts(plan, staging)
    again = "Run the same kg load again" if transient else "Fix the cause above, then run kg load again"
    graph = f"<{plan.graph}>"
    if step in ("clear", "fill"):
        held = (f"what the DELETEs left of its previous content" if step == "clear" else
                f"part of the {noun}, not its previous content")
        if target is None:
            return (f"State of the store: it cannot be reached to check; {graph} may hold {held}: --in-place empties the "
                    f"graph, then fills it. {again} when it is back.")
        return (f"State of the store: {graph} holds {target} triples: {held}: --in-place empties the graph, then fills "
                f"it. {again} to finish.")
    if target is None:
        known = {
            "put": f"a Graph Store PUT replaces {graph} in one request, so it holds either its previous content or the whole build",
            "stage": f"{graph} was not touched; the staging graph <{staging}> may hold part of the {noun}: "
                     f"the next load of {graph} drops it, or DROP SILENT GRAPH <{staging}> does",
            "move": f"{graph} holds either its previous content or the whole {noun} (the move is one operation)",
            "count": f"the load went through, but the check that {graph} holds {expected} triples could not be made",
        }[step]
        return f"State of the store: it cannot be reached to check; {known}. {again} when it is back."
    whole = f"the whole {noun}" if target == expected else f"not the {noun} (its previous content)"
    lines = [f"State of the store: {graph} holds {target} triples, {whole}."]
    if staging and staged:
        of = f" of the {expected}" if expected is not None else ""
        lines.append(f"The staging graph <{staging}> holds {staged}{of} triples: "
                     f"the next load of {graph} drops it, or DROP SILENT GRAPH <{staging}> does.")
    if target != expected:
        lines.append(f"Nothing else was changed. {again} to finish.")
    return " ".join(lines)


def count_triples(endpoint: Endpoint, graph: str) -> int:
    table = endpoint.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_iri(graph)} {{ ?s ?p ?o }} }}")
    return int(table.rows[0][0]) if table.rows and table.rows[0][0] is not None else 0
