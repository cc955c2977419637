"""TLS: certificates are verified unless the user turns that off by name (--no-verify-tls)."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator

import pytest

from kg import Endpoint, EndpointError, Project
from kg.api import BuildResult
from kg.stores.remote import RetryPolicy
from kg.stores.serve import make_server

from conftest import run_kg


@pytest.fixture(scope="module")
def https_endpoint(project: Project, built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """kg serve's endpoint behind TLS with a self-signed certificate."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    server = make_server(project.graph_file, "127.0.0.1", 0)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_certificates_are_verified_by_default(https_endpoint: str) -> None:
    with pytest.raises(EndpointError) as failure:
        Endpoint.resolve(https_endpoint, retry=RetryPolicy(attempts=3, first_delay=0.01)).select("ASK {}")
    message = str(failure.value)
    assert f"the TLS certificate of {https_endpoint} could not be verified (self-signed certificate)" in message
    assert "pass --no-verify-tls" in message and "attempts" not in message, "not retried: it will not go away"


def test_verification_is_turned_off_only_by_name(project: Project, https_endpoint: str) -> None:
    table = Endpoint.resolve(https_endpoint, verify_tls=False).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(table.rows[0][0]) > 0
    refused = run_kg("--out", str(project.out), "query", "crossings_by_country", "--endpoint", https_endpoint)
    assert refused.returncode == 3 and "could not be verified" in refused.stderr
    allowed = run_kg("--out", str(project.out), "query", "crossings_by_country", "--format", "csv",
                     "--endpoint", https_endpoint, "--no-verify-tls")
    assert allowed.returncode == 0, allowed.stderr
    assert "kg: warning: TLS certificates are not verified (--no-verify-tls)" in allowed.stderr
    assert "Tajikistan,5,5,1579,," in allowed.stdout
