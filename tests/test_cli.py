"""The kg command as a user runs it: outputs, formats, exit codes and messages. Most tests run
kg.cli.main in this process (run_kg); those about the process itself run it as one."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg import Project, cli
from kg.api import BuildResult, make_store
from kg.progress import Step

from conftest import FIXTURE_DATA, REPO, run_kg, run_kg_process


@pytest.fixture()
def out_copy(tmp_path: Path, project: Project, built: BuildResult) -> Path:
    """A private copy of the built out/ folder, safe to damage."""
    target = tmp_path / "out"
    shutil.copytree(project.out, target)
    return target


def test_build_reports_counts_and_writes(tmp_path: Path) -> None:
    result = run_kg("--out", str(tmp_path), "build")
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(tmp_path / "kg.ttl")
    assert f"; {len(graph)} triples." in result.stdout
    assert "The graph conforms to the shapes." in result.stdout
    index = json.loads((tmp_path / "kg.records.json").read_text(encoding="utf-8"))
    assert index["graph_sha256"] == hashlib.sha256((tmp_path / "kg.ttl").read_bytes()).hexdigest()
    entry = index["nodes"]["https://w3id.org/border-kg/id/incident/crossing-2021-06-27-kaldar"]
    assert entry["record"] == "incident 'crossing-2021-06-27-kaldar'"
    assert entry["at"][0] == "data/incidents.yaml"


def test_validate_names_the_record_file_and_line_of_a_violation(out_copy: Path) -> None:
    claim = "<https://w3id.org/border-kg/id/incident/crossing-2021-07-05-vanj.count-1>"
    value = "<https://w3id.org/border-kg/def#value>"
    with (out_copy / "kg.ttl").open("a", encoding="utf-8") as ttl:
        ttl.write(f"{claim} {value} -3 .\n")
    result = run_kg("--out", str(out_copy), "validate")
    assert result.returncode == 1
    lines = (FIXTURE_DATA / "incidents.yaml").read_text(encoding="utf-8").splitlines()
    value_line = next(
        n for n, text in enumerate(lines, 1) if "value: 173" in text
    )
    expected_location = f"tests/fixtures/data/incidents.yaml:{value_line}:"
    violation = [line for line in result.stdout.splitlines() if "zero or more" in line]
    assert len(violation) == 1
    assert violation[0].strip().startswith(expected_location)
    assert "incident 'crossing-2021-07-05-vanj', count 1:" in violation[0]
    assert "A count must be a whole number, zero or more." in violation[0]
    assert "The graph does not conform" in result.stdout
    assert "Note: kg.ttl has changed since it was built: record locations are those of the last build." in result.stdout


def test_validate_any_rdf_file(tmp_path: Path) -> None:
    broken = REPO / "tests" / "shape_cases" / "crossing-without-destination" / "graph.ttl"
    result = run_kg("validate", str(broken))
    assert result.returncode == 1
    assert "A movement must name one place the people went into (its destination)." in result.stdout
    assert "shape bksh:MovementShape, property bk:destination" in result.stdout


def test_both_validation_engines_print_the_same_report() -> None:
    broken = REPO / "tests" / "shape_cases" / "composite-crossing-parts-do-not-add-up" / "graph.ttl"
    default = run_kg("validate", str(broken))
    reference = run_kg("validate", "--engine", "pyshacl", str(broken))
    assert default.returncode == reference.returncode == 1
    assert "The parts do not add up to the total of" in default.stdout
    assert default.stdout == reference.stdout


def test_an_on_disk_store_is_validated_alone_and_with_the_fast_engine(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    result = run_kg("validate", "--store-dir", store, "--engine", "pyshacl")
    assert result.returncode == 2
    assert "kg: error: an on-disk store is validated with the oxigraph engine only, not pyshacl" in result.stderr
    result = run_kg("validate", "out/kg.ttl", "--store-dir", store)
    assert result.returncode == 2
    assert "kg: error: validate either a file or an on-disk store (--store-dir), not both" in result.stderr


def test_validate_a_missing_file_is_a_tool_error(tmp_path: Path) -> None:
    result = run_kg("validate", str(tmp_path / "nope.ttl"))
    assert result.returncode == 2
    assert f"there is no file {tmp_path / 'nope.ttl'}; check the path" in result.stderr


def test_validate_an_unparsable_file_is_a_tool_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = run_kg("validate", str(bad))
    assert result.returncode == 2
    assert f"cannot parse {bad}" in result.stderr


def test_queries_lists_every_stored_query_with_its_title(project: Project) -> None:
    result = run_kg("queries")
    assert result.returncode == 0
    names = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
    listed = [line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == names
    assert "place_lookup --param name=..." in result.stdout
    assert "    Timeline of movements across borders" in result.stdout


def test_query_csv_is_sparql_csv(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "crossings_by_country", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert {(r["country"], r["people_low"], r["people_high"]) for r in rows} == {("Tajikistan", "1579", ""), ("Uzbekistan", "100", "")}


def test_query_json_is_sparql_json_with_types(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name=Ishkashim", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["head"]["vars"] == ["place", "label", "type", "located_in", "country", "match"]
    bindings = document["results"]["bindings"]
    assert {b["place"]["value"] for b in bindings} == {
        "https://w3id.org/border-kg/id/place/af-sultan-ishkashim",
        "https://w3id.org/border-kg/id/place/tj-ishkashim",
        "https://w3id.org/border-kg/id/place/tj-ishkashim-village",
    }
    assert all(b["place"]["type"] == "uri" for b in bindings)
    assert bindings[0]["type"] == {"type": "literal", "value": "district", "xml:lang": "en"}
    totals = json.loads(run_kg("--out", str(out_copy), "query", "crossings_by_country", "--format", "json").stdout)
    troops = totals["results"]["bindings"][0]["people_low"]
    assert troops["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_query_table_shortens_iris(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name=Takhlan")
    assert result.returncode == 0
    assert "place:af-takhar" in result.stdout and "(1 row)" in result.stdout


def test_query_errors_say_what_to_do(out_copy: Path, tmp_path: Path) -> None:
    result = run_kg("--out", str(out_copy), "query", "place_lookup", "--param", "name")
    assert result.returncode == 2
    assert "--param takes NAME=VALUE, not 'name'" in result.stderr
    result = run_kg("--out", str(tmp_path / "empty"), "query", "policies")
    assert result.returncode == 2
    assert "run 'kg build' first" in result.stderr


def test_stats_counts_triples_and_classes(out_copy: Path) -> None:
    result = run_kg("--out", str(out_copy), "stats")
    assert result.returncode == 0
    graph = Graph().parse(out_copy / "kg.ttl")
    assert result.stdout.splitlines()[0] == f"{len(graph)} triples"
    counts = {line.split()[1]: int(line.split()[0]) for line in result.stdout.splitlines()[1:]}
    assert counts["bk:BorderCrossing"] == 18  # in the pinned fixture data
    assert counts["bk:District"] == 25
    assert counts["bk:Policy"] == 2


def test_store_reports_progress_file_by_file(project: Project, built: BuildResult, tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    assert run_kg("--out", str(project.out), "export", "--format", "ntriples", "--split", "1000", "-o", str(shards)).returncode == 0
    steps: list[Step] = []
    report = make_store(project, tmp_path / "store", [shards], steps.append)
    names = ["kg.ttl", *sorted(file.name for file in shards.iterdir())]
    assert steps == [Step("loaded", number, len(names), "files", name) for number, name in enumerate(names, 1)]
    assert report.files == len(names)
    assert str(steps[0]) == f"loaded 1/{len(names)} files ({100 // len(names)}%), kg.ttl"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stderr", [Terminal, io.StringIO], ids=["terminal", "log"])
def test_progress_is_one_line_rewritten_on_a_terminal_and_nothing_in_a_log(
    monkeypatch: pytest.MonkeyPatch, stderr: type[io.StringIO]
) -> None:
    monkeypatch.setattr("sys.stderr", stderr())
    with cli._progress_line() as progress:
        progress(Step("imported", 120_000, None, "rows", "1,804,000 statements, 40,211 rows/s"))
        progress(Step("sent", 5, 5, "triples"))
    shown = sys.stderr.getvalue()
    if stderr is Terminal:
        first = "  imported 120,000 rows, 1,804,000 statements, 40,211 rows/s"
        assert shown == f"\r{first}\r{'  sent 5/5 triples (100%)'.ljust(len(first))}\n"
    else:
        assert shown == ""


def test_unknown_export_format_is_refused_by_name() -> None:
    result = run_kg("export", "--format", "rdfxml")
    assert result.returncode == 2
    assert "invalid choice: 'rdfxml'" in result.stderr


@pytest.mark.subprocess
def test_exit_codes_of_the_kg_process(tmp_path: Path) -> None:
    """What a shell script sees: 0 when the graph was built, 1 for invalid data, 2 for a tool or
    usage error, from a real process."""
    built = run_kg_process("--out", str(tmp_path / "out"), "build")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "kg.ttl").is_file()
    invalid = run_kg_process("validate", str(REPO / "tests" / "shape_cases" / "crossing-without-destination" / "graph.ttl"))
    assert invalid.returncode == 1 and "The graph does not conform: 1 violation." in invalid.stdout
    missing = run_kg_process("validate", str(tmp_path / "nope.ttl"))
    assert missing.returncode == 2 and "kg: error: there is no file" in missing.stderr
    usage = run_kg_process("export", "--format", "rdfxml")
    assert usage.returncode == 2 and "invalid choice: 'rdfxml'" in usage.stderr


HEAVY_LIBRARIES = {"rdflib", "pyshacl", "pyoxigraph", "SPARQLWrapper", "yaml", "pycountry", "pyparsing"}


@pytest.mark.subprocess
def test_starting_kg_imports_no_heavy_library() -> None:
    """kg --help (and reading any command line) imports only the standard library and kg's light
    modules; each command imports the libraries it uses. bench/startup.py measures the time."""
    script = (
        "import sys\n"
        "from kg.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(*sorted({name.split('.')[0] for name in sys.modules}))\n"
    )
    started = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert started.returncode == 0, started.stderr
    assert "usage: kg" in started.stdout
    loaded = set(started.stdout.splitlines()[-1].split())
    assert "kg" in loaded and not loaded & HEAVY_LIBRARIES, loaded & HEAVY_LIBRARIES


@pytest.mark.subprocess
def test_a_query_on_a_store_loads_only_what_a_query_needs(tmp_path: Path) -> None:
    """kg query --store-dir starts without kg.api, which loads every part of the pipeline
    (pySHACL, the importers, the exporters): bench/scale.py times the cube queries as whole
    processes."""
    store = tmp_path / "store"
    ox.Store(str(store)).flush()
    script = (
        "import sys\n"
        "from kg.cli import main\n"
        f"code = main(['query', 'events_by_type', '--store-dir', {str(store)!r}])\n"
        "print(code, *sorted(sys.modules))\n"
    )
    started = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert started.returncode == 0, started.stderr
    code, *loaded = started.stdout.splitlines()[-1].split()
    assert code == "0" and "kg.query.run" in loaded
    assert not {"kg.api", "pyshacl", "kg.importers", "kg.export", "kg.validate"} & set(loaded)


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_validate_checks_the_statements_of_every_graph_of_a_quads_file(tmp_path: Path, engine: str) -> None:
    # N-Quads shards put every statement in a named graph: the shapes apply to them all, not
    # only to the (empty) default graph.
    event = "<https://w3id.org/border-kg/id/incident/acled-X>"
    conflict_event = "<https://w3id.org/border-kg/def#ConflictEvent>"
    quads = tmp_path / "shard.nq"
    quads.write_text(f"{event} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> {conflict_event} <https://example.org/g> .\n",
                     encoding="utf-8")
    result = run_kg("validate", str(quads), "--engine", engine)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "An imported event needs exactly one event type from the data set's list." in result.stdout
