"""Living data sets: an older and a newer ACLED export of the same data set (events added,
changed with a newer timestamp, deleted, a deleted-events list), the manifest each import
writes, the RDF Patch between them, kg diff, and kg load --patch on a real Oxigraph server: the
store after the patch must equal the store loaded with the newer import."""

from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from distributed import LocalCluster

from kg import Endpoint, Project, ToolError
from kg.api import BuildResult, apply_patch
from kg import diff as diff_module
from kg.diff import diff_statements, write_patch
from kg.errors import DataErrors
from kg.importers.acled.living import LivingImport, import_living
from kg.importers.acled.eventtable import EVENTS_FILE
from kg.importers.acled.manifest import MANIFEST_FILE, file_sha256, read_manifest
from kg.stores.patch import PatchReport, read_patch

from conftest import REPO, run_kg
from servers import OxigraphServer

FIXTURE = REPO / "tests" / "acled" / "events-current.csv"
GRAPH = "https://example.org/test/living"


def rewrite(source: Path, target: Path, *, drop: set[str] = frozenset(), change: dict[str, dict[str, str]] | None = None,
            add: dict[str, tuple[str, dict[str, str]]] | None = None) -> Path:
    """A copy of an export with rows dropped (by id), cells changed (id -> column -> value) and
    rows added (new id -> (the id of the row copied, cells changed))."""
    with source.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    ids = header.index("event_id_cnty")
    by_id = {row[ids]: row for row in rows}
    out = [header]
    for row in rows:
        if row[ids] in drop:
            continue
        out.append([(change or {}).get(row[ids], {}).get(name, cell) for name, cell in zip(header, row)])
    for new_id, (copied, cells) in (add or {}).items():
        out.append([new_id if name == "event_id_cnty" else cells.get(name, cell) for name, cell in zip(header, by_id[copied])])
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(out)
    return target


@dataclass(frozen=True)
class Versions:
    old_csv: Path
    new_csv: Path
    deleted_csv: Path


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    folder = tmp_path_factory.mktemp("exports")
    old = rewrite(FIXTURE, folder / "acled-2021-07.csv")
    new = rewrite(FIXTURE, folder / "acled-2021-08.csv", drop={"AFG90003", "AFG90004"},
                  change={"AFG90001": {"fatalities": "9", "timestamp": "1625509000"},
                          "AFG90005": {"notes": "Test row: corrected notes.", "timestamp": "1625309000"}},
                  add={"AFG90006": ("AFG90002", {"fatalities": "2", "timestamp": "1625900000", "admin2": "Ishkashim",
                                                 "location": "Ishkashim"})})
    deleted = folder / "deleted.csv"
    deleted.write_text("event_id_cnty,deleted_timestamp\nAFG90003,1625950000\nZZZ00001,1625950000\n", encoding="utf-8")
    return Versions(old, new, deleted)


def imported(project: Project, built: BuildResult, csv_file: Path, target: Path, **options: object) -> LivingImport:
    return import_living(project, csv_file, target, built.graph, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["ntriples", "nquads"])
def imports(request: pytest.FixtureRequest, project: Project, built: BuildResult, versions: Versions,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[LivingImport, LivingImport]:
    folder = tmp_path_factory.mktemp(f"imports-{request.param}")
    old = imported(project, built, versions.old_csv, folder / "old", format_name=request.param)
    new = imported(project, built, versions.new_csv, folder / "new", format_name=request.param, previous=folder / "old",
                   deleted=versions.deleted_csv)
    return old, new


def statements(folder: Path, graph: str | None = None) -> set[str]:
    """The import's statements as N-Quads lines; N-Triples shards put in graph."""
    manifest = read_manifest(folder)
    found = set()
    for shard in manifest.shards:
        with gzip.open(folder / shard.file) as handle:
            for quad in ox.parse(handle, format=ox.RdfFormat.N_QUADS if shard.file.endswith(".nq.gz") else ox.RdfFormat.N_TRIPLES):
                if graph is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph))
                found.add(str(quad))
    return found


# -- the manifest ------------------------------------------------------------------------------


def test_the_manifest_lists_the_shards_the_source_and_the_events(imports: tuple[LivingImport, LivingImport], versions: Versions) -> None:
    old, new = imports
    folder = old.result.files[0].parent
    document = json.loads((folder / MANIFEST_FILE).read_text())
    assert document["source"] == {"file": "acled-2021-07.csv", "sha256": file_sha256(versions.old_csv), "rows": 5, "imported": 5,
                                  "layout": old.result.layout}
    assert document["dataset"]["name"] == "acled-2021-07"
    for shard in document["statements"]["shards"]:
        path = folder / shard["file"]
        assert shard["sha256"] == file_sha256(path)
        assert shard["statements"] == len(gzip.decompress(path.read_bytes()).splitlines())
    assert document["change"] is None
    rows = [line.split("\t") for line in gzip.decompress((folder / EVENTS_FILE).read_bytes()).decode().splitlines()]
    assert [row[1:3] for row in rows] == [["AFG90001", "1625500000"], ["AFG90002", "1625600000"], ["AFG90003", "1625000000"],
                                          ["AFG90004", "1625200000"], ["AFG90005", "1625300000"]]
    # The newer import keeps the data set of the older one, and says which change made it.
    assert new.manifest.dataset_iri == old.manifest.dataset_iri and new.renamed_from == "acled-2021-07"
    assert new.manifest.change is not None and new.manifest.change.previous_source == "acled-2021-07.csv"
    assert new.manifest.change.id == read_patch(new.patch).id  # type: ignore[arg-type]


def test_the_same_import_writes_the_same_bytes(project: Project, built: BuildResult, versions: Versions, tmp_path: Path) -> None:
    first = imported(project, built, versions.old_csv, tmp_path / "a")
    second = imported(project, built, versions.old_csv, tmp_path / "b")
    for name in (MANIFEST_FILE, EVENTS_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.manifest == second.manifest


# -- the patch and its summary -----------------------------------------------------------------


def test_the_summary_says_what_changed_in_analyst_words(imports: tuple[LivingImport, LivingImport]) -> None:
    _, new = imports
    assert new.change is not None
    text = new.change.render()
    assert text.splitlines()[:5] == [
        "1 event added (AFG90006), 2 removed (AFG90003, AFG90004), 2 changed (AFG90001, AFG90005).",
        "Of the removed, 1 event is in ACLED's deleted-events list (AFG90003); 1 is only absent from the newer export.",
        "  timestamp changed in 2: AFG90001: 2021-07-05T15:46:40Z -> 2021-07-05T18:16:40Z, "
        "AFG90005: 2021-07-03T08:13:20Z -> 2021-07-03T10:43:20Z",
        "  fatalities changed in 1: AFG90001: 6 -> 9",
        "  notes changed in 1: AFG90005: Test row: a protest, with a comma, a \"quote\" and a backslash \\ in the notes. -> "
        "Test row: corrected notes.",
    ]
    assert f"The patch deletes {new.change.deletions} statements and adds {new.change.additions}." in text
    assert "Warning" not in text


def test_a_patch_is_deterministic_and_the_same_whatever_the_number_of_buckets(
    imports: tuple[LivingImport, LivingImport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = imports
    old_files = [*old.result.files, *old.result.cube_files]
    new_files = [*new.result.files, *new.result.cube_files]
    monkeypatch.setattr(diff_module, "BUCKET_BYTES", 2000)  # many buckets for a few kB of statements
    assert diff_module.bucket_count(old_files, new_files) > 5
    many = diff_statements(old_files, new_files, tmp_path / "many")
    write_patch(many, tmp_path / "many.rdfp", old.manifest.change.id if old.manifest.change else None)
    assert (tmp_path / "many.rdfp").read_bytes() == new.patch.read_bytes()  # type: ignore[union-attr]


def test_imports_mapped_in_parts_give_the_same_manifest_events_and_patch(
    project: Project, built: BuildResult, versions: Versions, imports: tuple[LivingImport, LivingImport], tmp_path: Path
) -> None:
    """Parts repeat the lines of places and actors they share; the change is a set difference,
    so it does not see them."""
    old, new = imports
    fmt = old.manifest.statement_format
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        options = {"format_name": fmt, "scheduler": cluster.scheduler_address, "part_bytes": 400}
        old_parts = imported(project, built, versions.old_csv, tmp_path / "old", **options)
        new_parts = imported(project, built, versions.new_csv, tmp_path / "new", previous=tmp_path / "old",
                             deleted=versions.deleted_csv, **options)
    assert old_parts.result.parts > 1 and new_parts.result.parts > 1
    assert new_parts.patch is not None and new.patch is not None
    assert new_parts.patch.read_bytes() == new.patch.read_bytes()
    assert new_parts.change == new.change
    assert (new_parts.manifest.events, new_parts.manifest.events_sha256) == (new.manifest.events, new.manifest.events_sha256)


def test_a_change_without_a_newer_timestamp_is_warned_about(
    project: Project, built: BuildResult, versions: Versions, tmp_path: Path
) -> None:
    stale = rewrite(versions.old_csv, tmp_path / "stale.csv", change={"AFG90002": {"fatalities": "4"}})
    imported(project, built, versions.old_csv, tmp_path / "imp")
    result = imported(project, built, stale, tmp_path / "imp")  # the folder's own import is the previous one
    assert result.previous == tmp_path / "imp"
    assert result.change is not None
    assert ("Warning: 1 event changed without a newer ACLED timestamp (AFG90002): ACLED marks every change with a new "
            "timestamp, so check that the newer export is really newer, or that the mapping (ontology/acled.yaml) has not "
            "changed between the imports.") in result.change.render()


def test_an_event_the_list_deletes_but_the_export_still_holds_is_an_error(
    project: Project, built: BuildResult, versions: Versions, tmp_path: Path
) -> None:
    imported(project, built, versions.old_csv, tmp_path / "old")
    deleted = tmp_path / "deleted.csv"
    deleted.write_text("event_id_cnty,deleted_timestamp\nAFG90002,1625950000\nAFG90009,soon\nAFG90010,16259\u00b2\n",
                       encoding="utf-8")  # a superscript two is a digit to str.isdigit, not to int()
    with pytest.raises(DataErrors) as caught:
        imported(project, built, versions.new_csv, tmp_path / "new", previous=tmp_path / "old", deleted=deleted)
    assert [str(error) for error in caught.value.errors] == [
        f"{deleted}:3: field 'deleted_timestamp': 'soon' is not a Unix time in seconds. Write the seconds since 1970, as "
        "ACLED's deleted_timestamp column does.",
        f"{deleted}:4: field 'deleted_timestamp': '16259\u00b2' is not a Unix time in seconds. Write the seconds since 1970, as "
        "ACLED's deleted_timestamp column does."]
    deleted.write_text("event_id_cnty,deleted_timestamp\nAFG90002,1625950000\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        imported(project, built, versions.new_csv, tmp_path / "new", previous=tmp_path / "old", deleted=deleted)
    assert [str(error) for error in caught.value.errors] == [
        f"{deleted}:2: field 'event_id_cnty': the event AFG90002 is listed as deleted (at 1625950000), but "
        f"{versions.new_csv} still holds it (timestamp 1625600000). Export the events again from ACLED (the export is older "
        "than the list), or use the list that came with this export."]
    assert not (tmp_path / "new").exists()  # nothing written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # and nothing left behind


def test_the_previous_import_must_be_comparable(project: Project, built: BuildResult, versions: Versions, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="has no manifest.json: it is not an import folder"):
        imported(project, built, versions.new_csv, tmp_path / "new", previous=tmp_path)
    imported(project, built, versions.old_csv, tmp_path / "old")
    with pytest.raises(ToolError) as caught:
        imported(project, built, versions.new_csv, tmp_path / "new", previous=tmp_path / "old", format_name="nquads")
    assert str(caught.value) == (f"{tmp_path / 'old'} holds ntriples shards; import the newer export with --format ntriples too, "
                                 "so that the two can be compared")
    with pytest.raises(ToolError, match="--deleted lists events to take out of a previous import; give it with --previous DIR"):
        imported(project, built, versions.new_csv, tmp_path / "other", deleted=versions.deleted_csv)


# -- reading patches ---------------------------------------------------------------------------

S = "<https://example.org/s> <https://example.org/p>"


@pytest.mark.parametrize(("text", "message"), [
    (f"TX .\nA {S} \"x\" .\n", "change.rdfp:1: the transaction opened here has no TC (the file may be cut short); nothing of it was applied"),
    (f"A {S} \"x\" .\n", "change.rdfp:1: an A row outside a transaction; put it between TX . and TC ."),
    (f"TX .\nA {S} .\nTC .\n", "change.rdfp:2: the statement cannot be read: "),
    (f"TX .\nA {S} \"x\"\nTC .\n", "change.rdfp:2: a row ends with ' .' (a space and a dot); add it"),
    (f"TX .\nX {S} \"x\" .\nTC .\n", "change.rdfp:2: 'X' is not an RDF Patch row; rows start with H, TX, TC, TA, PA, PD, A or D"),
    (f"TX .\nD {S} \"x\" .\nA {S} \"x\" .\nTC .\n", "change.rdfp:3: the patch both adds and deletes this statement (also at line 2)"),
    (f"TX .\nTC .\nH id <uuid:1> .\n", "change.rdfp:3: a header row (H) comes before the first transaction; move it up"),
    (f"TX .\nA {S} _:b .\nTC .\n", "change.rdfp:2: the statement has a blank node, which names no node of the store"),
    ("TX .\nTX .\n", "change.rdfp:2: TX inside the transaction opened at line 1; end that one with TC first"),
])
def test_patch_errors_name_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "change.rdfp").write_text(text, encoding="utf-8")
    with pytest.raises(ToolError) as caught:
        read_patch(tmp_path / "change.rdfp")
    assert str(caught.value).startswith(message)


def test_an_aborted_transaction_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "p.rdfp").write_text(f"H id <uuid:1> .\nTX .\nA {S} \"a\" .\nTA .\nTX .\nPA \"ex\" <https://example.org/> .\n"
                                     f"D {S} \"d\" <https://example.org/g> .\nTC .\n", encoding="utf-8")
    patch = read_patch(tmp_path / "p.rdfp")
    assert patch.id == "uuid:1" and patch.adds == ()
    assert [(row.line, row.graph, row.triple) for row in patch.deletes] == [(7, "https://example.org/g", f"{S} \"d\"")]


# -- kg diff -----------------------------------------------------------------------------------


def test_kg_diff_tells_the_change_and_writes_the_same_patch(imports: tuple[LivingImport, LivingImport], tmp_path: Path) -> None:
    old, new = imports
    old_dir, new_dir = old.result.files[0].parent, new.result.files[0].parent
    run = run_kg("diff", str(old_dir), str(new_dir))
    assert run.returncode == 1, run.stderr
    assert run.stdout.startswith("1 event added (AFG90006), 2 removed (AFG90003, AFG90004), 2 changed (AFG90001, AFG90005).\n")
    run = run_kg("diff", str(old_dir), str(new_dir), "--format", "patch")
    assert run.returncode == 1 and run.stdout == new.patch.read_text()  # type: ignore[union-attr]
    same = run_kg("diff", str(new_dir), str(new_dir))
    assert (same.returncode, same.stdout) == (0, "No change: both sides hold the same statements.\n")


def test_kg_diff_of_two_graphs_without_manifests(tmp_path: Path) -> None:
    (tmp_path / "a.nt").write_text(f"{S} \"1\" .\n<https://example.org/t> <https://example.org/p> \"x\" .\n")
    (tmp_path / "b.ttl").write_text(f"{S} \"2\" .\n<https://example.org/u> <https://example.org/p> \"y\" .\n")
    run = run_kg("diff", str(tmp_path / "a.nt"), str(tmp_path / "b.ttl"))
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "1 node only gained statements (https://example.org/u), 1 only lost statements (https://example.org/t), "
        "1 both gained and lost (https://example.org/s).",
        "  p changed in 1: https://example.org/s: 1 -> 2",
        "The patch deletes 2 statements and adds 2.",
    ]
    (tmp_path / "c.nt").write_text(f"{S} _:x .\n")
    run = run_kg("diff", str(tmp_path / "a.nt"), str(tmp_path / "c.nt"))
    assert run.returncode == 2
    assert run.stderr == (f"kg: error: {tmp_path / 'c.nt'} holds a blank node, in the statement {S} _:x: statements with blank "
                          "nodes cannot be compared between two files. Give the node an IRI\n")


# -- kg load --patch on a real server ----------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(server: OxigraphServer) -> Endpoint:
    endpoint = Endpoint.resolve(server.url, "oxigraph", timeout=30)
    endpoint.update("DROP ALL")
    return endpoint


def load_import(server: OxigraphServer, folder: Path) -> None:
    """The whole import into the store, as a full load would: N-Triples into GRAPH, N-Quads
    into their own graphs."""
    body = "".join(f"{line} .\n" for line in sorted(statements(folder, GRAPH))).encode()
    request = urllib.request.Request(f"{server.url}/store", data=body, method="POST", headers={"Content-Type": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def dump(server: OxigraphServer) -> set[str]:
    request = urllib.request.Request(f"{server.url}/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {str(quad) for quad in ox.parse(response.read(), format=ox.RdfFormat.N_QUADS)}


def test_the_store_after_the_patch_is_the_store_loaded_with_the_newer_import(
    project: Project, imports: tuple[LivingImport, LivingImport], server: OxigraphServer, endpoint: Endpoint
) -> None:
    old, new = imports
    load_import(server, old.result.files[0].parent)
    assert dump(server) == statements(old.result.files[0].parent, GRAPH)
    run = run_kg("load", "--patch", str(new.patch), "--graph", GRAPH, "--endpoint", server.url, "--store", "oxigraph")
    assert run.returncode == 0, run.stderr
    patched = dump(server)
    endpoint.update("DROP ALL")
    load_import(server, new.result.files[0].parent)
    assert patched == dump(server) == statements(new.result.files[0].parent, GRAPH)
    assert run.stdout.splitlines()[-1].startswith(f"Applied {new.patch} ({new.manifest.change.id}) in one request in ")  # type: ignore[union-attr]


def test_a_patch_is_refused_by_a_store_not_at_its_starting_state(
    project: Project, imports: tuple[LivingImport, LivingImport], server: OxigraphServer, endpoint: Endpoint
) -> None:
    old, new = imports
    assert new.change is not None and new.patch is not None
    patch = read_patch(new.patch)
    load_import(server, old.result.files[0].parent)
    gone, came = patch.deletes[0], patch.adds[-1]
    graph = f"<{gone.graph or GRAPH}>"
    endpoint.update(f"DELETE DATA {{ GRAPH {graph} {{ {gone.triple} . }} }} ; INSERT DATA {{ GRAPH <{came.graph or GRAPH}> {{ {came.triple} . }} }}")
    before = dump(server)
    with pytest.raises(ToolError) as caught:
        apply_patch(project, endpoint, new.patch, graph=GRAPH)
    assert str(caught.value) == (
        f"the store is not at the starting state of {new.patch}: 1 of the {new.change.deletions} statements it deletes are not "
        f"in the store (line {gone.line}: {gone.statement}); 1 of the {new.change.additions} statements it adds are in the store "
        f"already (line {came.line}: {came.statement}). Nothing was changed. Load the import the patch starts from (or apply "
        "the patches before this one), or pass --force to apply it anyway")
    assert dump(server) == before
    forced = apply_patch(project, endpoint, new.patch, graph=GRAPH, force=True)
    assert isinstance(forced, PatchReport) and forced.forced == 2
    assert dump(server) == statements(new.result.files[0].parent, GRAPH)


def test_a_patch_applied_already_is_not_sent_again(
    project: Project, imports: tuple[LivingImport, LivingImport], server: OxigraphServer, endpoint: Endpoint
) -> None:
    _, new = imports
    assert new.change is not None and new.patch is not None
    load_import(server, new.result.files[0].parent)
    before = dump(server)
    run = run_kg("load", "--patch", str(new.patch), "--graph", GRAPH, "--endpoint", server.url, "--store", "oxigraph")
    assert (run.returncode, run.stdout) == (0, f"The store is at the end state of {new.patch} already (it was applied before): "
                                               "nothing was sent.\n")
    assert dump(server) == before
    dry = run_kg("load", "--patch", str(new.patch), "--graph", GRAPH, "--endpoint", server.url, "--store", "oxigraph", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.startswith(f"Would apply {new.patch}: delete {new.change.deletions} and add "
                                                         f"{new.change.additions} statements in <")
    mixed = run_kg("load", "--patch", str(new.patch), "--endpoint", server.url, "--store", "oxigraph", "--protocol", "update")
    assert (mixed.returncode, mixed.stderr) == (2, "kg: error: --patch sends the patch as one SPARQL Update request: --protocol, "
                                                   "--gsp-endpoint and --batch-size do not apply to it\n")


def test_kg_import_compares_with_the_import_in_its_output_folder(versions: Versions, tmp_path: Path) -> None:
    data = str(REPO / "tests" / "fixtures" / "data")
    first = run_kg("--data", data, "import", "acled", str(versions.old_csv), "-o", str(tmp_path / "acled"))
    assert first.returncode == 0, first.stderr
    assert "Compared with" not in first.stdout
    second = run_kg("--data", data, "import", "acled", str(versions.new_csv), "-o", str(tmp_path / "acled"), "--deleted",
                    str(versions.deleted_csv))
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    start = lines.index(f"Compared with the previous import (of acled-2021-07.csv) in {tmp_path / 'acled'}:")
    assert lines[start - 1] == ("The data set keeps the name 'acled-2021-07' of the previous import "
                                "(<https://w3id.org/border-kg/id/source/acled-acled-2021-07>).")
    assert lines[start + 1] == "1 event added (AFG90006), 2 removed (AFG90003, AFG90004), 2 changed (AFG90001, AFG90005)."
    assert lines[-1] == f"Wrote the change as an RDF Patch: {tmp_path / 'acled' / 'change.rdfp'} (apply it with kg load --patch)."
    assert read_manifest(tmp_path / "acled").source_file == "acled-2021-08.csv"


@pytest.mark.slow
@pytest.mark.subprocess
def test_the_patch_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """bench/patch.py at a tiny size: its results file has every step with its command, and the
    script itself checks that each way leaves the newer import's statements in the graph."""
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "patch.py"), "--rows", "300", "--workdir", str(tmp_path / "work"),
                           "--out", str(out), "--staged"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    text = out.read_text()
    steps = [line.split(" | ")[0].lstrip("| ") for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert steps == ["generate the older export", "kg import (older)", "kg import --previous (newer, with the patch)",
                     "oxigraph load (older import, the starting state; server stopped)", "kg load --patch",
                     "full reload (kg load --in-place)", "full reload (kg load, staged and MOVEd)"]
    assert "`.venv/bin/kg load " in text and " --in-place` |" in text
    assert re.search(r"Full reload / patch: [0-9.]+x \([0-9.]+ s vs [0-9.]+ s\); each leaves [0-9,]+ triples in the graph", text)
    assert "the newer export: 1 changed, 1 deleted, 1 added" in text
    assert not (tmp_path / "work").exists()
