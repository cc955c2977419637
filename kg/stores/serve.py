"""A local, read-only SPARQL endpoint over the built graph (for YASGUI and other SPARQL tools),
on 127.0.0.1 by default. It speaks the SPARQL 1.1 protocol for queries: GET ?query=..., POST
form-encoded query=..., or POST application/sparql-query; results as SPARQL JSON (default),
CSV, or for CONSTRUCT and DESCRIBE, N-Triples or Turtle. Updates are refused."""

from __future__ import annotations

import io
import sys
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from kg.query.engines import OxigraphEngine, solutions_table
from kg.errors import ToolError
from kg.query.results import to_csv, to_json

MAX_BODY = 1_000_000
PATHS = ("/sparql", "/query")


def make_server(graph_file: Path, host: str, port: int) -> ThreadingHTTPServer:
    engine = OxigraphEngine(graph_file)

    class Handler(BaseHTTPRequestHandler):
        server_version = "border-kg"

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            parts = urllib.parse.urlsplit(self.path)
            if parts.path not in PATHS:
                return self._reply(HTTPStatus.NOT_FOUND, f"Not found: the SPARQL endpoint is {PATHS[0]}\n")
            query = urllib.parse.parse_qs(parts.query).get("query", [None])[0]
            self._answer(query)

        def do_POST(self) -> None:  # noqa: N802
            if urllib.parse.urlsplit(self.path).path not in PATHS:
                return self._reply(HTTPStatus.NOT_FOUND, f"Not found: the SPARQL endpoint is {PATHS[0]}\n")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The query is too large.\n")
            body = self.rfile.read(length).decode("utf-8", "replace")
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type == "application/sparql-update" or "update" in urllib.parse.parse_qs(body):
                return self._reply(HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.\n")
            if content_type == "application/sparql-query":
                return self._answer(body)
            self._answer(urllib.parse.parse_qs(body).get("query", [None])[0])

        def do_OPTIONS(self) -> None:  # noqa: N802 (CORS pre-flight for browser tools)
            self._reply(HTTPStatus.NO_CONTENT, "")

        def _answer(self, query: str | None) -> None:
            if not query:
                return self._reply(HTTPStatus.BAD_REQUEST, "Give a SPARQL query in the 'query' parameter.\n")
            try:
                result = engine.store.query(query)
            except SyntaxError as exc:
                return self._reply(HTTPStatus.BAD_REQUEST, f"The query is not valid SPARQL 1.1: {exc}\n")
            accept = self.headers.get("Accept") or ""
            if isinstance(result, ox.QueryTriples):
                turtle = "text/turtle" in accept
                data = io.BytesIO()
                result.serialize(data, format=ox.RdfFormat.TURTLE if turtle else ox.RdfFormat.N_TRIPLES)
                return self._reply(HTTPStatus.OK, data.getvalue(), "text/turtle" if turtle else "application/n-triples")
            table = solutions_table(result)
            if "text/csv" in accept:
                return self._reply(HTTPStatus.OK, to_csv(table), "text/csv; charset=utf-8")
            self._reply(HTTPStatus.OK, to_json(table), "application/sparql-results+json")

        def _reply(self, status: HTTPStatus, body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    try:
        return ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise ToolError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
