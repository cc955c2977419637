"""kg load under faults: a real Oxigraph server behind a fault-injecting proxy (dropped
connections, 503s, slow replies, lost replies, batches acknowledged but not stored, requests
held back and delivered late), and a server crashed mid-load and restarted.
The store is never left half-written: the target graph holds its previous content or the
whole build, and a failed load says which."""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import Endpoint, EndpointError, Project, build, publish, run_query
from kg.api import BuildResult
from kg.stores.remote import LoadReport, RetryPolicy, count_triples

from conftest import REPO
from servers import FaultProxy, OxigraphServer, staging_graphs

# Real retries and backoff are waited out.
pytestmark = pytest.mark.slow

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


def request_text(body: bytes) -> str:
    """The SPARQL query or update a request sends ('' for a Graph Store request)."""
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return (fields.get("update") or fields.get("query") or [""])[0]


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
    direct = run_query(project, "crossings_timeline", endpoint=Endpoint.resolve(server.url, "oxigraph"), graph=GRAPH)
    assert direct == run_query(project, "crossings_timeline")


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
            return 503 if len(updates) > 2 else None  # two batches pass, then 503s (the clean-up DROP too)
        return None

    with FaultProxy(server.url, fault=fault) as proxy:
        with pytest.raises(EndpointError) as failure:
            publish(project, through(proxy, retry=RetryPolicy(3, 0.1, 0.2)), graph=GRAPH, protocol="update", batch_size=200)
    message = str(failure.value)
    assert "answered HTTP 503: injected fault (after 3 attempts)" in message
    assert f"State of the store: <{GRAPH}> holds {previous.triples_in_store} triples, not the build (its previous content)." in message
    [left] = staging_graphs(direct, GRAPH)
    assert re.fullmatch(re.escape(GRAPH) + "-staging-[0-9a-f]{32}", left)
    assert (f"The staging graph <{left}> holds 400 of the {len(built.graph)} triples: the next load of <{GRAPH}> drops "
            f"it, or DROP SILENT GRAPH <{left}> does. Nothing else was changed. Run the same kg load again to finish.") in message
    assert count_triples(direct, GRAPH) == previous.triples_in_store
    # The next load, with the store healthy, finishes and drops the staging graph left behind.
    assert isinstance(publish(project, direct, graph=GRAPH, protocol="update", batch_size=200), LoadReport)
    assert count_triples(direct, GRAPH) == len(built.graph)
    assert staging_graphs(direct, GRAPH) == set()


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
    assert re.search(f"the staging graph <({re.escape(GRAPH)}-staging-[0-9a-f]{{32}})> may hold part of the build: "
                     f"the next load of <{re.escape(GRAPH)}> drops it, or DROP SILENT GRAPH <\\1> does", message)
    server.start()
    assert count_triples(direct, GRAPH) == previous.triples_in_store, "the crash left the target as it was"
    assert isinstance(publish(project, direct, graph=GRAPH, protocol="update"), LoadReport)
    assert count_triples(direct, GRAPH) == len(built.graph)
    assert staging_graphs(direct, GRAPH) == set()


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


def test_a_late_drop_of_a_staging_graph_cannot_empty_a_later_load(
    project: Project, built: BuildResult, small_build: Project, server: OxigraphServer
) -> None:
    """Issue 8's ordering, made deterministic: the first DROP of a staging graph is held back (its
    connection fails, so the client goes on) and reaches the store in the middle of the next
    load, just before that load's third batch. With one staging graph for every load
    (GRAPH-staging, dropped at the start of each), the late DROP emptied the next load's staging
    graph after two of its batches, and the MOVE put the rest of the build, and only the rest, on
    the target. Each load now stages in a graph of its own, so the late DROP cannot touch it."""
    direct = Endpoint.resolve(server.url, "oxigraph")
    previous = publish(small_build, direct, graph=GRAPH)
    assert isinstance(previous, LoadReport)
    second_load = threading.Event()
    batches = {False: 0, True: 0}  # INSERT DATA requests of the first and of the second load

    def fault(number: int, method: str, body: bytes) -> object:
        if not is_update(method, body):
            return None
        update = request_text(body)
        if update.startswith("DROP") and not proxy.held and not proxy.released:
            return "hold"
        if update.startswith("INSERT DATA"):
            batches[second_load.is_set()] += 1
            if not second_load.is_set() and batches[False] > 2:
                return 503  # the first load gives up after two batches
            if second_load.is_set() and batches[True] == 3:
                return "release"
        return None

    with FaultProxy(server.url, fault=fault) as proxy:
        with pytest.raises(EndpointError):
            publish(project, through(proxy, retry=RetryPolicy(3, 0.1, 0.2)), graph=GRAPH, protocol="update", batch_size=200)
        assert [request_text(request.body).split(" ", 1)[0] for request in proxy.held] == ["DROP"], "a DROP is on its way"
        second_load.set()
        report = publish(project, through(proxy), graph=GRAPH, protocol="update", batch_size=200)
    [late] = proxy.released
    assert request_text(late.request.body).startswith("DROP") and late.status == 204, "the late DROP reached the store"
    assert batches[True] == -(-len(built.graph) // 200)
    assert isinstance(report, LoadReport) and report.triples_in_store == len(built.graph)
    assert count_triples(direct, GRAPH) == len(built.graph)
    direct_rows = run_query(project, "crossings_timeline", endpoint=direct, graph=GRAPH)
    assert direct_rows == run_query(project, "crossings_timeline")
    assert staging_graphs(direct, GRAPH) == set()


def test_a_staging_graph_short_of_the_build_is_not_moved(
    project: Project, built: BuildResult, small_build: Project, server: OxigraphServer
) -> None:
    """The second batch is acknowledged but never stored (the proxy answers 200 without passing
    it on). The staging graph is then a batch short, so it is not moved: the target keeps its
    previous content, and the load drops its staging graph. Before the check, the MOVE put the
    other 1,045 triples on the target."""
    direct = Endpoint.resolve(server.url, "oxigraph")
    previous = publish(small_build, direct, graph=GRAPH)
    assert isinstance(previous, LoadReport)
    updates: list[str] = []

    def fault(number: int, method: str, body: bytes) -> object:
        if is_update(method, body):
            updates.append(request_text(body).split(" ", 1)[0])
            return 200 if updates.count("INSERT") == 2 and updates[-1] == "INSERT" else None
        return None

    with FaultProxy(server.url, fault=fault) as proxy:
        with pytest.raises(EndpointError) as failure:
            publish(project, through(proxy), graph=GRAPH, protocol="update", batch_size=200)
    assert 200 in proxy.actions()
    message = str(failure.value)
    staging = re.search(r"<([^>]*-staging-[0-9a-f]{32})>", message)
    assert staging
    assert message == (
        f"the staging graph <{staging[1]}> holds {len(built.graph) - 200} triples, not the {len(built.graph)} sent, "
        f"so it was not moved onto <{GRAPH}>, which was not touched: the store did not keep every batch it "
        "acknowledged, or a request reached it out of order. Check the store's log\n"
        f"State of the store: <{GRAPH}> holds {previous.triples_in_store} triples, not the build (its previous "
        "content). Nothing else was changed. Run the same kg load again to finish."
    )
    assert "MOVE" not in updates and updates[-1] == "DROP", "no MOVE; the load dropped its staging graph"
    assert count_triples(direct, GRAPH) == previous.triples_in_store
    assert staging_graphs(direct, GRAPH) == set()


@pytest.mark.parametrize(
    ("held", "released", "answer", "left"),
    [
        ("INSERT DATA", "before the MOVE", (204, ""), 0),
        ("INSERT DATA", "after the MOVE", (204, ""), 200),
        ("MOVE", "after the MOVE", (500, "> does not exist"), 0),
    ],
)
def test_a_late_duplicate_of_a_retried_request_leaves_the_target_whole(
    project: Project, built: BuildResult, server: OxigraphServer, held: str, released: str, answer: tuple[int, str], left: int
) -> None:
    """The first INSERT DATA batch, or the MOVE, fails for the client while still on its way; the
    client retries it, and the first attempt reaches the store late: after the count check of the
    staging graph, just before the MOVE, or just after the MOVE. The same triples again change
    nothing; a batch after the MOVE only makes a staging graph the target never sees, and the
    next load drops it; a MOVE after the MOVE finds its source gone and the store refuses it."""
    direct = Endpoint.resolve(server.url, "oxigraph")
    moved = False  # the request passed on just before was a MOVE

    def fault(number: int, method: str, body: bytes) -> object:
        nonlocal moved
        text = request_text(body)
        action: object = None
        if text.startswith(held) and not proxy.held and not proxy.released:
            action = "hold"
        elif proxy.held and (moved if released == "after the MOVE" else text.startswith("MOVE")):
            action = "release"
        moved = text.startswith("MOVE") and action is None
        return action

    with FaultProxy(server.url, fault=fault) as proxy:
        report = publish(project, through(proxy), graph=GRAPH, protocol="update", batch_size=200)
    [late] = proxy.released
    assert request_text(late.request.body).startswith(held)
    assert late.status == answer[0] and answer[1] in late.reply.decode(), "the late request reached the store"
    assert isinstance(report, LoadReport) and report.triples_in_store == len(built.graph)
    assert count_triples(direct, GRAPH) == len(built.graph)
    assert [count_triples(direct, graph) for graph in staging_graphs(direct, GRAPH)] == ([left] if left else [])
    assert isinstance(publish(project, direct, graph=GRAPH, protocol="update"), LoadReport)
    assert staging_graphs(direct, GRAPH) == set(), "the next load drops what a late batch left"
