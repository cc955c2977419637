"""kg load under faults: a real Oxigraph server behind a fault-injecting proxy (dropped
connections, 503s, slow replies, lost replies), and a server crashed mid-load and restarted.
The store is never left half-written: the target graph holds its previous content or the
whole build, and a failed load says which."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import Endpoint, EndpointError, Project, build, publish, run_query
from kg.api import BuildResult
from kg.remote import LoadReport, RetryPolicy, count_triples

from conftest import REPO
from servers import FaultProxy, OxigraphServer

GRAPH = "https://example.org/test/faults"
FAST_RETRIES = RetryPolicy(attempts=5, first_delay=0.2, max_delay=1.0)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path / "store").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A different, smaller build: the 'previous content' of the graph."""
    other = Project(root=REPO, data_dir=REPO / "tests" / "bad_data" / "_base", out_dir=tmp_path_factory.mktemp("small"))
    assert build(other).conforms
    return other


def through(proxy: FaultProxy, timeout: float = 5, retry: RetryPolicy = FAST_RETRIES) -> Endpoint:
    return Endpoint.resolve(proxy.url, "oxigraph", timeout=timeout, retry=retry)


def is_update(method: str, body: bytes) -> bool:
    return method == "POST" and body.startswith(b"update=")


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_transient_faults_are_retried_until_the_load_is_complete(
    project: Project, built: BuildResult, server: OxigraphServer, protocol: str
) -> None:
    faults = {1: "drop", 2: 503, 3: ("delay", 2.5), 5: 502, 7: "drop"}
    with FaultProxy(server.url, fault=lambda n, method, body: faults.get(n)) as proxy:
        report = publish(project, through(proxy, timeout=1), graph=GRAPH, protocol=protocol, batch_size=200)
    assert isinstance(report, LoadReport) and report.triples_in_store == len(built.graph)
    assert count_triples(Endpoint.resolve(server.url, "oxigraph"), GRAPH) == len(built.graph)
    assert set(proxy.actions()) >= {"drop", 503}
    direct = run_query(project, "crossings_by_country", endpoint=Endpoint.resolve(server.url, "oxigraph"), graph=GRAPH)
    assert direct == run_query(project, "crossings_by_country")


def test_a_lost_reply_to_the_move_does_not_lose_the_graph(project: Project, built: BuildResult, server: OxigraphServer) -> None:
    def fault(number: int, method: str, body: bytes) -> object:
        return "lost-reply" if is_update(method, body) and b"MOVE" in body else None

    with FaultProxy(server.url, fault=fault) as proxy:
        report = publish(project, through(proxy), graph=GRAPH, protocol="update", batch_size=300)
    assert "lost-reply" in proxy.actions()
    assert isinstance(report, LoadReport) and report.triples_in_store == len(built.graph)
    assert count_triples(Endpoint.resolve(server.url, "oxigraph"), GRAPH) == len(built.graph)


def test_giving_up_reports_the_state_and_leaves_the_target_intact(
    project: Project, built: BuildResult, small_build: Project, server: OxigraphServer
) -> None:
    direct = Endpoint.resolve(server.url, "oxigraph")
    previous = publish(small_build, direct, graph=GRAPH)
    assert isinstance(previous, LoadReport)
    updates = []

    def fault(number: int, method: str, body: bytes) -> object:
        if is_update(method, body):
            updates.append(number)
            return 503 if len(updates) > 3 else None  # the drop and two batches pass, then 503s
        return None

    with FaultProxy(server.url, fault=fault) as proxy:
        with pytest.raises(EndpointError) as failure:
            publish(project, through(proxy, retry=RetryPolicy(3, 0.1, 0.2)), graph=GRAPH, protocol="update", batch_size=200)
    message = str(failure.value)
    assert "answered HTTP 503: injected fault (after 3 attempts)" in message
    assert f"State of the store: <{GRAPH}> holds {previous.triples_in_store} triples, not the build (its previous content)." in message
    assert f"The staging graph <{GRAPH}-staging> holds 400 of the {len(built.graph)} triples; the next load drops it." in message
    assert count_triples(direct, GRAPH) == previous.triples_in_store
    # The next load, with the store healthy, finishes and clears the staging graph.
    assert isinstance(publish(project, direct, graph=GRAPH, protocol="update", batch_size=200), LoadReport)
    assert count_triples(direct, GRAPH) == len(built.graph)
    assert count_triples(direct, f"{GRAPH}-staging") == 0


def test_server_crashed_mid_load_and_restarted(project: Project, built: BuildResult, small_build: Project, server: OxigraphServer) -> None:
    direct = Endpoint.resolve(server.url, "oxigraph")
    publish(small_build, direct, graph=GRAPH)
    crashed = threading.Event()
    restarted = threading.Event()

    def restart_later() -> None:
        server.start()
        restarted.set()

    def after(number: int) -> None:
        if number == 4 and not crashed.is_set():
            crashed.set()
            server.kill()  # SIGKILL in the middle of the batches
            threading.Timer(1.0, restart_later).start()

    with FaultProxy(server.url, after=after) as proxy:
        report = publish(project, through(proxy, retry=RetryPolicy(8, 0.3, 1.0)), graph=GRAPH, protocol="update", batch_size=100)
    assert crashed.is_set() and restarted.wait(10)
    assert 502 in [action for action in proxy.actions()] or len(proxy.log) > 12
    assert isinstance(report, LoadReport) and report.triples_in_store == len(built.graph)
    assert count_triples(direct, GRAPH) == len(built.graph)


def test_server_down_for_good_then_back(project: Project, built: BuildResult, small_build: Project, server: OxigraphServer) -> None:
    direct = Endpoint.resolve(server.url, "oxigraph")
    previous = publish(small_build, direct, graph=GRAPH)
    assert isinstance(previous, LoadReport)

    def after(number: int) -> None:
        if number == 3:
            server.kill()

    with FaultProxy(server.url, after=after) as proxy:
        with pytest.raises(EndpointError) as failure:
            publish(project, through(proxy, retry=RetryPolicy(3, 0.1, 0.2)), graph=GRAPH, protocol="update", batch_size=100)
    message = str(failure.value)
    assert "answered HTTP 502" in message
    assert f"State of the store: it cannot be reached to check; <{GRAPH}> was not touched" in message
    server.start()
    assert count_triples(direct, GRAPH) == previous.triples_in_store, "the crash left the target as it was"
    assert isinstance(publish(project, direct, graph=GRAPH, protocol="update"), LoadReport)
    assert count_triples(direct, GRAPH) == len(built.graph)
    assert count_triples(direct, f"{GRAPH}-staging") == 0


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (500, "Fix the cause above, then run kg load again"),
        (401, "Check the credentials for this endpoint (KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or netrc)"),
        (403, "The store refused for lack of permission"),
    ],
)
def test_permanent_refusals_are_not_retried(
    project: Project, built: BuildResult, server: OxigraphServer, status: int, hint: str
) -> None:
    def fault(number: int, method: str, body: bytes) -> object:
        return status if method == "PUT" else None

    with FaultProxy(server.url, fault=fault) as proxy:
        with pytest.raises(EndpointError) as failure:
            publish(project, through(proxy), graph=GRAPH, protocol="gsp")
    assert [entry[1] for entry in proxy.log].count("PUT") == 1, "a permanent refusal is not retried"
    message = str(failure.value)
    assert f"answered HTTP {status}: injected fault" in message and "attempts" not in message
    assert hint in message
    assert not failure.value.transient
