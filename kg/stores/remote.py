"""Remote SPARQL endpoints and triple stores, over the standard SPARQL 1.1 protocols.

Each store is reached through a preset (chosen by name from a registry) that holds its
endpoint paths and quirks. Queries go through SPARQLWrapper (POST, SPARQL JSON results);
loads use the Graph Store HTTP Protocol (PUT replaces one named graph in one request) or
SPARQL 1.1 Update in bounded batches into a staging graph of the load's own that is then moved
onto the target.

Credentials come from the environment (KG_ENDPOINT_USER, KG_ENDPOINT_PASSWORD) or from a netrc
file, never from the command line, and never appear in messages.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import http.client
import netrc
import os
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import BASIC, DIGEST, INSERT, JSON, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper import Wrapper as sparqlwrapper_module
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import EndpointError, ToolError, did_you_mean
from kg.progress import Progress, Step
from kg.query.results import ResultTable

T = TypeVar("T")
USER_VARIABLE = "KG_ENDPOINT_USER"
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
DEFAULT_BATCH_SIZE = 5000


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


PRESETS: dict[str, StorePreset] = {
    preset.name: preset
    for preset in (
        StorePreset("oxigraph", "http://127.0.0.1:7878", "/query", "/update", "/store"),
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
        url = self.gsp_url(graph)
        if url is None:
            raise ToolError(f"the {self.preset.name} preset has no Graph Store endpoint; use --protocol update")

        def run() -> None:
            request = urllib.request.Request(
                url, data=body, method="PUT", headers={"Content-Type": self.preset.gsp_content_type}
            )
            with self._opener(url).open(request, timeout=self.timeout) as response:
                response.read()

        self._with_retries(run, _without_query(url))

    def _with_retries(self, action: Callable[[], T], url: str) -> T:
        """Run a request, retrying transient failures (connection refused or dropped, timeouts,
        HTTP 429 and 5xx) with exponential backoff, up to the retry policy's bound. Every request
        retried this way is idempotent: a query, a PUT, or an update whose repetition changes
        nothing (RDF graphs are sets). A first attempt that failed for the client may still reach
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


@dataclass(frozen=True)
class LoadPlan:
    endpoint: Endpoint
    graph: str
    protocol: str  # "gsp" or "update"
    triples: int
    batch_size: int

    @property
    def batches(self) -> int:
        return -(-self.triples // self.batch_size) if self.protocol == "update" else 1

    def describe(self) -> str:
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


def plan_load(endpoint: Endpoint, graph: str, triples: int, protocol: str | None, batch_size: int) -> LoadPlan:
    graph_iri(graph)
    if protocol is None:
        protocol = "gsp" if endpoint.gsp_url(graph) else "update"
    if protocol not in ("gsp", "update"):
        raise ToolError(f"unknown protocol '{protocol}'; use gsp or update")
    if protocol == "gsp" and endpoint.gsp_url(graph) is None:
        raise ToolError(f"the {endpoint.preset.name} preset has no Graph Store endpoint; use --protocol update or --gsp-endpoint URL")
    if protocol == "update" and endpoint.update_url is None:
        raise ToolError(f"the {endpoint.preset.name} preset has no update endpoint; pass --update-endpoint URL")
    if batch_size < 1:
        raise ToolError("--batch-size must be at least 1")
    return LoadPlan(endpoint, graph, protocol, triples, batch_size)


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


def load(plan: LoadPlan, triples: Sequence[ox.Triple], progress: Progress | None = None) -> LoadReport:
    """Replace the plan's graph with these triples, then check the store holds exactly them.
    On failure, the error says what state the store was left in.

    With the update protocol every load fills a staging graph of its own, checks that it holds
    exactly the triples sent, and only then moves it onto the target. A retried request whose
    first attempt reaches the store late (after its retry, even during a later load) changes
    nothing that matters:
    - DROP SILENT GRAPH only ever names a staging graph of an earlier load, or this load's own
      after it failed: no later load stages in it.
    - INSERT DATA puts a batch of this load into its own staging graph again. The graph is a set
      and the build has no blank nodes, so the same triples change nothing, before or after the
      count check; had they blank nodes, the copies would fail the count check. Arriving after
      the MOVE, the batch makes a staging graph that the target never sees and the next load
      of the same graph drops.
    - A count query only reads.
    - MOVE is retried only once a look shows the last attempt has not taken effect; arriving
      late, it finds its source gone, and the store refuses it (SPARQL 1.1 Update lets a store
      refuse a MOVE from a graph that does not exist; Oxigraph and Jena do).
    - A Graph Store PUT carries the whole build in one request; a late one puts the same build."""
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(Step("sent", done, total, "triples"))
    endpoint, expected = plan.endpoint, len(triples)
    staging = new_staging_graph(plan.graph) if plan.protocol == "update" else None
    step = "put" if staging is None else "stage"
    try:
        if staging is None:
            endpoint.put_graph(plan.graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            report(expected, expected)
        else:
            _stage(plan, staging, triples, report)
            step = "move"
            _move_staging(plan, staging, expected)
        step = "count"
        in_store = count_triples(endpoint, plan.graph)
    except EndpointError as exc:
        if staging is not None and step != "count":
            _drop_if_possible(endpoint, staging)
        state = describe_state(plan, staging, step, expected, exc.transient)
        raise EndpointError(f"{exc}\n{state}", transient=exc.transient) from None
    if in_store != expected:
        raise EndpointError(
            f"after loading, the graph <{plan.graph}> holds {in_store} triples, not the {expected} built; "
            "check the store's log, then load again"
        )
    return LoadReport(plan.graph, plan.protocol, expected, in_store, time.monotonic() - started)


def _stage(plan: LoadPlan, staging: str, triples: Sequence[ox.Triple], report: Callable[[int, int], None]) -> None:
    """Drop the staging graphs earlier loads left, send the triples in batches into this load's
    staging graph, and check it holds exactly them: a staging graph short of the build (a batch
    the store acknowledged but did not keep, a request that reached it out of order) is never
    moved onto the target."""
    endpoint, expected = plan.endpoint, len(triples)
    for leftover in leftover_staging_graphs(endpoint, plan.graph):
        endpoint.update(f"DROP SILENT GRAPH {graph_iri(leftover)}")
    for start in range(0, expected, plan.batch_size):
        batch = triples[start : start + plan.batch_size]
        lines = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        endpoint.update(f"INSERT DATA {{ GRAPH {graph_iri(staging)} {{\n{lines}}} }}")
        report(start + len(batch), expected)
    staged = count_triples(endpoint, staging)
    if staged != expected:
        cause = ("the store did not keep every batch it acknowledged, or a request reached it out of order"
                 if staged < expected else "a batch with blank nodes was applied twice")
        raise EndpointError(
            f"the staging graph <{staging}> holds {staged} triples, not the {expected} sent, so it was not moved "
            f"onto <{plan.graph}>, which was not touched: {cause}. Check the store's log"
        )


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


def describe_state(plan: LoadPlan, staging: str | None, step: str, expected: int, transient: bool = True) -> str:
    """What the store holds after a failed load, in words: checked where the store answers."""
    target, staged = _counts(plan, staging)
    again = "Run the same kg load again" if transient else "Fix the cause above, then run kg load again"
    graph = f"<{plan.graph}>"
    if target is None:
        known = {
            "put": f"a Graph Store PUT replaces {graph} in one request, so it holds either its previous content or the whole build",
            "stage": f"{graph} was not touched; the staging graph <{staging}> may hold part of the build: "
                     f"the next load of {graph} drops it, or DROP SILENT GRAPH <{staging}> does",
            "move": f"{graph} holds either its previous content or the whole build (the move is one operation)",
            "count": f"the load went through, but the check that {graph} holds {expected} triples could not be made",
        }[step]
        return f"State of the store: it cannot be reached to check; {known}. {again} when it is back."
    whole = "the whole build" if target == expected else "not the build (its previous content)"
    lines = [f"State of the store: {graph} holds {target} triples, {whole}."]
    if staging and staged:
        lines.append(f"The staging graph <{staging}> holds {staged} of the {expected} triples: "
                     f"the next load of {graph} drops it, or DROP SILENT GRAPH <{staging}> does.")
    if target != expected:
        lines.append(f"Nothing else was changed. {again} to finish.")
    return " ".join(lines)


def count_triples(endpoint: Endpoint, graph: str) -> int:
    table = endpoint.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_iri(graph)} {{ ?s ?p ?o }} }}")
    return int(table.rows[0][0]) if table.rows and table.rows[0][0] is not None else 0
