"""The events' table of an import (events.tsv.gz), written as sorted runs and merged."""

from __future__ import annotations

import gzip
from pathlib import Path

from kg.importers.acled.eventtable import EVENTS_FILE, EventRuns, Repeat, final_table, merge_runs, table_line
from kg.importers.acled.manifest import file_sha256

EVENTS = [(f"<https://example.org/event/{name.replace(chr(9), '%09')}>", name, stamp, f"{number:016x}", number + 2)
          for number, (name, stamp) in enumerate([("E5", "1625500000"), ("E1", ""), ("E3", "1625000000"), ("E2", "7"),
                                                  ("E\t4", "8"), ("E0", "9"), ("E9", "10")])]


def written(folder: Path, run_events: int, entries: list[tuple[str, str, str, str, int]]) -> tuple[bytes, list[Path]]:
    folder.mkdir()
    runs = EventRuns(folder, "events", run_events)
    for entry in entries:
        runs.add(*entry)
    closed = runs.close()
    table = final_table(closed, folder)
    assert table.sha256 == file_sha256(folder / EVENTS_FILE) and table.count == len(entries)
    return (folder / EVENTS_FILE).read_bytes(), closed


def test_the_table_is_the_same_whatever_the_runs(tmp_path: Path) -> None:
    one, one_runs = written(tmp_path / "one", 1000, EVENTS)
    many, many_runs = written(tmp_path / "many", 2, EVENTS)
    assert (len(one_runs), len(many_runs)) == (1, 4)
    assert one == many
    assert not any(run.exists() for run in [*one_runs, *many_runs])  # the runs are removed
    lines = gzip.decompress(one).decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(EVENTS)  # by IRI
    assert "<https://example.org/event/E0>\tE0\t9\t0000000000000005" in lines
    assert '<https://example.org/event/E%094>\t"E\t4"\t8\t0000000000000004' in lines  # a tab in an id is quoted


def test_an_event_in_two_runs_is_a_repeat_of_the_first_line(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    first, second = EventRuns(folder, "events-00001"), EventRuns(folder, "events-00002")
    first.add("<https://example.org/event/A>", "A", "1", "a" * 16, 12)
    first.add("<https://example.org/event/B>", "B", "1", "b" * 16, 13)
    second.add("<https://example.org/event/A>", "A", "2", "c" * 16, 40)
    second.add("<https://example.org/event/C>", "C", "2", "d" * 16, 41)
    # merged in either order, the first row's line wins and the later one is the repeat
    table = merge_runs([*second.close(), *first.close()], folder)
    assert table.repeats == (Repeat("<https://example.org/event/A>", 12, 40),)
    assert table.count == 3
    lines = gzip.decompress((folder / EVENTS_FILE).read_bytes()).decode().splitlines()
    assert lines[0] == f"<https://example.org/event/A>\tA\t1\t{'a' * 16}"


def test_a_line_written_without_the_csv_module_is_the_line_it_writes(tmp_path: Path) -> None:
    """Plain ids are written with a format, others by the csv module: for any id of one line
    (the row loop refuses the others) the run's line must be what the csv module writes."""
    ids = [chr(code) for code in range(0x20, 0x2500) if chr(code) not in "\r\n"] + ["AFG1", "A B", " x ", "a\x0bb", "é\tè", '""', "\u2028"]
    runs = EventRuns(tmp_path, "events")
    for number, event_id in enumerate(ids):
        runs.add(f"<https://example.org/event/{number:06d}>", event_id, "1", "0" * 16, number)
    [run] = runs.close()
    assert run.read_text(encoding="utf-8").split("\n")[:-1] == [
        table_line(f"<https://example.org/event/{number:06d}>", event_id, "1", "0" * 16, str(number)).removesuffix("\n")
        for number, event_id in enumerate(ids)]
