"""kg load PATH...: shard folders and N-Triples files loaded into a real Oxigraph server a chunk
at a time, with the guarantees of the build's load (staging graph, count check, the state told
on failure) or, --in-place, filling the graph itself."""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from kg import Endpoint, Project, ToolError, publish
from kg.api import BuildResult
from kg.errors import EndpointError
from kg.importers.acled.manifest import Manifest, file_sha256
from kg.importers.acled.shards import ShardEntry
from kg.progress import Step
from kg.stores import remote
from kg.stores.remote import LoadReport, count_triples

from conftest import run_kg
from servers import FaultProxy, OxigraphServer, staging_graphs
from test_remote_oxigraph import endpoint, server  # noqa: F401 (the fixtures: a server for this module)

EX = "https://example.org/shard/"


def statement(number: int) -> str:
    return f'<{EX}e{number}> <{EX}value> "{number} \\"quoted\\" é"@en .'


def write_shards(folder: Path, shards: list[list[str]], manifest: bool = True) -> list[Path]:
    """Gzip N-Triples shards kg-00001.nt.gz... (and the manifest kg import writes beside them)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, lines in enumerate(shards, 1):
        file = folder / f"kg-{number:05d}.nt.gz"
        file.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode("utf-8")))
        files.append(file)
    if manifest:
        entries = tuple(ShardEntry(file.name, sum(1 for line in lines if line.strip() and not line.startswith("#")), file_sha256(file))
                        for file, lines in zip(files, shards))
        (folder / "manifest.json").write_text(Manifest(f"<{EX}dataset>", "test", "events.csv", "0" * 64, 0, 0, "test", "ntriples",
                                                       entries, 0, "0" * 64, "test").to_json())
    return files


def triples_in(endpoint: Endpoint, graph: str) -> set[tuple[str, str, str]]:
    rows = endpoint.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    return {(str(s), str(p), o.n3()) for s, p, o in rows}


def expected_triples(lines: list[str]) -> set[tuple[str, str, str]]:
    from rdflib import Graph

    graph = Graph().parse(data="\n".join(lines), format="nt")
    return {(str(s), str(p), o.n3()) for s, p, o in graph}


# Three shards; the second repeats a statement of the first (as the shards of a parallel import
# do), and holds a comment and a blank line.
SHARDS = [[statement(n) for n in range(0, 23)],
          ["# a comment", statement(5), *(statement(n) for n in range(23, 40)), ""],
          [statement(n) for n in range(40, 51)]]
ALL_LINES = [line for shard in SHARDS for line in shard if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("protocol,in_place", [("gsp", False), ("gsp", True), ("update", False)])
def test_a_shard_folder_loaded_in_several_chunks_gives_exactly_its_statements(
    project: Project, endpoint: Endpoint, tmp_path: Path, protocol: str, in_place: bool
) -> None:
    graph = f"{EX}graph/{protocol}-{in_place}"
    folder = tmp_path / "import"
    write_shards(folder, SHARDS)
    publish(project, endpoint, graph=graph, inputs=[write_shards(tmp_path / "before", [[statement(1000)]])[0]])
    steps: list[Step] = []
    report = publish(project, endpoint, graph=graph, inputs=[folder], protocol=protocol, batch_size=7,
                     in_place=in_place, progress=steps.append)
    assert isinstance(report, LoadReport)
    assert triples_in(endpoint, graph) == expected_triples(ALL_LINES)
    assert report.triples_in_store == report.triples_sent == 51 == count_triples(endpoint, graph)
    # The manifest counts 52 statements (one twice): a step after each chunk of at most 7 lines.
    done = [step.done for step in steps]
    assert done == sorted(done) and done[-1] == 52 and len(done) >= 52 // 7
    assert {(step.action, step.total, step.unit) for step in steps} == {("sent", 52, "triples")}
    assert staging_graphs(endpoint, graph) == set()


def test_files_without_a_manifest_load_with_progress_but_no_total(
    project: Project, endpoint: Endpoint, tmp_path: Path
) -> None:
    graph = f"{EX}graph/no-manifest"
    files = write_shards(tmp_path / "plain", SHARDS, manifest=False)
    steps: list[Step] = []
    report = publish(project, endpoint, graph=graph, inputs=files, batch_size=20, progress=steps.append)
    assert isinstance(report, LoadReport) and report.triples_in_store == 51
    assert {step.total for step in steps} == {None} and steps[-1].done == 52


def test_loading_streams_a_progress_step_comes_before_the_last_shard_is_opened(
    project: Project, endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_shards(tmp_path / "import", SHARDS)
    events: list[str] = []
    real_opened = remote.opened

    @contextlib.contextmanager
    def watched(path: Path) -> Iterator[IO[bytes]]:
        events.append(f"open {path.name}")
        with real_opened(path) as handle:
            yield handle

    monkeypatch.setattr(remote, "opened", watched)
    publish(project, endpoint, graph=f"{EX}graph/streamed", inputs=[tmp_path / "import"], batch_size=10,
            progress=lambda step: events.append(f"sent {step.done}"))
    assert events.index("sent 10") < events.index(f"open {files[-1].name}")
    # the count check found the store holding the lines sent less the repeated one: a second
    # pass over the files counted each statement once
    assert events.count(f"open {files[-1].name}") == 2


@pytest.mark.parametrize("in_place", [False, True])
def test_a_chunk_the_store_refuses_leaves_the_graph_as_it_was_and_says_so(
    project: Project, endpoint: Endpoint, tmp_path: Path, in_place: bool
) -> None:
    graph = f"{EX}graph/refused-{in_place}"
    before = [statement(n) for n in range(2000, 2005)]
    publish(project, endpoint, graph=graph, inputs=write_shards(tmp_path / "before", [before]))
    broken = [*SHARDS[:2], [statement(60), f'<{EX}s> <{EX}p> "a literal never closed .', statement(61)]]
    write_shards(tmp_path / "import", broken)
    with pytest.raises(EndpointError) as failure:
        publish(project, endpoint, graph=graph, inputs=[tmp_path / "import"], batch_size=7, in_place=in_place)
    message = str(failure.value)
    assert message.startswith(f"{Path(tmp_path / 'import' / 'kg-00003.nt.gz')}:2: the statement cannot be read: ")
    assert message.startswith(f"{Path(tmp_path / 'import' / 'kg-00003.nt.gz')}:2: the statement cannot be read: "
                              "Line jumps are not allowed in string literals, use \\n. The store refused the request holding "
                              "lines 1-3 of the file; fix or remove the line, then run kg load again\n")
    if in_place:
        held = count_triples(endpoint, graph)
        assert 0 < held < 51
        assert message.endswith(f"State of the store: <{graph}> holds {held} triples: part of the load, not its previous "
                                "content: --in-place empties the graph, then fills it. Fix the cause above, then run kg load "
                                "again to finish.")
    else:
        assert triples_in(endpoint, graph) == expected_triples(before)
        assert message.endswith(f"State of the store: <{graph}> holds 5 triples, not the load (its previous content). "
                                "Nothing else was changed. Fix the cause above, then run kg load again to finish.")
        assert staging_graphs(endpoint, graph) == set()


def test_files_the_load_cannot_send_faithfully_are_refused_before_anything_is_sent(
    project: Project, built: BuildResult, endpoint: Endpoint, tmp_path: Path
) -> None:
    graph = f"{EX}graph/refused-early"
    quads = tmp_path / "quads"
    quads.mkdir()
    (quads / "kg-00001.nq.gz").write_bytes(gzip.compress(f"<{EX}s> <{EX}p> <{EX}o> <{EX}g> .\n".encode()))
    with pytest.raises(ToolError, match=r"kg-00001.nq.gz holds N-Quads \(statements in graphs of their own\), and kg load "
                                        r"fills the one graph --graph names"):
        publish(project, endpoint, graph=graph, inputs=[quads])
    blank = write_shards(tmp_path / "blank", [[statement(1), f"_:b1 <{EX}p> <{EX}o> ."]])
    with pytest.raises(ToolError, match=r"kg-00001.nt.gz:2: the statement has a blank node"):
        publish(project, endpoint, graph=graph, inputs=blank)
    with pytest.raises(ToolError, match=r"kg load PATH... replaces the graph that --graph names: give it"):
        publish(project, endpoint, inputs=blank)
    with pytest.raises(ToolError, match=r"--in-place goes with files to load \(kg load PATH...\); the build is small enough"):
        publish(project, endpoint, graph=graph, in_place=True)
    assert count_triples(endpoint, graph) == 0 and staging_graphs(endpoint, graph) == set()


def test_cli_loads_a_folder_and_says_what_it_would_send(project: Project, server: OxigraphServer, tmp_path: Path) -> None:
    graph = f"{EX}graph/cli"
    write_shards(tmp_path / "import", SHARDS)
    dry = run_kg("load", str(tmp_path / "import"), "--endpoint", server.url, "--store", "oxigraph", "--graph", graph,
                 "--dry-run", "--in-place")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(f"Would load the statements of 3 file(s) (52 statements by the import manifest) into the "
                                 f"graph <{graph}>, reading them a chunk at a time\n")
    assert (f"then Graph Store POSTs to {server.url}/store of at most 250000 statements (with no_transaction: the store "
            f"bulk-loads each) into <{graph}> itself") in dry.stdout
    loaded = run_kg("load", str(tmp_path / "import"), "--endpoint", server.url, "--store", "oxigraph", "--graph", graph)
    assert loaded.returncode == 0, loaded.stderr
    assert f"Loaded 51 triples into <{graph}> by gsp in " in loaded.stdout
    refused = run_kg("load", str(tmp_path / "import"), "--endpoint", server.url, "--store", "oxigraph", "--graph", graph,
                     "--patch", str(tmp_path / "change.rdfp"))
    assert (refused.returncode, refused.stderr) == (2, "kg: error: --patch applies the patch to the graph as it is: PATH and "
                                                       "--in-place (loading files) do not go with it; load the files first, "
                                                       "then apply the patch\n")


def test_an_in_place_load_refused_while_emptying_the_graph_says_what_is_left(
    project: Project, endpoint: Endpoint, server: OxigraphServer, tmp_path: Path
) -> None:
    """A store refusing the first DELETE (403, as one without update rights would): a fault a
    real server is not made to produce on cue, so a proxy answers for it."""
    graph = f"{EX}graph/refused-delete"
    publish(project, endpoint, graph=graph, inputs=write_shards(tmp_path / "before", [[statement(3000), statement(3001)]]))
    write_shards(tmp_path / "import", SHARDS)

    def refuse_deletes(number: int, method: str, body: bytes) -> int | None:
        return 403 if body.startswith(b"update=DELETE") else None

    with FaultProxy(server.url, fault=refuse_deletes) as proxy, pytest.raises(EndpointError) as failure:
        publish(project, Endpoint.resolve(proxy.url, "oxigraph", timeout=10), graph=graph, inputs=[tmp_path / "import"],
                in_place=True)
    assert str(failure.value).endswith(f"State of the store: <{graph}> holds 2 triples: what the DELETEs left of its "
                                       "previous content: --in-place empties the graph, then fills it. Fix the cause above, "
                                       "then run kg load again to finish.")
    assert "answered HTTP 403" in str(failure.value)
    assert count_triples(endpoint, graph) == 2


def test_a_manifest_that_cannot_be_read_stops_the_load_before_anything_is_sent(endpoint: Endpoint, server: OxigraphServer,
                                                                               tmp_path: Path) -> None:
    graph = f"{EX}graph/broken-manifest"
    write_shards(tmp_path / "import", SHARDS)
    (tmp_path / "import" / "manifest.json").write_text('{"format": "border-kg import manifest 1", "statements": ', encoding="utf-8")
    refused = run_kg("load", str(tmp_path / "import"), "--endpoint", server.url, "--store", "oxigraph", "--graph", graph)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"kg: error: {tmp_path / 'import' / 'manifest.json'} cannot be read (JSONDecodeError: ")
    assert refused.stderr.rstrip().endswith("; import that export again")
    assert count_triples(endpoint, graph) == 0
