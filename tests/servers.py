"""Real SPARQL servers for the integration tests, started on 127.0.0.1 with a temporary store
and stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.stores.remote import Endpoint


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def staging_graphs(endpoint: Endpoint, graph: str) -> set[str]:
    """The store's graphs named as staging graphs of graph, in any spelling kg load has used
    (GRAPH-staging before issue 8, GRAPH-staging-ID since)."""
    rows = endpoint.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    return {str(row[0]) for row in rows if str(row[0]).startswith(f"{graph}-staging")}


def oxigraph_binary() -> str:
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    return found


class OxigraphServer:
    """`oxigraph serve` on a free loopback port, with its store in a folder of its own."""

    def __init__(self, location: Path, port: int | None = None):
        self.location = location
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> "OxigraphServer":
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {self.process.stderr.read().decode() if self.process.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer on {self.url} within {timeout} s")

    def kill(self) -> None:
        """Crash the server (SIGKILL): no clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass(frozen=True)
class HeldRequest:
    """A request the proxy kept back, to pass on later."""

    number: int
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Released:
    """A held request as it finally reached the server, with the server's answer."""

    request: HeldRequest
    status: int
    reply: bytes


class FaultProxy:
    """A small HTTP proxy in front of a real server that injects the faults a real server cannot
    be made to produce on cue. `fault(number, method, body)` decides for each request (numbered
    from 1): None to pass it on, "drop" to close the connection without a reply, an int to answer
    with that HTTP status, ("delay", seconds) to wait before passing it on, "lost-reply" to
    pass it on and then drop the upstream's reply, "hold" to keep it back and close the connection
    (the client sees it fail and may retry, while the request is still on its way), or "release"
    to first pass on every held request, in order, and then this one: the held requests reach the
    server late, exactly before this one (their answers go to `released`). `after(number)` runs
    after each request."""

    def __init__(self, upstream: str, fault=None, after=None):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        self.upstream = urlsplit(upstream)
        self.log: list[tuple[int, str, str, object]] = []
        self.held: list[HeldRequest] = []
        self.released: list[Released] = []
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "authorization")}
                with lock:
                    number = len(proxy.log) + 1
                    action = fault(number, self.command, body) if fault else None
                    proxy.log.append((number, self.command, self.path, action))
                try:
                    if action in ("drop", "hold"):
                        if action == "hold":
                            proxy.held.append(HeldRequest(number, self.command, self.path, headers, body))
                        self.close_connection = True
                        return
                    if isinstance(action, int):
                        self._send(action, b"injected fault\n", "text/plain")
                        return
                    if action == "release":
                        proxy.release()
                    if isinstance(action, tuple) and action[0] == "delay":
                        time.sleep(action[1])
                    try:
                        status, data, content_type = proxy.forward(self.command, self.path, headers, body)
                    except OSError:
                        self._send(502, b"upstream unreachable\n", "text/plain")
                        return
                    if action == "lost-reply":
                        self.close_connection = True
                        return
                    self._send(status, data, content_type)
                finally:
                    if after:
                        after(number)

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes, str]:
        """Pass a request on to the server: its status, reply and content type."""
        import http.client

        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            reply = connection.getresponse()
            return reply.status, reply.read(), reply.getheader("Content-Type") or "application/octet-stream"
        finally:
            connection.close()

    def release(self) -> None:
        """Pass the held requests on to the server now, in the order they came."""
        while self.held:
            request = self.held.pop(0)
            status, reply, _ = self.forward(request.method, request.path, request.headers, request.body)
            self.released.append(Released(request, status, reply))

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def actions(self) -> list[object]:
        return [action for _, _, _, action in self.log if action is not None]
