"""kg serve: the built graph as a local read-only SPARQL endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import Endpoint, EndpointError, Project, run_query
from kg.api import BuildResult
from kg.stores.remote import RetryPolicy

from conftest import REPO
from servers import free_port
from test_remote_oxigraph import normalised
from test_stored_queries import EXPECTED_FILES, case_of

pytestmark = pytest.mark.subprocess  # kg serve runs as a process of its own: SIGTERM stops it


@pytest.fixture(scope="module")
def served(project: Project, built: BuildResult) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--out", str(project.out), "serve", "--port", str(port)],
        env={**os.environ, "KG_ROOT": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).close()
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    yield url, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("expected_file", EXPECTED_FILES, ids=lambda p: p.stem)
def test_served_queries_give_the_embedded_rows(project: Project, served: tuple[str, subprocess.Popen[str]], expected_file: Path) -> None:
    name, params = case_of(expected_file)
    remote = run_query(project, name, params, endpoint=Endpoint.resolve(served[0]))
    assert normalised(remote) == normalised(run_query(project, name, params))


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_updates_are_refused(served: tuple[str, subprocess.Popen[str]], built: BuildResult) -> None:
    url = served[0]
    status, body = request(url, urllib.parse.urlencode({"update": "DROP ALL"}).encode())
    assert (status, body) == (403, "This endpoint is read-only: updates are refused.\n")
    status, body = request(url, b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403
    # An update sent as a query is not valid query syntax.
    status, body = request(url, urllib.parse.urlencode({"query": "DROP ALL"}).encode())
    assert status == 400 and "not valid SPARQL" in body
    status, body = request(url, b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                           {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert (status, body) == (200, f"n\r\n{len(built.graph)}\r\n")


def test_construct_gives_triples(served: tuple[str, subprocess.Popen[str]]) -> None:
    query = "CONSTRUCT { ?p a <https://w3id.org/border-kg/def#District> } WHERE { ?p a <https://w3id.org/border-kg/def#District> }"
    status, body = request(f"{served[0]}?{urllib.parse.urlencode({'query': query})}")
    assert status == 200
    assert len(body.strip().splitlines()) == 25  # districts of the pinned fixture data


def test_unknown_path_and_missing_query(served: tuple[str, subprocess.Popen[str]]) -> None:
    base = served[0].rsplit("/", 1)[0]
    assert request(f"{base}/store")[0] == 404
    status, body = request(served[0])
    assert (status, body) == (400, "Give a SPARQL query in the 'query' parameter.\n")


def test_sigterm_stops_the_server_cleanly(served: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert "read-only at http://127.0.0.1:" in (process.stdout.read() if process.stdout else "")
    with pytest.raises(EndpointError, match="cannot reach"):
        Endpoint.resolve(url, retry=RetryPolicy(attempts=1)).select("ASK {}")
