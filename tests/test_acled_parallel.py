"""kg import acled in parts on Dask (--workers N, --scheduler ADDRESS): the same statements (as a
set), cube, warnings and bad-row reports as the import in one process, on the fixtures and on a
generated export; rows split where quoted fields hold newlines; an event id repeated across
parts; a part that fails or cannot see the file leaves nothing.

Most tests run on one real dask.distributed LocalCluster of two worker threads (processes=False,
so that a fault can be injected into a task), started for the module, its address given as the
scheduler; tiny parts (part_bytes) make even a five-row fixture a file of several parts. One
slow test starts the local cluster of worker processes that --workers starts."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from kg import DataErrors, Project
from kg.api import BuildResult, make_store
from kg.errors import ToolError
from kg.importers.acled import ImportResult, RowErrors, import_acled
from kg.importers.acled import parallel
from kg.importers.acled.rows import RowConverter
from kg.progress import Step

from conftest import REPO, run_kg
from test_acled import CURRENT_HEADER, FIXTURES, row, write_csv

GOOD = sorted(path for path in FIXTURES.glob("events-*.csv") if path.stem != "events-broken")
TINY = 400  # bytes: a part of one or two rows


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def statements(files: tuple[Path, ...]) -> set[bytes]:
    return {line for file in files for line in gzip.decompress(file.read_bytes()).splitlines()}


def assert_same(single: ImportResult, parts: ImportResult) -> None:
    assert parts.parts > 1, "the file was not split"
    assert statements(parts.files) == statements(single.files)
    assert statements(parts.cube_files) == statements(single.cube_files)
    assert (parts.rows, parts.imported, parts.rejected, parts.observations) == (single.rows, single.imported, single.rejected,
                                                                                 single.observations)
    assert [str(error) for error in parts.errors] == [str(error) for error in single.errors]
    assert parts.warnings == single.warnings


def both(project: Project, built: BuildResult, csv_file: Path, tmp_path: Path, scheduler: str, part_bytes: int = TINY,
         **options: bool) -> tuple[ImportResult, ImportResult]:
    single = import_acled(project, csv_file, tmp_path / "single", built.graph, **options)
    parts = import_acled(project, csv_file, tmp_path / "parts", built.graph, scheduler=scheduler, part_bytes=part_bytes, **options)
    return single, parts


def refusal(project: Project, built: BuildResult, csv_file: Path, target: Path, **options: object) -> str:
    with pytest.raises(RowErrors) as refused:
        import_acled(project, csv_file, target, built.graph, **options)  # type: ignore[arg-type]
    assert not target.exists() and not list(target.parent.glob(f".{target.name}.*"))
    return refused.value.render()


@pytest.mark.parametrize("csv_file", GOOD, ids=[path.stem for path in GOOD])
def test_each_fixture_gives_the_same_graph_and_cube_in_parts(project: Project, built: BuildResult, tmp_path: Path,
                                                             scheduler: str, csv_file: Path) -> None:
    single, parts = both(project, built, csv_file, tmp_path, scheduler)
    assert_same(single, parts)


def test_nquads_shards_in_parts_put_every_statement_in_the_dataset_graph(project: Project, built: BuildResult, tmp_path: Path,
                                                                         scheduler: str) -> None:
    csv_file = FIXTURES / "events-current.csv"
    single = import_acled(project, csv_file, tmp_path / "single", built.graph, format_name="nquads")
    parts = import_acled(project, csv_file, tmp_path / "parts", built.graph, format_name="nquads", scheduler=scheduler, part_bytes=TINY)
    assert statements(parts.files) == statements(single.files)
    assert all(file.name.endswith(".nq.gz") for file in parts.files)


def test_a_generated_export_gives_the_same_graph_in_many_parts(project: Project, built: BuildResult, tmp_path: Path,
                                                               scheduler: str) -> None:
    csv_file = tmp_path / "generated.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate_acled.py"), "--rows", "3000", "--seed", "7", "-o", str(csv_file)],
                   check=True, capture_output=True)
    steps: list[Step] = []
    single = import_acled(project, csv_file, tmp_path / "single", built.graph)
    parts = import_acled(project, csv_file, tmp_path / "parts", built.graph, scheduler=scheduler, part_bytes=100_000,
                         progress=lambda step: steps.append(step))
    assert parts.parts >= 10
    assert_same(single, parts)
    assert [step.done for step in steps] == sorted(step.done for step in steps) and steps[-1].done == 3000
    assert steps[-1].detail.startswith(f"{parts.lines:,} statements")
    assert len(steps) > parts.parts // 2, "progress is told as the parts finish"
    # the events' table is the same file; the parts' runs and states are gone
    assert (tmp_path / "parts" / "events.tsv.gz").read_bytes() == (tmp_path / "single" / "events.tsv.gz").read_bytes()
    assert parts.events == single.events and parts.events.count == 3000
    assert {path.name for path in (tmp_path / "parts").iterdir()} == {"events.tsv.gz", *(file.name for file in (*parts.files, *parts.cube_files))}
    assert [shard.statements for shard in parts.shards] == [len(gzip.decompress(file.read_bytes()).splitlines())
                                                            for file in (*parts.files, *parts.cube_files)]


def test_the_shards_of_parts_repeat_lines_and_a_store_keeps_each_statement_once(project: Project, built: BuildResult,
                                                                                 tmp_path: Path, scheduler: str) -> None:
    single, parts = both(project, built, FIXTURES / "events-multi-country.csv", tmp_path, scheduler)
    assert parts.lines > single.lines, "each part writes the places and actors it meets"
    stored = [make_store(project, tmp_path / name, [result.files[0].parent]).quads for name, result in
              (("store-single", single), ("store-parts", parts))]
    assert stored[0] == stored[1]


def test_rows_split_where_a_quoted_field_holds_newlines_and_quotes(project: Project, built: BuildResult, tmp_path: Path,
                                                                   scheduler: str) -> None:
    notes = ['A note\nover "two" lines, with commas.', 'One\n\nmore """quoted""" one,\n"', "Plain."]
    rows = [row(event_id_cnty=f"AFG8{number:04d}", notes=notes[number % 3], admin2=("Kaldar", "Dehdadi")[number % 2])
            for number in range(40)]
    rows[29]["event_type"] = "Batles"  # a bad row after many lines that are not rows
    csv_file = write_csv(tmp_path / "multiline.csv", rows)
    single, parts = both(project, built, csv_file, tmp_path, scheduler, part_bytes=700, skip_bad_rows=True)
    assert_same(single, parts)
    # before row 29: the header, ten rows of two lines, ten of four, nine of one
    assert [error.location.line for error in parts.errors if error.location] == [1 + 10 * 2 + 10 * 4 + 9 + 1]
    assert any(b'One\\n\\nmore \\"\\"\\"quoted\\"\\"\\" one,\\n\\"' in line for line in statements(parts.files))


def test_bad_rows_are_refused_with_the_messages_of_one_process(project: Project, built: BuildResult, tmp_path: Path,
                                                               scheduler: str) -> None:
    csv_file = FIXTURES / "events-broken.csv"
    alone = refusal(project, built, csv_file, tmp_path / "single")
    in_parts = refusal(project, built, csv_file, tmp_path / "parts", scheduler=scheduler, part_bytes=TINY)
    assert in_parts == alone
    assert "events-broken.csv:6: row 5, field 'event_id_cnty': the event id AFG70001 was already imported from line 2." in in_parts
    single, parts = both(project, built, csv_file, tmp_path / "skip", scheduler, skip_bad_rows=True)
    assert_same(single, parts)


def test_an_event_id_repeated_in_a_later_part_is_reported_with_the_first_line(project: Project, built: BuildResult,
                                                                                tmp_path: Path, scheduler: str) -> None:
    rows = [row(event_id_cnty=f"AFG9{number:04d}") for number in range(30)]
    rows[14]["event_id_cnty"] = rows[25]["event_id_cnty"] = rows[28]["event_id_cnty"] = "AFG90003"
    rows[25]["admin2"] = "Dehdadi"  # a row that would add a place, were it not refused
    csv_file = write_csv(tmp_path / "repeated.csv", rows)
    alone = refusal(project, built, csv_file, tmp_path / "single")
    in_parts = refusal(project, built, csv_file, tmp_path / "parts", scheduler=scheduler, part_bytes=1000)
    assert in_parts == alone
    assert [line.split(".csv:", 1)[1] for line in in_parts.splitlines() if "AFG90003" in line] == [
        f"{line}: row {line - 1}, field 'event_id_cnty': the event id AFG90003 was already imported from line 5. An export "
        "lists each event once: remove the repeated row." for line in (16, 27, 30)]
    single, parts = both(project, built, csv_file, tmp_path / "skip", scheduler, part_bytes=1000, skip_bad_rows=True)
    assert_same(single, parts)
    assert not any(b"dehdadi" in line for line in statements(parts.files))


def test_a_line_that_is_not_utf8_ends_the_import_as_in_one_process(project: Project, built: BuildResult, tmp_path: Path,
                                                                    scheduler: str) -> None:
    csv_file = write_csv(tmp_path / "bytes.csv", [row(event_id_cnty=f"AFG6{number:04d}") for number in range(20)])
    lines = csv_file.read_bytes().split(b"\n")
    lines[8] = lines[8].replace(b"Test row.", b"Test \xff row.")
    csv_file.write_bytes(b"\n".join(lines))
    alone = refusal(project, built, csv_file, tmp_path / "single")
    assert alone.splitlines()[1].split(".csv:", 1)[1].startswith("9: row 8: the row cannot be read: 'utf-8' codec can't decode "
                                                                 "byte 0xff in position ")
    assert refusal(project, built, csv_file, tmp_path / "parts", scheduler=scheduler, part_bytes=TINY) == alone
    single, parts = both(project, built, csv_file, tmp_path / "skip", scheduler, skip_bad_rows=True)
    assert single.rows == 8 and single.imported == 7
    assert_same(single, parts)


def test_a_failing_part_leaves_no_output_and_keeps_the_earlier_one(project: Project, built: BuildResult, tmp_path: Path,
                                                                   scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    csv_file = FIXTURES / "events-multi-country.csv"
    target = tmp_path / "out"
    import_acled(project, FIXTURES / "events-current.csv", target, built.graph)
    before = sorted(path.name for path in target.iterdir())
    mapped = RowConverter.row

    def fails_at_line_4(self: RowConverter, cells: list[str], line: int) -> list[str]:
        if line == 4:
            raise RuntimeError("the worker's disk failed")
        return mapped(self, cells, line)

    monkeypatch.setattr(RowConverter, "row", fails_at_line_4)
    with pytest.raises(RuntimeError, match="the worker's disk failed"):
        import_acled(project, csv_file, target, built.graph, scheduler=scheduler, part_bytes=TINY)
    assert sorted(path.name for path in target.iterdir()) == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_a_worker_that_cannot_see_the_file_says_so(project: Project, built: BuildResult, tmp_path: Path, scheduler: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    csv_file = tmp_path / "elsewhere.csv"
    csv_file.write_bytes((FIXTURES / "events-current.csv").read_bytes())
    split = parallel.split

    def split_then_vanish(*args: object) -> list[parallel.Part]:
        parts = split(*args)  # type: ignore[arg-type]
        csv_file.unlink()  # as on a worker that does not share the driver's filesystem
        return parts

    monkeypatch.setattr(parallel, "split", split_then_vanish)
    with pytest.raises(ToolError) as refused:
        import_acled(project, csv_file, tmp_path / "out", built.graph, scheduler=scheduler, part_bytes=TINY)
    assert f"(part 1, from line 2) cannot read {csv_file}: the file to import must be at the same path on every worker " \
           "(a shared filesystem), or import on this machine with --workers N" in str(refused.value)
    assert not (tmp_path / "out").exists() and [path.name for path in tmp_path.iterdir()] == []


def test_a_byte_order_mark_a_header_alone_and_an_empty_file_read_as_in_one_process(project: Project, built: BuildResult,
                                                                                     tmp_path: Path, scheduler: str) -> None:
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "events-current.csv").read_bytes())
    single, parts = both(project, built, marked, tmp_path / "marked", scheduler)
    assert_same(single, parts)
    header = (FIXTURES / "events-current.csv").read_bytes().split(b"\n")[0]
    for name, text, message in [("header.csv", header + b"\n", "the file has a header but no rows"),
                                ("empty.csv", b"", "the file is empty")]:
        csv_file = tmp_path / name
        csv_file.write_bytes(text)
        for options in ({}, {"scheduler": scheduler}):
            with pytest.raises(DataErrors) as refused:
                import_acled(project, csv_file, tmp_path / "out", built.graph, **options)  # type: ignore[arg-type]
            assert str(refused.value).splitlines()[1].endswith(f"{name}:1: {message}. " + (
                "Export the events again from ACLED; there is nothing to import." if "header" in message
                else "Export the events again from ACLED."))
            assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))


def test_workers_and_scheduler_exclude_each_other(tmp_path: Path) -> None:
    result = run_kg("import", "acled", str(FIXTURES / "events-current.csv"), "-o", str(tmp_path / "out"), "--workers", "2",
                    "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode != 0
    assert result.stderr.strip() == ("kg: error: --workers 2 and --scheduler tcp://127.0.0.1:8786 exclude each other: the import "
                                     "runs on the workers of the cluster at --scheduler; give one or the other")
    none = run_kg("import", "acled", str(FIXTURES / "events-current.csv"), "-o", str(tmp_path / "out"), "--workers", "0")
    assert none.stderr.strip() == "kg: error: an import runs on 1 worker or more (--workers), not 0"
    assert not (tmp_path / "out").exists()


@pytest.mark.subprocess
def test_the_help_does_not_load_dask() -> None:
    code = "import sys\nfrom kg import cli\ntry:\n    cli.main(['import', '--help'])\nexcept SystemExit:\n    pass\n" \
           "print(sorted(name for name in sys.modules if name.split('.')[0] in ('dask', 'distributed')))"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--scheduler ADDRESS" in shown.stdout
    assert shown.stdout.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_the_command_with_two_worker_processes(tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "rows.csv", [row(event_id_cnty=f"AFG5{number:04d}") for number in range(4000)],
                         CURRENT_HEADER)
    single = run_kg("import", "acled", str(csv_file), "-o", str(tmp_path / "single"))
    parts = run_kg("import", "acled", str(csv_file), "-o", str(tmp_path / "parts"), "--workers", "2")
    assert parts.returncode == 0, parts.stderr
    assert "The rows were mapped in 2 parts; a place or actor that several parts met is written by each" in parts.stdout
    assert single.stdout.splitlines()[0].startswith("Imported 4000 of 4000 rows")
    assert parts.stdout.splitlines()[0].startswith("Imported 4000 of 4000 rows")
    assert statements(tuple((tmp_path / "parts").glob("*.nt.gz"))) == statements(tuple((tmp_path / "single").glob("*.nt.gz")))


@pytest.mark.slow
def test_an_unreachable_scheduler_is_named(project: Project, built: BuildResult, tmp_path: Path) -> None:
    with pytest.raises(ToolError) as refused:
        import_acled(project, FIXTURES / "events-current.csv", tmp_path / "out", built.graph, scheduler="tcp://127.0.0.1:9")
    assert str(refused.value).startswith("cannot reach the Dask scheduler at tcp://127.0.0.1:9 (")
    assert str(refused.value).endswith("); start one with `dask scheduler` and its workers with `dask worker ADDRESS`, or "
                                       "import on this machine with --workers N")
    assert [path.name for path in tmp_path.iterdir()] == []


@pytest.mark.slow
def test_the_local_cluster_leaves_memory_trimming_to_the_c_library() -> None:
    """Dask's default MALLOC_TRIM_THRESHOLD_ slows the row loop by a quarter (bench/README.md);
    --workers starts its workers without it, and with Dask's other settings."""
    with parallel.dask_client(2, None) as client:
        environments = client.run(lambda: {name: os.environ.get(name) for name in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")})
    assert len(environments) == 2
    assert all(environment == {"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"} for environment in environments.values())
